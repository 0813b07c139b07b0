//! Who asks, with which token, and the save request itself.

use std::sync::Arc;

use cucumber::{given, when};
use reqwest::Method;

use super::{
    ConformanceWorld, Context, Failure, KeyChoice, Sent, StepResult, Token, answered, not_testable,
    suite_bug,
};
use crate::exchange::KeyHeader;
use crate::exchange::{Exchange, TransportError};
use crate::fixtures::ShareState;
use crate::random;
use crate::secret::base64url;
use crate::time as clock;
use crate::twist::Twist;

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
    world.key = KeyChoice::Unknown(format!("ak_{}", &random::hex(20)[..39]));
}

/// Keys that are not shaped like the documented ones (`ak_` + alphanumerics, 42 characters).
#[given(expr = "a malformed API key that is {string}")]
fn malformed_key(world: &mut ConformanceWorld, kind: String) -> StepResult {
    let hex = random::hex(20);
    let (kind, bytes): (&'static str, Vec<u8>) = match kind.as_str() {
        "of the wrong prefix" => ("of the wrong prefix", format!("sk_{}", &hex[..39]).into()),
        "of the wrong length" => ("of the wrong length", format!("ak_{}", &hex[..12]).into()),
        "8 KiB long" => (
            "8 KiB long",
            format!("ak_{}", "7".repeat(8 * 1024 - 3)).into(),
        ),
        "non-ASCII" => ("non-ASCII", "ak_ключ_доступа_🔑_clé".as_bytes().to_vec()),
        other => {
            return Err(suite_bug(format!(
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
    world.key = KeyChoice::Bearer(forged_jwt(false), false);
}

/// A JWT with `"alg": "none"` and no signature, which a careless verifier accepts.
#[given("an unsigned Bearer credential")]
fn unsigned_bearer(world: &mut ConformanceWorld) {
    world.key = KeyChoice::Bearer(forged_jwt(true), true);
}

fn forged_jwt(unsigned: bool) -> String {
    let now = clock::now().unix_timestamp();
    let header = if unsigned {
        base64url(br#"{"alg":"none","typ":"JWT"}"#)
    } else {
        base64url(br#"{"alg":"HS256","typ":"JWT"}"#)
    };
    let claims = base64url(
        format!(
            r#"{{"sub":"usr_{}","iss":"share-conformance","iat":{now},"exp":{}}}"#,
            random::hex(6),
            now + 3600
        )
        .as_bytes(),
    );
    let signature = if unsigned {
        String::new()
    } else {
        base64url(&random::bytes(32))
    };
    format!("{header}.{claims}.{signature}")
}

#[given(expr = "the {word} share token")]
fn share_token(world: &mut ConformanceWorld, state: String) -> StepResult {
    world.token = Some(token_for(&*world.ctx()?, &state)?);
    Ok(())
}

/// The live token with its last character changed (to another of its kind): a token no
/// target issued, which only a target comparing part of the token would take for the live one.
#[given("the live share token with its last character changed")]
fn near_miss_token(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(live) = ctx.fixtures.tokens.get(ShareState::Live) else {
        not_testable("the fixtures hold no `live` token (tokens.live)");
    };
    let label = "live token with its last character changed";
    // It gives the live token away: a command writes it as a shell expression of the live
    // token's variable, never as it is.
    let value = ctx.derived_token(
        label,
        crate::fixtures::near_miss(live),
        crate::fixtures::near_miss_shell(
            live,
            &crate::evidence::token_variable(ShareState::Live.name()),
        ),
    );
    world.token = Some(Token {
        label: label.into(),
        value,
        state: None,
    });
    Ok(())
}

/// The recipient's key with its last character changed: a key no target issued, which only a
/// target comparing part of the key would take for the recipient's. The runner masks it in
/// every output like the key itself.
#[given("the recipient's API key with its last character changed")]
fn near_miss_key(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let Some(key) = &ctx.near_miss_key else {
        not_testable(NO_KEY);
    };
    world.key = KeyChoice::NearMiss(key.clone());
    Ok(())
}

/// The recipient's key twisted as storage layers and parsers fold, trim or cut it: not byte for
/// byte the key, so a target must refuse it (masked in every output like the key).
#[given(
    regex = r"^the recipient's API key (with its letters' case swapped|with a character appended|without its last character|with its last character in full width|with a no-break space appended)$"
)]
fn twisted_key(world: &mut ConformanceWorld, words: String) -> StepResult {
    let ctx = world.ctx()?;
    let twist = Twist::from_words(&words)
        .ok_or_else(|| suite_bug(format!("no key twist is called {words:?} (a suite bug)")))?;
    let Some(key) = &ctx.api_key else {
        not_testable(NO_KEY);
    };
    if twist.apply(key.expose()) == key.expose() {
        not_testable(format!(
            "the recipient's key has nothing to twist that way ({words}): it has no letters"
        ));
    }
    world.key = KeyChoice::Twisted(twist, key.twisted(twist));
    Ok(())
}

/// Beside the credential chosen so far, a forged `Authorization: Bearer` JWT: a request that
/// carries a valid-looking credential beside a wrong key.
#[given("a forged Bearer credential beside it")]
fn bearer_beside(world: &mut ConformanceWorld) -> StepResult {
    if matches!(world.key, KeyChoice::Unset | KeyChoice::Bearer(..)) {
        return Err(suite_bug(
            "a Bearer credential beside what? (a suite bug: choose an X-API-Key first)",
        ));
    }
    let key = std::mem::replace(&mut world.key, KeyChoice::Unset);
    world.key = KeyChoice::WithBearer(Box::new(key), forged_jwt(false));
    Ok(())
}

/// The live token twisted as storage layers and parsers fold, trim or cut it: a token the
/// target never issued, which a command writes as a shell expression of the live token.
#[given(
    regex = r"^the live share token (with its letters' case swapped|with a character appended|without its last character|inside a longer string|with a space appended)$"
)]
fn twisted_token(world: &mut ConformanceWorld, words: String) -> StepResult {
    let ctx = world.ctx()?;
    let twist = Twist::from_words(&words)
        .ok_or_else(|| suite_bug(format!("no token twist is called {words:?} (a suite bug)")))?;
    let Some(live) = ctx.fixtures.tokens.get(ShareState::Live) else {
        not_testable("the fixtures hold no `live` token (tokens.live)");
    };
    if twist.apply(live) == live {
        not_testable(format!(
            "the live token has nothing to twist that way ({words}): it has no letters"
        ));
    }
    let label = format!("live token {words}");
    let value = ctx.derived_token(
        &label,
        twist.apply(live),
        twist.shell(&crate::evidence::token_variable(ShareState::Live.name())),
    );
    world.token = Some(Token {
        value,
        label,
        state: None,
    });
    Ok(())
}

#[given(expr = "a malformed share token that is {string}")]
fn malformed_token(world: &mut ConformanceWorld, kind: String) -> StepResult {
    let ctx = world.ctx()?;
    let value = match kind.as_str() {
        "4 KiB long" => format!("shr_{}", "a".repeat(4096 - 4)),
        "non-ASCII" => "shr_ünïcødé_トークン_😀".to_owned(),
        "a percent-encoded slash" => "shr_9f3a2b7c/1e4d6a8f".to_owned(),
        // A bare `..` segment would be resolved away by URL rules before sending.
        "dot segments" => "../../save".to_owned(),
        "control characters" => "shr_\u{0}\u{7}\r\n\t\u{1b}[0m".to_owned(),
        "empty" => String::new(),
        "in upper case" => format!("SHR_{}", random::hex(16).to_uppercase()),
        // The docs warn that a share's id is not its token: the live share's own id when the
        // fixtures know it.
        "a share link id" => match &ctx.fixtures.expected.share_link_id {
            Some(id) => id.clone(),
            // Made up at random: recorded under its label, so a re-grade sends the same.
            None => ctx.made_up_token(
                "malformed token (a share link id)",
                format!("mslink_{}", random::hex(6)),
            ),
        },
        other => {
            return Err(suite_bug(format!(
                "no malformed token is called {other:?} (a suite bug): use \"4 KiB long\", \"non-ASCII\", \
                 \"a percent-encoded slash\", \"dot segments\", \"control characters\", \"empty\", \
                 \"in upper case\" or \"a share link id\""
            )));
        }
    };
    let label = format!("malformed token ({kind})");
    // A share link's id is an id the fixtures name, not a made-up token: it stays as it is (a
    // random one was named above).
    let value = if kind == "a share link id" {
        value
    } else {
        ctx.made_up_token(&label, value)
    };
    world.token = Some(Token {
        value,
        label,
        state: None,
    });
    Ok(())
}

#[when("the share is saved")]
async fn share_is_saved(world: &mut ConformanceWorld) -> StepResult {
    let token = scenario_token(world)?;
    let sent = save(world, &token, Attempt::First).await?;
    world.uses(&sent.exchange);
    world.response = Some(sent);
    Ok(())
}

#[when("the share is saved again")]
async fn share_is_saved_again(world: &mut ConformanceWorld) -> StepResult {
    let token = scenario_token(world)?;
    let first = save(world, &token, Attempt::First).await?;
    let again = save(world, &token, Attempt::Fresh).await?;
    world.uses(&first.exchange);
    world.uses(&again.exchange);
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
    // Each token twice, all at once: what differs within a pair of answers to the same
    // request varies per request (a request id), not with the token's state.
    let saves = tokens.iter().flat_map(|token| {
        [
            save(world, token, Attempt::First),
            save(world, token, Attempt::Fresh),
        ]
    });
    let mut sent = futures::future::join_all(saves).await.into_iter();
    let mut again = Vec::new();
    while let (Some(first), Some(second)) = (sent.next(), sent.next()) {
        let (first, second) = (first?, second?);
        world.uses(&first.exchange);
        world.uses(&second.exchange);
        world.collected.push(first);
        again.push(second);
    }
    world.again.push(again);
    world.response = world.collected.last().cloned();
    Ok(())
}

fn scenario_token(world: &ConformanceWorld) -> Result<Token, Failure> {
    world
        .token
        .clone()
        .ok_or_else(|| suite_bug("the scenario names no token before saving (a suite bug)"))
}

/// The token a feature file names by its state: a fixture, or `unknown` (generated, never
/// issued by any target).
pub(super) fn token_for(ctx: &Context, word: &str) -> Result<Token, Failure> {
    if word == "unknown" {
        return Ok(Token {
            label: "unknown token".into(),
            value: ctx.made_up_token("unknown token", ctx.fixtures.unknown_token()),
            state: None,
        });
    }
    let state = ShareState::from_name(word).ok_or_else(|| {
        suite_bug(format!(
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
        return Err(suite_bug(
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
        answered(ctx.bracket.first_save(&ctx, token).await)
    } else {
        if token.state == Some(ShareState::Removed) && ctx.lifecycle.deletes() {
            // The removed token is the delete lifecycle's share: removed once it is made.
            ctx.lifecycle.deleted(&ctx).await;
        }
        let live = ctx
            .fixtures
            .tokens
            .get(ShareState::Live)
            .map(|value| Token {
                label: "live token".into(),
                value: value.to_owned(),
                state: Some(ShareState::Live),
            });
        ctx.bracket.clear_for_other_saves(&ctx, live.as_ref()).await;
        answered(send_save(&ctx, token, &world.key, Some(&world.scope)).await)
    };
    Ok(Sent {
        exchange,
        token: token.clone(),
        key: world.key.clone(),
        first_save,
    })
}

const NO_KEY: &str = "no API key: give the recipient's key (`--api-key` or `FREDDY_API_KEY` on the command line, `Target::api_key` from the library), or `api_key` in the fixtures";

/// The collected requests sent once more, all at once, as a new round of `again`: to confirm
/// that a difference between tokens is not one that varies per request after all.
pub(super) async fn collect_again(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let resends = world
        .collected
        .iter()
        .map(|sent| send_save(&ctx, &sent.token, &sent.key, Some(&world.scope)));
    let round = futures::future::join_all(resends).await;
    let mut again = Vec::new();
    for (sent, exchange) in world.collected.iter().zip(round) {
        again.push(Sent {
            exchange: answered(exchange),
            ..sent.clone()
        });
    }
    for sent in &again {
        world.uses(&sent.exchange);
    }
    world.again.push(again);
    Ok(())
}

/// The headers that carry `key` (not one beside a Bearer credential, which `send_save` adds).
fn key_header<'a>(ctx: &'a Context, key: &'a KeyChoice) -> KeyHeader<'a> {
    match key {
        KeyChoice::Recipient => match &ctx.api_key {
            Some(key) => KeyHeader::Key(key),
            None => not_testable(NO_KEY),
        },
        KeyChoice::Absent | KeyChoice::Unset => KeyHeader::Absent,
        KeyChoice::Empty => KeyHeader::Value(""),
        KeyChoice::Unknown(value) => KeyHeader::Value(value),
        KeyChoice::NearMiss(key) | KeyChoice::Twisted(_, key) => KeyHeader::Key(key),
        KeyChoice::Malformed(_, bytes) => KeyHeader::Bytes(bytes),
        KeyChoice::Bearer(jwt, _) => KeyHeader::Bearer(jwt),
        KeyChoice::WithBearer(..) => std::panic::panic_any(super::SuiteBug(
            "a Bearer credential beside another (a harness bug)".into(),
        )),
    }
}

/// `POST /v1/music/shared/{token}/save` with `key`: one new request, recorded as `scope`'s
/// (a scenario's), or the run's on the bracket's priority client when `scope` is `None`.
pub(super) async fn send_save(
    ctx: &Context,
    token: &Token,
    key: &KeyChoice,
    scope: Option<&str>,
) -> Result<Arc<Exchange>, TransportError> {
    let inner;
    let header = match key {
        KeyChoice::WithBearer(key, jwt) => {
            inner = key_header(ctx, key);
            KeyHeader::WithBearer(&inner, jwt)
        }
        other => key_header(ctx, other),
    };
    let label = format!(
        "POST /v1/music/shared/{{{}}}/save with {}",
        token.label,
        key.describe()
    );
    let http = match scope {
        Some(scope) => ctx.http.scoped(scope),
        None => ctx.priority.clone(),
    };
    let exchange = http
        .send(
            Method::POST,
            &["v1", "music", "shared", &token.value, "save"],
            header,
            label,
        )
        .await?;
    ctx.observe(&exchange);
    ctx.note_save(&exchange);
    Ok(Arc::new(exchange))
}
