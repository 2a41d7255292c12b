//! Tables ported from golang.org/x/mod's module_test.go and pseudo_test.go,
//! extended with odd inputs. Expected values and error texts were produced by
//! running golang.org/x/mod (Go 1.27.3's vendored copy); where they differ
//! from the published test file (`.x/z` is a valid import path today, `+` is
//! not allowed in module paths), the current x/mod wins.

use super::pseudo::{dec_decimal, inc_decimal};
use super::*;

/// Ok(()) or the error text.
fn text<T>(r: Result<T, Error>) -> String {
    r.err().map(|e| e.to_string()).unwrap_or_default()
}

/// (path, CheckPath error, CheckImportPath error, CheckFilePath error); "" means valid.
const CHECK_PATH_TESTS: &[(&str, &str, &str, &str)] = &[
    ("x.y/z", "", "", ""),
    ("x.y", "", "", ""),
    (
        "",
        "malformed module path \"\": empty string",
        "malformed import path \"\": empty string",
        "malformed file path \"\": empty string",
    ),
    (
        "/x.y/z",
        "malformed module path \"/x.y/z\": empty path element",
        "malformed import path \"/x.y/z\": empty path element",
        "malformed file path \"/x.y/z\": empty path element",
    ),
    (
        "x./z",
        "malformed module path \"x./z\": trailing dot in path element",
        "malformed import path \"x./z\": trailing dot in path element",
        "malformed file path \"x./z\": trailing dot in path element",
    ),
    (
        ".x/z",
        "malformed module path \".x/z\": leading dot in path element",
        "",
        "",
    ),
    (
        "-x/z",
        "malformed module path \"-x/z\": leading dash",
        "malformed import path \"-x/z\": leading dash",
        "",
    ),
    ("x..y/z", "", "", ""),
    (
        "x.y/z/../../w",
        "malformed module path \"x.y/z/../../w\": invalid path element \"..\"",
        "malformed import path \"x.y/z/../../w\": invalid path element \"..\"",
        "malformed file path \"x.y/z/../../w\": invalid path element \"..\"",
    ),
    (
        "x.y//z",
        "malformed module path \"x.y//z\": double slash",
        "malformed import path \"x.y//z\": double slash",
        "malformed file path \"x.y//z\": double slash",
    ),
    (
        "x.y/z//w",
        "malformed module path \"x.y/z//w\": double slash",
        "malformed import path \"x.y/z//w\": double slash",
        "malformed file path \"x.y/z//w\": double slash",
    ),
    (
        "x.y/z/",
        "malformed module path \"x.y/z/\": trailing slash",
        "malformed import path \"x.y/z/\": trailing slash",
        "malformed file path \"x.y/z/\": trailing slash",
    ),
    (
        "x.y/z/v0",
        "malformed module path \"x.y/z/v0\": invalid version",
        "",
        "",
    ),
    (
        "x.y/z/v1",
        "malformed module path \"x.y/z/v1\": invalid version",
        "",
        "",
    ),
    ("x.y/z/v2", "", "", ""),
    (
        "x.y/z/v2.0",
        "malformed module path \"x.y/z/v2.0\": invalid version",
        "",
        "",
    ),
    (
        "X.y/z",
        "malformed module path \"X.y/z\": invalid char 'X' in first path element",
        "",
        "",
    ),
    (
        "!x.y/z",
        "malformed module path \"!x.y/z\": invalid char '!'",
        "malformed import path \"!x.y/z\": invalid char '!'",
        "",
    ),
    (
        "_x.y/z",
        "malformed module path \"_x.y/z\": invalid char '_' in first path element",
        "",
        "",
    ),
    (
        "x.y!/z",
        "malformed module path \"x.y!/z\": invalid char '!'",
        "malformed import path \"x.y!/z\": invalid char '!'",
        "",
    ),
    (
        "x.y\"/z",
        "malformed module path \"x.y\\\"/z\": invalid char '\"'",
        "malformed import path \"x.y\\\"/z\": invalid char '\"'",
        "malformed file path \"x.y\\\"/z\": invalid char '\"'",
    ),
    (
        "x.y#/z",
        "malformed module path \"x.y#/z\": invalid char '#'",
        "malformed import path \"x.y#/z\": invalid char '#'",
        "",
    ),
    (
        "x.y$/z",
        "malformed module path \"x.y$/z\": invalid char '$'",
        "malformed import path \"x.y$/z\": invalid char '$'",
        "",
    ),
    (
        "x.y%/z",
        "malformed module path \"x.y%/z\": invalid char '%'",
        "malformed import path \"x.y%/z\": invalid char '%'",
        "",
    ),
    (
        "x.y&/z",
        "malformed module path \"x.y&/z\": invalid char '&'",
        "malformed import path \"x.y&/z\": invalid char '&'",
        "",
    ),
    (
        "x.y'/z",
        "malformed module path \"x.y'/z\": invalid char '\\''",
        "malformed import path \"x.y'/z\": invalid char '\\''",
        "malformed file path \"x.y'/z\": invalid char '\\''",
    ),
    (
        "x.y(/z",
        "malformed module path \"x.y(/z\": invalid char '('",
        "malformed import path \"x.y(/z\": invalid char '('",
        "",
    ),
    (
        "x.y)/z",
        "malformed module path \"x.y)/z\": invalid char ')'",
        "malformed import path \"x.y)/z\": invalid char ')'",
        "",
    ),
    (
        "x.y*/z",
        "malformed module path \"x.y*/z\": invalid char '*'",
        "malformed import path \"x.y*/z\": invalid char '*'",
        "malformed file path \"x.y*/z\": invalid char '*'",
    ),
    (
        "x.y+/z",
        "malformed module path \"x.y+/z\": invalid char '+'",
        "",
        "",
    ),
    (
        "x.y,/z",
        "malformed module path \"x.y,/z\": invalid char ','",
        "malformed import path \"x.y,/z\": invalid char ','",
        "",
    ),
    ("x.y-/z", "", "", ""),
    (
        "x.y./zt",
        "malformed module path \"x.y./zt\": trailing dot in path element",
        "malformed import path \"x.y./zt\": trailing dot in path element",
        "malformed file path \"x.y./zt\": trailing dot in path element",
    ),
    (
        "x.y:/z",
        "malformed module path \"x.y:/z\": invalid char ':'",
        "malformed import path \"x.y:/z\": invalid char ':'",
        "malformed file path \"x.y:/z\": invalid char ':'",
    ),
    (
        "x.y;/z",
        "malformed module path \"x.y;/z\": invalid char ';'",
        "malformed import path \"x.y;/z\": invalid char ';'",
        "malformed file path \"x.y;/z\": invalid char ';'",
    ),
    (
        "x.y</z",
        "malformed module path \"x.y</z\": invalid char '<'",
        "malformed import path \"x.y</z\": invalid char '<'",
        "malformed file path \"x.y</z\": invalid char '<'",
    ),
    (
        "x.y=/z",
        "malformed module path \"x.y=/z\": invalid char '='",
        "malformed import path \"x.y=/z\": invalid char '='",
        "",
    ),
    (
        "x.y>/z",
        "malformed module path \"x.y>/z\": invalid char '>'",
        "malformed import path \"x.y>/z\": invalid char '>'",
        "malformed file path \"x.y>/z\": invalid char '>'",
    ),
    (
        "x.y?/z",
        "malformed module path \"x.y?/z\": invalid char '?'",
        "malformed import path \"x.y?/z\": invalid char '?'",
        "malformed file path \"x.y?/z\": invalid char '?'",
    ),
    (
        "x.y@/z",
        "malformed module path \"x.y@/z\": invalid char '@'",
        "malformed import path \"x.y@/z\": invalid char '@'",
        "",
    ),
    (
        "x.y[/z",
        "malformed module path \"x.y[/z\": invalid char '['",
        "malformed import path \"x.y[/z\": invalid char '['",
        "",
    ),
    (
        "x.y\\/z",
        "malformed module path \"x.y\\\\/z\": invalid char '\\\\'",
        "malformed import path \"x.y\\\\/z\": invalid char '\\\\'",
        "malformed file path \"x.y\\\\/z\": invalid char '\\\\'",
    ),
    (
        "x.y]/z",
        "malformed module path \"x.y]/z\": invalid char ']'",
        "malformed import path \"x.y]/z\": invalid char ']'",
        "",
    ),
    (
        "x.y^/z",
        "malformed module path \"x.y^/z\": invalid char '^'",
        "malformed import path \"x.y^/z\": invalid char '^'",
        "",
    ),
    (
        "x.y_/z",
        "malformed module path \"x.y_/z\": invalid char '_' in first path element",
        "",
        "",
    ),
    (
        "x.y`/z",
        "malformed module path \"x.y`/z\": invalid char '`'",
        "malformed import path \"x.y`/z\": invalid char '`'",
        "malformed file path \"x.y`/z\": invalid char '`'",
    ),
    (
        "x.y{/z",
        "malformed module path \"x.y{/z\": invalid char '{'",
        "malformed import path \"x.y{/z\": invalid char '{'",
        "",
    ),
    (
        "x.y}/z",
        "malformed module path \"x.y}/z\": invalid char '}'",
        "malformed import path \"x.y}/z\": invalid char '}'",
        "",
    ),
    (
        "x.y~/z",
        "malformed module path \"x.y~/z\": invalid char '~' in first path element",
        "",
        "",
    ),
    (
        "x.y/z!",
        "malformed module path \"x.y/z!\": invalid char '!'",
        "malformed import path \"x.y/z!\": invalid char '!'",
        "",
    ),
    (
        "x.y/z\"",
        "malformed module path \"x.y/z\\\"\": invalid char '\"'",
        "malformed import path \"x.y/z\\\"\": invalid char '\"'",
        "malformed file path \"x.y/z\\\"\": invalid char '\"'",
    ),
    (
        "x.y/z#",
        "malformed module path \"x.y/z#\": invalid char '#'",
        "malformed import path \"x.y/z#\": invalid char '#'",
        "",
    ),
    (
        "x.y/z$",
        "malformed module path \"x.y/z$\": invalid char '$'",
        "malformed import path \"x.y/z$\": invalid char '$'",
        "",
    ),
    (
        "x.y/z%",
        "malformed module path \"x.y/z%\": invalid char '%'",
        "malformed import path \"x.y/z%\": invalid char '%'",
        "",
    ),
    (
        "x.y/z&",
        "malformed module path \"x.y/z&\": invalid char '&'",
        "malformed import path \"x.y/z&\": invalid char '&'",
        "",
    ),
    (
        "x.y/z'",
        "malformed module path \"x.y/z'\": invalid char '\\''",
        "malformed import path \"x.y/z'\": invalid char '\\''",
        "malformed file path \"x.y/z'\": invalid char '\\''",
    ),
    (
        "x.y/z(",
        "malformed module path \"x.y/z(\": invalid char '('",
        "malformed import path \"x.y/z(\": invalid char '('",
        "",
    ),
    (
        "x.y/z)",
        "malformed module path \"x.y/z)\": invalid char ')'",
        "malformed import path \"x.y/z)\": invalid char ')'",
        "",
    ),
    (
        "x.y/z*",
        "malformed module path \"x.y/z*\": invalid char '*'",
        "malformed import path \"x.y/z*\": invalid char '*'",
        "malformed file path \"x.y/z*\": invalid char '*'",
    ),
    (
        "x.y/z+",
        "malformed module path \"x.y/z+\": invalid char '+'",
        "",
        "",
    ),
    (
        "x.y/z,",
        "malformed module path \"x.y/z,\": invalid char ','",
        "malformed import path \"x.y/z,\": invalid char ','",
        "",
    ),
    ("x.y/z-", "", "", ""),
    ("x.y/z.t", "", "", ""),
    ("x.y/z/t", "", "", ""),
    (
        "x.y/z:",
        "malformed module path \"x.y/z:\": invalid char ':'",
        "malformed import path \"x.y/z:\": invalid char ':'",
        "malformed file path \"x.y/z:\": invalid char ':'",
    ),
    (
        "x.y/z;",
        "malformed module path \"x.y/z;\": invalid char ';'",
        "malformed import path \"x.y/z;\": invalid char ';'",
        "malformed file path \"x.y/z;\": invalid char ';'",
    ),
    (
        "x.y/z<",
        "malformed module path \"x.y/z<\": invalid char '<'",
        "malformed import path \"x.y/z<\": invalid char '<'",
        "malformed file path \"x.y/z<\": invalid char '<'",
    ),
    (
        "x.y/z=",
        "malformed module path \"x.y/z=\": invalid char '='",
        "malformed import path \"x.y/z=\": invalid char '='",
        "",
    ),
    (
        "x.y/z>",
        "malformed module path \"x.y/z>\": invalid char '>'",
        "malformed import path \"x.y/z>\": invalid char '>'",
        "malformed file path \"x.y/z>\": invalid char '>'",
    ),
    (
        "x.y/z?",
        "malformed module path \"x.y/z?\": invalid char '?'",
        "malformed import path \"x.y/z?\": invalid char '?'",
        "malformed file path \"x.y/z?\": invalid char '?'",
    ),
    (
        "x.y/z@",
        "malformed module path \"x.y/z@\": invalid char '@'",
        "malformed import path \"x.y/z@\": invalid char '@'",
        "",
    ),
    (
        "x.y/z[",
        "malformed module path \"x.y/z[\": invalid char '['",
        "malformed import path \"x.y/z[\": invalid char '['",
        "",
    ),
    (
        "x.y/z\\",
        "malformed module path \"x.y/z\\\\\": invalid char '\\\\'",
        "malformed import path \"x.y/z\\\\\": invalid char '\\\\'",
        "malformed file path \"x.y/z\\\\\": invalid char '\\\\'",
    ),
    (
        "x.y/z]",
        "malformed module path \"x.y/z]\": invalid char ']'",
        "malformed import path \"x.y/z]\": invalid char ']'",
        "",
    ),
    (
        "x.y/z^",
        "malformed module path \"x.y/z^\": invalid char '^'",
        "malformed import path \"x.y/z^\": invalid char '^'",
        "",
    ),
    ("x.y/z_", "", "", ""),
    (
        "x.y/z`",
        "malformed module path \"x.y/z`\": invalid char '`'",
        "malformed import path \"x.y/z`\": invalid char '`'",
        "malformed file path \"x.y/z`\": invalid char '`'",
    ),
    (
        "x.y/z{",
        "malformed module path \"x.y/z{\": invalid char '{'",
        "malformed import path \"x.y/z{\": invalid char '{'",
        "",
    ),
    (
        "x.y/z}",
        "malformed module path \"x.y/z}\": invalid char '}'",
        "malformed import path \"x.y/z}\": invalid char '}'",
        "",
    ),
    ("x.y/z~", "", "", ""),
    ("x.y/x.foo", "", "", ""),
    (
        "x.y/aux.foo",
        "malformed module path \"x.y/aux.foo\": \"aux\" disallowed as path element component on Windows",
        "malformed import path \"x.y/aux.foo\": \"aux\" disallowed as path element component on Windows",
        "malformed file path \"x.y/aux.foo\": \"aux\" disallowed as path element component on Windows",
    ),
    (
        "x.y/prn",
        "malformed module path \"x.y/prn\": \"prn\" disallowed as path element component on Windows",
        "malformed import path \"x.y/prn\": \"prn\" disallowed as path element component on Windows",
        "malformed file path \"x.y/prn\": \"prn\" disallowed as path element component on Windows",
    ),
    ("x.y/prn2", "", "", ""),
    ("x.y/com", "", "", ""),
    (
        "x.y/com1",
        "malformed module path \"x.y/com1\": \"com1\" disallowed as path element component on Windows",
        "malformed import path \"x.y/com1\": \"com1\" disallowed as path element component on Windows",
        "malformed file path \"x.y/com1\": \"com1\" disallowed as path element component on Windows",
    ),
    (
        "x.y/com1.txt",
        "malformed module path \"x.y/com1.txt\": \"com1\" disallowed as path element component on Windows",
        "malformed import path \"x.y/com1.txt\": \"com1\" disallowed as path element component on Windows",
        "malformed file path \"x.y/com1.txt\": \"com1\" disallowed as path element component on Windows",
    ),
    ("x.y/calm1", "", "", ""),
    (
        "x.y/z~0",
        "malformed module path \"x.y/z~0\": trailing tilde and digits in path element",
        "malformed import path \"x.y/z~0\": trailing tilde and digits in path element",
        "",
    ),
    (
        "x.y/z~09",
        "malformed module path \"x.y/z~09\": trailing tilde and digits in path element",
        "malformed import path \"x.y/z~09\": trailing tilde and digits in path element",
        "",
    ),
    ("x.y/z09", "", "", ""),
    ("x.y/z09~", "", "", ""),
    ("x.y/z09~09z", "", "", ""),
    (
        "x.y/z09~09z~09",
        "malformed module path \"x.y/z09~09z~09\": trailing tilde and digits in path element",
        "malformed import path \"x.y/z09~09z~09\": trailing tilde and digits in path element",
        "",
    ),
    (
        "github.com/!123/logrus",
        "malformed module path \"github.com/!123/logrus\": invalid char '!'",
        "malformed import path \"github.com/!123/logrus\": invalid char '!'",
        "",
    ),
    (
        "github.com/user/unicode/испытание",
        "malformed module path \"github.com/user/unicode/испытание\": invalid char 'и'",
        "malformed import path \"github.com/user/unicode/испытание\": invalid char 'и'",
        "",
    ),
    (
        "../x",
        "malformed module path \"../x\": invalid path element \"..\"",
        "malformed import path \"../x\": invalid path element \"..\"",
        "malformed file path \"../x\": invalid path element \"..\"",
    ),
    (
        "./y",
        "malformed module path \"./y\": invalid path element \".\"",
        "malformed import path \"./y\": invalid path element \".\"",
        "malformed file path \"./y\": invalid path element \".\"",
    ),
    (
        "x:y",
        "malformed module path \"x:y\": invalid char ':'",
        "malformed import path \"x:y\": invalid char ':'",
        "malformed file path \"x:y\": invalid char ':'",
    ),
    (
        "\\temp\\foo",
        "malformed module path \"\\\\temp\\\\foo\": invalid char '\\\\'",
        "malformed import path \"\\\\temp\\\\foo\": invalid char '\\\\'",
        "malformed file path \"\\\\temp\\\\foo\": invalid char '\\\\'",
    ),
    (
        ".gitignore",
        "malformed module path \".gitignore\": leading dot in path element",
        "",
        "",
    ),
    (
        ".github/ISSUE_TEMPLATE",
        "malformed module path \".github/ISSUE_TEMPLATE\": leading dot in path element",
        "",
        "",
    ),
    (
        "x☺y",
        "malformed module path \"x☺y\": invalid char '☺'",
        "malformed import path \"x☺y\": invalid char '☺'",
        "malformed file path \"x☺y\": invalid char '☺'",
    ),
    (
        "Example.com/x",
        "malformed module path \"Example.com/x\": invalid char 'E' in first path element",
        "",
        "",
    ),
    ("example.com/X", "", "", ""),
    (
        "example.com/x.",
        "malformed module path \"example.com/x.\": trailing dot in path element",
        "malformed import path \"example.com/x.\": trailing dot in path element",
        "malformed file path \"example.com/x.\": trailing dot in path element",
    ),
    (
        "example.com/.x",
        "malformed module path \"example.com/.x\": leading dot in path element",
        "",
        "",
    ),
    (
        "example.com/~1",
        "malformed module path \"example.com/~1\": trailing tilde and digits in path element",
        "malformed import path \"example.com/~1\": trailing tilde and digits in path element",
        "",
    ),
    (
        "example.com/a~1.go",
        "malformed module path \"example.com/a~1.go\": trailing tilde and digits in path element",
        "malformed import path \"example.com/a~1.go\": trailing tilde and digits in path element",
        "",
    ),
    ("example.com/a.b~1", "", "", ""),
    (
        "example.com/CON",
        "malformed module path \"example.com/CON\": \"CON\" disallowed as path element component on Windows",
        "malformed import path \"example.com/CON\": \"CON\" disallowed as path element component on Windows",
        "malformed file path \"example.com/CON\": \"CON\" disallowed as path element component on Windows",
    ),
    (
        "example.com/con.txt.go",
        "malformed module path \"example.com/con.txt.go\": \"con\" disallowed as path element component on Windows",
        "malformed import path \"example.com/con.txt.go\": \"con\" disallowed as path element component on Windows",
        "malformed file path \"example.com/con.txt.go\": \"con\" disallowed as path element component on Windows",
    ),
    (
        "example.com/Lpt9",
        "malformed module path \"example.com/Lpt9\": \"Lpt9\" disallowed as path element component on Windows",
        "malformed import path \"example.com/Lpt9\": \"Lpt9\" disallowed as path element component on Windows",
        "malformed file path \"example.com/Lpt9\": \"Lpt9\" disallowed as path element component on Windows",
    ),
    ("example.com/lpt10", "", "", ""),
    (
        "-",
        "malformed module path \"-\": leading dash",
        "malformed import path \"-\": leading dash",
        "",
    ),
    (
        "x",
        "malformed module path \"x\": missing dot in first path element",
        "",
        "",
    ),
    (
        "example",
        "malformed module path \"example\": missing dot in first path element",
        "",
        "",
    ),
    ("a-b.c/d", "", "", ""),
    (
        "a_b.c/d",
        "malformed module path \"a_b.c/d\": invalid char '_' in first path element",
        "",
        "",
    ),
    (
        "ex ample.com/x",
        "malformed module path \"ex ample.com/x\": invalid char ' '",
        "malformed import path \"ex ample.com/x\": invalid char ' '",
        "",
    ),
    (
        "example.com/x y",
        "malformed module path \"example.com/x y\": invalid char ' '",
        "malformed import path \"example.com/x y\": invalid char ' '",
        "",
    ),
    (
        "example.com/é",
        "malformed module path \"example.com/é\": invalid char 'é'",
        "malformed import path \"example.com/é\": invalid char 'é'",
        "",
    ),
    ("gopkg.in/yaml.v2", "", "", ""),
    ("gopkg.in/yaml.v0", "", "", ""),
    ("gopkg.in/yaml.v1-unstable", "", "", ""),
    (
        "gopkg.in/yaml.v01",
        "malformed module path \"gopkg.in/yaml.v01\": invalid version",
        "",
        "",
    ),
    (
        "gopkg.in/yaml",
        "malformed module path \"gopkg.in/yaml\": invalid version",
        "",
        "",
    ),
    (
        "gopkg.in/v2",
        "malformed module path \"gopkg.in/v2\": invalid version",
        "",
        "",
    ),
    (
        "gopkg.in/yaml.v2/x",
        "malformed module path \"gopkg.in/yaml.v2/x\": invalid version",
        "",
        "",
    ),
    (
        "example.com/v02",
        "malformed module path \"example.com/v02\": invalid version",
        "",
        "",
    ),
    ("example.com/v99999999999999999999", "", "", ""),
    ("example.com/foo/v2/v3", "", "", ""),
    (
        "example.com/ǅ",
        "malformed module path \"example.com/ǅ\": invalid char 'ǅ'",
        "malformed import path \"example.com/ǅ\": invalid char 'ǅ'",
        "",
    ),
    (
        "example.com/\u{00ad}",
        "malformed module path \"example.com/\\u00ad\": invalid char '\\u00ad'",
        "malformed import path \"example.com/\\u00ad\": invalid char '\\u00ad'",
        "malformed file path \"example.com/\\u00ad\": invalid char '\\u00ad'",
    ),
    (
        "example.com/a!b",
        "malformed module path \"example.com/a!b\": invalid char '!'",
        "malformed import path \"example.com/a!b\": invalid char '!'",
        "",
    ),
    (
        "example.com/...",
        "malformed module path \"example.com/...\": invalid path element \"...\"",
        "malformed import path \"example.com/...\": invalid path element \"...\"",
        "malformed file path \"example.com/...\": invalid path element \"...\"",
    ),
    (
        "example.com/.",
        "malformed module path \"example.com/.\": invalid path element \".\"",
        "malformed import path \"example.com/.\": invalid path element \".\"",
        "malformed file path \"example.com/.\": invalid path element \".\"",
    ),
    ("example.com/-x", "", "", ""),
    (
        "example.com/x\u{2028}y",
        "malformed module path \"example.com/x\\u2028y\": invalid char '\\u2028'",
        "malformed import path \"example.com/x\\u2028y\": invalid char '\\u2028'",
        "malformed file path \"example.com/x\\u2028y\": invalid char '\\u2028'",
    ),
    ("x.y/z/go.mod", "", "", ""),
    ("x.y/z/GO.MOD", "", "", ""),
];

#[test]
fn check_path_table() {
    for &(path, module, import, file) in CHECK_PATH_TESTS {
        assert_eq!(text(check_path(path)), module, "check_path({path:?})");
        assert_eq!(
            text(check_import_path(path)),
            import,
            "check_import_path({path:?})"
        );
        assert_eq!(
            text(check_file_path(path)),
            file,
            "check_file_path({path:?})"
        );
        // The byte variants agree on valid UTF-8.
        assert_eq!(text(check_path_bytes(path.as_bytes())), module);
        assert_eq!(text(check_import_path_bytes(path.as_bytes())), import);
        assert_eq!(text(check_file_path_bytes(path.as_bytes())), file);
    }
}

#[test]
fn check_path_invalid_utf8() {
    let path = b"x.y/\xffz";
    assert_eq!(
        text(check_path_bytes(path)),
        r#"malformed module path "x.y/\xffz": invalid UTF-8"#
    );
    assert_eq!(
        text(check_import_path_bytes(path)),
        r#"malformed import path "x.y/\xffz": invalid UTF-8"#
    );
    assert_eq!(
        text(check_file_path_bytes(path)),
        r#"malformed file path "x.y/\xffz": invalid UTF-8"#
    );
    match check_file_path_bytes(path) {
        Err(Error::InvalidPath(e)) => {
            assert_eq!(e.kind, PathKind::File);
            assert_eq!(e.path, path);
            assert_eq!(e.reason, "invalid UTF-8");
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// (path, version, Check error); "" means valid.
const CHECK_TESTS: &[(&str, &str, &str)] = &[
    (
        "rsc.io/quote",
        "0.1.0",
        "rsc.io/quote@0.1.0: invalid version: not a semantic version",
    ),
    (
        "rsc io/quote",
        "v1.0.0",
        "malformed module path \"rsc io/quote\": invalid char ' '",
    ),
    ("github.com/go-yaml/yaml", "v0.8.0", ""),
    ("github.com/go-yaml/yaml", "v1.0.0", ""),
    (
        "github.com/go-yaml/yaml",
        "v2.0.0",
        "github.com/go-yaml/yaml@v2.0.0: invalid version: should be v0 or v1, not v2",
    ),
    (
        "github.com/go-yaml/yaml",
        "v2.1.5",
        "github.com/go-yaml/yaml@v2.1.5: invalid version: should be v0 or v1, not v2",
    ),
    (
        "github.com/go-yaml/yaml",
        "v3.0.0",
        "github.com/go-yaml/yaml@v3.0.0: invalid version: should be v0 or v1, not v3",
    ),
    (
        "github.com/go-yaml/yaml/v2",
        "v1.0.0",
        "github.com/go-yaml/yaml/v2@v1.0.0: invalid version: should be v2, not v1",
    ),
    ("github.com/go-yaml/yaml/v2", "v2.0.0", ""),
    ("github.com/go-yaml/yaml/v2", "v2.1.5", ""),
    (
        "github.com/go-yaml/yaml/v2",
        "v3.0.0",
        "github.com/go-yaml/yaml/v2@v3.0.0: invalid version: should be v2, not v3",
    ),
    ("gopkg.in/yaml.v0", "v0.8.0", ""),
    (
        "gopkg.in/yaml.v0",
        "v1.0.0",
        "gopkg.in/yaml.v0@v1.0.0: invalid version: should be v0, not v1",
    ),
    (
        "gopkg.in/yaml.v0",
        "v2.0.0",
        "gopkg.in/yaml.v0@v2.0.0: invalid version: should be v0, not v2",
    ),
    (
        "gopkg.in/yaml.v0",
        "v2.1.5",
        "gopkg.in/yaml.v0@v2.1.5: invalid version: should be v0, not v2",
    ),
    (
        "gopkg.in/yaml.v0",
        "v3.0.0",
        "gopkg.in/yaml.v0@v3.0.0: invalid version: should be v0, not v3",
    ),
    (
        "gopkg.in/yaml.v1",
        "v0.8.0",
        "gopkg.in/yaml.v1@v0.8.0: invalid version: should be v1, not v0",
    ),
    ("gopkg.in/yaml.v1", "v1.0.0", ""),
    (
        "gopkg.in/yaml.v1",
        "v2.0.0",
        "gopkg.in/yaml.v1@v2.0.0: invalid version: should be v1, not v2",
    ),
    (
        "gopkg.in/yaml.v1",
        "v2.1.5",
        "gopkg.in/yaml.v1@v2.1.5: invalid version: should be v1, not v2",
    ),
    (
        "gopkg.in/yaml.v1",
        "v3.0.0",
        "gopkg.in/yaml.v1@v3.0.0: invalid version: should be v1, not v3",
    ),
    (
        "gopkg.in/check.v1",
        "v0.0.0",
        "gopkg.in/check.v1@v0.0.0: invalid version: should be v1, not v0",
    ),
    (
        "gopkg.in/check.v1",
        "v0.0.0-20160102150405-abcdef123456",
        "",
    ),
    (
        "gopkg.in/yaml.v2",
        "v1.0.0",
        "gopkg.in/yaml.v2@v1.0.0: invalid version: should be v2, not v1",
    ),
    ("gopkg.in/yaml.v2", "v2.0.0", ""),
    ("gopkg.in/yaml.v2", "v2.1.5", ""),
    (
        "gopkg.in/yaml.v2",
        "v3.0.0",
        "gopkg.in/yaml.v2@v3.0.0: invalid version: should be v2, not v3",
    ),
    (
        "rsc.io/quote",
        "v17.0.0",
        "rsc.io/quote@v17.0.0: invalid version: should be v0 or v1, not v17",
    ),
    ("rsc.io/quote", "v17.0.0+incompatible", ""),
    (
        "Example.com/x",
        "v1.0.0",
        "malformed module path \"Example.com/x\": invalid char 'E' in first path element",
    ),
    ("example.com/m", "v1.0.0+bad", ""),
    (
        "example.com/m",
        "",
        "example.com/m@: invalid version: not a semantic version",
    ),
    ("example.com/m", "v1", ""),
    ("example.com/m/v2", "v2.0.0+incompatible", ""),
    ("gopkg.in/yaml.v2-unstable", "v2.0.0", ""),
    (
        "gopkg.in/yaml",
        "v1.0.0",
        "malformed module path \"gopkg.in/yaml\": invalid version",
    ),
    ("example.com/m/v3", "v3.0.0-20190101000000-abcdef123456", ""),
    (
        "example.com/m",
        "v99999999999999999999.0.0",
        "example.com/m@v99999999999999999999.0.0: invalid version: should be v0 or v1, not v99999999999999999999",
    ),
];

#[test]
fn check_table() {
    for &(path, version, want) in CHECK_TESTS {
        assert_eq!(
            text(check(path, version)),
            want,
            "check({path:?}, {version:?})"
        );
    }
}

#[test]
fn check_error_kinds() {
    // A bad path is reported as the path error itself; a bad version is a
    // ModuleError wrapping an InvalidVersionError.
    assert!(matches!(
        check("Example.com/x", "v1.0.0"),
        Err(Error::InvalidPath(_))
    ));
    match check("rsc.io/quote", "v2.0.0") {
        Err(Error::Module(me)) => {
            assert_eq!(me.path, "rsc.io/quote");
            assert_eq!(me.version, "");
            assert!(
                matches!(*me.err, Error::InvalidVersion(ref iv) if iv.version == "v2.0.0" && !iv.pseudo)
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn module_error_display() {
    let iv = InvalidVersionError {
        version: "v1.2.3-0.x".into(),
        pseudo: true,
        reason: "syntax error".into(),
    };
    let cases: &[(ModuleError, &str)] = &[
        (
            ModuleError {
                path: "m.com/x".into(),
                version: "v1.0.0".into(),
                err: Box::new(Error::InvalidVersion(iv.clone())),
            },
            "m.com/x@v1.2.3-0.x: invalid pseudo-version: syntax error",
        ),
        (
            ModuleError {
                path: "m.com/x".into(),
                version: "v1.0.0".into(),
                err: Box::new(Error::Message("boom".into())),
            },
            "m.com/x@v1.0.0: boom",
        ),
        (
            ModuleError {
                path: "m.com/x".into(),
                version: String::new(),
                err: Box::new(Error::Message("boom".into())),
            },
            "module m.com/x: boom",
        ),
    ];
    for (e, want) in cases {
        assert_eq!(e.to_string(), *want);
    }
    assert_eq!(
        iv.to_string(),
        r#"pseudo-version "v1.2.3-0.x" invalid: syntax error"#
    );
}

#[test]
fn version_error_wraps_once() {
    let m = Version::new("m.com/x", "v1.0.0");
    let wrapped = version_error(&m, Error::Message("boom".into()));
    assert_eq!(wrapped.to_string(), "m.com/x@v1.0.0: boom");
    // Wrapping again for the same module and version is a no-op.
    assert_eq!(version_error(&m, wrapped.clone()), wrapped);
    // A different version wraps again.
    let other = Version::new("m.com/x", "v2.0.0");
    assert_eq!(
        version_error(&other, wrapped).to_string(),
        "m.com/x@v2.0.0: m.com/x@v1.0.0: boom"
    );
}

#[test]
fn version_display() {
    assert_eq!(
        Version::new("rsc.io/quote", "v1.5.2").to_string(),
        "rsc.io/quote@v1.5.2"
    );
    assert_eq!(Version::new("rsc.io/quote", "").to_string(), "rsc.io/quote");
}

/// (path, EscapePath result, error).
const ESCAPE_PATH_TESTS: &[(&str, &str, &str)] = &[
    (
        "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
        "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
        "",
    ),
    (
        "github.com/GoogleCloudPlatform/omega",
        "github.com/!google!cloud!platform/omega",
        "",
    ),
    (
        "github.com/Azure/azure-sdk-for-go",
        "github.com/!azure/azure-sdk-for-go",
        "",
    ),
    (
        "Example.com/x",
        "",
        "malformed module path \"Example.com/x\": invalid char 'E' in first path element",
    ),
    ("example.com/A/B/C", "example.com/!a/!b/!c", ""),
    (
        "example.com/a+b",
        "",
        "malformed module path \"example.com/a+b\": invalid char '+'",
    ),
    (
        "example.com/!",
        "",
        "malformed module path \"example.com/!\": invalid char '!'",
    ),
];

/// (escaped, UnescapePath result, error); includes module_test.go's badUnescape.
const UNESCAPE_PATH_TESTS: &[(&str, &str, &str)] = &[
    (
        "github.com/GoogleCloudPlatform/omega",
        "",
        "invalid escaped module path \"github.com/GoogleCloudPlatform/omega\"",
    ),
    (
        "github.com/!google!cloud!platform!/omega",
        "",
        "invalid escaped module path \"github.com/!google!cloud!platform!/omega\"",
    ),
    (
        "github.com/!0google!cloud!platform/omega",
        "",
        "invalid escaped module path \"github.com/!0google!cloud!platform/omega\"",
    ),
    (
        "github.com/!_google!cloud!platform/omega",
        "",
        "invalid escaped module path \"github.com/!_google!cloud!platform/omega\"",
    ),
    (
        "github.com/!!google!cloud!platform/omega",
        "",
        "invalid escaped module path \"github.com/!!google!cloud!platform/omega\"",
    ),
    (
        "",
        "",
        "invalid escaped module path \"\": malformed module path \"\": empty string",
    ),
    (
        "github.com/!google!cloud!platform/omega",
        "github.com/GoogleCloudPlatform/omega",
        "",
    ),
    (
        "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
        "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
        "",
    ),
    (
        "!example.com/x",
        "",
        "invalid escaped module path \"!example.com/x\": malformed module path \"Example.com/x\": invalid char 'E' in first path element",
    ),
    (
        "example.com/é",
        "",
        "invalid escaped module path \"example.com/é\"",
    ),
    (
        "example.com/x!",
        "",
        "invalid escaped module path \"example.com/x!\"",
    ),
    (
        "x",
        "",
        "invalid escaped module path \"x\": malformed module path \"x\": missing dot in first path element",
    ),
    (
        "example.com/!c!o!n",
        "",
        "invalid escaped module path \"example.com/!c!o!n\": malformed module path \"example.com/CON\": \"CON\" disallowed as path element component on Windows",
    ),
];

#[test]
fn escape_path_table() {
    for &(path, want, err) in ESCAPE_PATH_TESTS {
        assert_eq!(
            escape_path(path).unwrap_or_default(),
            want,
            "escape_path({path:?})"
        );
        assert_eq!(text(escape_path(path)), err, "escape_path({path:?})");
        if err.is_empty() {
            assert_eq!(
                unescape_path(want).as_deref(),
                Ok(path),
                "round trip of {path:?}"
            );
        }
    }
    // Every path that CheckPath rejects is rejected by EscapePath, and never
    // unescapes to itself (it may decode to a different, valid path, as
    // "example.com/a!b" does).
    for &(path, module, _, _) in CHECK_PATH_TESTS {
        if !module.is_empty() {
            assert_eq!(text(escape_path(path)), module, "escape_path({path:?})");
            assert_ne!(
                unescape_path(path).as_deref(),
                Ok(path),
                "unescape_path({path:?})"
            );
        }
    }
}

#[test]
fn unescape_path_table() {
    for &(escaped, want, err) in UNESCAPE_PATH_TESTS {
        assert_eq!(
            unescape_path(escaped).unwrap_or_default(),
            want,
            "unescape_path({escaped:?})"
        );
        assert_eq!(
            text(unescape_path(escaped)),
            err,
            "unescape_path({escaped:?})"
        );
    }
}

/// (version, EscapeVersion result, error).
const ESCAPE_VERSION_TESTS: &[(&str, &str, &str)] = &[
    ("v1.0.0", "v1.0.0", ""),
    ("v1.0.0-RC1", "v1.0.0-!r!c1", ""),
    ("master", "master", ""),
    ("Branch", "!branch", ""),
    (
        "v1.0.0!",
        "",
        "version \"v1.0.0!\" invalid: disallowed version string",
    ),
    ("", "", "version \"\" invalid: disallowed version string"),
    (".", "", "version \".\" invalid: disallowed version string"),
    (
        "..",
        "",
        "version \"..\" invalid: disallowed version string",
    ),
    (
        "v1.0.",
        "",
        "version \"v1.0.\" invalid: disallowed version string",
    ),
    (
        "con",
        "",
        "version \"con\" invalid: disallowed version string",
    ),
    (
        "v1/x",
        "",
        "version \"v1/x\" invalid: disallowed version string",
    ),
    ("v1 0", "v1 0", ""),
    ("vé", "", "internal error: inconsistency in EscapePath"),
    ("v1.0.0+incompatible", "v1.0.0+incompatible", ""),
    ("a~1", "a~1", ""),
    (
        "v1:0",
        "",
        "version \"v1:0\" invalid: disallowed version string",
    ),
    ("-x", "-x", ""),
];

/// (escaped, UnescapeVersion result, error).
const UNESCAPE_VERSION_TESTS: &[(&str, &str, &str)] = &[
    ("v1.0.0", "v1.0.0", ""),
    ("v1.0.0-!r!c1", "v1.0.0-RC1", ""),
    ("v1.0.0-RC1", "", "invalid escaped version \"v1.0.0-RC1\""),
    ("!branch", "Branch", ""),
    ("!", "", "invalid escaped version \"!\""),
    ("!1", "", "invalid escaped version \"!1\""),
    (
        "v1.0.",
        "",
        "invalid escaped version \"v1.0.\": trailing dot in path element",
    ),
    (
        "!c!o!n",
        "",
        "invalid escaped version \"CON\": \"CON\" disallowed as path element component on Windows",
    ),
    ("", "", "invalid escaped version \"\": empty path element"),
    ("é", "", "invalid escaped version \"é\""),
    (
        "a/b",
        "",
        "invalid escaped version \"a/b\": invalid char '/'",
    ),
    ("!!", "", "invalid escaped version \"!!\""),
];

#[test]
fn escape_version_table() {
    for &(v, want, err) in ESCAPE_VERSION_TESTS {
        assert_eq!(
            escape_version(v).unwrap_or_default(),
            want,
            "escape_version({v:?})"
        );
        assert_eq!(text(escape_version(v)), err, "escape_version({v:?})");
    }
    for &(escaped, want, err) in UNESCAPE_VERSION_TESTS {
        assert_eq!(
            unescape_version(escaped).unwrap_or_default(),
            want,
            "unescape_version({escaped:?})"
        );
        assert_eq!(
            text(unescape_version(escaped)),
            err,
            "unescape_version({escaped:?})"
        );
    }
}

/// (path, prefix, path major, ok).
const SPLIT_PATH_VERSION_TESTS: &[(&str, &str, &str, bool)] = &[
    ("x.y/z", "x.y/z", "", true),
    ("x.y/z/v2", "x.y/z", "/v2", true),
    ("x.y/z/v3", "x.y/z", "/v3", true),
    ("x.y/v", "x.y/v", "", true),
    ("gopkg.in/yaml.v0", "gopkg.in/yaml", ".v0", true),
    ("gopkg.in/yaml.v1", "gopkg.in/yaml", ".v1", true),
    ("gopkg.in/yaml.v2", "gopkg.in/yaml", ".v2", true),
    ("gopkg.in/yaml.v3", "gopkg.in/yaml", ".v3", true),
    ("x.y/z/v1", "x.y/z/v1", "", false),
    ("x.y/z/v0", "x.y/z/v0", "", false),
    ("x.y/z/v2.0", "x.y/z/v2.0", "", false),
    ("x.y/z/v02", "x.y/z/v02", "", false),
    ("x.y/z/v10", "x.y/z", "/v10", true),
    ("x.y/zv2", "x.y/zv2", "", true),
    ("v2", "v2", "", true),
    ("/v2", "", "/v2", true),
    ("x/v2", "x", "/v2", true),
    ("gopkg.in/yaml", "gopkg.in/yaml", "", false),
    ("gopkg.in/yaml.v01", "gopkg.in/yaml.v01", "", false),
    (
        "gopkg.in/yaml.v2-unstable",
        "gopkg.in/yaml",
        ".v2-unstable",
        true,
    ),
    (
        "gopkg.in/yaml.v-unstable",
        "gopkg.in/yaml",
        ".v-unstable",
        true,
    ),
    ("gopkg.in/.v2", "gopkg.in/", ".v2", true),
    ("gopkg.in/v2", "gopkg.in/v2", "", false),
    ("x.y/z/v1.5", "x.y/z/v1.5", "", false),
    ("x.y/z/2", "x.y/z/2", "", true),
    ("x.y/z.v2", "x.y/z.v2", "", true),
    ("", "", "", true),
    (
        "x.y/z/v99999999999999999999",
        "x.y/z",
        "/v99999999999999999999",
        true,
    ),
];

#[test]
fn split_path_version_table() {
    for &(path, prefix, major, ok) in SPLIT_PATH_VERSION_TESTS {
        let want = ok.then_some((prefix, major));
        assert_eq!(
            split_path_version(path),
            want,
            "split_path_version({path:?})"
        );
    }
    // module_test.go: the parts always add up to the input when ok.
    for &(path, ..) in CHECK_PATH_TESTS {
        if let Some((prefix, major)) = split_path_version(path) {
            assert_eq!(format!("{prefix}{major}"), path);
        }
    }
}

/// (version, path major, CheckPathMajor error); the first eleven rows are
/// module_test.go's TestMatchPathMajor.
const CHECK_PATH_MAJOR_TESTS: &[(&str, &str, &str)] = &[
    ("v0.0.0", "", ""),
    (
        "v0.0.0",
        "/v2",
        "version \"v0.0.0\" invalid: should be v2, not v0",
    ),
    ("v0.0.0", ".v0", ""),
    ("v0.0.0-20190510104115-cbcb75029529", ".v1", ""),
    (
        "v1.0.0",
        "/v2",
        "version \"v1.0.0\" invalid: should be v2, not v1",
    ),
    ("v1.0.0", ".v1", ""),
    ("v1.0.0", ".v1-unstable", ""),
    ("v2.0.0+incompatible", "", ""),
    (
        "v2.0.0",
        "",
        "version \"v2.0.0\" invalid: should be v0 or v1, not v2",
    ),
    ("v2.0.0", "/v2", ""),
    ("v2.0.0", ".v2", ""),
    (
        "v3.0.0",
        "/v2",
        "version \"v3.0.0\" invalid: should be v2, not v3",
    ),
    ("bad", "/v2", "version \"bad\" invalid: should be v2, not "),
    (
        "bad",
        "",
        "version \"bad\" invalid: should be v0 or v1, not ",
    ),
    (
        "v2.0.0+meta",
        "",
        "version \"v2.0.0+meta\" invalid: should be v0 or v1, not v2",
    ),
    (
        "v2.0.0",
        "v2",
        "version \"v2.0.0\" invalid: should be v2, not v2",
    ),
    ("v2.0.0", ".v2-unstable", ""),
    ("v0.0.0-20190510104115-cbcb75029529", ".v1-unstable", ""),
    (
        "v0.0.0-20190510104115-cbcb75029529",
        "/v1",
        "version \"v0.0.0-20190510104115-cbcb75029529\" invalid: should be v1, not v0",
    ),
];

#[test]
fn check_path_major_table() {
    for &(v, pm, want) in CHECK_PATH_MAJOR_TESTS {
        assert_eq!(
            text(check_path_major(v, pm)),
            want,
            "check_path_major({v:?}, {pm:?})"
        );
        assert_eq!(
            match_path_major(v, pm),
            want.is_empty(),
            "match_path_major({v:?}, {pm:?})"
        );
    }
}

#[test]
fn path_major_prefix_table() {
    let cases: &[(&str, Option<&str>)] = &[
        ("", Some("")),
        ("/v2", Some("v2")),
        (".v0", Some("v0")),
        (".v1", Some("v1")),
        (".v1-unstable", Some("v1")),
        ("/v99999999999999999999", Some("v99999999999999999999")),
        // Go panics on these.
        ("v2", None),
        ("/v2-unstable", None),
        ("/x", None),
        ("/v02", None),
        // Go does not panic here: "" is its own major version (the empty one).
        ("/", Some("")),
    ];
    for &(pm, want) in cases {
        assert_eq!(path_major_prefix(pm), want, "path_major_prefix({pm:?})");
    }
}

#[test]
fn canonical_version_table() {
    let cases: &[(&str, &str)] = &[
        ("v1.2.3", "v1.2.3"),
        ("v1.2", "v1.2.0"),
        ("v2.0.0+incompatible", "v2.0.0+incompatible"),
        ("v2+incompatible", ""),
        ("v2.0.0+meta", "v2.0.0"),
        ("v2.0.0+incompatible.x", "v2.0.0"),
        ("v2.0.0-pre+incompatible", "v2.0.0-pre+incompatible"),
        ("bad", ""),
        ("", ""),
    ];
    for &(v, want) in cases {
        assert_eq!(canonical_version(v), want, "canonical_version({v:?})");
    }
}

/// pseudo_test.go's pseudoTests: (major, older, version) at 2006-01-02T15:04:05Z, revision "hash".
const PSEUDO_TESTS: &[(&str, &str, &str)] = &[
    ("", "", "v0.0.0-20060102150405-hash"),
    ("v0", "", "v0.0.0-20060102150405-hash"),
    ("v1", "", "v1.0.0-20060102150405-hash"),
    ("v2", "", "v2.0.0-20060102150405-hash"),
    ("unused", "v0.0.0", "v0.0.1-0.20060102150405-hash"),
    ("unused", "v1.2.3", "v1.2.4-0.20060102150405-hash"),
    (
        "unused",
        "v1.2.99999999999999999",
        "v1.2.100000000000000000-0.20060102150405-hash",
    ),
    ("unused", "v1.2.3-pre", "v1.2.3-pre.0.20060102150405-hash"),
    ("unused", "v1.3.0-pre", "v1.3.0-pre.0.20060102150405-hash"),
    ("unused", "v0.0.0--", "v0.0.0--.0.20060102150405-hash"),
    (
        "unused",
        "v1.0.0+metadata",
        "v1.0.1-0.20060102150405-hash+metadata",
    ),
    (
        "unused",
        "v2.0.0+incompatible",
        "v2.0.1-0.20060102150405-hash+incompatible",
    ),
    (
        "unused",
        "v2.3.0-pre+incompatible",
        "v2.3.0-pre.0.20060102150405-hash+incompatible",
    ),
];

fn pseudo_time() -> UtcTime {
    UtcTime::new(2006, 1, 2, 15, 4, 5).expect("valid time")
}

#[test]
fn pseudo_version_table() {
    for &(major, older, want) in PSEUDO_TESTS {
        assert_eq!(
            pseudo_version(major, older, pseudo_time(), "hash"),
            want,
            "pseudo_version({major:?}, {older:?})"
        );
    }
    // Huge patch numbers carry without overflow.
    assert_eq!(
        pseudo_version(
            "",
            "v1.2.99999999999999999999999999",
            pseudo_time(),
            "abcdef123456"
        ),
        "v1.2.100000000000000000000000000-0.20060102150405-abcdef123456"
    );
}

#[test]
fn is_pseudo_version_table() {
    for &(_, older, version) in PSEUDO_TESTS {
        assert!(is_pseudo_version(version), "is_pseudo_version({version:?})");
        assert!(!is_pseudo_version(older), "is_pseudo_version({older:?})");
    }
    let not_pseudo = [
        "v1.2.3-20060102150405-hash",    // vX.Y.Z- form needs Y = Z = 0
        "v0.0.0-2006010215040-hash",     // 13-digit time
        "v0.0.0-200601021504050-hash",   // 15-digit time
        "v0.0.0-20060102150405-",        // empty revision
        "v0.0.0-20060102150405-ha_sh",   // bad revision character
        "v1.2.4-1.20060102150405-hash",  // must be "-0."
        "v1.2.4-0.20060102150405-hash+", // empty build
        "v1.2.4-0.20060102150405-hash+a..b",
        "v0.0.0-20060102150405", // no revision
        "V0.0.0-20060102150405-hash",
        "v0.0.0-20060102150405-hash extra",
    ];
    for v in not_pseudo {
        assert!(!is_pseudo_version(v), "is_pseudo_version({v:?})");
    }
}

#[test]
fn pseudo_version_time_rev_base_table() {
    for &(_, older, version) in PSEUDO_TESTS {
        assert_eq!(
            pseudo_version_time(version),
            Ok(pseudo_time()),
            "pseudo_version_time({version:?})"
        );
        assert_eq!(
            pseudo_version_rev(version).as_deref(),
            Ok("hash"),
            "pseudo_version_rev({version:?})"
        );
        assert_eq!(
            pseudo_version_base(version).as_deref(),
            Ok(older),
            "pseudo_version_base({version:?})"
        );
        assert_eq!(
            text(pseudo_version_time(older)),
            format!(
                "pseudo-version {} invalid: syntax error",
                crate::quote::quote(older)
            )
        );
        assert!(
            pseudo_version_rev(older).is_err(),
            "pseudo_version_rev({older:?})"
        );
    }
    assert_eq!(
        text(pseudo_version_time("---")),
        r#"pseudo-version "---" invalid: syntax error"#
    );
}

/// (version, PseudoVersionBase result, error): pseudo_test.go's
/// TestInvalidPseudoVersionBase inputs, with Go's messages.
const PSEUDO_BASE_ERRORS: &[(&str, &str, &str)] = &[
    (
        "v0.0.0",
        "",
        "pseudo-version \"v0.0.0\" invalid: syntax error",
    ),
    (
        "v0.0.0-",
        "",
        "pseudo-version \"v0.0.0-\" invalid: syntax error",
    ),
    (
        "v0.0.0-0.20060102150405-hash",
        "",
        "pseudo-version \"v0.0.0-0.20060102150405-hash\" invalid: version before v0.0.0 would have negative patch number",
    ),
    (
        "v0.1.0-0.20060102150405-hash",
        "",
        "pseudo-version \"v0.1.0-0.20060102150405-hash\" invalid: version before v0.1.0 would have negative patch number",
    ),
    (
        "v1.0.0-0.20060102150405-hash",
        "",
        "pseudo-version \"v1.0.0-0.20060102150405-hash\" invalid: version before v1.0.0 would have negative patch number",
    ),
    (
        "v0.0.0-20060102150405-hash+incompatible",
        "",
        "pseudo-version \"v0.0.0-20060102150405-hash+incompatible\" invalid: lacks base version, but has build metadata \"+incompatible\"",
    ),
    (
        "v0.0.0-20060102150405-hash+metadata",
        "",
        "pseudo-version \"v0.0.0-20060102150405-hash+metadata\" invalid: lacks base version, but has build metadata \"+metadata\"",
    ),
    ("---", "", "pseudo-version \"---\" invalid: syntax error"),
    ("", "", "pseudo-version \"\" invalid: syntax error"),
];

#[test]
fn pseudo_version_base_errors() {
    for &(v, want, err) in PSEUDO_BASE_ERRORS {
        assert_eq!(
            pseudo_version_base(v).unwrap_or_default(),
            want,
            "pseudo_version_base({v:?})"
        );
        assert_eq!(
            text(pseudo_version_base(v)),
            err,
            "pseudo_version_base({v:?})"
        );
    }
}

/// (version, PseudoVersionTime as RFC 3339 or Go's zero time, error).
const PSEUDO_TIME_ERRORS: &[(&str, &str, &str)] = &[
    (
        "v0.0.0-20061302150405-hash",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v0.0.0-20061302150405-hash\" invalid: malformed time \"20061302150405\"",
    ),
    (
        "v0.0.0-20060230150405-hash",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v0.0.0-20060230150405-hash\" invalid: malformed time \"20060230150405\"",
    ),
    (
        "v0.0.0-20060102240405-hash",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v0.0.0-20060102240405-hash\" invalid: malformed time \"20060102240405\"",
    ),
    (
        "v0.0.0-20060102156005-hash",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v0.0.0-20060102156005-hash\" invalid: malformed time \"20060102156005\"",
    ),
    (
        "v0.0.0-20060102150460-hash",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v0.0.0-20060102150460-hash\" invalid: malformed time \"20060102150460\"",
    ),
    ("v0.0.0-00000102150405-hash", "0000-01-02T15:04:05Z", ""),
    ("v0.0.0-20000229000000-hash", "2000-02-29T00:00:00Z", ""),
    (
        "v0.0.0-19000229000000-hash",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v0.0.0-19000229000000-hash\" invalid: malformed time \"19000229000000\"",
    ),
    (
        "v1.2.3",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"v1.2.3\" invalid: syntax error",
    ),
    (
        "---",
        "0001-01-01T00:00:00Z",
        "pseudo-version \"---\" invalid: syntax error",
    ),
];

#[test]
fn pseudo_version_time_errors() {
    for &(v, want, err) in PSEUDO_TIME_ERRORS {
        let got = pseudo_version_time(v).unwrap_or(UtcTime::GO_ZERO);
        assert_eq!(got.format_rfc3339(), want, "pseudo_version_time({v:?})");
        assert_eq!(
            text(pseudo_version_time(v)),
            err,
            "pseudo_version_time({v:?})"
        );
    }
}

#[test]
fn zero_pseudo_version_table() {
    assert_eq!(
        zero_pseudo_version(""),
        "v0.0.0-00010101000000-000000000000"
    );
    assert_eq!(
        zero_pseudo_version("v0"),
        "v0.0.0-00010101000000-000000000000"
    );
    assert_eq!(
        zero_pseudo_version("v2"),
        "v2.0.0-00010101000000-000000000000"
    );
    for (v, want) in [
        ("v0.0.0-00010101000000-000000000000", true),
        ("v2.0.0-00010101000000-000000000000", true),
        ("v2.0.0-00010101000000-000000000000+incompatible", false),
        ("v0.0.0-00010101000000-000000000001", false),
        ("v0.0.1-0.00010101000000-000000000000", false),
        ("", false),
    ] {
        assert_eq!(
            is_zero_pseudo_version(v),
            want,
            "is_zero_pseudo_version({v:?})"
        );
    }
}

#[test]
fn inc_dec_decimal_table() {
    // pseudo_test.go's TestIncDecimal and TestDecDecimal.
    for (input, want) in [
        ("0", "1"),
        ("1", "2"),
        ("99", "100"),
        ("100", "101"),
        ("101", "102"),
    ] {
        assert_eq!(inc_decimal(input), want, "inc_decimal({input:?})");
    }
    for (input, want) in [
        ("", None),
        ("0", None),
        ("00", None),
        ("1", Some("0")),
        ("2", Some("1")),
        ("99", Some("98")),
        ("100", Some("99")),
        ("101", Some("100")),
    ] {
        assert_eq!(
            dec_decimal(input).as_deref(),
            want,
            "dec_decimal({input:?})"
        );
    }
}

#[test]
fn sort_table() {
    let mut list: Vec<Version> = [
        ("rsc.io/quote", "v1.5.2/go.mod"),
        ("rsc.io/quote", "v1.5.2"),
        ("golang.org/x/text", "v0.3.0"),
        ("rsc.io/quote", "v1.10.0"),
        ("rsc.io/quote", "v1.5.10"),
        ("rsc.io/quote", "v1.5.2-pre"),
        (
            "golang.org/x/text",
            "v0.0.0-20170915032832-14c0d48ead0c/go.mod",
        ),
        ("rsc.io/quote/v3", "v3.0.0"),
        ("rsc.io/quote", "v1.5.2/go.mod"),
        ("rsc.io/quote", ""),
        ("rsc.io/quote", "none"),
    ]
    .into_iter()
    .map(|(p, v)| Version::new(p, v))
    .collect();
    sort(&mut list);
    let got: Vec<String> = list
        .iter()
        .map(|m| format!("{} {}", m.path, m.version))
        .collect();
    assert_eq!(
        got,
        [
            "golang.org/x/text v0.0.0-20170915032832-14c0d48ead0c/go.mod",
            "golang.org/x/text v0.3.0",
            "rsc.io/quote ",
            "rsc.io/quote none",
            "rsc.io/quote v1.5.2-pre",
            "rsc.io/quote v1.5.2",
            "rsc.io/quote v1.5.2/go.mod",
            "rsc.io/quote v1.5.2/go.mod",
            "rsc.io/quote v1.5.10",
            "rsc.io/quote v1.10.0",
            "rsc.io/quote/v3 v3.0.0",
        ]
    );
}

#[test]
fn sort_ties_like_go() {
    // Semver-equal but different versions tie, and the comparison is not
    // even transitive ("v1.0.0+meta" ties with "v1.0.0" and "v1.0.0/go.mod",
    // which do not tie). Go's unstable sort decides the order; the expected
    // list is what golang.org/x/mod's module.Sort returns for this input.
    let input = [
        "a.b/c v1.0.0+meta",
        "a.b/c v1.0.0/go.mod",
        "a.b/c none",
        "a.b/c v1.0.0",
        "a.b/c ",
        "a.b/c v1.0.0+a",
        "a.b/c master",
        "a.b/c v1.0.0+meta/go.mod",
        "a.b/c v0.1.0",
        "a.b/c bad",
        "a.b/c v1.0.0+b",
        "a.b/c v1",
        "a.b/c v1.0",
        "a.b/c v2.0.0",
        "a.b/c x/go.mod",
        "a.b/c v1.0.0+a/go.mod",
        "a.b/c v1.0.0",
        "a.b/c none",
        "a.b/c y/go.mod",
        "a.b/c v1.0.0+z",
    ];
    let mut list: Vec<Version> = input
        .iter()
        .map(|s| {
            let (p, v) = s.split_once(' ').unwrap_or((s, ""));
            Version::new(p, v)
        })
        .collect();
    sort(&mut list);
    let got: Vec<String> = list
        .iter()
        .map(|m| format!("{} {}", m.path, m.version))
        .collect();
    assert_eq!(
        got,
        [
            "a.b/c y/go.mod",
            "a.b/c none",
            "a.b/c none",
            "a.b/c ",
            "a.b/c x/go.mod",
            "a.b/c master",
            "a.b/c bad",
            "a.b/c v0.1.0",
            "a.b/c v1.0.0+b",
            "a.b/c v1.0.0+meta",
            "a.b/c v1.0.0+meta/go.mod",
            "a.b/c v1",
            "a.b/c v1.0",
            "a.b/c v1.0.0+a",
            "a.b/c v1.0.0+a/go.mod",
            "a.b/c v1.0.0",
            "a.b/c v1.0.0",
            "a.b/c v1.0.0/go.mod",
            "a.b/c v1.0.0+z",
            "a.b/c v2.0.0",
        ]
    );
}

#[test]
fn gosort_matches_a_total_order_sort() {
    // With a total order, Go's algorithm must agree with any correct sort;
    // exercise its insertion, partition, pattern-breaking and heap paths.
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    for len in [0, 1, 2, 12, 13, 49, 50, 51, 100, 257, 1000] {
        for shape in 0..4 {
            let mut v: Vec<u64> = (0..len as u64)
                .map(|i| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    match shape {
                        0 => seed % 1000,
                        1 => i,
                        2 => len as u64 - i,
                        _ => seed % 3,
                    }
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            super::gosort::sort_func(&mut v, |a, b| a.cmp(b));
            assert_eq!(v, want, "len {len} shape {shape}");
        }
    }
}

#[test]
fn utc_time_compact_and_rfc3339() {
    let cases: &[(&str, Option<&str>)] = &[
        ("20060102150405", Some("2006-01-02T15:04:05Z")),
        ("00010101000000", Some("0001-01-01T00:00:00Z")),
        ("00000101000000", Some("0000-01-01T00:00:00Z")),
        ("99991231235959", Some("9999-12-31T23:59:59Z")),
        ("20000229120000", Some("2000-02-29T12:00:00Z")),
        ("21000229120000", None),
        ("20061301000000", None),
        ("20060001000000", None),
        ("20060100000000", None),
        ("20060431000000", None),
        ("20060101240000", None),
        ("20060101006000", None),
        ("20060101000060", None),
        ("2006010100000", None),
        ("200601010000000", None),
        ("2006010100000a", None),
        ("", None),
        ("２００６０１０２１５０４０５", None),
    ];
    for &(compact, rfc) in cases {
        let t = UtcTime::parse_compact(compact);
        assert_eq!(
            t.map(|t| t.format_rfc3339()).as_deref(),
            rfc,
            "parse_compact({compact:?})"
        );
        if let Some(t) = t {
            assert_eq!(t.format_compact(), compact);
            assert_eq!(UtcTime::parse_rfc3339(&t.format_rfc3339()), Some(t));
            assert_eq!(t.to_string(), t.format_rfc3339());
        }
    }
}

#[test]
fn utc_time_unix() {
    let cases: &[(i64, Option<&str>)] = &[
        (0, Some("1970-01-01T00:00:00Z")),
        (-1, Some("1969-12-31T23:59:59Z")),
        (1136214245, Some("2006-01-02T15:04:05Z")),
        (951782400, Some("2000-02-29T00:00:00Z")),
        (-62135596800, Some("0001-01-01T00:00:00Z")),
        (-62167219200, Some("0000-01-01T00:00:00Z")),
        (-62167219201, None),
        (253402300799, Some("9999-12-31T23:59:59Z")),
        (253402300800, None),
        (i64::MAX, None),
        (i64::MIN, None),
    ];
    for &(secs, want) in cases {
        let t = UtcTime::from_unix(secs);
        assert_eq!(
            t.map(|t| t.format_rfc3339()).as_deref(),
            want,
            "from_unix({secs})"
        );
        if let Some(t) = t {
            assert_eq!(t.to_unix(), secs);
        }
    }
    assert_eq!(UtcTime::GO_ZERO.to_unix(), -62135596800);
}

#[test]
fn utc_time_parse_rfc3339() {
    let cases: &[(&str, Option<&str>)] = &[
        ("2019-02-27T18:37:06Z", Some("20190227183706")),
        ("2019-02-27T18:37:06.123456789Z", Some("20190227183706")),
        ("2019-02-27T18:37:06,5Z", Some("20190227183706")),
        ("2019-02-27T18:37:06+01:00", Some("20190227173706")),
        ("2019-02-27T18:37:06-07:30", Some("20190228020706")),
        ("2019-02-27T18:37:06+24:00", Some("20190226183706")),
        ("2019-02-27T18:37:06+25:00", None),
        ("2019-02-27T18:37:06", None),
        ("2019-02-27t18:37:06Z", None),
        ("2019-02-27T18:37:06z", None),
        ("2019-02-27T18:37:06.Z", None),
        ("2019-02-27T18:37:06+0100", None),
        ("2019-02-29T18:37:06Z", None),
        ("0000-01-01T00:00:00+00:01", None),
        ("9999-12-31T23:59:59-00:01", None),
        ("", None),
    ];
    for &(s, want) in cases {
        let got = UtcTime::parse_rfc3339(s).map(|t| t.format_compact());
        assert_eq!(got.as_deref(), want, "parse_rfc3339({s:?})");
    }
}

#[test]
fn utc_time_new_and_order() {
    assert_eq!(UtcTime::new(2006, 2, 29, 0, 0, 0), None);
    assert_eq!(UtcTime::new(10000, 1, 1, 0, 0, 0), None);
    let a = UtcTime::new(2006, 1, 2, 15, 4, 5);
    let b = UtcTime::new(2006, 1, 2, 15, 4, 6);
    assert!(a < b);
}
