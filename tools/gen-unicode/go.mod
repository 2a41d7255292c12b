module modgate.invalid/tools/gen-unicode

go 1.22
