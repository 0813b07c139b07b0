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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::answer;

    fn edge(fields: Value) -> Exchange {
        let mut body = serde_json::json!({
            "id": "mlib_0a1b2c3d4e5f", "track_id": "mtrack_0a1b2c3d4e5f", "source": "shared",
            "share_link_id": "mslink_0a1b2c3d4e5f", "created_at": "2026-06-28T10:30:00Z"
        });
        for (key, value) in fields.as_object().unwrap() {
            body[key] = value.clone();
        }
        answer(201, &[], &body.to_string())
    }

    #[test]
    fn the_edge_names_the_expected_track_and_share() {
        let saved = edge(serde_json::json!({}));
        assert!(edge_track_id_is(&saved, "mtrack_0a1b2c3d4e5f").is_ok());
        assert!(edge_track_id_is(&saved, "mtrack_other").is_err());
        assert!(edge_share_link_id_is(&saved, "mslink_0a1b2c3d4e5f").is_ok());
        assert!(edge_share_link_id_is(&saved, "mslink_other").is_err());
        let null = edge(serde_json::json!({ "share_link_id": null }));
        assert!(edge_share_link_id_is(&null, "mslink_other").is_ok());
        let number = edge(serde_json::json!({ "share_link_id": 7 }));
        assert!(edge_share_link_id_is(&number, "7").is_err());
    }

    #[test]
    fn example_ids_are_the_prefix_and_twelve_lowercase_hex_digits() {
        assert!(example_id("mlib_0a1b2c3d4e5f", "mlib_"));
        for unlike in [
            "mlib_0a1b2c3d4e5",
            "mlib_0a1b2c3d4e5f0",
            "mlib_0A1B2C3D4E5F",
            "mlib_0a1b2c3d4e5g",
            "mtrack_0a1b2c3d4e5f",
            "xmlib_0a1b2c3d4e5f",
        ] {
            assert!(!example_id(unlike, "mlib_"), "{unlike}");
        }
    }

    #[test]
    fn example_timestamps_are_seconds_in_utc_with_a_t_and_a_z() {
        assert!(example_timestamp("2026-06-28T10:30:00Z"));
        for unlike in [
            "2026-06-28T10:30:00.5Z",
            "2026-06-28 10:30:00Z",
            "2026/06-28T10:30:00Z",
            "2026-06/28T10:30:00Z",
            "2026-06-28T10-30:00Z",
            "2026-06-28T10:30-00Z",
            "2026-06-28T10:30:00+",
            "2026-06-28T1a:30:00Z",
            "2026-06-28T10:30:0",
        ] {
            assert!(!example_timestamp(unlike), "{unlike}");
        }
    }

    #[test]
    fn an_edge_like_the_example_passes_and_each_unlike_field_is_named() {
        assert!(edge_as_example(&edge(serde_json::json!({}))).is_ok());
        assert!(edge_as_example(&edge(serde_json::json!({ "share_link_id": null }))).is_ok());
        for (field, value) in [
            ("id", "mlib_X"),
            ("track_id", "mtrack_X"),
            ("share_link_id", "mslink_X"),
            ("created_at", "2026-06-28T10:30:00.000Z"),
        ] {
            let unlike = edge_as_example(&edge(serde_json::json!({ field: value })));
            let message = unlike.unwrap_err().message().to_owned();
            assert!(message.contains(&format!("{field} {value:?}")), "{message}");
        }
    }
}
