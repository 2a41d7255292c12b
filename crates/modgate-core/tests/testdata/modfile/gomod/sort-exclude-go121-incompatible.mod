module m
go 1.21
exclude (
	x.com/a v2.0.0+incompatible
	x.com/a v1.10.0
	x.com/a v1.9.0-rc.1
	x.com/a v1.9.0
	"x.com/a b" v1.0.0
	x.com/a v0.0.0-20200101000000-abcdefabcdef
)
