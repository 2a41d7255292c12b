module example.com/m

// All of these are bad.
retract (
	v1.0.0
	// this one is worse
	v1.0.1
	v1.0.2 // suffix only
)
