//! The library edge a successful save returns.

use cucumber::then;

use super::{ConformanceWorld, StepResult, not_testable, suite_bug};
use crate::checks::{self, Failure};

#[then("the body is a library edge")]
fn body_is_edge(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::is_library_edge(
        &world.ctx()?.suite,
        world.response()?,
    ))
}

#[then("the edge's track_id is the shared track")]
fn edge_track_is_shared_track(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(expected) = &ctx.fixtures.expected.track_id else {
        not_testable("the fixtures do not name the shared track (expected.track_id)");
    };
    world.judge(checks::edge_track_id_is(world.response()?, expected))
}

#[then("the edge's share_link_id is the share's id or null")]
fn edge_share_link_is_share(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(expected) = &ctx.fixtures.expected.share_link_id else {
        not_testable("the fixtures do not name the live share link (expected.share_link_id)");
    };
    world.judge(checks::edge_share_link_id_is(world.response()?, expected))
}

#[then("the edge's share_link_id is not null, since the share's id is known")]
fn edge_share_link_not_null(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(known) = &ctx.fixtures.expected.share_link_id else {
        not_testable("the fixtures do not name the live share link (expected.share_link_id)");
    };
    world.judge(checks::share_link_id_not_null(world.response()?, known))
}

#[then(expr = "the edge's created_at is within {int} minutes of the target's clock")]
fn edge_created_recently(world: &mut ConformanceWorld, minutes: i64) -> StepResult {
    let ctx = world.ctx()?;
    let sent = world.sent()?;
    let response = world.response()?;
    let (now, by) = ctx.clock.now(Some(response));
    let created = response
        .json()
        .ok()
        .and_then(|body| body.get("created_at")?.as_str().map(str::to_owned))
        .and_then(|text| crate::time::parse(&text).ok());
    let predates_the_run = matches!(
        (created, ctx.clock.at_start),
        (Some(created), Some(start)) if created < start
    );
    let check = checks::edge_created_within(response, minutes, now, by);
    // An old edge is not a wrong one when the track may have been in the library already: a
    // target may keep one edge per track and answer it, and its created_at is when it was made.
    if check.is_err() && sent.first_save {
        let track = ctx.live_track_id(Some(response));
        let held = track
            .as_deref()
            .and_then(|track| ctx.bracket.held_before_the_first_save(track));
        match (held, track) {
            (Some(true), Some(track)) => not_testable(format!(
                "the shared track {track} was in the recipient's library before the run's first \
                 save, so this save may answer the edge it already had (a target may keep one edge \
                 per track), whose created_at is when that edge was made"
            )),
            (None, _) if predates_the_run => not_testable(
                "the edge this save answered was created before the run started, and the \
                 recipient's library was not read, so it cannot be told whether the track was \
                 there already (a target may keep one edge per track and answer it): name \
                 [recipient] organization_id, or give each run a fresh track",
            ),
            _ => {}
        }
    }
    let check = check.map_err(|failure| {
        if predates_the_run {
            Failure::new(format!(
                "{failure}\nhint:     the edge predates this run: if the live token was saved before, give each run a fresh one (--provision live)"
            ))
        } else {
            failure
        }
    });
    world.judge(check)
}

#[then("the edge's ids and created_at have the form of the example")]
fn edge_as_example(world: &mut ConformanceWorld) -> StepResult {
    world.judge(checks::edge_as_example(world.response()?))
}

#[then("the repeat save answers a library edge for the same track or an error envelope")]
fn repeat_save_is_sound(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let first = world.first_save.clone().ok_or_else(|| {
        suite_bug("the scenario did not save twice (a suite bug: use \"saved again\")")
    })?;
    let note = checks::repeat_save(&ctx.suite, &first, world.response()?)?;
    world.notes.push(note);
    Ok(())
}
