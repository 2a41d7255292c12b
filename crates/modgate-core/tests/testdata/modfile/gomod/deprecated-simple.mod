// Deprecated: use example.com/m/v2 instead.
module example.com/m
