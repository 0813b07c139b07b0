//! The rules a save and a read follow: the documented ones and the hooks faults and variants
//! replace, and the refusals a save can meet.

use time::Duration;

use super::*;

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

/// Why a neighbouring endpoint (resolve, List saved tracks, share, revoke, delete) refuses: a
/// domain reason, which the wire layer turns into a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The share link opens nothing (revoked, expired or never issued): the resolve's one
    /// answer for all of them.
    ShareUnavailable,
    /// Nothing by this id that the caller may see; says what was looked for.
    NotFound(&'static str),
    /// The caller sees it but may not do this; says what only someone else may do.
    NotAllowed(&'static str),
    /// The request's body is not JSON.
    BodyNotJson,
    /// The body is JSON but asks for something the docs do not allow; says what.
    BodyInvalid(&'static str),
}

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
    /// Refusals that a caller who saved the share before does not meet: they get their edge
    /// back instead (a fault: "already saved? return the edge" before the share's state is
    /// checked, so a revoked share still saves for them).
    pub earlier_edge_first: &'static [Refusal],
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
        earlier_edge_first: &[],
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
