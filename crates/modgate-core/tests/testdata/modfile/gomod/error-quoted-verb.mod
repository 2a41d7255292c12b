module m
"module" x
