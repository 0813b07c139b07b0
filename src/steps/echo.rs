//! What a response gives back of what it was sent.

use cucumber::then;

use super::{ConformanceWorld, StepResult};
use crate::checks;

#[then("the response carries neither the share token nor the credential it was sent")]
fn no_echo(world: &mut ConformanceWorld) -> StepResult {
    let sent = world.sent()?;
    world.judge(checks::no_echo(&sent.exchange, &sent.token.value))
}
