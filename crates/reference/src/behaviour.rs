//! What the reference server does, as data.
//!
//! [`Behaviour::documented`] is the documented behaviour. Every fault (`faults/`) and every
//! conforming variant (`variants.rs`) is a catalogue entry whose hook changes a copy of it:
//! a knob (which credentials are checked after the token, what a repeat save does, …) or a
//! function that rewrites what the server is about to send (an error, an envelope, an edge, a
//! public view). The handlers consult the behaviour and nothing else, so adding an entry that
//! needs an existing knob or rewrite touches only its catalogue.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::Value;

use super::error::ApiError;
use super::store::{Listing, Matching, ReadRules, Refusal, SaveRules, TokenFormat};

/// Why a request identifies no caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthProblem {
    /// No `X-API-Key` header (and no `Authorization`).
    Missing,
    /// The header is empty or blank.
    Empty,
    /// A key not shaped like the documented ones (`ak_` and 39 letters or digits).
    Malformed,
    /// A well-formed key this server never issued.
    Unknown,
    /// Only an `Authorization: Bearer` header, and this server issues no bearer tokens.
    Bearer,
    /// Only an `Authorization: Bearer` JWT that says `"alg": "none"`: unsigned.
    UnsignedBearer,
    /// More than one `X-API-Key` header.
    Ambiguous,
}

/// What an error answer is about, for the hooks that rewrite it.
#[derive(Debug, Clone, Copy)]
pub struct ErrorSite<'a> {
    /// The save endpoint, or another route.
    pub on_save: bool,
    /// Why the caller is not signed in, for a 401.
    pub auth: Option<AuthProblem>,
    /// Why a save was refused, for a refused save.
    pub refusal: Option<Refusal>,
    /// The share token the request named, if any.
    pub token: Option<&'a str>,
    /// For a 401 of the save: what a save of the token would have met (live, or why it is
    /// refused), for a fault that lets it show. The documented answer never uses it.
    pub token_state: Option<Result<(), Refusal>>,
}

impl ErrorSite<'_> {
    /// An error of a route other than the save, or one with nothing more to say.
    pub const PLAIN: ErrorSite<'static> = ErrorSite {
        on_save: false,
        auth: None,
        refusal: None,
        token: None,
        token_state: None,
    };
}

/// Rewrites an error before it is rendered (status, code, texts, type).
pub type ErrorHook = fn(&ErrorSite<'_>, &mut ApiError);
/// Rewrites a rendered error envelope.
pub type EnvelopeHook = fn(&ErrorSite<'_>, &mut Value);
/// Rewrites a rendered library edge.
pub type EdgeHook = fn(&mut Value);
/// Rewrites a rendered public view; the second argument counts the share's views so far.
pub type ViewHook = fn(&mut Value, u64);

/// How a successful save's answer travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeTransport {
    /// As a normal response.
    Normal,
    /// A 307 to another origin instead.
    RedirectElsewhere,
    /// After this long.
    Delayed(Duration),
    /// Half the body, then the connection drops.
    Truncated,
    /// Padded with this many bytes of whitespace.
    Padded(usize),
}

/// What the save answers for a token that is not in the server's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalformedToken {
    /// The unavailable-share 404, like any token that was never issued.
    NotFound,
    /// 400 `INVALID_REQUEST` ("bad format") for a token not in the server's own format.
    BadRequest,
    /// 500 for a token that is not `shr_` and letters or digits: a fault.
    ServerError,
}

/// An extra response header of an error answer.
pub type ErrorHeader = fn(&ErrorSite<'_>) -> Option<(&'static str, String)>;
/// An extra response header of a successful save, from the token it saved.
pub type SavedHeader = fn(&str) -> Option<(&'static str, String)>;

/// Everything the reference server can be made to do differently.
#[derive(Clone, Copy)]
pub struct Behaviour {
    /// Credential problems for which the token is checked (and answered) before the 401.
    pub token_before_key: &'static [AuthProblem],
    /// Credential problems taken for the seeded recipient instead of a 401.
    pub accepted_as_recipient: &'static [AuthProblem],
    /// Credential problems that make the save fail with a 500.
    pub server_error_for: &'static [AuthProblem],
    /// How a presented key is compared with the stored ones (exactly, unless a fault).
    pub key_matching: Matching,
    /// Whether a Bearer credential beside an X-API-Key signs the caller in as the recipient,
    /// whatever the key (a fault: a gateway trusted too far).
    pub bearer_beside_key_signs_in: bool,
    /// The save's rules.
    pub rules: SaveRules,
    /// What the reads (List saved tracks, the public resolve) show of the writes.
    pub reads: ReadRules,
    /// A fault: a revocation takes the copies saved through the link out of every library,
    /// this long after it.
    pub revoke_drops_copies_after: Option<time::Duration>,
    /// How many entries the recipient's library holds before the first request (saves of
    /// another track, long ago): a library longer than a client reads.
    pub library_prefill: usize,
    /// What a successful revoke or track delete answers: 200 with `{ success, id, detail }`,
    /// or 204 with no body (the docs state no status for a delete; revoke's 200 is an example).
    pub owner_delete_status: StatusCode,
    /// What a malformed token answers.
    pub malformed_token: MalformedToken,
    /// How the tokens the server issues look.
    pub token_format: TokenFormat,
    /// At most this many requests a second; the rest answer 429 with `Retry-After: 1` (a
    /// documented answer).
    pub rate_limit_per_second: Option<u64>,
    /// A header added to error answers.
    pub error_header: ErrorHeader,
    /// Rewrites every error before rendering.
    pub error: ErrorHook,
    /// Rewrites every error envelope after rendering.
    pub envelope: EnvelopeHook,
    /// The Content-Type of error envelopes.
    pub error_content_type: &'static str,
    /// Errors answered with an HTML page instead of the envelope.
    pub html_instead: fn(&ErrorSite<'_>, &ApiError) -> bool,
    /// Rewrites every library edge the save answers.
    pub edge: EdgeHook,
    /// The status of a first save.
    pub created_status: StatusCode,
    /// The status of a repeat save that answers an edge.
    pub repeat_status: StatusCode,
    /// The Content-Type of library edges.
    pub edge_content_type: &'static str,
    /// How the edge travels.
    pub edge_transport: EdgeTransport,
    /// A header added to a successful save's answer.
    pub saved_header: SavedHeader,
    /// Rewrites every public view.
    pub view: ViewHook,
}

impl std::fmt::Debug for Behaviour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Behaviour")
            .field("token_before_key", &self.token_before_key)
            .field("accepted_as_recipient", &self.accepted_as_recipient)
            .field("server_error_for", &self.server_error_for)
            .field("key_matching", &self.key_matching)
            .field("rules", &self.rules)
            .field("malformed_token", &self.malformed_token)
            .field("token_format", &self.token_format)
            .field("rate_limit_per_second", &self.rate_limit_per_second)
            .field("created_status", &self.created_status)
            .field("repeat_status", &self.repeat_status)
            .field("edge_transport", &self.edge_transport)
            .finish_non_exhaustive()
    }
}

/// JSON, as the docs' examples are.
pub const JSON: &str = "application/json";

impl Behaviour {
    /// The documented behaviour, and where the docs leave a choice, the reference server's.
    pub const fn documented() -> Self {
        Self {
            token_before_key: &[],
            accepted_as_recipient: &[],
            server_error_for: &[],
            key_matching: Matching::Exact,
            bearer_beside_key_signs_in: false,
            rules: SaveRules::DOCUMENTED,
            reads: ReadRules {
                lag: time::Duration::ZERO,
                listing: Listing::NewestSaveOncePerTrack,
                deleted_tracks_stay: false,
                deleted_tracks_resolve: false,
                revoked_shares_resolve: false,
            },
            revoke_drops_copies_after: None,
            owner_delete_status: StatusCode::OK,
            library_prefill: 0,
            malformed_token: MalformedToken::NotFound,
            token_format: TokenFormat::Hex32,
            rate_limit_per_second: None,
            error_header: |_| None,
            error: |_, _| {},
            envelope: |_, _| {},
            error_content_type: JSON,
            html_instead: |_, _| false,
            edge: |_| {},
            created_status: StatusCode::CREATED,
            repeat_status: StatusCode::CREATED,
            edge_content_type: JSON,
            edge_transport: EdgeTransport::Normal,
            saved_header: |_| None,
            view: |_, _| {},
        }
    }
}

impl Default for Behaviour {
    fn default() -> Self {
        Self::documented()
    }
}

/// The field of an envelope's `error` object, for hooks that rewrite one.
pub fn error_field<'v>(envelope: &'v mut Value, field: &str) -> Option<&'v mut Value> {
    envelope.get_mut("error")?.get_mut(field)
}

/// Sets `error.{field}` of an envelope (no-op on anything else).
pub fn set_error_field(envelope: &mut Value, field: &str, value: Value) {
    if let Some(Value::Object(error)) = envelope.get_mut("error") {
        error.insert(field.to_owned(), value);
    }
}

/// Removes `error.{field}` from an envelope.
pub fn remove_error_field(envelope: &mut Value, field: &str) {
    if let Some(Value::Object(error)) = envelope.get_mut("error") {
        error.remove(field);
    }
}
