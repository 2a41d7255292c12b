module m
// a
go 1.21
