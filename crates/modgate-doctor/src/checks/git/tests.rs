use super::*;

#[test]
fn static_repository_urls() {
    assert_eq!(
        static_repo_url("github.com/acme/lib/v2/sub"),
        Some("https://github.com/acme/lib".into())
    );
    assert_eq!(
        static_repo_url("git.corp.example/team/repo.git/sub"),
        Some("https://git.corp.example/team/repo.git".into())
    );
    assert_eq!(static_repo_url("git.corp.example/team/repo"), None);
    assert_eq!(static_repo_url("github.com/acme"), None);
}

#[test]
fn instead_of_rewrites() {
    let rules = parse_instead_of(
        "url.git@github.com:.insteadof https://github.com/\nurl.ssh://git@corp/.insteadof https://corp/team/\nurl.x.insteadof https://corp/\n",
    );
    assert_eq!(
        apply_instead_of("https://github.com/a/b", &rules),
        Some(("git@github.com:a/b".into(), "https://github.com/".into()))
    );
    // The longest matching prefix wins.
    assert_eq!(
        apply_instead_of("https://corp/team/r", &rules).map(|r| r.0),
        Some("ssh://git@corp/r".into())
    );
    assert_eq!(apply_instead_of("https://other/r", &rules), None);
}

#[test]
fn classifies_git_and_ssh_texts() {
    assert_eq!(
        classify(
            "fatal: could not read Username for 'https://git.corp': terminal prompts disabled"
        ),
        Some(Code::GitHttpsAuth)
    );
    assert_eq!(
        classify("git@github.com: Permission denied (publickey)."),
        Some(Code::GitSshAuth)
    );
    assert_eq!(
        classify("Host key verification failed.\nfatal: Could not read from remote repository."),
        Some(Code::GitHostKey)
    );
    assert_eq!(
        classify("fatal: unable to access 'https://x/': Could not resolve host: x"),
        None
    );
    assert_eq!(
        key_line("a\n\nfatal: could not read Username for 'x': terminal prompts disabled\nmore\n"),
        "fatal: could not read Username for 'x': terminal prompts disabled"
    );
}

#[test]
fn ssh_hosts() {
    assert_eq!(
        ssh_host("ssh://git@10.0.0.7:2222/r.git"),
        Some(("10.0.0.7".into(), Some(2222)))
    );
    assert_eq!(
        ssh_host("git@github.com:a/b"),
        Some(("github.com".into(), None))
    );
    assert_eq!(
        ssh_host("ssh://[fd00::7]:22/r"),
        Some(("fd00::7".into(), Some(22)))
    );
    assert_eq!(ssh_host("https://github.com/a/b"), None);
}
