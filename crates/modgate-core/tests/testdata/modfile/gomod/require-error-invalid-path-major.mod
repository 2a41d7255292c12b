module m
require example.com/a/v1 v1.0.0
require example.com/b/v0 v0.1.0
require example.com/c/v2.1 v2.1.0
