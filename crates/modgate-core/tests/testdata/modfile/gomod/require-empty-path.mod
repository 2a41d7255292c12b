module m
require "" v1.0.0
require example.com/a v1.0.0
