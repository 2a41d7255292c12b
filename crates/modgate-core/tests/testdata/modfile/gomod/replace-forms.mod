module m

replace example.com/a => ../a

replace example.com/b v1.0.0 => ./b

replace example.com/c => example.com/c2 v1.1.0

replace example.com/d v1.2 => example.com/d2 v1.3

replace example.com/e => /abs/path/e

replace example.com/f => .

replace example.com/g => ..

replace "example.com/h" => "../h h"

replace example.com/i v2.0.0+incompatible => example.com/i v2.1.0+incompatible

replace example.com/j => example.com/j/v3 v3.0.0
