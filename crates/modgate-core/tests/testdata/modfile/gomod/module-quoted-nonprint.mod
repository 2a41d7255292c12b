module "example.com/a\x01b<>&"
