module m
replace example.com/a vX => ./a
replace example.com/b => example.com/c vY
