//! The public view of a share (`GET /v1/music/shared/{token}`, no key), read before any save of
//! the live token and after the run's first save, to see that saving leaves the track unchanged.

use cucumber::then;

use super::bracket::{Unread, public_view};
use super::{ConformanceWorld, StepResult, no_response, not_testable, rate_limited, suite_bug};
use crate::checks::{self, Failure};
use crate::fixtures::ShareState;

#[then("the shared track's documented fields are the same before and after the first save")]
async fn track_unchanged(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let live = world
        .token
        .clone()
        .filter(|t| t.state == Some(ShareState::Live))
        .ok_or_else(|| suite_bug("the scenario names no live token (a suite bug)"))?;
    let before = match &ctx.bracket.before(&ctx).await.view {
        None => {
            return Err(suite_bug(
                "the public view was not read before the first save (a suite bug: tag the scenario @resolve)",
            ));
        }
        Some(Err(Unread::NoResponse(why) | Unread::NotRecorded(why))) => not_testable(format!(
            "the public view of the live share got no answer before any save, so there is nothing to compare with: {why}"
        )),
        Some(Err(Unread::RateLimited(failure) | Unread::Other(failure))) => not_testable(format!(
            "the public view of the live share could not be read before any save, so there \
                 is nothing to compare with:\n{failure}"
        )),
        Some(Ok(view)) => view.clone(),
    };
    if checks::documented_track(&before).is_none() {
        not_testable(format!(
            "before any save, the public view of the live share shows no track: is tokens.live \
             a live track share? (`share-conformance doctor` checks)\nview: {}",
            crate::exchange::excerpt(before.to_string().as_bytes())
        ));
    }
    let after = match &ctx.bracket.after(&ctx, &live).await.view {
        Some(Ok(view)) => view.clone(),
        Some(Err(unread)) => unreadable_after(unread)?,
        None => {
            return Err(suite_bug(
                "the public view was not read after the first save (a harness bug)",
            ));
        }
    };
    checks::track_unchanged(&before, &after)
}

/// A view that cannot be read after a save: the track is gone, unless the target only
/// rate-limited the request.
fn unreadable_after(unread: &Unread) -> Result<serde_json::Value, Failure> {
    match unread {
        Unread::RateLimited(failure) => not_testable(rate_limited(failure)),
        // No answer is no evidence about the track: the scenario fails for want of one.
        Unread::NoResponse(why) => no_response(why.clone()),
        Unread::NotRecorded(why) => not_testable(why.clone()),
        Unread::Other(failure) => Err(Failure::new(format!(
            "expected: the original track unchanged by the save\nactual:   after the save its public view could not be read:\n{failure}"
        ))),
    }
}

#[then(
    "the shared track's documented fields are the same before any save and after the repeat save"
)]
async fn track_unchanged_by_repeat(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    if world.first_save.is_none() {
        return Err(suite_bug(
            "the scenario did not save again (a suite bug: use \"saved again\")",
        ));
    }
    let before = match &ctx.bracket.before(&ctx).await.view {
        Some(Ok(view)) => view.clone(),
        Some(Err(_)) => not_testable(
            "the public view of the live share could not be read before any save, so there is nothing to compare with",
        ),
        None => {
            return Err(suite_bug(
                "the public view was not read before the first save (a suite bug: tag the scenario @resolve)",
            ));
        }
    };
    if checks::documented_track(&before).is_none() {
        not_testable("before any save, the public view of the live share shows no track");
    }
    let Some(live) = ctx.fixtures.tokens.get(ShareState::Live) else {
        not_testable("the fixtures hold no `live` token (tokens.live)");
    };
    let after = match public_view(&ctx, live).await {
        Ok(view) => view,
        Err(unread) => unreadable_after(&unread)?,
    };
    checks::track_unchanged(&before, &after)
        .map_err(|f| Failure::new(f.message().replace("the first save", "the repeat save")))
}
