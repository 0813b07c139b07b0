//! Fixtures: the share tokens a target holds in each state, and what saving the live one returns.
//!
//! The file format is the TOML the README documents (`--fixtures`). A state without a token makes the scenarios that need
//! it NOT-TESTABLE, never passed. Unknown keys are refused, so a typo (`[token]`) is an error
//! rather than a silently empty table.
//!
//! ```
//! use share_conformance::Fixtures;
//! use share_conformance::fixtures::ShareState;
//!
//! let fixtures = Fixtures::parse(r#"
//!     [tokens]
//!     live = "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c"
//!     [recipient]
//!     organization_id = "org_4c1e83b4d9e1"
//! "#)?;
//! assert!(fixtures.tokens.get(ShareState::Live).is_some());
//! assert!(fixtures.tokens.get(ShareState::Revoked).is_none()); // its scenarios: NOT-TESTABLE
//! assert!(Fixtures::parse("[token]\nlive = \"shr_1\"").is_err()); // a typo is an error
//! # Ok::<(), share_conformance::Error>(())
//! ```

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::secret::ApiKey;

/// A state a share token can be in, as named in feature files and the fixtures file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShareState {
    /// Active share link of a track.
    Live,
    /// A share link its owner revoked.
    Revoked,
    /// A share link whose expiry has passed.
    Expired,
    /// A share link whose track its creator deleted.
    Removed,
    /// Active share link of a collection.
    Collection,
}

impl ShareState {
    /// Every state, in the order of the fixtures file.
    pub const ALL: [ShareState; 5] = [
        ShareState::Live,
        ShareState::Revoked,
        ShareState::Expired,
        ShareState::Removed,
        ShareState::Collection,
    ];

    /// The word used in feature files and as the key in `[tokens]`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Live => "live",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Removed => "removed",
            Self::Collection => "collection",
        }
    }

    /// The state named `word`, if any.
    pub fn from_name(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == word)
    }
}

impl fmt::Display for ShareState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The fixtures of one target.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// The recipient's API key, used when neither `--api-key` nor `FREDDY_API_KEY` is given.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "key_serde")]
    pub api_key: Option<ApiKey>,
    /// Share tokens by state.
    #[serde(default)]
    pub tokens: Tokens,
    /// What saving the live token must return.
    #[serde(default)]
    pub expected: Expected,
    /// Who saves: the recipient's organization, for the library checks.
    #[serde(default)]
    pub recipient: Recipient,
}

/// The recipient, beyond its key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The recipient's organization (`org_…`): List saved tracks is
    /// `GET /v1/music/{organization_id}/tracks`. Without it the library checks are NOT-TESTABLE.
    pub organization_id: Option<String>,
}

/// Share tokens by state; `None` where the target has none to offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    /// Active share link of a track.
    pub live: Option<String>,
    /// Revoked share link.
    pub revoked: Option<String>,
    /// Expired share link.
    pub expired: Option<String>,
    /// Share link whose track was deleted.
    pub removed: Option<String>,
    /// Active share link of a collection.
    pub collection: Option<String>,
}

impl Tokens {
    /// The token held for `state`.
    pub fn get(&self, state: ShareState) -> Option<&str> {
        match state {
            ShareState::Live => self.live.as_deref(),
            ShareState::Revoked => self.revoked.as_deref(),
            ShareState::Expired => self.expired.as_deref(),
            ShareState::Removed => self.removed.as_deref(),
            ShareState::Collection => self.collection.as_deref(),
        }
    }

    /// Sets the token held for `state`.
    pub fn set(&mut self, state: ShareState, token: Option<String>) {
        let slot = match state {
            ShareState::Live => &mut self.live,
            ShareState::Revoked => &mut self.revoked,
            ShareState::Expired => &mut self.expired,
            ShareState::Removed => &mut self.removed,
            ShareState::Collection => &mut self.collection,
        };
        *slot = token;
    }
}

/// What saving the live token must return, where the fixtures know it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// Id of the shared track (`mtrack_…`).
    pub track_id: Option<String>,
    /// Id of the live share link (`mslink_…`).
    pub share_link_id: Option<String>,
}

impl Fixtures {
    /// Reads and checks a fixtures file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Fixtures {
            path: Some(path.to_owned()),
            reason: format!("cannot be read: {e}"),
        })?;
        Self::parse(&text).map_err(|e| match e {
            Error::Fixtures { path: None, reason } => Error::Fixtures {
                path: Some(path.to_owned()),
                reason,
            },
            other => other,
        })
    }

    /// Parses and checks fixtures TOML.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bail = |reason: String| Error::Fixtures { path: None, reason };
        // toml's messages quote the offending line, which may hold the key: keep only the
        // position and the reason.
        let fixtures: Fixtures = toml::from_str(text).map_err(|e| {
            let reason = e.message().to_owned();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start].matches('\n').count() + 1;
                    bail(format!("line {line}: {reason}"))
                }
                None => bail(reason),
            }
        })?;
        for state in ShareState::ALL {
            if fixtures.tokens.get(state).is_some_and(str::is_empty) {
                return Err(bail(format!(
                    "tokens.{state} is empty: remove the line to mark the state untestable"
                )));
            }
        }
        for (field, value, prefix) in [
            ("expected.track_id", &fixtures.expected.track_id, "mtrack_"),
            (
                "expected.share_link_id",
                &fixtures.expected.share_link_id,
                "mslink_",
            ),
            (
                "recipient.organization_id",
                &fixtures.recipient.organization_id,
                "org_",
            ),
        ] {
            if let Some(value) = value
                && !value.starts_with(prefix)
            {
                return Err(bail(format!(
                    "{field} is {value:?}: ids of this kind start with `{prefix}`"
                )));
            }
        }
        Ok(fixtures)
    }

    /// The fixtures as TOML in the README's layout, with comments; [`Fixtures::parse`] reads it back.
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        if let Some(key) = &self.api_key {
            out.push_str("# the recipient's API key, used when neither --api-key nor FREDDY_API_KEY is given\n");
            out.push_str(&format!("api_key = {}\n\n", toml_string(key.expose())));
        }
        out.push_str("[tokens]\n");
        for state in ShareState::ALL {
            match self.tokens.get(state) {
                Some(token) => out.push_str(&format!("{state} = {}\n", toml_string(token))),
                None => out.push_str(&format!(
                    "# {state}: none (its scenarios are NOT-TESTABLE)\n"
                )),
            }
        }
        out.push_str("\n[expected]\n");
        for (field, value) in [
            ("track_id", &self.expected.track_id),
            ("share_link_id", &self.expected.share_link_id),
        ] {
            if let Some(value) = value {
                out.push_str(&format!("{field} = {}\n", toml_string(value)));
            }
        }
        out.push_str("\n[recipient]\n");
        match &self.recipient.organization_id {
            Some(org) => out.push_str(&format!("organization_id = {}\n", toml_string(org))),
            None => out.push_str("# organization_id: none (the library checks are NOT-TESTABLE)\n"),
        }
        out
    }
}

/// `token` with its middle character changed to another of its kind (a hex digit to a hex
/// digit when the token's body is hex): a token no target issued that a target checking its
/// own format still looks up. The middle, not the last, character: the last one of a base64
/// token may carry padding bits a strict decoder checks.
pub fn near_miss(token: &str) -> String {
    let (at, hex) = middle(token);
    crate::secret::with_char_shifted(token, at, hex)
}

/// Which character of `token` its near miss changes (the middle of what follows its `_`
/// prefix), and whether that part is hexadecimal.
fn middle(token: &str) -> (usize, bool) {
    let body_start = token.find('_').map_or(0, |at| at + 1);
    let body = &token[body_start..];
    let hex = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (
        token[..body_start].chars().count() + body.chars().count() / 2,
        hex,
    )
}

/// A bash expression of the fixture token in `${variable}` that gives [`near_miss`] of it
/// (`token`, the token itself, says where its middle is and whether it is hexadecimal): a
/// command can send the near miss without the live token being written.
pub(crate) fn near_miss_shell(token: &str, variable: &str) -> String {
    let (at, hex) = middle(token);
    let shift = if hex {
        "tr 0-9a-f 1-9ab-f0"
    } else {
        "tr 0-9a-zA-Z- 1-90b-zaB-ZA_"
    };
    format!(
        "${{{variable}:0:{at}}}$(printf %s \"${{{variable}:{at}:1}}\" | {shift})${{{variable}:{}}}",
        at + 1
    )
}

impl Fixtures {
    /// A token no target issued, shaped like the tokens the fixtures hold (the live one first):
    /// the same prefix, length and kinds of character, so a target that answers 400 to any
    /// token not in its own format still sees one in its format. No length or charset is
    /// documented; without a token to copy, the docs' example form (`shr_` and 32 hex).
    pub fn unknown_token(&self) -> String {
        let template = ShareState::ALL
            .into_iter()
            .find_map(|state| self.tokens.get(state))
            .unwrap_or("shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c");
        loop {
            let token = shaped_like(template);
            if !ShareState::ALL
                .into_iter()
                .any(|s| self.tokens.get(s) == Some(token.as_str()))
            {
                return token;
            }
        }
    }
}

/// A random string like `template`: its prefix up to the first `_` kept, then each character
/// replaced by a random one of its kind (hex digits stay hex when the whole body is hex).
fn shaped_like(template: &str) -> String {
    let (prefix, body) = match template.find('_') {
        Some(at) => template.split_at(at + 1),
        None => ("", template),
    };
    let all_hex = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let random = crate::random::bytes(body.len().max(1));
    let pick = |set: &[u8], r: u8| char::from(set[usize::from(r) % set.len()]);
    // The last character is kept: in a base64 token it may carry padding bits a strict
    // decoder checks, and a copy of the template's is always valid.
    let last = body.chars().count().saturating_sub(1);
    let body: String = body
        .chars()
        .zip(random.iter().cycle())
        .enumerate()
        .map(|(i, (c, &r))| match c {
            _ if i == last => c,
            _ if all_hex => pick(b"0123456789abcdef", r),
            '0'..='9' => pick(b"0123456789", r),
            'a'..='z' => pick(b"abcdefghijklmnopqrstuvwxyz", r),
            'A'..='Z' => pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", r),
            other => other,
        })
        .collect();
    format!("{prefix}{body}")
}

impl fmt::Debug for Fixtures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens are capabilities too (anyone holding one can open the share): list which
        // states are present, not the tokens.
        let present: Vec<&str> = ShareState::ALL
            .into_iter()
            .filter(|s| self.tokens.get(*s).is_some())
            .map(ShareState::name)
            .collect();
        f.debug_struct("Fixtures")
            .field("api_key", &self.api_key)
            .field("tokens", &present)
            .field("expected", &self.expected)
            .field("recipient", &self.recipient)
            .finish()
    }
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

mod key_serde {
    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    use crate::secret::ApiKey;

    pub fn serialize<S: Serializer>(key: &Option<ApiKey>, s: S) -> Result<S::Ok, S::Error> {
        match key {
            Some(key) => s.serialize_str(key.expose()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ApiKey>, D::Error> {
        let raw = Option::<String>::deserialize(d)?;
        raw.map(|k| ApiKey::new(k).map_err(|e| D::Error::custom(format!("api_key: {e}"))))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What bash makes of `expression` with `variable` set to `value`.
    fn bash(expression: &str, variable: &str, value: &str) -> Option<String> {
        let out = std::process::Command::new("bash")
            .args(["-c", &format!("printf %s \"{expression}\"")])
            .env(variable, value)
            .output()
            .ok()?;
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    #[test]
    fn the_shell_expressions_give_the_near_misses_the_harness_sends() {
        let Some(_) = bash("x", "X", "") else {
            eprintln!("no bash: the expressions were not checked");
            return;
        };
        for token in [
            "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c",
            "shr_0123456789abcdef0123456789abcdef",
            "shr_fffffffff9999999",
            "shr_AbZz09-_Qq",
            "shr_zzzzzZZZZZ99999",
            "tok-without-underscore",
        ] {
            let expression = near_miss_shell(token, "SHARE_TOKEN_LIVE");
            assert_eq!(
                bash(&expression, "SHARE_TOKEN_LIVE", token).as_deref(),
                Some(near_miss(token).as_str()),
                "{token}: {expression}"
            );
        }
        let key_expression = r#"${FREDDY_API_KEY%?}$(printf %s "${FREDDY_API_KEY: -1}" | tr 0-9a-zA-Z- 1-90b-zaB-ZA_)"#;
        for key in [
            "ak_abc9", "ak_abcz", "ak_abcZ", "ak_abc0", "ak_ab-", "ak_abcM",
        ] {
            assert_eq!(
                bash(key_expression, "FREDDY_API_KEY", key).as_deref(),
                Some(crate::secret::near_miss_text(key).as_str()),
                "{key}"
            );
        }
    }

    const SAMPLE: &str = r#"
api_key = "ak_0123456789abcdef0123456789abcdef012345"
[tokens]
live = "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c"
revoked = "shr_00000000000000000000000000000001"
[expected]
track_id = "mtrack_b4d9e1c6a72f"
[recipient]
organization_id = "org_5c1e9a7d3b20"
"#;

    #[test]
    fn parses_the_design_layout() {
        let f = Fixtures::parse(SAMPLE).unwrap();
        assert_eq!(
            f.tokens.get(ShareState::Live),
            Some("shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c")
        );
        assert_eq!(f.tokens.get(ShareState::Expired), None);
        assert_eq!(f.expected.track_id.as_deref(), Some("mtrack_b4d9e1c6a72f"));
        assert_eq!(
            f.recipient.organization_id.as_deref(),
            Some("org_5c1e9a7d3b20")
        );
        assert!(f.api_key.is_some());
    }

    #[test]
    fn round_trips_through_to_toml() {
        let f = Fixtures::parse(SAMPLE).unwrap();
        assert_eq!(Fixtures::parse(&f.to_toml()).unwrap(), f);
    }

    #[test]
    fn debug_shows_neither_key_nor_tokens() {
        let text = format!("{:?}", Fixtures::parse(SAMPLE).unwrap());
        assert!(!text.contains("ak_0123"), "{text}");
        assert!(!text.contains("shr_"), "{text}");
        assert!(text.contains("live"), "{text}");
    }

    #[test]
    fn typos_and_bad_values_are_errors() {
        let err = Fixtures::parse("[token]\nlive = \"x\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
        let err = Fixtures::parse("[tokens]\nlive = \"\"\n").unwrap_err();
        assert!(
            format!("{err:#}").contains("tokens.live is empty"),
            "{err:#}"
        );
        let err = Fixtures::parse("[expected]\ntrack_id = \"b4d9\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("mtrack_"), "{err:#}");
        let err = Fixtures::parse("[recipient]\norganization_id = \"5c1e\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("org_"), "{err:#}");
        let err = Fixtures::parse("[recipient]\norg = \"org_1\"\n").unwrap_err();
        assert!(format!("{err:#}").contains("unknown field"), "{err:#}");
        let err = Fixtures::parse("[tokens]\nlive = 3\n").unwrap_err();
        assert!(format!("{err:#}").contains("line 2"), "{err:#}");
    }

    #[test]
    fn a_near_miss_changes_the_middle_character_within_its_kind() {
        assert_eq!(near_miss("shr_00ff"), "shr_000f");
        assert_eq!(near_miss("shr_09ab"), "shr_09bb");
        assert_eq!(near_miss("shr_AbZz"), "shr_AbAz");
        let token = "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c";
        let miss = near_miss(token);
        assert_eq!(miss.len(), token.len());
        assert_eq!(
            miss.chars()
                .zip(token.chars())
                .filter(|(a, b)| a != b)
                .count(),
            1
        );
        assert!(miss.ends_with("3b5c"));
    }

    #[test]
    fn an_unknown_token_has_the_shape_of_the_fixtures_tokens() {
        let f = Fixtures::parse(SAMPLE).unwrap();
        let token = f.unknown_token();
        assert!(token.starts_with("shr_") && token.len() == 36, "{token}");
        assert!(token[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
        assert_ne!(Some(token.as_str()), f.tokens.get(ShareState::Live));
        let other = Fixtures::parse("[tokens]\nlive = \"shr_AbC-dEf_0123456789xyzXYZ\"\n").unwrap();
        let token = other.unknown_token();
        assert_eq!(token.len(), "shr_AbC-dEf_0123456789xyzXYZ".len(), "{token}");
        assert!(token.starts_with("shr_") && &token[7..8] == "-", "{token}");
        assert!(
            token[4..7].bytes().all(|b| b.is_ascii_alphabetic()),
            "{token}"
        );
        let empty = Fixtures::default().unknown_token();
        assert!(empty.starts_with("shr_") && empty.len() == 36, "{empty}");
    }

    #[test]
    fn a_bad_key_is_reported_without_echoing_it() {
        let err = Fixtures::parse("api_key = \"ak_has space_secret\"\n").unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("api_key"), "{text}");
        assert!(!text.contains("space_secret"), "{text}");
    }
}
