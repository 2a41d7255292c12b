module m
go 1
toolchain bad
require a.com/a
exclude a.com/b v1
replace a.com/c => a.com/d
retract v1 v2
tool
ignore
godebug nope
unknown directive
module again
