//! The reference server's data and rules: users, tracks, collections, share links, libraries.
//!
//! Share tokens are stored only as SHA-256 hashes (the docs: the raw token is returned once and
//! only a hash is stored). API keys are stored as hashes too and compared in constant time.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::error::{self, ApiError};
use crate::clock;
use crate::fixtures::{Expected, Fixtures, ShareState, Tokens};
use crate::secret::ApiKey;

type Hash = [u8; 32];

fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// Equality of two hashes in time independent of where they differ.
fn hashes_equal(a: &Hash, b: &Hash) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct User {
    /// `usr_…`.
    pub id: String,
    /// The organization the user belongs to.
    pub organization_id: String,
    key_hash: Hash,
}

#[derive(Debug, Clone)]
struct Track {
    id: String,
    organization_id: String,
    creator: String,
    title: String,
    engine: &'static str,
    mode: &'static str,
    measured_duration_seconds: f64,
    instrumental: bool,
    deleted: bool,
}

#[derive(Debug, Clone)]
struct Collection {
    id: String,
    organization_id: String,
    creator: String,
    name: String,
    description: String,
    track_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ShareTarget {
    Track(String),
    Collection(String),
}

#[derive(Debug, Clone)]
struct ShareLink {
    id: String,
    token_hash: Hash,
    organization_id: String,
    creator: String,
    target: ShareTarget,
    visibility: String,
    expires_at: Option<OffsetDateTime>,
    revoked: bool,
    created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
struct Edge {
    id: String,
    user: String,
    track_id: String,
    share_link_id: Option<String>,
    created_at: OffsetDateTime,
}

impl Edge {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "track_id": self.track_id,
            "source": "shared",
            "share_link_id": self.share_link_id,
            "created_at": clock::format(self.created_at),
        })
    }
}

/// Options of a new share link (the optional body of "Share a track").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareOptions {
    /// `link_only` or `public`.
    pub visibility: String,
    /// Days until expiry, already clamped to 1..=90; `None` never expires.
    pub expires_in_days: Option<i64>,
}

impl ShareOptions {
    /// Reads the body of a share request: empty means the defaults.
    pub fn from_body(body: &[u8]) -> Result<Self, ApiError> {
        let mut options = Self {
            visibility: "link_only".into(),
            expires_in_days: None,
        };
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(options);
        }
        let value: Value = serde_json::from_slice(body).map_err(|_| error::INVALID_JSON)?;
        let Value::Object(fields) = value else {
            return Err(error::validation("Body must be a JSON object"));
        };
        match fields.get("visibility") {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) if v == "link_only" || v == "public" => {
                options.visibility = v.clone()
            }
            Some(_) => return Err(error::validation("visibility must be link_only or public")),
        }
        match fields.get("expires_in_days") {
            None | Some(Value::Null) => {}
            Some(v) => match v.as_i64() {
                // The docs: minimum 1, above 90 clamped to 90.
                Some(days) if days >= 1 => options.expires_in_days = Some(days.min(90)),
                _ => {
                    return Err(error::validation(
                        "expires_in_days must be an integer of at least 1",
                    ));
                }
            },
        }
        Ok(options)
    }
}

/// Why a token cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No share was ever issued with this token.
    Unknown,
    /// The share was revoked.
    Revoked,
    /// The share's expiry has passed.
    Expired,
    /// The shared track was deleted by its creator.
    Removed,
    /// The share is of a collection, which is read-only for recipients.
    Collection,
}

/// The rules a save follows. [`SaveRules::default`] is the documented behaviour; the other
/// settings exist so the fault catalogue can break them one at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveRules {
    /// Save revoked shares.
    pub allow_revoked: bool,
    /// Save expired shares.
    pub allow_expired: bool,
    /// Save shares whose track was deleted.
    pub allow_removed: bool,
    /// Save a collection share's first track.
    pub allow_collection: bool,
    /// Rename the original track on every save.
    pub rename_original: bool,
}

/// What the seeded store holds, for fixtures and for provisioning through the API.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Key of the user who saves shares (not a member of the sharer's organization).
    pub recipient_key: ApiKey,
    /// Key of the user who created and shared the tracks.
    pub sharer_key: ApiKey,
    /// The sharer's organization (`org_…`).
    pub organization_id: String,
    /// The track behind the live, revoked and expired shares.
    pub track_id: String,
    /// A second live track of the sharer's, never shared at seeding: free to share and delete.
    pub spare_track_id: String,
    /// A third, for provisioning's `--disposable-track` (it gets deleted).
    pub disposable_track_id: String,
    /// The shared collection.
    pub collection_id: String,
    /// The live share link's id (`mslink_…`).
    pub live_share_link_id: String,
    /// The raw tokens of the seeded shares, by state.
    pub tokens: Tokens,
}

impl Seed {
    /// The fixtures of the seeded store, with the recipient's key.
    pub fn fixtures(&self) -> Fixtures {
        Fixtures {
            api_key: Some(self.recipient_key.clone()),
            tokens: self.tokens.clone(),
            expected: Expected {
                track_id: Some(self.track_id.clone()),
                share_link_id: Some(self.live_share_link_id.clone()),
            },
        }
    }
}

/// The whole state of the reference server.
#[derive(Debug, Default)]
pub struct Store {
    users: Vec<User>,
    tracks: Vec<Track>,
    collections: Vec<Collection>,
    shares: Vec<ShareLink>,
    edges: Vec<Edge>,
    recipient_id: Option<String>,
}

fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", clock::random_hex(6))
}

fn new_token() -> String {
    format!("shr_{}", clock::random_hex(16))
}

impl Store {
    /// A store with a sharer, a recipient, tracks, a collection and a share in every state.
    /// Keys not given are generated (`ak_` and 39 alphanumerics, 42 characters as documented).
    pub fn seeded(recipient_key: Option<ApiKey>, sharer_key: Option<ApiKey>) -> (Self, Seed) {
        let generate_key = || {
            ApiKey::new(format!("ak_{}", &clock::random_hex(20)[..39])).expect("hex is a valid key")
        };
        let recipient_key = recipient_key.unwrap_or_else(generate_key);
        let sharer_key = sharer_key.unwrap_or_else(generate_key);
        let mut store = Store::default();
        let organization_id = new_id("org_");
        let sharer = store.add_user(&organization_id, &sharer_key);
        store.recipient_id = Some(store.add_user(&new_id("org_"), &recipient_key));

        let track_id = store.add_track(&organization_id, &sharer, "Harbour Lights");
        let spare_track_id = store.add_track(&organization_id, &sharer, "Low Tide");
        let removed_track_id = store.add_track(&organization_id, &sharer, "Paper Boats");
        let disposable_track_id = store.add_track(&organization_id, &sharer, "Sand Castles");
        let collection_id = new_id("mcoll_");
        store.collections.push(Collection {
            id: collection_id.clone(),
            organization_id: organization_id.clone(),
            creator: sharer.clone(),
            name: "Night Drives".into(),
            description: "Tracks for the road after dark.".into(),
            track_ids: vec![track_id.clone(), spare_track_id.clone()],
        });

        let now = clock::now();
        let link_only = ShareOptions {
            visibility: "link_only".into(),
            expires_in_days: None,
        };
        let track = ShareTarget::Track(track_id.clone());
        let (live_share_link_id, live) =
            store.add_share(&sharer, &organization_id, track.clone(), &link_only, now);
        let (revoked_id, revoked) =
            store.add_share(&sharer, &organization_id, track.clone(), &link_only, now);
        store.set_revoked(&revoked_id);
        // Created eight days ago with a seven-day expiry: expired yesterday.
        let week = ShareOptions {
            visibility: "link_only".into(),
            expires_in_days: Some(7),
        };
        let (_, expired) = store.add_share(
            &sharer,
            &organization_id,
            track,
            &week,
            now - Duration::days(8),
        );
        let (_, removed) = store.add_share(
            &sharer,
            &organization_id,
            ShareTarget::Track(removed_track_id.clone()),
            &link_only,
            now,
        );
        store
            .tracks
            .iter_mut()
            .filter(|t| t.id == removed_track_id)
            .for_each(|t| t.deleted = true);
        let (_, collection) = store.add_share(
            &sharer,
            &organization_id,
            ShareTarget::Collection(collection_id.clone()),
            &link_only,
            now,
        );

        let mut tokens = Tokens::default();
        for (state, token) in [
            (ShareState::Live, live),
            (ShareState::Revoked, revoked),
            (ShareState::Expired, expired),
            (ShareState::Removed, removed),
            (ShareState::Collection, collection),
        ] {
            tokens.set(state, Some(token));
        }
        let seed = Seed {
            recipient_key,
            sharer_key,
            organization_id,
            track_id,
            spare_track_id,
            disposable_track_id,
            collection_id,
            live_share_link_id,
            tokens,
        };
        (store, seed)
    }

    fn add_user(&mut self, organization_id: &str, key: &ApiKey) -> String {
        let id = new_id("usr_");
        self.users.push(User {
            id: id.clone(),
            organization_id: organization_id.to_owned(),
            key_hash: hash(key.expose().as_bytes()),
        });
        id
    }

    fn add_track(&mut self, organization_id: &str, creator: &str, title: &str) -> String {
        let id = new_id("mtrack_");
        self.tracks.push(Track {
            id: id.clone(),
            organization_id: organization_id.to_owned(),
            creator: creator.to_owned(),
            title: title.to_owned(),
            engine: "freddy-music-2",
            mode: "song",
            measured_duration_seconds: 187.4,
            instrumental: false,
            deleted: false,
        });
        id
    }

    fn add_share(
        &mut self,
        creator: &str,
        organization_id: &str,
        target: ShareTarget,
        options: &ShareOptions,
        created_at: OffsetDateTime,
    ) -> (String, String) {
        let id = new_id("mslink_");
        let token = new_token();
        self.shares.push(ShareLink {
            id: id.clone(),
            token_hash: hash(token.as_bytes()),
            organization_id: organization_id.to_owned(),
            creator: creator.to_owned(),
            target,
            visibility: options.visibility.clone(),
            expires_at: options
                .expires_in_days
                .map(|d| created_at + Duration::days(d)),
            revoked: false,
            created_at,
        });
        (id, token)
    }

    fn set_revoked(&mut self, share_id: &str) {
        self.shares
            .iter_mut()
            .filter(|s| s.id == share_id)
            .for_each(|s| s.revoked = true);
    }

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

    fn share_by_token(&self, token: &str) -> Option<&ShareLink> {
        let presented = hash(token.as_bytes());
        self.shares
            .iter()
            .find(|s| hashes_equal(&s.token_hash, &presented))
    }

    /// The share behind `token` if it can still be opened: issued, not revoked, not expired.
    fn active_share(&self, token: &str, now: OffsetDateTime) -> Option<&ShareLink> {
        self.share_by_token(token)
            .filter(|s| !s.revoked && s.expires_at.is_none_or(|at| at > now))
    }

    fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Why `token` cannot be saved, if it cannot: the HTTP layer answers every reason alike.
    pub fn check_saveable(&self, token: &str, rules: &SaveRules) -> Result<(), Refusal> {
        self.saveable(token, rules, clock::now()).map(drop)
    }

    /// The track and share link a save of `token` would record.
    fn saveable(
        &self,
        token: &str,
        rules: &SaveRules,
        now: OffsetDateTime,
    ) -> Result<(String, String), Refusal> {
        let share = self.share_by_token(token).ok_or(Refusal::Unknown)?;
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
        Ok((track_id, share.id.clone()))
    }

    /// Save a shared track: the caller's library gets a `shared` edge to the share's track.
    ///
    /// Saving a share whose track the caller already saved returns the existing edge: the docs
    /// leave a repeat save open, and the sibling "Save a track" is idempotent.
    pub fn save_shared(
        &mut self,
        user: &User,
        token: &str,
        rules: &SaveRules,
    ) -> Result<Value, Refusal> {
        let now = clock::now();
        let (track_id, share_link_id) = self.saveable(token, rules, now)?;
        if rules.rename_original
            && let Some(track) = self.tracks.iter_mut().find(|t| t.id == track_id)
        {
            track.title.push_str(" (saved)");
        }
        if let Some(edge) = self
            .edges
            .iter()
            .find(|e| e.user == user.id && e.track_id == track_id)
        {
            return Ok(edge.to_json());
        }
        let edge = Edge {
            id: new_id("mlib_"),
            user: user.id.clone(),
            track_id,
            share_link_id: Some(share_link_id),
            created_at: now,
        };
        let body = edge.to_json();
        self.edges.push(edge);
        Ok(body)
    }

    /// The seeded recipient (what a server that accepts any key takes a caller for).
    pub fn recipient(&self) -> Option<User> {
        let id = self.recipient_id.as_deref()?;
        self.users.iter().find(|u| u.id == id).cloned()
    }

    /// Open a shared link: the public view of a share, minted afresh on every call.
    pub fn resolve(&self, token: &str, public_base: &str) -> Result<Value, ApiError> {
        let share = self
            .active_share(token, clock::now())
            .ok_or(error::SHARE_UNAVAILABLE)?;
        let share_view = json!({
            "target_type": match share.target {
                ShareTarget::Track(_) => "track",
                ShareTarget::Collection(_) => "collection",
            },
            "visibility": share.visibility,
            "expires_at": share.expires_at.map(clock::format),
        });
        let unavailable = |kind: &str| {
            json!({
                "kind": kind,
                "available": false,
                "message": "This content is no longer available.",
                "share": share_view,
                "track": null,
                "collection": null,
                "tracks": null,
            })
        };
        match &share.target {
            ShareTarget::Track(id) => match self.track(id).filter(|t| !t.deleted) {
                None => Ok(unavailable("track")),
                Some(track) => Ok(json!({
                    "kind": "track",
                    "available": true,
                    "message": null,
                    "share": share_view,
                    "track": track_view(track, public_base),
                    "collection": null,
                    "tracks": null,
                })),
            },
            ShareTarget::Collection(id) => match self.collections.iter().find(|c| &c.id == id) {
                None => Ok(unavailable("collection")),
                Some(collection) => Ok(json!({
                    "kind": "collection",
                    "available": true,
                    "message": null,
                    "share": share_view,
                    "track": null,
                    "collection": {
                        "id": collection.id,
                        "name": collection.name,
                        "description": collection.description,
                    },
                    "tracks": collection
                        .track_ids
                        .iter()
                        .filter_map(|id| self.track(id))
                        .filter(|t| !t.deleted)
                        .map(|t| track_view(t, public_base))
                        .collect::<Vec<_>>(),
                })),
            },
        }
    }

    /// Share a track or a collection the caller created, in the caller's organization.
    pub fn share(
        &mut self,
        user: &User,
        organization_id: &str,
        target: ShareTargetRef<'_>,
        options: &ShareOptions,
        public_base: &str,
    ) -> Result<Value, ApiError> {
        let visible = user.organization_id == organization_id;
        let (target, target_type) = match target {
            ShareTargetRef::Track(id) => {
                let ok = visible
                    && self.track(id).is_some_and(|t| {
                        !t.deleted && t.organization_id == organization_id && t.creator == user.id
                    });
                if !ok {
                    return Err(error::not_found(
                        "No track with this id that the caller created",
                    ));
                }
                (ShareTarget::Track(id.to_owned()), "track")
            }
            ShareTargetRef::Collection(id) => {
                let ok = visible
                    && self.collections.iter().any(|c| {
                        c.id == id && c.organization_id == organization_id && c.creator == user.id
                    });
                if !ok {
                    return Err(error::not_found(
                        "No collection with this id that the caller created",
                    ));
                }
                (ShareTarget::Collection(id.to_owned()), "collection")
            }
        };
        let now = clock::now();
        let (id, token) = self.add_share(&user.id, organization_id, target, options, now);
        let link = self.shares.iter().find(|s| s.id == id).expect("just added");
        Ok(json!({
            "id": id,
            "token": token,
            "url": format!("{public_base}/v1/music/shared/{token}"),
            "target_type": target_type,
            "visibility": link.visibility,
            "expires_at": link.expires_at.map(clock::format),
            "created_at": clock::format(link.created_at),
        }))
    }

    /// Revoke a share link the caller created. Revoking a revoked link is a no-op.
    pub fn revoke(
        &mut self,
        user: &User,
        organization_id: &str,
        share_id: &str,
    ) -> Result<Value, ApiError> {
        let link = self
            .shares
            .iter_mut()
            .find(|s| {
                s.id == share_id
                    && s.organization_id == organization_id
                    && s.creator == user.id
                    && user.organization_id == organization_id
            })
            .ok_or(error::not_found(
                "No share link with this id that the caller created",
            ))?;
        link.revoked = true;
        Ok(json!({ "success": true, "id": share_id, "detail": "Share link revoked." }))
    }

    /// Soft-delete a track: creator only. It leaves every library, savers' too.
    pub fn delete_track(
        &mut self,
        user: &User,
        organization_id: &str,
        track_id: &str,
    ) -> Result<Value, ApiError> {
        let track = self
            .tracks
            .iter_mut()
            .find(|t| {
                t.id == track_id
                    && !t.deleted
                    && t.organization_id == organization_id
                    && user.organization_id == organization_id
            })
            .ok_or(error::not_found(
                "No track with this id in the caller's organization",
            ))?;
        if track.creator != user.id {
            return Err(error::forbidden("Only the track's creator can delete it"));
        }
        track.deleted = true;
        self.edges.retain(|e| e.track_id != track_id);
        Ok(json!({ "success": true, "id": track_id, "detail": "Track deleted." }))
    }
}

/// Which kind of thing a share request names.
#[derive(Debug, Clone, Copy)]
pub enum ShareTargetRef<'a> {
    /// A track id.
    Track(&'a str),
    /// A collection id.
    Collection(&'a str),
}

fn track_view(track: &Track, public_base: &str) -> Value {
    // A short-lived signed URL, minted afresh on every request as the docs say.
    let expires = clock::now().unix_timestamp() + 300;
    json!({
        "id": track.id,
        "title": track.title,
        "engine": track.engine,
        "mode": track.mode,
        "measured_duration_seconds": track.measured_duration_seconds,
        "instrumental": track.instrumental,
        "playback_url": format!(
            "{public_base}/v1/music/playback/{}?expires={expires}&signature={}",
            track.id,
            clock::random_hex(16)
        ),
        "licence": {
            "licence_class": "personal",
            "licence_version": "2026-01",
            "commercial_use": false,
            "requires_attribution": true,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded() -> (Store, Seed, User) {
        let (store, seed) = Store::seeded(None, None);
        let recipient = store
            .user_by_key(seed.recipient_key.expose().as_bytes())
            .unwrap();
        (store, seed, recipient)
    }

    #[test]
    fn tokens_are_stored_only_as_hashes() {
        let (store, seed, _) = seeded();
        let dump = format!("{store:?}");
        for state in ShareState::ALL {
            let token = seed.tokens.get(state).unwrap();
            assert!(!dump.contains(token), "{state} token stored in clear");
        }
        assert!(!dump.contains(seed.recipient_key.expose()));
    }

    #[test]
    fn saving_each_state() {
        let (mut store, seed, user) = seeded();
        let live = seed.tokens.get(ShareState::Live).unwrap();
        let strict = SaveRules::default();
        let edge = store.save_shared(&user, live, &strict).unwrap();
        assert_eq!(edge["track_id"], seed.track_id.as_str());
        assert_eq!(edge["share_link_id"], seed.live_share_link_id.as_str());
        assert_eq!(
            store.save_shared(&user, live, &strict).unwrap(),
            edge,
            "a repeat save returns the same edge"
        );
        for (state, refusal) in [
            (ShareState::Revoked, Refusal::Revoked),
            (ShareState::Expired, Refusal::Expired),
            (ShareState::Removed, Refusal::Removed),
            (ShareState::Collection, Refusal::Collection),
        ] {
            let token = seed.tokens.get(state).unwrap();
            assert_eq!(
                store.save_shared(&user, token, &strict).unwrap_err(),
                refusal,
                "{state}"
            );
        }
        assert_eq!(
            store.save_shared(&user, "shr_nope", &strict).unwrap_err(),
            Refusal::Unknown
        );
    }

    #[test]
    fn unknown_keys_match_no_user() {
        let (store, seed, _) = seeded();
        assert!(store.user_by_key(b"ak_unknown").is_none());
        assert!(
            store
                .user_by_key(seed.sharer_key.expose().as_bytes())
                .is_some()
        );
    }

    #[test]
    fn share_options_follow_the_docs() {
        assert_eq!(
            ShareOptions::from_body(b"").unwrap().visibility,
            "link_only"
        );
        assert_eq!(
            ShareOptions::from_body(br#"{"expires_in_days": 400}"#)
                .unwrap()
                .expires_in_days,
            Some(90)
        );
        assert!(ShareOptions::from_body(br#"{"expires_in_days": 0}"#).is_err());
        assert!(ShareOptions::from_body(br#"{"expires_in_days": 1.5}"#).is_err());
        assert!(ShareOptions::from_body(br#"{"visibility": "everyone"}"#).is_err());
        assert_eq!(
            ShareOptions::from_body(b"{").unwrap_err(),
            error::INVALID_JSON
        );
        assert!(ShareOptions::from_body(b"[]").is_err());
    }

    #[test]
    fn revoke_delete_and_their_effects() {
        let (mut store, seed, recipient) = seeded();
        let sharer = store
            .user_by_key(seed.sharer_key.expose().as_bytes())
            .unwrap();
        let org = seed.organization_id.clone();
        let options = ShareOptions::from_body(b"").unwrap();
        let link = store
            .share(
                &sharer,
                &org,
                ShareTargetRef::Track(&seed.spare_track_id),
                &options,
                "http://h",
            )
            .unwrap();
        let token = link["token"].as_str().unwrap().to_owned();
        assert!(link["url"].as_str().unwrap().ends_with(&token));
        store
            .save_shared(&recipient, &token, &SaveRules::default())
            .unwrap();

        // Only the creator may share, revoke or delete.
        assert!(
            store
                .share(
                    &recipient,
                    &org,
                    ShareTargetRef::Track(&seed.track_id),
                    &options,
                    "http://h"
                )
                .is_err()
        );
        let id = link["id"].as_str().unwrap();
        assert!(store.revoke(&recipient, &org, id).is_err());
        assert_eq!(
            store
                .delete_track(&recipient, &org, &seed.spare_track_id)
                .unwrap_err()
                .status,
            axum::http::StatusCode::NOT_FOUND
        );

        store
            .delete_track(&sharer, &org, &seed.spare_track_id)
            .unwrap();
        assert_eq!(
            store
                .save_shared(&recipient, &token, &SaveRules::default())
                .unwrap_err(),
            Refusal::Removed
        );
        assert!(
            !store
                .edges
                .iter()
                .any(|e| e.track_id == seed.spare_track_id),
            "deleted tracks leave libraries"
        );
        let view = store.resolve(&token, "http://h").unwrap();
        assert_eq!(view["available"], false);

        store.revoke(&sharer, &org, id).unwrap();
        store
            .revoke(&sharer, &org, id)
            .expect("revoking twice is a no-op");
        assert_eq!(
            store.resolve(&token, "http://h").unwrap_err(),
            error::SHARE_UNAVAILABLE
        );
    }

    #[test]
    fn resolve_mints_a_fresh_playback_url() {
        let (store, seed, _) = seeded();
        let live = seed.tokens.get(ShareState::Live).unwrap();
        let a = store.resolve(live, "http://h").unwrap();
        let b = store.resolve(live, "http://h").unwrap();
        assert_ne!(a["track"]["playback_url"], b["track"]["playback_url"]);
        assert_eq!(a["track"]["id"], seed.track_id.as_str());
        let collection = store
            .resolve(seed.tokens.get(ShareState::Collection).unwrap(), "http://h")
            .unwrap();
        assert_eq!(collection["kind"], "collection");
        assert_eq!(collection["tracks"].as_array().unwrap().len(), 2);
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;

    #[test]
    fn relaxed_rules_save_what_the_docs_forbid() {
        let (mut store, seed) = Store::seeded(None, None);
        let user = store.recipient().unwrap();
        let all = SaveRules {
            allow_revoked: true,
            allow_expired: true,
            allow_removed: true,
            allow_collection: true,
            rename_original: true,
        };
        for state in ShareState::ALL {
            let token = seed.tokens.get(state).unwrap();
            assert!(store.save_shared(&user, token, &all).is_ok(), "{state}");
        }
        let live = seed.tokens.get(ShareState::Live).unwrap();
        let view = store.resolve(live, "http://h").unwrap();
        assert!(
            view["track"]["title"]
                .as_str()
                .unwrap()
                .ends_with("(saved)")
        );
    }
}
