module m
replace example.com/a => ./a v1.0.0
replace example.com/b => ../b v1.0.0
replace example.com/c => /c v1.0.0
