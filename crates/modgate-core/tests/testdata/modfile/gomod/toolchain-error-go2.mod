module m
toolchain go2.0
