// Deprecated: ünïcödé
// second line 
module example.com/m
