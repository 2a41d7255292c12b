module m
)
