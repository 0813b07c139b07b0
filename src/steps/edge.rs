//! The library edge a successful save returns.

use cucumber::then;
use serde_json::Value;

use super::{ConformanceWorld, Failure, StepResult, json_body, not_testable, string_at};
use crate::clock;
use crate::http::{Exchange, status_text};
use crate::schema::SchemaName;

#[then("the body is a library edge")]
fn body_is_edge(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let response = world.response()?;
    let body = json_body(response)?;
    schema_check(&ctx.suite, SchemaName::LibraryEdge, &body, response)
}

#[then("the edge's track_id is the shared track")]
fn edge_track_is_shared_track(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(expected) = ctx.fixtures.expected.track_id.clone() else {
        not_testable("the fixtures do not name the shared track (expected.track_id)");
    };
    let response = world.response()?;
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

#[then("the edge's share_link_id is the share's id or null")]
fn edge_share_link_is_share(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(expected) = ctx.fixtures.expected.share_link_id.clone() else {
        not_testable("the fixtures do not name the live share link (expected.share_link_id)");
    };
    let response = world.response()?;
    let body = json_body(response)?;
    match body.get("share_link_id") {
        Some(Value::Null) => Ok(()),
        Some(Value::String(actual)) if *actual == expected => Ok(()),
        Some(other) => Err(Failure::mismatch(
            format!("share_link_id {expected:?} or null"),
            other,
            response,
        )),
        None => Err(Failure::mismatch(
            format!("share_link_id {expected:?} or null"),
            "no share_link_id field",
            response,
        )),
    }
}

#[then(expr = "the edge's created_at is within {int} minutes of the harness clock")]
fn edge_created_recently(world: &mut ConformanceWorld, minutes: i64) -> StepResult {
    let response = world.response()?;
    let body = json_body(response)?;
    let text = string_at(&body, "/created_at", response)?;
    let created = clock::parse(text).map_err(|problem| Failure::about(problem, response))?;
    let skew = created - time::OffsetDateTime::now_utc();
    if skew.abs() <= time::Duration::minutes(minutes) {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!(
            "created_at within {minutes} minutes of the harness clock ({})",
            clock::format(clock::now())
        ),
        format!(
            "{text} ({} s {})",
            skew.whole_seconds().abs(),
            if skew.is_negative() {
                "behind"
            } else {
                "ahead"
            }
        ),
        response,
    ))
}

#[then("the repeat save answers a library edge for the same track or an error envelope")]
fn repeat_save_is_sound(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let first = world.first_save.clone().ok_or_else(|| {
        Failure::new("the scenario did not save twice (a suite bug: use \"saved again\")")
    })?;
    let again = world.response()?.clone();
    let first_body = json_body(&first)?;
    let note = if again.status.is_success() {
        let body = json_body(&again)?;
        schema_check(&ctx.suite, SchemaName::LibraryEdge, &body, &again)?;
        if body.get("track_id") != first_body.get("track_id") {
            return Err(Failure::mismatch(
                format!(
                    "a repeat save of the same track ({})",
                    first_body["track_id"]
                ),
                format!("track_id {}", body["track_id"]),
                &again,
            ));
        }
        let same = body.get("id") == first_body.get("id");
        format!(
            "a repeat save answered {} with {} edge",
            status_text(again.status),
            if same { "the same" } else { "a new" }
        )
    } else if again.status.is_client_error() {
        let body = json_body(&again)?;
        schema_check(&ctx.suite, SchemaName::ErrorEnvelope, &body, &again)?;
        format!(
            "a repeat save answered {} with code {}",
            status_text(again.status),
            body.pointer("/error/code").unwrap_or(&Value::Null)
        )
    } else {
        return Err(Failure::mismatch(
            "a 2xx edge or a 4xx error envelope",
            status_text(again.status),
            &again,
        ));
    };
    world.notes.push(note);
    Ok(())
}

/// Passes when `body` is valid against `which`; otherwise lists every violation.
pub(super) fn schema_check(
    suite: &crate::suite::Suite,
    which: SchemaName,
    body: &Value,
    response: &Exchange,
) -> StepResult {
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
