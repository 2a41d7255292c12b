module example.com/m

go 1.24

godebug (
	panicnil=1
	asynctimerchan=0
)

require (
	example.com/a v1.2.3
	example.com/z v0.1.0 // indirect
)

exclude (
	example.com/b v1.0.0
	example.com/b v1.1.0
)

replace (
	example.com/c => ../c
	example.com/d v1.0.0 => example.com/e v1.1.0
)

retract (
	v1.0.1 // published accidentally
	[v1.1.0, v1.1.5]
)

tool (
	example.com/a/cmd/tool
	example.com/z/cmd/other
)

ignore (
	./node_modules
	testdata
)
