module m
tool example.com/a
tool (
	example.com/b
	example.com/a
)
tool example.com/b
