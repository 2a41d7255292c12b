module "example.com/m"
