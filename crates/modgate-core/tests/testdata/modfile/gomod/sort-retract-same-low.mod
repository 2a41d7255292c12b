module m
retract (
	[v1.0.0, v1.2.0]
	[v1.0.0, v1.5.0]
	v1.0.0
	[v1.0.0, v1.0.0]
	v2.0.0+incompatible
)
