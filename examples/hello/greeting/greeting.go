// Package greeting builds greetings.
package greeting

// For returns a greeting for name.
func For(name string) string { return "hello, " + name }
