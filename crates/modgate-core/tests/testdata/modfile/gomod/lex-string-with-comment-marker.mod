module m
require "a.com/a//b" v1.0.0
replace "a.com/c" => "./d//e"
