//! Preflight: can a run against this target mean anything? Reachability (DNS, TCP, TLS, HTTP),
//! whether the keys authenticate, whether each fixture token is in the state it claims (seen
//! through the public resolve), whether the recipient's library can be listed, whether the live
//! share's track is already in it (a save may then be a repeat), and how far the target's clock
//! is from ours.
//!
//! ```no_run
//! # async fn example(target: share_conformance::Target) -> Result<(), share_conformance::Error> {
//! use std::time::Duration;
//! use share_conformance::{doctor, render};
//!
//! let diagnosis = doctor::examine(&target, Duration::from_secs(10)).await?;
//! print!("{}", render::diagnosis(&target, &diagnosis));
//! assert!(diagnosis.healthy(), "a run now would mislead");
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::error::Error;
use crate::exchange::{Exchange, status_text};
use crate::exchange::{Extras, KeyHeader};
use crate::fixtures::{Fixtures, ShareState};
use crate::http::HttpClient;
use crate::random;
use crate::secret::ApiKey;
use crate::target::Target;

/// Clock skew beyond which time checks misjudge when a target sends no `Date` (ERR-TIMESTAMP-NOW
/// allows 5 minutes).
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Fine.
    Pass,
    /// The run would be meaningless or misleading until this is fixed.
    Fail,
    /// Not checked, or nothing to check; a run is still meaningful.
    Skip,
    /// Worth knowing: a run is meaningful, but some verdicts may be NOT-TESTABLE.
    Warn,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pass => "✓",
            Self::Fail => "✗",
            Self::Skip => "-",
            Self::Warn => "!",
        })
    }
}

/// One line of the diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// How it came out.
    pub mark: Mark,
    /// What was checked: `reachable`, `api key`, `revoked token`, …
    pub what: String,
    /// What was seen.
    pub detail: String,
    /// What to do about a failure.
    pub hint: Option<String>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.mark, self.what, self.detail)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n    hint: {hint}")?;
        }
        Ok(())
    }
}

/// Every finding, in order.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Diagnosis {
    /// What was found, in order.
    pub findings: Vec<Finding>,
    /// Whether the target could not be reached at all (the later checks were not made).
    pub unreachable: bool,
}

impl Diagnosis {
    /// Whether a run against the target can be meaningful: no check failed.
    pub fn healthy(&self) -> bool {
        !self.findings.iter().any(|c| c.mark == Mark::Fail)
    }

    fn push(&mut self, mark: Mark, what: &str, detail: impl Into<String>, hint: Option<&str>) {
        self.findings.push(Finding {
            mark,
            what: what.to_owned(),
            detail: detail.into(),
            hint: hint.map(str::to_owned),
        });
    }
}

/// What the sharer's side of a target is, for checking its key.
struct SharerCheck<'a> {
    /// The sharer's key.
    key: &'a ApiKey,
    /// The sharer's organization.
    organization: &'a str,
    /// The track provisioning shares for the live fixture, if it makes one.
    live_track: Option<&'a str>,
    /// The states provisioning makes before a run: present, whatever the fixtures say.
    states: &'a [ShareState],
}

/// Diagnoses `target`, each request bounded by `timeout`. Errors only when no request can be
/// made at all (a key over plain http to another host, an HTTP client that cannot be built);
/// an unreachable target is a diagnosis.
pub async fn examine(target: &Target, timeout: Duration) -> Result<Diagnosis, Error> {
    target.check_transport()?;
    let http = HttpClient::with_tls(target.url().clone(), timeout, target.tls())?
        .with_redactor(target.redactor());
    let sharer = target.provisioning().map(|plan| SharerCheck {
        key: &plan.sharer_key,
        organization: &plan.organization,
        live_track: plan
            .states
            .contains(&ShareState::Live)
            .then_some(plan.track.as_deref())
            .flatten(),
        states: &plan.states,
    });
    Ok(diagnose(&http, timeout, target.key(), target.fixtures(), sharer).await)
}

/// Diagnoses the target behind `http`.
async fn diagnose(
    http: &HttpClient,
    timeout: Duration,
    api_key: Option<&ApiKey>,
    fixtures: &Fixtures,
    sharer: Option<SharerCheck<'_>>,
) -> Diagnosis {
    let mut diagnosis = Diagnosis::default();
    let Some(root) = reachability(http, timeout, &mut diagnosis).await else {
        diagnosis.unreachable = true;
        return diagnosis;
    };
    clock_skew(&root, &mut diagnosis);
    recipient_key(http, api_key, fixtures, &mut diagnosis).await;
    if let Some(sharer) = &sharer {
        sharer_key(http, sharer, &mut diagnosis).await;
    }
    let mut live_track = sharer
        .as_ref()
        .and_then(|s| s.live_track)
        .map(str::to_owned);
    let provisioned = sharer.as_ref().map_or(&[][..], |s| s.states);
    for state in ShareState::ALL {
        if provisioned.contains(&state) {
            diagnosis.push(
                Mark::Pass,
                &format!("{state} token"),
                "provisioning makes a fresh one before the run (not made now: doctor changes nothing)",
                None,
            );
            continue;
        }
        let seen = token_state(http, state, fixtures.tokens.get(state), &mut diagnosis).await;
        if state == ShareState::Live && live_track.is_none() {
            live_track = fixtures.expected.track_id.clone().or(seen);
        }
    }
    library(
        http,
        api_key,
        fixtures,
        live_track.as_deref(),
        provisioned.contains(&ShareState::Live),
        &mut diagnosis,
    )
    .await;
    diagnosis
}

/// List saved tracks with the recipient's key: the library checks need it. When the live
/// share's track is already there, the run's first save may be a repeat.
async fn library(
    http: &HttpClient,
    api_key: Option<&ApiKey>,
    fixtures: &Fixtures,
    live_track: Option<&str>,
    live_provisioned: bool,
    diagnosis: &mut Diagnosis,
) {
    let Some(organization) = fixtures.recipient.organization_id.as_deref() else {
        diagnosis.push(
            Mark::Skip,
            "library",
            "the fixtures name no recipient organization: SAVE-LIBRARY-ADDED and SAVE-REFUSED-ADDS-NOTHING will be NOT-TESTABLE, and a certificate needs them",
            Some("put the recipient's organization in [recipient] organization_id, or give --recipient-organization"),
        );
        return;
    };
    let Some(key) = api_key else {
        diagnosis.push(
            Mark::Skip,
            "library",
            "no API key to list the recipient's library with",
            None,
        );
        return;
    };
    let label = "GET /v1/music/{recipient organization}/tracks (List saved tracks)".to_owned();
    let response = http
        .send_with(
            Method::GET,
            &["v1", "music", organization, "tracks"],
            Extras {
                query: &[("limit", "100")],
                body: None,
            },
            KeyHeader::Key(key),
            label,
        )
        .await;
    let tracks = match response
        .map_err(|e| e.to_string())
        .and_then(|r| crate::checks::library_page(&r).map_err(|f| f.message().to_owned()))
    {
        Ok(tracks) => tracks,
        Err(why) => {
            diagnosis.push(
                Mark::Fail,
                "library",
                format!("List saved tracks did not answer the documented list: {}", first_line(&why)),
                Some("check [recipient] organization_id (the recipient's own organization) and the recipient's key"),
            );
            return;
        }
    };
    diagnosis.push(
        Mark::Pass,
        "library",
        format!(
            "List saved tracks answers {} track(s) for the recipient",
            tracks.len()
        ),
        None,
    );
    if let Some(track) = live_track
        && tracks.iter().any(|t| t == track)
    {
        if live_provisioned {
            diagnosis.push(
                Mark::Warn,
                "live share",
                format!(
                    "its track {track} is already in the recipient's library (an earlier run saved it): the run saves a fresh share of it; a target that keeps one library entry per track cannot show what that save adds, and then SAVE-LIBRARY-ADDED is NOT-TESTABLE"
                ),
                Some("share a track the recipient has not saved (--track), or use a fresh recipient"),
            );
        } else {
            diagnosis.push(
                Mark::Warn,
                "live share",
                format!(
                    "its track {track} is already in the recipient's library: if this live token was saved before, the run's first save is a repeat, which the docs leave open, and the checks that fail on it will be NOT-TESTABLE"
                ),
                Some("mint a fresh live share for each run: --provision live"),
            );
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// DNS, TCP, then an HTTP request (TLS included for https). The root response, if any.
async fn reachability(
    http: &HttpClient,
    timeout: Duration,
    diagnosis: &mut Diagnosis,
) -> Option<Exchange> {
    let url: &Url = http.base();
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_matches(|c| c == '[' || c == ']')
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(80);
    let address = match host.parse::<std::net::IpAddr>() {
        Err(_) => {
            let lookup =
                tokio::time::timeout(timeout, tokio::net::lookup_host((host.as_str(), port))).await;
            match lookup {
                Ok(Ok(mut addresses)) => match addresses.next() {
                    Some(address) => {
                        diagnosis.push(
                            Mark::Pass,
                            "dns",
                            format!("{host} resolves to {}", address.ip()),
                            None,
                        );
                        address
                    }
                    None => {
                        diagnosis.push(
                            Mark::Fail,
                            "dns",
                            format!("{host} resolves to no address"),
                            Some("check the host name in --base-url"),
                        );
                        return None;
                    }
                },
                Ok(Err(e)) => {
                    diagnosis.push(
                        Mark::Fail,
                        "dns",
                        format!("{host} does not resolve: {e}"),
                        Some("check the host name in --base-url and this machine's resolver"),
                    );
                    return None;
                }
                Err(_) => {
                    diagnosis.push(
                        Mark::Fail,
                        "dns",
                        format!(
                            "looking up {host} took longer than {} s",
                            timeout.as_secs_f64()
                        ),
                        None,
                    );
                    return None;
                }
            }
        }
        Ok(ip) => {
            diagnosis.push(
                Mark::Skip,
                "dns",
                format!("{ip} is an address: nothing to look up"),
                None,
            );
            std::net::SocketAddr::new(ip, port)
        }
    };
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(address)).await {
        Ok(Ok(_)) => diagnosis.push(
            Mark::Pass,
            "tcp",
            format!("{address} accepts connections"),
            None,
        ),
        Ok(Err(e)) => {
            diagnosis.push(
                Mark::Fail,
                "tcp",
                format!("{address} refuses: {e}"),
                Some("is the server running and listening on this port?"),
            );
            return None;
        }
        Err(_) => {
            diagnosis.push(
                Mark::Fail,
                "tcp",
                format!(
                    "connecting to {address} took longer than {} s",
                    timeout.as_secs_f64()
                ),
                Some("a firewall may be dropping packets"),
            );
            return None;
        }
    }
    let started = Instant::now();
    match http
        .send(Method::GET, &[], KeyHeader::Absent, "GET /".into())
        .await
    {
        Ok(root) => {
            let tls = if url.scheme() == "https" {
                "TLS verified, "
            } else {
                ""
            };
            diagnosis.push(
                Mark::Pass,
                "http",
                format!(
                    "{tls}GET / answered {} in {} ms",
                    status_text(root.status),
                    started.elapsed().as_millis()
                ),
                None,
            );
            Some(root)
        }
        Err(e) => {
            diagnosis.push(
                Mark::Fail,
                "http",
                e.reason,
                Some("for https, check the certificate chain and the host name"),
            );
            None
        }
    }
}

fn clock_skew(root: &Exchange, diagnosis: &mut Diagnosis) {
    let Some(date) = root
        .headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
    else {
        diagnosis.push(
            Mark::Skip,
            "clock",
            "the target sends no Date header; created_at is compared with this machine's clock",
            None,
        );
        return;
    };
    let Ok(theirs) = httpdate::parse_http_date(date) else {
        diagnosis.push(
            Mark::Skip,
            "clock",
            format!("the Date header {date:?} is not an HTTP date"),
            None,
        );
        return;
    };
    let ours = SystemTime::now();
    let (skew, direction) = match theirs.duration_since(ours) {
        Ok(ahead) => (ahead, "ahead of"),
        Err(behind) => (behind.duration(), "behind"),
    };
    // The Date header has whole seconds: a second either way is no skew at all.
    if skew <= Duration::from_secs(2) {
        diagnosis.push(
            Mark::Pass,
            "clock",
            "the target's Date agrees with this machine's clock",
            None,
        );
    } else if skew <= MAX_CLOCK_SKEW {
        diagnosis.push(
            Mark::Pass,
            "clock",
            format!(
                "the target's clock is {} s {direction} ours",
                skew.as_secs()
            ),
            None,
        );
    } else {
        diagnosis.push(
            Mark::Fail,
            "clock",
            format!(
                "the target's clock is {} s {direction} ours",
                skew.as_secs()
            ),
            Some("ERR-TIMESTAMP-NOW allows 5 minutes: synchronise one of the clocks (NTP)"),
        );
    }
}

/// A save of a token that was never issued: 404 means the key was accepted, 401 that it was not.
async fn recipient_key(
    http: &HttpClient,
    api_key: Option<&ApiKey>,
    fixtures: &Fixtures,
    diagnosis: &mut Diagnosis,
) {
    let Some(key) = api_key else {
        diagnosis.push(
            Mark::Fail,
            "api key",
            "no API key: most scenarios would be NOT-TESTABLE",
            Some("give --api-key, set FREDDY_API_KEY, or put api_key in the fixtures"),
        );
        return;
    };
    let token = fixtures.unknown_token();
    let label = "POST /v1/music/shared/{unknown token}/save".to_owned();
    match http.send(Method::POST, &["v1", "music", "shared", &token, "save"], KeyHeader::Key(key), label).await {
        Ok(response) if response.status == StatusCode::UNAUTHORIZED => diagnosis.push(
            Mark::Fail,
            "api key",
            format!("refused: a save answered 401{}", error_code(&response)),
            Some("check the recipient's key (--api-key, FREDDY_API_KEY or api_key in the fixtures)"),
        ),
        Ok(response) if response.status.is_client_error() => diagnosis.push(
            Mark::Pass,
            "api key",
            format!("accepted: a save of a token that was never issued answered {}", status_text(response.status)),
            None,
        ),
        Ok(response) => diagnosis.push(
            Mark::Fail,
            "api key",
            format!("a save of a token that was never issued answered {}", status_text(response.status)),
            Some("the endpoint does not behave as documented here; run the suite to see which clauses break"),
        ),
        Err(e) => diagnosis.push(Mark::Fail, "api key", e.to_string(), None),
    }
}

/// Revoking a share link that does not exist: 404 means the key was accepted.
async fn sharer_key(http: &HttpClient, sharer: &SharerCheck<'_>, diagnosis: &mut Diagnosis) {
    let link = format!("mslink_{}", random::hex(6));
    let segments = ["v1", "music", sharer.organization, "share", &link];
    let label = format!(
        "DELETE /v1/music/{}/share/{{unknown link}}",
        sharer.organization
    );
    match http
        .send(Method::DELETE, &segments, KeyHeader::Key(sharer.key), label)
        .await
    {
        Ok(response) if response.status == StatusCode::NOT_FOUND => diagnosis.push(
            Mark::Pass,
            "sharer key",
            "accepted: revoking a link that does not exist answered 404",
            None,
        ),
        Ok(response) => diagnosis.push(
            Mark::Fail,
            "sharer key",
            format!(
                "revoking a link that does not exist answered {}{}",
                status_text(response.status),
                error_code(&response)
            ),
            Some("check --sharer-api-key (or FREDDY_SHARER_API_KEY) and --organization"),
        ),
        Err(e) => diagnosis.push(Mark::Fail, "sharer key", e.to_string(), None),
    }
}

/// Opens the share through the public resolve and compares what it is with what the fixtures
/// say. The id of the track it shows, if any.
async fn token_state(
    http: &HttpClient,
    state: ShareState,
    token: Option<&str>,
    diagnosis: &mut Diagnosis,
) -> Option<String> {
    let what = format!("{state} token");
    let Some(token) = token else {
        diagnosis.push(
            Mark::Skip,
            &what,
            "none in the fixtures (its scenarios will be NOT-TESTABLE)",
            None,
        );
        return None;
    };
    let label = format!("GET /v1/music/shared/{{{state} token}}");
    let response = match http
        .send(
            Method::GET,
            &["v1", "music", "shared", token],
            KeyHeader::Absent,
            label,
        )
        .await
    {
        Ok(response) => response,
        Err(e) => {
            diagnosis.push(Mark::Fail, &what, e.to_string(), None);
            return None;
        }
    };
    let body = response.json().ok();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let seen = if response.status == StatusCode::OK {
        match (field("available"), field("kind")) {
            (Value::Bool(true), Value::String(kind)) if kind == "collection" => {
                "a live collection share".to_owned()
            }
            (Value::Bool(true), _) => "a live track share".to_owned(),
            (Value::Bool(false), _) => "a share whose content was removed".to_owned(),
            _ => format!("200 with an unexpected body: {}", response.excerpt()),
        }
    } else {
        format!("unavailable ({})", status_text(response.status))
    };
    let expected = match state {
        ShareState::Live => "a live track share",
        ShareState::Collection => "a live collection share",
        ShareState::Removed => "a share whose content was removed",
        ShareState::Revoked | ShareState::Expired => "unavailable",
    };
    if seen.starts_with(expected) {
        diagnosis.push(Mark::Pass, &what, format!("resolves as {seen}"), None);
    } else {
        diagnosis.push(
            Mark::Fail,
            &what,
            format!("resolves as {seen}, but the fixtures call it {state}"),
            Some(&format!("put a {state} share's token in [tokens] {state}, or remove the line to leave it NOT-TESTABLE")),
        );
    }
    body.as_ref()
        .and_then(|b| b.pointer("/track/id"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// ` (CODE)` when the response is an error envelope, else nothing.
fn error_code(response: &Exchange) -> String {
    response
        .error_code()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default()
}
