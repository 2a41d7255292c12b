module example.com/m
retract "v1\z"
