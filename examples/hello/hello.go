// Command hello is a tiny module used by modgate's README and tests.
package main

import (
	"fmt"

	"example.com/hello/greeting"
)

func main() {
	fmt.Println(greeting.For("modgate"))
}
