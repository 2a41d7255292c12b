// Deprecated: blah blah
module (
	example.com/m
)
