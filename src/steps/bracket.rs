//! The run's first save of the live token, and what is read around it.
//!
//! Saving changes the target, and the docs leave open what a repeat save answers, so a run
//! saves the live token with the recipient's key once and every scenario that examines "the"
//! save examines that one. It is bracketed, in this order:
//!
//! 1. *start*: the public view of the live share and the recipient's library, read together
//!    before any save of the run (SAVE-ORIGINAL-UNCHANGED compares the track from here);
//! 2. *the delete lifecycle*, when the run has a disposable track to delete (see
//!    `lifecycle.rs`): its share saved, the track deleted, and the library read until it is
//!    gone; that share is the run's `removed` token from then on;
//! 3. *refused saves*: the collection, revoked, expired, removed and unknown tokens with the
//!    recipient's key, and the live token with no key, all at once; then the library again
//!    (SAVE-REFUSED-ADDS-NOTHING). They come before the first save because a revoked share
//!    may lead to the very track the live one does: once that is in the library, another
//!    entry of it could not always be seen. Every other save of a scenario waits for this
//!    window to close;
//! 4. the first save;
//! 5. *after*: the public view and the library again, together (SAVE-ORIGINAL-UNCHANGED,
//!    SAVE-LIBRARY-ADDED); the library is read again, within the read lag, until the save
//!    shows;
//! 6. *late*: the library once more, no sooner than the read lag after the refused saves and
//!    the first save, so a write that must not happen is seen even if the target's reads lag
//!    its writes.
//!
//! The revoke lifecycle comes after every other scenario (`lifecycle.rs`).
//!
//! Each stage runs once, when the first scenario needs it, and only as far as the selected
//! scenarios need ([`Needs`]): a run without `@resolve` scenarios never opens the share, one
//! without `@library` scenarios (or without `[recipient] organization_id`) never lists the
//! library nor makes the refused saves.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use tokio::sync::OnceCell;

use super::request::send_save;
use super::{Context, KeyChoice, Token};
use crate::checks::{self, Failure};
use crate::exchange::{Exchange, TransportError};
use crate::exchange::{Extras, KeyHeader};
use crate::fixtures::ShareState;

/// What the selected scenarios read around the first save.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// The public view of the live share, before and after (`@resolve` scenarios).
    pub view: bool,
    /// The recipient's library, before and after, and the refused saves (`@library`).
    pub library: bool,
}

/// The most tracks read from a library: ten pages of 100, newest save first.
const LIBRARY_PAGES: usize = 10;
const PAGE: usize = 100;

/// The recipient's library as List saved tracks showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Library {
    /// The track ids of its entries, newest save first (a track may be listed once per save:
    /// the docs say neither that it is listed once, nor once per save).
    pub track_ids: Vec<String>,
    /// Whether the whole library was read (not cut at [`LIBRARY_PAGES`] pages).
    pub complete: bool,
}

impl Library {
    pub fn contains(&self, track_id: &str) -> bool {
        self.track_ids.iter().any(|id| id == track_id)
    }
}

/// The outcome of reading the library.
#[derive(Debug, Clone)]
pub(super) enum LibraryRead {
    /// Not read, and why (not needed, no organization, no key).
    Skipped(String),
    /// List saved tracks did not answer the documented list.
    Unreadable(String),
    /// Read.
    Read(Library),
}

/// A save made in the refused-saves stage.
pub(super) struct RefusedSave {
    /// `the revoked token with the recipient's key`.
    pub what: String,
    pub outcome: Result<Arc<Exchange>, TransportError>,
}

/// Why a public view could not be read.
#[derive(Clone)]
pub(super) enum Unread {
    /// The target rate-limited the request (429), though the harness waited and asked again.
    RateLimited(Failure),
    /// No answer at all (a timeout, a refused or reset connection).
    NoResponse(String),
    /// Re-grading: the recording holds no answer to the read.
    NotRecorded(String),
    /// Anything else: no 200, no JSON.
    Other(Failure),
}

/// What is read first, before any save of the run.
pub(super) struct Start {
    /// The public view of the live share (the whole body), if it was read.
    pub view: Option<Result<Value, Unread>>,
    pub library: LibraryRead,
}

/// What was read before the first save.
pub(super) struct Before {
    /// The public view of the live share (the whole body), if it was read.
    pub view: Option<Result<Value, Unread>>,
    /// The library just before the refused saves.
    pub library: LibraryRead,
    pub refused: Vec<RefusedSave>,
    /// The library after the refused saves.
    pub library_after_refused: LibraryRead,
    /// When the refused saves had all been answered.
    pub refused_at: Instant,
}

/// What was read after the first save.
pub(super) struct After {
    pub view: Option<Result<Value, Unread>>,
    pub library: LibraryRead,
}

/// The stages, each made once.
pub(super) struct Bracket {
    needs: Needs,
    start: OnceCell<Start>,
    before: OnceCell<Before>,
    /// The first save, and when it was answered.
    first: OnceCell<(Result<Arc<Exchange>, TransportError>, Instant)>,
    after: OnceCell<After>,
    late: OnceCell<LibraryRead>,
    /// Whether a scenario asked for the first save: the other saves then let it and the reads
    /// after it go first, since they are the run's critical path.
    first_wanted: AtomicBool,
}

impl Bracket {
    pub fn new(needs: Needs) -> Self {
        Self {
            needs,
            start: OnceCell::new(),
            before: OnceCell::new(),
            first: OnceCell::new(),
            after: OnceCell::new(),
            late: OnceCell::new(),
            first_wanted: AtomicBool::new(false),
        }
    }

    /// Waits until a scenario's save may go: not while the refused saves are measured (a save
    /// a faulty target takes would land in their window and be blamed on them), and not
    /// before the first save and the reads after it, when a scenario asked for them (the run's
    /// critical path should not queue behind every other request).
    pub async fn clear_for_other_saves(&self, ctx: &Context, live: Option<&Token>) {
        if !self.needs.library {
            return;
        }
        self.before(ctx).await;
        if let Some(live) = live
            && self.first_wanted.load(Ordering::SeqCst)
        {
            self.after(ctx, live).await;
        }
    }

    /// Whether the selected scenarios read the library.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// The first reads of the run, before any save (reading them now if no scenario has
    /// yet).
    pub async fn start(&self, ctx: &Context) -> &Start {
        self.start
            .get_or_init(|| async {
                let (view, library) =
                    futures::join!(read_view(ctx, self.needs), read_library(ctx, self.needs));
                Start { view, library }
            })
            .await
    }

    /// What was read before the first save (reading it now if no scenario has yet).
    pub async fn before(&self, ctx: &Context) -> &Before {
        self.before
            .get_or_init(|| async {
                let start = self.start(ctx).await;
                read_before(ctx, self.needs, start).await
            })
            .await
    }

    /// The run's first save of the live token with the recipient's key.
    pub async fn first_save(
        &self,
        ctx: &Context,
        live: &Token,
    ) -> Result<Arc<Exchange>, TransportError> {
        self.first_wanted.store(true, Ordering::SeqCst);
        self.first
            .get_or_init(|| async {
                self.before(ctx).await;
                let save = send_save(ctx, live, &KeyChoice::Recipient, None).await;
                (save, Instant::now())
            })
            .await
            .0
            .clone()
    }

    /// What was read after the first save (saving first if no scenario has yet). The library
    /// is read again, within the read lag, until the save shows in it (a new entry of the
    /// track, or the track moved to the front).
    pub async fn after(&self, ctx: &Context, live: &Token) -> &After {
        self.after
            .get_or_init(|| async {
                // Whatever the save answered, the view and library after it are what count.
                let first = self.first_save(ctx, live).await;
                let before = self.before(ctx).await;
                let track = first
                    .as_ref()
                    .ok()
                    .and_then(|save| ctx.live_track_id(Some(save)));
                let library = async {
                    match (&before.library_after_refused, track) {
                        (LibraryRead::Read(baseline), Some(track)) => {
                            read_library_until(ctx, self.needs, |library| {
                                let baseline = checks::aligned(
                                    &baseline.track_ids,
                                    &library.track_ids,
                                    !library.complete,
                                );
                                matches!(
                                    checks::library_gained(
                                        &baseline,
                                        &library.track_ids,
                                        library.complete,
                                        &track
                                    ),
                                    Ok(checks::LibraryGain::Entry
                                        | checks::LibraryGain::MovedToFront)
                                )
                            })
                            .await
                        }
                        _ => read_library(ctx, self.needs).await,
                    }
                };
                let (view, library) = futures::join!(read_view(ctx, self.needs), library);
                After { view, library }
            })
            .await
    }

    /// The library read late in the run: after the first save's reads, and no sooner than the
    /// read lag after the refused saves and the first save, so that a write that must not
    /// happen, had it landed late, shows.
    pub async fn late(&self, ctx: &Context, live: &Token) -> &LibraryRead {
        self.late
            .get_or_init(|| async {
                self.after(ctx, live).await;
                let refused_at = self.before(ctx).await.refused_at;
                let saved_at = self.first.get().map_or(refused_at, |(_, at)| *at);
                let last_write = refused_at.max(saved_at);
                if let Some(wait) =
                    (last_write + ctx.read_lag).checked_duration_since(Instant::now())
                {
                    ctx.pause(wait).await;
                }
                read_library(ctx, self.needs).await
            })
            .await
    }

    /// Whether the recipient's library held `track` just before the run's first save (after
    /// the refused saves), if it was read by then.
    pub fn held_before_the_first_save(&self, track: &str) -> Option<bool> {
        match &self.before.get()?.library_after_refused {
            LibraryRead::Read(library) => Some(library.contains(track)),
            _ => None,
        }
    }

    /// The library before any save of the live token, if it has been read.
    pub fn library_before(&self) -> Option<&LibraryRead> {
        self.start.get().map(|s| &s.library)
    }

    /// The track the public view showed before the first save, if it was read.
    pub fn track_id_seen_before(&self) -> Option<String> {
        let view = self.start.get()?.view.as_ref()?.as_ref().ok()?;
        view.pointer("/track/id")?.as_str().map(str::to_owned)
    }
}

async fn read_before(ctx: &Context, needs: Needs, start: &Start) -> Before {
    let view = start.view.clone();
    let mut library = start.library.clone();
    // The delete lifecycle changes the library, so it is done with before the refused saves'
    // window opens; its share is the removed token they save.
    if ctx.lifecycle.deletes() {
        ctx.lifecycle.deleted(ctx).await;
        if let LibraryRead::Read(_) = &library {
            library = read_library(ctx, needs).await;
        }
    }
    let mut refused = Vec::new();
    let mut library_after_refused = library.clone();
    if let LibraryRead::Read(_) = &library {
        refused = refused_saves(ctx).await;
        library_after_refused = read_library(ctx, needs).await;
    }
    Before {
        view,
        library,
        refused,
        library_after_refused,
        refused_at: Instant::now(),
    }
}

/// The pauses between readings while the run waits for a state to show: at once, then after
/// 0.1 s, 0.2 s, 0.4 s, … until `lag` has passed in all, the last reading at `lag`. The same
/// number of readings for the same lag, so a re-grade asks for exactly what was recorded.
pub(super) fn poll_pauses(lag: Duration) -> Vec<Duration> {
    let mut pauses = Vec::new();
    let (mut waited, mut next) = (Duration::ZERO, Duration::from_millis(100));
    while waited < lag {
        let pause = next.min(lag - waited);
        pauses.push(pause);
        waited += pause;
        next *= 2;
    }
    pauses
}

/// The library, read again (within the read lag) until `shows` holds of it, or the lag has
/// passed: a target's reads may show a write a little after it.
pub(super) async fn read_library_until(
    ctx: &Context,
    needs: Needs,
    shows: impl Fn(&Library) -> bool,
) -> LibraryRead {
    let mut read = read_library(ctx, needs).await;
    for pause in poll_pauses(ctx.read_lag) {
        match &read {
            LibraryRead::Read(library) if !shows(library) => {}
            _ => break,
        }
        ctx.pause(pause).await;
        read = read_library(ctx, needs).await;
    }
    read
}

/// Every save the docs say must be refused, all at once.
async fn refused_saves(ctx: &Context) -> Vec<RefusedSave> {
    let mut planned: Vec<(String, Token, KeyChoice)> = Vec::new();
    for state in [
        ShareState::Collection,
        ShareState::Revoked,
        ShareState::Expired,
        ShareState::Removed,
    ] {
        if let Some(value) = ctx.fixtures.tokens.get(state) {
            planned.push((
                format!("the {state} token with the recipient's key"),
                Token {
                    label: format!("{state} token"),
                    value: value.to_owned(),
                    state: Some(state),
                },
                KeyChoice::Recipient,
            ));
        }
    }
    planned.push((
        "a token that was never issued, with the recipient's key".into(),
        Token {
            label: "unknown token".into(),
            value: ctx.made_up_token("unknown token", ctx.fixtures.unknown_token()),
            state: None,
        },
        KeyChoice::Recipient,
    ));
    if let Some(live) = ctx.fixtures.tokens.get(ShareState::Live) {
        planned.push((
            "the live token without a key".into(),
            Token {
                label: "live token".into(),
                value: live.to_owned(),
                state: Some(ShareState::Live),
            },
            KeyChoice::Absent,
        ));
    }
    let saves = planned
        .iter()
        .map(|(_, token, key)| send_save(ctx, token, key, None));
    let outcomes = futures::future::join_all(saves).await;
    planned
        .into_iter()
        .zip(outcomes)
        .map(|((what, _, _), outcome)| RefusedSave { what, outcome })
        .collect()
}

/// The public view of the live share, if the selected scenarios compare it.
async fn read_view(ctx: &Context, needs: Needs) -> Option<Result<Value, Unread>> {
    if !needs.view {
        return None;
    }
    let live = ctx.fixtures.tokens.get(ShareState::Live)?;
    Some(public_view(ctx, live).await)
}

/// The public view of the live token now.
pub(super) async fn public_view(ctx: &Context, token: &str) -> Result<Value, Unread> {
    let response = resolve(ctx, token, "live token").await;
    match response {
        Ok(response) if response.status.as_u16() == 429 => {
            Err(Unread::RateLimited(Failure::about(
                "the public resolve answered 429 Too Many Requests",
                &response,
            )))
        }
        Ok(response) => checks::public_view(&response).map_err(Unread::Other),
        Err(e) if e.unrecorded => Err(Unread::NotRecorded(e.to_string())),
        Err(e) => Err(Unread::NoResponse(e.to_string())),
    }
}

/// `GET /v1/music/shared/{token}` with no key, on the run's priority client: the public
/// resolve of the token named `label`.
pub(super) async fn resolve(
    ctx: &Context,
    token: &str,
    label: &str,
) -> Result<Exchange, TransportError> {
    ctx.priority
        .send(
            Method::GET,
            &["v1", "music", "shared", token],
            KeyHeader::Absent,
            format!("GET /v1/music/shared/{{{label}}} (public resolve, no key)"),
        )
        .await
}

/// The recipient's library through List saved tracks, if the selected scenarios check it.
pub(super) async fn read_library(ctx: &Context, needs: Needs) -> LibraryRead {
    if !needs.library {
        return LibraryRead::Skipped("no selected scenario checks the library".into());
    }
    let Some(organization) = ctx.fixtures.recipient.organization_id.as_deref() else {
        return LibraryRead::Skipped(
            "the fixtures name no recipient organization ([recipient] organization_id), so \
             List saved tracks cannot be asked"
                .into(),
        );
    };
    let Some(key) = &ctx.api_key else {
        return LibraryRead::Skipped(
            "no API key: give the recipient's key (`--api-key` or `FREDDY_API_KEY` on the command line, `Target::api_key` from the library), or `api_key` in the fixtures".into(),
        );
    };
    let mut track_ids = Vec::new();
    for page in 0..LIBRARY_PAGES {
        let offset = (page * PAGE).to_string();
        let limit = PAGE.to_string();
        let label = format!(
            "GET /v1/music/{{recipient organization}}/tracks?limit={limit}&offset={offset} (List saved tracks, the recipient's key)"
        );
        let response = ctx
            .priority
            .send_with(
                Method::GET,
                &["v1", "music", organization, "tracks"],
                Extras {
                    query: &[("limit", &limit), ("offset", &offset)],
                    body: None,
                },
                KeyHeader::Key(key),
                label,
            )
            .await;
        let response = match response {
            Ok(response) => response,
            Err(e) => return LibraryRead::Unreadable(e.to_string()),
        };
        let items = match checks::library_page(&response) {
            Ok(items) => items,
            Err(failure) => return LibraryRead::Unreadable(failure.to_string()),
        };
        let last = items.len() < PAGE;
        track_ids.extend(items);
        if last {
            return LibraryRead::Read(Library {
                track_ids,
                complete: true,
            });
        }
    }
    LibraryRead::Read(Library {
        track_ids,
        complete: false,
    })
}
