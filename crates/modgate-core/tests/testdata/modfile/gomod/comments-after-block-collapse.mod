module m

// block comment
require ( // lparen comment
	// line comment
	a.com/a v1.0.0 // suffix
)
