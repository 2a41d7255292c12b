module m
require a[b]c v1.0.0
