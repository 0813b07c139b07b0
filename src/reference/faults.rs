//! The fault catalogue: realistic defects a vendor could ship, each one the reference server
//! can be started with, each declaring the MUST clause(s) that must catch it.
//!
//! `cargo test` (`tests/mutation.rs`) starts the server once per fault and checks that the
//! run fails with every declared clause failing: the suite proves its own detection power.
//! To add a fault: add a variant, its row in [`CATALOGUE`], and its behaviour in
//! `reference/mod.rs` (search for the variant); the mutation test then holds it to its word.

use std::fmt;
use std::str::FromStr;

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
#[derive(Debug, Clone, Copy)]
pub struct FaultInfo {
    /// The fault.
    pub fault: Fault,
    /// Its name on the command line (`serve --fault NAME`).
    pub name: &'static str,
    /// What it breaks.
    pub kind: FaultKind,
    /// The clauses that must catch it: each must FAIL when the server has this fault.
    pub clauses: &'static [&'static str],
    /// One line: what the server does wrong.
    pub description: &'static str,
}

// One list makes both the enum and its catalogue, so neither can lack an entry.
macro_rules! faults {
    ($($fault:ident, $name:literal, $kind:ident, [$($clause:literal),+], $description:literal;)+) => {
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
        }),+];
    };
}

faults! {
    Save200Not201, "save-200-not-201", Status, ["SAVE-201-CREATED"],
        "a successful save answers 200 OK instead of 201 Created";
    MissingKey403, "missing-key-403", Status, ["SAVE-401-MISSING-KEY"],
        "a save without a key answers 403 Forbidden instead of 401";
    Revoked410, "revoked-410", Status, ["SAVE-404-REVOKED"],
        "a revoked share answers 410 Gone instead of 404";
    UnknownToken400, "unknown-token-400", Status, ["SAVE-404-UNKNOWN"],
        "a token that was never issued answers 400 Bad Request instead of 404";
    Removed500Html, "removed-500-html", Status, ["SAVE-404-REMOVED"],
        "a share whose track was deleted answers 500 with an HTML error page";
    SourceOwn, "source-own", Body, ["SAVE-EDGE-SHAPE"],
        "the edge's source is `own` instead of `shared`";
    EdgeIdUnprefixed, "edge-id-unprefixed", Body, ["SAVE-EDGE-SHAPE"],
        "the edge id lacks its `mlib_` prefix";
    ShareLinkIdOmitted, "share-link-id-omitted", Body, ["SAVE-EDGE-SHAPE"],
        "share_link_id is left out of the edge instead of being null";
    ShareLinkIdOtherShare, "share-link-id-other-share", Body, ["SAVE-EDGE-TARGET"],
        "share_link_id names a share link other than the one saved";
    CreatedAtOffset, "created-at-offset", Body, ["SAVE-EDGE-SHAPE"],
        "created_at carries a +02:00 offset instead of UTC";
    CreatedAtNoT, "created-at-no-t", Body, ["SAVE-EDGE-SHAPE"],
        "created_at separates date and time with a space instead of `T`";
    WrongTrackId, "wrong-track-id", Body, ["SAVE-EDGE-TARGET"],
        "the edge's track_id is a track other than the shared one";
    EdgeTextPlain, "edge-text-plain", Body, ["SAVE-201-CREATED"],
        "the edge is JSON served as Content-Type: text/plain";
    EnvelopeSuccessTrue, "envelope-success-true", Envelope, ["ERR-ENVELOPE"],
        "error envelopes say success: true";
    EnvelopeStatusMismatch, "envelope-status-mismatch", Envelope, ["ERR-ENVELOPE"],
        "error.status disagrees with the HTTP status";
    EnvelopeNoTraceId, "envelope-no-trace-id", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have no trace_id";
    EnvelopeNoDetails, "envelope-no-details", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have no details";
    EnvelopeDetailsNull, "envelope-details-null", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have details: null instead of an object";
    EnvelopeIntegerTimestamp, "envelope-integer-timestamp", Envelope, ["ERR-ENVELOPE"],
        "error envelopes carry a Unix-seconds integer timestamp";
    UnauthorizedHtml, "unauthorized-html", Envelope, ["ERR-ENVELOPE", "SAVE-401-MISSING-KEY"],
        "401 answers are an HTML page instead of the envelope";
    ErrorTextPlain, "error-text-plain", Envelope, ["ERR-ENVELOPE"],
        "error envelopes are served as Content-Type: text/plain";
    NotFoundTypeChanged, "not-found-type-changed", Envelope, ["ERR-SNAPSHOT"],
        "the 404 envelope's type is `not_found_error` instead of the documented `client_error`";
    ExpiredStillSaves, "expired-still-saves", Semantics, ["SAVE-404-EXPIRED"],
        "an expired share can still be saved";
    RevokedStillSaves, "revoked-still-saves", Semantics, ["SAVE-404-REVOKED"],
        "a revoked share can still be saved";
    RemovedStillSaves, "removed-still-saves", Semantics, ["SAVE-404-REMOVED"],
        "a share whose track was deleted can still be saved";
    CollectionSaves, "collection-saves", Semantics, ["SAVE-COLLECTION-READ-ONLY"],
        "saving a collection share saves its first track";
    AnyKeyAccepted, "any-key-accepted", Semantics, ["SAVE-401-INVALID-KEY"],
        "any non-empty API key is accepted as the recipient's";
    UnknownKey500, "unknown-key-500", Semantics, ["SAVE-401-INVALID-KEY"],
        "an unknown API key makes the server fail with 500";
    EmptyKeyInvalidCode, "empty-key-invalid-code", Semantics, ["SAVE-401-MISSING-KEY"],
        "an empty X-API-Key answers INVALID_API_KEY instead of AUTHENTICATION_REQUIRED";
    MissingKeyWrongType, "missing-key-wrong-type", Semantics, ["SAVE-401-MISSING-KEY"],
        "the missing-key 401 has type client_error instead of authentication_error";
    TokenBeforeKey, "token-before-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "the token is checked before the key: no key and a dead token answer 404";
    Revealing404Message, "revealing-404-message", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 message says why the share is unavailable (revoked, expired, removed, unknown)";
    Revealing404SystemMessage, "revealing-404-system-message", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 system_message says why the share is unavailable";
    SaveMutatesOriginal, "save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "every save renames the original track";
    MalformedToken500, "malformed-token-500", Semantics, ["SAVE-GRACEFUL"],
        "a token that is not `shr_` and letters or digits makes the server fail with 500";
    RedirectCrossOrigin, "redirect-cross-origin", Transport, ["SAVE-201-CREATED"],
        "a successful save answers 307 to another origin";
    SlowSave, "slow-save", Transport, ["SAVE-201-CREATED"],
        "a successful save answers after 60 seconds, beyond any sane timeout";
    OversizedBody, "oversized-body", Transport, ["SAVE-EDGE-SHAPE"],
        "the edge is padded to 2 MiB, beyond the harness's 1 MiB cap";
    TruncatedBody, "truncated-body", Transport, ["SAVE-201-CREATED"],
        "a successful save's connection is closed halfway through the body";
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
