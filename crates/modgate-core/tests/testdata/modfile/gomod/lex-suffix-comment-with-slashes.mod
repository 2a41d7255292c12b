module m // c1 // c2
