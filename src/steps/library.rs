//! What reached the recipient's library, through List saved tracks
//! (`GET /v1/music/{organization_id}/tracks` with the recipient's key).

use cucumber::then;

use super::bracket::LibraryRead;
use super::{ConformanceWorld, StepResult, not_testable, suite_bug};
use crate::checks;
use crate::fixtures::ShareState;

/// The library as read, or NOT-TESTABLE saying why it was not.
fn read(library: &LibraryRead, when: &str) -> Vec<String> {
    match library {
        LibraryRead::Read(library) => library.track_ids.clone(),
        LibraryRead::Skipped(why) => not_testable(why.clone()),
        LibraryRead::Unreadable(why) if why.contains("429 Too Many Requests") => not_testable(
            super::rate_limited(&format!("List saved tracks, read {when}: {why}")),
        ),
        LibraryRead::Unreadable(why) => not_testable(format!(
            "List saved tracks could not be read {when}, so the library cannot be seen \
             (`share-conformance doctor` checks it):\n{why}"
        )),
    }
}

#[then("the saved track is in the recipient's library")]
async fn saved_track_in_library(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let sent = world.sent()?.clone();
    if !sent.first_save {
        return Err(suite_bug(
            "the scenario examines a save other than the run's first save of the live token (a suite bug)",
        ));
    }
    let before = ctx.bracket.before(&ctx).await;
    let before_ids = read(&before.library_after_refused, "before the first save");
    let live = sent.token.clone();
    let after = ctx.bracket.after(&ctx, &live).await;
    let after_ids = read(&after.library, "after the first save");
    let Some(track) = ctx.live_track_id(Some(&sent.exchange)) else {
        not_testable(
            "the shared track's id is unknown: name it in expected.track_id (or let the save answer it)",
        );
    };
    let complete = matches!(&after.library, LibraryRead::Read(l) if l.complete);
    if let Some(why) = checks::library_unsteady(&before_ids, &after_ids) {
        not_testable(why);
    }
    let result = world.judge(checks::library_gained(
        &before_ids,
        &after_ids,
        complete,
        &track,
    ));
    if result.is_ok() && before_ids.contains(&track) {
        world.notes.push(format!(
            "the shared track {track} was already in the recipient's library before the first save, so this shows it is there, not that this save put it there"
        ));
    }
    result
}

#[then("the saves refused before the first save added nothing to the recipient's library")]
async fn refused_saves_added_nothing(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let before = ctx.bracket.before(&ctx).await;
    let ids_before = read(&before.library, "before the refused saves");
    let ids_after = read(&before.library_after_refused, "after the refused saves");
    let refused: Vec<String> = before
        .refused
        .iter()
        .map(|save| match &save.outcome {
            Ok(exchange) => format!(
                "{} → {}",
                save.what,
                crate::http::status_text(exchange.status)
            ),
            Err(e) => format!("{} → no answer: {}", save.what, e.reason),
        })
        .collect();
    let missing: Vec<String> = [
        ShareState::Collection,
        ShareState::Revoked,
        ShareState::Expired,
        ShareState::Removed,
        ShareState::Live,
    ]
    .into_iter()
    .filter(|s| ctx.fixtures.tokens.get(*s).is_none())
    .map(|s| format!("tokens.{s}"))
    .collect();
    if !missing.is_empty() {
        world.notes.push(format!(
            "the fixtures hold no {}: those saves were not made",
            missing.join(", ")
        ));
    }
    if let Some(why) = checks::library_unsteady(&ids_before, &ids_after) {
        not_testable(why);
    }
    checks::nothing_added(&ids_before, &ids_after, &refused)
}
