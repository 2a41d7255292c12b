module m
require example.com/a "v1\q"
require example.com/b v1'0
