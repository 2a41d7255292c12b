module m

require (
	z.com/z v1.0.0
	// comment for b
	b.com/b v1.0.0

	a.com/a v1.0.0 // a
	a.com/a v0.9.0
	"a.com/a b" v1.0.0
)
