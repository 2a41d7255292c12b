module m
replace example.com/a => .\a
replace example.com/b => C:\b
replace example.com/c => ..\c
