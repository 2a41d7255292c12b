//! Discovery tests: Go's `parseMetaGoImports` table (module mode), static
//! patterns, tag matching, and discovery through a fake HTTP client.

use std::collections::HashMap;

use super::*;
use crate::egress::{Egress, Guard, Table};

fn mi(prefix: &str, vcs: &str, repo: &str, subdir: &str) -> MetaImport {
    MetaImport {
        prefix: prefix.into(),
        vcs: vcs.into(),
        repo_root: repo.into(),
        subdir: subdir.into(),
    }
}

#[test]
fn parse_meta_go_imports_table() {
    // Go's table, the module-mode (PreferMod) results.
    let cases: Vec<(&str, Vec<MetaImport>)> = vec![
        (
            r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">"#,
            vec![mi("foo/bar", "git", "https://github.com/rsc/foo/bar", "")],
        ),
        (
            "<meta name=\"go-import\" content=\"foo/bar git https://github.com/rsc/foo/bar\">\n\t\t<meta name=\"go-import\" content=\"baz/quux git http://github.com/rsc/baz/quux\">",
            vec![
                mi("foo/bar", "git", "https://github.com/rsc/foo/bar", ""),
                mi("baz/quux", "git", "http://github.com/rsc/baz/quux", ""),
            ],
        ),
        (
            "<meta name=\"go-import\" content=\"foo/bar git https://github.com/rsc/foo/bar\">\n\t\t<meta name=\"go-import\" content=\"foo/bar mod http://github.com/rsc/baz/quux\">",
            vec![mi("foo/bar", "mod", "http://github.com/rsc/baz/quux", "")],
        ),
        (
            "<meta name=\"go-import\" content=\"foo/bar mod http://github.com/rsc/baz/quux\">\n\t\t<meta name=\"go-import\" content=\"foo/bar git https://github.com/rsc/foo/bar\">",
            vec![mi("foo/bar", "mod", "http://github.com/rsc/baz/quux", "")],
        ),
        (
            "<head>\n\t\t<meta name=\"go-import\" content=\"foo/bar git https://github.com/rsc/foo/bar\">\n\t\t</head>",
            vec![mi("foo/bar", "git", "https://github.com/rsc/foo/bar", "")],
        ),
        (
            "<meta name=\"go-import\" content=\"foo/bar git https://github.com/rsc/foo/bar\">\n\t\t<body>",
            vec![mi("foo/bar", "git", "https://github.com/rsc/foo/bar", "")],
        ),
        (
            r#"<!doctype html><meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar">"#,
            vec![mi("foo/bar", "git", "https://github.com/rsc/foo/bar", "")],
        ),
        (
            r#"<!doctype html><title>Page Not Found</title><meta name=go-import content="chitin.io/chitin git https://github.com/chitin-io/chitin"><div style=position:relative>DRAFT</div>"#,
            vec![mi(
                "chitin.io/chitin",
                "git",
                "https://github.com/chitin-io/chitin",
                "",
            )],
        ),
        (
            "<meta name=\"go-import\" content=\"myitcv.io git https://github.com/myitcv/x\">\n\t        <meta name=\"go-import\" content=\"myitcv.io/blah2 mod https://raw.githubusercontent.com/myitcv/pubx/master\">\n\t        ",
            vec![
                mi(
                    "myitcv.io/blah2",
                    "mod",
                    "https://raw.githubusercontent.com/myitcv/pubx/master",
                    "",
                ),
                mi("myitcv.io", "git", "https://github.com/myitcv/x", ""),
            ],
        ),
        (
            r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar subdir">"#,
            vec![mi(
                "foo/bar",
                "git",
                "https://github.com/rsc/foo/bar",
                "subdir",
            )],
        ),
        (
            r#"<meta name="go-import" content="foo/bar git https://github.com/rsc/foo/bar subdir/path">"#,
            vec![mi(
                "foo/bar",
                "git",
                "https://github.com/rsc/foo/bar",
                "subdir/path",
            )],
        ),
        // Lenient reading: case, single quotes, entities, comments, and
        // tags after </head> or in the body are ignored.
        (
            "<HTML><HEAD><!-- <meta name=\"go-import\" content=\"no no git https://x\"> --><META NAME='go-import' CONTENT='a.io/b git https://h.io/b?x=1&amp;y=2'></HEAD><meta name=\"go-import\" content=\"c.io/d git https://h.io/d\">",
            vec![mi("a.io/b", "git", "https://h.io/b?x=1&y=2", "")],
        ),
        // Wrong name, wrong field count.
        (
            r#"<meta name="go-imports" content="a git https://x"><meta name="go-import" content="a git"><meta name="go-import" content="a git https://x s extra">"#,
            vec![],
        ),
    ];
    for (i, (html, want)) in cases.into_iter().enumerate() {
        assert_eq!(
            parse_meta_go_imports(html.as_bytes()).unwrap(),
            want,
            "case {i}: {html}"
        );
    }
    let e = parse_meta_go_imports(b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><meta name=\"go-import\" content=\"a git https://x\">")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "can't decode XML document using charset \"iso-8859-1\""
    );
}

#[test]
fn static_patterns() {
    let git = |root: &str| Found::Git {
        root: root.into(),
        url: format!("https://{root}"),
        subdir: String::new(),
    };
    let ok: &[(&str, &str)] = &[
        ("github.com/owner/repo", "github.com/owner/repo"),
        ("github.com/owner/repo/sub/v2", "github.com/owner/repo"),
        ("bitbucket.org/a/b/c", "bitbucket.org/a/b"),
        ("hub.jazz.net/git/user1/pkg", "hub.jazz.net/git/user1/pkg"),
        (
            "git.apache.org/thrift.git/lib/go",
            "git.apache.org/thrift.git",
        ),
        (
            "git.openstack.org/openstack/swift",
            "git.openstack.org/openstack/swift",
        ),
        (
            "git.openstack.org/openstack/swift.git/x",
            "git.openstack.org/openstack/swift",
        ),
        ("example.com/repo.git/sub", "example.com/repo.git"),
        (
            "example.com:8080/~user/repo.git",
            "example.com:8080/~user/repo.git",
        ),
    ];
    for (path, root) in ok {
        assert_eq!(static_root(path), Some(Ok(git(root))), "{path}");
    }
    let bad: &[(&str, &str)] = &[
        (
            "github.com/owner",
            "invalid github.com import path \"github.com/owner\"",
        ),
        (
            "github.com/owner/re$po",
            "invalid github.com import path \"github.com/owner/re$po\"",
        ),
        (
            "github.com/owner/repo.git",
            "invalid version control suffix in github.com/ path",
        ),
        (
            "hub.jazz.net/git/User/pkg",
            "invalid hub.jazz.net/git import path \"hub.jazz.net/git/User/pkg\"",
        ),
        (
            "example.com/repo.hg",
            "\"example.com/repo.hg\": hg is not supported (only git)",
        ),
    ];
    for (path, msg) in bad {
        assert_eq!(
            static_root(path),
            Some(Err(DiscoveryError(msg.to_string()))),
            "{path}"
        );
    }
    for path in ["example.com/repo", "golang.org/x/tools", "localhost/x.git"] {
        assert_eq!(static_root(path), None, "{path}");
    }
}

#[test]
fn matching() {
    let imports = vec![
        mi("example.com/a", "git", "https://h/a", ""),
        mi("example.com/b", "git", "https://h/b", ""),
    ];
    assert_eq!(
        match_go_import(&imports, "example.com/a/x")
            .unwrap()
            .repo_root,
        "https://h/a"
    );
    assert_eq!(
        match_go_import(&imports, "example.com/c")
            .unwrap_err()
            .to_string(),
        "import \"example.com/c\": meta tags do not match import path (example.com/a, example.com/b)"
    );
    let dup = vec![
        mi("example.com/a", "git", "https://h/a", ""),
        mi("example.com", "git", "https://h", ""),
    ];
    assert_eq!(
        match_go_import(&dup, "example.com/a")
            .unwrap_err()
            .to_string(),
        "multiple meta tags match import path \"example.com/a\""
    );
    let with_mod = vec![
        mi("example.com", "mod", "https://p", ""),
        mi("example.com", "git", "https://h", ""),
    ];
    assert_eq!(
        match_go_import(&with_mod, "example.com/a").unwrap().vcs,
        "mod"
    );
}

/// Answers from a table; every other URL fails.
struct Pages(HashMap<String, String>);

impl Fetch for Pages {
    fn get(&self, url: &str) -> impl Future<Output = Result<Vec<u8>, String>> + Send {
        let r = self
            .0
            .get(url)
            .map(|s| s.clone().into_bytes())
            .ok_or_else(|| "connection refused".to_string());
        async move { r }
    }
}

fn meta(content: &str) -> String {
    format!("<html><head><meta name=\"go-import\" content=\"{content}\"></head></html>")
}

#[tokio::test]
async fn discover_dynamic() {
    let pages = Pages(
        [
            (
                "https://corp.example/lib/sub?go-get=1",
                meta("corp.example/lib git https://git.corp.example/lib.git"),
            ),
            (
                "https://corp.example/lib?go-get=1",
                meta("corp.example/lib git https://git.corp.example/lib.git"),
            ),
            (
                "https://corp.example/mono/x?go-get=1",
                meta("corp.example/mono git https://git.corp.example/mono go/src"),
            ),
            (
                "https://corp.example/mono?go-get=1",
                meta("corp.example/mono git https://git.corp.example/mono go/src"),
            ),
            (
                "https://corp.example/liar/x?go-get=1",
                meta("corp.example/liar git https://a.example/one"),
            ),
            (
                "https://corp.example/liar?go-get=1",
                meta("corp.example/liar git https://a.example/two"),
            ),
            (
                "https://corp.example/p?go-get=1",
                meta("corp.example/p mod https://proxy.corp.example"),
            ),
            (
                "https://corp.example/f?go-get=1",
                meta("corp.example/f git file:///etc"),
            ),
            (
                "https://corp.example/h?go-get=1",
                meta("corp.example/h hg https://hg.example/h"),
            ),
            (
                "https://corp.example/i?go-get=1",
                meta("corp.example/i git http://git.example/i"),
            ),
            (
                "http://insecure.example/i?go-get=1",
                meta("insecure.example/i git http://git.example/i"),
            ),
            (
                "https://corp.example/loop?go-get=1",
                meta("corp.example/loop git https://127.0.0.1:9418/x"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    let git = |root: &str, url: &str, subdir: &str| Found::Git {
        root: root.into(),
        url: url.into(),
        subdir: subdir.into(),
    };
    assert_eq!(
        discover(&pages, "corp.example/lib/sub", false)
            .await
            .unwrap(),
        git("corp.example/lib", "https://git.corp.example/lib.git", "")
    );
    assert_eq!(
        discover(&pages, "corp.example/mono/x", false)
            .await
            .unwrap(),
        git(
            "corp.example/mono",
            "https://git.corp.example/mono",
            "go/src"
        )
    );
    assert_eq!(
        discover(&pages, "github.com/a/b/c", false).await.unwrap(),
        git("github.com/a/b", "https://github.com/a/b", "")
    );
    assert_eq!(
        discover(&pages, "corp.example/p", false).await.unwrap(),
        Found::Proxy {
            root: "corp.example/p".into(),
            url: "https://proxy.corp.example".into()
        }
    );
    let e = |s: &str| DiscoveryError(s.to_string());
    assert_eq!(
        discover(&pages, "corp.example/liar/x", false)
            .await
            .unwrap_err(),
        e(
            "corp.example/liar/x and corp.example/liar disagree about go-import for corp.example/liar"
        )
    );
    assert_eq!(
        discover(&pages, "corp.example/f", false).await.unwrap_err(),
        e("corp.example/f: invalid repo root \"file:///etc\"; file scheme disallowed")
    );
    assert_eq!(
        discover(&pages, "corp.example/h", false).await.unwrap_err(),
        e("corp.example/h: hg is not supported (only git)")
    );
    assert_eq!(
        discover(&pages, "corp.example/i", false).await.unwrap_err(),
        e(
            "corp.example/i: insecure repository URL \"http://git.example/i\" (set GOINSECURE to allow)"
        )
    );
    assert!(discover(&pages, "corp.example/i", true).await.is_ok());
    // https fails, GOINSECURE allows the http page.
    assert_eq!(
        discover(&pages, "insecure.example/i", true).await.unwrap(),
        git("insecure.example/i", "http://git.example/i", "")
    );
    assert!(discover(&pages, "insecure.example/i", false).await.is_err());
    assert_eq!(
        discover(&pages, "nowhere.example/x", false)
            .await
            .unwrap_err(),
        e("unrecognized import path \"nowhere.example/x\": connection refused")
    );

    // A discovery answer pointing at loopback is found, then refused by
    // the egress guard before git is run.
    let Found::Git { url, .. } = discover(&pages, "corp.example/loop", false).await.unwrap() else {
        panic!("not git")
    };
    let guard = Guard::new(Egress::default(), std::sync::Arc::new(Table::default()));
    assert!(guard.check_url(&url).await.is_err());
}
