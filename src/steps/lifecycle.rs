//! The life of a save after it, as the neighbouring docs pages state it ([doc]):
//! - *revoke*: "After a revocation, new resolves and new saves of the link fail; whoever saved
//!   it before keeps the copy." The run's own live share (provisioned for this run, so nothing
//!   else depends on it) is revoked by the sharer after every other scenario has run; then a
//!   new save by the recipient, who saved it, must answer the unavailable share's 404, the
//!   public view must fail gracefully, and the library must still hold the track.
//! - *delete*: "After it the track leaves every library, including those of the users who
//!   saved it." A share of the disposable track is saved by the recipient, then the sharer
//!   deletes the track; the track must leave the library, a save of its share must answer the
//!   removed share's 404, and the public view must no longer show the track. This comes
//!   before the refused saves (`bracket.rs`), and that share is the run's `removed` token from
//!   then on.
//!
//! Both need the sharer's key and shares the run made itself (provisioning); without them their
//! scenarios are NOT-TESTABLE, in a case a gate may accept by name. Reads may lag writes: each
//! expected state is waited for within the read lag, and only while it has not appeared.

use std::sync::Arc;

use cucumber::{then, when};
use serde_json::Value;
use tokio::sync::OnceCell;

use super::bracket::{LibraryRead, read_library, read_library_until, resolve};
use super::request::{send_save, token_for};
use super::{
    Case, ConformanceWorld, Context, KeyChoice, Sent, StepResult, Token, answered, no_response,
    not_testable, not_testable_because, suite_bug,
};
use crate::checks::{self, Failure};
use crate::error::ProvisionError;
use crate::exchange::{Exchange, TransportError, status_text};
use crate::fixtures::ShareState;
use crate::plan::{Disposable, LifecyclePlan, Provision};
use crate::provision::Sharer;

/// The two lifecycles, each made once per run.
pub(super) struct Lifecycle {
    plan: LifecyclePlan,
    deleted: OnceCell<DeleteStage>,
    revoked: OnceCell<RevokeStage>,
}

/// What the delete lifecycle came to.
pub(super) enum DeleteStage {
    /// The run has no disposable track to delete (or no sharer).
    Unplanned,
    /// The recipient's save of the disposable track's share did not answer a 2xx.
    SaveRefused(Result<Arc<Exchange>, TransportError>),
    /// The sharer's delete was refused: the run cannot make the lifecycle.
    DeleteRefused(ProvisionError),
    /// Made.
    Done(Box<Deleted>),
}

/// The delete lifecycle, made.
pub(super) struct Deleted {
    /// The deleted track.
    track: String,
    /// The recipient's save of its share, before the delete.
    save: Arc<Exchange>,
    /// The library once that save showed (read within the lag until the track was there).
    held: LibraryRead,
    /// The public view of the share before the delete.
    view_before: Result<Exchange, TransportError>,
    /// The library after the delete, read within the lag until the track was gone.
    after_delete: LibraryRead,
    /// The public view of the share after the delete, read within the lag until it no longer
    /// showed the track as available.
    view: Result<Exchange, TransportError>,
    /// A save of the share after the delete.
    save_again: Result<Arc<Exchange>, TransportError>,
}

/// What the revoke lifecycle came to.
pub(super) enum RevokeStage {
    /// The run has no live share of its own to revoke (or no sharer).
    Unplanned,
    /// The recipient's first save of the live share did not succeed: there is no copy to keep.
    NotSaved(String),
    /// The sharer's revoke was refused: the run cannot make the lifecycle.
    RevokeRefused(ProvisionError),
    /// Made.
    Done(Box<Revoked>),
}

/// The revoke lifecycle, made.
pub(super) struct Revoked {
    /// The saved track, if known.
    track: Option<String>,
    /// The library right before the revocation.
    before: LibraryRead,
    /// The public view of the share right before the revocation.
    view_before: Result<Exchange, TransportError>,
    /// The library right after the revocation.
    right_after: LibraryRead,
    /// The library once the read lag has passed since the revocation and the saves after it.
    lag_later: LibraryRead,
    /// The public view of the share after the revocation, read within the lag until it failed.
    view: Result<Exchange, TransportError>,
    /// The recipient's saves after the revocation, each twice: the revoked share's, then a
    /// never-issued token's (whose answers those must match).
    saves: Vec<(Token, [SaveAnswer; 2])>,
}

/// What a save answered, or why nothing did.
type SaveAnswer = Result<Arc<Exchange>, TransportError>;

const NO_DISPOSABLE: &str = "the delete lifecycle deletes a track the recipient saved: give the run the sharer's key and a fresh disposable track to share and delete (provisioning's `removed` state: `--provision removed --disposable-track mtrack_…` on the command line)";
const NO_LIVE_SHARE: &str = "the revoke lifecycle revokes the run's own live share, which nothing else depends on: give the run the sharer's key and let it make the live share (provisioning's `live` state: `--provision live --track mtrack_…` on the command line)";

impl Lifecycle {
    pub(super) fn new(plan: LifecyclePlan) -> Self {
        Self {
            plan,
            deleted: OnceCell::new(),
            revoked: OnceCell::new(),
        }
    }

    /// Whether the run makes the delete lifecycle (and its `removed` token waits for it).
    pub(super) fn deletes(&self) -> bool {
        self.plan.sharer.is_some() && self.plan.disposable.is_some()
    }

    /// The delete lifecycle, made once, after the library's first reading.
    pub(super) async fn deleted(&self, ctx: &Context) -> &DeleteStage {
        self.deleted
            .get_or_init(|| async {
                let (Some(sharer), Some(disposable)) = (&self.plan.sharer, &self.plan.disposable)
                else {
                    return DeleteStage::Unplanned;
                };
                ctx.bracket.start(ctx).await;
                delete_lifecycle(ctx, sharer, disposable).await
            })
            .await
    }

    /// The revoke lifecycle, made once, after the first save and everything read around it.
    pub(super) async fn revoked(&self, ctx: &Context, live: &Token) -> &RevokeStage {
        self.revoked
            .get_or_init(|| async {
                let (Some(sharer), Some(share)) = (&self.plan.sharer, &self.plan.live_share) else {
                    return RevokeStage::Unplanned;
                };
                revoke_lifecycle(ctx, sharer, share, live).await
            })
            .await
    }
}

/// The disposable share, by the token provisioning made for it (the run's `removed` token).
fn disposable_token(ctx: &Context) -> Option<Token> {
    ctx.fixtures
        .tokens
        .get(ShareState::Removed)
        .map(|value| Token {
            label: "removed token".into(),
            value: value.to_owned(),
            state: None,
        })
}

async fn delete_lifecycle(ctx: &Context, plan: &Provision, disposable: &Disposable) -> DeleteStage {
    let Some(token) = disposable_token(ctx) else {
        return DeleteStage::Unplanned;
    };
    let needs = ctx.bracket.needs();
    let track = disposable.track.clone();
    let save = match send_save(ctx, &token, &KeyChoice::Recipient, None).await {
        Ok(save) if save.status.is_success() => save,
        other => return DeleteStage::SaveRefused(other),
    };
    let (held, view_before) = futures::join!(
        read_library_until(ctx, needs, |library| library.contains(&track)),
        resolve(ctx, &token.value, "removed token")
    );
    let sharer = Sharer {
        http: &ctx.priority,
        plan,
    };
    if let Err(refused) = sharer
        .delete_track("the delete lifecycle's track delete", &track)
        .await
    {
        return DeleteStage::DeleteRefused(refused);
    }
    let after_delete = read_library_until(ctx, needs, |library| !library.contains(&track)).await;
    let (view, save_again) = futures::join!(
        view_until(ctx, &token.value, "removed token", |view| {
            !view.status.is_success()
                || view
                    .json()
                    .ok()
                    .and_then(|body| body.get("available").cloned())
                    == Some(Value::Bool(false))
        }),
        send_save(ctx, &token, &KeyChoice::Recipient, None)
    );
    DeleteStage::Done(Box::new(Deleted {
        track,
        save,
        held,
        view_before,
        after_delete,
        view,
        save_again,
    }))
}

async fn revoke_lifecycle(
    ctx: &Context,
    plan: &Provision,
    share: &str,
    live: &Token,
) -> RevokeStage {
    let first = match ctx.bracket.first_save(ctx, live).await {
        Ok(first) if first.status.is_success() => first,
        Ok(first) => {
            return RevokeStage::NotSaved(format!(
                "the recipient's save of the live share answered {}, so there is no saved copy for a revocation to leave",
                status_text(first.status)
            ));
        }
        Err(e) => {
            return RevokeStage::NotSaved(format!(
                "the recipient's save of the live share got no answer: {e}"
            ));
        }
    };
    let track = ctx.live_track_id(Some(&first));
    let needs = ctx.bracket.needs();
    // What the revocation changes is measured from right before it.
    let (before, view_before) = futures::join!(
        read_library(ctx, needs),
        resolve(ctx, &live.value, "live token")
    );
    let sharer = Sharer {
        http: &ctx.priority,
        plan,
    };
    if let Err(refused) = sharer.revoke("the revoke lifecycle's revoke", share).await {
        return RevokeStage::RevokeRefused(refused);
    }
    let (right_after, view) = futures::join!(
        read_library(ctx, needs),
        view_until(ctx, &live.value, "live token", |view| !view
            .status
            .is_success())
    );
    // The recipient, who saved the share, saves it again, beside a token that was never
    // issued: each twice, all at once, as the other comparisons of answers are made.
    let unknown = Token {
        label: "unknown token".into(),
        value: ctx.made_up_token("unknown token", ctx.fixtures.unknown_token()),
        state: None,
    };
    let tokens = [live.clone(), unknown];
    let sent = futures::future::join_all(tokens.iter().flat_map(|token| {
        [
            send_save(ctx, token, &KeyChoice::Recipient, None),
            send_save(ctx, token, &KeyChoice::Recipient, None),
        ]
    }))
    .await;
    let mut sent = sent.into_iter();
    let saves = tokens
        .into_iter()
        .filter_map(|token| Some((token, [sent.next()?, sent.next()?])))
        .collect();
    // What must stay must still be there, and what must not be added must still be absent,
    // once a lagging write would have landed.
    ctx.pause(ctx.read_lag).await;
    let lag_later = read_library(ctx, needs).await;
    RevokeStage::Done(Box::new(Revoked {
        track,
        before,
        view_before,
        right_after,
        lag_later,
        view,
        saves,
    }))
}

/// The public view of `token`, read again within the read lag until `shows` holds of it.
async fn view_until(
    ctx: &Context,
    token: &str,
    label: &str,
    shows: impl Fn(&Exchange) -> bool,
) -> Result<Exchange, TransportError> {
    let mut view = resolve(ctx, token, label).await;
    for pause in super::bracket::poll_pauses(ctx.read_lag) {
        match &view {
            Ok(answer) if !shows(answer) => {}
            _ => break,
        }
        ctx.pause(pause).await;
        view = resolve(ctx, token, label).await;
    }
    view
}

/// The delete lifecycle, or NOT-TESTABLE saying why there is none.
async fn made_delete(world: &mut ConformanceWorld) -> Result<Arc<Context>, Failure> {
    let ctx = world.ctx()?;
    let deleted = match ctx.lifecycle.deleted(&ctx).await {
        DeleteStage::Unplanned => not_testable_because(Case::NoDisposableTrack, NO_DISPOSABLE),
        DeleteStage::SaveRefused(Ok(save)) => {
            world.uses(save);
            return Err(Failure::about(
                format!(
                    "expected: the recipient's save of a live share of the disposable track answers 2xx, as any live track share's does\nactual:   {}",
                    status_text(save.status)
                ),
                save,
            ));
        }
        DeleteStage::SaveRefused(Err(e)) => answered(Err(e.clone())),
        DeleteStage::DeleteRefused(refused) => not_testable(format!(
            "the sharer's delete of the disposable track was refused, so the lifecycle could not be made: {refused}"
        )),
        DeleteStage::Done(deleted) => deleted,
    };
    world.uses(&deleted.save);
    Ok(ctx)
}

/// The delete lifecycle, made.
fn done_delete(ctx: &Context) -> &Deleted {
    match ctx.lifecycle.deleted.get() {
        Some(DeleteStage::Done(deleted)) => deleted,
        _ => std::panic::panic_any(super::SuiteBug(
            "the delete lifecycle was not made before this step (a suite bug: add its When step)"
                .into(),
        )),
    }
}

#[when("the recipient saves a share of the disposable track, and its creator deletes the track")]
async fn delete_the_saved_track(world: &mut ConformanceWorld) -> StepResult {
    made_delete(world).await.map(drop)
}

#[then("the deleted track leaves the recipient's library")]
async fn deleted_track_leaves(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let deleted = done_delete(&ctx);
    let held = super::library::read(&deleted.held, "after the save of the disposable share");
    if !held.contains(&deleted.track) {
        not_testable(format!(
            "the save of the disposable share answered {}, but List saved tracks never showed its track {} (read for {:.1} s), so its leaving cannot be seen",
            status_text(deleted.save.status),
            deleted.track,
            ctx.read_lag.as_secs_f64()
        ));
    }
    let after = super::library::read(&deleted.after_delete, "after the delete");
    checks::left_the_library(&after, &deleted.track, ctx.read_lag)
}

#[then("the deleted track is not in the recipient's library late in the run either")]
async fn deleted_track_stays_out(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let deleted = done_delete(&ctx);
    let held = super::library::read(&deleted.held, "after the save of the disposable share");
    if !held.contains(&deleted.track) {
        not_testable(format!(
            "List saved tracks never showed the deleted track {} after its share was saved, so its staying out cannot be seen",
            deleted.track
        ));
    }
    let live = token_for(&ctx, "live")?;
    let late = super::library::read(ctx.bracket.late(&ctx, &live).await, "late in the run");
    checks::stayed_out_of_the_library(&late, &deleted.track, ctx.read_lag)
}

#[when("the deleted track's share is saved again")]
async fn deleted_share_saved_again(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let deleted = done_delete(&ctx);
    let exchange = answered(deleted.save_again.clone());
    world.uses(&exchange);
    world.response = Some(Sent {
        exchange,
        token: disposable_token(&ctx)
            .ok_or_else(|| suite_bug("no removed token (a harness bug)"))?,
        key: KeyChoice::Recipient,
        first_save: false,
    });
    Ok(())
}

#[then("the public view of the deleted track's share no longer shows the track")]
async fn deleted_view(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let deleted = done_delete(&ctx);
    let view = view_after(&deleted.view_before, &deleted.view, "delete");
    world.uses(&view);
    checks::view_of_removed_content(&ctx.suite, &view)
}

/// The revoke lifecycle, or NOT-TESTABLE saying why there is none.
#[when("the sharer revokes the live share the recipient saved")]
async fn revoke_the_saved_share(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let live = token_for(&ctx, "live")?;
    match ctx.lifecycle.revoked(&ctx, &live).await {
        RevokeStage::Unplanned => not_testable_because(Case::NoProvisionedLive, NO_LIVE_SHARE),
        RevokeStage::NotSaved(why) => not_testable(why.clone()),
        RevokeStage::RevokeRefused(refused) => not_testable(format!(
            "the sharer's revoke of the live share was refused, so the lifecycle could not be made: {refused}"
        )),
        RevokeStage::Done(_) => {
            world.token = Some(live);
            Ok(())
        }
    }
}

/// The revoke lifecycle, made.
fn done_revoke(ctx: &Context) -> &Revoked {
    match ctx.lifecycle.revoked.get() {
        Some(RevokeStage::Done(revoked)) => revoked,
        _ => std::panic::panic_any(super::SuiteBug(
            "the revoke lifecycle was not made before this step (a suite bug: add its When step)"
                .into(),
        )),
    }
}

#[when("the revoked share is saved again, and so is a token that was never issued")]
async fn revoked_and_unknown_saved(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let revoked = done_revoke(&ctx);
    world.key = KeyChoice::Recipient;
    let mut again = Vec::new();
    for (token, [first, second]) in &revoked.saves {
        let sent_pair = |exchange| Sent {
            exchange,
            token: token.clone(),
            key: KeyChoice::Recipient,
            first_save: false,
        };
        let (first, second) = (answered(first.clone()), answered(second.clone()));
        world.uses(&first);
        world.uses(&second);
        world.collected.push(sent_pair(first));
        again.push(sent_pair(second));
    }
    world.again.push(again);
    world.response = world.collected.first().cloned();
    Ok(())
}

/// A view read after a revocation or a delete, if it can show anything: not if the view did
/// not show the share available right before (a resolve that always fails proves nothing),
/// nor if the target only rate-limited the read.
fn view_after(
    before: &Result<Exchange, TransportError>,
    after: &Result<Exchange, TransportError>,
    what: &str,
) -> Exchange {
    let view = match after {
        Ok(view) => view.clone(),
        Err(e) => no_response(e.to_string()),
    };
    if view.status.as_u16() == 429 {
        not_testable(super::rate_limited(&format!(
            "the public view of the share, read after the {what}, answered 429 Too Many Requests"
        )));
    }
    let shown = before.as_ref().is_ok_and(|view| {
        view.status.as_u16() == 200
            && view.json().ok().and_then(|b| b.get("available").cloned()) == Some(Value::Bool(true))
    });
    if !shown {
        not_testable(format!(
            "the public view of the share did not show it available right before the {what} ({}), so what it shows after says nothing of the {what}",
            match before {
                Ok(view) => status_text(view.status),
                Err(e) => format!("no answer: {e}"),
            }
        ));
    }
    view
}

#[then("the public view of the revoked share fails gracefully")]
async fn revoked_view(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let revoked = done_revoke(&ctx);
    let view = view_after(&revoked.view_before, &revoked.view, "revocation");
    world.uses(&view);
    checks::resolve_fails_gracefully(&ctx.suite, &view)
}

#[then("the saves of the revoked share added nothing to the recipient's library")]
async fn revoked_saves_added_nothing(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let revoked = done_revoke(&ctx);
    let right_after = super::library::read(&revoked.right_after, "right after the revocation");
    let later = super::library::read(
        &revoked.lag_later,
        "after the saves of the revoked share, once the read lag had passed",
    );
    // Only the revoked share's track counts: another write landing late (a fault elsewhere)
    // is not these saves' doing.
    let Some(track) = &revoked.track else {
        not_testable(
            "the shared track's id is unknown: name it in expected.track_id (or let the save answer it)",
        );
    };
    let of_track = |listing: Vec<String>| -> Vec<String> {
        listing.into_iter().filter(|id| id == track).collect()
    };
    let (right_after, later) = (of_track(right_after), of_track(later));
    let saves: Vec<String> = revoked
        .saves
        .iter()
        .flat_map(|(token, answers)| {
            answers.iter().map(move |answer| match answer {
                Ok(exchange) => format!(
                    "the {} with the recipient's key → {}",
                    token.label,
                    status_text(exchange.status)
                ),
                Err(e) => format!(
                    "the {} with the recipient's key → no answer: {}",
                    token.label, e.reason
                ),
            })
        })
        .collect();
    checks::nothing_added(&right_after, &later, &saves)
}

#[then("the recipient's library still holds the track saved through the revoked share")]
async fn copy_kept(world: &mut ConformanceWorld) -> StepResult {
    let ctx = world.ctx()?;
    let revoked = done_revoke(&ctx);
    let Some(track) = &revoked.track else {
        not_testable(
            "the shared track's id is unknown: name it in expected.track_id (or let the save answer it)",
        );
    };
    let before = super::library::read(&revoked.before, "right before the revocation");
    if !before.contains(track) {
        not_testable(format!(
            "List saved tracks did not show the saved track {track} before the revocation, so whether the copy stays cannot be seen"
        ));
    }
    let right_after = super::library::read(&revoked.right_after, "right after the revocation");
    let later = super::library::read(&revoked.lag_later, "once the read lag had passed");
    checks::copy_kept(&before, &right_after, &later, track, ctx.read_lag)
}
