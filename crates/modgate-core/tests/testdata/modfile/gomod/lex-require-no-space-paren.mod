module m
require(
	a.com/a v1.0.0
	b.com/b v1.0.0
)
