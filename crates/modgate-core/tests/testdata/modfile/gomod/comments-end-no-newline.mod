module m
// last