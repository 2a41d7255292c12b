module m

// about the block
exclude ( // lp
	a.com/a v1.0.0
)

exclude a.com/a v1.0.0 // dup of the block

// about tools
tool (
	// nothing
)
