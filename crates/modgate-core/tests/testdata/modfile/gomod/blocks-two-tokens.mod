module m
require foo (
	a.com/a v1.0.0
)
