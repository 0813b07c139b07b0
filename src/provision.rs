//! Fixtures made through the documented API, so a CI gate needs no hand-kept tokens:
//! `live` (share a track), `revoked` (share it again, then revoke that link), `removed` (share
//! a disposable track, which the run deletes after the recipient saved it: the delete
//! lifecycle), `collection` (share a collection); any subset of them. `expired` cannot be
//! made: the shortest expiry the API allows is one day.
//!
//! A fresh `live` share per run is what keeps a CI gate honest: the docs leave open what a
//! repeat save answers, so a live token saved by an earlier run proves nothing. It is also the
//! share the run revokes at its end (the revoke lifecycle).
//!
//! Only a share's answer is read (201, its `id` and `token`): for a revoke and a track delete
//! any 2xx will do, since the docs state no status for a delete and show revoke's 200 only in
//! an example.
//!
//! ```no_run
//! # async fn example() -> Result<(), share_conformance::Error> {
//! use share_conformance::fixtures::ShareState;
//! use share_conformance::provision::Provision;
//! use share_conformance::secret::ApiKey;
//! use share_conformance::{Fixtures, Run, Target};
//!
//! let sharer_key = ApiKey::new(std::env::var("FREDDY_SHARER_API_KEY").unwrap_or_default())?;
//! let plan = Provision {
//!     sharer_key,
//!     organization: "org_2f9a4c1e83b4".into(),
//!     track: Some("mtrack_b4d9e1c6a72f".into()),
//!     disposable_track: None,
//!     collection: None,
//!     states: vec![ShareState::Live, ShareState::Revoked],
//! };
//! let target = Target::new("https://staging.example.com", Fixtures::default())?
//!     .api_key(&std::env::var("FREDDY_API_KEY").unwrap_or_default())?
//!     .provision(plan);
//! Run::new(target).execute().await?.assert_passed();
//! # Ok(())
//! # }
//! ```

use reqwest::Method;
use serde_json::{Value, json};

use crate::exchange::{Exchange, status_text};
use crate::exchange::{Extras, KeyHeader};
use crate::fixtures::{Fixtures, ShareState};
use crate::http::HttpClient;

pub use crate::error::ProvisionError;
pub(crate) use crate::plan::Disposable;
pub use crate::plan::Provision;

/// What the run does with the shares provisioning made, besides using their tokens: the
/// lifecycles of a save.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Made {
    /// One line per state made, for the console.
    pub(crate) lines: Vec<String>,
    /// The live share (its `mslink_` id), which the revoke lifecycle revokes at the run's end.
    pub(crate) live_share: Option<String>,
    /// The disposable track and its share, which the delete lifecycle saves, then deletes:
    /// that share is then the run's `removed` token.
    pub(crate) disposable: Option<Disposable>,
}

/// Makes the fixtures `plan` asks for and writes them into `fixtures` (overriding those
/// states; the others keep what the file gave). The `removed` share's track is not deleted
/// here: the delete lifecycle deletes it after the recipient saved it.
pub(crate) async fn provision(
    http: &HttpClient,
    plan: &Provision,
    fixtures: &mut Fixtures,
) -> Result<Made, ProvisionError> {
    let sharer = Sharer { http, plan };
    let mut made = Made::default();
    let needed = |what: &str, field: &str| ProvisionError {
        step: what.to_owned(),
        request: "(none sent)".into(),
        answer: format!("nothing: it needs the plan's `{field}`"),
        hint: "give it, or leave the state out of the plan's states",
    };
    for state in &plan.states {
        match state {
            ShareState::Live => {
                let track = plan
                    .track
                    .as_deref()
                    .ok_or_else(|| needed("the live share", "track"))?;
                let (live_id, live) = sharer.share("the live share", "tracks", track).await?;
                fixtures.tokens.set(ShareState::Live, Some(live));
                fixtures.expected.track_id = Some(track.to_owned());
                fixtures.expected.share_link_id = Some(live_id.clone());
                made.lines.push(format!("live: share {live_id} of {track}"));
                made.live_share = Some(live_id);
            }
            ShareState::Revoked => {
                let track = plan
                    .track
                    .as_deref()
                    .ok_or_else(|| needed("the revoked share", "track"))?;
                let (revoked_id, revoked) =
                    sharer.share("the revoked share", "tracks", track).await?;
                sharer.revoke("the revoked share", &revoked_id).await?;
                fixtures.tokens.set(ShareState::Revoked, Some(revoked));
                made.lines
                    .push(format!("revoked: share {revoked_id} of {track}, revoked"));
            }
            ShareState::Removed => {
                let track = plan
                    .disposable_track
                    .as_deref()
                    .ok_or_else(|| needed("the removed share", "disposable_track"))?;
                let (removed_id, removed) = sharer
                    .share_with_hint(
                        "the removed share",
                        "tracks",
                        track,
                        "is the disposable track one the sharer created, and not deleted yet? Each run deletes it: give a fresh one each run",
                    )
                    .await?;
                fixtures.tokens.set(ShareState::Removed, Some(removed));
                made.lines.push(format!(
                    "removed: share {removed_id} of {track}; the run saves it, then deletes the track"
                ));
                made.disposable = Some(Disposable {
                    track: track.to_owned(),
                    share: removed_id,
                });
            }
            ShareState::Collection => {
                let collection = plan
                    .collection
                    .as_deref()
                    .ok_or_else(|| needed("the collection share", "collection"))?;
                let (collection_id, token) = sharer
                    .share("the collection share", "collections", collection)
                    .await?;
                fixtures.tokens.set(ShareState::Collection, Some(token));
                made.lines
                    .push(format!("collection: share {collection_id} of {collection}"));
            }
            ShareState::Expired => {
                return Err(ProvisionError {
                    step: "the expired share".into(),
                    request: "(none sent)".into(),
                    answer: "nothing: the shortest expiry the API allows is one day".into(),
                    hint: "put an expired share's token in the fixtures file",
                });
            }
        }
    }
    Ok(made)
}

/// The sharer's side of the target: shares, revokes and deletes, with the sharer's key.
pub(crate) struct Sharer<'a> {
    pub(crate) http: &'a HttpClient,
    pub(crate) plan: &'a Provision,
}

impl Sharer<'_> {
    /// Revoke a share link: `DELETE /v1/music/{org}/share/{share_id}`, any 2xx.
    pub(crate) async fn revoke(
        &self,
        step: &str,
        share_id: &str,
    ) -> Result<Exchange, ProvisionError> {
        self.call(
            step,
            Method::DELETE,
            &["share", share_id],
            "is the sharer allowed to revoke its own share links?",
        )
        .await
    }

    /// Delete a track: `DELETE /v1/music/{org}/tracks/{track_id}`, any 2xx.
    pub(crate) async fn delete_track(
        &self,
        step: &str,
        track_id: &str,
    ) -> Result<Exchange, ProvisionError> {
        self.call(
            step,
            Method::DELETE,
            &["tracks", track_id],
            "the disposable track is deleted by the run: give a track the sharer created, a fresh one each run",
        )
        .await
    }

    /// `POST /v1/music/{org}/{kind}/{id}/share`: the new link's id and raw token.
    async fn share(
        &self,
        step: &str,
        kind: &str,
        id: &str,
    ) -> Result<(String, String), ProvisionError> {
        self.share_with_hint(
            step,
            kind,
            id,
            "is the sharer a member of the organization, and the creator of the track or collection?",
        )
        .await
    }

    /// [`Sharer::share`], with `hint` for a refusal other than of the sharer's key.
    async fn share_with_hint(
        &self,
        step: &str,
        kind: &str,
        id: &str,
        hint: &'static str,
    ) -> Result<(String, String), ProvisionError> {
        let segments = [
            "v1",
            "music",
            self.plan.organization.as_str(),
            kind,
            id,
            "share",
        ];
        let request = format!("POST /{}", segments.join("/"));
        let response = self
            .http
            .send_with(
                Method::POST,
                &segments,
                Extras {
                    body: Some(&json!({})),
                    ..Extras::default()
                },
                KeyHeader::Key(&self.plan.sharer_key),
                request.clone(),
            )
            .await
            .map_err(|e| refused(step, &request, e.reason, hint))?;
        if response.status.as_u16() != 201 {
            return Err(refused(
                step,
                &request,
                answer(&response),
                hint_for(&response, hint),
            ));
        }
        let body = response
            .json()
            .map_err(|problem| refused(step, &request, problem, hint))?;
        match (
            body.get("id").and_then(Value::as_str),
            body.get("token").and_then(Value::as_str),
        ) {
            (Some(id), Some(token)) if !token.is_empty() => Ok((id.to_owned(), token.to_owned())),
            _ => Err(refused(
                step,
                &request,
                format!("{} without an `id` and a `token`", answer(&response)),
                hint,
            )),
        }
    }

    /// `{method} /v1/music/{org}/{rest…}` as the sharer, expecting a 2xx: the docs state no
    /// status for a track delete, and show revoke's 200 only in an example.
    async fn call(
        &self,
        step: &str,
        method: Method,
        rest: &[&str],
        hint: &'static str,
    ) -> Result<Exchange, ProvisionError> {
        let mut segments = vec!["v1", "music", self.plan.organization.as_str()];
        segments.extend_from_slice(rest);
        let request = format!("{method} /{}", segments.join("/"));
        let response = self
            .http
            .send(
                method,
                &segments,
                KeyHeader::Key(&self.plan.sharer_key),
                request.clone(),
            )
            .await
            .map_err(|e| refused(step, &request, e.reason, hint))?;
        if !response.status.is_success() {
            return Err(refused(
                step,
                &request,
                answer(&response),
                hint_for(&response, hint),
            ));
        }
        Ok(response)
    }
}

/// What to check when a sharer's request is refused: a 401 is about the sharer's key, whatever
/// the request was; anything else, `otherwise`.
fn hint_for(response: &Exchange, otherwise: &'static str) -> &'static str {
    if response.status.as_u16() == 401 {
        SHARER_KEY_REFUSED
    } else {
        otherwise
    }
}

/// The hint under a 401 to any provisioning request.
pub(crate) const SHARER_KEY_REFUSED: &str = "the target refused the sharer's API key: is it the key of the user who created the track or collection, and is it still valid?";

fn refused(step: &str, request: &str, answer: String, hint: &'static str) -> ProvisionError {
    ProvisionError {
        step: step.to_owned(),
        request: request.to_owned(),
        answer,
        hint,
    }
}

/// `404 Not Found (RESOURCE_NOT_FOUND)`, or the status and an excerpt when there is no envelope.
fn answer(response: &Exchange) -> String {
    match response.error_code() {
        Some(code) => format!("{} ({code})", status_text(response.status)),
        None => format!("{}: {}", status_text(response.status), response.excerpt()),
    }
}
