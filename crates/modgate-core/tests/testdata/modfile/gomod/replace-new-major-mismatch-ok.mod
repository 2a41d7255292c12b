module m
replace example.com/a => example.com/b/v2 v1.0.0
