// Deprecated:
module example.com/m
