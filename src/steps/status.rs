//! The status line and the content type.

use cucumber::then;

use super::{ConformanceWorld, StepResult};
use crate::checks;

#[then(expr = "the status is {int}")]
fn status_is(world: &mut ConformanceWorld, expected: u16) -> StepResult {
    world.judge(checks::status_is(world.response()?, expected))
}

#[then("the status is a success")]
fn status_is_success(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::status_is_success(world.response()?))
}

#[then("the status is a client error")]
fn status_is_client_error(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::status_is_client_error(world.response()?))
}

#[then("the content type is JSON")]
fn content_type_is_json(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::content_type_is_json(world.response()?))
}
