//! Which operating system printed the error, read from the error text itself.
//!
//! Go prints the operating system's own errno and Winsock messages
//! (`syscall/zerrors_*.go`, Windows' FormatMessage), so the same failure reads
//! differently per platform: ENOTCONN is `socket is not connected` on
//! darwin and the BSDs but `transport endpoint is not connected` on Linux;
//! ETIMEDOUT is `operation timed out` on darwin/BSD and `connection timed
//! out` on Linux; Windows says `wsarecv: An existing connection was forcibly
//! closed by the remote host`. Toolchain messages name GOOS/GOARCH outright.
//! Weak hints (home directory paths) are used only when nothing stronger is
//! present.

use serde::Serialize;

/// The operating system family a text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    /// macOS, iOS, FreeBSD, OpenBSD, NetBSD: they share errno texts.
    Darwin,
    Windows,
}

impl Os {
    pub fn as_str(self) -> &'static str {
        match self {
            Os::Linux => "linux",
            Os::Darwin => "darwin",
            Os::Windows => "windows",
        }
    }

    /// How a reader would name it.
    pub fn describe(self) -> &'static str {
        match self {
            Os::Linux => "Linux",
            Os::Darwin => "macOS or BSD",
            Os::Windows => "Windows",
        }
    }
}

/// The detected platform with the text that gave it away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Platform {
    pub os: Os,
    /// The exact words in the input that identify the platform.
    pub evidence: String,
    /// What those words are (e.g. "the darwin/BSD text of ENOTCONN").
    pub reason: &'static str,
}

/// Signals in priority order: the first group that matches wins. Windows
/// comes first because its ENOTCONN message also contains "socket is not
/// connected".
const SIGNALS: &[(Os, &str, &str)] = &[
    (Os::Windows, "wsarecv:", "a Winsock receive error"),
    (Os::Windows, "wsasend:", "a Winsock send error"),
    (Os::Windows, "wsaioctl:", "a Winsock error"),
    (Os::Windows, "connectex:", "a Winsock connect error"),
    (Os::Windows, "getaddrinfow:", "the Windows resolver"),
    (
        Os::Windows,
        "An existing connection was forcibly closed by the remote host",
        "the Windows text of WSAECONNRESET",
    ),
    (
        Os::Windows,
        "No connection could be made because the target machine actively refused it",
        "the Windows text of WSAECONNREFUSED",
    ),
    (
        Os::Windows,
        "A connection attempt failed because the connected party did not properly respond",
        "the Windows text of WSAETIMEDOUT",
    ),
    (
        Os::Windows,
        "A socket operation was attempted to an unreachable",
        "the Windows text of WSAENETUNREACH/WSAEHOSTUNREACH",
    ),
    (
        Os::Windows,
        "An established connection was aborted by the software in your host machine",
        "the Windows text of WSAECONNABORTED",
    ),
    (Os::Windows, "for windows/", "the toolchain's GOOS"),
    (Os::Windows, "(windows/", "the toolchain's GOOS"),
    (
        Os::Darwin,
        "socket is not connected",
        "the darwin/BSD text of ENOTCONN (errno 57); Linux prints \"transport endpoint is not connected\"",
    ),
    (
        Os::Darwin,
        "operation timed out",
        "the darwin/BSD text of ETIMEDOUT; Linux prints \"connection timed out\"",
    ),
    (Os::Darwin, "%utun", "a macOS tunnel (VPN) interface"),
    (
        Os::Darwin,
        "nodename nor servname provided",
        "the darwin/BSD getaddrinfo text",
    ),
    (
        Os::Darwin,
        "certificate is not trusted",
        "the macOS certificate verifier",
    ),
    (Os::Darwin, "for darwin/", "the toolchain's GOOS"),
    (Os::Darwin, "(darwin/", "the toolchain's GOOS"),
    (Os::Darwin, "for freebsd/", "the toolchain's GOOS"),
    (Os::Darwin, "(freebsd/", "the toolchain's GOOS"),
    (
        Os::Linux,
        "transport endpoint is not connected",
        "the Linux text of ENOTCONN (errno 107); macOS prints \"socket is not connected\"",
    ),
    (
        Os::Linux,
        "connection timed out",
        "the Linux text of ETIMEDOUT; macOS prints \"operation timed out\"",
    ),
    (Os::Linux, "for linux/", "the toolchain's GOOS"),
    (Os::Linux, "(linux/", "the toolchain's GOOS"),
    (
        Os::Linux,
        "Name or service not known",
        "the glibc getaddrinfo text",
    ),
    (
        Os::Linux,
        "Temporary failure in name resolution",
        "the glibc getaddrinfo text",
    ),
];

/// Weak hints, used only when no signal above is present.
const HINTS: &[(Os, &str, &str)] = &[
    (Os::Windows, ":\\Users\\", "a Windows home directory"),
    (Os::Windows, "\\AppData\\", "a Windows profile directory"),
    (Os::Darwin, "/Users/", "a macOS home directory"),
    (Os::Darwin, "/Library/Caches/", "a macOS cache directory"),
    (Os::Linux, "/home/", "a Linux home directory"),
];

/// Detects the platform, or `None` when the text does not say.
pub fn detect(text: &str) -> Option<Platform> {
    let lower = text.to_ascii_lowercase();
    for table in [SIGNALS, HINTS] {
        for &(os, needle, reason) in table {
            // Errno texts vary in case between Go ("connection timed out")
            // and curl/ssh ("Connection timed out"); compare case-insensitively.
            if let Some(i) = lower.find(&needle.to_ascii_lowercase()) {
                let mut end = i + needle.len();
                // `(linux/` → `(linux/amd64)`: show the whole GOOS/GOARCH.
                if needle.ends_with('/') {
                    end += text[end..]
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == ')'))
                        .unwrap_or(text.len() - end);
                }
                let evidence = text.get(i..end).unwrap_or(needle);
                return Some(Platform {
                    os,
                    evidence: evidence.to_string(),
                    reason,
                });
            }
        }
    }
    None
}
