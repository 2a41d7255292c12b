module example.com/m
retract ""
retract v1.0.0
