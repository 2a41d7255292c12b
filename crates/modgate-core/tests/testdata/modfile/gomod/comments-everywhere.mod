// File header comment.

// Another header paragraph.
module example.com/m // module suffix

// before go
go 1.21 // go suffix
// after go, before require block

require ( // after lparen
	// before a
	example.com/a v1.0.0 // a suffix

	// before b, after blank line
	example.com/b v1.0.0
	// before rparen
) // after rparen

// trailing comment 1

// trailing comment 2
