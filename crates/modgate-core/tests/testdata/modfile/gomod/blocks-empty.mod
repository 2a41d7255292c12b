module m

require ()

exclude (
)

replace ( )

// before empty block
tool (
	// only comment
)

go 1.21
