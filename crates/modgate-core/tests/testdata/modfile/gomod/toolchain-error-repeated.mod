module m
toolchain go1.21.0
toolchain go1.22.0
