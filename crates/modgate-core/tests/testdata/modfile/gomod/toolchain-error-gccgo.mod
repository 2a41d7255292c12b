module m
toolchain gccgo-go1.2
