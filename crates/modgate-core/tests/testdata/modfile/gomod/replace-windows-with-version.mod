module m
replace example.com/b => C:/b v1.0.0
