//! The public view of a share (`GET /v1/music/shared/{token}`, no key), read before any save of
//! the live token and after the run's first save, to see that saving leaves the track unchanged.

use cucumber::then;

use super::{ConformanceWorld, StepResult, not_testable};
use crate::checks::{self, Failure};
use crate::fixtures::ShareState;

#[then("the shared track's documented fields are the same before and after the first save")]
async fn track_unchanged(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let live = world
        .token
        .clone()
        .filter(|t| t.state == Some(ShareState::Live))
        .ok_or_else(|| Failure::new("the scenario names no live token (a suite bug)"))?;
    let before = match &ctx.bracket.before(&ctx).await.view {
        None => {
            return Err(Failure::new(
                "the public view was not read before the first save (a suite bug: tag the scenario @resolve)",
            ));
        }
        Some(Err(failure)) => not_testable(format!(
            "the public view of the live share could not be read before any save, so there is \
             nothing to compare with:\n{failure}"
        )),
        Some(Ok(view)) => view.clone(),
    };
    if checks::documented_track(&before).is_none() {
        not_testable(format!(
            "before any save, the public view of the live share shows no track: is tokens.live \
             a live track share? (`share-conformance doctor` checks)\nview: {}",
            crate::http::excerpt(before.to_string().as_bytes())
        ));
    }
    let after = match &ctx.bracket.after(&ctx, &live).await.view {
        Some(Ok(view)) => view.clone(),
        Some(Err(failure)) => {
            return Err(Failure::new(format!(
                "expected: the original track unchanged by the save\nactual:   after the save its public view could not be read:\n{failure}"
            )));
        }
        None => {
            return Err(Failure::new(
                "the public view was not read after the first save (a harness bug)",
            ));
        }
    };
    checks::track_unchanged(&before, &after)
}
