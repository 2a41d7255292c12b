module m
replace (
	z.com/z => ./z
	a.com/a v1.0.0 => ./a1
	a.com/a => ./a
)
