//    Deprecated:      lots of spaces   
//	second	line	
module example.com/m
