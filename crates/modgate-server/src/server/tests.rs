//! Redacting upstream credentials for logs.

use super::*;

#[test]
fn userinfo_is_redacted_and_separators_kept() {
    assert_eq!(
        redact_userinfo("https://proxy.golang.org,direct"),
        "https://proxy.golang.org,direct"
    );
    assert_eq!(
        redact_userinfo("https://ci:s3cret@goproxy.corp/x|https://tok@m.example,off"),
        "https://xxxxx@goproxy.corp/x|https://xxxxx@m.example,off"
    );
    // An @ in the path is not user information.
    assert_eq!(
        redact_userinfo("https://h.example/a@b"),
        "https://h.example/a@b"
    );
    assert_eq!(redact_userinfo(""), "");
}
