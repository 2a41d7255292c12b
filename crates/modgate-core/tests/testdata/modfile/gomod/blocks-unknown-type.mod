module m
foo (
	bar
)
