module m
ignore
ignore a b
