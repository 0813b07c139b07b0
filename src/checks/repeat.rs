//! What a repeat save may answer (the repeat-save scenarios, in `src/steps/edge.rs`).

use serde_json::Value;

use super::{Failure, json_body, schema};
use crate::exchange::{Exchange, status_text};
use crate::suite::Suite;
use crate::suite::schema::SchemaName;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::answer;

    const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

    fn edge(status: u16, id: &str, track: &str) -> Exchange {
        let body = serde_json::json!({
            "id": id, "track_id": track, "source": "shared",
            "share_link_id": "mslink_1", "created_at": "2026-06-28T10:30:00Z"
        });
        answer(status, JSON, &body.to_string())
    }

    fn envelope(status: u16, code: &str) -> Exchange {
        let body = serde_json::json!({
            "success": false,
            "error": {
                "code": code, "message": "m", "system_message": "s", "type": "client_error",
                "status": status, "details": {}, "trace_id": "req_1",
                "timestamp": "2026-06-28T10:30:00Z"
            }
        });
        answer(status, JSON, &body.to_string())
    }

    #[test]
    fn a_repeat_edge_for_the_same_track_is_reported_same_or_new() {
        let suite = Suite::embedded().unwrap();
        let first = edge(201, "mlib_1", "mtrack_1");
        assert_eq!(
            repeat_save(&suite, &first, &edge(201, "mlib_1", "mtrack_1")).unwrap(),
            "a repeat save answered 201 Created with the same edge"
        );
        assert_eq!(
            repeat_save(&suite, &first, &edge(200, "mlib_2", "mtrack_1")).unwrap(),
            "a repeat save answered 200 OK with a new edge"
        );
    }

    #[test]
    fn a_repeat_edge_for_another_track_or_not_an_edge_fails() {
        let suite = Suite::embedded().unwrap();
        let first = edge(201, "mlib_1", "mtrack_1");
        let other = repeat_save(&suite, &first, &edge(201, "mlib_1", "mtrack_2"));
        assert!(
            other
                .unwrap_err()
                .message()
                .contains("track_id \"mtrack_2\"")
        );
        assert!(repeat_save(&suite, &first, &edge(201, "lib_1", "mtrack_1")).is_err());
    }

    #[test]
    fn a_repeat_refusal_is_an_envelope_and_anything_else_fails() {
        let suite = Suite::embedded().unwrap();
        let first = edge(201, "mlib_1", "mtrack_1");
        assert_eq!(
            repeat_save(&suite, &first, &envelope(409, "ALREADY_SAVED")).unwrap(),
            "a repeat save answered 409 Conflict with code \"ALREADY_SAVED\""
        );
        assert!(repeat_save(&suite, &first, &answer(409, JSON, "{}")).is_err());
        assert!(repeat_save(&suite, &first, &envelope(500, "INTERNAL")).is_err());
        assert!(repeat_save(&suite, &first, &answer(302, &[], "")).is_err());
    }
}
