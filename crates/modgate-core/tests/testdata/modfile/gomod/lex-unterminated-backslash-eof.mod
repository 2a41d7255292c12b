module m
require "a.com/a\