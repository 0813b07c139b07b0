//! Who asks, with which token, and the save request itself.

use std::sync::Arc;

use cucumber::{given, when};
use reqwest::Method;

use super::{ConformanceWorld, Context, Failure, KeyChoice, Sent, StepResult, Token, not_testable};
use crate::clock;
use crate::fixtures::ShareState;
use crate::http::{Exchange, KeyHeader, TransportError};
use crate::secret::base64url;

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

/// Keys that are not shaped like the documented ones (`ak_` + alphanumerics, 42 characters).
#[given(expr = "a malformed API key that is {string}")]
fn malformed_key(world: &mut ConformanceWorld, kind: String) -> StepResult {
    let hex = clock::random_hex(20);
    let (kind, bytes): (&'static str, Vec<u8>) = match kind.as_str() {
        "of the wrong prefix" => ("of the wrong prefix", format!("sk_{}", &hex[..39]).into()),
        "of the wrong length" => ("of the wrong length", format!("ak_{}", &hex[..12]).into()),
        "8 KiB long" => (
            "8 KiB long",
            format!("ak_{}", "7".repeat(8 * 1024 - 3)).into(),
        ),
        "non-ASCII" => ("non-ASCII", "ak_ключ_доступа_🔑_clé".as_bytes().to_vec()),
        other => {
            return Err(Failure::new(format!(
                "no malformed key is called {other:?} (a suite bug): use \"of the wrong prefix\", \
                 \"of the wrong length\", \"8 KiB long\" or \"non-ASCII\""
            )));
        }
    };
    world.key = KeyChoice::Malformed(kind, bytes);
    Ok(())
}

/// A JWT that no server issued: well-formed, signed with a key of our own.
#[given("a forged Bearer credential")]
fn forged_bearer(world: &mut ConformanceWorld) {
    let now = clock::now().unix_timestamp();
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = base64url(
        format!(
            r#"{{"sub":"usr_{}","iss":"share-conformance","iat":{now},"exp":{}}}"#,
            clock::random_hex(6),
            now + 3600
        )
        .as_bytes(),
    );
    let signature = base64url(&hex_bytes(&clock::random_hex(32)));
    world.key = KeyChoice::Bearer(format!("{header}.{claims}.{signature}"));
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok())
        .collect()
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
    let token = scenario_token(world)?;
    let sent = save(world, &token, Attempt::First).await?;
    world.response = Some(sent);
    Ok(())
}

#[when("the share is saved again")]
async fn share_is_saved_again(world: &mut ConformanceWorld) -> StepResult {
    let token = scenario_token(world)?;
    let first = save(world, &token, Attempt::First).await?;
    let again = save(world, &token, Attempt::Fresh).await?;
    world.first_save = Some(first.exchange);
    world.response = Some(again);
    Ok(())
}

/// Several tokens saved at once (independent requests, so they cost one round trip): `the
/// revoked, expired, removed and unknown share tokens are each saved`. A state the fixtures
/// hold no token for is left out; the steps that compare the answers say when too few remain.
#[when(regex = r"^the (.+) share tokens are each saved$")]
async fn tokens_are_each_saved(world: &mut ConformanceWorld, list: String) -> StepResult {
    let ctx = world.ctx()?;
    let mut tokens = Vec::new();
    for word in list
        .split(", ")
        .flat_map(|part| part.split(" and "))
        .map(str::trim)
    {
        match ShareState::from_name(word) {
            Some(state) if ctx.fixtures.tokens.get(state).is_none() => world.missing.push(state),
            _ => tokens.push(token_for(&ctx, word)?),
        }
    }
    let saves = tokens
        .iter()
        .map(|token| save(world, token, Attempt::First));
    for sent in futures::future::join_all(saves).await {
        world.collected.push(sent?);
    }
    world.response = world.collected.last().cloned();
    Ok(())
}

fn scenario_token(world: &ConformanceWorld) -> Result<Token, Failure> {
    world
        .token
        .clone()
        .ok_or_else(|| Failure::new("the scenario names no token before saving (a suite bug)"))
}

/// The token a feature file names by its state: a fixture, or `unknown` (generated, never
/// issued by any target).
pub(super) fn token_for(ctx: &Context, word: &str) -> Result<Token, Failure> {
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

/// Saves `token` with the scenario's credential.
async fn save(world: &ConformanceWorld, token: &Token, attempt: Attempt) -> Result<Sent, Failure> {
    let ctx = world.ctx()?;
    if world.key == KeyChoice::Unset {
        return Err(Failure::new(
            "the scenario chose no key (a suite bug: add a Given step for the key)",
        ));
    }
    let first_save = attempt == Attempt::First
        && world.key == KeyChoice::Recipient
        && token.state == Some(ShareState::Live);
    let exchange = if first_save {
        if ctx.api_key.is_none() {
            not_testable(NO_KEY);
        }
        ctx.bracket.first_save(&ctx, token).await?
    } else {
        send_save(&ctx, token, &world.key).await?
    };
    Ok(Sent {
        exchange,
        token: token.clone(),
        key: world.key.clone(),
        first_save,
    })
}

const NO_KEY: &str =
    "no API key: give --api-key, set FREDDY_API_KEY, or put api_key in the fixtures";

/// `POST /v1/music/shared/{token}/save` with `key`: one new request.
pub(super) async fn send_save(
    ctx: &Context,
    token: &Token,
    key: &KeyChoice,
) -> Result<Arc<Exchange>, TransportError> {
    let header = match key {
        KeyChoice::Recipient => match &ctx.api_key {
            Some(key) => KeyHeader::Key(key),
            None => not_testable(NO_KEY),
        },
        KeyChoice::Absent | KeyChoice::Unset => KeyHeader::Absent,
        KeyChoice::Empty => KeyHeader::Value(""),
        KeyChoice::Unknown(value) => KeyHeader::Value(value),
        KeyChoice::Malformed(_, bytes) => KeyHeader::Bytes(bytes),
        KeyChoice::Bearer(jwt) => KeyHeader::Bearer(jwt),
    };
    let label = format!(
        "POST /v1/music/shared/{{{}}}/save with {}",
        token.label,
        key.describe()
    );
    let exchange = ctx
        .http
        .send(
            Method::POST,
            &["v1", "music", "shared", &token.value, "save"],
            header,
            label,
        )
        .await?;
    ctx.observe(&exchange);
    Ok(Arc::new(exchange))
}
