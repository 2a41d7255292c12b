module "example.com/\u00e9t\u00e9"
