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

/// `earlier`'s ids, as far as they can be compared with those of `later`, a listing that may
/// have been cut ([`checks::aligned`]).
pub(super) fn comparable(
    earlier: &[String],
    later_ids: &[String],
    later: &LibraryRead,
) -> Vec<String> {
    checks::aligned(
        earlier,
        later_ids,
        matches!(later, LibraryRead::Read(l) if !l.complete),
    )
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
    let whole_before = read(&before.library_after_refused, "before the first save");
    let live = sent.token.clone();
    let after = ctx.bracket.after(&ctx, &live).await;
    let after_ids = read(&after.library, "after the first save");
    let before_ids = comparable(&whole_before, &after_ids, &after.library);
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
        // A listing that shows some track more than once lists a track per save (or per
        // edge): there, a save that made a new edge (201, created during the run by the
        // target's own clock) must show as one more entry.
        let listed_per_save = checks::listed_more_than_once(&before_ids)
            .or_else(|| checks::listed_more_than_once(&after_ids));
        let created = sent
            .exchange
            .json()
            .ok()
            .and_then(|body| body.get("created_at")?.as_str().map(str::to_owned))
            .and_then(|text| crate::time::parse(&text).ok());
        let new_edge = sent.exchange.status.as_u16() == 201
            && matches!((created, ctx.clock.at_start), (Some(c), Some(start)) if c >= start);
        if let (Some(repeated), true) = (listed_per_save, new_edge) {
            return world.judge(Err(checks::Failure::about(
                format!(
                    "expected: the new edge this save answered shown in List saved tracks, which lists a track once per save here ({repeated})\nactual:   the track {track} has as many entries, in the same place, as before the save (read for {:.1} s)",
                    ctx.read_lag.as_secs_f64()
                ),
                &sent.exchange,
            )));
        }
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
    let late_read = ctx.bracket.late(&ctx, &live).await;
    let late = read(late_read, "late in the run");
    world.judge(checks::appeared_late(
        &comparable(&whole_before, &late, late_read),
        &late,
        &[(track.as_str(), usize::MAX)],
        "the save adds the shared track, and nothing else",
        &format!("{:.1} s", ctx.read_lag.as_secs_f64()),
    ))
}

#[then("the saves refused before the first save added nothing to the recipient's library")]
async fn refused_saves_added_nothing(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let before = ctx.bracket.before(&ctx).await;
    let ids_after = read(&before.library_after_refused, "after the refused saves");
    let ids_before = comparable(
        &read(&before.library, "before the refused saves"),
        &ids_after,
        &before.library_after_refused,
    );
    let refused: Vec<String> = before
        .refused
        .iter()
        .map(|save| match &save.outcome {
            Ok(exchange) => format!(
                "{} → {}",
                save.what,
                crate::exchange::status_text(exchange.status)
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
    // Read again late in the run, so that a refused save that lands late is seen too. By
    // then the run's own saves of the live token (and of the tokens a faulty target takes
    // for it) may have added entries of its track, one per edge they answered: more than
    // that is a refused save of a share of the same track (the revoked one, or the live one
    // without a key) that landed late.
    let Some(live_token) = ctx.fixtures.tokens.get(ShareState::Live) else {
        return Ok(());
    };
    let live = super::Token {
        label: "live token".into(),
        value: live_token.to_owned(),
        state: Some(ShareState::Live),
    };
    let late_read = ctx.bracket.late(&ctx, &live).await;
    let late = read(late_read, "late in the run");
    let track = ctx.live_track_id(ctx.bracket.first_save(&ctx, &live).await.ok().as_deref());
    let saved: Vec<(&str, usize)> = track
        .iter()
        .map(|track| (track.as_str(), ctx.entries_saved_of(track)))
        .collect();
    checks::appeared_late(
        &comparable(&ids_after, &late, late_read),
        &late,
        &saved,
        "the refused saves add nothing to the recipient's library",
        &format!("{:.1} s", ctx.read_lag.as_secs_f64()),
    )
}
