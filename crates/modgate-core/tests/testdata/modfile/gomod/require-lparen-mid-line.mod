module m
require a ( v1.0.0
