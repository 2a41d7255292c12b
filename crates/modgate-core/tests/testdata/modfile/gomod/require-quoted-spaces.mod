module m
require "example.com/a b" v1.0.0
require "example.com/(x)" v1.0.0
