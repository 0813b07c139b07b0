//! The library edge a save answers: its schema, ids and `created_at` (`src/steps/edge.rs`).

use serde_json::Value;
use time::OffsetDateTime;

use super::{Check, Failure, json_body, schema, string_at, timestamp_near};
use crate::exchange::Exchange;
use crate::suite::Suite;
use crate::suite::schema::SchemaName;

/// The body is a library edge.
pub fn is_library_edge(suite: &Suite, response: &Exchange) -> Check {
    schema(
        suite,
        SchemaName::LibraryEdge,
        &json_body(response)?,
        response,
    )
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

/// The edge's `created_at` is within `minutes` of `now` (the target's clock, told by `by`).
pub fn edge_created_within(
    response: &Exchange,
    minutes: i64,
    now: OffsetDateTime,
    by: &str,
) -> Check {
    timestamp_near(response, "/created_at", false, minutes, (now, by))
}

/// Whether `text` is `prefix` followed by 12 lowercase hex digits, as the examples' ids are.
fn example_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 12
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Whether `text` is `YYYY-MM-DDTHH:MM:SSZ`, as the example's `created_at` is.
fn example_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// The edge's ids and `created_at` have the 201 example's form: prefix and 12 lowercase hex
/// digits, `YYYY-MM-DDTHH:MM:SSZ`. A SHOULD: no length, charset or precision is documented.
pub fn edge_as_example(response: &Exchange) -> Check {
    let body = json_body(response)?;
    let mut unlike = Vec::new();
    for (field, prefix) in [("id", "mlib_"), ("track_id", "mtrack_")] {
        let value = string_at(&body, &format!("/{field}"), response)?;
        if !example_id(value, prefix) {
            unlike.push(format!(
                "{field} {value:?} is not {prefix} and 12 lowercase hex digits"
            ));
        }
    }
    if let Some(Value::String(link)) = body.get("share_link_id")
        && !example_id(link, "mslink_")
    {
        unlike.push(format!(
            "share_link_id {link:?} is not mslink_ and 12 lowercase hex digits"
        ));
    }
    let created = string_at(&body, "/created_at", response)?;
    if !example_timestamp(created) {
        unlike.push(format!(
            "created_at {created:?} is not YYYY-MM-DDTHH:MM:SSZ"
        ));
    }
    if unlike.is_empty() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "ids and created_at in the 201 example's form",
        unlike.join("; "),
        response,
    ))
}

/// `share_link_id` is not null (the fixtures know the share's id, so the target does too).
pub fn share_link_id_not_null(response: &Exchange, known: &str) -> Check {
    let body = json_body(response)?;
    match body.get("share_link_id") {
        Some(Value::Null) | None => Err(Failure::mismatch(
            format!("share_link_id {known:?}, the share's id, rather than null"),
            "null",
            response,
        )),
        Some(_) => Ok(()),
    }
}
