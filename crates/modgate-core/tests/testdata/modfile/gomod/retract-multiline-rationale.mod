module example.com/m

//  one
//
//     two
//
// three
retract v1.0.0
