//! The status and Content-Type of an answer: `src/steps/status.rs`, and the answers a scenario
//! collected (`all_have_status`).

use super::{Answer, Check, Failure};
use crate::exchange::{Exchange, status_text};

/// The status is `expected`.
pub fn status_is(response: &Exchange, expected: u16) -> Check {
    if response.status.as_u16() == expected {
        return Ok(());
    }
    Err(Failure::mismatch(
        format!("status {expected}"),
        status_text(response.status),
        response,
    ))
}

/// The status is 2xx.
pub fn status_is_success(response: &Exchange) -> Check {
    if response.status.is_success() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "a 2xx status",
        status_text(response.status),
        response,
    ))
}

/// The status is 4xx.
pub fn status_is_client_error(response: &Exchange) -> Check {
    if response.status.is_client_error() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "a 4xx status",
        status_text(response.status),
        response,
    ))
}

/// The Content-Type is `application/json`.
pub fn content_type_is_json(response: &Exchange) -> Check {
    if response.has_json_content_type() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "Content-Type: application/json",
        response.content_type().unwrap_or("no Content-Type header"),
        response,
    ))
}

/// Every answer has status `expected`.
pub fn all_have_status(answers: &[Answer<'_>], expected: u16) -> Check {
    if answers.is_empty() {
        return Err(Failure::new("no responses were collected (a suite bug)"));
    }
    for answer in answers {
        status_is(answer.exchange, expected)?;
    }
    Ok(())
}
