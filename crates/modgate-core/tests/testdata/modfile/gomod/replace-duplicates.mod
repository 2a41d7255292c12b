module m
replace x.y/z v1.0.0 => ./a
replace x.y/z v1.1.0 => ./b
replace (
	x.y/z v1.0.0 => ./c
	x.y/w => ./w
)
replace x.y/w => ./w2
