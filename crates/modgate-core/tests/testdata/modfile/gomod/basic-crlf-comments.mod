// Deprecated: use v2
module example.com/m

// rationale
retract v1.0.0 // bad
