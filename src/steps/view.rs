//! The public view of a share (`GET /v1/music/shared/{token}`, no key), to see that a save
//! leaves the original track unchanged.

use cucumber::{given, then};
use reqwest::Method;
use serde_json::Value;

use super::{ConformanceWorld, StepResult};
use crate::checks::{self, Failure};
use crate::http::KeyHeader;

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
    checks::public_view(&response)
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
    checks::view_unchanged(&before, &public_view(world).await?)
}
