module example.com/m
go 1.23.0
toolchain go1.23.4
godebug default=go1.21
require example.com/a v1.2.3
exclude example.com/b v1.0.0
replace example.com/c => ../c
retract v1.0.1
tool example.com/a/cmd/tool
ignore ./node_modules
