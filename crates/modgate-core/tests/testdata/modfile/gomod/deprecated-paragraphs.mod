// Package m does things.
//
// Deprecated: this module is frozen;
// use example.com/n instead.
//
// More text here.
module example.com/m
