use super::*;

#[test]
fn private_looking_hosts() {
    for h in [
        "10.1.2.3",
        "gitlab",
        "git.corp.example.com",
        "gitlab.acme.io",
        "code.internal",
        "svc.corp",
        "repo.home.arpa",
        "github.acme.com",
        "dev.azure.com",
        "x.local",
    ] {
        assert!(looks_private_host(h), "{h}");
    }
    for h in [
        "github.com",
        "golang.org",
        "gopkg.in",
        "example.com",
        "go.uber.org",
        "git.sr.ht",
        "gitlab.com",
        "rsc.io",
    ] {
        assert!(!looks_private_host(h), "{h}");
    }
}
