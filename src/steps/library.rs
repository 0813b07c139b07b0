//! What reached the recipient's library, through List saved tracks
//! (`GET /v1/music/{organization_id}/tracks` with the recipient's key). Listings are compared
//! entry by entry per track: the docs say neither that a track is listed once nor once per
//! save, only "newest save first".

use cucumber::then;

use super::bracket::LibraryRead;
use super::{Case, ConformanceWorld, StepResult, not_testable, not_testable_because, suite_bug};
use crate::checks::{self, LibraryGain};
use crate::fixtures::ShareState;

/// The library as read, or NOT-TESTABLE saying why it was not.
pub(super) fn read(library: &LibraryRead, when: &str) -> Vec<String> {
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
    let gain = match checks::library_gained(&before_ids, &after_ids, complete, &track) {
        Ok(gain) => gain,
        Err(failure) => return world.judge(Err(failure)),
    };
    if gain == LibraryGain::NotVisible {
        not_testable_because(
            Case::ListedOnce,
            format!(
                "the shared track {track} was in the recipient's library before this save, and List \
                 saved tracks lists it once and kept it where it was (read for {:.1} s): it shows \
                 nothing of what this save added. A gate can accept this case by name; a fresh track \
                 for each run, or a fresh recipient, makes it testable",
                ctx.read_lag.as_secs_f64()
            ),
        );
    }
    // Nothing else may have come with it, not even late.
    let late = read(ctx.bracket.late(&ctx, &live).await, "late in the run");
    world.judge(checks::appeared_late(
        &before_ids,
        &late,
        &[track.as_str()],
        "the save adds the shared track, and nothing else",
        &format!("{:.1} s", ctx.read_lag.as_secs_f64()),
    ))
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
    checks::nothing_added(&ids_before, &ids_after, &refused)?;
    // Read again late in the run, so that a refused save that lands late is seen too. The
    // run's own saves of the live token (and of the tokens a faulty target takes for it) add
    // entries of its track by then: only other tracks can show a late refused save.
    let Some(live_token) = ctx.fixtures.tokens.get(ShareState::Live) else {
        return Ok(());
    };
    let live = super::Token {
        label: "live token".into(),
        value: live_token.to_owned(),
        state: Some(ShareState::Live),
    };
    let late = read(ctx.bracket.late(&ctx, &live).await, "late in the run");
    let track = ctx.live_track_id(ctx.bracket.first_save(&ctx, &live).await.ok().as_deref());
    checks::appeared_late(
        &ids_after,
        &late,
        &track.iter().map(String::as_str).collect::<Vec<_>>(),
        "the refused saves add nothing to the recipient's library",
        &format!("{:.1} s", ctx.read_lag.as_secs_f64()),
    )
}
