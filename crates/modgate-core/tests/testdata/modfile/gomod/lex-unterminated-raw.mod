module m
require `a.com/a v1.0.0
