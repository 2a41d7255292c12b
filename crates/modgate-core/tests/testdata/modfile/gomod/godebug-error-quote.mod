module m
godebug (
	a="b"
	c=d,e
	f='g'
)
