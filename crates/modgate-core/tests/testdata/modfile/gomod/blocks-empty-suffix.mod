module m
require ( ) // c
