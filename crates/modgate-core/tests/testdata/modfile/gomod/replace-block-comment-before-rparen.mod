module m
replace (
	a.com/a => ./a
	// keep block
)
