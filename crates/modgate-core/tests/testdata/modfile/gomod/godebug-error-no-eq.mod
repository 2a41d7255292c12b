module m
godebug panicnil
