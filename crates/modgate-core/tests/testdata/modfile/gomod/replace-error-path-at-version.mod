module m
replace example.com/a => example.com/b@v1.0.0
