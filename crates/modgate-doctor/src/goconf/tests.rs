use super::*;

#[test]
fn goproxy_lists() {
    let c = goproxy_chain("https://a.example, b.example|direct,https://ignored").expect("ok");
    assert_eq!(
        c,
        vec![
            ChainEntry {
                kind: EntryKind::Url("https://a.example".into()),
                fallback_any: false
            },
            ChainEntry {
                kind: EntryKind::Url("https://b.example".into()),
                fallback_any: true
            },
            ChainEntry {
                kind: EntryKind::Direct,
                fallback_any: false
            },
        ]
    );
    assert_eq!(goproxy_chain("off,https://x.example").expect("ok").len(), 1);
    assert_eq!(
        goproxy_chain("localhost:3000").expect("ok")[0].kind,
        EntryKind::Url("https://localhost:3000".into())
    );
    assert_eq!(
        goproxy_chain("/srv/proxy"),
        Err("invalid proxy URL missing scheme: /srv/proxy".to_string())
    );
}

#[test]
fn gosumdb_forms() {
    assert_eq!(gosumdb("off"), Ok(SumDb::Off));
    assert_eq!(
        gosumdb("sum.golang.org"),
        Ok(SumDb::On {
            name: "sum.golang.org".into(),
            url: None
        })
    );
    assert_eq!(
        gosumdb("sum.golang.google.cn"),
        Ok(SumDb::On {
            name: "sum.golang.org".into(),
            url: Some("https://sum.golang.google.cn".into())
        })
    );
    assert_eq!(
        gosumdb("sum.golang.org https://mirror.example/sumdb/"),
        Ok(SumDb::On {
            name: "sum.golang.org".into(),
            url: Some("https://mirror.example/sumdb".into())
        })
    );
    assert_eq!(gosumdb("   "), Err("missing GOSUMDB".to_string()));
    assert!(gosumdb("x+1234567+AQ").is_err());
}
