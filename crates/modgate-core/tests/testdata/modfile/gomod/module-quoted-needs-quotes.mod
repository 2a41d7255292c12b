module "example.com/m x"
