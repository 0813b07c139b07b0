//! Secrets: the API key type that never prints itself, and the redactor every output passes through.
//!
//! ARCHITECTURE.md, principle 3: the key never leaks. It lives in [`ApiKey`], whose `Debug` and `Display`
//! print `***`; the only way to read it is [`ApiKey::expose`], called where the header is built.
//! Text that may contain it for reasons outside our control (a server echoing it back, an error
//! from a library) goes through [`Redactor::redact`] before it is printed or written.
//!
//! ```
//! use share_conformance::secret::{ApiKey, Redactor};
//!
//! let key = ApiKey::new("ak_3kT9vQ2mXw8LpR4nZ7bY1cH6dJ5sF0gA")?;
//! assert_eq!(format!("{key:?}"), "***");
//! let redactor = Redactor::new([&key]);
//! let echoed = "{\"key\":\"ak_3kT9vQ2mXw8LpR4nZ7bY1cH6dJ5sF0gA\"}";
//! assert!(!redactor.redact(echoed).contains("3kT9vQ"));
//! # Ok::<(), share_conformance::secret::InvalidKey>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use crate::twist::Twist;

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
pub(crate) fn near_miss_text(text: &str) -> String {
    let last = text.chars().count().saturating_sub(1);
    with_char_shifted(text, last, false)
}

/// `text` with the character at `at` changed to the next one of its kind: a digit to a digit
/// (to `a` after `9` when `hex`), a letter to a letter of its case (`f` to `0` when `hex`),
/// `-` to `_`, and anything else to `x`.
pub(crate) fn with_char_shifted(text: &str, at: usize, hex: bool) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(c) = chars.get_mut(at) {
        *c = match *c {
            '9' if hex => 'a',
            'f' if hex => '0',
            '9' => '0',
            'z' => 'a',
            'Z' => 'A',
            c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
            '-' => '_',
            _ => 'x',
        };
    }
    chars.into_iter().collect()
}

/// The key with its last character changed (see [`near_miss_text`]).
pub(crate) fn near_miss(key: &ApiKey) -> ApiKey {
    ApiKey(near_miss_text(&key.0))
}

impl ApiKey {
    /// This key, twisted: a near miss a target must refuse, held (and masked) like the key
    /// itself. It may hold what a checked key may not (a no-break space): it is sent as
    /// bytes.
    pub(crate) fn twisted(&self, twist: crate::twist::Twist) -> ApiKey {
        ApiKey(twist.apply(&self.0))
    }
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
#[non_exhaustive]
pub enum Form {
    /// As it is.
    Plain,
    /// Percent-encoded, in upper or lower case hex, as inside a URL.
    PercentEncoded,
    /// Escaped inside a JSON string: `\/`, or `\u002B` in upper or lower case hex.
    JsonEscaped,
    /// As HTML character references: `&#43;`, `&#x2F;`, `&quot;`.
    HtmlEscaped,
    /// With its `+` read as a space, as a form decoder reads it.
    PlusAsSpace,
    /// Base64-encoded, at any alignment, as inside a token or a Basic header.
    Base64,
    /// Base64url-encoded (`-` and `_`), at any alignment, as inside a JWT.
    Base64Url,
    /// A stretch of its letters and digits, in an encoding not otherwise known.
    Fragment,
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain => "plain",
            Self::PercentEncoded => "percent-encoded",
            Self::JsonEscaped => "JSON-escaped",
            Self::HtmlEscaped => "HTML-escaped",
            Self::PlusAsSpace => "`+` read as a space",
            Self::Base64 => "base64",
            Self::Base64Url => "base64url",
            Self::Fragment => "a stretch of its letters and digits",
        })
    }
}

/// Replaces every known secret, in the forms it can take in transit, with [`MASK`].
///
/// A key can come back from a server verbatim, percent-encoded (in either case of hex),
/// escaped inside a JSON string (`\/`, `\u002B`), with its `+` read as a space, or inside
/// base64 or base64url, at any alignment; and these mix (a JSON-escaped base64 string). Each
/// character of a key that is not a letter or a digit may take any of its encodings, so one
/// pattern per key and encoding matches every combination.
///
/// Clones share the compiled patterns and their match caches: every request of a run holds
/// one, and a compiled regex cloned on its own starts a cache of its own.
#[derive(Clone, Default)]
pub struct Redactor {
    patterns: std::sync::Arc<Patterns>,
}

/// A redactor's compiled patterns.
#[derive(Default)]
struct Patterns {
    /// Every pattern, longest source first, in one alternation.
    text: Option<regex::Regex>,
    bytes: Option<regex::bytes::Regex>,
    /// Each pattern alone, with the form it was made from and its text, to name a hit's form.
    each: Vec<(regex::Regex, Form, String)>,
    /// Any [`FRAGMENT`] letters and digits in a row of a key with a digit among them, in any
    /// case: what the leak scan looks for beyond the whole forms, since every text encoding
    /// leaves letters and digits as they are (or changes only their case).
    fragments: Option<regex::Regex>,
}

/// How many of a key's letters and digits in a row are masked wherever they appear, in any
/// case, whatever surrounds them (a key echoed in an encoding the redactor does not know, or
/// only its first or last characters, still loses them; what is left of a run is shorter),
/// and reported by the leak scan when one of them is a digit: the scan reads the files and the
/// console as written, so it catches any path that bypassed the redactor.
pub(crate) const FRAGMENT: usize = 8;

/// Every `n` letters and digits in a row of `secret` that look random enough to be the key's
/// alone: at least six different characters, of at least two of upper-case letters,
/// lower-case letters and digits. (`00000000` or `recipien` is no evidence of anything; a key
/// made of words has no fragments; `yDZsCQJF`, which a random key holds as often as not, is.)
fn fragments(secret: &str, n: usize) -> Vec<String> {
    secret
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| run.len() >= n)
        .flat_map(|run| (0..=run.len() - n).map(move |at| run[at..at + n].to_owned()))
        .filter(|window| looks_random(window))
        .collect()
}

/// Whether `window` looks random: six different characters or more, of at least two classes
/// (upper-case, lower-case, digits).
fn looks_random(window: &str) -> bool {
    let distinct: std::collections::BTreeSet<char> = window.chars().collect();
    let classes = [
        window.chars().any(|c| c.is_ascii_uppercase()),
        window.chars().any(|c| c.is_ascii_lowercase()),
        window.chars().any(|c| c.is_ascii_digit()),
    ];
    distinct.len() >= 6 && classes.iter().filter(|c| **c).count() >= 2
}

impl Redactor {
    /// A redactor for these keys.
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a ApiKey>) -> Self {
        Self::from_raw(keys.into_iter().map(ApiKey::expose))
    }

    /// A redactor for secrets that are not (yet) checked keys: what a user typed, before it
    /// was validated, so even the error about it cannot echo it.
    pub fn from_raw<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut sources: Vec<(String, Form)> = Vec::new();
        let mut scanned: Vec<String> = Vec::new();
        for secret in secrets {
            // The near misses the harness sends as wrong keys reveal all but one character of
            // the key, or all of it in another case: each is masked like the key, in every
            // form (a server that echoes what it was sent echoes them in base64 too). The key
            // without its last character is what the other twists keep of it.
            let near_misses = [
                secret.to_owned(),
                near_miss_text(secret),
                Twist::LastCharCut.apply(secret),
                Twist::CaseSwapped.apply(secret),
            ];
            for raw in near_misses {
                if raw.len() < 4 {
                    continue;
                }
                sources.push((raw.clone(), Form::Plain));
                let stretches = fragments(&raw, FRAGMENT);
                // The scan fails a run: it reports only stretches with a digit in them, which
                // no word or host name of an output shares with a key by chance.
                scanned.extend(
                    stretches
                        .iter()
                        .filter(|f| f.chars().any(|c| c.is_ascii_digit()))
                        .cloned(),
                );
                sources.extend(stretches.into_iter().map(|f| (f, Form::Fragment)));
                for encoded in base64_forms(raw.as_bytes()) {
                    if encoded.len() >= 4 {
                        let url = base64url_alphabet(&encoded);
                        sources.push((encoded, Form::Base64));
                        sources.push((url, Form::Base64Url));
                    }
                }
            }
        }
        // Longest first, so a form that contains another is masked whole.
        sources.sort_by_key(|(source, _)| std::cmp::Reverse(source.len()));
        sources.dedup_by(|a, b| a.0 == b.0);
        if sources.is_empty() {
            return Self::default();
        }
        scanned.sort();
        scanned.dedup();
        // A stretch of a key is masked in any case (a server that upper-cases what it echoes
        // still loses it); the key's other forms, as they are.
        let patterns: Vec<String> = sources
            .iter()
            .map(|(s, form)| match form {
                Form::Fragment => format!("(?i:{})", any_encoding(s)),
                _ => any_encoding(s),
            })
            .collect();
        let joined = patterns
            .iter()
            .map(|p| format!("(?:{p})"))
            .collect::<Vec<_>>()
            .join("|");
        // Patterns are built from escaped text only: they always compile.
        let compile = |p: &str| regex::Regex::new(p).ok();
        let each = patterns
            .iter()
            .zip(&sources)
            .filter_map(|(p, (source, form))| {
                compile(&format!("^(?:{p})$")).map(|r| (r, *form, source.clone()))
            })
            .collect();
        let fragments = (!scanned.is_empty())
            .then(|| {
                let literals: Vec<String> = scanned.iter().map(|f| regex::escape(f)).collect();
                compile(&format!("(?i){}", literals.join("|")))
            })
            .flatten();
        Self {
            patterns: std::sync::Arc::new(Patterns {
                text: compile(&joined),
                bytes: regex::bytes::Regex::new(&joined).ok(),
                each,
                fragments,
            }),
        }
    }

    /// `text` with every secret masked.
    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        match &self.patterns.text {
            Some(regex) => regex.replace_all(text, MASK),
            None => Cow::Borrowed(text),
        }
    }

    /// `bytes` with every secret masked, whether or not they are UTF-8.
    pub fn redact_bytes<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        match &self.patterns.bytes {
            Some(regex) => regex.replace_all(bytes, MASK.as_bytes()),
            None => Cow::Borrowed(bytes),
        }
    }

    /// The form of the first secret found in `text`, if any.
    pub fn find(&self, text: &str) -> Option<Form> {
        let found = self.patterns.text.as_ref()?.find(text)?.as_str();
        self.form_of(found)
    }

    /// The form of `found`, a match of the redactor's pattern.
    fn form_of(&self, found: &str) -> Option<Form> {
        let (_, base, source) = self
            .patterns
            .each
            .iter()
            .find(|(p, _, _)| p.is_match(found))?;
        // What differs from the form it was made from says how it was encoded.
        let differs = |marker: &str| found.matches(marker).count() > source.matches(marker).count();
        Some(if found == source {
            *base
        } else if differs("\\") {
            Form::JsonEscaped
        } else if differs("&") {
            Form::HtmlEscaped
        } else if differs("%") {
            Form::PercentEncoded
        } else if differs(" ") {
            Form::PlusAsSpace
        } else {
            *base
        })
    }

    /// Whether `text` contains a secret in any of its forms.
    pub fn leaks(&self, text: &str) -> bool {
        self.patterns
            .text
            .as_ref()
            .is_some_and(|r| r.is_match(text))
    }

    /// What the leak scan finds in `text`: a secret in a form this redactor masks, or
    /// [`FRAGMENT`] of its letters and digits in a row, which an encoding it does not
    /// know left behind.
    pub(crate) fn scan(&self, text: &str) -> Option<Form> {
        // A whole form anywhere; a masked stretch only as the stricter scan below judges it.
        let whole = self.patterns.text.as_ref().and_then(|r| {
            r.find_iter(text)
                .find_map(|m| self.form_of(m.as_str()).filter(|f| *f != Form::Fragment))
        });
        whole.or_else(|| {
            self.patterns
                .fragments
                .as_ref()
                .is_some_and(|r| r.is_match(text))
                .then_some(Form::Fragment)
        })
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} patterns)", self.patterns.each.len())
    }
}

/// A pattern matching `text` with each character that is not a letter or a digit in any of
/// its encodings: itself; percent-encoded, once or twice, in either case; escaped in a JSON
/// string (`\u002B`, `\/`, `\"`, `\\`); as an HTML character reference (`&#43;`, `&#x2B;`,
/// `&quot;`, `&amp;`, …); and a `+` read as a space.
fn any_encoding(text: &str) -> String {
    let mut pattern = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            pattern.push(c);
            continue;
        }
        let mut alternatives = vec![regex::escape(&c.to_string())];
        if c.is_ascii() {
            let hex = hex_any_case(c as u8);
            alternatives.push(format!("%(?:25)?{hex}"));
            alternatives.push(format!(r"\\u00{hex}"));
            alternatives.push(format!("&#0*{};", c as u8));
            alternatives.push(format!("&#[xX]0*{hex};"));
        }
        match c {
            '/' => alternatives.push(r"\\/".to_owned()),
            '"' => alternatives.extend([r#"\\""#.to_owned(), "&quot;".to_owned()]),
            '\\' => alternatives.push(r"\\\\".to_owned()),
            '&' => alternatives.push("&amp;".to_owned()),
            '<' => alternatives.push("&lt;".to_owned()),
            '>' => alternatives.push("&gt;".to_owned()),
            '\'' => alternatives.push("&apos;".to_owned()),
            '+' => alternatives.extend([" ".to_owned(), "%20".to_owned(), r"\\u0020".to_owned()]),
            _ => {}
        }
        pattern.push_str(&format!("(?:{})", alternatives.join("|")));
    }
    pattern
}

/// The two hex digits of `b`, each letter in either case: `2[bB]`.
fn hex_any_case(b: u8) -> String {
    format!("{b:02X}")
        .chars()
        .map(|d| {
            if d.is_ascii_alphabetic() {
                format!("[{}{}]", d, d.to_ascii_lowercase())
            } else {
                d.to_string()
            }
        })
        .collect()
}

/// Base64 text in the base64url alphabet.
fn base64url_alphabet(encoded: &str) -> String {
    encoded
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect()
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

/// `bytes` in padded base64 (RFC 4648 §4).
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    base64(bytes)
}

/// Padded or unpadded base64 back to bytes; `None` for a character outside the alphabet.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for c in text.bytes().filter(|c| *c != b'=') {
        let value = BASE64.iter().position(|b| *b == c)? as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

/// `bytes` in unpadded base64url (RFC 4648 §5), as JWTs carry their parts.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    base64url_alphabet(base64(bytes).trim_end_matches('='))
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
    fn a_secret_of_four_characters_is_masked_and_a_shorter_one_is_not() {
        // Three characters would mask every word that holds them: too short to be a key.
        let four = Redactor::from_raw(["k9Zq"]);
        assert_eq!(four.redact("sent k9Zq back"), "sent *** back");
        let three = Redactor::from_raw(["k9Z"]);
        assert_eq!(three.redact("sent k9Z back"), "sent k9Z back");
    }

    #[test]
    fn a_stretch_looks_random_with_six_different_characters_of_two_classes() {
        assert!(looks_random("aB3dE5gH"));
        // Six different characters, but one class: a word.
        assert!(!looks_random("abcdefgh"));
        // Two classes, but two different characters.
        assert!(!looks_random("aAaAaAaA"));
        assert_eq!(fragments("ak_abcdefgh", 8), Vec::<String>::new());
        assert_eq!(fragments("ak_aB3dE5gH", 8), vec!["aB3dE5gH".to_owned()]);
    }

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
    fn base64_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"\xff\x00\x10binary"] {
            assert_eq!(base64_decode(&base64_encode(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64_decode("!!"), None);
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

    /// The encodings real servers produce, each masked and named.
    #[test]
    fn every_encoding_a_server_produces_is_masked() {
        let key = ApiKey::new("ak_Canary+Key/42").unwrap();
        let redactor = Redactor::new([&key]);
        for (echoed, form) in [
            (r#"{"k":"ak_Canary+Key\/42"}"#, Form::JsonEscaped),
            (r#"{"k":"ak_Canary\u002BKey\/42"}"#, Form::JsonEscaped),
            (r#"{"k":"ak_Canary\u002bKey\u002F42"}"#, Form::JsonEscaped),
            ("https://x/?k=ak_Canary%2bKey%2f42", Form::PercentEncoded),
            ("https://x/?k=ak_Canary%2BKey/42", Form::PercentEncoded),
            ("you sent ak_Canary Key/42", Form::PlusAsSpace),
            ("ak_Canary%20Key%2F42", Form::PercentEncoded),
            ("ak_Canary%252BKey%252F42", Form::PercentEncoded),
            ("<b>ak_Canary&#43;Key&#x2F;42</b>", Form::HtmlEscaped),
            ("<b>ak_Canary&#043;Key&#X2f;42</b>", Form::HtmlEscaped),
        ] {
            assert_eq!(redactor.find(echoed), Some(form), "{echoed}");
            let masked = redactor.redact(echoed);
            assert!(masked.contains(MASK), "{echoed} → {masked}");
            assert!(!redactor.leaks(&masked), "{echoed} → {masked}");
            assert!(!masked.contains("Canary"), "{echoed} → {masked}");
        }
        for prefix in ["", "a", "ab"] {
            let mut bytes = prefix.as_bytes().to_vec();
            bytes.extend_from_slice(b"ak_Canary+Key/42 and more");
            let encoded = base64url(&bytes);
            let found = redactor.find(&encoded);
            assert!(
                matches!(found, Some(Form::Base64 | Form::Base64Url)),
                "{encoded}"
            );
            assert!(!redactor.leaks(&redactor.redact(&encoded)));
            // Base64 inside JSON, with its `/` escaped.
            let escaped = base64(&bytes).replace('/', "\\/");
            assert!(redactor.leaks(&escaped), "{escaped}");
        }
        // Where the alphabets differ, each is named.
        let key = ApiKey::new("ak_>>>>>>>>>>>>>>>>>").unwrap();
        let redactor = Redactor::new([&key]);
        let standard = base64(key.expose().as_bytes());
        let url = base64url(key.expose().as_bytes());
        assert!(
            standard.contains('+') && url.contains('-'),
            "{standard} {url}"
        );
        assert_eq!(redactor.find(&standard), Some(Form::Base64));
        assert_eq!(redactor.find(&url), Some(Form::Base64Url));
        // Quotes and backslashes in a key, as JSON and HTML write them.
        let odd = ApiKey::new(r#"ak_Zq9"Tn3\Mk1&Lp0'x<y>"#).unwrap();
        let redactor_odd = Redactor::new([&odd]);
        for (echoed, form) in [
            (r#""ak_Zq9\"Tn3\\Mk1&Lp0'x<y>""#, Form::JsonEscaped),
            (
                "ak_Zq9&quot;Tn3\\Mk1&amp;Lp0&apos;x&lt;y&gt;",
                Form::HtmlEscaped,
            ),
            (
                "ak_Zq9&#34;Tn3&#92;Mk1&#38;Lp0&#39;x&#60;y&#62;",
                Form::HtmlEscaped,
            ),
        ] {
            assert_eq!(redactor_odd.find(echoed), Some(form), "{echoed}");
            assert!(
                !redactor_odd.leaks(&redactor_odd.redact(echoed)),
                "{echoed}"
            );
        }
        assert_eq!(redactor_odd.find(odd.expose()), Some(Form::Plain));
        // Text that only looks alike is left alone.
        assert_eq!(redactor.redact("ak_Canary-Key-42"), "ak_Canary-Key-42");
        assert_eq!(Redactor::default().redact("anything"), "anything");
    }
}
