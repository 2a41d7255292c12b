module m
require (
	a.com/a v1.0.0
	a.com/b
		a.com/c vbad
  a.com/d v2.0.0
)
