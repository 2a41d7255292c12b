module m

go 1.23

godebug default=go1.21

godebug (
	zz=1
	aa=0
	empty=
)
