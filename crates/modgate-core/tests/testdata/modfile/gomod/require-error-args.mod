module m
require example.com/a
require example.com/a v1.0.0 extra
require (
	example.com/b
)
