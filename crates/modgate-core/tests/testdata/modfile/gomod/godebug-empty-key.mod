module m
godebug =x
godebug a=b=c
