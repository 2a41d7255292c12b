module m
require é.com/é  v1.0.0
