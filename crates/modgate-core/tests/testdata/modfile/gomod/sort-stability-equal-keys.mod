module m
go 1.21
exclude (
	x.com/a v1.0.0 // first
	x.com/b v1.0.0
	x.com/a v1.0.1 // third
)
retract (
	bogus1 // one
	bogus2 // two
	v1.0.0
	bogus3 // three
)
