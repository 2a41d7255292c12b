module m
// comment with nbsp at end 
// em-space comment
go 1.21
