module example.com/m

// <script>alert('x')</script> & friends
// Ünïcödé   separator
retract v1.0.0

retract (

	// first

	v1.1.0

)
