module "example.com/a\xffb"
