module m

require (
	a.com/a v1.0.0
)

exclude (
	b.com/b v1.0.0 // why
)
