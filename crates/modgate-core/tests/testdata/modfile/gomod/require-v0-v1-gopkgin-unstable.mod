module m
require gopkg.in/foo.v1-unstable v1.0.0
require gopkg.in/bar.v2-unstable v2.1.0
