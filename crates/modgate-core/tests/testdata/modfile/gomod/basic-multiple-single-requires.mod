module m
require a.com/x v1.0.0
require b.com/y v1.0.0
require c.com/z v1.0.0
