module m
replace a.com/a "=>" ./b
