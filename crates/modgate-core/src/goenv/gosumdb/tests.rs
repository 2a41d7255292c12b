//! GOSUMDB and verifier-key tables (expectations from the go command's dbDial
//! logic and x/mod's note.NewVerifier under Go 1.27.3) and, when `go` is
//! available, a comparison of error messages with `go mod download`'s.

use super::*;

fn render(r: Result<SumdbConfig, GosumdbError>) -> String {
    match r {
        Ok(SumdbConfig::Off) => "off".to_owned(),
        Ok(SumdbConfig::On { name, key, url }) => {
            format!("on|{name}|{key}|{}", url.unwrap_or_default())
        }
        Err(e) => format!("err:{e}"),
    }
}

/// (GOSUMDB, expected): expectations from a copy of the go command's dbDial
/// run with Go 1.27.3's net/url and x/mod's note package; error rows of each
/// kind were also checked against `go mod download` itself.
const GOSUMDB_TESTS: &[(&str, &str)] = &[
    (
        "",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|",
    ),
    (
        "sum.golang.org",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|",
    ),
    (
        "sum.golang.google.cn",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|https://sum.golang.google.cn",
    ),
    ("off", "off"),
    ("OFF", "err:invalid GOSUMDB: malformed verifier id"),
    (" off", "err:invalid GOSUMDB: malformed verifier id"),
    (" ", "err:missing GOSUMDB"),
    ("\t\n", "err:missing GOSUMDB"),
    (
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|",
    ),
    (
        "sum.golang.org https://sum.example.com",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|https://sum.example.com",
    ),
    (
        "sum.golang.org  https://sum.example.com ",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|https://sum.example.com",
    ),
    (
        "sum.golang.org\u{00a0}https://sum.example.com",
        "on|sum.golang.org|sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|https://sum.example.com",
    ),
    ("sum.golang.org a b", "err:invalid GOSUMDB: too many fields"),
    (
        "sum.golang.org %zz",
        "err:invalid GOSUMDB URL: parse \"%zz\": invalid URL escape \"%zz\"",
    ),
    (
        "sum.golang.org http://[::1",
        "err:invalid GOSUMDB URL: parse \"http://[::1\": missing ']' in host",
    ),
    ("example.com", "err:invalid GOSUMDB: malformed verifier id"),
    (
        "sum.golang.org+033DE0AE+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        "on|sum.golang.org|sum.golang.org+033DE0AE+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8|",
    ),
    (
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn9",
        "err:invalid GOSUMDB: invalid verifier hash",
    ),
    (
        "sum.golang.org+033de0a+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        "err:invalid GOSUMDB: malformed verifier id",
    ),
    (
        "sum.golang.org+033de0ae",
        "err:invalid GOSUMDB: malformed verifier id",
    ),
    (
        "+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        "err:invalid GOSUMDB: malformed verifier id",
    ),
    (
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn",
        "err:invalid GOSUMDB: malformed verifier id",
    ),
    (
        "x+00000000+AQ==",
        "err:invalid GOSUMDB: invalid verifier hash",
    ),
    (
        "example.com/sumdb+e3d3cdaa+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "on|example.com/sumdb|example.com/sumdb+e3d3cdaa+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc|",
    ),
    (
        "example.com/+2bce31e4+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "err:invalid sumdb name (must be host[/path]): example.com/ {Scheme:https Opaque: User: Host:example.com Path:/ Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
    ),
    (
        "user@host+a9422f5d+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "err:invalid sumdb name (must be host[/path]): user@host {Scheme:https Opaque: User:user Host:host Path: Fragment: RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
    ),
    (
        "host#frag+bb9d29b7+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "err:invalid sumdb name (must be host[/path]): host#frag {Scheme:https Opaque: User: Host:host Path: Fragment:frag RawQuery: RawPath: RawFragment: ForceQuery:false OmitHost:false}",
    ),
    (
        "host?q+e0980489+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "err:invalid sumdb name (must be host[/path]): host?q {Scheme:https Opaque: User: Host:host Path: Fragment: RawQuery:q RawPath: RawFragment: ForceQuery:false OmitHost:false}",
    ),
    (
        "host/a%2fb+031667a0+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "err:invalid sumdb name (must be host[/path]): host/a%2fb {Scheme:https Opaque: User: Host:host Path:/a/b Fragment: RawQuery: RawPath:/a%2fb RawFragment: ForceQuery:false OmitHost:false}",
    ),
    (
        "é.com+20b9fed3+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "on|é.com|é.com+20b9fed3+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc|",
    ),
    (
        "[::1]:8080+d6753eba+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "on|[::1]:8080|[::1]:8080+d6753eba+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc|",
    ),
    (
        "example.com+820df35b+AgMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "err:invalid GOSUMDB: unknown verifier algorithm",
    ),
    (
        "example.com+2d83fa7f+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztU=",
        "err:invalid GOSUMDB: malformed verifier id",
    ),
    (
        "example.com+11aba69e+AQ==",
        "err:invalid GOSUMDB: malformed verifier id",
    ),
    (
        "example.com+d33dae18+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc https://sum.example.com/",
        "on|example.com|example.com+d33dae18+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc|https://sum.example.com/",
    ),
];

#[test]
fn parse_table() {
    for &(value, want) in GOSUMDB_TESTS {
        assert_eq!(render(parse(value)), want, "GOSUMDB={value:?}");
    }
}

#[test]
fn name_that_go_cannot_parse() {
    // Go 1.27.3 crashes (nil dereference) when https://<name> does not parse;
    // this port reports the parse error instead.
    let vk = format!(
        "a:b:c+{:08x}+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        {
            use base64::Engine as _;
            let k = base64::engine::general_purpose::STANDARD
                .decode("AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc")
                .expect("base64");
            crate::sumdb::note::key_hash("a:b:c", &k)
        }
    );
    assert_eq!(
        render(parse(&vk)),
        r#"err:invalid sumdb name (must be host[/path]): a:b:c (parse "https://a:b:c": invalid port ":b:c" after host)"#
    );
}

#[test]
fn direct_url() {
    assert_eq!(parse("off").map(|c| c.direct_url()), Ok(None));
    assert_eq!(
        parse("").map(|c| c.direct_url()),
        Ok(Some("https://sum.golang.org".into()))
    );
    assert_eq!(
        parse("sum.golang.google.cn").map(|c| c.direct_url()),
        Ok(Some("https://sum.golang.google.cn".into()))
    );
}

/// (verifier key, Ok((name, hash)) or Err(note's message)), from x/mod's
/// note.NewVerifier (PeterNeumann's key is note_test.go's).
type KeyResult = Result<(&'static str, u32), &'static str>;

const VKEY_TESTS: &[(&str, KeyResult)] = &[
    (
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Ok(("sum.golang.org", 0x033de0ae)),
    ),
    (
        "sum.golang.org+033DE0AE+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Ok(("sum.golang.org", 0x033de0ae)),
    ),
    (
        "sum.golang.org+133de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Err("invalid verifier hash"),
    ),
    (
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8=",
        Err("malformed verifier id"),
    ),
    (
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn",
        Err("malformed verifier id"),
    ),
    (
        "sum.golang.org+0x3de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Err("malformed verifier id"),
    ),
    ("sum.golang.org+033de0ae+", Err("malformed verifier id")),
    ("sum.golang.org+033de0ae", Err("malformed verifier id")),
    ("sum.golang.org", Err("malformed verifier id")),
    ("", Err("malformed verifier id")),
    (
        "+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Err("malformed verifier id"),
    ),
    (
        "sum golang+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Err("malformed verifier id"),
    ),
    (
        "sum\u{00a0}golang+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
        Err("malformed verifier id"),
    ),
    (
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        Ok(("PeterNeumann", 0xc74f20a3)),
    ),
    (
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX",
        Err("invalid verifier hash"),
    ),
    (
        "example.com+d33dae18+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        Ok(("example.com", 0xd33dae18)),
    ),
    (
        "example.com+08218ebf+AAMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        Err("unknown verifier algorithm"),
    ),
    (
        "example.com+820df35b+AgMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        Err("unknown verifier algorithm"),
    ),
    (
        "example.com+f8e80a2a+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4w==",
        Err("malformed verifier id"),
    ),
    ("example.com+11aba69e+AQ==", Err("malformed verifier id")),
    ("x+00000000+AQ==", Err("invalid verifier hash")),
    ("example.com+00000000+====", Err("malformed verifier id")),
    ("example.com+12345678+AQ", Err("malformed verifier id")),
    ("example.com+12345678+A===", Err("malformed verifier id")),
];

#[test]
fn verifier_key_table() {
    for &(vkey, want) in VKEY_TESTS {
        let got = parse_verifier_key(vkey)
            .map(|k| (k.name, k.hash))
            .map_err(|e| e.to_string());
        assert_eq!(
            got,
            want.map(|(n, h)| (n.to_owned(), h)).map_err(str::to_owned),
            "parse_verifier_key({vkey:?})"
        );
    }
    let k = parse_verifier_key(SUM_GOLANG_ORG_KEY).expect("built-in key");
    assert_eq!(k.public_key[..4], [0xce, 0x33, 0x72, 0xd7]);
}

#[test]
fn errors_match_go_command() {
    let Some(go) = modgate_testkit::go::binary() else {
        return;
    };
    for gosumdb in [
        "example.com",
        "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn9",
        "a b c",
        " ",
        "sum.golang.org %zz",
        "example.com+820df35b+AgMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
        "example.com/+2bce31e4+AQMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc",
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        // A file:// proxy holding just enough for the go.mod check, which
        // consults the checksum database before anything else.
        let v = tmp.path().join("proxy/example.com/x/@v");
        std::fs::create_dir_all(&v).expect("create proxy");
        std::fs::write(v.join("list"), "v1.0.0\n").expect("write list");
        std::fs::write(
            v.join("v1.0.0.info"),
            r#"{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}"#,
        )
        .expect("write info");
        std::fs::write(v.join("v1.0.0.mod"), "module example.com/x\n").expect("write mod");
        let proxy = format!("file://{}", tmp.path().join("proxy").display());
        let got = modgate_testkit::go_mod_download_error(
            &go,
            tmp.path(),
            "example.com/x@v1.0.0",
            &[("GOPROXY", &proxy), ("GOSUMDB", gosumdb)],
        );
        let want = format!(
            "go: example.com/x@v1.0.0: verifying go.mod: {}",
            parse(gosumdb).expect_err("invalid GOSUMDB")
        );
        assert_eq!(got, want, "GOSUMDB={gosumdb:?}");
    }
}
