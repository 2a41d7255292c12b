module example.com/m // Deprecated: bye
