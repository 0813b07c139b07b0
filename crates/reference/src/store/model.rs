//! The domain values: keys, users, tracks, collections, share links, library edges, and how
//! a presented key or token is matched against what is stored.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::ids;

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

pub(crate) type Hash = [u8; 32];

pub(crate) fn hash(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// Equality of two hashes in time independent of where they differ.
pub(crate) fn hashes_equal(a: &Hash, b: &Hash) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct User {
    /// `usr_…`.
    pub id: String,
    /// The organization the user belongs to.
    pub organization_id: String,
    pub(crate) key_hash: Hash,
    /// The key itself, kept only for the faults that compare keys loosely (the documented
    /// comparison uses the hash alone).
    pub(crate) key_for_faults: Option<String>,
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
    pub(crate) fn matches(self, presented: &[u8], stored: &str) -> bool {
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
    pub(crate) deleted_at: Option<OffsetDateTime>,
}

/// A collection of tracks.
#[derive(Debug, Clone)]
pub struct Collection {
    /// `mcoll_…`.
    pub id: String,
    pub(crate) organization_id: String,
    pub(crate) creator: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    pub(crate) track_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ShareTarget {
    Track(String),
    Collection(String),
}

#[derive(Debug, Clone)]
pub(crate) struct ShareLink {
    pub(crate) id: String,
    pub(crate) token_hash: Hash,
    /// The raw token, kept only for the faults that compare tokens loosely: the documented
    /// lookup uses the hash (the docs: only a hash is stored).
    pub(crate) token_for_faults: Option<String>,
    pub(crate) organization_id: String,
    pub(crate) creator: String,
    pub(crate) target: ShareTarget,
    pub(crate) visibility: String,
    pub(crate) expires_at: Option<OffsetDateTime>,
    pub(crate) revoked: bool,
    /// When it was revoked: what reads that lag see only later.
    pub(crate) revoked_at: Option<OffsetDateTime>,
    pub(crate) created_at: OffsetDateTime,
    /// Saves of this link so far (the first one is special for one fault).
    pub(crate) saves: u64,
    /// Public resolves of this link so far.
    pub(crate) views: u64,
}

/// A library edge: a track in a user's library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// `mlib_…`.
    pub id: String,
    pub(crate) user: String,
    /// The saved track.
    pub track_id: String,
    /// The share link it was saved from.
    pub share_link_id: Option<String>,
    /// When it was created.
    pub created_at: OffsetDateTime,
    /// From when reads show it (later than `created_at` for a target whose reads lag, or a
    /// fault whose refused save lands late).
    pub(crate) visible_from: OffsetDateTime,
    /// From when reads no longer show it (a deleted track, or a fault's cascading revoke).
    pub(crate) gone_from: Option<OffsetDateTime>,
    /// Whether reads show it though its track was deleted (a fault's restored copy).
    pub(crate) outlives_delete: bool,
}

/// A successful save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The edge in the caller's library.
    pub edge: Edge,
    /// Whether the caller had already saved this share (the edge is the earlier one).
    pub repeat: bool,
}

/// How much of a token the `token-prefix-compared` fault compares.
pub const TOKEN_PREFIX: usize = 16;

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
    pub(crate) fn generate(self) -> String {
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
