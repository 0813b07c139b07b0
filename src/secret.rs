//! Secrets: the API key type that never prints itself, and the redactor every output passes through.
//!
//! DESIGN principle 3: the key never leaks. It lives in [`ApiKey`], whose `Debug` and `Display`
//! print `***`; the only way to read it is [`ApiKey::expose`], called where the header is built.
//! Text that may contain it for reasons outside our control (a server echoing it back, an error
//! from a library) goes through [`Redactor::redact`] before it is printed or written.

use std::borrow::Cow;
use std::fmt;

/// What secrets are replaced with in every output.
pub const MASK: &str = "***";

/// An API key (`X-API-Key`). Prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Checks that `key` can be sent in an HTTP header: not empty, visible ASCII only.
    pub fn new(key: impl Into<String>) -> Result<Self, InvalidKey> {
        let key = key.into();
        if key.trim().is_empty() {
            return Err(InvalidKey::Empty);
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InvalidKey::NotVisibleAscii);
        }
        Ok(Self(key))
    }

    /// The key itself, for the request header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// `text` with its last character changed to the next one of its kind (digit, lower-case,
/// upper-case letter; `x` otherwise): a credential no target issued that only a target
/// comparing part of it would take for the original. Deterministic, so the redactor masks the
/// near miss of every key it knows too.
pub fn near_miss_text(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            'x' => 'y',
            _ => 'x',
        };
    }
    chars.into_iter().collect()
}

/// The key with its last character changed (see [`near_miss_text`]).
pub fn near_miss(key: &ApiKey) -> ApiKey {
    ApiKey(near_miss_text(&key.0))
}

/// Why a string cannot be an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidKey {
    /// Empty or only whitespace.
    Empty,
    /// Contains spaces, control characters or non-ASCII, which a header cannot carry.
    NotVisibleAscii,
}

impl fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the API key is empty"),
            Self::NotVisibleAscii => f.write_str(
                "the API key contains spaces, control characters or non-ASCII characters, \
                 which an X-API-Key header cannot carry",
            ),
        }
    }
}

impl std::error::Error for InvalidKey {}

/// The form in which a secret can travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// As it is.
    Plain,
    /// Percent-encoded, as inside a URL.
    PercentEncoded,
    /// Base64-encoded, at any alignment, as inside a token or a Basic header.
    Base64,
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain => "plain",
            Self::PercentEncoded => "percent-encoded",
            Self::Base64 => "base64",
        })
    }
}

/// Replaces every known secret, in the forms it can take in transit, with [`MASK`].
///
/// A key can reach an output verbatim, percent-encoded (echoed inside a URL) or base64-encoded
/// (echoed inside a token or a Basic header), so each form is masked.
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Vec<(String, Form)>,
}

impl Redactor {
    /// A redactor for these keys.
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a ApiKey>) -> Self {
        Self::from_raw(keys.into_iter().map(ApiKey::expose))
    }

    /// A redactor for secrets that are not (yet) checked keys: what a user typed, before it
    /// was validated, so even the error about it cannot echo it.
    pub fn from_raw<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut needles = Vec::new();
        for secret in secrets {
            // The near miss the harness sends as a wrong key reveals all but one character of
            // the key: it is masked like the key.
            for raw in [secret.to_owned(), near_miss_text(secret)] {
                // Plain first: a form equal to it (no character to encode) is reported plain.
                needles.push((raw.clone(), Form::Plain));
                needles.push((percent_encode(&raw), Form::PercentEncoded));
                needles.extend(
                    base64_forms(raw.as_bytes())
                        .into_iter()
                        .map(|b| (b, Form::Base64)),
                );
            }
        }
        // Longest first, so a form that contains another is masked whole.
        needles.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        needles.dedup_by(|a, b| a.0 == b.0);
        needles.retain(|(n, _)| n.len() >= 4);
        Self { needles }
    }

    /// `text` with every secret masked.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for (needle, _) in &self.needles {
            if out.contains(needle.as_str()) {
                out = Cow::Owned(out.replace(needle.as_str(), MASK));
            }
        }
        out
    }

    /// `bytes` with every secret masked, whether or not they are UTF-8.
    pub fn redact_bytes<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        // Every needle is ASCII, so it occurs in the bytes exactly when it occurs in their
        // lossy text, and `str::contains` is fast even in a debug build (std is optimised):
        // the byte-by-byte replacement below runs only on a hit.
        if !self.leaks(&String::from_utf8_lossy(bytes)) {
            return Cow::Borrowed(bytes);
        }
        let mut out = Cow::Borrowed(bytes);
        for (needle, _) in &self.needles {
            let needle = needle.as_bytes();
            if out.windows(needle.len()).any(|w| w == needle) {
                let mut replaced = Vec::with_capacity(out.len());
                let mut rest: &[u8] = &out;
                while let Some(at) = rest.windows(needle.len()).position(|w| w == needle) {
                    replaced.extend_from_slice(&rest[..at]);
                    replaced.extend_from_slice(MASK.as_bytes());
                    rest = &rest[at + needle.len()..];
                }
                replaced.extend_from_slice(rest);
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// The form of the first secret found in `text`, if any.
    pub fn find(&self, text: &str) -> Option<Form> {
        self.needles
            .iter()
            .find(|(n, _)| text.contains(n.as_str()))
            .map(|(_, form)| *form)
    }

    /// Whether `text` contains a secret in any of its forms.
    pub fn leaks(&self, text: &str) -> bool {
        self.find(text).is_some()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} forms)", self.needles.len())
    }
}

pub(crate) fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        let symbols = chunk.len() + 1;
        for i in 0..4 {
            if i < symbols {
                out.push(BASE64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `bytes` in unpadded base64url (RFC 4648 §5), as JWTs carry their parts.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    base64(bytes)
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
}

/// The stretches of base64 text that encode `secret` wherever it starts in a longer encoded
/// string: one per alignment modulo 3, trimmed to the symbols that depend only on the secret.
fn base64_forms(secret: &[u8]) -> Vec<String> {
    (0..3)
        .map(|offset| {
            let mut padded = vec![0u8; offset];
            padded.extend_from_slice(secret);
            let encoded = base64(&padded);
            let encoded = encoded.trim_end_matches('=');
            // Symbols mixing the zero prefix or the unknown next byte are dropped.
            let head = match offset {
                0 => 0,
                1 => 2,
                _ => 3,
            };
            let tail = if (offset + secret.len()).is_multiple_of(3) {
                0
            } else {
                1
            };
            encoded
                .get(head..encoded.len().saturating_sub(tail))
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_never_formats_itself() {
        let key = ApiKey::new("ak_secret_value_123").unwrap();
        assert_eq!(format!("{key}"), "***");
        assert_eq!(format!("{key:?}"), "***");
        assert_eq!(format!("{:?}", Some(&key)), "Some(***)");
    }

    #[test]
    fn a_near_miss_differs_in_its_last_character_only_and_is_masked() {
        assert_eq!(near_miss_text("ak_abc9"), "ak_abc0");
        assert_eq!(near_miss_text("shr_00fz"), "shr_00fa");
        assert_eq!(near_miss_text("shr_0a"), "shr_0b");
        let key = ApiKey::new("ak_NearMissCanary0000000000000000000000001").unwrap();
        let miss = near_miss(&key);
        assert_ne!(miss, key);
        assert_eq!(miss.expose().len(), key.expose().len());
        let redactor = Redactor::new([&key]);
        assert_eq!(redactor.redact(miss.expose()), "***");
    }

    #[test]
    fn keys_that_a_header_cannot_carry_are_refused() {
        assert_eq!(ApiKey::new(""), Err(InvalidKey::Empty));
        assert_eq!(ApiKey::new("  "), Err(InvalidKey::Empty));
        assert_eq!(ApiKey::new("ak_a b"), Err(InvalidKey::NotVisibleAscii));
        assert_eq!(ApiKey::new("ak_é"), Err(InvalidKey::NotVisibleAscii));
        assert_eq!(ApiKey::new("ak_\n"), Err(InvalidKey::NotVisibleAscii));
    }

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn every_form_of_the_key_is_masked() {
        let key = ApiKey::new("ak_Canary+Key/42").unwrap();
        let redactor = Redactor::new([&key]);
        let plain = "header echoed: ak_Canary+Key/42.";
        assert_eq!(redactor.redact(plain), "header echoed: ***.");
        let url = "https://x/?k=ak_Canary%2BKey%2F42";
        assert!(!redactor.redact(url).contains("Canary"));
        for prefix in ["", "a", "ab", "abc"] {
            let mut bytes = prefix.as_bytes().to_vec();
            bytes.extend_from_slice(b"ak_Canary+Key/42");
            bytes.extend_from_slice(b"tail");
            let encoded = base64(&bytes);
            assert!(redactor.leaks(&encoded), "prefix {prefix:?}: {encoded}");
            assert!(!redactor.leaks(&redactor.redact(&encoded)));
        }
        assert_eq!(redactor.redact("nothing here"), "nothing here");
        assert_eq!(
            redactor.find("x ak_Canary%2BKey%2F42 y"),
            Some(Form::PercentEncoded)
        );
        let binary = [
            b"\xff\x00ak_Canary+Key/42\xfe".as_slice(),
            b"ak_Canary+Key/42",
        ]
        .concat();
        assert_eq!(
            &*redactor.redact_bytes(&binary),
            b"\xff\x00***\xfe***".as_slice()
        );
        assert_eq!(
            redactor.find(&base64(b"ak_Canary+Key/42")),
            Some(Form::Base64)
        );
    }
}
