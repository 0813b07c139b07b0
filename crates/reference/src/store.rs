//! The reference server's data and rules: users, tracks, collections, share links, libraries.
//!
//! The store answers with domain values ([`Saved`], [`ShareView`], [`Refusal`], …); turning
//! them into HTTP responses is `wire.rs`'s job. Share tokens are stored only as SHA-256 hashes
//! (the docs: the raw token is returned once and only a hash is stored). API keys are stored
//! as hashes too and compared in constant time.

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use serde::Serialize;

use crate::error::{self, ApiError};
use crate::{clock, ids};

/// An API key of the reference server. Prints as `***`: even a test server's keys stay out of
/// logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// A key, as given.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// `ak_` and 39 random letters or digits: 42 characters, as the docs describe keys.
    pub fn generate() -> Self {
        Self(format!("ak_{}", &ids::random_hex(20)[..39]))
    }

    /// The key itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

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
    /// The key itself, kept only for the faults that compare keys loosely (the documented
    /// comparison uses the hash alone).
    key_for_faults: Option<String>,
}

/// How much of a key the `key-prefix-compared` fault compares.
pub const KEY_PREFIX: usize = 32;

/// How a presented key or token is compared with the one stored: exactly, as documented, or
/// loosely, as the faults do that databases, proxies and parsers bring about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Matching {
    /// Byte for byte (by hash, in constant time).
    #[default]
    Exact,
    /// Only the first this many bytes (a fixed-size column, a prefix index).
    FirstBytes(usize),
    /// Case-insensitively (a `_ci` collation, a lower-casing lookup).
    CaseFolded,
    /// The prefix (through the first `_`) byte for byte, the rest case-insensitively: a
    /// format check, then a lower-casing lookup.
    CaseFoldedAfterPrefix,
    /// The presented one cut to the stored one's length first (a `VARCHAR(n)` that truncates).
    CutToStored,
    /// Any presented prefix of at least 16 bytes (`LIKE 'presented%'`).
    PrefixOfStored,
    /// Anything that contains the stored one (`LIKE '%stored%'` the wrong way round).
    ContainsStored,
    /// After Unicode whitespace is stripped and full-width forms folded (an NFKC
    /// normalisation, a `.strip()`).
    UnicodeFolded,
}

impl Matching {
    /// Whether `presented` is taken for `stored`.
    fn matches(self, presented: &[u8], stored: &str) -> bool {
        let stored_bytes = stored.as_bytes();
        match self {
            Self::Exact => hashes_equal(&hash(presented), &hash(stored_bytes)),
            Self::FirstBytes(n) => {
                presented.len() >= n
                    && stored_bytes.len() >= n
                    && presented[..n] == stored_bytes[..n]
            }
            Self::CaseFolded => presented.eq_ignore_ascii_case(stored_bytes),
            Self::CaseFoldedAfterPrefix => {
                let prefix = stored_bytes
                    .iter()
                    .position(|&b| b == b'_')
                    .map_or(0, |i| i + 1);
                presented.get(..prefix) == Some(&stored_bytes[..prefix])
                    && presented.eq_ignore_ascii_case(stored_bytes)
            }
            Self::CutToStored => presented.get(..stored_bytes.len()) == Some(stored_bytes),
            Self::PrefixOfStored => presented.len() >= 16 && stored_bytes.starts_with(presented),
            Self::ContainsStored => presented
                .windows(stored_bytes.len().max(1))
                .any(|window| window == stored_bytes),
            Self::UnicodeFolded => {
                let folded: String = String::from_utf8_lossy(presented)
                    .trim()
                    .chars()
                    .map(|c| match u32::from(c) {
                        full @ 0xFF01..=0xFF5E => char::from_u32(full - 0xFEE0).unwrap_or(c),
                        _ => c,
                    })
                    .collect();
                folded == stored
            }
        }
    }
}

/// A track, as the public resolve and List saved tracks show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// `mtrack_…`.
    pub id: String,
    /// Owning organization.
    pub organization_id: String,
    /// The user who created it.
    pub creator: String,
    /// Title.
    pub title: String,
    /// Generation engine.
    pub engine: &'static str,
    /// Generation mode.
    pub mode: &'static str,
    /// Length in seconds.
    pub measured_duration_seconds: f64,
    /// Whether it has no vocals.
    pub instrumental: bool,
    /// Soft-deleted by its creator.
    pub deleted: bool,
    /// When it was deleted: what reads that lag see only later.
    deleted_at: Option<OffsetDateTime>,
}

/// A collection of tracks.
#[derive(Debug, Clone)]
pub struct Collection {
    /// `mcoll_…`.
    pub id: String,
    organization_id: String,
    creator: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
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
    /// The raw token, kept only for the faults that compare tokens loosely: the documented
    /// lookup uses the hash (the docs: only a hash is stored).
    token_for_faults: Option<String>,
    organization_id: String,
    creator: String,
    target: ShareTarget,
    visibility: String,
    expires_at: Option<OffsetDateTime>,
    revoked: bool,
    /// When it was revoked: what reads that lag see only later.
    revoked_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
    /// Saves of this link so far (the first one is special for one fault).
    saves: u64,
    /// Public resolves of this link so far.
    views: u64,
}

/// A library edge: a track in a user's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// `mlib_…`.
    pub id: String,
    user: String,
    /// The saved track.
    pub track_id: String,
    /// The share link it was saved from.
    pub share_link_id: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// From when reads show it (later than `created_at` for a target whose reads lag, or a
    /// fault whose refused save lands late).
    visible_from: OffsetDateTime,
    /// From when reads no longer show it (a deleted track, or a fault's cascading revoke).
    gone_from: Option<OffsetDateTime>,
    /// Whether reads show it though its track was deleted (a fault's restored copy).
    outlives_delete: bool,
}

/// A successful save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The edge in the caller's library.
    pub edge: Edge,
    /// Whether the caller had already saved this share (the edge is the earlier one).
    pub repeat: bool,
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
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|_| error::INVALID_JSON)?;
        let serde_json::Value::Object(fields) = value else {
            return Err(error::validation("Body must be a JSON object"));
        };
        match fields.get("visibility") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::String(v)) if v == "link_only" || v == "public" => {
                options.visibility = v.clone()
            }
            Some(_) => return Err(error::validation("visibility must be link_only or public")),
        }
        match fields.get("expires_in_days") {
            None | Some(serde_json::Value::Null) => {}
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// The caller already saved this share, and the server refuses repeats (a variant).
    AlreadySaved,
}

/// How much of a token the `token-prefix-compared` fault compares.
pub const TOKEN_PREFIX: usize = 16;

/// What happens to the original track when a share of it is saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Rename {
    /// Nothing: the documented behaviour.
    #[default]
    Never,
    /// Every save appends " (saved)" to the title.
    EverySave,
    /// Only the first save of each share does.
    FirstSaveOfShare,
    /// Only the saves after the first one of each share do.
    RepeatSaves,
}

/// What a repeat save of the same share does (the docs leave it open).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Repeat {
    /// Returns the edge the first save made.
    #[default]
    SameEdge,
    /// Makes another edge.
    NewEdge,
    /// Refuses with [`Refusal::AlreadySaved`].
    Refuse,
}

/// The rules a save follows. [`SaveRules::default`] is the documented behaviour; faults break
/// one rule at a time and variants pick another of the choices the docs leave open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveRules {
    /// Save revoked shares.
    pub allow_revoked: bool,
    /// Save expired shares.
    pub allow_expired: bool,
    /// Save shares whose track was deleted.
    pub allow_removed: bool,
    /// Save a collection share's first track.
    pub allow_collection: bool,
    /// What a save does to the original track.
    pub rename: Rename,
    /// Whether a save reaches the library at all.
    pub store: bool,
    /// Refusals that still put the share's track(s) into the caller's library.
    pub store_despite: &'static [Refusal],
    /// What a repeat save of one share does.
    pub repeat: Repeat,
    /// Whether a save also puts another track of the sharer's into the library.
    pub add_another_track: bool,
    /// How a presented token is compared with the stored ones (exactly, unless a fault).
    pub token_matching: Matching,
    /// How long after a refused save that is stored anyway (a fault) it shows in reads.
    pub store_despite_after: Duration,
    /// Whether a caller who saved a share before gets that edge back before the share's state
    /// is checked (a fault: "already saved? return the edge", so a revoked share still saves).
    pub earlier_edge_first: bool,
    /// Refusals that still write a fresh edge for a caller who saved the share before (a
    /// fault: an upsert of the saver's edge that runs before the refusal is answered). The
    /// edge shows even if the track was deleted.
    pub rewrite_for_earlier_saver: &'static [Refusal],
    /// How long after a save its edge shows in reads (a target whose reads lag its writes).
    pub read_lag: Duration,
}

impl Default for SaveRules {
    fn default() -> Self {
        Self::DOCUMENTED
    }
}

impl SaveRules {
    /// The documented rules: only a live track share saves, and its edge shows at once.
    pub const DOCUMENTED: Self = Self {
        allow_revoked: false,
        allow_expired: false,
        allow_removed: false,
        allow_collection: false,
        rename: Rename::Never,
        store: true,
        store_despite: &[],
        repeat: Repeat::SameEdge,
        add_another_track: false,
        token_matching: Matching::Exact,
        store_despite_after: Duration::ZERO,
        earlier_edge_first: false,
        rewrite_for_earlier_saver: &[],
        read_lag: Duration::ZERO,
    };
}

/// How List saved tracks lists what a caller saved, newest save first (the docs say neither
/// that a track is listed once, nor once per save).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Listing {
    /// Each track once, at its newest save: the reference server's choice.
    #[default]
    NewestSaveOncePerTrack,
    /// An entry per save (per edge), newest first.
    EntryPerSave,
    /// Each track once, where its first save put it: a re-saved track stays in place.
    FirstSaveOncePerTrack,
}

/// What the reads (List saved tracks, the public resolve) show of the writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadRules {
    /// How long after a write the reads show it (the docs promise no read-after-write
    /// consistency).
    pub lag: Duration,
    /// How the library is listed.
    pub listing: Listing,
    /// Whether a deleted track stays in the libraries of those who saved it (a fault).
    pub deleted_tracks_stay: bool,
    /// Whether the public resolve still shows a deleted track (a fault).
    pub deleted_tracks_resolve: bool,
    /// Whether the public resolve still opens a revoked share (a fault).
    pub revoked_shares_resolve: bool,
}

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

/// The whole state of the reference server.
#[derive(Debug, Default)]
pub struct Store {
    users: Vec<User>,
    tracks: Vec<Track>,
    collections: Vec<Collection>,
    shares: Vec<ShareLink>,
    edges: Vec<Edge>,
    recipient_id: Option<String>,
    token_format: TokenFormat,
    /// Whether raw keys and tokens are kept beside their hashes, for a fault that compares
    /// them loosely; never for the documented behaviour.
    keep_secrets_for_faults: bool,
}

use ids::new_id;

/// How the raw share tokens a store issues look. No length or charset is documented.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// `shr_` and 32 lowercase hex digits, as the docs' example.
    #[default]
    Hex32,
    /// `shr_` and 43 base64url characters (256 random bits).
    Base64Url43,
}

impl TokenFormat {
    /// A new random token.
    fn generate(self) -> String {
        match self {
            Self::Hex32 => format!("shr_{}", ids::random_hex(16)),
            Self::Base64Url43 => {
                let hex = ids::random_hex(32);
                let bytes: Vec<u8> = (0..32)
                    .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
                    .collect();
                format!("shr_{}", ids::base64url(&bytes))
            }
        }
    }

    /// Whether `token` is in this format.
    pub fn matches(self, token: &str) -> bool {
        let Some(body) = token.strip_prefix("shr_") else {
            return false;
        };
        match self {
            Self::Hex32 => {
                body.len() == 32
                    && body
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }
            Self::Base64Url43 => {
                body.len() == 43
                    && body
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
        }
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

    fn add_user(&mut self, organization_id: &str, key: &Key) -> String {
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
            deleted_at: None,
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

    fn set_revoked(&mut self, share_id: &str) {
        self.shares
            .iter_mut()
            .filter(|s| s.id == share_id)
            .for_each(|s| {
                s.revoked = true;
                s.revoked_at = Some(clock::now());
            });
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

    fn share_index(&self, token: &str) -> Option<usize> {
        let presented = hash(token.as_bytes());
        self.shares
            .iter()
            .position(|s| hashes_equal(&s.token_hash, &presented))
    }

    /// The share a token names; only by its first bytes under a fault.
    fn share_index_by(&self, token: &str, rules: &SaveRules) -> Option<usize> {
        if rules.token_matching == Matching::Exact {
            return self.share_index(token);
        }
        self.shares.iter().position(|s| {
            s.token_for_faults
                .as_deref()
                .is_some_and(|stored| rules.token_matching.matches(token.as_bytes(), stored))
        })
    }

    fn track(&self, id: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.id == id)
    }

    /// Why `token` cannot be saved, if it cannot: the HTTP layer answers every reason alike.
    pub fn check_saveable(&self, token: &str, rules: &SaveRules) -> Result<(), Refusal> {
        self.saveable(token, rules, clock::now()).map(drop)
    }

    /// The share (by index) and track a save of `token` would record.
    fn saveable(
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
        if rules.earlier_edge_first
            && let Some(index) = self.share_index(token)
        {
            let link = self.shares[index].id.clone();
            if let Some(edge) = self
                .edges
                .iter()
                .find(|e| e.user == user.id && e.share_link_id.as_deref() == Some(link.as_str()))
            {
                return Ok(Saved {
                    edge: edge.clone(),
                    repeat: true,
                });
            }
        }
        let (index, track_id) = match self.saveable(token, rules, now) {
            Ok(found) => found,
            Err(refusal) => {
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
    fn rewrite_earlier_edge(&mut self, user: &User, token: &str, now: OffsetDateTime) {
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
    fn store_anyway(&mut self, user: &User, token: &str, now: OffsetDateTime, late: Duration) {
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
    fn another_track(&self, track_id: &str) -> Option<String> {
        let creator = &self.track(track_id)?.creator;
        self.tracks
            .iter()
            .find(|t| t.id != track_id && &t.creator == creator && !t.deleted)
            .map(|t| t.id.clone())
    }

    /// The seeded recipient (what a server that accepts any key takes a caller for).
    pub fn recipient(&self) -> Option<User> {
        let id = self.recipient_id.as_deref()?;
        self.users.iter().find(|u| u.id == id).cloned()
    }

    /// Open a shared link: what the public resolve shows. Counts the view.
    /// A read that lags writes sees a revocation or a deletion only that long after.
    pub fn resolve(&mut self, token: &str, reads: &ReadRules) -> Result<ShareView, ApiError> {
        let now = clock::now();
        let seen_by = |at: Option<OffsetDateTime>| at.is_some_and(|at| at + reads.lag <= now);
        let index = self
            .share_index(token)
            .filter(|&i| {
                let s = &self.shares[i];
                let revoked = s.revoked && seen_by(s.revoked_at) && !reads.revoked_shares_resolve;
                !revoked && s.expires_at.is_none_or(|at| at > now)
            })
            .ok_or(error::SHARE_UNAVAILABLE)?;
        self.shares[index].views += 1;
        let share = &self.shares[index];
        let live = |id: &String| {
            self.track(id)
                .filter(|t| reads.deleted_tracks_resolve || !(t.deleted && seen_by(t.deleted_at)))
                .cloned()
        };
        let content = match &share.target {
            ShareTarget::Track(id) => live(id).map(Shared::Track),
            ShareTarget::Collection(id) => self.collections.iter().find(|c| &c.id == id).map(|c| {
                let tracks = c.track_ids.iter().filter_map(live).collect();
                Shared::Collection(c.clone(), tracks)
            }),
        };
        Ok(ShareView {
            target_type: match share.target {
                ShareTarget::Track(_) => "track",
                ShareTarget::Collection(_) => "collection",
            },
            visibility: share.visibility.clone(),
            expires_at: share.expires_at,
            views: share.views,
            content,
        })
    }

    /// List saved tracks: the caller's library, newest save first, `limit` from `offset`.
    /// A track saved through several shares is listed once, at its newest save.
    pub fn library(
        &self,
        user: &User,
        organization_id: &str,
        limit: usize,
        offset: usize,
        reads: &ReadRules,
    ) -> Result<Vec<Track>, ApiError> {
        if user.organization_id != organization_id {
            return Err(error::not_found(
                "The caller is not a member of this organization",
            ));
        }
        let now = clock::now();
        let shown: Vec<&Track> = self
            .edges
            .iter()
            .filter(|e| {
                e.user == user.id && e.visible_from <= now && e.gone_from.is_none_or(|at| at > now)
            })
            .filter_map(|e| self.track(&e.track_id).map(|t| (e, t)))
            .filter(|(e, t)| {
                reads.deleted_tracks_stay
                    || e.outlives_delete
                    || !(t.deleted && t.deleted_at.is_some_and(|at| at + reads.lag <= now))
            })
            .map(|(_, t)| t)
            .collect();
        let mut seen = std::collections::HashSet::new();
        let listed: Vec<&Track> = match reads.listing {
            Listing::NewestSaveOncePerTrack => shown
                .into_iter()
                .rev()
                .filter(|t| seen.insert(t.id.clone()))
                .collect(),
            Listing::EntryPerSave => shown.into_iter().rev().collect(),
            Listing::FirstSaveOncePerTrack => {
                let mut first: Vec<&Track> = shown
                    .into_iter()
                    .filter(|t| seen.insert(t.id.clone()))
                    .collect();
                first.reverse();
                first
            }
        };
        Ok(listed
            .into_iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect())
    }

    /// Share a track or a collection the caller created, in the caller's organization.
    pub fn share(
        &mut self,
        user: &User,
        organization_id: &str,
        target: ShareTargetRef<'_>,
        options: &ShareOptions,
    ) -> Result<NewShare, ApiError> {
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
        Ok(NewShare {
            id,
            token,
            target_type,
            visibility: link.visibility.clone(),
            expires_at: link.expires_at,
            created_at: link.created_at,
        })
    }

    /// Revoke a share link the caller created. Revoking a revoked link is a no-op.
    /// `copies_dropped_after`: a fault's cascade, which takes the copies saved through the link
    /// out of every library that long after the revocation.
    pub fn revoke(
        &mut self,
        user: &User,
        organization_id: &str,
        share_id: &str,
        copies_dropped_after: Option<Duration>,
    ) -> Result<(), ApiError> {
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
        let now = clock::now();
        if !link.revoked {
            link.revoked = true;
            link.revoked_at = Some(now);
        }
        if let Some(after) = copies_dropped_after {
            for edge in self
                .edges
                .iter_mut()
                .filter(|e| e.share_link_id.as_deref() == Some(share_id))
            {
                edge.gone_from.get_or_insert(now + after);
            }
        }
        Ok(())
    }

    /// Soft-delete a track: creator only. It leaves every library, savers' too.
    pub fn delete_track(
        &mut self,
        user: &User,
        organization_id: &str,
        track_id: &str,
    ) -> Result<(), ApiError> {
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
        // The edges stay; the listing leaves the deleted track out (unless a fault keeps it).
        track.deleted = true;
        track.deleted_at = Some(clock::now());
        Ok(())
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

    fn library(store: &Store, user: &User) -> Vec<String> {
        store
            .library(user, &user.organization_id, 100, 0, &ReadRules::default())
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect()
    }

    fn all_tokens(seed: &Seed) -> [(&'static str, &str); 5] {
        [
            ("live", &seed.tokens.live),
            ("revoked", &seed.tokens.revoked),
            ("expired", &seed.tokens.expired),
            ("removed", &seed.tokens.removed),
            ("collection", &seed.tokens.collection),
        ]
    }

    #[test]
    fn tokens_are_stored_only_as_hashes() {
        let (store, seed, _) = seeded();
        let dump = format!("{store:?}");
        for (state, token) in all_tokens(&seed) {
            assert!(!dump.contains(token), "{state} token stored in clear");
        }
        assert!(!dump.contains(seed.recipient_key.expose()));
    }

    #[test]
    fn the_seed_writes_itself_as_fixtures() {
        let (_, seed, _) = seeded();
        let text = seed.fixtures_toml();
        let value: toml::Value = toml::from_str(&text).unwrap();
        assert_eq!(value["api_key"].as_str(), Some(seed.recipient_key.expose()));
        assert_eq!(
            value["tokens"]["live"].as_str(),
            Some(seed.tokens.live.as_str())
        );
        assert_eq!(
            value["recipient"]["organization_id"].as_str(),
            Some(seed.recipient_organization_id.as_str())
        );
        assert_eq!(
            value["expected"]["track_id"].as_str(),
            Some(seed.track_id.as_str())
        );
    }

    #[test]
    fn saving_each_state() {
        let (mut store, seed, user) = seeded();
        let live = seed.tokens.live.as_str();
        let strict = SaveRules::default();
        assert!(library(&store, &user).is_empty());
        let saved = store.save_shared(&user, live, &strict).unwrap();
        assert!(!saved.repeat);
        assert_eq!(saved.edge.track_id, seed.track_id);
        assert_eq!(
            saved.edge.share_link_id.as_deref(),
            Some(seed.live_share_link_id.as_str())
        );
        assert_eq!(library(&store, &user), vec![seed.track_id.clone()]);
        let again = store.save_shared(&user, live, &strict).unwrap();
        assert!(again.repeat);
        assert_eq!(
            again.edge, saved.edge,
            "a repeat save returns the same edge"
        );
        for (token, refusal) in [
            (&seed.tokens.revoked, Refusal::Revoked),
            (&seed.tokens.expired, Refusal::Expired),
            (&seed.tokens.removed, Refusal::Removed),
            (&seed.tokens.collection, Refusal::Collection),
        ] {
            assert_eq!(
                store.save_shared(&user, token, &strict).unwrap_err(),
                refusal,
                "{refusal:?}"
            );
        }
        assert_eq!(
            store.save_shared(&user, "shr_nope", &strict).unwrap_err(),
            Refusal::Unknown
        );
        assert_eq!(library(&store, &user), vec![seed.track_id.clone()]);
    }

    #[test]
    fn the_library_is_the_callers_own_and_other_organizations_are_not_found() {
        let (mut store, seed, user) = seeded();
        let sharer = store
            .user_by_key(seed.sharer_key.expose().as_bytes())
            .unwrap();
        let live = seed.tokens.live.as_str();
        store
            .save_shared(&user, live, &SaveRules::default())
            .unwrap();
        assert!(library(&store, &sharer).is_empty());
        assert!(
            store
                .library(&user, &seed.organization_id, 100, 0, &ReadRules::default())
                .is_err()
        );
        assert!(
            store
                .library(&user, &user.organization_id, 100, 1, &ReadRules::default())
                .unwrap()
                .is_empty(),
            "offset past the end"
        );
    }

    #[test]
    fn repeat_policies() {
        let (mut store, seed, user) = seeded();
        let live = seed.tokens.live.as_str();
        let rules = |repeat| SaveRules {
            repeat,
            ..SaveRules::default()
        };
        let first = store
            .save_shared(&user, live, &rules(Repeat::NewEdge))
            .unwrap();
        let second = store
            .save_shared(&user, live, &rules(Repeat::NewEdge))
            .unwrap();
        assert!(second.repeat);
        assert_ne!(first.edge.id, second.edge.id);
        assert_eq!(
            store
                .save_shared(&user, live, &rules(Repeat::Refuse))
                .unwrap_err(),
            Refusal::AlreadySaved
        );
    }

    #[test]
    fn faulty_rules_store_nothing_or_store_refused_saves() {
        let (mut store, seed, user) = seeded();
        let nothing = SaveRules {
            store: false,
            ..SaveRules::default()
        };
        let live = seed.tokens.live.as_str();
        store.save_shared(&user, live, &nothing).unwrap();
        assert!(library(&store, &user).is_empty());
        let leaky = SaveRules {
            store_despite: &[Refusal::Collection],
            ..SaveRules::default()
        };
        let collection = seed.tokens.collection.as_str();
        assert_eq!(
            store.save_shared(&user, collection, &leaky).unwrap_err(),
            Refusal::Collection
        );
        assert_eq!(library(&store, &user).len(), 2);
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
            )
            .unwrap();
        store
            .save_shared(&recipient, &link.token, &SaveRules::default())
            .unwrap();
        assert_eq!(
            library(&store, &recipient),
            vec![seed.spare_track_id.clone()]
        );

        // Only the creator may share, revoke or delete.
        assert!(
            store
                .share(
                    &recipient,
                    &org,
                    ShareTargetRef::Track(&seed.track_id),
                    &options,
                )
                .is_err()
        );
        assert!(store.revoke(&recipient, &org, &link.id, None).is_err());
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
                .save_shared(&recipient, &link.token, &SaveRules::default())
                .unwrap_err(),
            Refusal::Removed
        );
        assert!(
            library(&store, &recipient).is_empty(),
            "deleted tracks leave libraries"
        );
        let view = store.resolve(&link.token, &ReadRules::default()).unwrap();
        assert!(view.content.is_none());

        store.revoke(&sharer, &org, &link.id, None).unwrap();
        store
            .revoke(&sharer, &org, &link.id, None)
            .expect("revoking twice is a no-op");
        assert_eq!(
            store
                .resolve(&link.token, &ReadRules::default())
                .unwrap_err(),
            error::SHARE_UNAVAILABLE
        );
    }

    #[test]
    fn resolves_count_views_and_list_a_collection() {
        let (mut store, seed, _) = seeded();
        let live = seed.tokens.live.as_str();
        assert_eq!(store.resolve(live, &ReadRules::default()).unwrap().views, 1);
        let view = store.resolve(live, &ReadRules::default()).unwrap();
        assert_eq!(view.views, 2);
        assert!(matches!(view.content, Some(Shared::Track(t)) if t.id == seed.track_id));
        let collection = store
            .resolve(&seed.tokens.collection, &ReadRules::default())
            .unwrap();
        assert_eq!(collection.target_type, "collection");
        assert!(
            matches!(collection.content, Some(Shared::Collection(_, tracks)) if tracks.len() == 2)
        );
    }

    #[test]
    fn relaxed_rules_save_what_the_docs_forbid() {
        let (mut store, seed) = Store::seeded(None, None);
        let user = store.recipient().unwrap();
        let all = SaveRules {
            allow_revoked: true,
            allow_expired: true,
            allow_removed: true,
            allow_collection: true,
            rename: Rename::FirstSaveOfShare,
            ..SaveRules::default()
        };
        for (state, token) in all_tokens(&seed) {
            assert!(store.save_shared(&user, token, &all).is_ok(), "{state}");
        }
        let live = seed.tokens.live.as_str();
        store.save_shared(&user, live, &all).unwrap();
        let Some(Shared::Track(track)) =
            store.resolve(live, &ReadRules::default()).unwrap().content
        else {
            panic!("the live share shows its track");
        };
        // The live, revoked, expired and collection shares all lead to this track, and each
        // was saved once: four renames; the second save of the live share renamed nothing.
        assert_eq!(
            track.title,
            format!("Harbour Lights{}", " (saved)".repeat(4))
        );
    }
}
