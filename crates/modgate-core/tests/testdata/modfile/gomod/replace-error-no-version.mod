module m
replace example.com/a => example.com/b
