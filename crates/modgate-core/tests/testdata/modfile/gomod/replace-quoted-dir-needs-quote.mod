module m
replace a.com/a v1.0.0 => "./dir with space"
