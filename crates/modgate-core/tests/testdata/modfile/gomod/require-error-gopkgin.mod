module m
require gopkg.in/yaml.v2 v3.0.0
require gopkg.in/yaml v1.0.0
