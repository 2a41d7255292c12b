module m

require (
	example.com/a v1.2
	example.com/b v1
	example.com/c v1.2.3+meta
	example.com/d "v1.0.0"
	"example.com/e" v1.1
)
