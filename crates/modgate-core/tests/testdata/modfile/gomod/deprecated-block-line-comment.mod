// block comment
module (
	// Deprecated: on the line
	example.com/m
)
