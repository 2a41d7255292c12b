module m

    // indented comment
	// tab comment   
require a.com/a v1.0.0
