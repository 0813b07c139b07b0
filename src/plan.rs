//! What a run makes and undoes as the sharer: the provisioning plan a user gives
//! ([`Provision`]), and what the lifecycles of a save may do with what it made
//! ([`LifecyclePlan`]). Data only: the `provision` module carries it out.

use std::fmt;

use crate::fixtures::ShareState;
use crate::secret::ApiKey;

/// What to provision, as the sharer: the states to make and what each needs.
#[derive(Clone)]
pub struct Provision {
    /// The key of the user who created the track (and collection) to share.
    pub sharer_key: ApiKey,
    /// The sharer's organization (`org_…`).
    pub organization: String,
    /// A track the sharer created: shared for `live` and `revoked`, and named in `expected`.
    pub track: Option<String>,
    /// A track the sharer created that may be deleted: shared, then deleted, for `removed`.
    pub disposable_track: Option<String>,
    /// A collection the sharer created: shared for `collection`.
    pub collection: Option<String>,
    /// The states to make, each with what it needs above.
    pub states: Vec<ShareState>,
}

impl Provision {
    /// A plan that makes every state it can: live and revoked from `track`, removed from
    /// `disposable_track` (which the run deletes), collection from `collection`.
    pub fn every_state(
        sharer_key: ApiKey,
        organization: &str,
        track: &str,
        disposable_track: &str,
        collection: &str,
    ) -> Self {
        Self {
            sharer_key,
            organization: organization.to_owned(),
            track: Some(track.to_owned()),
            disposable_track: Some(disposable_track.to_owned()),
            collection: Some(collection.to_owned()),
            states: vec![
                ShareState::Live,
                ShareState::Revoked,
                ShareState::Removed,
                ShareState::Collection,
            ],
        }
    }
}

impl fmt::Debug for Provision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provision")
            .field("sharer_key", &self.sharer_key)
            .field("organization", &self.organization)
            .field("track", &self.track)
            .field("disposable_track", &self.disposable_track)
            .field("collection", &self.collection)
            .field("states", &self.states)
            .finish()
    }
}

/// A share of the disposable track, not yet deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Disposable {
    /// `mtrack_…`: deleted by the delete lifecycle.
    pub(crate) track: String,
    /// The share link's id.
    pub(crate) share: String,
}

/// What the run can do to a save after it: the sharer, and the shares provisioning made.
#[derive(Debug, Clone, Default)]
pub(crate) struct LifecyclePlan {
    /// The sharer's key and organization, when the run provisions.
    pub(crate) sharer: Option<Provision>,
    /// The run's own live share (its `mslink_` id): the revoke lifecycle revokes it.
    pub(crate) live_share: Option<String>,
    /// A share of the disposable track: the delete lifecycle saves it, then deletes the track.
    pub(crate) disposable: Option<Disposable>,
}
