module m
require (
	a.com/a v1.0.0
)
// between
require (
	b.com/b v1.0.0
	c.com/c v1.0.0
)
