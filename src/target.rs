//! The target: the server under test, its recipient's key, its fixtures, and how to reach it.

use std::fmt;

use reqwest::Url;

use std::sync::Arc;

use crate::error::Error;
use crate::evidence::{Recording, Replay};
use crate::fixtures::Fixtures;
use crate::http::TlsOptions;
use crate::plan::LifecyclePlan;
use crate::plan::Provision;
use crate::secret::{ApiKey, Redactor};

/// A server under test, reached over the network.
///
/// ```
/// use share_conformance::{Fixtures, Target};
///
/// let fixtures = Fixtures::parse("[tokens]\nlive = \"shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c\"\n")?;
/// let target = Target::new("http://127.0.0.1:8080", fixtures)?.api_key("ak_0123")?;
/// assert_eq!(target.origin(), "http://127.0.0.1:8080");
/// # Ok::<(), share_conformance::Error>(())
/// ```
#[derive(Clone)]
pub struct Target {
    base_url: Url,
    api_key: Option<ApiKey>,
    fixtures: Fixtures,
    provision: Option<Provision>,
    tls: TlsOptions,
    plain_http_to_others: bool,
    description: Option<String>,
    /// Re-grading: the recorded run's answers, instead of the network.
    replay: Option<Arc<Replay>>,
    /// Re-grading: the recorded run's target.
    recorded_origin: Option<String>,
    /// When re-grading: the lifecycles the recorded run made.
    recorded_lifecycle: Option<LifecyclePlan>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &self.api_key)
            .field("fixtures", &self.fixtures)
            .field("provision", &self.provision)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// A server at `base_url` holding `fixtures`; the recipient's key is the fixtures'
    /// `api_key`, if they have one. The URL is `http` or `https`, with a host, and no
    /// credentials, query or fragment: the endpoint's path is appended to it.
    pub fn new(base_url: &str, fixtures: Fixtures) -> Result<Self, Error> {
        Ok(Self {
            base_url: parse_base_url(base_url)?,
            api_key: fixtures.api_key.clone(),
            fixtures,
            provision: None,
            tls: TlsOptions::default(),
            plain_http_to_others: false,
            description: None,
            replay: None,
            recorded_origin: None,
            recorded_lifecycle: None,
        })
    }

    /// The same target with this recipient's key.
    pub fn api_key(self, key: &str) -> Result<Self, Error> {
        Ok(self.with_api_key(ApiKey::new(key)?))
    }

    /// The same target with this recipient's key.
    pub fn with_api_key(mut self, key: ApiKey) -> Self {
        self.api_key = Some(key);
        self
    }

    /// The same target with no recipient's key: the scenarios that need one are NOT-TESTABLE.
    pub fn without_api_key(mut self) -> Self {
        self.api_key = None;
        self
    }

    /// Makes fixtures through the documented API before the run.
    pub fn provision(mut self, plan: Provision) -> Self {
        self.provision = Some(plan);
        self
    }

    /// Also trusts the CA certificates in this PEM bundle (a private CA).
    pub fn trust_certificates(mut self, pem: &[u8]) -> Result<Self, Error> {
        self.tls.extra_roots.extend(TlsOptions::parse_roots(pem)?);
        Ok(self)
    }

    /// Does not verify the target's TLS certificate. Every run then warns, and its report
    /// and certificate say the target's identity is unproven.
    pub fn insecure(mut self) -> Self {
        self.tls.insecure = true;
        self
    }

    /// Allows the key over plain `http` to a host other than this machine (refused otherwise).
    pub fn allow_plain_http(mut self) -> Self {
        self.plain_http_to_others = true;
        self
    }

    /// Says what the target is, in every report (`embedded reference server`).
    pub fn describe(mut self, description: &str) -> Self {
        self.description = Some(description.to_owned());
        self
    }

    /// Sets the recipient's organization (`org_…`), for the library checks.
    pub fn recipient_organization(mut self, organization: &str) -> Result<Self, Error> {
        if !organization.starts_with("org_") {
            return Err(Error::Fixtures {
                path: None,
                reason: format!(
                    "the recipient's organization {organization:?}: ids of this kind start with `org_`"
                ),
            });
        }
        self.fixtures.recipient.organization_id = Some(organization.to_owned());
        Ok(self)
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }

    /// The base URL, parsed.
    pub(crate) fn url(&self) -> &Url {
        &self.base_url
    }

    /// `https://staging.example.com:8443`: scheme, host and port, for reports.
    pub fn origin(&self) -> String {
        match &self.recorded_origin {
            Some(origin) => origin.clone(),
            None => self.base_url.origin().ascii_serialization(),
        }
    }

    /// A recorded run's target: every request is answered from `recording`, none is sent.
    pub(crate) fn recorded(recording: &Recording, origin: &str) -> Self {
        let base = format!(
            "{origin}{}/",
            recording.settings.base_path.as_deref().unwrap_or_default()
        );
        let fixtures = recording.fixtures.stand_in();
        Self {
            // Never contacted (every request is answered from the recording), but named, so
            // the `curl` commands a re-grade prints send to the recorded target.
            base_url: Url::parse(&base)
                .ok()
                .filter(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
                .unwrap_or_else(|| Url::parse("http://recorded.invalid/").expect("a valid URL")),
            // Stands for the recorded key, which the recording never holds.
            api_key: recording
                .fixtures
                .api_key
                .then(|| ApiKey::new("ak_recorded").expect("a valid key")),
            fixtures,
            provision: None,
            tls: TlsOptions::default(),
            plain_http_to_others: true,
            description: Some("re-graded from its recording".into()),
            replay: Some(Arc::new(Replay::new(&recording.exchanges))),
            recorded_origin: Some(origin.to_owned()),
            recorded_lifecycle: recording.fixtures.lifecycle_stand_in(),
        }
    }

    /// The lifecycles a re-grade makes again from the recording, if the run made them.
    pub(crate) fn recorded_lifecycle(&self) -> Option<LifecyclePlan> {
        self.recorded_lifecycle.clone()
    }

    /// The recording that answers this target's requests, when re-grading.
    pub(crate) fn replay(&self) -> Option<Arc<Replay>> {
        self.replay.clone()
    }

    /// What [`Target::describe`] said.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The fixtures.
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    /// The recipient's key, if any.
    pub(crate) fn key(&self) -> Option<&ApiKey> {
        self.api_key.as_ref()
    }

    /// The provisioning plan, if any.
    pub(crate) fn provisioning(&self) -> Option<&Provision> {
        self.provision.as_ref()
    }

    /// How TLS is verified.
    pub(crate) fn tls(&self) -> &TlsOptions {
        &self.tls
    }

    /// Whether the target's TLS certificate is verified.
    pub fn verifies_tls(&self) -> bool {
        !self.tls.insecure
    }

    /// A redactor for every key this target holds: the recipient's and the sharer's.
    pub fn redactor(&self) -> Redactor {
        Redactor::new(
            self.api_key
                .iter()
                .chain(self.provision.iter().map(|p| &p.sharer_key)),
        )
    }

    /// Refuses a key over plain http to another host, unless allowed.
    pub(crate) fn check_transport(&self) -> Result<(), Error> {
        let carries_a_key = self.api_key.is_some() || self.provision.is_some();
        if self.base_url.scheme() == "http"
            && carries_a_key
            && !is_loopback(&self.base_url)
            && !self.plain_http_to_others
        {
            return Err(Error::PlainHttp {
                host: self.base_url.host_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(())
    }
}

/// Parses and checks a base URL: `http` or `https`, a host, no credentials, query or fragment.
fn parse_base_url(text: &str) -> Result<Url, Error> {
    let wrong = |reason: String| Error::BaseUrl {
        url: text.to_owned(),
        reason,
    };
    // Credentials in a URL end up in logs and reports: they are refused before the URL is
    // echoed anywhere, and the error never repeats it.
    let url = Url::parse(text).map_err(|e| wrong(format!("is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::BaseUrl {
            url: format!(
                "{}://…@{}",
                url.scheme(),
                url.host_str().unwrap_or_default()
            ),
            reason: "must not contain credentials: give the key separately".into(),
        });
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(wrong(format!(
            "must be http or https, not {:?}",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(wrong("has no host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(wrong(
            "must not have a query or fragment: paths are appended to it".into(),
        ));
    }
    Ok(url)
}

/// Whether `url` names this machine: `localhost`, `*.localhost`, 127.0.0.0/8 or `::1`. Plain
/// http is allowed there with a key, since nothing crosses a network.
fn is_loopback(url: &Url) -> bool {
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
    fn a_key_never_travels_over_plain_http_to_another_host_unless_allowed() {
        let remote = Target::new("http://example.com", Fixtures::default())
            .unwrap()
            .api_key("ak_key")
            .unwrap();
        assert!(matches!(
            remote.check_transport(),
            Err(Error::PlainHttp { .. })
        ));
        assert!(remote.allow_plain_http().check_transport().is_ok());
        let local = Target::new("http://127.0.0.1:9", Fixtures::default())
            .unwrap()
            .api_key("ak_key")
            .unwrap();
        assert!(local.check_transport().is_ok());
        let keyless = Target::new("http://example.com", Fixtures::default()).unwrap();
        assert!(keyless.check_transport().is_ok());
    }

    #[test]
    fn origin_is_scheme_host_port() {
        let target =
            Target::new("https://staging.example.com:8443/api", Fixtures::default()).unwrap();
        assert_eq!(target.origin(), "https://staging.example.com:8443");
    }
}
