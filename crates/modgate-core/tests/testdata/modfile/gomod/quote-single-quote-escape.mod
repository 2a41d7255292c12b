module "example.com/\'x"
