// Deprecated: first
//
// Deprecated: second
module example.com/m
