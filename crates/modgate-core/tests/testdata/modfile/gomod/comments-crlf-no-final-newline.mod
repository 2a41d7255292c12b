// only
// comments

// here