module example.com/m
retract bogus
retract "v1.0.0"
retract [v1, "v1.2 x"]
