module m
go 1.21rc1
exclude (
	x.com/a v1.10.0
	x.com/a v1.9.0
)
