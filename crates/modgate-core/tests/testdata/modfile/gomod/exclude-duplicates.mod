module m
exclude x.y/z v1.0.0 // a
exclude x.y/z v1.0.0 // b
exclude (
	x.y/w v1.1.0
	x.y/z v1.0.0 // c
)
exclude (
	// only a duplicate here
	x.y/z v1.0.0
)
