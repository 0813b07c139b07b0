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
