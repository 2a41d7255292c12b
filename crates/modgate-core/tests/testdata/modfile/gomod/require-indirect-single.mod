module m
require a.com/a v1.0.0 // indirect
require a.com/b v1.0.0 //indirect
