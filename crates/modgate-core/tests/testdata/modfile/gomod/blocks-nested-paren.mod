module m
require (
	(
)
