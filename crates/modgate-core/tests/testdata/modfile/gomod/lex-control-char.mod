module m
go 1.21
require a.com/ v1.0.0
