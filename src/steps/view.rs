//! The public view of a share (`GET /v1/music/shared/{token}`, no key), to see that a save
//! leaves the original track unchanged.

use cucumber::{given, then};
use reqwest::Method;
use serde_json::Value;

use super::{ConformanceWorld, Failure, StepResult, json_body};
use crate::http::{KeyHeader, status_text};
use crate::snapshot::{json_diff, without};

/// Minted afresh on every request (the docs), so never part of the comparison.
const FRESH_PER_REQUEST: &[&str] = &["/track/playback_url"];

async fn public_view(world: &ConformanceWorld) -> Result<Value, Failure> {
    let ctx = world.ctx()?;
    let token = world.token.as_ref().ok_or_else(|| {
        Failure::new("the scenario names no token before opening it (a suite bug)")
    })?;
    let label = format!(
        "GET /v1/music/shared/{{{}}} (public resolve, no key)",
        token.label
    );
    let response = ctx
        .http
        .send(
            Method::GET,
            &["v1", "music", "shared", &token.value],
            KeyHeader::Absent,
            label,
        )
        .await?;
    if response.status != reqwest::StatusCode::OK {
        return Err(Failure::about(
            format!(
                "expected: 200 from the public resolve of a live share\nactual:   {}\nhint:     a target without the public resolve can deselect this scenario with --tags 'not @resolve'",
                status_text(response.status)
            ),
            &response,
        ));
    }
    Ok(without(&json_body(&response)?, FRESH_PER_REQUEST))
}

#[given("the public view of the share is recorded")]
async fn record_view(world: &mut ConformanceWorld) -> StepResult {
    world.view_before = Some(public_view(world).await?);
    Ok(())
}

#[then("the public view of the share is unchanged apart from playback_url")]
async fn view_unchanged(world: &mut ConformanceWorld) -> StepResult {
    let before = world
        .view_before
        .clone()
        .ok_or_else(|| Failure::new("no public view was recorded before the save (a suite bug)"))?;
    let after = public_view(world).await?;
    match json_diff(
        &before,
        &after,
        "public view before the save",
        "public view after the save",
    ) {
        None => Ok(()),
        Some(diff) => Err(Failure::new(format!(
            "expected: the original track unchanged by the save\nactual:   its public view changed (playback_url aside):\n{}",
            diff.trim_end()
        ))),
    }
}
