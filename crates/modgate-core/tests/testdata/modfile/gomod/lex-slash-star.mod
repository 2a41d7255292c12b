module m
/* block comment */
