module (
	example.com/m
)
