module m
require (
	example.com/a master
	example.com/b latest
)
