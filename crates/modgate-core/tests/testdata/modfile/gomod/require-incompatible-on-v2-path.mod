module m
require example.com/m/v2 v2.0.0+incompatible
