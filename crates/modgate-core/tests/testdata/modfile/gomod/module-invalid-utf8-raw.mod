module example.com/ÿþ

// comment Ã( bad
require example.com/a v1.0.0 // â‚
