module m

exclude (
	b.example/m v0.9.0
	a.example/m v1.0.0
	b.example/m v0.10.0
	c.example/m v1.1.0
	b.example/m v0.11.0
)
