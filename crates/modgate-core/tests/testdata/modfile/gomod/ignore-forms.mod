module m

go 1.25

ignore ./node_modules

ignore (
	static
	./third_party/javascript
	"with space"
)
