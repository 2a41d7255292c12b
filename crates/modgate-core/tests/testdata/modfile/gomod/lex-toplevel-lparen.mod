module m
( foo
