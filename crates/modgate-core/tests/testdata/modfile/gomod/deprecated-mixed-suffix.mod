// some other comment
//
module example.com/m // Deprecated: in suffix after paragraph
