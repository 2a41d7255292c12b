module m
toolchain
toolchain go1.21.0 go1.22.0
