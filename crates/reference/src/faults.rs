//! The fault catalogue: realistic defects a vendor could ship, each one the reference server
//! can be started with, each declaring the clause(s) that must catch it.
//!
//! A fault that breaks a MUST clause must fail the run; a fault whose clauses are all SHOULD
//! (an *advisory* fault: a bad habit the docs do not forbid) must be reported as
//! ADVISORY-FAIL while the run passes. `cargo test` (the matrix of `crates/cli/src/matrix/`) holds every entry to
//! its word. To add a fault, add its line below: the variant, its name, its kind, its clauses,
//! what it does wrong, and its hook over [`Behaviour`]. Nothing else changes unless the hook
//! needs a knob the behaviour does not have yet.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::behaviour::{
    AuthProblem, Behaviour, EdgeTransport, MalformedToken, remove_error_field, set_error_field,
};
use super::store::{KEY_PREFIX, Listing, Matching, Refusal, Rename, TOKEN_PREFIX};
use crate::{clock, ids};

/// What part of the contract a fault breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The status line.
    Status,
    /// The library edge.
    Body,
    /// The error envelope.
    Envelope,
    /// What the endpoint does.
    Semantics,
    /// How the answer travels.
    Transport,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Status => "status",
            Self::Body => "body",
            Self::Envelope => "envelope",
            Self::Semantics => "semantics",
            Self::Transport => "transport",
        })
    }
}

/// A fault's catalogue entry.
#[derive(Clone, Copy)]
pub struct FaultInfo {
    /// The fault.
    pub fault: Fault,
    /// Its name on the command line (`serve --fault NAME`).
    pub name: &'static str,
    /// What it breaks.
    pub kind: FaultKind,
    /// The clauses that must catch it: each must FAIL (ADVISORY-FAIL for a SHOULD clause).
    pub clauses: &'static [&'static str],
    /// One line: what the server does wrong.
    pub description: &'static str,
    /// How it changes the documented behaviour.
    pub apply: fn(&mut Behaviour),
}

impl fmt::Debug for FaultInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInfo")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("clauses", &self.clauses)
            .finish_non_exhaustive()
    }
}

// One list makes both the enum and its catalogue, so neither can lack an entry.
macro_rules! faults {
    ($($fault:ident, $name:literal, $kind:ident, [$($clause:literal),+], $description:literal, $apply:expr;)+) => {
        /// One deliberate defect (see [`CATALOGUE`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $(#[doc = $description] $fault,)+
        }

        /// Every fault, by kind.
        pub const CATALOGUE: &[FaultInfo] = &[$(FaultInfo {
            fault: Fault::$fault,
            name: $name,
            kind: FaultKind::$kind,
            clauses: &[$($clause),+],
            description: $description,
            apply: $apply,
        }),+];
    };
}

/// What a revealing 404 says of each reason a share is unavailable (a fault's words).
fn why_sentence(refusal: Option<Refusal>) -> Option<&'static str> {
    Some(match refusal? {
        Refusal::Revoked => "This share link was revoked by its owner.",
        Refusal::Expired => "This share link has expired.",
        Refusal::Removed => "The shared track was deleted.",
        Refusal::Unknown => "This share link does not exist.",
        _ => return None,
    })
}

/// A revealing 404's one word for each reason a share is unavailable.
fn why_word(refusal: Option<Refusal>) -> Option<&'static str> {
    Some(match refusal? {
        Refusal::Revoked => "revoked",
        Refusal::Expired => "expired",
        Refusal::Removed => "removed",
        Refusal::Unknown => "unknown",
        _ => return None,
    })
}

/// The edge's `created_at` rewritten by `f` (a fault's or a variant's), kept when unreadable.
pub(crate) fn rewrite_created_at(edge: &mut Value, f: fn(time::OffsetDateTime) -> String) {
    if let Some(at) = edge["created_at"].as_str().and_then(clock::parse) {
        edge["created_at"] = Value::from(f(at));
    }
}

faults! {
    // ---- status
    Save200Not201, "save-200-not-201", Status, ["SAVE-201-CREATED"],
        "a successful save answers 200 OK instead of 201 Created",
        |b| {
            b.created_status = StatusCode::OK;
            b.repeat_status = StatusCode::OK;
        };
    MissingKey403, "missing-key-403", Status, ["SAVE-401-MISSING-KEY"],
        "a save without a key answers 403 Forbidden instead of 401",
        |b| b.error = |site, e| if site.on_save && site.auth == Some(AuthProblem::Missing) {
            e.status = StatusCode::FORBIDDEN;
            e.code = "FORBIDDEN";
            e.kind = "client_error";
        };
    Revoked410, "revoked-410", Status, ["SAVE-404-REVOKED"],
        "a revoked share answers 410 Gone instead of 404",
        |b| b.error = |site, e| if site.refusal == Some(Refusal::Revoked) {
            e.status = StatusCode::GONE;
            e.code = "RESOURCE_GONE";
        };
    UnknownToken400, "unknown-token-400", Status, ["SAVE-404-UNKNOWN"],
        "a token that was never issued answers 400 Bad Request instead of 404",
        |b| b.error = |site, e| if site.refusal == Some(Refusal::Unknown) {
            e.status = StatusCode::BAD_REQUEST;
            e.code = "INVALID_TOKEN";
        };
    Removed500Html, "removed-500-html", Status, ["SAVE-404-REMOVED"],
        "a share whose track was deleted answers 500 with an HTML error page",
        |b| {
            b.error = |site, e| if site.refusal == Some(Refusal::Removed) {
                e.status = StatusCode::INTERNAL_SERVER_ERROR;
            };
            b.html_instead = |site, _| site.refusal == Some(Refusal::Removed);
        };

    // ---- the library edge
    SourceOwn, "source-own", Body, ["SAVE-EDGE-SHAPE"],
        "the edge's source is `own` instead of `shared`",
        |b| b.edge = |edge| edge["source"] = Value::from("own");
    EdgeIdUnprefixed, "edge-id-unprefixed", Body, ["SAVE-EDGE-SHAPE"],
        "the edge id lacks its `mlib_` prefix",
        |b| b.edge = |edge| {
            let id = edge["id"].as_str().unwrap_or_default().trim_start_matches("mlib_").to_owned();
            edge["id"] = Value::from(id);
        };
    ShareLinkIdOmitted, "share-link-id-omitted", Body, ["SAVE-EDGE-SHAPE"],
        "share_link_id is left out of the edge instead of being null",
        |b| b.edge = |edge| drop(edge.as_object_mut().and_then(|e| e.remove("share_link_id")));
    ShareLinkIdOtherShare, "share-link-id-other-share", Body, ["SAVE-EDGE-TARGET"],
        "share_link_id names a share link other than the one saved",
        |b| b.edge = |edge| edge["share_link_id"] = Value::from(format!("mslink_{}", ids::random_hex(6)));
    CreatedAtOffset, "created-at-offset", Body, ["SAVE-EDGE-SHAPE"],
        "created_at carries a +02:00 offset instead of UTC",
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at.to_offset(time::macros::offset!(+2))));
    CreatedAtNoT, "created-at-no-t", Body, ["SAVE-EDGE-AS-EXAMPLE"],
        "created_at separates date and time with a space instead of `T` (RFC 3339 allows it; the example does not)",
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at).replacen('T', " ", 1));
    WrongTrackId, "wrong-track-id", Body, ["SAVE-EDGE-TARGET"],
        "the edge's track_id is a track other than the shared one",
        |b| b.edge = |edge| edge["track_id"] = Value::from(format!("mtrack_{}", ids::random_hex(6)));
    WrongTrackIdOldEdge, "wrong-track-id-old-edge", Body, ["SAVE-EDGE-TARGET"],
        "the edge names another track and dates from a year ago (not a repeat save: the library shows the track was not saved)",
        |b| b.edge = |edge| {
            edge["track_id"] = Value::from(format!("mtrack_{}", ids::random_hex(6)));
            rewrite_created_at(edge, |at| clock::format(at - time::Duration::days(365)));
        };
    CreatedAtLongAgo, "created-at-long-ago", Body, ["SAVE-CREATED-AT-NOW"],
        "created_at is a year before the save (the track's creation, say)",
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at - time::Duration::days(365)));
    CreatedAtEpoch, "created-at-epoch", Body, ["SAVE-CREATED-AT-NOW"],
        "created_at is the Unix epoch (an unset timestamp column)",
        |b| b.edge = |edge| edge["created_at"] = Value::from("1970-01-01T00:00:00Z");
    CreatedAtLocalTime, "created-at-local-time", Body, ["SAVE-CREATED-AT-NOW"],
        "created_at is the server's local time (UTC-5) written with a Z",
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at - time::Duration::hours(5)));
    EdgeTextPlain, "edge-text-plain", Body, ["HTTP-JSON-CONTENT-TYPE"],
        "the edge is JSON served as Content-Type: text/plain",
        |b| b.edge_content_type = "text/plain; charset=utf-8";

    // ---- the error envelope
    EnvelopeSuccessTrue, "envelope-success-true", Envelope, ["ERR-ENVELOPE"],
        "error envelopes say success: true",
        |b| b.envelope = |_, envelope| envelope["success"] = Value::Bool(true);
    EnvelopeStatusMismatch, "envelope-status-mismatch", Envelope, ["ERR-ENVELOPE"],
        "error.status disagrees with the HTTP status",
        |b| b.envelope = |_, envelope| {
            let status = envelope["error"]["status"].as_u64().unwrap_or(0);
            set_error_field(envelope, "status", Value::from(if status == 400 { 422 } else { 400 }));
        };
    EnvelopeNoTraceId, "envelope-no-trace-id", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have no trace_id",
        |b| b.envelope = |_, envelope| remove_error_field(envelope, "trace_id");
    EnvelopeNoDetails, "envelope-no-details", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have no details",
        |b| b.envelope = |_, envelope| remove_error_field(envelope, "details");
    EnvelopeDetailsNull, "envelope-details-null", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have details: null instead of an object",
        |b| b.envelope = |_, envelope| set_error_field(envelope, "details", Value::Null);
    EnvelopeIntegerTimestamp, "envelope-integer-timestamp", Envelope, ["ERR-ENVELOPE"],
        "error envelopes carry a Unix-seconds integer timestamp",
        |b| b.envelope = |_, envelope| set_error_field(envelope, "timestamp", Value::from(clock::now().unix_timestamp()));
    UnauthorizedHtml, "unauthorized-html", Envelope, ["ERR-ENVELOPE", "SAVE-401-MISSING-KEY"],
        "401 answers are an HTML page instead of the envelope",
        |b| b.html_instead = |_, e| e.status == StatusCode::UNAUTHORIZED;
    ErrorTextPlain, "error-text-plain", Envelope, ["HTTP-JSON-CONTENT-TYPE"],
        "error envelopes are served as Content-Type: text/plain",
        |b| b.error_content_type = "text/plain; charset=utf-8";
    NotFoundTypeChanged, "not-found-type-changed", Envelope, ["ERR-SNAPSHOT"],
        "the 404 envelope's type is `not_found_error`, which no page documents",
        |b| b.error = |_, e| if e.status == StatusCode::NOT_FOUND {
            e.kind = "not_found_error";
        };
    TracebackInDetails, "traceback-in-details", Envelope, ["ERR-NO-INTERNALS"],
        "the unavailable-share 404 carries a Python traceback in details",
        |b| b.envelope = |site, envelope| if site.refusal.is_some() {
            set_error_field(envelope, "details", json!({
                "exception": "Traceback (most recent call last):\n  File \"/srv/app/music/shares.py\", line 88, in save_shared\n    link = ShareLink.objects.get(token_hash=digest)\nShareLink.DoesNotExist: ShareLink matching query does not exist."
            }));
        };
    SqlInSystemMessage, "sql-in-system-message", Envelope, ["ERR-NO-INTERNALS"],
        "the unavailable-share 404's system_message is the SQL query that found nothing",
        |b| b.envelope = |site, envelope| if site.refusal.is_some() {
            set_error_field(envelope, "system_message", Value::from(
                "SELECT id, track_id FROM share_links WHERE token_hash = $1 AND revoked_at IS NULL returned 0 rows",
            ));
        };
    ExceptionInMessage, "exception-in-message", Envelope, ["ERR-NO-INTERNALS"],
        "the 401 message is an exception class and its text",
        |b| b.error = |site, e| if site.auth.is_some() {
            e.message = "MissingPrincipalException: no principal bound to the request context";
        };
    SourcePathInExtraField, "source-path-in-extra-field", Envelope, ["ERR-NO-INTERNALS"],
        "every error envelope carries a `debug` field with a source path and line",
        |b| b.envelope = |_, envelope| set_error_field(envelope, "debug", Value::from(
            "thrown at SaveHandler.handle (src/handlers/save.ts:42:17)",
        ));
    ConstantTraceId, "constant-trace-id", Envelope, ["ERR-TRACE-ID-UNIQUE"],
        "every error envelope carries the same trace_id",
        |b| b.envelope = |_, envelope| set_error_field(envelope, "trace_id", Value::from("req_0000000000000000"));
    StaleTimestamp, "stale-timestamp", Envelope, ["ERR-TIMESTAMP-NOW"],
        "error timestamps are an hour old",
        |b| b.envelope = |_, envelope| set_error_field(envelope, "timestamp",
            Value::from(clock::format(clock::now() - time::Duration::hours(1))));
    EchoTokenInDetails, "echo-token-in-details", Envelope, ["SAVE-NO-ECHO"],
        "error envelopes repeat the share token in details",
        |b| b.envelope = |site, envelope| if let Some(token) = site.token {
            set_error_field(envelope, "details", json!({ "token": token }));
        };

    // ---- the life of a save
    RevokeDropsCopies, "revoke-drops-copies", Semantics, ["SAVE-REVOKE-KEEPS-COPY"],
        "revoking a link takes the track out of the library of everyone who saved it (a cascading foreign key)",
        |b| b.revoke_drops_copies_after = Some(time::Duration::ZERO);
    RevokeDropsCopiesLate, "revoke-drops-copies-late", Semantics, ["SAVE-REVOKE-KEEPS-COPY"],
        "revoking a link takes the saved copies away a second later (a cascade run by a background job)",
        |b| b.revoke_drops_copies_after = Some(time::Duration::seconds(1));
    SaverSavesRevoked, "saver-saves-revoked", Semantics, ["SAVE-AFTER-REVOKE"],
        "a caller who saved a share before gets that edge back before the share's state is checked, so a revoked share still saves for them",
        |b| b.rules.earlier_edge_first = true;
    RevokedStillResolves, "revoked-still-resolves", Semantics, ["SAVE-AFTER-REVOKE"],
        "the public resolve still opens a revoked share",
        |b| b.reads.revoked_shares_resolve = true;
    DeleteKeepsCopies, "delete-keeps-copies", Semantics, ["SAVE-DELETE-EMPTIES-LIBRARY"],
        "a deleted track stays in the libraries of those who saved it (a soft delete that never reaches them)",
        |b| b.reads.deleted_tracks_stay = true;
    DeletedStillResolves, "deleted-still-resolves", Semantics, ["SAVE-AFTER-DELETE"],
        "the public view of a deleted track's share still shows the track",
        |b| b.reads.deleted_tracks_resolve = true;
    RevokedSaveRewritesCopy, "revoked-save-rewrites-copy", Semantics, ["SAVE-AFTER-REVOKE"],
        "after a revocation, a save by a recipient who saved the link before answers 404, but writes them a fresh edge first (listed once per save)",
        |b| {
            b.rules.rewrite_for_earlier_saver = &[Refusal::Revoked];
            b.reads.listing = Listing::EntryPerSave;
        };
    DeletedSaveRestoresCopy, "deleted-save-restores-copy", Semantics, ["SAVE-DELETE-EMPTIES-LIBRARY"],
        "after a track's delete, a save of its share by a recipient who saved it before answers 404, but puts the track back in their library",
        |b| b.rules.rewrite_for_earlier_saver = &[Refusal::Removed];
    RevokedSaveLandsLate, "revoked-save-lands-late", Semantics, ["SAVE-REFUSED-ADDS-NOTHING", "SAVE-AFTER-REVOKE"],
        "a save of a revoked share is refused, but an edge of its track lands in the library 0.7 s later (listed once per save)",
        |b| {
            b.rules.store_despite = &[Refusal::Revoked];
            b.rules.store_despite_after = time::Duration::milliseconds(700);
            b.reads.listing = Listing::EntryPerSave;
        };
    RefusedSaveLandsLate, "refused-save-lands-late", Semantics, ["SAVE-REFUSED-ADDS-NOTHING"],
        "a save of a collection share is refused, but its tracks land in the library 0.7 s later",
        |b| {
            b.rules.store_despite = &[Refusal::Collection];
            b.rules.store_despite_after = time::Duration::milliseconds(700);
        };

    // ---- what the endpoint does
    ExpiredStillSaves, "expired-still-saves", Semantics, ["SAVE-404-EXPIRED"],
        "an expired share can still be saved",
        |b| b.rules.allow_expired = true;
    RevokedStillSaves, "revoked-still-saves", Semantics, ["SAVE-404-REVOKED"],
        "a revoked share can still be saved",
        |b| b.rules.allow_revoked = true;
    RemovedStillSaves, "removed-still-saves", Semantics, ["SAVE-404-REMOVED"],
        "a share whose track was deleted can still be saved",
        |b| b.rules.allow_removed = true;
    CollectionSaves, "collection-saves", Semantics, ["SAVE-COLLECTION-READ-ONLY"],
        "saving a collection share saves its first track",
        |b| b.rules.allow_collection = true;
    AnyKeyAccepted, "any-key-accepted", Semantics, ["SAVE-401-INVALID-KEY"],
        "any non-empty API key is accepted as the recipient's",
        |b| b.accepted_as_recipient = &[AuthProblem::Unknown, AuthProblem::Malformed];
    UnknownKey500, "unknown-key-500", Semantics, ["SAVE-401-INVALID-KEY"],
        "an unknown API key makes the server fail with 500",
        |b| b.server_error_for = &[AuthProblem::Unknown];
    MalformedKey500, "malformed-key-500", Semantics, ["SAVE-401-INVALID-KEY"],
        "a key that is not `ak_` and 39 letters or digits makes the server fail with 500",
        |b| b.server_error_for = &[AuthProblem::Malformed];
    BearerAccepted, "bearer-accepted", Semantics, ["SAVE-401-BEARER"],
        "any `Authorization: Bearer` credential is taken for the recipient",
        |b| b.accepted_as_recipient = &[AuthProblem::Bearer, AuthProblem::UnsignedBearer];
    UnsignedBearerAccepted, "unsigned-bearer-accepted", Semantics, ["SAVE-401-BEARER"],
        "a Bearer JWT with `\"alg\": \"none\"` (no signature) is taken for the recipient",
        |b| b.accepted_as_recipient = &[AuthProblem::UnsignedBearer];
    KeyPrefixCompared, "key-prefix-compared", Semantics, ["SAVE-401-INVALID-KEY"],
        "only the first 32 characters of a key are compared",
        |b| b.key_matching = Matching::FirstBytes(KEY_PREFIX);
    KeyCaseFolded, "key-case-folded", Semantics, ["SAVE-401-EXACT-KEY"],
        "keys are compared case-insensitively (a _ci collation)",
        |b| b.key_matching = Matching::CaseFolded;
    KeyCaseFoldedAfterPrefix, "key-case-folded-after-prefix", Semantics, ["SAVE-401-EXACT-KEY"],
        "an API key's `ak_` prefix is checked as it is, then the key is looked up case-insensitively",
        |b| b.key_matching = Matching::CaseFoldedAfterPrefix;
    KeyCutToLength, "key-cut-to-length", Semantics, ["SAVE-401-EXACT-KEY"],
        "a presented key is cut to the stored key's length before it is compared (a truncating column)",
        |b| b.key_matching = Matching::CutToStored;
    KeyPrefixMatched, "key-prefix-matched", Semantics, ["SAVE-401-EXACT-KEY"],
        "any prefix of a key of at least 16 characters is taken for it (LIKE 'key%')",
        |b| b.key_matching = Matching::PrefixOfStored;
    KeyUnicodeFolded, "key-unicode-folded", Semantics, ["SAVE-401-EXACT-KEY"],
        "a key is stripped of Unicode whitespace and its full-width letters folded before it is compared",
        |b| b.key_matching = Matching::UnicodeFolded;
    BearerBesideKey, "bearer-beside-key", Semantics, ["SAVE-401-EXACT-KEY"],
        "any Authorization: Bearer credential beside an X-API-Key signs the caller in, whatever the key",
        |b| b.bearer_beside_key_signs_in = true;
    TokenPrefixCompared, "token-prefix-compared", Semantics, ["SAVE-404-UNKNOWN"],
        "only the first 16 characters of a share token are compared",
        |b| b.rules.token_matching = Matching::FirstBytes(TOKEN_PREFIX);
    TokenCaseFolded, "token-case-folded", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "share tokens are looked up case-insensitively",
        |b| b.rules.token_matching = Matching::CaseFolded;
    TokenCutToLength, "token-cut-to-length", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "a presented token is cut to the stored token's length before it is looked up",
        |b| b.rules.token_matching = Matching::CutToStored;
    TokenPrefixMatched, "token-prefix-matched", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "any prefix of a token of at least 16 characters finds its share (LIKE 'token%')",
        |b| b.rules.token_matching = Matching::PrefixOfStored;
    TokenContained, "token-contained", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "a presented string that contains a stored token finds its share",
        |b| b.rules.token_matching = Matching::ContainsStored;
    TokenStripped, "token-stripped", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "a presented token is stripped of whitespace before it is looked up",
        |b| b.rules.token_matching = Matching::UnicodeFolded;
    TokenBeforeKey, "token-before-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "the token is checked before the key: no key and a dead token answer 404",
        |b| b.token_before_key = &[AuthProblem::Missing];
    TokenBeforeEmptyKey, "token-before-empty-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "an empty key is checked only after the token: with a dead token it answers 404",
        |b| b.token_before_key = &[AuthProblem::Empty];
    TokenBeforeUnknownKey, "token-before-unknown-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "an unknown key is checked only after the token: with a dead token it answers 404, an oracle for live tokens",
        |b| b.token_before_key = &[AuthProblem::Unknown];
    TokenBeforeMalformedKey, "token-before-malformed-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "a malformed key is checked only after the token: with a dead token it answers 404",
        |b| b.token_before_key = &[AuthProblem::Malformed];
    TokenBeforeBearer, "token-before-bearer", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "a Bearer credential is checked only after the token: with a dead token it answers 404",
        |b| b.token_before_key = &[AuthProblem::Bearer];
    Revealing404Message, "revealing-404-message", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 message says why the share is unavailable (revoked, expired, removed, unknown)",
        |b| b.error = |site, e| if let Some(why) = why_sentence(site.refusal) {
            e.message = why;
        };
    Revealing404Details, "revealing-404-details", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 details say why the share is unavailable",
        |b| b.envelope = |site, envelope| if let Some(why) = why_word(site.refusal) {
            set_error_field(envelope, "details", json!({ "reason": why }));
        };
    Revealing404MessageWithRef, "revealing-404-message-with-ref", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 message says why, followed by a reference that differs per request",
        |b| {
            b.error = |site, e| if let Some(why) = why_sentence(site.refusal) {
                e.message = why;
            };
            b.envelope = |site, envelope| if site.refusal.is_some() {
                let message = envelope["error"]["message"].as_str().unwrap_or_default().to_owned();
                set_error_field(envelope, "message", Value::from(format!("{message} (ref {})", ids::random_hex(4))));
            };
        };
    Revealing404DetailsWithRef, "revealing-404-details-with-ref", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 details carry a reference made of the reason and a per-request number",
        |b| b.envelope = |site, envelope| if let Some(why) = why_word(site.refusal) {
            set_error_field(envelope, "details", json!({ "ref": format!("{why}-{}", ids::random_hex(4)) }));
        };
    Revealing404SystemMessage, "revealing-404-system-message", Semantics, ["SAVE-NO-ORACLE-STRICT"],
        "the 404 system_message says why the share is unavailable (free text: advisory)",
        |b| b.error = |site, e| {
            e.system_message = match site.refusal {
                Some(Refusal::Revoked) => "Share link revoked",
                Some(Refusal::Expired) => "Share link expired",
                Some(Refusal::Removed) => "Shared track soft-deleted",
                Some(Refusal::Unknown) => "Token hash not found",
                _ => return,
            };
        };
    Revealing404Header, "revealing-404-header", Semantics, ["SAVE-NO-ORACLE-STRICT"],
        "the 404 answer carries an `X-Share-State` header saying why (outside the envelope: advisory)",
        |b| b.error_header = |site| why_word(site.refusal).map(|why| ("x-share-state", why.to_owned()));
    Revealing404ExtraField, "revealing-404-extra-field", Semantics, ["SAVE-NO-ORACLE-STRICT"],
        "the 404 envelope has an undocumented `reason` field saying why",
        |b| b.envelope = |site, envelope| if let Some(why) = why_word(site.refusal) {
            set_error_field(envelope, "reason", Value::from(why));
        };
    SaveMutatesOriginal, "save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "every save renames the original track",
        |b| b.rules.rename = Rename::EverySave;
    FirstSaveMutatesOriginal, "first-save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "only the first save of each share renames the original track",
        |b| b.rules.rename = Rename::FirstSaveOfShare;
    RepeatSaveMutatesOriginal, "repeat-save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "a repeat save of a share renames the original track (the first save does not)",
        |b| b.rules.rename = Rename::RepeatSaves;
    SaveStoresNothing, "save-stores-nothing", Semantics, ["SAVE-LIBRARY-ADDED"],
        "a save answers a perfect 201 edge, but nothing reaches the recipient's library",
        |b| b.rules.store = false;
    SaveAddsAnotherTrack, "save-adds-another-track", Semantics, ["SAVE-LIBRARY-ADDED"],
        "a save also puts another of the sharer's tracks into the recipient's library",
        |b| b.rules.add_another_track = true;
    CollectionStoredDespiteRefusal, "collection-stored-despite-refusal", Semantics, ["SAVE-REFUSED-ADDS-NOTHING"],
        "saving a collection share answers 422, but its tracks land in the recipient's library",
        |b| b.rules.store_despite = &[Refusal::Collection];
    RevokedStoredDespite404, "revoked-stored-despite-404", Semantics, ["SAVE-REFUSED-ADDS-NOTHING"],
        "saving a revoked share answers 404, but its track lands in the recipient's library",
        |b| b.rules.store_despite = &[Refusal::Revoked];
    MalformedToken500, "malformed-token-500", Semantics, ["SAVE-GRACEFUL"],
        "a token that is not `shr_` and letters or digits makes the server fail with 500",
        |b| b.malformed_token = MalformedToken::ServerError;

    // ---- how the answer travels
    RedirectCrossOrigin, "redirect-cross-origin", Transport, ["SAVE-201-CREATED"],
        "a successful save answers 307 to another origin",
        |b| b.edge_transport = EdgeTransport::RedirectElsewhere;
    SlowSave, "slow-save", Transport, ["SAVE-201-CREATED"],
        "a successful save answers after 60 seconds, beyond any sane timeout",
        |b| b.edge_transport = EdgeTransport::Delayed(Duration::from_secs(60));
    OversizedBody, "oversized-body", Transport, ["SAVE-EDGE-SHAPE"],
        "the edge is padded to 2 MiB, beyond the harness's 256 KiB cap",
        |b| b.edge_transport = EdgeTransport::Padded(2 * 1024 * 1024);
    TruncatedBody, "truncated-body", Transport, ["SAVE-201-CREATED"],
        "a successful save's connection is closed halfway through the body",
        |b| b.edge_transport = EdgeTransport::Truncated;
}

impl Fault {
    /// The catalogue entry of this fault.
    pub fn info(self) -> &'static FaultInfo {
        CATALOGUE
            .iter()
            .find(|info| info.fault == self)
            .expect("the faults! macro gives every fault a catalogue entry")
    }

    /// The fault's command-line name.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        CATALOGUE
            .iter()
            .find(|info| info.name == name)
            .map(|info| info.fault)
            .ok_or_else(|| {
                format!("no fault is called {name:?} (list them with `share-conformance faults`)")
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_and_variants_are_unique_and_round_trip() {
        let names: HashSet<&str> = CATALOGUE.iter().map(|i| i.name).collect();
        let faults: HashSet<Fault> = CATALOGUE.iter().map(|i| i.fault).collect();
        assert_eq!(names.len(), CATALOGUE.len());
        assert_eq!(faults.len(), CATALOGUE.len());
        for info in CATALOGUE {
            assert_eq!(info.name.parse::<Fault>(), Ok(info.fault));
            assert_eq!(info.fault.info().name, info.name);
        }
        assert!("nope".parse::<Fault>().is_err());
    }
}
