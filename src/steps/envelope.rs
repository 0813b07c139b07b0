//! Error envelopes: their schema, their fields, their snapshots, and whether two are the same.

use cucumber::then;
use serde_json::Value;

use super::edge::schema_check;
use super::{ConformanceWorld, Failure, StepResult, json_body, string_at};
use crate::http::{Exchange, status_text};
use crate::schema::SchemaName;
use crate::snapshot::{PER_RESPONSE_FIELDS, json_diff, without};

#[then("the body is an error envelope")]
fn body_is_envelope(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let response = world.response()?;
    if !(response.status.is_client_error() || response.status.is_server_error()) {
        return Err(Failure::mismatch(
            "an error status (4xx or 5xx)",
            status_text(response.status),
            response,
        ));
    }
    if !response.has_json_content_type() {
        return Err(Failure::mismatch(
            "Content-Type: application/json",
            response.content_type().unwrap_or("no Content-Type header"),
            response,
        ));
    }
    let body = json_body(response)?;
    schema_check(&ctx.suite, SchemaName::ErrorEnvelope, &body, response)?;
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

fn field_is_one_of(world: &ConformanceWorld, field: &str, accepted: &[&str]) -> StepResult {
    let response = world.response()?;
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

#[then(expr = "the error code is {string}")]
fn error_code_is(world: &mut ConformanceWorld, code: String) -> StepResult {
    field_is_one_of(world, "code", &[&code])
}

#[then(expr = "the error code is {string} or {string}")]
fn error_code_is_either(world: &mut ConformanceWorld, one: String, other: String) -> StepResult {
    field_is_one_of(world, "code", &[&one, &other])
}

#[then(expr = "the error type is {string}")]
fn error_type_is(world: &mut ConformanceWorld, kind: String) -> StepResult {
    field_is_one_of(world, "type", &[&kind])
}

#[then(expr = "the error message is {string}")]
fn error_message_is(world: &mut ConformanceWorld, message: String) -> StepResult {
    field_is_one_of(world, "message", &[&message])
}

#[then(expr = "the error system_message is {string}")]
fn error_system_message_is(world: &mut ConformanceWorld, message: String) -> StepResult {
    field_is_one_of(world, "system_message", &[&message])
}

#[then("the error trace_id is a req_ id or a UUID")]
fn trace_id_format(world: &mut ConformanceWorld) -> StepResult {
    let response = world.response()?;
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

#[then(expr = "the envelope matches the snapshot {string}")]
fn envelope_matches_snapshot(world: &mut ConformanceWorld, name: String) -> StepResult {
    let ctx = world.ctx()?;
    let response = world.response()?;
    let body = json_body(response)?;
    ctx.suite.snapshots().check(&name, &body).map_err(|diff| {
        Failure::about(
            format!(
                "the envelope differs from snapshot {name} (trace_id, timestamp and system_message redacted; - snapshot, + response):\n{}",
                diff.trim_end()
            ),
            response,
        )
    })
}

#[then("those responses are identical apart from trace_id and timestamp")]
fn responses_identical(world: &mut ConformanceWorld) -> StepResult {
    let [first, rest @ ..] = world.collected.as_slice() else {
        return Err(Failure::new(
            "the scenario collected no responses (a suite bug)",
        ));
    };
    if rest.is_empty() {
        return Err(Failure::new(
            "the scenario collected one response: nothing to compare (a suite bug)",
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
