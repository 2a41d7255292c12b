module ExAmPlE.com/UPPER/../x@y
