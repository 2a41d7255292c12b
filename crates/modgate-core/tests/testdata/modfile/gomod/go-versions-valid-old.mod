module m
go 1.9
