module m
foo bar
