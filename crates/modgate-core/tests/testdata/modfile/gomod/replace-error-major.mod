module m
replace example.com/a v2.0.0 => ./a
replace example.com/b/v1 => ./b
replace example.com/c/v2 v1.0.0 => ./c
