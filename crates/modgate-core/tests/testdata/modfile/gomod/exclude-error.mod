module m
exclude x.y/z
exclude x.y/z v1
exclude x.y/z/v2 v1.0.0
exclude x.y/z vv
