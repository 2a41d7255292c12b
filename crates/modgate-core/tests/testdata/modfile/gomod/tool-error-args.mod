module m
tool
tool a b
