module m
require example.com/a 1.2.3
