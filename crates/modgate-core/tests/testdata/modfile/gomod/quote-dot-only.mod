module "."
replace "a.com/a" => "./x y"
replace "b.com/b" => "../b"
