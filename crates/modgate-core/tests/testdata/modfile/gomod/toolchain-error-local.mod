module m
toolchain local
