use super::*;

fn resp(status: u16, ct: &str, body: &str) -> Response {
    Response {
        status,
        reason: String::new(),
        content_type: ct.into(),
        location: None,
        body: body.as_bytes().to_vec(),
        elapsed: Duration::ZERO,
    }
}

#[test]
fn judges_version_lists() {
    assert_eq!(
        judge_list(&resp(200, "text/plain; charset=utf-8", "v1.0.0\nv1.1.0\n")),
        Verdict::Protocol("2 versions".into())
    );
    assert_eq!(
        judge_list(&resp(200, "text/plain", "")),
        Verdict::Protocol("0 versions".into())
    );
    assert_eq!(
        judge_list(&resp(404, "text/plain", "not found")),
        Verdict::NotFound
    );
    assert_eq!(
        judge_list(&resp(410, "text/plain", "gone")),
        Verdict::NotFound
    );
    assert_eq!(judge_list(&resp(503, "text/plain", "")), Verdict::Status);
    assert!(
        matches!(judge_list(&resp(200, "text/html", "<html>Please sign in</html>")), Verdict::NotProtocol(d) if d.contains("sign in"))
    );
    assert!(matches!(
        judge_list(&resp(200, "text/plain", "<!DOCTYPE html><html>")),
        Verdict::NotProtocol(_)
    ));
    let mut redirect = resp(302, "text/html", "");
    redirect.location = Some("http://portal.example/login".into());
    assert!(matches!(judge_list(&redirect), Verdict::NotProtocol(d) if d.contains("insecure")));
}

#[test]
fn finds_go_import_meta_tags() {
    let body = r#"<html><head><meta name="go-import" content="git.corp.example/team/repo git https://git.corp.example/team/repo.git"><meta name='go-source' content='x'></head></html>"#;
    assert_eq!(
        go_import(body, "git.corp.example/team/repo/sub"),
        Some((
            "git.corp.example/team/repo".into(),
            "git".into(),
            "https://git.corp.example/team/repo.git".into()
        ))
    );
    assert_eq!(go_import(body, "git.corp.example/team/repository"), None);
    assert_eq!(go_import("<html>login</html>", "a.example/b"), None);
}
