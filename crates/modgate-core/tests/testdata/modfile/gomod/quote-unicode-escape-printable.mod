module "example.com/\u00e9\u4e16"
tool "example.com/\u00a0tool"
