module m
toolchain go1
