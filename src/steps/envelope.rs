//! Error envelopes: their schema, their fields, their snapshots, and whether two are the same.

use cucumber::then;

use super::{ConformanceWorld, StepResult};
use crate::checks;
use crate::http::Exchange;

#[then("the body is an error envelope")]
fn body_is_envelope(world: &mut ConformanceWorld) -> StepResult {
    checks::is_error_envelope(&world.ctx()?.suite, world.response()?)
}

#[then(expr = "the error code is {string}")]
fn error_code_is(world: &mut ConformanceWorld, code: String) -> StepResult {
    checks::error_field_is_one_of(world.response()?, "code", &[&code])
}

#[then(expr = "the error code is {string} or {string}")]
fn error_code_is_either(world: &mut ConformanceWorld, one: String, other: String) -> StepResult {
    checks::error_field_is_one_of(world.response()?, "code", &[&one, &other])
}

#[then(expr = "the error type is {string}")]
fn error_type_is(world: &mut ConformanceWorld, kind: String) -> StepResult {
    checks::error_field_is_one_of(world.response()?, "type", &[&kind])
}

#[then(expr = "the error message is {string}")]
fn error_message_is(world: &mut ConformanceWorld, message: String) -> StepResult {
    checks::error_field_is_one_of(world.response()?, "message", &[&message])
}

#[then(expr = "the error system_message is {string}")]
fn error_system_message_is(world: &mut ConformanceWorld, message: String) -> StepResult {
    checks::error_field_is_one_of(world.response()?, "system_message", &[&message])
}

#[then("the error trace_id is a req_ id or a UUID")]
fn trace_id_format(world: &mut ConformanceWorld) -> StepResult {
    checks::trace_id_is_req_or_uuid(world.response()?)
}

#[then(expr = "the envelope matches the snapshot {string}")]
fn envelope_matches_snapshot(world: &mut ConformanceWorld, name: String) -> StepResult {
    checks::matches_snapshot(&world.ctx()?.suite, world.response()?, &name)
}

#[then("those responses are identical apart from trace_id and timestamp")]
fn responses_identical(world: &mut ConformanceWorld) -> StepResult {
    let collected: Vec<&Exchange> = world.collected.iter().map(|r| r.as_ref()).collect();
    checks::identical_apart_from_volatile(&collected)
}
