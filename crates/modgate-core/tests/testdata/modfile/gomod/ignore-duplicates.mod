module m
ignore ./a
ignore (
	./b
	./a
)
ignore ./b
