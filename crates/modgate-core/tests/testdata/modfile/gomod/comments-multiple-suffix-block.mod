module m
require ( // one
	a.com/a v1.0.0 // two
) // three
