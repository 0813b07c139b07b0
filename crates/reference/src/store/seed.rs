//! Seeding: the users, tracks, collection and a share in every state a run needs, and the
//! fixtures file that names them.

use time::{Duration, OffsetDateTime};

use serde::Serialize;

use crate::clock;
use crate::ids::new_id;

use super::*;

/// What the seeded store holds, for fixtures and for provisioning through the API.
#[derive(Debug, Clone)]
pub struct Seed {
    /// Key of the user who saves shares (not a member of the sharer's organization).
    pub recipient_key: Key,
    /// The recipient's organization (`org_…`), whose library List saved tracks shows.
    pub recipient_organization_id: String,
    /// Key of the user who created and shared the tracks.
    pub sharer_key: Key,
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
    pub tokens: SeedTokens,
}

/// The raw tokens of the seeded shares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SeedTokens {
    /// Active share link of a track.
    pub live: String,
    /// A share link its owner revoked.
    pub revoked: String,
    /// A share link whose expiry has passed.
    pub expired: String,
    /// A share link whose track its creator deleted.
    pub removed: String,
    /// Active share link of a collection.
    pub collection: String,
}

impl SeedTokens {
    /// Every token, each with the name of its state.
    pub fn all(&self) -> [(&'static str, &str); 5] {
        [
            ("live", &self.live),
            ("revoked", &self.revoked),
            ("expired", &self.expired),
            ("removed", &self.removed),
            ("collection", &self.collection),
        ]
    }
}

impl Seed {
    /// The seed as a share-conformance fixtures file (TOML): the recipient's key, a token in
    /// every state, what saving the live one returns, the recipient's organization.
    pub fn fixtures_toml(&self) -> String {
        #[derive(Serialize)]
        struct File<'a> {
            api_key: &'a str,
            tokens: &'a SeedTokens,
            expected: Expected<'a>,
            recipient: Recipient<'a>,
        }
        #[derive(Serialize)]
        struct Expected<'a> {
            track_id: &'a str,
            share_link_id: &'a str,
        }
        #[derive(Serialize)]
        struct Recipient<'a> {
            organization_id: &'a str,
        }
        let file = File {
            api_key: self.recipient_key.expose(),
            tokens: &self.tokens,
            expected: Expected {
                track_id: &self.track_id,
                share_link_id: &self.live_share_link_id,
            },
            recipient: Recipient {
                organization_id: &self.recipient_organization_id,
            },
        };
        let body = toml::to_string(&file).unwrap_or_default();
        format!(
            "# The reference server's seeded recipient, share tokens in every state, and the live\n# share's track and id. Test keys of a test server.\n{body}"
        )
    }
}

impl Store {
    /// A store with a sharer, a recipient, tracks, a collection and a share in every state.
    /// Keys not given are generated (`ak_` and 39 alphanumerics, 42 characters as documented).
    pub fn seeded(recipient_key: Option<Key>, sharer_key: Option<Key>) -> (Self, Seed) {
        Self::seeded_with(recipient_key, sharer_key, TokenFormat::default(), false)
    }

    /// [`Store::seeded`], issuing tokens in `format`, and keeping raw keys and tokens beside
    /// their hashes when `keep_secrets_for_faults` (a fault that compares them loosely).
    pub fn seeded_with(
        recipient_key: Option<Key>,
        sharer_key: Option<Key>,
        format: TokenFormat,
        keep_secrets_for_faults: bool,
    ) -> (Self, Seed) {
        let recipient_key = recipient_key.unwrap_or_else(Key::generate);
        let sharer_key = sharer_key.unwrap_or_else(Key::generate);
        let mut store = Store {
            token_format: format,
            keep_secrets_for_faults,
            ..Store::default()
        };
        let organization_id = new_id("org_");
        let sharer = store.add_user(&organization_id, &sharer_key);
        let recipient_organization_id = new_id("org_");
        store.recipient_id = Some(store.add_user(&recipient_organization_id, &recipient_key));

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
            .for_each(|t| {
                t.deleted = true;
                t.deleted_at = Some(now);
            });
        let (_, collection) = store.add_share(
            &sharer,
            &organization_id,
            ShareTarget::Collection(collection_id.clone()),
            &link_only,
            now,
        );

        let tokens = SeedTokens {
            live,
            revoked,
            expired,
            removed,
            collection,
        };
        let seed = Seed {
            recipient_key,
            recipient_organization_id,
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

    pub(crate) fn add_user(&mut self, organization_id: &str, key: &Key) -> String {
        let id = new_id("usr_");
        let key = key.expose().as_bytes();
        self.users.push(User {
            id: id.clone(),
            organization_id: organization_id.to_owned(),
            key_hash: hash(key),
            key_for_faults: self
                .keep_secrets_for_faults
                .then(|| String::from_utf8_lossy(key).into_owned()),
        });
        id
    }

    /// Puts `entries` saves of `track_id` into the recipient's library, made a day ago and
    /// older (the oldest first), through no share link.
    pub fn prefill_library(&mut self, entries: usize, track_id: &str) {
        let Some(user) = self.recipient_id.clone() else {
            return;
        };
        let now = clock::now();
        for n in (1..=entries).rev() {
            let at = now - Duration::days(1) - Duration::minutes(n as i64);
            self.edges.push(Edge {
                id: new_id("mlib_"),
                user: user.clone(),
                track_id: track_id.to_owned(),
                share_link_id: None,
                created_at: at,
                visible_from: at,
                gone_from: None,
                outlives_delete: false,
            });
        }
    }

    pub(crate) fn add_track(
        &mut self,
        organization_id: &str,
        creator: &str,
        title: &str,
    ) -> String {
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
            deleted_at: None,
        });
        id
    }

    pub(crate) fn add_share(
        &mut self,
        creator: &str,
        organization_id: &str,
        target: ShareTarget,
        options: &ShareOptions,
        created_at: OffsetDateTime,
    ) -> (String, String) {
        let id = new_id("mslink_");
        let token = self.token_format.generate();
        self.shares.push(ShareLink {
            id: id.clone(),
            token_hash: hash(token.as_bytes()),
            token_for_faults: self.keep_secrets_for_faults.then(|| token.clone()),
            organization_id: organization_id.to_owned(),
            creator: creator.to_owned(),
            target,
            visibility: options.visibility.clone(),
            expires_at: options
                .expires_in_days
                .map(|d| created_at + Duration::days(d)),
            revoked: false,
            revoked_at: None,
            created_at,
            saves: 0,
            views: 0,
        });
        (id, token)
    }

    pub(crate) fn set_revoked(&mut self, share_id: &str) {
        self.shares
            .iter_mut()
            .filter(|s| s.id == share_id)
            .for_each(|s| {
                s.revoked = true;
                s.revoked_at = Some(clock::now());
            });
    }
}
