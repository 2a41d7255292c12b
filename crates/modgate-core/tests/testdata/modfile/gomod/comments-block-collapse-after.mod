module m

exclude (
	a.com/a v1.0.0
	a.com/a v1.0.0 // dup
)
// after exclude

require b.com/b v1.0.0
