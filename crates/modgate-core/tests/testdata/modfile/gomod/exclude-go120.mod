module m
go 1.20
exclude (
	x.com/a v1.10.0
	x.com/a v1.9.0
)
