module m
require "example.com/\x80\xc3" v1.0.0
