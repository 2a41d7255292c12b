// just a comment
// and another

// separate
