//! The response checks: pure functions from what a target answered to a verdict.
//!
//! Steps (`src/steps/`) are thin wrappers that pick the response and the expectation; the
//! judgement lives here, where `src/checks/fuzz.rs` feeds it arbitrary statuses, headers
//! and bodies to show it never panics. A failed check is a [`Failure`] whose text lines up
//! what was expected against what the target did, then the response it looked at.

use std::fmt;

use serde_json::Value;
use time::OffsetDateTime;

use crate::exchange::Exchange;
use crate::suite::Suite;
use crate::suite::schema::SchemaName;
use crate::time as clock;

mod echo;
mod edge;
mod envelope;
mod library;
mod lifecycle;
mod repeat;
mod status;
mod view;

pub use echo::no_echo;
pub use edge::{
    edge_as_example, edge_created_within, edge_share_link_id_is, edge_track_id_is, is_library_edge,
    share_link_id_not_null,
};
pub use envelope::{
    Answer, Comparison, agree_on_documented_fields, error_code_is_documented_401,
    error_field_is_one_of, error_timestamp_within, error_type_is_documented,
    identical_apart_from_volatile, is_error_envelope, matches_snapshot, no_internals,
    trace_id_is_req_or_uuid, trace_ids_unique,
};
pub use library::{
    LibraryGain, aligned, appeared_late, library_gained, library_page, library_unsteady,
    listed_more_than_once, nothing_added,
};
pub use lifecycle::{
    copy_kept, left_the_library, resolve_fails_gracefully, stayed_out_of_the_library,
    view_of_removed_content,
};
pub use repeat::repeat_save;
pub use status::{
    all_have_status, content_type_is_json, status_is, status_is_client_error, status_is_success,
};
pub use view::{documented_track, public_view, track_unchanged};

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

/// The date-time at `pointer` (in UTC, if `utc`) is within `minutes` of the target's clock.
fn timestamp_near(
    response: &Exchange,
    pointer: &str,
    utc: bool,
    minutes: i64,
    (now, by): (OffsetDateTime, &str),
) -> Check {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    let body = json_body(response)?;
    let text = string_at(&body, pointer, response)?;
    let at = clock::parse(text).map_err(|problem| Failure::about(problem, response))?;
    if utc && at.offset() != time::UtcOffset::UTC {
        return Err(Failure::mismatch(
            format!("{field} in UTC"),
            format!("{text:?} (offset {})", at.offset()),
            response,
        ));
    }
    let skew = at - now;
    if skew.abs() <= time::Duration::minutes(minutes) {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!(
            "{field} within {minutes} minutes of the target's clock ({}, by {by})",
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

#[cfg(test)]
mod fuzz;

/// An exchange built by hand, for the checks' unit tests.
#[cfg(test)]
pub(crate) fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        map.insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            reqwest::header::HeaderValue::from_str(value).unwrap(),
        );
    }
    Exchange {
        request: "POST /v1/music/shared/{live token}/save".into(),
        status: reqwest::StatusCode::from_u16(status).unwrap(),
        headers: map,
        body: body.as_bytes().to_vec(),
        truncated: false,
        echoed_secret: false,
        echoed_credential: None,
        elapsed: std::time::Duration::ZERO,
        id: None,
        answered_at: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_prints_its_message() {
        assert_eq!(
            Failure::new("expected: a\nactual:   b").to_string(),
            "expected: a\nactual:   b"
        );
    }

    fn stamped(created_at: &str) -> Exchange {
        answer(
            201,
            &[],
            &serde_json::json!({ "created_at": created_at }).to_string(),
        )
    }

    #[test]
    fn a_timestamp_is_near_the_target_s_clock_within_the_bound_and_in_utc_when_asked() {
        let now = clock::parse("2026-06-28T10:30:00Z").unwrap();
        let near = |text: &str, utc: bool, minutes: i64| {
            timestamp_near(
                &stamped(text),
                "/created_at",
                utc,
                minutes,
                (now, "its Date header"),
            )
        };
        assert!(near("2026-06-28T10:44:00Z", true, 15).is_ok());
        assert!(near("2026-06-28T10:15:00Z", true, 15).is_ok());
        let late = near("2026-06-28T10:46:00Z", true, 15).unwrap_err();
        assert!(late.message().contains("960 s ahead"), "{late}");
        assert!(near("2026-06-28T09:00:00Z", false, 15).is_err());
        // The same instant with an offset: near, but not in UTC.
        assert!(near("2026-06-28T12:31:00+02:00", false, 15).is_ok());
        let offset = near("2026-06-28T12:31:00+02:00", true, 15).unwrap_err();
        assert!(offset.message().contains("in UTC"), "{offset}");
        assert!(near("yesterday", false, 15).is_err());
    }
}
