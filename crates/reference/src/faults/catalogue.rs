//! The faults, one entry each (see the module's documentation for what an entry holds).

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Catch, FaultInfo, FaultKind, rewrite_created_at, why_sentence, why_word};
use crate::behaviour::{
    AuthProblem, EdgeTransport, MalformedToken, remove_error_field, set_error_field,
};
use crate::store::{KEY_PREFIX, Listing, Matching, Refusal, Rename, Repeat, TOKEN_PREFIX};
use crate::{clock, ids};

faults! {
    // ---- status
    Save200Not201, "save-200-not-201", Status, ["SAVE-201-CREATED"],
        "a successful save answers 200 OK instead of 201 Created",
        caught: ["Saving a live track share returns 201 Created" / "Then the status is 201"],
        |b| {
            b.created_status = StatusCode::OK;
            b.repeat_status = StatusCode::OK;
        };
    MissingKey403, "missing-key-403", Status, ["SAVE-401-MISSING-KEY"],
        "a save without a key answers 403 Forbidden instead of 401",
        caught: ["Saving without an X-API-Key header returns 401 AUTHENTICATION_REQUIRED" / "Then the status is 401"],
        |b| b.error = |site, e| if site.on_save && site.auth == Some(AuthProblem::Missing) {
            e.status = StatusCode::FORBIDDEN;
            e.code = "FORBIDDEN";
            e.kind = "client_error";
        };
    Revoked410, "revoked-410", Status, ["SAVE-404-REVOKED"],
        "a revoked share answers 410 Gone instead of 404",
        caught: ["Saving a revoked share returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| b.error = |site, e| if site.refusal == Some(Refusal::Revoked) {
            e.status = StatusCode::GONE;
            e.code = "RESOURCE_GONE";
        };
    UnknownToken400, "unknown-token-400", Status, ["SAVE-404-UNKNOWN"],
        "a token that was never issued answers 400 Bad Request instead of 404",
        caught: ["Saving a token that was never issued returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| b.error = |site, e| if site.refusal == Some(Refusal::Unknown) {
            e.status = StatusCode::BAD_REQUEST;
            e.code = "INVALID_TOKEN";
        };
    Removed500Html, "removed-500-html", Status, ["SAVE-404-REMOVED"],
        "a share whose track was deleted answers 500 with an HTML error page",
        caught: ["Saving a share whose track was deleted returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| {
            b.error = |site, e| if site.refusal == Some(Refusal::Removed) {
                e.status = StatusCode::INTERNAL_SERVER_ERROR;
            };
            b.html_instead = |site, _| site.refusal == Some(Refusal::Removed);
        };

    // ---- the library edge
    SourceOwn, "source-own", Body, ["SAVE-EDGE-SHAPE"],
        "the edge's source is `own` instead of `shared`",
        caught: ["Saving a live track share returns a library edge" / "And the body is a library edge"],
        |b| b.edge = |edge| edge["source"] = Value::from("own");
    EdgeIdUnprefixed, "edge-id-unprefixed", Body, ["SAVE-EDGE-SHAPE"],
        "the edge id lacks its `mlib_` prefix",
        caught: ["Saving a live track share returns a library edge" / "And the body is a library edge"],
        |b| b.edge = |edge| {
            let id = edge["id"].as_str().unwrap_or_default().trim_start_matches("mlib_").to_owned();
            edge["id"] = Value::from(id);
        };
    ShareLinkIdOmitted, "share-link-id-omitted", Body, ["SAVE-EDGE-SHAPE"],
        "share_link_id is left out of the edge instead of being null",
        caught: ["Saving a live track share returns a library edge" / "And the body is a library edge"],
        |b| b.edge = |edge| drop(edge.as_object_mut().and_then(|e| e.remove("share_link_id")));
    ShareLinkIdOtherShare, "share-link-id-other-share", Body, ["SAVE-EDGE-TARGET"],
        "share_link_id names a share link other than the one saved",
        caught: ["The saved edge's share_link_id is the originating share link or null" / "And the edge's share_link_id is the share's id or null"],
        |b| b.edge = |edge| edge["share_link_id"] = Value::from(format!("mslink_{}", ids::random_hex(6)));
    ShareLinkIdDropped, "share-link-id-dropped", Body, ["SAVE-SHARE-LINK-ID-KNOWN"],
        "the save drops the link it came through: share_link_id is null though the share is live (the docs allow null: advisory)",
        caught: ["The saved edge names its share link when the share's id is known" / "And the edge's share_link_id is not null, since the share's id is known"],
        |b| b.edge = |edge| edge["share_link_id"] = Value::Null;
    CreatedAtOffset, "created-at-offset", Body, ["SAVE-EDGE-SHAPE"],
        "created_at carries a +02:00 offset instead of UTC",
        caught: ["Saving a live track share returns a library edge" / "And the body is a library edge"],
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at.to_offset(time::macros::offset!(+2))));
    CreatedAtNoT, "created-at-no-t", Body, ["SAVE-EDGE-AS-EXAMPLE"],
        "created_at separates date and time with a space instead of `T` (RFC 3339 allows it; the example does not)",
        caught: ["The saved edge's ids and created_at have the form of the example" / "And the edge's ids and created_at have the form of the example"],
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at).replacen('T', " ", 1));
    WrongTrackId, "wrong-track-id", Body, ["SAVE-EDGE-TARGET"],
        "the edge's track_id is a track other than the shared one",
        caught: ["The saved edge's track_id is the shared track" / "And the edge's track_id is the shared track"],
        |b| b.edge = |edge| edge["track_id"] = Value::from(format!("mtrack_{}", ids::random_hex(6)));
    WrongTrackIdOldEdge, "wrong-track-id-old-edge", Body, ["SAVE-EDGE-TARGET"],
        "the edge names another track and dates from a year ago (not a repeat save: the library shows the track was not saved)",
        caught: ["The saved edge's track_id is the shared track" / "And the edge's track_id is the shared track"],
        |b| b.edge = |edge| {
            edge["track_id"] = Value::from(format!("mtrack_{}", ids::random_hex(6)));
            rewrite_created_at(edge, |at| clock::format(at - time::Duration::days(365)));
        };
    CreatedAtLongAgo, "created-at-long-ago", Body, ["SAVE-CREATED-AT-NOW"],
        "created_at is a year before the save (the track's creation, say)",
        caught: ["The saved edge's created_at is the time of the save" / "And the edge's created_at is within 15 minutes of the target's clock"],
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at - time::Duration::days(365)));
    CreatedAtEpoch, "created-at-epoch", Body, ["SAVE-CREATED-AT-NOW"],
        "created_at is the Unix epoch (an unset timestamp column)",
        caught: ["The saved edge's created_at is the time of the save" / "And the edge's created_at is within 15 minutes of the target's clock"],
        |b| b.edge = |edge| edge["created_at"] = Value::from("1970-01-01T00:00:00Z");
    CreatedAtLocalTime, "created-at-local-time", Body, ["SAVE-CREATED-AT-NOW"],
        "created_at is the server's local time (UTC-5) written with a Z",
        caught: ["The saved edge's created_at is the time of the save" / "And the edge's created_at is within 15 minutes of the target's clock"],
        |b| b.edge = |edge| rewrite_created_at(edge, |at| clock::format(at - time::Duration::hours(5)));
    EdgeTextPlain, "edge-text-plain", Body, ["HTTP-JSON-CONTENT-TYPE"],
        "the edge is JSON served as Content-Type: text/plain",
        caught: ["The saved edge is served as JSON" / "Then the content type is JSON"],
        |b| b.edge_content_type = "text/plain; charset=utf-8";

    // ---- the error envelope
    EnvelopeSuccessTrue, "envelope-success-true", Envelope, ["ERR-ENVELOPE"],
        "error envelopes say success: true",
        caught: [
            "The answer to a revoked share is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to a removed share is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.envelope = |_, envelope| envelope["success"] = Value::Bool(true);
    EnvelopeStatusMismatch, "envelope-status-mismatch", Envelope, ["ERR-ENVELOPE"],
        "error.status disagrees with the HTTP status",
        caught: [
            "The answer to a revoked share is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to an expired share is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.envelope = |_, envelope| {
            let status = envelope["error"]["status"].as_u64().unwrap_or(0);
            set_error_field(envelope, "status", Value::from(if status == 400 { 422 } else { 400 }));
        };
    EnvelopeNoTraceId, "envelope-no-trace-id", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have no trace_id",
        caught: [
            "The answer to a forged Bearer token is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to a revoked share is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.envelope = |_, envelope| remove_error_field(envelope, "trace_id");
    EnvelopeNoDetails, "envelope-no-details", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have no details",
        caught: [
            "The answer to a malformed key is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to a revoked share is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.envelope = |_, envelope| remove_error_field(envelope, "details");
    EnvelopeDetailsNull, "envelope-details-null", Envelope, ["ERR-ENVELOPE"],
        "error envelopes have details: null instead of an object",
        caught: [
            "The answer to an empty key is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to a revoked share is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to an unknown token is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.envelope = |_, envelope| set_error_field(envelope, "details", Value::Null);
    EnvelopeIntegerTimestamp, "envelope-integer-timestamp", Envelope, ["ERR-ENVELOPE"],
        "error envelopes carry a Unix-seconds integer timestamp",
        caught: [
            "The answer to an unknown key is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to a revoked share is a JSON error envelope" / "Then the body is an error envelope",
            "The answer to a collection share is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.envelope = |_, envelope| set_error_field(envelope, "timestamp", Value::from(clock::now().unix_timestamp()));
    UnauthorizedHtml, "unauthorized-html", Envelope, ["ERR-ENVELOPE", "SAVE-401-MISSING-KEY"],
        "401 answers are an HTML page instead of the envelope",
        caught: [
            "Saving with an empty X-API-Key header returns a documented 401" / "And the body is an error envelope",
            "The answer to a missing key is a JSON error envelope" / "Then the body is an error envelope",
        ],
        |b| b.html_instead = |_, e| e.status == StatusCode::UNAUTHORIZED;
    ErrorTextPlain, "error-text-plain", Envelope, ["HTTP-JSON-CONTENT-TYPE"],
        "error envelopes are served as Content-Type: text/plain",
        caught: [
            "The 401 envelope is served as JSON" / "Then the content type is JSON",
            "The 404 envelope is served as JSON" / "Then the content type is JSON",
            "The 4xx envelope is served as JSON" / "Then the content type is JSON",
        ],
        |b| b.error_content_type = "text/plain; charset=utf-8";
    NotFoundTypeChanged, "not-found-type-changed", Envelope, ["ERR-SNAPSHOT"],
        "the 404 envelope's type is `not_found_error`, which no page documents",
        caught: ["The 404 envelope for an unavailable share matches its contract snapshot" / "And the envelope matches the snapshot \"save-404-unavailable\""],
        |b| b.error = |_, e| if e.status == StatusCode::NOT_FOUND {
            e.kind = "not_found_error";
        };
    UnauthorizedTypeChanged, "unauthorized-type-changed", Envelope, ["ERR-SNAPSHOT"],
        "the 401 envelope's type is `auth_error`, which no page documents",
        caught: ["The 401 envelope for a missing key matches its contract snapshot" / "And the envelope matches the snapshot \"save-401-missing-key\""],
        |b| b.error = |_, e| if e.status == StatusCode::UNAUTHORIZED {
            e.kind = "auth_error";
        };
    BlankSystemMessages, "blank-system-messages", Envelope, ["ERR-EXAMPLE-SNAPSHOT"],
        "every error's system_message is an empty string: the field is there and says nothing (free text: advisory)",
        caught: [
            "The 401 envelope for a missing key is the page's example" / "Then the envelope matches the snapshot \"example-401-missing-key\"",
            "The 401 envelope for an empty key is the page's example" / "Then the envelope matches the snapshot \"example-401-missing-key\"",
            "The 404 envelope for an unavailable share is the page's example" / "Then the envelope matches the snapshot \"example-404-unavailable\"",
        ],
        |b| b.error = |_, e| e.system_message = "";
    FreeFormTraceId, "free-form-trace-id", Envelope, ["ERR-TRACE-ID-FORMAT"],
        "trace_id is `trace-` and a random number, neither a `req_` id nor a UUID (still unique: advisory)",
        caught: [
            "The trace_id of the 401 envelope is a req_ id or a UUID" / "Then the error trace_id is a req_ id or a UUID",
            "The trace_id of the 404 envelope is a req_ id or a UUID" / "Then the error trace_id is a req_ id or a UUID",
        ],
        |b| b.envelope = |_, envelope| set_error_field(envelope, "trace_id", Value::from(format!("trace-{}", ids::random_hex(10))));
    TracebackInDetails, "traceback-in-details", Envelope, ["ERR-NO-INTERNALS"],
        "the unavailable-share 404 carries a Python traceback in details",
        caught: [
            "The answer to a revoked share shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to a removed share shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to a malformed token that is 4 KiB long shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
        ],
        |b| b.envelope = |site, envelope| if site.refusal.is_some() {
            set_error_field(envelope, "details", json!({
                "exception": "Traceback (most recent call last):\n  File \"/srv/app/music/shares.py\", line 88, in save_shared\n    link = ShareLink.objects.get(token_hash=digest)\nShareLink.DoesNotExist: ShareLink matching query does not exist."
            }));
        };
    SqlInSystemMessage, "sql-in-system-message", Envelope, ["ERR-NO-INTERNALS"],
        "the unavailable-share 404's system_message is the SQL query that found nothing",
        caught: [
            "The answer to a revoked share shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to an expired share shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to a collection share shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
        ],
        |b| b.envelope = |site, envelope| if site.refusal.is_some() {
            set_error_field(envelope, "system_message", Value::from(
                "SELECT id, track_id FROM share_links WHERE token_hash = $1 AND revoked_at IS NULL returned 0 rows",
            ));
        };
    ExceptionInMessage, "exception-in-message", Envelope, ["ERR-NO-INTERNALS"],
        "the 401 message is an exception class and its text",
        caught: [
            "The answer to a missing key shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to an unknown key shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to a forged Bearer token shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
        ],
        |b| b.error = |site, e| if site.auth.is_some() {
            e.message = "MissingPrincipalException: no principal bound to the request context";
        };
    SourcePathInExtraField, "source-path-in-extra-field", Envelope, ["ERR-NO-INTERNALS"],
        "every error envelope carries a `debug` field with a source path and line",
        caught: [
            "The answer to a missing key shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to a malformed key shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to an unknown token shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
            "The answer to a malformed token that is control characters shows no internals" / "Then no field of the envelope carries a stack trace, an exception, a source path or SQL",
        ],
        |b| b.envelope = |_, envelope| set_error_field(envelope, "debug", Value::from(
            "thrown at SaveHandler.handle (src/handlers/save.ts:42:17)",
        ));
    ConstantTraceId, "constant-trace-id", Envelope, ["ERR-TRACE-ID-UNIQUE"],
        "every error envelope carries the same trace_id",
        caught: ["Error answers carry trace_ids no other answer of the run carries" / "Then the trace_ids of those responses are unique in the run"],
        |b| b.envelope = |_, envelope| set_error_field(envelope, "trace_id", Value::from("req_0000000000000000"));
    StaleTimestamp, "stale-timestamp", Envelope, ["ERR-TIMESTAMP-NOW"],
        "error timestamps are an hour old",
        caught: [
            "The timestamp of the 401 envelope is the time of the answer" / "Then the error timestamp is a UTC date-time within 5 minutes of the target's clock",
            "The timestamp of the 404 envelope is the time of the answer" / "Then the error timestamp is a UTC date-time within 5 minutes of the target's clock",
        ],
        |b| b.envelope = |_, envelope| set_error_field(envelope, "timestamp",
            Value::from(clock::format(clock::now() - time::Duration::hours(1))));
    EchoTokenInDetails, "echo-token-in-details", Envelope, ["SAVE-NO-ECHO"],
        "error envelopes repeat the share token in details",
        caught: [
            "The answer to a missing key carries neither the share token nor the key" / "Then the response carries neither the share token nor the credential it was sent",
            "The answer to an unknown key carries neither the share token nor the key" / "Then the response carries neither the share token nor the credential it was sent",
            "The answer to a forged Bearer token carries neither the share token nor the key" / "Then the response carries neither the share token nor the credential it was sent",
            "The answer to a revoked share carries neither the share token nor the key" / "Then the response carries neither the share token nor the credential it was sent",
            "The answer to an unknown token carries neither the share token nor the key" / "Then the response carries neither the share token nor the credential it was sent",
        ],
        |b| b.envelope = |site, envelope| if let Some(token) = site.token {
            set_error_field(envelope, "details", json!({ "token": token }));
        };
    EchoTokenInLocation, "echo-token-in-location", Envelope, ["SAVE-NO-ECHO"],
        "a successful save answers with a Location header naming the share it saved, token and all",
        caught: ["The save's answer carries neither the share token nor the key" / "Then the response carries neither the share token nor the credential it was sent"],
        |b| b.saved_header = |token| Some(("location", format!("/v1/music/shared/{token}")));

    // ---- the life of a save
    RevokeDropsCopies, "revoke-drops-copies", Semantics, ["SAVE-REVOKE-KEEPS-COPY"],
        "revoking a link takes the track out of the library of everyone who saved it (a cascading foreign key)",
        caught: ["After its revocation, the recipient who saved a share keeps the track" / "Then the recipient's library still holds the track saved through the revoked share"],
        |b| b.revoke_drops_copies_after = Some(time::Duration::ZERO);
    RevokeDropsCopiesLate, "revoke-drops-copies-late", Semantics, ["SAVE-REVOKE-KEEPS-COPY"],
        "revoking a link takes the saved copies away a second later (a cascade run by a background job)",
        caught: ["After its revocation, the recipient who saved a share keeps the track" / "Then the recipient's library still holds the track saved through the revoked share"],
        |b| b.revoke_drops_copies_after = Some(time::Duration::seconds(1));
    SaverSavesRevoked, "saver-saves-revoked", Semantics, ["SAVE-AFTER-REVOKE"],
        "a caller who saved a share before gets that edge back before the share's state is checked, so a revoked share still saves for them",
        caught: ["After its revocation, a share the recipient saved returns the unavailable share's 404 to the recipient" / "Then each of those responses has status 404"],
        |b| b.rules.earlier_edge_first = &[Refusal::Revoked, Refusal::Expired, Refusal::Removed];
    SaverSavesDeleted, "saver-saves-deleted", Semantics, ["SAVE-AFTER-DELETE"],
        "a caller who saved a track's share before still gets that edge back after the track's delete (the lookup of earlier saves skips the deleted-track check)",
        caught: ["Saving a deleted track's share again returns the removed share's 404" / "Then the status is 404"],
        |b| b.rules.earlier_edge_first = &[Refusal::Removed];
    RevokedStillResolves, "revoked-still-resolves", Semantics, ["SAVE-AFTER-REVOKE"],
        "the public resolve still opens a revoked share",
        caught: ["After its revocation, the public view of a share fails gracefully" / "Then the public view of the revoked share fails gracefully"],
        |b| b.reads.revoked_shares_resolve = true;
    DeleteKeepsCopies, "delete-keeps-copies", Semantics, ["SAVE-DELETE-EMPTIES-LIBRARY"],
        "a deleted track stays in the libraries of those who saved it (a soft delete that never reaches them)",
        caught: ["A track its creator deletes leaves the library of the recipient who saved it" / "Then the deleted track leaves the recipient's library"],
        |b| b.reads.deleted_tracks_stay = true;
    DeletedStillResolves, "deleted-still-resolves", Semantics, ["SAVE-AFTER-DELETE"],
        "the public view of a deleted track's share still shows the track",
        caught: ["The public view of a deleted track's share no longer shows the track" / "Then the public view of the deleted track's share no longer shows the track"],
        |b| b.reads.deleted_tracks_resolve = true;
    RevokedSaveRewritesCopy, "revoked-save-rewrites-copy", Semantics, ["SAVE-AFTER-REVOKE"],
        "after a revocation, a save by a recipient who saved the link before answers 404, but writes them a fresh edge first (listed once per save)",
        caught: ["After its revocation, saving a share the recipient saved adds nothing to the library" / "Then the saves of the revoked share added nothing to the recipient's library"],
        |b| {
            b.rules.rewrite_for_earlier_saver = &[Refusal::Revoked];
            b.reads.listing = Listing::EntryPerSave;
        };
    DeletedSaveRestoresCopy, "deleted-save-restores-copy", Semantics, ["SAVE-DELETE-EMPTIES-LIBRARY"],
        "after a track's delete, a save of its share by a recipient who saved it before answers 404, but puts the track back in their library",
        caught: ["A deleted track stays out of the library, though its share is saved again" / "Then the deleted track is not in the recipient's library late in the run either"],
        |b| b.rules.rewrite_for_earlier_saver = &[Refusal::Removed];
    RevokedSaveLandsLate, "revoked-save-lands-late", Semantics, ["SAVE-REFUSED-ADDS-NOTHING", "SAVE-AFTER-REVOKE"],
        "a save of a revoked share is refused, but an edge of its track lands in the library 0.7 s later (listed once per save)",
        caught: [
            "After its revocation, saving a share the recipient saved adds nothing to the library" / "Then the saves of the revoked share added nothing to the recipient's library",
            "Saves that are refused add nothing to the recipient's library" / "Then the saves refused before the first save added nothing to the recipient's library",
        ],
        |b| {
            b.rules.store_despite = &[Refusal::Revoked];
            b.rules.store_despite_after = time::Duration::milliseconds(700);
            b.reads.listing = Listing::EntryPerSave;
        };
    RefusedSaveLandsLate, "refused-save-lands-late", Semantics, ["SAVE-REFUSED-ADDS-NOTHING"],
        "a save of a collection share is refused, but its tracks land in the library 0.7 s later",
        caught: ["Saves that are refused add nothing to the recipient's library" / "Then the saves refused before the first save added nothing to the recipient's library"],
        |b| {
            b.rules.store_despite = &[Refusal::Collection];
            b.rules.store_despite_after = time::Duration::milliseconds(700);
        };

    // ---- what the endpoint does
    ExpiredStillSaves, "expired-still-saves", Semantics, ["SAVE-404-EXPIRED"],
        "an expired share can still be saved",
        caught: ["Saving an expired share returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| b.rules.allow_expired = true;
    RevokedStillSaves, "revoked-still-saves", Semantics, ["SAVE-404-REVOKED"],
        "a revoked share can still be saved",
        caught: ["Saving a revoked share returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| b.rules.allow_revoked = true;
    RemovedStillSaves, "removed-still-saves", Semantics, ["SAVE-404-REMOVED"],
        "a share whose track was deleted can still be saved",
        caught: ["Saving a share whose track was deleted returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| b.rules.allow_removed = true;
    CollectionSaves, "collection-saves", Semantics, ["SAVE-COLLECTION-READ-ONLY"],
        "saving a collection share saves its first track",
        caught: ["Saving a collection share returns a 4xx error envelope" / "Then the status is a client error"],
        |b| b.rules.allow_collection = true;
    AnyKeyAccepted, "any-key-accepted", Semantics, ["SAVE-401-INVALID-KEY"],
        "any non-empty API key is accepted as the recipient's",
        caught: [
            "Saving with an unknown API key returns a documented 401 envelope" / "Then the status is 401",
            "Saving with a malformed API key that is \"of the wrong length\" returns a documented 401 envelope" / "Then the status is 401",
            "Saving with a malformed API key that is \"non-ASCII\" returns a documented 401 envelope" / "Then the status is 401",
        ],
        |b| b.accepted_as_recipient = &[AuthProblem::Unknown, AuthProblem::Malformed];
    UnknownKey500, "unknown-key-500", Semantics, ["SAVE-401-INVALID-KEY"],
        "an unknown API key makes the server fail with 500",
        caught: ["Saving with an unknown API key returns a documented 401 envelope" / "Then the status is 401"],
        |b| b.server_error_for = &[AuthProblem::Unknown];
    MalformedKey500, "malformed-key-500", Semantics, ["SAVE-401-INVALID-KEY"],
        "a key that is not `ak_` and 39 letters or digits makes the server fail with 500",
        caught: [
            "Saving with a malformed API key that is \"of the wrong prefix\" returns a documented 401 envelope" / "Then the status is 401",
            "Saving with a malformed API key that is \"8 KiB long\" returns a documented 401 envelope" / "Then the status is 401",
        ],
        |b| b.server_error_for = &[AuthProblem::Malformed];
    BearerAccepted, "bearer-accepted", Semantics, ["SAVE-401-BEARER"],
        "any `Authorization: Bearer` credential is taken for the recipient",
        caught: ["Saving with a forged Bearer credential and no X-API-Key returns a documented 401" / "Then the status is 401"],
        |b| b.accepted_as_recipient = &[AuthProblem::Bearer, AuthProblem::UnsignedBearer];
    UnsignedBearerAccepted, "unsigned-bearer-accepted", Semantics, ["SAVE-401-BEARER"],
        "a Bearer JWT with `\"alg\": \"none\"` (no signature) is taken for the recipient",
        caught: ["Saving with an unsigned Bearer credential and no X-API-Key returns a documented 401" / "Then the status is 401"],
        |b| b.accepted_as_recipient = &[AuthProblem::UnsignedBearer];
    KeyPrefixCompared, "key-prefix-compared", Semantics, ["SAVE-401-INVALID-KEY"],
        "only the first 32 characters of a key are compared",
        caught: ["Saving with the recipient's API key with its last character changed returns a documented 401 envelope" / "Then the status is 401"],
        |b| b.key_matching = Matching::FirstBytes(KEY_PREFIX);
    KeyCaseFolded, "key-case-folded", Semantics, ["SAVE-401-EXACT-KEY"],
        "keys are compared case-insensitively (a _ci collation)",
        caught: ["Saving with the recipient's API key with its letters' case swapped returns a documented 401 envelope" / "Then the status is 401"],
        |b| b.key_matching = Matching::CaseFolded;
    KeyCaseFoldedAfterPrefix, "key-case-folded-after-prefix", Semantics, ["SAVE-401-EXACT-KEY"],
        "an API key's `ak_` prefix is checked as it is, then the key is looked up case-insensitively",
        caught: ["Saving with the recipient's API key with its letters' case swapped returns a documented 401 envelope" / "Then the status is 401"],
        |b| b.key_matching = Matching::CaseFoldedAfterPrefix;
    KeyCutToLength, "key-cut-to-length", Semantics, ["SAVE-401-EXACT-KEY"],
        "a presented key is cut to the stored key's length before it is compared (a truncating column)",
        caught: [
            "Saving with the recipient's API key with a character appended returns a documented 401 envelope" / "Then the status is 401",
            "Saving with the recipient's API key with a no-break space appended returns a documented 401 envelope" / "Then the status is 401",
        ],
        |b| b.key_matching = Matching::CutToStored;
    KeyPrefixMatched, "key-prefix-matched", Semantics, ["SAVE-401-EXACT-KEY"],
        "any prefix of a key of at least 16 characters is taken for it (LIKE 'key%')",
        caught: ["Saving with the recipient's API key without its last character returns a documented 401 envelope" / "Then the status is 401"],
        |b| b.key_matching = Matching::PrefixOfStored;
    KeyUnicodeFolded, "key-unicode-folded", Semantics, ["SAVE-401-EXACT-KEY"],
        "a key is stripped of Unicode whitespace and its full-width letters folded before it is compared",
        caught: ["Saving with the recipient's API key with its last character in full width returns a documented 401 envelope" / "Then the status is 401"],
        |b| b.key_matching = Matching::UnicodeFolded;
    BearerBesideKey, "bearer-beside-key", Semantics, ["SAVE-401-EXACT-KEY"],
        "any Authorization: Bearer credential beside an X-API-Key signs the caller in, whatever the key",
        caught: [
            "Saving with an unknown API key and a forged Bearer credential beside it returns a documented 401 envelope" / "Then the status is 401",
            "Saving with the recipient's API key with its last character changed and a forged Bearer credential beside it returns a documented 401 envelope" / "Then the status is 401",
        ],
        |b| b.bearer_beside_key_signs_in = true;
    TokenPrefixCompared, "token-prefix-compared", Semantics, ["SAVE-404-UNKNOWN"],
        "only the first 16 characters of a share token are compared",
        caught: ["Saving the live token with its last character changed returns 404 RESOURCE_NOT_FOUND" / "Then the status is 404"],
        |b| b.rules.token_matching = Matching::FirstBytes(TOKEN_PREFIX);
    TokenCaseFolded, "token-case-folded", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "share tokens are looked up case-insensitively",
        caught: ["Saving the live token with its letters' case swapped returns a client error, never a save" / "Then the status is a client error"],
        |b| b.rules.token_matching = Matching::CaseFolded;
    TokenCutToLength, "token-cut-to-length", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "a presented token is cut to the stored token's length before it is looked up",
        caught: ["Saving the live token with a character appended returns a client error, never a save" / "Then the status is a client error"],
        |b| b.rules.token_matching = Matching::CutToStored;
    TokenPrefixMatched, "token-prefix-matched", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "any prefix of a token of at least 16 characters finds its share (LIKE 'token%')",
        caught: ["Saving the live token without its last character returns a client error, never a save" / "Then the status is a client error"],
        |b| b.rules.token_matching = Matching::PrefixOfStored;
    TokenContained, "token-contained", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "a presented string that contains a stored token finds its share",
        caught: ["Saving the live token inside a longer string returns a client error, never a save" / "Then the status is a client error"],
        |b| b.rules.token_matching = Matching::ContainsStored;
    TokenStripped, "token-stripped", Semantics, ["SAVE-404-EXACT-TOKEN"],
        "a presented token is stripped of whitespace before it is looked up",
        caught: ["Saving the live token with a space appended returns a client error, never a save" / "Then the status is a client error"],
        |b| b.rules.token_matching = Matching::UnicodeFolded;
    TokenBeforeKey, "token-before-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "the token is checked before the key: no key and a dead token answer 404",
        caught: ["With no API key, every token state returns one 401" / "Then each of those responses has status 401"],
        |b| b.token_before_key = &[AuthProblem::Missing];
    TokenBeforeEmptyKey, "token-before-empty-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "an empty key is checked only after the token: with a dead token it answers 404",
        caught: ["With an empty API key, every token state returns one 401" / "Then each of those responses has status 401"],
        |b| b.token_before_key = &[AuthProblem::Empty];
    TokenBeforeUnknownKey, "token-before-unknown-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "an unknown key is checked only after the token: with a dead token it answers 404, an oracle for live tokens",
        caught: ["With an unknown API key, every token state returns one 401" / "Then each of those responses has status 401"],
        |b| b.token_before_key = &[AuthProblem::Unknown];
    TokenBeforeMalformedKey, "token-before-malformed-key", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "a malformed key is checked only after the token: with a dead token it answers 404",
        caught: [
            "With a malformed API key that is \"of the wrong prefix\", every token state returns one 401" / "Then each of those responses has status 401",
            "With a malformed API key that is \"8 KiB long\", every token state returns one 401" / "Then each of those responses has status 401",
            "With a malformed API key that is \"non-ASCII\", every token state returns one 401" / "Then each of those responses has status 401",
        ],
        |b| b.token_before_key = &[AuthProblem::Malformed];
    TokenBeforeBearer, "token-before-bearer", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "a Bearer credential is checked only after the token: with a dead token it answers 404",
        caught: ["With a forged Bearer credential, every token state returns one 401" / "Then each of those responses has status 401"],
        |b| b.token_before_key = &[AuthProblem::Bearer];
    TokenBeforeUnsignedBearer, "token-before-unsigned-bearer", Semantics, ["SAVE-401-BEFORE-TOKEN"],
        "an unsigned Bearer JWT is checked only after the token: with a dead token it answers 404",
        caught: ["With an unsigned Bearer credential, every token state returns one 401" / "Then each of those responses has status 401"],
        |b| b.token_before_key = &[AuthProblem::UnsignedBearer];
    Revealing404Message, "revealing-404-message", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 message says why the share is unavailable (revoked, expired, removed, unknown)",
        caught: ["The unavailable tokens the target holds return one answer" / "Then those responses agree on status, code, type, message and details"],
        |b| b.error = |site, e| if let Some(why) = why_sentence(site.refusal) {
            e.message = why;
        };
    Revealing404Details, "revealing-404-details", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 details say why the share is unavailable",
        caught: ["The unavailable tokens the target holds return one answer" / "Then those responses agree on status, code, type, message and details"],
        |b| b.envelope = |site, envelope| if let Some(why) = why_word(site.refusal) {
            set_error_field(envelope, "details", json!({ "reason": why }));
        };
    Revealing404MessageWithRef, "revealing-404-message-with-ref", Semantics, ["SAVE-404-NO-ORACLE"],
        "the 404 message says why, followed by a reference that differs per request",
        caught: ["The unavailable tokens the target holds return one answer" / "Then those responses agree on status, code, type, message and details"],
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
        caught: ["The unavailable tokens the target holds return one answer" / "Then those responses agree on status, code, type, message and details"],
        |b| b.envelope = |site, envelope| if let Some(why) = why_word(site.refusal) {
            set_error_field(envelope, "details", json!({ "ref": format!("{why}-{}", ids::random_hex(4)) }));
        };
    Revealing404SystemMessage, "revealing-404-system-message", Semantics, ["SAVE-NO-ORACLE-STRICT"],
        "the 404 system_message says why the share is unavailable (free text: advisory)",
        caught: ["The unavailable tokens the target holds return identical envelopes" / "Then those responses are identical apart from trace_id and timestamp"],
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
        caught: ["The unavailable tokens the target holds return identical envelopes" / "Then those responses are identical apart from trace_id and timestamp"],
        |b| b.error_header = |site| why_word(site.refusal).map(|why| ("x-share-state", why.to_owned()));
    Revealing401Header, "revealing-401-header", Semantics, ["SAVE-NO-ORACLE-STRICT"],
        "a 401 answer carries an `X-Share-State` header saying what the token it named is (live, revoked, …) (outside the envelope: advisory)",
        caught: [
            "With no API key, the 401s for every token state are identical" / "Then those responses are identical apart from trace_id and timestamp",
            "With an unknown API key, the 401s for every token state are identical" / "Then those responses are identical apart from trace_id and timestamp",
        ],
        |b| b.error_header = |site| match (site.auth, site.token_state) {
            (Some(_), Some(Ok(()))) => Some(("x-share-state", "live".to_owned())),
            (Some(_), Some(Err(refusal))) => Some(("x-share-state", why_word(Some(refusal)).unwrap_or("unavailable").to_owned())),
            _ => None,
        };
    Revealing404ExtraField, "revealing-404-extra-field", Semantics, ["SAVE-NO-ORACLE-STRICT"],
        "the 404 envelope has an undocumented `reason` field saying why",
        caught: ["The unavailable tokens the target holds return identical envelopes" / "Then those responses are identical apart from trace_id and timestamp"],
        |b| b.envelope = |site, envelope| if let Some(why) = why_word(site.refusal) {
            set_error_field(envelope, "reason", Value::from(why));
        };
    SaveMutatesOriginal, "save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "every save renames the original track",
        caught: ["The run's first save leaves the shared track's documented fields unchanged" / "Then the shared track's documented fields are the same before and after the first save"],
        |b| b.rules.rename = Rename::EverySave;
    FirstSaveMutatesOriginal, "first-save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "only the first save of each share renames the original track",
        caught: ["The run's first save leaves the shared track's documented fields unchanged" / "Then the shared track's documented fields are the same before and after the first save"],
        |b| b.rules.rename = Rename::FirstSaveOfShare;
    RepeatSaveMutatesOriginal, "repeat-save-mutates-original", Semantics, ["SAVE-ORIGINAL-UNCHANGED"],
        "a repeat save of a share renames the original track (the first save does not)",
        caught: ["A repeat save leaves the shared track's documented fields unchanged too" / "Then the shared track's documented fields are the same before any save and after the repeat save"],
        |b| b.rules.rename = Rename::RepeatSaves;
    SaveStoresNothing, "save-stores-nothing", Semantics, ["SAVE-LIBRARY-ADDED"],
        "a save answers a perfect 201 edge, but nothing reaches the recipient's library",
        caught: ["After the save the shared track, and only it, is added to the recipient's library" / "And the saved track is in the recipient's library"],
        |b| b.rules.store = false;
    RepeatSave500, "repeat-save-500", Semantics, ["SAVE-REPEAT"],
        "a repeat save of the same share fails with 500 (the second insert's duplicate-key error escapes)",
        caught: ["A repeat save answers a library edge for the same track or an error envelope" / "Then the repeat save answers a library edge for the same track or an error envelope"],
        |b| {
            b.rules.repeat = Repeat::Refuse;
            b.error = |site, e| if site.refusal == Some(Refusal::AlreadySaved) {
                *e = crate::error::INTERNAL_ERROR;
            };
        };
    SaveAddsAnotherTrack, "save-adds-another-track", Semantics, ["SAVE-LIBRARY-ADDED"],
        "a save also puts another of the sharer's tracks into the recipient's library",
        caught: ["After the save the shared track, and only it, is added to the recipient's library" / "And the saved track is in the recipient's library"],
        |b| b.rules.add_another_track = true;
    CollectionStoredDespiteRefusal, "collection-stored-despite-refusal", Semantics, ["SAVE-REFUSED-ADDS-NOTHING"],
        "saving a collection share answers 422, but its tracks land in the recipient's library",
        caught: ["Saves that are refused add nothing to the recipient's library" / "Then the saves refused before the first save added nothing to the recipient's library"],
        |b| b.rules.store_despite = &[Refusal::Collection];
    RevokedStoredDespite404, "revoked-stored-despite-404", Semantics, ["SAVE-REFUSED-ADDS-NOTHING"],
        "saving a revoked share answers 404, but its track lands in the recipient's library",
        caught: ["Saves that are refused add nothing to the recipient's library" / "Then the saves refused before the first save added nothing to the recipient's library"],
        |b| b.rules.store_despite = &[Refusal::Revoked];
    MalformedToken500, "malformed-token-500", Semantics, ["SAVE-GRACEFUL"],
        "a token that is not `shr_` and letters or digits makes the server fail with 500",
        caught: [
            "Saving a malformed token that is 4 KiB long returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is non-ASCII returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is a percent-encoded slash returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is dot segments returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is control characters returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is empty returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is in upper case returns a 4xx error envelope" / "Then the status is a client error",
            "Saving a malformed token that is a share link id returns a 4xx error envelope" / "Then the status is a client error",
        ],
        |b| b.malformed_token = MalformedToken::ServerError;

    // ---- how the answer travels
    RedirectCrossOrigin, "redirect-cross-origin", Transport, ["SAVE-201-CREATED"],
        "a successful save answers 307 to another origin",
        caught: ["Saving a live track share returns 201 Created" / "Then the status is 201" ~ "redirects are never followed"],
        |b| b.edge_transport = EdgeTransport::RedirectElsewhere;
    SlowSave, "slow-save", Transport, ["SAVE-201-CREATED"],
        "a successful save answers after 60 seconds, beyond any sane timeout",
        caught: ["Saving a live track share returns 201 Created" / "When the share is saved" ~ "timed out after"],
        |b| b.edge_transport = EdgeTransport::Delayed(Duration::from_secs(60));
    OversizedBody, "oversized-body", Transport, ["SAVE-EDGE-SHAPE"],
        "the edge is padded to 2 MiB, beyond the harness's 256 KiB cap",
        caught: ["Saving a live track share returns a library edge" / "And the body is a library edge" ~ "longer than the 256 KiB cap"],
        |b| b.edge_transport = EdgeTransport::Padded(2 * 1024 * 1024);
    TruncatedBody, "truncated-body", Transport, ["SAVE-201-CREATED"],
        "a successful save's connection is closed halfway through the body",
        caught: ["Saving a live track share returns 201 Created" / "When the share is saved" ~ "then the body failed after"],
        |b| b.edge_transport = EdgeTransport::Truncated;
}
