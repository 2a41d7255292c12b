module m
go 1.21.0
toolchain default
godebug default=go1.20
