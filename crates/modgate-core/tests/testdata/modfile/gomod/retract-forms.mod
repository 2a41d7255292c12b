module example.com/m

// Remote-triggered crash in package foo. See CVE-2021-01234.
retract v1.0.5

retract [v1.0.0, v1.0.4] // Security vulnerability.

retract (
	v1.1.0 // published too early
	// bad interval
	[v1.2.0, v1.2.5]
	v2.0.0+incompatible
)
