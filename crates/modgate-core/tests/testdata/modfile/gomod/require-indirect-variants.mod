module m

require (
	a.com/a v1.0.0 // indirect
	a.com/b v1.0.0 //indirect
	a.com/c v1.0.0 //	indirect
	a.com/d v1.0.0 // indirect; for testing
	a.com/e v1.0.0 // indirectly
	a.com/f v1.0.0 // not indirect
	a.com/g v1.0.0 // indirect ; spaced
	a.com/h v1.0.0 //
	a.com/i v1.0.0 // INDIRECT
	a.com/j v1.0.0 // indirect;
	a.com/k v1.0.0 // indirect;x
)
