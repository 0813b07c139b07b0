//! What a request got back: the [`Exchange`] a check reads (status, headers, the body up to a
//! cap), or the [`TransportError`] saying why there was no answer. Data only: the transport
//! (`http`) makes them, replay (`evidence`) rebuilds them, checks read them.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, DATE, HeaderMap, LOCATION};
use serde_json::Value;

use crate::secret::ApiKey;

/// The credential a request carries: what its `X-API-Key` header holds, or a Bearer token.
#[derive(Clone, Copy)]
pub enum KeyHeader<'a> {
    /// No header at all.
    Absent,
    /// The header with this value (possibly empty).
    Value(&'a str),
    /// The header with these bytes, which need not be ASCII (a malformed key).
    Bytes(&'a [u8]),
    /// The header with the recipient's key.
    Key(&'a ApiKey),
    /// No `X-API-Key`, and `Authorization: Bearer` with this token.
    Bearer(&'a str),
    /// This `X-API-Key` (never [`KeyHeader::Bearer`] itself), and beside it `Authorization:
    /// Bearer` with this token.
    WithBearer(&'a KeyHeader<'a>, &'a str),
}

impl KeyHeader<'_> {
    /// The `X-API-Key` part and the Bearer token, apart.
    pub(crate) fn parts(&self) -> (KeyHeader<'_>, Option<&str>) {
        match *self {
            KeyHeader::Bearer(token) => (KeyHeader::Absent, Some(token)),
            KeyHeader::WithBearer(key, token) => (key.parts().0, Some(token)),
            other => (other, None),
        }
    }
}

/// What a request carries besides its method, path and key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras<'a> {
    /// Query parameters.
    pub query: &'a [(&'a str, &'a str)],
    /// A JSON body.
    pub body: Option<&'a Value>,
}

/// Bodies are read up to this many bytes; the rest is dropped unread. The API's bodies are a
/// few hundred bytes (a page of 100 saved tracks, some tens of KiB), and a run holds many of
/// them at once: the cap bounds its memory against a server that answers megabytes.
pub const BODY_CAP: usize = 256 * 1024;

/// How long an excerpt of a body is in failure messages, in characters.
const EXCERPT_CHARS: usize = 160;

/// Where `needle`, as it is or percent-encoded, appears in a response: `the body`, or the name
/// of a header. A form shorter than 8 bytes is not searched: it proves nothing.
pub(crate) fn carried_back(headers: &HeaderMap, body: &[u8], needle: &[u8]) -> Option<String> {
    let encoded = crate::secret::percent_encode(&String::from_utf8_lossy(needle));
    // Each form is searched only when it is long enough to prove anything.
    let contains =
        |haystack: &[u8], n: &[u8]| n.len() >= 8 && haystack.windows(n.len()).any(|w| w == n);
    let found =
        |haystack: &[u8]| contains(haystack, needle) || contains(haystack, encoded.as_bytes());
    if found(body) {
        return Some("the body".to_owned());
    }
    headers
        .iter()
        .find(|(_, value)| found(value.as_bytes()))
        .map(|(name, _)| name.as_str().to_owned())
}

/// One request and its response as far as it was read.
#[derive(Clone)]
pub struct Exchange {
    /// What was asked, for messages: `POST /v1/music/shared/{live token}/save`.
    pub request: String,
    /// The response status.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The body, at most [`BODY_CAP`] bytes; only its start when it was longer.
    pub body: Vec<u8>,
    /// Whether the body was longer than [`BODY_CAP`] and cut (to its first few KiB).
    pub truncated: bool,
    /// Whether the response carried a secret back (masked in `headers` and `body` on arrival).
    pub echoed_secret: bool,
    /// Where the response carried back the credential the request sent, when no mask hid it
    /// (a wrong key or a forged Bearer token the harness made up): `the body`, or a header's
    /// name. Found on arrival and recorded, so that a replay judges what the run saw (a
    /// replay makes up other keys).
    pub echoed_credential: Option<String>,
    /// Time from sending to the last byte read.
    pub elapsed: Duration,
    /// Its index in the run's recording.
    pub id: Option<usize>,
    /// The wall-clock time it arrived (the recorded time, when replayed).
    pub answered_at: Option<time::OffsetDateTime>,
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// Why a request got no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    /// What was asked.
    pub request: String,
    /// One line: what went wrong, causes chained.
    pub reason: String,
    /// When replaying: the recording holds no answer to this request at all.
    pub unrecorded: bool,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: no response: {}", self.request, self.reason)
    }
}

impl std::error::Error for TransportError {}

impl Exchange {
    /// The Content-Type header, if present and readable.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }

    /// Whether the Content-Type is `application/json` (parameters such as charset allowed).
    pub fn has_json_content_type(&self) -> bool {
        self.content_type().is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
        })
    }

    /// The body as JSON, or why it is not.
    pub fn json(&self) -> Result<Value, String> {
        if self.truncated {
            return Err(format!(
                "the body is longer than the {} KiB cap and was cut; starts: {}",
                BODY_CAP / 1024,
                self.excerpt()
            ));
        }
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("the body is not JSON ({e}): {}", self.excerpt()))
    }

    /// The `Date` header: the target's clock when it answered (to the second), if it sent one.
    pub fn date(&self) -> Option<time::OffsetDateTime> {
        let text = self.headers.get(DATE)?.to_str().ok()?;
        let at = httpdate::parse_http_date(text).ok()?;
        Some(time::OffsetDateTime::from(at))
    }

    /// `error.code` of an error envelope, if the body is one.
    pub fn error_code(&self) -> Option<String> {
        let body = self.json().ok()?;
        body.pointer("/error/code")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// One line describing the response: status, type, size, start of the body.
    pub fn summary(&self) -> String {
        let mut out = format!("{} → {}", self.request, status_text(self.status));
        if self.status.is_redirection() {
            let location = self
                .headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("no Location header");
            out.push_str(&format!(
                " (redirect to {location}; redirects are never followed)"
            ));
        }
        if let Some(encoding) = self
            .headers
            .get(reqwest::header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
        {
            out.push_str(&format!(", Content-Encoding {encoding} (not decoded)"));
        }
        let size = if self.truncated {
            format!("more than {} bytes", BODY_CAP)
        } else {
            format!("{} bytes", self.body.len())
        };
        out.push_str(&format!(
            ", {}, {size}",
            self.content_type().unwrap_or("no Content-Type"),
        ));
        if !self.body.is_empty() {
            out.push_str(": ");
            out.push_str(&self.excerpt());
        }
        out
    }

    /// The start of the body on one line: invalid UTF-8 replaced, control characters escaped.
    pub fn excerpt(&self) -> String {
        excerpt(&self.body)
    }
}

/// `404 Not Found`.
pub fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

/// The start of `bytes` on one line, at most about [`EXCERPT_CHARS`] characters: text with
/// control characters escaped, or, for a body that is not text, its first bytes in hex.
pub fn excerpt(bytes: &[u8]) -> String {
    let head = &bytes[..bytes.len().min(EXCERPT_CHARS * 4)];
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A multi-byte character cut at the end of `head` is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return hex_excerpt(bytes),
    };
    let controls = text
        .chars()
        .take(EXCERPT_CHARS)
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if controls * 10 > text.chars().take(EXCERPT_CHARS).count() {
        return hex_excerpt(bytes);
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.chars().count() >= EXCERPT_CHARS {
            out.push('…');
            return out;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    if bytes.len() > head.len() {
        out.push('…');
    }
    out
}

fn hex_excerpt(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes.iter().take(24).map(|b| format!("{b:02x}")).collect();
    format!(
        "(binary) {}{}",
        shown.join(" "),
        if bytes.len() > 24 { " …" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_bounded_line() {
        assert_eq!(
            excerpt(b"<html>\n<body>oops</body>"),
            "<html>\\n<body>oops</body>"
        );
        let long = vec![b'a'; 10_000];
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(
            excerpt(b"{\"a\":\"\x1b[0m\"} and more text here"),
            "{\"a\":\"\\u{1b}[0m\"} and more text here"
        );
        let escaped = excerpt(&[b'\x01'; 1000]);
        assert!(escaped.starts_with("(binary) 01 01"), "{escaped}");
        assert!(escaped.chars().count() < 100, "{escaped}");
        assert_eq!(excerpt(b"\xff\xfeok"), "(binary) ff fe 6f 6b");
        // A character cut by the excerpt's window is still text.
        let mut text = "é".repeat(EXCERPT_CHARS * 2).into_bytes();
        text.push(b'!');
        assert!(excerpt(&text).starts_with("éé"));
    }
}
