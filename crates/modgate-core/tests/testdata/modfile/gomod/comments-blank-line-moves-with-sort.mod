module m

require (
	z.com/z v1.0.0

	a.com/a v1.0.0
)
