//! The run's first save of the live token, and what is read around it.
//!
//! Saving changes the target, and the docs leave open what a repeat save answers, so a run
//! saves the live token with the recipient's key once and every scenario that examines "the"
//! save examines that one. It is bracketed, in this order:
//!
//! 1. *before*: the public view of the live share and the recipient's library, read together
//!    before any save of the live token (SAVE-ORIGINAL-UNCHANGED compares the track from here);
//! 2. *refused saves*: the collection, revoked, expired, removed and unknown tokens with the
//!    recipient's key, and the live token with no key, all at once; then the library again
//!    (SAVE-REFUSED-ADDS-NOTHING). They come before the first save because a revoked share
//!    may lead to the very track the live one does: once that is in the library, another
//!    copy of it could not be seen;
//! 3. the first save;
//! 4. *after*: the public view and the library again, together (SAVE-ORIGINAL-UNCHANGED,
//!    SAVE-LIBRARY-ADDED).
//!
//! Each stage runs once, when the first scenario needs it, and only as far as the selected
//! scenarios need ([`Needs`]): a run without `@resolve` scenarios never opens the share, one
//! without `@library` scenarios (or without `[recipient] organization_id`) never lists the
//! library nor makes the refused saves.

use std::sync::Arc;

use reqwest::Method;
use serde_json::Value;
use tokio::sync::OnceCell;

use super::request::send_save;
use super::{Context, KeyChoice, Token};
use crate::checks::{self, Failure};
use crate::fixtures::ShareState;
use crate::http::{Exchange, Extras, KeyHeader, TransportError};

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
    /// Track ids, newest save first.
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
    pub library: LibraryRead,
    pub refused: Vec<RefusedSave>,
    /// The library after the refused saves.
    pub library_after_refused: LibraryRead,
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
    first: OnceCell<Result<Arc<Exchange>, TransportError>>,
    after: OnceCell<After>,
}

impl Bracket {
    pub fn new(needs: Needs) -> Self {
        Self {
            needs,
            start: OnceCell::new(),
            before: OnceCell::new(),
            first: OnceCell::new(),
            after: OnceCell::new(),
        }
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

    /// Whether a scenario's saves must wait for [`Bracket::before`]: when the library is read,
    /// a save that landed before its first listing could not be seen, and one that landed
    /// among the refused saves would be blamed on them.
    pub fn reads_the_library(&self) -> bool {
        self.needs.library
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
        self.first
            .get_or_init(|| async {
                self.before(ctx).await;
                send_save(ctx, live, &KeyChoice::Recipient, None).await
            })
            .await
            .clone()
    }

    /// What was read after the first save (saving first if no scenario has yet).
    pub async fn after(&self, ctx: &Context, live: &Token) -> &After {
        self.after
            .get_or_init(|| async {
                // Whatever the save answered, the view and library after it are what count.
                let _ = self.first_save(ctx, live).await;
                let (view, library) =
                    futures::join!(read_view(ctx, self.needs), read_library(ctx, self.needs));
                After { view, library }
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
    let (view, library) = (start.view.clone(), start.library.clone());
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
    }
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

/// The public view of `token` now.
pub(super) async fn public_view(ctx: &Context, token: &str) -> Result<Value, Unread> {
    let response = ctx
        .priority
        .send(
            Method::GET,
            &["v1", "music", "shared", token],
            KeyHeader::Absent,
            "GET /v1/music/shared/{live token} (public resolve, no key)".into(),
        )
        .await;
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

/// The recipient's library through List saved tracks, if the selected scenarios check it.
async fn read_library(ctx: &Context, needs: Needs) -> LibraryRead {
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
