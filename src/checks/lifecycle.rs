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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::answer;

    const JSON: &[(&str, &str)] = &[("content-type", "application/json")];

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_deleted_track_is_out_of_the_library_and_stays_out() {
        let lag = Duration::from_secs(2);
        assert!(left_the_library(&ids(&["other"]), "t", lag).is_ok());
        assert!(left_the_library(&ids(&["other", "t"]), "t", lag).is_err());
        assert!(stayed_out_of_the_library(&ids(&["other"]), "t", lag).is_ok());
        assert!(stayed_out_of_the_library(&ids(&["t"]), "t", lag).is_err());
    }

    #[test]
    fn a_revoked_copy_is_kept_with_no_fewer_entries() {
        let lag = Duration::from_secs(2);
        let before = ids(&["t", "x"]);
        assert!(copy_kept(&before, &ids(&["t"]), &ids(&["t"]), "t", lag).is_ok());
        assert!(copy_kept(&before, &ids(&["t", "t"]), &ids(&["y", "t"]), "t", lag).is_ok());
        let gone = copy_kept(&before, &ids(&["x"]), &ids(&["t"]), "t", lag).unwrap_err();
        assert!(
            gone.message()
                .contains("0 entries right after the revocation"),
            "{gone}"
        );
        let late = copy_kept(&before, &ids(&["t"]), &ids(&["x"]), "t", lag).unwrap_err();
        assert!(late.message().contains("2.0 s after it"), "{late}");
    }

    fn envelope(status: u16) -> Exchange {
        let body = serde_json::json!({
            "success": false,
            "error": {
                "code": "RESOURCE_NOT_FOUND", "message": "m", "system_message": "s",
                "type": "client_error", "status": status, "details": {}, "trace_id": "req_1",
                "timestamp": "2026-06-28T10:30:00Z"
            }
        });
        answer(status, JSON, &body.to_string())
    }

    #[test]
    fn a_dead_link_resolves_to_a_graceful_4xx_only() {
        let suite = Suite::embedded().unwrap();
        assert!(resolve_fails_gracefully(&suite, &envelope(404)).is_ok());
        assert!(resolve_fails_gracefully(&suite, &envelope(500)).is_err());
        assert!(resolve_fails_gracefully(&suite, &answer(200, JSON, "{}")).is_err());
        assert!(resolve_fails_gracefully(&suite, &answer(404, JSON, "{}")).is_err());
    }

    #[test]
    fn the_view_of_removed_content_shows_no_track_and_says_why() {
        let suite = Suite::embedded().unwrap();
        let view = |body: Value| answer(200, JSON, &body.to_string());
        let removed = serde_json::json!({"available": false, "message": "Removed.", "track": null});
        assert!(view_of_removed_content(&suite, &view(removed)).is_ok());
        assert!(view_of_removed_content(&suite, &envelope(404)).is_ok());
        for unlike in [
            serde_json::json!({"available": true, "message": "Removed."}),
            serde_json::json!({"message": "Removed."}),
            serde_json::json!({"available": false, "message": "  "}),
            serde_json::json!({"available": false}),
            serde_json::json!({"available": false, "message": "Removed.", "track": {"id": "t"}}),
        ] {
            assert!(
                view_of_removed_content(&suite, &view(unlike.clone())).is_err(),
                "{unlike}"
            );
        }
        let moved = answer(301, &[("location", "/elsewhere")], "");
        assert!(view_of_removed_content(&suite, &moved).is_err());
        assert!(view_of_removed_content(&suite, &envelope(500)).is_err());
    }
}
