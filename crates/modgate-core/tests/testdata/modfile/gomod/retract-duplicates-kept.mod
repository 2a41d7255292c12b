module example.com/m
retract (
	v1.0.0 // one
	v1.0.0 // two
)
