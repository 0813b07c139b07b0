//! Error envelopes: their schema, their fields, their snapshots, and comparing answers.

use cucumber::then;

use super::{ConformanceWorld, StepResult, not_testable};
use crate::checks::{self, Answer, Comparison};

#[then("the body is an error envelope")]
fn body_is_envelope(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::is_error_envelope(
        &world.ctx()?.suite,
        world.response()?,
    ))
}

#[then(expr = "the error code is {string}")]
fn error_code_is(world: &mut ConformanceWorld, code: String) -> StepResult {
    world.judge(checks::error_field_is_one_of(
        world.response()?,
        "code",
        &[&code],
    ))
}

#[then(expr = "the error code is {string} or {string}")]
fn error_code_is_either(world: &mut ConformanceWorld, one: String, other: String) -> StepResult {
    world.judge(checks::error_field_is_one_of(
        world.response()?,
        "code",
        &[&one, &other],
    ))
}

#[then("the error code is a documented 401 code")]
fn error_code_is_documented_401(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::error_code_is_documented_401(world.response()?))
}

#[then("the error type is one the docs give its status")]
fn error_type_is_documented(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::error_type_is_documented(world.response()?))
}

/// Free text: the loader allows it in SHOULD scenarios only.
#[then(expr = "the error message is {string}")]
fn error_message_is(world: &mut ConformanceWorld, message: String) -> StepResult {
    world.judge(checks::error_field_is_one_of(
        world.response()?,
        "message",
        &[&message],
    ))
}

/// Free text: the loader allows it in SHOULD scenarios only.
#[then(expr = "the error system_message is {string}")]
fn error_system_message_is(world: &mut ConformanceWorld, message: String) -> StepResult {
    world.judge(checks::error_field_is_one_of(
        world.response()?,
        "system_message",
        &[&message],
    ))
}

#[then("the error trace_id is a req_ id or a UUID")]
fn trace_id_format(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::trace_id_is_req_or_uuid(world.response()?))
}

#[then(expr = "the error timestamp is a UTC date-time within {int} minutes of the target's clock")]
fn error_timestamp_recent(world: &mut ConformanceWorld, minutes: i64) -> StepResult {
    let ctx = world.ctx()?;
    let response = world.response()?;
    let (now, by) = ctx.clock.now(Some(response));
    world.judge(checks::error_timestamp_within(response, minutes, now, by))
}

#[then(expr = "the envelope matches the snapshot {string}")]
fn envelope_matches_snapshot(world: &mut ConformanceWorld, name: String) -> StepResult {
    world.judge(checks::matches_snapshot(
        &world.ctx()?.suite,
        world.response()?,
        &name,
    ))
}

#[then("no field of the envelope carries a stack trace, an exception, a source path or SQL")]
fn no_internals(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::no_internals(world.response()?))
}

/// The answers the scenario collected, with the tokens they named; NOT-TESTABLE with fewer
/// than two to compare.
fn answers(world: &ConformanceWorld) -> Vec<Answer<'_>> {
    world
        .collected
        .iter()
        .map(|sent| Answer {
            exchange: &sent.exchange,
            token: &sent.token.value,
        })
        .collect()
}

fn at_least_two(world: &ConformanceWorld) {
    if world.collected.len() < 2 {
        let missing: Vec<String> = world
            .missing
            .iter()
            .map(|s| format!("tokens.{s}"))
            .collect();
        not_testable(format!(
            "fewer than two answers to compare: the fixtures hold no {}",
            missing.join(", ")
        ));
    }
}

/// NOT-TESTABLE when the target rate-limited any of the scenario's requests: a 429 answers
/// nothing about the token it was asked about.
fn not_rate_limited(world: &ConformanceWorld) {
    if let Some(limited) = world
        .collected
        .iter()
        .chain(world.again.iter().flatten())
        .find(|s| s.exchange.status.as_u16() == 429)
    {
        not_testable(super::rate_limited(&limited.exchange.summary()));
    }
}

/// The rounds of the same requests sent again, each aligned with [`answers`].
fn again(world: &ConformanceWorld) -> Vec<Vec<Answer<'_>>> {
    world
        .again
        .iter()
        .map(|round| {
            round
                .iter()
                .map(|sent| Answer {
                    exchange: &sent.exchange,
                    token: &sent.token.value,
                })
                .collect()
        })
        .collect()
}

/// How many more rounds of the same requests a comparison asks for before it concludes that
/// answers differ by token.
const CONFIRMING_ROUNDS: usize = 3;

/// Compares the answers; while they differ, asks every token once more, up to
/// [`CONFIRMING_ROUNDS`] times, before concluding: a value with few possible values (one of
/// three server nodes' names) can agree within every pair of answers to the same request by
/// chance, but hardly round after round. A difference that follows the token stays a failure
/// however many rounds are asked.
async fn compare_confirmed(
    world: &mut ConformanceWorld,
    check: fn(Comparison<'_, '_>) -> StepResult,
) -> StepResult {
    let mut rounds = 0;
    loop {
        let outcome = {
            let (answers, again) = (answers(world), again(world));
            check(Comparison {
                answers: &answers,
                again: &again,
            })
        };
        if outcome.is_ok() || rounds == CONFIRMING_ROUNDS {
            return outcome;
        }
        super::request::collect_again(world).await?;
        not_rate_limited(world);
        rounds += 1;
    }
}

#[then(expr = "each of those responses has status {int}")]
fn each_has_status(world: &mut ConformanceWorld, expected: u16) -> StepResult {
    not_rate_limited(world);
    checks::all_have_status(&answers(world), expected)
}

#[then("those responses agree on status, code, type, message and details")]
async fn responses_agree(world: &mut ConformanceWorld) -> StepResult {
    at_least_two(world);
    not_rate_limited(world);
    compare_confirmed(world, checks::agree_on_documented_fields).await
}

#[then("those responses are identical apart from trace_id and timestamp")]
async fn responses_identical(world: &mut ConformanceWorld) -> StepResult {
    at_least_two(world);
    not_rate_limited(world);
    compare_confirmed(world, checks::identical_apart_from_volatile).await
}

#[then("the trace_ids of those responses are unique in the run")]
fn trace_ids_unique(world: &mut ConformanceWorld) -> StepResult {
    not_rate_limited(world);
    let ctx = world.ctx()?;
    checks::trace_ids_unique(&answers(world), |id| ctx.requests_with_trace_id(id))
}
