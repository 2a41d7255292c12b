// deprecated: lowercase
// Deprecated no colon
// module m is Deprecated: in the middle
module example.com/m
