//! Who asks, with which token, and the save request itself.

use std::sync::Arc;

use cucumber::{given, when};
use reqwest::Method;

use super::{ConformanceWorld, Context, Failure, KeyChoice, StepResult, Token, not_testable};
use crate::clock;
use crate::fixtures::ShareState;
use crate::http::{Exchange, KeyHeader, TransportError};

#[given("the recipient's API key")]
fn recipient_key(world: &mut ConformanceWorld) {
    world.key = KeyChoice::Recipient;
}

#[given("no API key")]
fn no_key(world: &mut ConformanceWorld) {
    world.key = KeyChoice::Absent;
}

#[given("an empty API key")]
fn empty_key(world: &mut ConformanceWorld) {
    world.key = KeyChoice::Empty;
}

#[given("an unknown API key")]
fn unknown_key(world: &mut ConformanceWorld) {
    // Shaped like a real key (`ak_`, 42 characters), so only its value is wrong.
    world.key = KeyChoice::Unknown(format!("ak_{}", &clock::random_hex(20)[..39]));
}

#[given(expr = "the {word} share token")]
fn share_token(world: &mut ConformanceWorld, state: String) -> StepResult {
    world.token = Some(token_for(&*world.ctx()?, &state)?);
    Ok(())
}

#[given(expr = "a malformed share token that is {string}")]
fn malformed_token(world: &mut ConformanceWorld, kind: String) -> StepResult {
    let value = match kind.as_str() {
        "4 KiB long" => format!("shr_{}", "a".repeat(4096 - 4)),
        "non-ASCII" => "shr_ünïcødé_トークン_😀".to_owned(),
        "a percent-encoded slash" => "shr_9f3a2b7c/1e4d6a8f".to_owned(),
        // A bare `..` segment would be resolved away by URL rules before sending.
        "dot segments" => "../../save".to_owned(),
        "control characters" => "shr_\u{0}\u{7}\r\n\t\u{1b}[0m".to_owned(),
        "empty" => String::new(),
        other => {
            return Err(Failure::new(format!(
                "no malformed token is called {other:?} (a suite bug): use \"4 KiB long\", \"non-ASCII\", \
                 \"a percent-encoded slash\", \"dot segments\", \"control characters\" or \"empty\""
            )));
        }
    };
    world.token = Some(Token {
        label: format!("malformed token ({kind})"),
        value,
        state: None,
    });
    Ok(())
}

#[when("the share is saved")]
async fn share_is_saved(world: &mut ConformanceWorld) -> StepResult {
    let exchange = save(world, Attempt::First).await?;
    world.response = Some(exchange);
    Ok(())
}

#[when("the share is saved again")]
async fn share_is_saved_again(world: &mut ConformanceWorld) -> StepResult {
    let first = save(world, Attempt::First).await?;
    let again = save(world, Attempt::Fresh).await?;
    world.first_save = Some(first);
    world.response = Some(again);
    Ok(())
}

/// Several tokens saved at once (they are independent requests, so they go out together and
/// cost one round trip): `the revoked, expired, removed and unknown share tokens are each saved`.
#[when(regex = r"^the (.+) share tokens are each saved$")]
async fn tokens_are_each_saved(world: &mut ConformanceWorld, list: String) -> StepResult {
    let ctx = world.ctx()?;
    let tokens = list
        .split(", ")
        .flat_map(|part| part.split(" and "))
        .map(|word| token_for(&ctx, word.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    let saves = tokens
        .iter()
        .map(|token| save_token(world, token, Attempt::First));
    for exchange in futures::future::join_all(saves).await {
        world.collected.push(exchange?);
    }
    world.response = world.collected.last().cloned();
    Ok(())
}

/// The token a feature file names by its state: a fixture, or `unknown` (generated, never
/// issued by any target).
fn token_for(ctx: &Context, word: &str) -> Result<Token, Failure> {
    if word == "unknown" {
        return Ok(Token {
            label: "unknown token".into(),
            value: format!("shr_{}", clock::random_hex(16)),
            state: None,
        });
    }
    let state = ShareState::from_name(word).ok_or_else(|| {
        Failure::new(format!(
            "no share state is called {word:?} (a suite bug): use live, revoked, expired, removed, collection or unknown"
        ))
    })?;
    match ctx.fixtures.tokens.get(state) {
        Some(value) => Ok(Token {
            label: format!("{state} token"),
            value: value.to_owned(),
            state: Some(state),
        }),
        None => not_testable(format!(
            "the fixtures hold no `{state}` token (tokens.{state})"
        )),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Attempt {
    /// The run's first save where that matters (recipient's key, live token), else a request.
    First,
    /// Always a new request.
    Fresh,
}

async fn save(world: &ConformanceWorld, attempt: Attempt) -> Result<Arc<Exchange>, Failure> {
    let token = world
        .token
        .as_ref()
        .ok_or_else(|| Failure::new("the scenario names no token before saving (a suite bug)"))?;
    save_token(world, token, attempt).await
}

/// Saves `token` with the scenario's key choice.
async fn save_token(
    world: &ConformanceWorld,
    token: &Token,
    attempt: Attempt,
) -> Result<Arc<Exchange>, Failure> {
    let ctx = world.ctx()?;
    let header = match &world.key {
        KeyChoice::Recipient => match &ctx.api_key {
            Some(key) => KeyHeader::Key(key),
            None => not_testable(
                "no API key: give --api-key, set FREDDY_API_KEY, or put api_key in the fixtures",
            ),
        },
        KeyChoice::Absent => KeyHeader::Absent,
        KeyChoice::Empty => KeyHeader::Value(""),
        KeyChoice::Unknown(value) => KeyHeader::Value(value),
        KeyChoice::Unset => {
            return Err(Failure::new(
                "the scenario chose no key (a suite bug: add a Given step for the key)",
            ));
        }
    };
    let label = format!(
        "POST /v1/music/shared/{{{}}}/save with {}",
        token.label,
        world.key.describe()
    );
    let send = || async {
        ctx.http
            .send(
                Method::POST,
                &["v1", "music", "shared", &token.value, "save"],
                header,
                label.clone(),
            )
            .await
            .map(Arc::new)
    };
    let shared_first = attempt == Attempt::First
        && world.key == KeyChoice::Recipient
        && token.state == Some(ShareState::Live);
    let result: Result<Arc<Exchange>, TransportError> = if shared_first {
        ctx.first_live_save.get_or_init(send).await.clone()
    } else {
        send().await
    };
    Ok(result?)
}
