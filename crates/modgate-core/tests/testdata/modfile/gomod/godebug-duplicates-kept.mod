module m
godebug a=1
godebug a=2
godebug (
	a=3
	a=1
)
