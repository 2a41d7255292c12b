module m
go 1.2.3beta4
