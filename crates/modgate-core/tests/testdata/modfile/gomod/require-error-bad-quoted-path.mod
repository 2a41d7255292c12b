module m
require "example.com/\z" v1.0.0
