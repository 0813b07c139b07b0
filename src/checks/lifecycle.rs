//! What becomes of a save once its link is revoked or its track deleted ([doc]: "After a
//! revocation, new resolves and new saves of the link fail; whoever saved it before keeps the
//! copy."; "After it the track leaves every library, including those of the users who saved
//! it."; "Content its creator removed: `available: false`, a human-readable `message`, no
//! track."; "Missing, revoked, expired or over-limit link: a graceful error, never a stack
//! trace.").

use std::time::Duration;

use serde_json::Value;

use super::{Check, Failure, is_error_envelope, json_body, no_internals};
use crate::exchange::{Exchange, status_text};
use crate::suite::Suite;

/// After the delete, the track is no longer in the saver's library (read again within `lag`).
pub fn left_the_library(after: &[String], track: &str, lag: Duration) -> Check {
    if !after.iter().any(|id| id == track) {
        return Ok(());
    }
    Err(Failure::new(format!(
        "expected: the deleted track {track} gone from the library of the recipient who saved it\nactual:   List saved tracks still lists it, {:.1} s after the delete (the read lag allowed)",
        lag.as_secs_f64()
    )))
}

/// Late in the run (the read lag after the saves that came after the delete, a save of the
/// deleted track's share among them), the deleted track is still not in the library: "the
/// track leaves every library" for good, whatever a save of its share does.
pub fn stayed_out_of_the_library(late: &[String], track: &str, lag: Duration) -> Check {
    if !late.iter().any(|id| id == track) {
        return Ok(());
    }
    Err(Failure::new(format!(
        "expected: the deleted track {track} stays out of the library of the recipient who saved it\nactual:   List saved tracks lists it again late in the run (read at least {:.1} s after the run's saves): a save of its share, though it must be refused, put it back",
        lag.as_secs_f64()
    )))
}

/// After the revocation, the saver still holds the track: it is listed right after, and once
/// the read lag has passed, with no fewer entries than before.
pub fn copy_kept(
    before: &[String],
    right_after: &[String],
    later: &[String],
    track: &str,
    lag: Duration,
) -> Check {
    let count = |listing: &[String]| listing.iter().filter(|id| *id == track).count();
    let had = count(before);
    for (when, listing) in [
        ("right after the revocation".to_owned(), right_after),
        (format!("{:.1} s after it", lag.as_secs_f64()), later),
    ] {
        if count(listing) < had {
            return Err(Failure::new(format!(
                "expected: the track {track} kept in the library of the recipient who saved it before the revocation ({had} entr{})\nactual:   {} entr{} {when}",
                if had == 1 { "y" } else { "ies" },
                count(listing),
                if count(listing) == 1 { "y" } else { "ies" },
            )));
        }
    }
    Ok(())
}

/// A resolve of a link that no longer works: a graceful error (a 4xx error envelope with no
/// internals), never the share and never a server error.
pub fn resolve_fails_gracefully(suite: &Suite, view: &Exchange) -> Check {
    if !view.status.is_client_error() {
        return Err(Failure::mismatch(
            "the resolve of a revoked link fails gracefully: a 4xx error",
            status_text(view.status),
            view,
        ));
    }
    is_error_envelope(suite, view)?;
    no_internals(view)
}

/// The public view of a share whose track was deleted no longer shows the track: the removed
/// content's view (`available: false`, a non-empty `message`, no track), or a graceful 4xx
/// error. Which of the two the docs mean for a deleted track is an inference, so either is
/// accepted.
pub fn view_of_removed_content(suite: &Suite, view: &Exchange) -> Check {
    if view.status.is_client_error() {
        return resolve_fails_gracefully(suite, view);
    }
    if view.status.as_u16() != 200 {
        return Err(Failure::mismatch(
            "the removed content's view (200, `available: false`) or a 4xx error",
            status_text(view.status),
            view,
        ));
    }
    let body = json_body(view)?;
    let available = body.get("available");
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let track = body.get("track").filter(|t| !t.is_null());
    if available == Some(&Value::Bool(false)) && !message.trim().is_empty() && track.is_none() {
        return Ok(());
    }
    Err(Failure::about(
        format!(
            "expected: the view of removed content: available false, a human-readable message, no track\nactual:   available {}, message {}, track {}",
            available.map_or("missing".into(), Value::to_string),
            if message.trim().is_empty() {
                "empty or missing".to_owned()
            } else {
                format!("{message:?}")
            },
            if track.is_some() {
                "present"
            } else {
                "null or missing"
            }
        ),
        view,
    ))
}
