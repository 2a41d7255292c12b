module m
require example.com/a v2.0.0
require example.com/b/v2 v1.0.0
require example.com/c/v3 v2.0.0+incompatible
