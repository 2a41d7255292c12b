//! Discovery tests: Go's `parseMetaGoImports` table (module mode), static
//! patterns, tag matching, and discovery through a fake HTTP client.

use std::collections::HashMap;

use super::*;
use crate::egress::{Egress, Guard, Table};
use modgate_core::goenv::govcs::Govcs;

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
        let mut want = git(root);
        // The generic `host/path.git` pattern clones from the path without its
        // `.git` (Go's `repo` group); the named hosts keep what their rule says.
        if let Found::Git { url, .. } = &mut want
            && root.starts_with("example.com")
        {
            *url = url.trim_end_matches(".git").to_owned();
        }
        assert_eq!(
            static_root(path, &VcsPolicy::default()),
            Some(Ok(want)),
            "{path}"
        );
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
    ];
    for (path, msg) in bad {
        assert_eq!(
            static_root(path, &VcsPolicy::default()),
            Some(Err(DiscoveryError(msg.to_string()))),
            "{path}"
        );
    }
    for path in ["example.com/repo", "golang.org/x/tools", "localhost/x.git"] {
        assert_eq!(static_root(path, &VcsPolicy::default()), None, "{path}");
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
    let d = VcsPolicy::default();
    let git = |root: &str, url: &str, subdir: &str| Found::Git {
        root: root.into(),
        url: url.into(),
        subdir: subdir.into(),
    };
    assert_eq!(
        discover(&pages, "corp.example/lib/sub", false, &d)
            .await
            .unwrap(),
        git("corp.example/lib", "https://git.corp.example/lib.git", "")
    );
    assert_eq!(
        discover(&pages, "corp.example/mono/x", false, &d)
            .await
            .unwrap(),
        git(
            "corp.example/mono",
            "https://git.corp.example/mono",
            "go/src"
        )
    );
    assert_eq!(
        discover(&pages, "github.com/a/b/c", false, &d)
            .await
            .unwrap(),
        git("github.com/a/b", "https://github.com/a/b", "")
    );
    assert_eq!(
        discover(&pages, "corp.example/p", false, &d).await.unwrap(),
        Found::Proxy {
            root: "corp.example/p".into(),
            url: "https://proxy.corp.example".into()
        }
    );
    let e = |s: &str| DiscoveryError(s.to_string());
    assert_eq!(
        discover(&pages, "corp.example/liar/x", false, &d)
            .await
            .unwrap_err(),
        e(
            "corp.example/liar/x and corp.example/liar disagree about go-import for corp.example/liar"
        )
    );
    assert_eq!(
        discover(&pages, "corp.example/f", false, &d)
            .await
            .unwrap_err(),
        e("corp.example/f: invalid repo root \"file:///etc\"; file scheme disallowed")
    );
    // hg is allowed for public paths by Go's default GOVCS; direct mode
    // refuses it later, by name.
    assert_eq!(
        discover(&pages, "corp.example/h", false, &d).await.unwrap(),
        Found::Other {
            root: "corp.example/h".into(),
            vcs: "hg".into(),
            url: "https://hg.example/h".into()
        }
    );
    assert_eq!(
        discover(&pages, "corp.example/i", false, &d)
            .await
            .unwrap_err(),
        e(
            "corp.example/i: insecure repository URL \"http://git.example/i\" (set GOINSECURE to allow)"
        )
    );
    assert!(discover(&pages, "corp.example/i", true, &d).await.is_ok());
    // https fails, GOINSECURE allows the http page.
    assert_eq!(
        discover(&pages, "insecure.example/i", true, &d)
            .await
            .unwrap(),
        git("insecure.example/i", "http://git.example/i", "")
    );
    assert!(
        discover(&pages, "insecure.example/i", false, &d)
            .await
            .is_err()
    );
    assert_eq!(
        discover(&pages, "nowhere.example/x", false, &d)
            .await
            .unwrap_err(),
        e("unrecognized import path \"nowhere.example/x\": connection refused")
    );

    // A discovery answer pointing at loopback is found, then refused by
    // the egress guard before git is run.
    let Found::Git { url, .. } = discover(&pages, "corp.example/loop", false, &d)
        .await
        .unwrap()
    else {
        panic!("not git")
    };
    let guard = Guard::new(Egress::default(), std::sync::Arc::new(Table::default()));
    assert!(guard.check_url(&url).await.is_err());
}

fn policy(govcs: &str, private: &str) -> VcsPolicy {
    VcsPolicy {
        govcs: Govcs::setting(govcs).unwrap(),
        private: private.into(),
    }
}

#[test]
fn static_patterns_under_govcs() {
    let d = VcsPolicy::default();
    let other = |root: &str, vcs: &str| {
        Some(Ok(Found::Other {
            root: root.into(),
            vcs: vcs.into(),
            url: format!("https://{}", root.trim_end_matches(&format!(".{vcs}"))),
        }))
    };
    let denied = |msg: &str| Some(Err(DiscoveryError(msg.into())));
    // Public: git and hg only.
    assert_eq!(
        static_root("example.com/repo.hg/sub", &d),
        other("example.com/repo.hg", "hg")
    );
    assert_eq!(
        static_root("example.com/repo.svn", &d),
        denied("GOVCS disallows using svn for public example.com/repo.svn; see 'go help vcs'")
    );
    assert_eq!(
        static_root("chiselapp.com/user/kyle/repository/fossilgg", &d),
        denied(
            "GOVCS disallows using fossil for public chiselapp.com/user/kyle/repository/fossilgg; see 'go help vcs'"
        )
    );
    assert_eq!(
        static_root("chiselapp.com/user/kyle/x", &d),
        denied("invalid chiselapp.com import path \"chiselapp.com/user/kyle/x\"")
    );
    // Private: anything.
    let p = policy("", "example.com,chiselapp.com");
    assert_eq!(
        static_root("example.com/repo.svn", &p),
        other("example.com/repo.svn", "svn")
    );
    assert_eq!(
        static_root("chiselapp.com/user/kyle/repository/fossilgg", &p),
        other("chiselapp.com/user/kyle/repository/fossilgg", "fossil")
    );
    // A rule can refuse git itself.
    assert_eq!(
        static_root("github.com/a/b/c", &policy("github.com:off", "")),
        denied("GOVCS disallows using git for public github.com/a/b; see 'go help vcs'")
    );
    assert_eq!(
        static_root("example.com/r.git", &policy("public:hg", "")),
        denied("GOVCS disallows using git for public example.com/r.git; see 'go help vcs'")
    );
}

#[tokio::test]
async fn discover_under_govcs() {
    let pages = Pages(
        [
            (
                "https://corp.example/s?go-get=1",
                meta("corp.example/s svn https://svn.corp.example/s"),
            ),
            (
                "https://corp.example/b?go-get=1",
                meta("corp.example/b bzr https://bzr.corp.example/b"),
            ),
            (
                "https://corp.example/c?go-get=1",
                meta("corp.example/c cvs https://cvs.corp.example/c"),
            ),
            (
                "https://corp.example/lib?go-get=1",
                meta("corp.example/lib git https://git.corp.example/lib.git"),
            ),
            (
                "https://corp.example/p?go-get=1",
                meta("corp.example/p mod https://proxy.corp.example"),
            ),
            (
                "https://corp.example/q?go-get=1",
                meta("corp.example/q mod http://proxy.corp.example"),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    );
    let e = |s: &str| DiscoveryError(s.to_string());
    let public = VcsPolicy::default();
    assert_eq!(
        discover(&pages, "corp.example/s", false, &public)
            .await
            .unwrap_err(),
        e("GOVCS disallows using svn for public corp.example/s; see 'go help vcs'")
    );
    assert_eq!(
        discover(&pages, "corp.example/b", false, &public)
            .await
            .unwrap_err(),
        e("GOVCS disallows using bzr for public corp.example/b; see 'go help vcs'")
    );
    assert_eq!(
        discover(&pages, "corp.example/c", false, &public)
            .await
            .unwrap_err(),
        e("corp.example/c: unknown vcs \"cvs\"")
    );
    let private = policy("", "corp.example");
    assert_eq!(
        discover(&pages, "corp.example/s", false, &private)
            .await
            .unwrap(),
        Found::Other {
            root: "corp.example/s".into(),
            vcs: "svn".into(),
            url: "https://svn.corp.example/s".into()
        }
    );
    assert_eq!(
        discover(
            &pages,
            "corp.example/lib",
            false,
            &policy("private:hg", "corp.example")
        )
        .await
        .unwrap_err(),
        e("GOVCS disallows using git for private corp.example/lib; see 'go help vcs'")
    );
    // mod needs no VCS: never refused by GOVCS, even by *:off.
    let off = policy("*:off", "");
    assert!(matches!(
        discover(&pages, "corp.example/p", false, &off).await,
        Ok(Found::Proxy { .. })
    ));
    // A plain-http proxy needs GOINSECURE.
    assert_eq!(
        discover(&pages, "corp.example/q", false, &public)
            .await
            .unwrap_err(),
        e(
            "corp.example/q: insecure module proxy URL \"http://proxy.corp.example\" (set GOINSECURE to allow)"
        )
    );
    assert!(
        discover(&pages, "corp.example/q", true, &public)
            .await
            .is_ok()
    );
}
