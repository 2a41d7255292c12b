//! What a server's certificate chain says about who answered: subject, issuer,
//! validity, names, and whether the issuer is a known TLS-interception product
//! (corporate proxies and antivirus re-sign every site with their own CA,
//! peers.md B.1d item 5).

use rustls_pki_types::CertificateDer;
use x509_parser::prelude::*;

/// Issuer name fragments of interception products, with the product's name.
pub const INTERCEPTORS: &[(&str, &str)] = &[
    ("zscaler", "Zscaler"),
    ("netskope", "Netskope"),
    ("palo alto", "Palo Alto Networks"),
    ("fortinet", "Fortinet FortiGate"),
    ("fortigate", "Fortinet FortiGate"),
    ("forcepoint", "Forcepoint"),
    ("websense", "Forcepoint (Websense)"),
    ("blue coat", "Symantec Blue Coat"),
    ("bluecoat", "Symantec Blue Coat"),
    ("cisco umbrella", "Cisco Umbrella"),
    ("cisco", "Cisco"),
    ("sophos", "Sophos"),
    ("check point", "Check Point"),
    ("checkpoint", "Check Point"),
    ("mcafee", "McAfee / Skyhigh"),
    ("skyhigh", "Skyhigh Security"),
    ("kaspersky", "Kaspersky"),
    ("eset", "ESET"),
    ("avast", "Avast"),
    ("avg ", "AVG"),
    ("bitdefender", "Bitdefender"),
    ("trend micro", "Trend Micro"),
    ("barracuda", "Barracuda"),
    ("cloudflare for teams", "Cloudflare Gateway"),
    ("gateway ca - cloudflare", "Cloudflare Gateway"),
    ("menlo", "Menlo Security"),
    ("iboss", "iboss"),
    ("squid", "Squid ssl-bump"),
    ("mitmproxy", "mitmproxy"),
    ("charles proxy", "Charles Proxy"),
    ("fiddler", "Fiddler"),
    ("portswigger", "Burp Suite"),
    ("burp", "Burp Suite"),
];

/// One certificate, summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// Whether `not_after` is in the past (or `not_before` in the future).
    pub out_of_validity: bool,
    pub dns_names: Vec<String>,
    pub ip_names: Vec<String>,
}

/// Parses a chain (leaf first); unparseable certificates are skipped.
pub fn describe(chain: &[CertificateDer<'_>]) -> Vec<CertInfo> {
    chain
        .iter()
        .filter_map(|der| {
            let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
            let mut dns_names = Vec::new();
            let mut ip_names = Vec::new();
            if let Ok(Some(san)) = cert.subject_alternative_name() {
                for n in &san.value.general_names {
                    match n {
                        GeneralName::DNSName(d) => dns_names.push(d.to_string()),
                        GeneralName::IPAddress(b) => ip_names.push(ip_text(b)),
                        _ => {}
                    }
                }
            }
            let validity = cert.validity();
            Some(CertInfo {
                subject: cert.subject().to_string(),
                issuer: cert.issuer().to_string(),
                not_before: validity.not_before.to_string(),
                not_after: validity.not_after.to_string(),
                out_of_validity: !validity.is_valid(),
                dns_names,
                ip_names,
            })
        })
        .collect()
}

fn ip_text(b: &[u8]) -> String {
    match b.len() {
        4 => std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => format!("{b:02x?}"),
    }
}

/// The interception product named by any issuer or subject in the chain.
pub fn interceptor(chain: &[CertInfo]) -> Option<&'static str> {
    chain.iter().find_map(|c| {
        let text = format!("{} {}", c.issuer, c.subject).to_ascii_lowercase();
        INTERCEPTORS
            .iter()
            .find(|(frag, _)| text.contains(frag))
            .map(|(_, name)| *name)
    })
}
