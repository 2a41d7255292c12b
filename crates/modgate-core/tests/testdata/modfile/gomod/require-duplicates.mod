module m

require (
	example.com/a v1.0.0
	example.com/a v1.1.0
)

require example.com/a v1.2.0
