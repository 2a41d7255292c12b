module m
toolchain go1.22rc1
