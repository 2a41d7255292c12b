module m
replace example.com/a ./a
replace example.com/a=>./a
replace example.com/a v1.0.0 v1.1.0 => ./a
replace example.com/a => ./a extra extra
