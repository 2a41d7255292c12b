//! net/url parsing and formatting, checked against a table produced by Go
//! 1.27.3's net/url (String, Redacted, the parsed fields, error texts).

use super::*;

/// (input, Ok((String(), Redacted(), Go's %+v of the struct)) or Err(Go's
/// error)), produced by Go 1.27.3's net/url with its default GODEBUG. (Go
/// prints the raw byte 0xE9 where this port shows U+FFFD, see
/// `go_struct_string`.)
type Expected = Result<(&'static str, &'static str, &'static str), &'static str>;

const URL_TESTS: &[(&str, Expected)] = &[
    (
        "https://proxy.golang.org",
        Ok((
            "https://proxy.golang.org",
            "https://proxy.golang.org",
            "{Scheme:https Opaque: User: Host:proxy.golang.org Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://proxy.golang.org/",
        Ok((
            "https://proxy.golang.org/",
            "https://proxy.golang.org/",
            "{Scheme:https Opaque: User: Host:proxy.golang.org Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "HTTPS://Proxy.Golang.Org/Path",
        Ok((
            "https://Proxy.Golang.Org/Path",
            "https://Proxy.Golang.Org/Path",
            "{Scheme:https Opaque: User: Host:Proxy.Golang.Org Path:/Path Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "http://localhost:8080/x",
        Ok((
            "http://localhost:8080/x",
            "http://localhost:8080/x",
            "{Scheme:http Opaque: User: Host:localhost:8080 Path:/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "file:///tmp/x",
        Ok((
            "file:///tmp/x",
            "file:///tmp/x",
            "{Scheme:file Opaque: User: Host: Path:/tmp/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "file:/tmp/x",
        Ok((
            "file:/tmp/x",
            "file:/tmp/x",
            "{Scheme:file Opaque: User: Host: Path:/tmp/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:true}",
        )),
    ),
    (
        "file://host/x",
        Ok((
            "file://host/x",
            "file://host/x",
            "{Scheme:file Opaque: User: Host:host Path:/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "file:",
        Ok((
            "file:",
            "file:",
            "{Scheme:file Opaque: User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "file://",
        Ok((
            "file:",
            "file:",
            "{Scheme:file Opaque: User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "file:///",
        Ok((
            "file:///",
            "file:///",
            "{Scheme:file Opaque: User: Host: Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://user:pass@x.com/p",
        Ok((
            "https://user:pass@x.com/p",
            "https://user:xxxxx@x.com/p",
            "{Scheme:https Opaque: User:user:pass Host:x.com Path:/p Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://user@x.com",
        Ok((
            "https://user@x.com",
            "https://user@x.com",
            "{Scheme:https Opaque: User:user Host:x.com Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://u%40x:p%3A@x.com",
        Ok((
            "https://u%40x:p%3A@x.com",
            "https://u%40x:xxxxx@x.com",
            "{Scheme:https Opaque: User:u%40x:p%3A Host:x.com Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://a b@x.com",
        Err("parse \"https://a b@x.com\": net/url: invalid userinfo"),
    ),
    (
        "https://us%zzer@x.com",
        Err("parse \"https://us%zzer@x.com\": invalid URL escape \"%zz\""),
    ),
    (
        "https://x.com/a%2fb",
        Ok((
            "https://x.com/a%2fb",
            "https://x.com/a%2fb",
            "{Scheme:https Opaque: User: Host:x.com Path:/a/b Fragment: RawQuery: RawPath:/a%2fb RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/a b",
        Ok((
            "https://x.com/a%20b",
            "https://x.com/a%20b",
            "{Scheme:https Opaque: User: Host:x.com Path:/a b Fragment: RawQuery: RawPath:/a b RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/é",
        Ok((
            "https://x.com/%C3%A9",
            "https://x.com/%C3%A9",
            "{Scheme:https Opaque: User: Host:x.com Path:/é Fragment: RawQuery: RawPath:/é RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/%e9",
        Ok((
            "https://x.com/%e9",
            "https://x.com/%e9",
            "{Scheme:https Opaque: User: Host:x.com Path:/\u{fffd} Fragment: RawQuery: RawPath:/%e9 RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/%zz",
        Err("parse \"https://x.com/%zz\": invalid URL escape \"%zz\""),
    ),
    (
        "https://x.com/%",
        Err("parse \"https://x.com/%\": invalid URL escape \"%\""),
    ),
    (
        "https://x y",
        Err("parse \"https://x y\": invalid character \" \" in host name"),
    ),
    (
        "https://%41.com",
        Err("parse \"https://%41.com\": invalid URL escape \"%41\""),
    ),
    (
        "https://%c3%a9.com",
        Ok((
            "https://%C3%A9.com",
            "https://%C3%A9.com",
            "{Scheme:https Opaque: User: Host:é.com Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://é.com",
        Ok((
            "https://%C3%A9.com",
            "https://%C3%A9.com",
            "{Scheme:https Opaque: User: Host:é.com Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com:8080",
        Ok((
            "https://x.com:8080",
            "https://x.com:8080",
            "{Scheme:https Opaque: User: Host:x.com:8080 Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com:",
        Ok((
            "https://x.com:",
            "https://x.com:",
            "{Scheme:https Opaque: User: Host:x.com: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com:port",
        Err("parse \"https://x.com:port\": invalid port \":port\" after host"),
    ),
    (
        "https://a:b:c",
        Err("parse \"https://a:b:c\": invalid port \":b:c\" after host"),
    ),
    (
        "ftp://a:b:c",
        Err("parse \"ftp://a:b:c\": invalid port \":c\" after host"),
    ),
    (
        "mongodb://h1:1,h2:2/db",
        Ok((
            "mongodb://h1:1,h2:2/db",
            "mongodb://h1:1,h2:2/db",
            "{Scheme:mongodb Opaque: User: Host:h1:1,h2:2 Path:/db Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://[::1]",
        Ok((
            "https://[::1]",
            "https://[::1]",
            "{Scheme:https Opaque: User: Host:[::1] Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://[::1]:8080",
        Ok((
            "https://[::1]:8080",
            "https://[::1]:8080",
            "{Scheme:https Opaque: User: Host:[::1]:8080 Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://[::1",
        Err("parse \"https://[::1\": missing ']' in host"),
    ),
    (
        "https://[1.2.3.4]",
        Err("parse \"https://[1.2.3.4]\": invalid IP-literal"),
    ),
    (
        "https://[::ffff:1.2.3.4]",
        Ok((
            "https://[::ffff:1.2.3.4]",
            "https://[::ffff:1.2.3.4]",
            "{Scheme:https Opaque: User: Host:[::ffff:1.2.3.4] Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://[fe80::1%25en0]",
        Ok((
            "https://[fe80::1%25en0]",
            "https://[fe80::1%25en0]",
            "{Scheme:https Opaque: User: Host:[fe80::1%en0] Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://[fe80::1%en0]",
        Err("parse \"https://[fe80::1%en0]\": invalid URL escape \"%en\""),
    ),
    (
        "https://[fe80::1%25en%200]",
        Ok((
            "https://[fe80::1%25en%200]",
            "https://[fe80::1%25en%200]",
            "{Scheme:https Opaque: User: Host:[fe80::1%en 0] Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://[fe80::1%25%41]",
        Ok((
            "https://[fe80::1%25A]",
            "https://[fe80::1%25A]",
            "{Scheme:https Opaque: User: Host:[fe80::1%A] Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://a[b",
        Err("parse \"https://a[b\": invalid IP-literal"),
    ),
    (
        "https://[::1]x",
        Err("parse \"https://[::1]x\": invalid port \"x\" after host"),
    ),
    (
        "https://[::1%25]",
        Err(
            "parse \"https://[::1%25]\": invalid host: ParseAddr(\"::1%\"): zone must be a non-empty string",
        ),
    ),
    (
        "https://x.com?q=1",
        Ok((
            "https://x.com?q=1",
            "https://x.com?q=1",
            "{Scheme:https Opaque: User: Host:x.com Path: Fragment: RawQuery:q=1 RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/?",
        Ok((
            "https://x.com/?",
            "https://x.com/?",
            "{Scheme:https Opaque: User: Host:x.com Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:true OmitHost:false}",
        )),
    ),
    (
        "https://x.com?a?b",
        Ok((
            "https://x.com?a?b",
            "https://x.com?a?b",
            "{Scheme:https Opaque: User: Host:x.com Path: Fragment: RawQuery:a?b RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com#frag",
        Ok((
            "https://x.com#frag",
            "https://x.com#frag",
            "{Scheme:https Opaque: User: Host:x.com Path: Fragment:frag RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com#a%20b",
        Ok((
            "https://x.com#a%20b",
            "https://x.com#a%20b",
            "{Scheme:https Opaque: User: Host:x.com Path: Fragment:a b RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com#%zz",
        Err("parse \"https://x.com#%zz\": invalid URL escape \"%zz\""),
    ),
    (
        "https://x.com#",
        Ok((
            "https://x.com",
            "https://x.com",
            "{Scheme:https Opaque: User: Host:x.com Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/p?a=b#c",
        Ok((
            "https://x.com/p?a=b#c",
            "https://x.com/p?a=b#c",
            "{Scheme:https Opaque: User: Host:x.com Path:/p Fragment:c RawQuery:a=b RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "mailto:x@y",
        Ok((
            "mailto:x@y",
            "mailto:x@y",
            "{Scheme:mailto Opaque:x@y User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "x:y",
        Ok((
            "x:y",
            "x:y",
            "{Scheme:x Opaque:y User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (":x", Err("parse \":x\": missing protocol scheme")),
    (
        "x",
        Ok((
            "x",
            "x",
            "{Scheme: Opaque: User: Host: Path:x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "/abs/path",
        Ok((
            "/abs/path",
            "/abs/path",
            "{Scheme: Opaque: User: Host: Path:/abs/path Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "//host/path",
        Ok((
            "//host/path",
            "//host/path",
            "{Scheme: Opaque: User: Host:host Path:/path Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "///path",
        Ok((
            "///path",
            "///path",
            "{Scheme: Opaque: User: Host: Path:///path Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "a/b:c",
        Ok((
            "a/b:c",
            "a/b:c",
            "{Scheme: Opaque: User: Host: Path:a/b:c Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "a:b/c",
        Ok((
            "a:b/c",
            "a:b/c",
            "{Scheme:a Opaque:b/c User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "*",
        Ok((
            "*",
            "*",
            "{Scheme: Opaque: User: Host: Path:* Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "",
        Ok((
            "",
            "",
            "{Scheme: Opaque: User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com\x7f",
        Err("parse \"https://x.com\\x7f\": net/url: invalid control character in URL"),
    ),
    (
        "\x01",
        Err("parse \"\\x01\": net/url: invalid control character in URL"),
    ),
    (
        "http:x",
        Ok((
            "http:x",
            "http:x",
            "{Scheme:http Opaque:x User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https:/x",
        Ok((
            "https:/x",
            "https:/x",
            "{Scheme:https Opaque: User: Host: Path:/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:true}",
        )),
    ),
    (
        "https:///x",
        Ok((
            "https:///x",
            "https:///x",
            "{Scheme:https Opaque: User: Host: Path:/x Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://",
        Ok((
            "https:",
            "https:",
            "{Scheme:https Opaque: User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "http://x.com/./a/../b",
        Ok((
            "http://x.com/./a/../b",
            "http://x.com/./a/../b",
            "{Scheme:http Opaque: User: Host:x.com Path:/./a/../b Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "git+ssh://x",
        Ok((
            "git+ssh://x",
            "git+ssh://x",
            "{Scheme:git+ssh Opaque: User: Host:x Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "1http://x",
        Err("parse \"1http://x\": first path segment in URL cannot contain colon"),
    ),
    (
        "HtTp://X",
        Ok((
            "http://X",
            "http://X",
            "{Scheme:http Opaque: User: Host:X Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/a;b,c",
        Ok((
            "https://x.com/a;b,c",
            "https://x.com/a;b,c",
            "{Scheme:https Opaque: User: Host:x.com Path:/a;b,c Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/a?b",
        Ok((
            "https://x.com/a?b",
            "https://x.com/a?b",
            "{Scheme:https Opaque: User: Host:x.com Path:/a Fragment: RawQuery:b RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/%3F",
        Ok((
            "https://x.com/%3F",
            "https://x.com/%3F",
            "{Scheme:https Opaque: User: Host:x.com Path:/? Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "https://x.com/*",
        Ok((
            "https://x.com/*",
            "https://x.com/*",
            "{Scheme:https Opaque: User: Host:x.com Path:/* Fragment: RawQuery: RawPath:/* RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
    (
        "http:*",
        Ok((
            "http:*",
            "http:*",
            "{Scheme:http Opaque:* User: Host: Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
        )),
    ),
];

#[test]
fn parse_table() {
    for &(input, want) in URL_TESTS {
        let got = Url::parse(input);
        match want {
            Ok((string, redacted, fields)) => {
                let u = got.unwrap_or_else(|e| panic!("parse({input:?}) failed: {e}"));
                assert_eq!(u.to_string(), string, "String() of {input:?}");
                assert_eq!(u.redacted(), redacted, "Redacted() of {input:?}");
                assert_eq!(u.go_struct_string(), fields, "fields of {input:?}");
            }
            Err(msg) => {
                assert_eq!(
                    got.map_err(|e| e.to_string()),
                    Err(msg.to_owned()),
                    "parse({input:?})"
                );
            }
        }
    }
}

#[test]
fn path_only_and_host_and_path_only() {
    let cases: &[(&str, bool, bool)] = &[
        ("file:///tmp/x", true, true),
        ("file:/tmp/x", false, false),
        ("file://host/x", false, true),
        ("file:///tmp/x?q", false, false),
        ("file:///tmp/x#f", false, false),
        ("https://x.com/p", false, true),
        ("https://u@x.com/p", false, false),
        ("https://x.com/p?", false, false),
        ("mailto:x", false, false),
    ];
    for &(input, path_only, host_and_path_only) in cases {
        let u = Url::parse(input).expect("valid URL");
        assert_eq!(u.is_path_only(), path_only, "is_path_only({input:?})");
        assert_eq!(
            u.is_host_and_path_only(),
            host_and_path_only,
            "is_host_and_path_only({input:?})"
        );
    }
}
