//! The neighbouring endpoints a run reads and provisions through: resolve, List saved tracks,
//! share, revoke, delete a track.

use time::{Duration, OffsetDateTime};

use crate::clock;

use super::*;

impl Store {
    /// The seeded recipient (what a server that accepts any key takes a caller for).
    pub fn recipient(&self) -> Option<User> {
        let id = self.recipient_id.as_deref()?;
        self.users.iter().find(|u| u.id == id).cloned()
    }

    /// Open a shared link: what the public resolve shows. Counts the view.
    /// A read that lags writes sees a revocation or a deletion only that long after.
    pub fn resolve(&mut self, token: &str, reads: &ReadRules) -> Result<ShareView, Denial> {
        let now = clock::now();
        let seen_by = |at: Option<OffsetDateTime>| at.is_some_and(|at| at + reads.lag <= now);
        let index = self
            .share_index(token)
            .filter(|&i| {
                let s = &self.shares[i];
                let revoked = s.revoked && seen_by(s.revoked_at) && !reads.revoked_shares_resolve;
                !revoked && s.expires_at.is_none_or(|at| at > now)
            })
            .ok_or(Denial::ShareUnavailable)?;
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
    ) -> Result<Vec<Track>, Denial> {
        if user.organization_id != organization_id {
            return Err(Denial::NotFound(
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
    ) -> Result<NewShare, Denial> {
        let visible = user.organization_id == organization_id;
        let (target, target_type) = match target {
            ShareTargetRef::Track(id) => {
                let ok = visible
                    && self.track(id).is_some_and(|t| {
                        !t.deleted && t.organization_id == organization_id && t.creator == user.id
                    });
                if !ok {
                    return Err(Denial::NotFound(
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
                    return Err(Denial::NotFound(
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
    ) -> Result<(), Denial> {
        let link = self
            .shares
            .iter_mut()
            .find(|s| {
                s.id == share_id
                    && s.organization_id == organization_id
                    && s.creator == user.id
                    && user.organization_id == organization_id
            })
            .ok_or(Denial::NotFound(
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
    ) -> Result<(), Denial> {
        let track = self
            .tracks
            .iter_mut()
            .find(|t| {
                t.id == track_id
                    && !t.deleted
                    && t.organization_id == organization_id
                    && user.organization_id == organization_id
            })
            .ok_or(Denial::NotFound(
                "No track with this id in the caller's organization",
            ))?;
        if track.creator != user.id {
            return Err(Denial::NotAllowed("Only the track's creator can delete it"));
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
