module "example.com/\101\x42\u0043\U00000044"
require "example.com/\a\b\f\v" v1.0.0
