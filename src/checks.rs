//! The response checks: pure functions from what a target answered to a verdict.
//!
//! Steps (`crate::steps`) are thin wrappers that pick the response and the expectation; the
//! judgement lives here, where `tests/evaluator_fuzz.rs` feeds it arbitrary statuses, headers
//! and bodies to show it never panics. A failed check is a [`Failure`] whose text lines up
//! what was expected against what the target did, then the response it looked at.

use std::fmt;

use serde_json::Value;
use time::OffsetDateTime;

use crate::clock;
use crate::http::{Exchange, TransportError, status_text};
use crate::schema::SchemaName;
use crate::snapshot::{PER_RESPONSE_FIELDS, json_diff, without};
use crate::suite::Suite;

/// A failed check: what was expected, what the target did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(String);

/// What a check returns.
pub type Check = Result<(), Failure>;

impl Failure {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// `expected:` / `actual:` lines, then the response the check looked at.
    pub fn mismatch(
        expected: impl fmt::Display,
        actual: impl fmt::Display,
        response: &Exchange,
    ) -> Self {
        Self(format!(
            "expected: {expected}\nactual:   {actual}\nresponse: {}",
            response.summary()
        ))
    }

    /// A problem with a response, then the response.
    pub fn about(problem: impl fmt::Display, response: &Exchange) -> Self {
        Self(format!("{problem}\nresponse: {}", response.summary()))
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<TransportError> for Failure {
    fn from(e: TransportError) -> Self {
        Self(e.to_string())
    }
}

/// The body as JSON, or a failure saying why it is not.
pub fn json_body(response: &Exchange) -> Result<Value, Failure> {
    response
        .json()
        .map_err(|problem| Failure::about(problem, response))
}

/// The string at `pointer` in `body`, or a failure naming what is there instead.
pub fn string_at<'v>(
    body: &'v Value,
    pointer: &str,
    response: &Exchange,
) -> Result<&'v str, Failure> {
    match body.pointer(pointer) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Failure::mismatch(
            format!("a string at {pointer}"),
            other,
            response,
        )),
        None => Err(Failure::mismatch(
            format!("a string at {pointer}"),
            "no such field",
            response,
        )),
    }
}

/// The status is `expected`.
pub fn status_is(response: &Exchange, expected: u16) -> Check {
    if response.status.as_u16() == expected {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!("status {expected}"),
        status_text(response.status),
        response,
    ))
}

/// The status is 2xx.
pub fn status_is_success(response: &Exchange) -> Check {
    if response.status.is_success() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "a 2xx status",
        status_text(response.status),
        response,
    ))
}

/// The status is 4xx.
pub fn status_is_client_error(response: &Exchange) -> Check {
    if response.status.is_client_error() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "a 4xx status",
        status_text(response.status),
        response,
    ))
}

/// The Content-Type is `application/json`.
pub fn content_type_is_json(response: &Exchange) -> Check {
    if response.has_json_content_type() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "Content-Type: application/json",
        response.content_type().unwrap_or("no Content-Type header"),
        response,
    ))
}

/// `body` is valid against `which`; otherwise every violation is listed.
pub fn schema(suite: &Suite, which: SchemaName, body: &Value, response: &Exchange) -> Check {
    let violations = suite.schemas().violations(which, body);
    if violations.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = violations.iter().map(|v| format!("  - {v}")).collect();
    Err(Failure::about(
        format!(
            "expected: a body valid against {}\nactual:   {} violation(s)\n{}",
            which.file(),
            violations.len(),
            list.join("\n")
        ),
        response,
    ))
}

/// The body is a library edge.
pub fn is_library_edge(suite: &Suite, response: &Exchange) -> Check {
    schema(
        suite,
        SchemaName::LibraryEdge,
        &json_body(response)?,
        response,
    )
}

/// The answer is an error envelope: an error status, JSON, valid against the envelope schema,
/// `error.status` equal to the HTTP status.
pub fn is_error_envelope(suite: &Suite, response: &Exchange) -> Check {
    if !(response.status.is_client_error() || response.status.is_server_error()) {
        return Err(Failure::mismatch(
            "an error status (4xx or 5xx)",
            status_text(response.status),
            response,
        ));
    }
    content_type_is_json(response)?;
    let body = json_body(response)?;
    schema(suite, SchemaName::ErrorEnvelope, &body, response)?;
    let mirrored = body.pointer("/error/status").and_then(Value::as_u64);
    if mirrored != Some(u64::from(response.status.as_u16())) {
        return Err(Failure::mismatch(
            format!(
                "error.status {} (the HTTP status)",
                response.status.as_u16()
            ),
            format!(
                "error.status {}",
                body.pointer("/error/status").unwrap_or(&Value::Null)
            ),
            response,
        ));
    }
    Ok(())
}

/// `error.{field}` is one of `accepted`.
pub fn error_field_is_one_of(response: &Exchange, field: &str, accepted: &[&str]) -> Check {
    let body = json_body(response)?;
    let actual = string_at(&body, &format!("/error/{field}"), response)?;
    if accepted.contains(&actual) {
        return Ok(());
    }
    let expected: Vec<String> = accepted.iter().map(|a| format!("{a:?}")).collect();
    Err(Failure::mismatch(
        format!("error.{field} {}", expected.join(" or ")),
        format!("{actual:?}"),
        response,
    ))
}

/// `error.trace_id` is `req_` and letters or digits (this page), or a UUID (global docs).
pub fn trace_id_is_req_or_uuid(response: &Exchange) -> Check {
    let body = json_body(response)?;
    let trace_id = string_at(&body, "/error/trace_id", response)?;
    if is_req_id(trace_id) || is_uuid(trace_id) {
        return Ok(());
    }
    Err(Failure::mismatch(
        "trace_id `req_` + letters and digits, or a UUID",
        format!("{trace_id:?}"),
        response,
    ))
}

fn is_req_id(text: &str) -> bool {
    text.strip_prefix("req_")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The envelope, redacted, equals snapshot `name`.
pub fn matches_snapshot(suite: &Suite, response: &Exchange, name: &str) -> Check {
    let body = json_body(response)?;
    suite.snapshots().check(name, &body).map_err(|diff| {
        Failure::about(
            format!(
                "the envelope differs from snapshot {name} (trace_id, timestamp and system_message redacted; - snapshot, + response):\n{}",
                diff.trim_end()
            ),
            response,
        )
    })
}

/// The edge's `track_id` is `expected`.
pub fn edge_track_id_is(response: &Exchange, expected: &str) -> Check {
    let body = json_body(response)?;
    let actual = string_at(&body, "/track_id", response)?;
    if actual == expected {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!("track_id {expected:?}"),
        format!("{actual:?}"),
        response,
    ))
}

/// The edge's `share_link_id` is `expected` or null (present either way).
pub fn edge_share_link_id_is(response: &Exchange, expected: &str) -> Check {
    let body = json_body(response)?;
    let wanted = format!("share_link_id {expected:?} or null");
    match body.get("share_link_id") {
        Some(Value::Null) => Ok(()),
        Some(Value::String(actual)) if actual == expected => Ok(()),
        Some(other) => Err(Failure::mismatch(wanted, other, response)),
        None => Err(Failure::mismatch(
            wanted,
            "no share_link_id field",
            response,
        )),
    }
}

/// The edge's `created_at` is within `minutes` of `now`.
pub fn edge_created_within(response: &Exchange, minutes: i64, now: OffsetDateTime) -> Check {
    let body = json_body(response)?;
    let text = string_at(&body, "/created_at", response)?;
    let created = clock::parse(text).map_err(|problem| Failure::about(problem, response))?;
    let skew = created - now;
    if skew.abs() <= time::Duration::minutes(minutes) {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!(
            "created_at within {minutes} minutes of the harness clock ({})",
            clock::format(now)
        ),
        format!(
            "{text} ({} s {})",
            skew.whole_seconds().unsigned_abs(),
            if skew.is_negative() {
                "behind"
            } else {
                "ahead"
            }
        ),
        response,
    ))
}

/// A repeat save answers an edge for the same track (2xx) or an error envelope (4xx). The
/// observation to report.
pub fn repeat_save(suite: &Suite, first: &Exchange, again: &Exchange) -> Result<String, Failure> {
    let first_body = json_body(first)?;
    if again.status.is_success() {
        let body = json_body(again)?;
        schema(suite, SchemaName::LibraryEdge, &body, again)?;
        if body.get("track_id") != first_body.get("track_id") {
            return Err(Failure::mismatch(
                format!(
                    "a repeat save of the same track ({})",
                    first_body.get("track_id").unwrap_or(&Value::Null)
                ),
                format!("track_id {}", body.get("track_id").unwrap_or(&Value::Null)),
                again,
            ));
        }
        let same = body.get("id") == first_body.get("id");
        Ok(format!(
            "a repeat save answered {} with {} edge",
            status_text(again.status),
            if same { "the same" } else { "a new" }
        ))
    } else if again.status.is_client_error() {
        let body = json_body(again)?;
        schema(suite, SchemaName::ErrorEnvelope, &body, again)?;
        Ok(format!(
            "a repeat save answered {} with code {}",
            status_text(again.status),
            body.pointer("/error/code").unwrap_or(&Value::Null)
        ))
    } else {
        Err(Failure::mismatch(
            "a 2xx edge or a 4xx error envelope",
            status_text(again.status),
            again,
        ))
    }
}

/// The responses have one status and one JSON body once `trace_id` and `timestamp` are set
/// aside: the answer does not depend on which of the requests was made.
pub fn identical_apart_from_volatile(responses: &[&Exchange]) -> Check {
    let [first, rest @ ..] = responses else {
        return Err(Failure::new("no responses were collected (a suite bug)"));
    };
    if rest.is_empty() {
        return Err(Failure::new(
            "one response was collected: nothing to compare (a suite bug)",
        ));
    }
    let comparable = |response: &Exchange| -> Result<Value, Failure> {
        Ok(without(&json_body(response)?, PER_RESPONSE_FIELDS))
    };
    let reference = comparable(first)?;
    for other in rest {
        if other.status != first.status {
            return Err(Failure::new(format!(
                "expected: one answer whatever the token\nactual:   {} for the first, {} for the other\nfirst:    {}\nother:    {}",
                status_text(first.status),
                status_text(other.status),
                first.summary(),
                other.summary()
            )));
        }
        if let Some(diff) = json_diff(
            &reference,
            &comparable(other)?,
            &first.request,
            &other.request,
        ) {
            return Err(Failure::new(format!(
                "expected: one envelope whatever the token (trace_id and timestamp aside)\nactual:   the bodies differ:\n{}",
                diff.trim_end()
            )));
        }
    }
    Ok(())
}

/// Minted afresh on every request (the docs), so never part of a comparison of public views.
const FRESH_PER_REQUEST: &[&str] = &["/track/playback_url"];

/// The public view a resolve answered, without what is minted per request.
pub fn public_view(response: &Exchange) -> Result<Value, Failure> {
    if response.status.as_u16() != 200 {
        return Err(Failure::about(
            format!(
                "expected: 200 from the public resolve of a live share\nactual:   {}\nhint:     a target without the public resolve can deselect this scenario with --tags 'not @resolve'",
                status_text(response.status)
            ),
            response,
        ));
    }
    Ok(without(&json_body(response)?, FRESH_PER_REQUEST))
}

/// The public view after a save equals the one before.
pub fn view_unchanged(before: &Value, after: &Value) -> Check {
    match json_diff(
        before,
        after,
        "public view before the save",
        "public view after the save",
    ) {
        None => Ok(()),
        Some(diff) => Err(Failure::new(format!(
            "expected: the original track unchanged by the save\nactual:   its public view changed (playback_url aside):\n{}",
            diff.trim_end()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_id_forms() {
        assert!(is_req_id("req_abc123xyz"));
        assert!(!is_req_id("req_"));
        assert!(!is_req_id("req_a-b"));
        assert!(is_uuid("2fbbf3b6-51a1-4f1b-88e2-c00e8b52fbb8"));
        assert!(!is_uuid("2fbbf3b6-51a1-4f1b-88e2-c00e8b52fbb"));
        assert!(!is_uuid("2fbbf3b651a14f1b88e2c00e8b52fbb8"));
    }
}
