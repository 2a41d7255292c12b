// Deprecated: use <b>v2</b> & "friends"
module example.com/m
