//! Conforming variants: choices the docs leave open, each of which the suite must pass.
//!
//! The fault catalogue proves the suite catches what the docs forbid; this one proves it does
//! not fail what the docs allow (ARCHITECTURE.md, principle 7). Each variant is the reference server with
//! one choice made differently: another documented 401 message, a non-empty `details`, extra
//! fields, a repeat save answered 200, …. Against every variant every MUST clause must pass,
//! and exactly the SHOULD clauses the entry names (the ones that report the choice) are
//! ADVISORY-FAIL: `cargo test` (the matrix of `crates/cli/src/matrix/`) holds each entry to that.
//!
//! To add a variant, add its line below; its hook rewrites [`Behaviour`] like a fault's does.

use std::fmt;
use std::str::FromStr;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::behaviour::{AuthProblem, Behaviour, MalformedToken, error_field, set_error_field};
use super::error;
use super::faults::rewrite_created_at;
use super::store::{Listing, Refusal, Repeat, TokenFormat};
use crate::{clock, ids};

/// A variant's catalogue entry.
#[derive(Clone, Copy)]
pub struct VariantInfo {
    /// The variant.
    pub variant: Variant,
    /// Its name on the command line (`serve --variant NAME`).
    pub name: &'static str,
    /// The SHOULD clauses that report this choice (ADVISORY-FAIL); every other clause passes.
    pub advisories: &'static [&'static str],
    /// One line: the choice, and the doc that leaves it open.
    pub description: &'static str,
    /// How it changes the reference server's behaviour.
    pub apply: fn(&mut Behaviour),
}

impl fmt::Debug for VariantInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VariantInfo")
            .field("name", &self.name)
            .field("advisories", &self.advisories)
            .finish_non_exhaustive()
    }
}

macro_rules! variants {
    ($($variant:ident, $name:literal, [$($clause:literal),*], $description:literal, $apply:expr;)+) => {
        /// One conforming variant (see [`CATALOGUE`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Variant {
            $(#[doc = $description] $variant,)+
        }

        /// Every variant.
        pub const CATALOGUE: &[VariantInfo] = &[$(VariantInfo {
            variant: Variant::$variant,
            name: $name,
            advisories: &[$($clause),*],
            description: $description,
            apply: $apply,
        }),+];
    };
}

/// `2026-06-28T10:30:00.123Z`: the same instant with milliseconds.
fn with_millis(at: time::OffsetDateTime) -> String {
    let text = clock::format(at);
    format!("{}.{:03}Z", text.trim_end_matches('Z'), at.millisecond())
}

/// `2026-06-28T10:30:00+00:00`: UTC written as an offset.
fn with_zero_offset(at: time::OffsetDateTime) -> String {
    format!("{}+00:00", clock::format(at).trim_end_matches('Z'))
}

/// Rewrites the envelope's timestamp with `f`.
fn rewrite_timestamp(envelope: &mut Value, f: fn(time::OffsetDateTime) -> String) {
    if let Some(at) = error_field(envelope, "timestamp")
        .and_then(|v| v.as_str())
        .and_then(clock::parse)
    {
        set_error_field(envelope, "timestamp", Value::from(f(at)));
    }
}

/// A random version-4 UUID, as the global error docs show trace ids.
fn uuid_v4() -> String {
    let hex = ids::random_hex(16);
    let variant = ["8", "9", "a", "b"][usize::from(hex.as_bytes()[16]) % 4];
    format!(
        "{}-{}-4{}-{variant}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

variants! {
    SignInMessage, "sign-in-message", ["ERR-EXAMPLE-SNAPSHOT"],
        "AUTHENTICATION_REQUIRED says the global error table's \"Please sign in to continue\" (the pages disagree)",
        |b| b.error = |_, e| if e.code == "AUTHENTICATION_REQUIRED" {
            e.message = "Please sign in to continue";
        };
    DetailsPopulated, "details-populated", ["ERR-EXAMPLE-SNAPSHOT"],
        "every error's details is a non-empty object (documented: an object, may be {})",
        |b| b.envelope = |_, envelope| {
            let code = envelope["error"]["code"].as_str().unwrap_or_default().to_owned();
            set_error_field(envelope, "details", json!({
                "documentation_url": format!("https://docs.example.invalid/errors/{code}"),
                "retryable": false,
            }));
        };
    ExtraFields, "extra-fields", [],
        "envelopes, edges and public views carry undocumented extra fields (additive extensions)",
        |b| {
            b.envelope = |_, envelope| {
                set_error_field(envelope, "help_url", Value::from("https://help.example.invalid/errors"));
                envelope["api_version"] = Value::from("2026-06-01");
            };
            b.edge = |edge| {
                edge["saved"] = Value::Bool(true);
                edge["links"] = json!({ "library": "/v1/music/library" });
            };
            b.view = |view, _| {
                view["api_version"] = Value::from("2026-06-01");
                if let Some(Value::Object(track)) = view.get_mut("track") {
                    track.insert("waveform_url".into(), Value::Null);
                }
            };
        };
    ViewCounter, "view-counter", [],
        "the public resolve carries per-view share metadata: a view counter and the time of this view",
        |b| b.view = |view, views| {
            if let Some(Value::Object(share)) = view.get_mut("share") {
                share.insert("view_count".into(), Value::from(views));
                share.insert("viewed_at".into(), Value::from(clock::format(clock::now())));
            }
        };
    RepeatSave200, "repeat-save-200", [],
        "a repeat save of the same share answers 200 with the same edge, as the sibling Save a track does",
        |b| b.repeat_status = StatusCode::OK;
    RepeatSaveConflict, "repeat-save-409", [],
        "a repeat save of the same share answers 409 Conflict (a repeat save is not documented)",
        |b| b.rules.repeat = Repeat::Refuse;
    RepeatSaveNewEdge, "repeat-save-new-edge", [],
        "a repeat save of the same share makes another edge and answers 201 (a repeat save is not documented)",
        |b| b.rules.repeat = Repeat::NewEdge;
    UuidTraceId, "uuid-trace-id", [],
        "trace_id is a UUID, as the global error docs show",
        |b| b.envelope = |_, envelope| set_error_field(envelope, "trace_id", Value::from(uuid_v4()));
    UnauthorizedClientError, "unauthorized-client-error", ["ERR-EXAMPLE-SNAPSHOT"],
        "401 envelopes are typed client_error, the global page's type for client errors (this page shows authentication_error)",
        |b| b.error = |_, e| if e.status == StatusCode::UNAUTHORIZED {
            e.kind = "client_error";
        };
    EmptyKeyInvalid, "empty-key-invalid-api-key", ["ERR-EXAMPLE-SNAPSHOT"],
        "an empty X-API-Key is an invalid key: 401 INVALID_API_KEY (the status table: 401 missing/invalid key)",
        |b| b.error = |site, e| if site.auth == Some(AuthProblem::Empty) {
            *e = error::INVALID_API_KEY;
        };
    UnknownKeyAuthRequired, "unknown-key-authentication-required", [],
        "unknown and malformed keys answer 401 AUTHENTICATION_REQUIRED instead of INVALID_API_KEY",
        |b| b.error = |site, e| if matches!(site.auth, Some(AuthProblem::Unknown | AuthProblem::Malformed)) {
            *e = error::authentication_required("A valid API key is required");
        };
    BearerAuthRequired, "bearer-authentication-required", [],
        "a Bearer credential this server cannot verify answers 401 AUTHENTICATION_REQUIRED instead of TOKEN_INVALID",
        |b| b.error = |site, e| if site.auth == Some(AuthProblem::Bearer) {
            *e = error::authentication_required("Bearer token could not be verified");
        };
    CollectionForbidden, "collection-403", [],
        "saving a collection share answers 403 FORBIDDEN (the docs say read-only, not which status)",
        |b| b.error = |site, e| if site.refusal == Some(Refusal::Collection) {
            *e = error::forbidden("A shared collection is read-only");
        };
    MalformedToken400, "malformed-token-400", [],
        "a token not in the server's format (`shr_` and 32 hex) answers 400 (the status table: bad format)",
        |b| b.malformed_token = MalformedToken::BadRequest;
    Base64UrlTokens, "base64url-tokens", [],
        "tokens are `shr_` and 43 base64url characters, and any token not in that format answers 400 (no token format is documented)",
        |b| {
            b.token_format = TokenFormat::Base64Url43;
            b.malformed_token = MalformedToken::BadRequest;
        };
    RequestIdInDetails, "request-id-in-details", ["ERR-EXAMPLE-SNAPSHOT"],
        "every error's details carries a request id that differs per request (details: any object)",
        |b| b.envelope = |_, envelope| {
            set_error_field(envelope, "details", json!({ "request_id": uuid_v4() }));
        };
    RequestIdInMessage, "request-id-in-message", ["ERR-EXAMPLE-SNAPSHOT"],
        "every error message ends with a reference that differs per request, \"(ref 1a2b3c4d)\" (free text)",
        |b| b.envelope = |_, envelope| {
            let message = envelope["error"]["message"].as_str().unwrap_or_default().to_owned();
            let reference = &uuid_v4()[..8];
            set_error_field(envelope, "message", Value::from(format!("{message} (ref {reference})")));
        };
    LoadBalancedNode, "load-balanced-node", ["ERR-EXAMPLE-SNAPSHOT"],
        "every error's details names the server node that answered, one of three, at random (details: any object)",
        |b| b.envelope = |_, envelope| {
            let node = ["eu-1a", "eu-1b", "eu-1c"][usize::from(ids::random_hex(1).as_bytes()[0]) % 3];
            set_error_field(envelope, "details", json!({ "instance": node }));
        };
    RateLimited, "rate-limited", [],
        "more than 100 requests a second answer 429 with Retry-After: 1 (the status table: 429 rate limit, with Retry-After)",
        |b| b.rate_limit_per_second = Some(100);
    ShareLinkIdNull, "share-link-id-null", ["SAVE-SHARE-LINK-ID-KNOWN"],
        "the edge's share_link_id is null (documented: the id, or null)",
        |b| b.edge = |edge| edge["share_link_id"] = Value::Null;
    FractionalSeconds, "fractional-seconds", ["SAVE-EDGE-AS-EXAMPLE"],
        "created_at and error timestamps carry milliseconds (still UTC)",
        |b| {
            b.edge = |edge| rewrite_created_at(edge, with_millis);
            b.envelope = |_, envelope| rewrite_timestamp(envelope, with_millis);
        };
    ZeroOffset, "zero-offset", ["SAVE-EDGE-AS-EXAMPLE"],
        "created_at and error timestamps write UTC as +00:00 instead of Z",
        |b| {
            b.edge = |edge| rewrite_created_at(edge, with_zero_offset);
            b.envelope = |_, envelope| rewrite_timestamp(envelope, with_zero_offset);
        };
    LongIds, "long-ids", ["SAVE-EDGE-AS-EXAMPLE"],
        "edge ids are the prefix and 26 upper-case letters and digits (no length or charset is documented)",
        |b| b.edge = |edge| {
            let tail: String = ids::random_hex(13).to_uppercase();
            edge["id"] = Value::from(format!("mlib_01{tail}X"));
        };
    JsonCharset, "json-charset", [],
        "bodies are served as application/json; charset=utf-8",
        |b| {
            b.edge_content_type = "application/json; charset=utf-8";
            b.error_content_type = "application/json; charset=utf-8";
        };
    NeighboursAnswer204, "neighbours-204", [],
        "revoking a share link and deleting a track answer 204 No Content (no status is documented for a delete; revoke's 200 is only an example)",
        |b| b.owner_delete_status = StatusCode::NO_CONTENT;
    EntryPerSave, "entry-per-save", [],
        "List saved tracks lists a track once per save, newest save first (the docs say neither once, nor once per save)",
        |b| b.reads.listing = Listing::EntryPerSave;
    LongLibrary, "long-library", [],
        "the recipient's library already lists 1,200 entries, one per save, more than a client reads (the harness reads 1,000)",
        |b| {
            b.reads.listing = Listing::EntryPerSave;
            b.library_prefill = 1200;
        };
    KeptInPlace, "kept-in-place", [],
        "List saved tracks lists a track once, where its first save put it (a re-saved track does not move)",
        |b| b.reads.listing = Listing::FirstSaveOncePerTrack;
    ReadsLag, "reads-lag", [],
        "List saved tracks and the public resolve show a write half a second after it (no read-after-write consistency is promised)",
        |b| {
            b.rules.read_lag = time::Duration::milliseconds(500);
            b.reads.lag = time::Duration::milliseconds(500);
        };
    OwnWords, "own-words", ["ERR-EXAMPLE-SNAPSHOT"],
        "messages and system messages in the vendor's own words (free text is never a MUST)",
        |b| b.error = |_, e| match e.status {
            StatusCode::UNAUTHORIZED => {
                e.message = "Sign in to save this track.";
                e.system_message = "No valid credential on the save request";
            }
            StatusCode::NOT_FOUND => {
                e.message = "That link doesn't work any more.";
                e.system_message = "Share not available";
            }
            _ => {}
        };
}

impl Variant {
    /// The catalogue entry of this variant.
    pub fn info(self) -> &'static VariantInfo {
        CATALOGUE
            .iter()
            .find(|info| info.variant == self)
            .expect("the variants! macro gives every variant a catalogue entry")
    }

    /// The variant's command-line name.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        CATALOGUE
            .iter()
            .find(|info| info.name == name)
            .map(|info| info.variant)
            .ok_or_else(|| {
                format!(
                    "no variant is called {name:?} (list them with `share-conformance variants`)"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let names: HashSet<&str> = CATALOGUE.iter().map(|i| i.name).collect();
        assert_eq!(names.len(), CATALOGUE.len());
        for info in CATALOGUE {
            assert_eq!(info.name.parse::<Variant>(), Ok(info.variant));
        }
        assert!("nope".parse::<Variant>().is_err());
        assert!(
            !super::super::faults::CATALOGUE
                .iter()
                .any(|f| names.contains(f.name)),
            "a name is either a fault or a variant"
        );
    }

    #[test]
    fn timestamps_keep_their_instant() {
        let at = clock::parse("2026-06-28T10:30:00Z").unwrap();
        assert_eq!(with_millis(at), "2026-06-28T10:30:00.000Z");
        assert_eq!(with_zero_offset(at), "2026-06-28T10:30:00+00:00");
        let uuid = uuid_v4();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
    }
}
