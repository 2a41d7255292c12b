module m
// attached to go
go 1.21

// free floating

require a.com/a v1.0.0
