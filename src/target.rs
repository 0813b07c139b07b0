//! The target: the server under test, with its key and fixtures, or the embedded reference server.

use std::fmt;

use anyhow::{anyhow, bail};
use reqwest::Url;

use crate::fixtures::Fixtures;
use crate::http::TlsOptions;
use crate::provision::ProvisionPlan;
use crate::reference::{ReferenceServer, ServerOptions};
use crate::secret::{ApiKey, Redactor};

/// What a run is pointed at.
#[derive(Debug, Clone)]
pub enum Target {
    /// The embedded reference server, started in-process on `127.0.0.1:0`, with its own
    /// seeded fixtures and key.
    Embedded(ServerOptions),
    /// A server somewhere else.
    Remote(Box<RemoteTarget>),
}

/// A server under test reached over the network.
#[derive(Clone)]
pub struct RemoteTarget {
    /// Base URL; the endpoint is `{base}/v1/music/shared/{token}/save`.
    pub base_url: Url,
    /// The recipient's key; scenarios that need it are NOT-TESTABLE without it.
    pub api_key: Option<ApiKey>,
    /// Tokens in each state; a missing one makes its scenarios NOT-TESTABLE.
    pub fixtures: Fixtures,
    /// Fixtures to make through the documented API before the run, if any.
    pub provision: Option<ProvisionPlan>,
    /// How TLS is verified.
    pub tls: TlsOptions,
}

impl fmt::Debug for RemoteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTarget")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &self.api_key)
            .field("fixtures", &self.fixtures)
            .field("provision", &self.provision)
            .field("tls", &self.tls)
            .finish()
    }
}

impl RemoteTarget {
    /// A server at `base_url` holding `fixtures`; the key is the fixtures' `api_key`, if any.
    pub fn new(base_url: &str, fixtures: Fixtures) -> anyhow::Result<Self> {
        Ok(Self {
            base_url: parse_base_url(base_url)?,
            api_key: fixtures.api_key.clone(),
            fixtures,
            provision: None,
            tls: TlsOptions::default(),
        })
    }

    /// The same target with this recipient key.
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }
}

impl From<RemoteTarget> for Target {
    fn from(remote: RemoteTarget) -> Self {
        Target::Remote(Box::new(remote))
    }
}

/// A target made concrete: where it is, its keys and fixtures, and the embedded server if it
/// is the one (it lives as long as this value).
pub struct Connected {
    /// Where the target is and what it holds (for the embedded server: its seeded fixtures).
    pub remote: RemoteTarget,
    server: Option<ReferenceServer>,
}

impl Target {
    /// Starts the embedded server if this is it; a remote target needs nothing started.
    pub async fn connect(&self) -> anyhow::Result<Connected> {
        match self {
            Target::Embedded(options) => {
                let server = ReferenceServer::start(options.clone())
                    .await
                    .map_err(|e| anyhow!("cannot start the embedded reference server: {e}"))?;
                Ok(Connected {
                    remote: RemoteTarget::new(&server.base_url(), server.fixtures())?,
                    server: Some(server),
                })
            }
            Target::Remote(remote) => Ok(Connected {
                remote: (**remote).clone(),
                server: None,
            }),
        }
    }
}

impl Connected {
    /// Whether this is the embedded reference server.
    pub fn is_embedded(&self) -> bool {
        self.server.is_some()
    }

    /// Scheme, host and port, for reports.
    pub fn origin(&self) -> String {
        origin(&self.remote.base_url)
    }

    /// A redactor for every key this target holds: the recipient's and the sharer's.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(
            self.remote
                .api_key
                .iter()
                .chain(self.remote.provision.iter().map(|p| &p.sharer_key)),
        )
    }

    /// Stops the embedded server, if any, once its open requests finish.
    pub async fn close(self) {
        if let Some(server) = self.server {
            // A failing shutdown changes nothing the run found.
            let _ = server.shutdown().await;
        }
    }
}

/// Parses and checks a base URL: `http` or `https`, a host, no credentials, query or fragment.
pub fn parse_base_url(text: &str) -> anyhow::Result<Url> {
    let url = Url::parse(text).map_err(|e| anyhow!("--base-url {text:?} is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!(
            "--base-url {text:?}: the scheme must be http or https, not {:?}",
            url.scheme()
        );
    }
    if url.host_str().is_none_or(str::is_empty) {
        bail!("--base-url {text:?} has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and reports; the key goes in --api-key.
        bail!(
            "--base-url must not contain credentials: give the key with --api-key or FREDDY_API_KEY"
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("--base-url {text:?} must not have a query or fragment: paths are appended to it");
    }
    Ok(url)
}

/// Whether `url` names this machine: `localhost`, `*.localhost`, 127.0.0.0/8 or `::1`. Plain
/// http is allowed there with a key, since nothing crosses a network.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `https://staging.example.com:8443`: scheme, host and port, for reports.
pub fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked() {
        assert!(parse_base_url("https://staging.example.com/api").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        for bad in [
            "staging.example.com",
            "ftp://x",
            "http://",
            "https://u:p@x",
            "http://x/?a=1",
            "http://x/#f",
            "::",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
        let err = parse_base_url("https://u:secret@x")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[test]
    fn loopback_hosts() {
        for yes in [
            "http://localhost:1",
            "http://api.localhost",
            "http://127.0.0.1",
            "http://127.8.9.1",
            "http://[::1]:8080",
        ] {
            assert!(is_loopback(&parse_base_url(yes).unwrap()), "{yes}");
        }
        for no in [
            "http://example.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
            "http://0.0.0.0",
        ] {
            assert!(!is_loopback(&parse_base_url(no).unwrap()), "{no}");
        }
    }

    #[test]
    fn origin_is_scheme_host_port() {
        let url = parse_base_url("https://staging.example.com:8443/api").unwrap();
        assert_eq!(origin(&url), "https://staging.example.com:8443");
    }
}
