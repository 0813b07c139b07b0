//! The status line and the content type.

use cucumber::then;

use super::{ConformanceWorld, Failure, StepResult};
use crate::http::status_text;

#[then(expr = "the status is {int}")]
fn status_is(world: &mut ConformanceWorld, expected: u16) -> StepResult {
    let response = world.response()?;
    if response.status.as_u16() == expected {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!("status {expected}"),
        status_text(response.status),
        response,
    ))
}

#[then("the status is a success")]
fn status_is_success(world: &mut ConformanceWorld) -> StepResult {
    let response = world.response()?;
    if response.status.is_success() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "a 2xx status",
        status_text(response.status),
        response,
    ))
}

#[then("the status is a client error")]
fn status_is_client_error(world: &mut ConformanceWorld) -> StepResult {
    let response = world.response()?;
    if response.status.is_client_error() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "a 4xx status",
        status_text(response.status),
        response,
    ))
}

#[then("the content type is JSON")]
fn content_type_is_json(world: &mut ConformanceWorld) -> StepResult {
    let response = world.response()?;
    if response.has_json_content_type() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "Content-Type: application/json",
        response.content_type().unwrap_or("no Content-Type header"),
        response,
    ))
}
