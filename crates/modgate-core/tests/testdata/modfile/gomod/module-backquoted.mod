module `example.com/m`
