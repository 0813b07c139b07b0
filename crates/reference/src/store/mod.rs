//! The reference server's data and rules: users, tracks, collections, share links, libraries.
//!
//! The store answers with domain values ([`Saved`], [`ShareView`], [`Refusal`], …); turning
//! them into HTTP responses is `wire.rs`'s job. Share tokens are stored only as SHA-256 hashes
//! (the docs: the raw token is returned once and only a hash is stored). API keys are stored
//! as hashes too and compared in constant time.

mod body;
mod model;
mod neighbours;
mod rules;
mod seed;
#[cfg(test)]
mod tests;

use time::{Duration, OffsetDateTime};

use crate::clock;
use crate::ids::new_id;

pub use body::*;
pub use model::*;
pub use neighbours::*;
pub use rules::*;
pub use seed::*;

/// The whole state of the reference server.
#[derive(Debug, Default)]
pub struct Store {
    pub(crate) users: Vec<User>,
    pub(crate) tracks: Vec<Track>,
    pub(crate) collections: Vec<Collection>,
    pub(crate) shares: Vec<ShareLink>,
    pub(crate) edges: Vec<Edge>,
    pub(crate) recipient_id: Option<String>,
    pub(crate) token_format: TokenFormat,
    /// Whether raw keys and tokens are kept beside their hashes, for a fault that compares
    /// them loosely; never for the documented behaviour.
    pub(crate) keep_secrets_for_faults: bool,
}

/// A share as the public resolve shows it.
#[derive(Debug, Clone)]
pub struct ShareView {
    /// `track` or `collection`.
    pub target_type: &'static str,
    /// `link_only` or `public`.
    pub visibility: String,
    /// When it expires, if ever.
    pub expires_at: Option<OffsetDateTime>,
    /// Resolves of this share so far, this one included.
    pub views: u64,
    /// What it shares, if that still exists.
    pub content: Option<Shared>,
}

/// What a live share shares.
#[derive(Debug, Clone)]
pub enum Shared {
    /// A track.
    Track(Track),
    /// A collection and its live tracks.
    Collection(Collection, Vec<Track>),
}

/// A share link just made.
#[derive(Debug, Clone)]
pub struct NewShare {
    /// `mslink_…`.
    pub id: String,
    /// The raw token, shown only now.
    pub token: String,
    /// `track` or `collection`.
    pub target_type: &'static str,
    /// `link_only` or `public`.
    pub visibility: String,
    /// When it expires, if ever.
    pub expires_at: Option<OffsetDateTime>,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

impl Store {
    /// The user whose key this is. Every stored key is compared, each in constant time, so
    /// the time taken does not depend on which key (or how much of one) matched.
    pub fn user_by_key(&self, key: &[u8]) -> Option<User> {
        let presented = hash(key);
        let mut found = None;
        for user in &self.users {
            if hashes_equal(&user.key_hash, &presented) {
                found = Some(user.clone());
            }
        }
        found
    }

    /// The user whose key a fault takes this one for, comparing them loosely.
    pub fn user_by_key_loosely(&self, key: &[u8], matching: Matching) -> Option<User> {
        self.users
            .iter()
            .find(|u| {
                u.key_for_faults
                    .as_deref()
                    .is_some_and(|stored| matching.matches(key, stored))
            })
            .cloned()
    }

    pub(crate) fn share_index(&self, token: &str) -> Option<usize> {
        let presented = hash(token.as_bytes());
        self.shares
            .iter()
            .position(|s| hashes_equal(&s.token_hash, &presented))
    }

    /// The share a token names; only by its first bytes under a fault.
    pub(crate) fn share_index_by(&self, token: &str, rules: &SaveRules) -> Option<usize> {
        if rules.token_matching == Matching::Exact {
            return self.share_index(token);
        }
        self.shares.iter().position(|s| {
            s.token_for_faults
                .as_deref()
                .is_some_and(|stored| rules.token_matching.matches(token.as_bytes(), stored))
        })
    }

    pub(crate) fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Why `token` cannot be saved, if it cannot: the HTTP layer answers every reason alike.
    pub fn check_saveable(&self, token: &str, rules: &SaveRules) -> Result<(), Refusal> {
        self.saveable(token, rules, clock::now()).map(drop)
    }

    /// The share (by index) and track a save of `token` would record.
    pub(crate) fn saveable(
        &self,
        token: &str,
        rules: &SaveRules,
        now: OffsetDateTime,
    ) -> Result<(usize, String), Refusal> {
        let index = self.share_index_by(token, rules).ok_or(Refusal::Unknown)?;
        let share = &self.shares[index];
        if share.revoked && !rules.allow_revoked {
            return Err(Refusal::Revoked);
        }
        if share.expires_at.is_some_and(|at| at <= now) && !rules.allow_expired {
            return Err(Refusal::Expired);
        }
        let track_id = match &share.target {
            ShareTarget::Track(id) => id.clone(),
            ShareTarget::Collection(id) if rules.allow_collection => self
                .collections
                .iter()
                .find(|c| &c.id == id)
                .and_then(|c| c.track_ids.first().cloned())
                .ok_or(Refusal::Collection)?,
            ShareTarget::Collection(_) => return Err(Refusal::Collection),
        };
        if self.track(&track_id).is_none_or(|t| t.deleted) && !rules.allow_removed {
            return Err(Refusal::Removed);
        }
        Ok((index, track_id))
    }

    /// Save a shared track: the caller's library gets a `shared` edge to the share's track.
    ///
    /// Each share a caller saves gets its own edge; saving the same share again returns that
    /// edge (by default: the docs leave a repeat save open, and the sibling "Save a track" is
    /// idempotent). A fresh share of a track already in the library gets a new edge, so a CI
    /// gate that mints a fresh live share per run sees a first save every time.
    pub fn save_shared(
        &mut self,
        user: &User,
        token: &str,
        rules: &SaveRules,
    ) -> Result<Saved, Refusal> {
        let now = clock::now();
        let (index, track_id) = match self.saveable(token, rules, now) {
            Ok(found) => found,
            Err(refusal) => {
                if rules.earlier_edge_first.contains(&refusal)
                    && let Some(index) = self.share_index(token)
                {
                    let link = self.shares[index].id.as_str();
                    if let Some(edge) = self
                        .edges
                        .iter()
                        .find(|e| e.user == user.id && e.share_link_id.as_deref() == Some(link))
                    {
                        return Ok(Saved {
                            edge: edge.clone(),
                            repeat: true,
                        });
                    }
                }
                if rules.store_despite.contains(&refusal) {
                    self.store_anyway(user, token, now, rules.store_despite_after);
                }
                if rules.rewrite_for_earlier_saver.contains(&refusal) {
                    self.rewrite_earlier_edge(user, token, now);
                }
                return Err(refusal);
            }
        };
        let share_link_id = self.shares[index].id.clone();
        self.shares[index].saves += 1;
        let first_save_of_share = self.shares[index].saves == 1;
        let rename = match rules.rename {
            Rename::Never => false,
            Rename::EverySave => true,
            Rename::FirstSaveOfShare => first_save_of_share,
            Rename::RepeatSaves => !first_save_of_share,
        };
        if rename && let Some(track) = self.tracks.iter_mut().find(|t| t.id == track_id) {
            track.title.push_str(" (saved)");
        }
        let earlier = self.edges.iter().find(|e| {
            e.user == user.id && e.share_link_id.as_deref() == Some(share_link_id.as_str())
        });
        if let Some(edge) = earlier {
            match rules.repeat {
                Repeat::SameEdge => {
                    return Ok(Saved {
                        edge: edge.clone(),
                        repeat: true,
                    });
                }
                Repeat::Refuse => return Err(Refusal::AlreadySaved),
                Repeat::NewEdge => {}
            }
        }
        let repeat = earlier.is_some();
        let edge = Edge {
            id: new_id("mlib_"),
            user: user.id.clone(),
            track_id,
            share_link_id: Some(share_link_id),
            created_at: now,
            visible_from: now + rules.read_lag,
            gone_from: None,
            outlives_delete: false,
        };
        if rules.store {
            self.edges.push(edge.clone());
        }
        if rules.add_another_track
            && let Some(other) = self.another_track(&edge.track_id)
        {
            self.edges.push(Edge {
                id: new_id("mlib_"),
                track_id: other,
                ..edge.clone()
            });
        }
        Ok(Saved { edge, repeat })
    }

    /// Writes `user` a fresh edge of the share behind `token`, if they saved it before,
    /// although the save was refused: only the fault catalogue does this.
    pub(crate) fn rewrite_earlier_edge(&mut self, user: &User, token: &str, now: OffsetDateTime) {
        let Some(index) = self.share_index(token) else {
            return;
        };
        let link = self.shares[index].id.clone();
        let Some(earlier) = self
            .edges
            .iter()
            .find(|e| e.user == user.id && e.share_link_id.as_deref() == Some(link.as_str()))
            .cloned()
        else {
            return;
        };
        self.edges.push(Edge {
            id: new_id("mlib_"),
            created_at: now,
            visible_from: now,
            gone_from: None,
            outlives_delete: true,
            ..earlier
        });
    }

    /// Puts the track(s) behind `token` into `user`'s library although the save was refused:
    /// only the fault catalogue does this.
    pub(crate) fn store_anyway(
        &mut self,
        user: &User,
        token: &str,
        now: OffsetDateTime,
        late: Duration,
    ) {
        let Some(index) = self.share_index(token) else {
            return;
        };
        let share = &self.shares[index];
        let tracks = match &share.target {
            ShareTarget::Track(id) => vec![id.clone()],
            ShareTarget::Collection(id) => self
                .collections
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.track_ids.clone())
                .unwrap_or_default(),
        };
        let share_link_id = share.id.clone();
        for track_id in tracks {
            self.edges.push(Edge {
                id: new_id("mlib_"),
                user: user.id.clone(),
                track_id,
                share_link_id: Some(share_link_id.clone()),
                created_at: now,
                visible_from: now + late,
                gone_from: None,
                outlives_delete: false,
            });
        }
    }

    /// A live track of the same creator other than `track_id` (for a fault).
    pub(crate) fn another_track(&self, track_id: &str) -> Option<String> {
        let creator = &self.track(track_id)?.creator;
        self.tracks
            .iter()
            .find(|t| t.id != track_id && &t.creator == creator && !t.deleted)
            .map(|t| t.id.clone())
    }
}
