module m
toolchain go1.21.0-custom
