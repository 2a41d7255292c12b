module m

go 1.24

tool example.com/b/cmd

tool (
	example.com/z
	example.com/a
	"example.com/q x"
)
