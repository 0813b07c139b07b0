//! The HTTP exchange with a target: one client, no redirects, bounded bodies, one-line failures.
//!
//! A broken server gives a verdict, not a crash (ARCHITECTURE.md, principle 4): a timeout, a dropped
//! connection or an oversized body becomes an [`Exchange`] or a [`TransportError`] that a step
//! turns into a failed scenario with a short excerpt.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode, Url};

use crate::evidence::{
    ExchangeLog, RUN_SCOPE, RecordedExchange, RecordedResponse, Replay, Request, curl_command,
};
use crate::exchange::{BODY_CAP, Exchange, TransportError, carried_back};
pub use crate::exchange::{Extras, KeyHeader};
use crate::secret::{ApiKey, Redactor};

/// The most a body's buffer starts with, whatever Content-Length announces.
const FIRST_ALLOCATION: usize = 64 * 1024;

/// How much of a header value is kept (the longest a check reads is a URL).
const HEADER_VALUE_CAP: usize = 8 * 1024;

/// How much of a body longer than [`BODY_CAP`] is kept, for excerpts.
const KEPT_WHEN_CUT: usize = 4 * 1024;

/// How often a request answered 429 is sent again, waiting as its Retry-After asks.
const RATE_LIMIT_RETRIES: u32 = 3;

/// The longest wait for one Retry-After (and never longer than the request timeout).
const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// Waits out of a 429 so far in this process: each one's spread follows from its number.
static RETRY_WAITS: AtomicUsize = AtomicUsize::new(0);

/// What the `n`-th wait out of a 429 adds to its Retry-After, up to about half a second: a
/// spread, so that requests limited together do not come back together. It follows from `n`
/// alone, not from a random draw: which request waits `n`-th still depends on the order the
/// 429s arrive in, but no wait is left to chance, and 256 waits in a row never share a spread.
fn retry_spread(n: usize) -> Duration {
    // 89 is odd, so n ↦ 89n mod 256 visits every value once in 256 waits.
    Duration::from_millis(((n * 89) % 256) as u64 * 2)
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// The header the docs authenticate with.
pub const API_KEY_HEADER: &str = "x-api-key";

/// A client bound to one target.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    base: Url,
    timeout: Duration,
    /// Masks secrets a server echoes back, in bodies and headers, as they arrive: before any
    /// excerpt can cut a key in half and leave a prefix no mask would match.
    redactor: Redactor,
    echoes: Arc<AtomicUsize>,
    /// Bounds the requests in flight (each holds up to [`BODY_CAP`] while it is read); `None`
    /// for a client whose few requests must not queue behind the rest ([`HttpClient::priority`]).
    gate: Option<Arc<tokio::sync::Semaphore>>,
    /// Every exchange of the run, recorded.
    recorder: ExchangeLog,
    /// What the requests of this client belong to: the run, or one scenario.
    scope: Arc<str>,
    /// Instead of the network: a recorded run's answers (`regrade`).
    replay: Option<Arc<Replay>>,
    /// How a command names each key this client may send: `"$FREDDY_API_KEY"`.
    key_names: Arc<Vec<(ApiKey, String)>>,
}

/// The most requests a client has in flight at once: enough that the suite's widest step
/// never waits a round trip for the gate on its critical path, few enough that a server
/// answering megabytes to every request cannot make a run hold more than about 16 MiB of
/// bodies at once.
pub const MAX_IN_FLIGHT: usize = 64;

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base", &self.base.as_str())
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How TLS is verified: rustls against the platform's roots, plus any given here.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Roots to trust besides the platform's (`--ca-cert`), for a private CA.
    pub extra_roots: Vec<reqwest::Certificate>,
    /// Skip certificate verification entirely (`--insecure`).
    pub insecure: bool,
}

impl TlsOptions {
    /// The certificates of a PEM bundle, to trust besides the platform's roots.
    pub fn parse_roots(pem: &[u8]) -> Result<Vec<reqwest::Certificate>, crate::Error> {
        let roots =
            reqwest::Certificate::from_pem_bundle(pem).map_err(|e| crate::Error::Certificates {
                path: None,
                reason: format!("not PEM certificates: {}", error_chain(&e)),
            })?;
        if roots.is_empty() {
            return Err(crate::Error::Certificates {
                path: None,
                reason: "holds no certificate".into(),
            });
        }
        Ok(roots)
    }
}

/// Makes ring the process's rustls crypto provider, unless one is installed already (a
/// vendor's test process may have its own). reqwest is built without one: ring compiles in
/// a fraction of aws-lc-rs's time, and a conformance client needs nothing aws-lc-rs adds.
fn install_crypto_provider() {
    // An error only says a provider is installed already, which is as good.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl HttpClient {
    /// A client for `base` whose every request, body included, ends within `timeout`.
    #[cfg(test)]
    pub fn new(base: Url, timeout: Duration) -> Result<Self, crate::Error> {
        Self::with_tls(base, timeout, &TlsOptions::default())
    }

    /// A client for `base` whose every request, body included, ends within `timeout`, with
    /// these TLS options.
    pub fn with_tls(base: Url, timeout: Duration, tls: &TlsOptions) -> Result<Self, crate::Error> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .tls_certs_merge(tls.extra_roots.iter().cloned())
            .tls_danger_accept_invalid_certs(tls.insecure)
            // reqwest forwards X-API-Key across origins on redirect, even when marked
            // sensitive: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("share-conformance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| {
                crate::Error::Setup(format!("cannot build the HTTP client: {}", error_chain(&e)))
            })?;
        Ok(Self {
            client,
            base,
            timeout,
            redactor: Redactor::default(),
            echoes: Arc::default(),
            gate: Some(Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT))),
            recorder: ExchangeLog::default(),
            scope: Arc::from(RUN_SCOPE),
            replay: None,
            key_names: Arc::default(),
        })
    }

    /// The same client, answering every request from `replay` instead of the network.
    pub(crate) fn replaying(mut self, replay: Arc<Replay>) -> Self {
        self.replay = Some(replay);
        self
    }

    /// Whether this client answers from a recording.
    pub(crate) fn is_replaying(&self) -> bool {
        self.replay.is_some()
    }

    /// The same client, its requests recorded as `scope`'s (a scenario's id).
    pub(crate) fn scoped(&self, scope: &str) -> Self {
        Self {
            scope: Arc::from(scope),
            ..self.clone()
        }
    }

    /// Names the keys a command may carry: each with the shell expression that stands for it.
    pub(crate) fn with_key_names(mut self, names: Vec<(ApiKey, String)>) -> Self {
        self.key_names = Arc::new(names);
        self
    }

    /// The run's recording.
    pub(crate) fn recorder(&self) -> &ExchangeLog {
        &self.recorder
    }

    /// The same client, its requests never waiting for the in-flight bound: for the few
    /// requests on a run's critical path (the reads around the first save).
    pub fn priority(&self) -> Self {
        Self {
            gate: None,
            ..self.clone()
        }
    }

    /// Masks these secrets wherever a response carries them.
    pub fn with_redactor(mut self, redactor: Redactor) -> Self {
        self.redactor = redactor;
        self
    }

    /// How many responses carried a secret back (masked before anyone saw it).
    pub fn echoed_secrets(&self) -> usize {
        self.echoes.load(Ordering::Relaxed)
    }

    /// The target's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// The URL of `segments` under the base URL; each segment is percent-encoded as needed.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends one request and reads the response, body capped at [`BODY_CAP`].
    ///
    /// `label` describes the request in messages instead of its URL, so share tokens (which
    /// are capabilities) and very long malformed paths stay out of reports.
    pub async fn send(
        &self,
        method: Method,
        segments: &[&str],
        key: KeyHeader<'_>,
        label: String,
    ) -> Result<Exchange, TransportError> {
        self.send_with(method, segments, Extras::default(), key, label)
            .await
    }

    /// [`HttpClient::send`] with a query or a JSON body. The exchange is recorded, whatever
    /// came back.
    pub async fn send_with(
        &self,
        method: Method,
        segments: &[&str],
        extras: Extras<'_>,
        key: KeyHeader<'_>,
        label: String,
    ) -> Result<Exchange, TransportError> {
        let mut record = RecordedExchange {
            id: 0,
            scope: self.scope.to_string(),
            label: label.clone(),
            method: method.to_string(),
            path: self
                .recorder
                .name_tokens(&format!("/{}", segments.join("/"))),
            query: extras
                .query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            request_headers: self.recorded_headers(key, extras.body.is_some()),
            request_body: extras.body.cloned(),
            sent_at_ms: self.recorder.elapsed_ms(),
            answered_at: None,
            elapsed_ms: 0,
            curl: curl_command(
                Request {
                    method: &method,
                    segments,
                    extras,
                    key,
                },
                |segments| self.url(segments),
                &self.recorder,
                &self.key_names,
                &self.redactor,
            ),
            response: None,
            no_response: None,
        };
        let outcome = match &self.replay {
            Some(replay) => self.replayed(replay, &record),
            None => self.send_live(method, segments, extras, key, label).await,
        };
        match outcome {
            Ok(mut exchange) => {
                record.elapsed_ms = u64::try_from(exchange.elapsed.as_millis()).unwrap_or(u64::MAX);
                record.answered_at = exchange.answered_at.map(crate::time::format);
                record.response = Some(self.recorded_response(&exchange));
                exchange.id = Some(self.recorder.push(record));
                Ok(exchange)
            }
            Err(e) => {
                if !e.unrecorded {
                    record.no_response = Some(e.reason.clone());
                    self.recorder.push(record);
                }
                Err(e)
            }
        }
    }

    /// The recorded answer to the request `sent` from this client's scope, as an exchange.
    fn replayed(
        &self,
        replay: &Replay,
        sent: &RecordedExchange,
    ) -> Result<Exchange, TransportError> {
        let label = sent.label.as_str();
        let recorded = match replay.take(sent) {
            Ok(recorded) => recorded,
            Err(problem) => {
                return Err(TransportError {
                    request: label.to_owned(),
                    reason: problem,
                    unrecorded: true,
                });
            }
        };
        let Some(response) = recorded.response else {
            return Err(TransportError {
                request: label.to_owned(),
                reason: recorded
                    .no_response
                    .unwrap_or_else(|| "no response was recorded".into()),
                unrecorded: false,
            });
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &response.headers {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        let body = if response.body_base64 {
            // `Run::regrade` refused a recording whose base64 does not decode.
            crate::secret::base64_decode(&response.body).unwrap_or_default()
        } else {
            response.body.into_bytes()
        };
        if response.echoed_secret {
            self.echoes.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Exchange {
            request: label.to_owned(),
            // `Run::regrade` refused a recording with a status outside 100–599.
            status: StatusCode::from_u16(response.status)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers,
            body,
            truncated: response.truncated,
            echoed_secret: response.echoed_secret,
            echoed_credential: response.echoed_credential,
            elapsed: Duration::from_millis(recorded.elapsed_ms),
            id: None,
            answered_at: recorded
                .answered_at
                .as_deref()
                .and_then(|at| crate::time::parse(at).ok()),
        })
    }

    /// The headers the harness sets, as recorded: every key masked.
    fn recorded_headers(&self, key: KeyHeader<'_>, json_body: bool) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if json_body {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        let (key, bearer) = key.parts();
        let credential = match key {
            KeyHeader::Value(value) => Some(value.to_owned()),
            KeyHeader::Bytes(value) => Some(String::from_utf8_lossy(value).into_owned()),
            KeyHeader::Key(key) => Some(key.expose().to_owned()),
            KeyHeader::Absent | KeyHeader::Bearer(_) | KeyHeader::WithBearer(..) => None,
        };
        if let Some(value) = credential {
            headers.push((
                API_KEY_HEADER.to_owned(),
                self.redactor.redact(&value).into_owned(),
            ));
        }
        if let Some(token) = bearer {
            headers.push((
                AUTHORIZATION.as_str().to_owned(),
                self.redactor
                    .redact(&format!("Bearer {token}"))
                    .into_owned(),
            ));
        }
        headers
    }

    /// The response as recorded: masked as it arrived, share tokens named.
    fn recorded_response(&self, exchange: &Exchange) -> RecordedResponse {
        let headers = exchange
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    self.recorder
                        .name_tokens(&String::from_utf8_lossy(value.as_bytes())),
                )
            })
            .collect();
        let (body, body_base64) = match std::str::from_utf8(&exchange.body) {
            Ok(text) => (self.recorder.name_tokens(text), false),
            Err(_) => (crate::secret::base64_encode(&exchange.body), true),
        };
        RecordedResponse {
            status: exchange.status.as_u16(),
            headers,
            body,
            body_base64,
            truncated: exchange.truncated,
            echoed_secret: exchange.echoed_secret,
            echoed_credential: exchange.echoed_credential.clone(),
        }
    }

    async fn send_live(
        &self,
        method: Method,
        segments: &[&str],
        extras: Extras<'_>,
        key: KeyHeader<'_>,
        label: String,
    ) -> Result<Exchange, TransportError> {
        let Extras { query, body } = extras;
        let fail = |reason: String| TransportError {
            request: label.clone(),
            reason,
            unrecorded: false,
        };
        let mut url = self.url(segments);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self.client.request(method, url);
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let (api_key, bearer) = key.parts();
        // What of the request a response must not carry back: the credential, as sent.
        let mut credentials: Vec<&[u8]> = Vec::new();
        match api_key {
            KeyHeader::Value(value) => credentials.push(value.as_bytes()),
            KeyHeader::Bytes(value) => credentials.push(value),
            _ => {}
        }
        credentials.extend(bearer.map(str::as_bytes));
        let mut headers = Vec::new();
        match api_key {
            KeyHeader::Value(value) => headers.push((API_KEY_HEADER, HeaderValue::from_str(value))),
            KeyHeader::Bytes(value) => {
                headers.push((API_KEY_HEADER, HeaderValue::from_bytes(value)));
            }
            KeyHeader::Key(key) => {
                headers.push((
                    API_KEY_HEADER,
                    HeaderValue::from_bytes(key.expose().as_bytes()),
                ));
            }
            KeyHeader::Absent | KeyHeader::Bearer(_) | KeyHeader::WithBearer(..) => {}
        }
        if let Some(token) = bearer {
            headers.push((
                AUTHORIZATION.as_str(),
                HeaderValue::from_str(&format!("Bearer {token}")),
            ));
        }
        for (name, header) in headers {
            let mut header =
                header.map_err(|_| fail("the credential cannot be sent in a header".into()))?;
            header.set_sensitive(true);
            request = request.header(name, header);
        }
        let started = Instant::now();
        // A 429 is the docs' "rate limit (with Retry-After)": not an answer to the question
        // asked. Wait as asked (bounded) and ask again; a last 429 is returned as it is, and
        // the steps call what it cannot answer NOT-TESTABLE.
        let mut retries = 0;
        let mut permit;
        let mut response = loop {
            // Held while the request is in flight and its body read; given back while a
            // Retry-After is waited out.
            permit = match &self.gate {
                Some(gate) => Some(
                    gate.clone()
                        .acquire_owned()
                        .await
                        .map_err(|_| fail("the client is shutting down".into()))?,
                ),
                None => None,
            };
            let attempt = request
                .try_clone()
                .ok_or_else(|| fail("the request cannot be sent twice".into()))?;
            let response = attempt.send().await.map_err(|e| fail(self.describe(e)))?;
            if response.status() != StatusCode::TOO_MANY_REQUESTS || retries == RATE_LIMIT_RETRIES {
                break response;
            }
            let spread = retry_spread(RETRY_WAITS.fetch_add(1, Ordering::Relaxed));
            let wait = retry_after(response.headers())
                .unwrap_or(Duration::from_secs(1 << retries))
                .min(MAX_RETRY_WAIT)
                .min(self.timeout)
                + spread;
            drop(response);
            drop(permit.take());
            tokio::time::sleep(wait).await;
            retries += 1;
        };
        let status = response.status();
        let mut headers = response.headers().clone();
        // Sized from Content-Length, but never more than a small first allocation (a server
        // can announce anything), and grown exactly: a response costs at most the cap while
        // it is read, not the doubling of it.
        let announced = response
            .content_length()
            .unwrap_or(0)
            .min(FIRST_ALLOCATION as u64) as usize;
        let mut body = Vec::with_capacity(announced);
        let mut truncated = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = BODY_CAP - body.len();
                    let taken = &chunk[..chunk.len().min(room)];
                    body.reserve_exact(taken.len());
                    body.extend_from_slice(taken);
                    if chunk.len() > room {
                        truncated = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(fail(format!(
                        "{status} received, then the body failed after {} bytes: {}",
                        body.len(),
                        self.describe(e)
                    )));
                }
            }
        }
        drop(permit);
        let mut echoed = false;
        for value in headers.values_mut() {
            let masked = self.redactor.redact_bytes(value.as_bytes());
            if let Cow::Owned(masked) = masked {
                echoed = true;
                *value = HeaderValue::from_bytes(&masked)
                    .unwrap_or_else(|_| HeaderValue::from_static("***"));
            }
        }
        if let Cow::Owned(masked) = self.redactor.redact_bytes(&body) {
            echoed = true;
            body = masked;
        }
        // A credential no mask hides (one the harness made up) is no secret, but carrying it
        // back is an echo all the same; a key the redactor masks is `echoed` above.
        let echoed_credential = credentials
            .iter()
            .find_map(|credential| carried_back(&headers, &body, credential));
        if truncated {
            // A cut body is never parsed, only shown in an excerpt: keep its start (masked
            // above, whole), so a run of many oversized answers holds little memory.
            body.truncate(KEPT_WHEN_CUT);
            body.shrink_to_fit();
        }
        // Likewise a header value far longer than any a check reads keeps only its start.
        for value in headers.values_mut() {
            if value.len() > HEADER_VALUE_CAP {
                let mut kept = value.as_bytes()[..HEADER_VALUE_CAP].to_vec();
                kept.extend_from_slice(b"...(cut)");
                *value = HeaderValue::from_bytes(&kept)
                    .unwrap_or_else(|_| HeaderValue::from_static("(cut)"));
            }
        }
        if echoed {
            self.echoes.fetch_add(1, Ordering::Relaxed);
        }
        Ok(Exchange {
            request: label,
            status,
            headers,
            body,
            truncated,
            echoed_secret: echoed,
            echoed_credential,
            elapsed: started.elapsed(),
            id: None,
            answered_at: Some(time::OffsetDateTime::now_utc()),
        })
    }

    fn describe(&self, e: reqwest::Error) -> String {
        if e.is_timeout() {
            format!("timed out after {}", seconds(self.timeout))
        } else {
            // The request's label already says what was asked; the URL would repeat it, and
            // put share tokens (capabilities) and 4 KiB malformed paths into reports.
            error_chain(&e.without_url())
        }
    }
}

/// An error and its causes on one line, each cause once: `a: b: c`.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

/// `10 s`, `0.5 s`.
pub fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_the_base_path_and_encode_segments() {
        let client = HttpClient::new(
            Url::parse("http://127.0.0.1:9/api/").unwrap(),
            Duration::from_secs(1),
        )
        .unwrap();
        let url = client.url(&["v1", "music", "shared", "a/b ü", "save"]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/api/v1/music/shared/a%2Fb%20%C3%BC/save"
        );
        let root =
            HttpClient::new(Url::parse("http://h").unwrap(), Duration::from_secs(1)).unwrap();
        assert_eq!(root.url(&["v1"]).as_str(), "http://h/v1");
    }

    #[test]
    fn retry_waits_spread_the_same_way_every_time_and_up_to_half_a_second() {
        let spreads: Vec<Duration> = (0..256).map(retry_spread).collect();
        let distinct: std::collections::BTreeSet<Duration> = spreads.iter().copied().collect();
        assert_eq!(
            distinct.len(),
            256,
            "256 waits in a row never share a spread"
        );
        assert!(spreads.iter().all(|d| *d <= Duration::from_millis(510)));
        assert_eq!(retry_spread(1), retry_spread(257));
        assert_ne!(retry_spread(1), retry_spread(2));
    }
}
