//! The public view of a share, before and after a save (`src/steps/view.rs`).

use serde_json::Value;

use super::{Check, Failure, json_body};
use crate::exchange::{Exchange, status_text};
use crate::suite::snapshot::json_diff;

/// The public view a resolve answered, whole.
pub fn public_view(response: &Exchange) -> Result<Value, Failure> {
    if response.status.as_u16() != 200 {
        return Err(Failure::about(
            format!(
                "expected: 200 from the public resolve of a live share\nactual:   {}\nhint:     a target without the public resolve can deselect this scenario with --tags 'not @resolve'",
                status_text(response.status)
            ),
            response,
        ));
    }
    json_body(response)
}

/// The documented fields of a public view's track: all of them but `playback_url`, which is
/// minted afresh on every request (the docs). Share metadata and extra fields are not part of
/// the track. `None` when the view shows no track.
pub fn documented_track(view: &Value) -> Option<Value> {
    const FIELDS: &[&str] = &[
        "id",
        "title",
        "engine",
        "mode",
        "measured_duration_seconds",
        "instrumental",
    ];
    const LICENCE: &[&str] = &[
        "licence_class",
        "licence_version",
        "commercial_use",
        "requires_attribution",
    ];
    let track = view.get("track").filter(|t| t.is_object())?;
    let mut out = serde_json::Map::new();
    for field in FIELDS {
        out.insert(
            (*field).to_owned(),
            track.get(*field).cloned().unwrap_or(Value::Null),
        );
    }
    let licence = track.get("licence");
    let mut licence_out = serde_json::Map::new();
    for field in LICENCE {
        licence_out.insert(
            (*field).to_owned(),
            licence
                .and_then(|l| l.get(*field))
                .cloned()
                .unwrap_or(Value::Null),
        );
    }
    out.insert("licence".into(), Value::Object(licence_out));
    Some(Value::Object(out))
}

/// The track's documented fields are the same in the view after the save as before it.
pub fn track_unchanged(before: &Value, after: &Value) -> Check {
    let Some(after_track) = documented_track(after) else {
        return Err(Failure::new(format!(
            "expected: the original track unchanged by the save\nactual:   after the save the public view shows no track: {}",
            crate::exchange::excerpt(after.to_string().as_bytes())
        )));
    };
    let before_track = documented_track(before).unwrap_or(Value::Null);
    match json_diff(
        &before_track,
        &after_track,
        "the track before any save",
        "the track after the first save",
    ) {
        None => Ok(()),
        Some(diff) => Err(Failure::new(format!(
            "expected: the original track unchanged by the save\nactual:   its documented fields changed (playback_url, share metadata and extra fields aside):\n{}",
            diff.trim_end()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(title: &str, playback: &str) -> Value {
        serde_json::json!({
            "available": true,
            "share": {"views": 3},
            "track": {
                "id": "mtrack_1", "title": title, "engine": "e", "mode": "m",
                "measured_duration_seconds": 30, "instrumental": false,
                "playback_url": playback, "extra": 1,
                "licence": {"licence_class": "c", "licence_version": "1",
                            "commercial_use": true, "requires_attribution": false}
            }
        })
    }

    #[test]
    fn the_documented_track_leaves_out_the_playback_url_and_extras() {
        let track = documented_track(&view("Song", "https://p/1")).unwrap();
        assert_eq!(track["title"], "Song");
        assert_eq!(track["licence"]["commercial_use"], true);
        assert!(track.get("playback_url").is_none() && track.get("extra").is_none());
        assert_eq!(
            documented_track(&serde_json::json!({"available": false})),
            None
        );
    }

    #[test]
    fn the_track_is_unchanged_unless_a_documented_field_changed() {
        let before = view("Song", "https://p/1");
        assert!(track_unchanged(&before, &view("Song", "https://p/2")).is_ok());
        let renamed = track_unchanged(&before, &view("Other", "https://p/1")).unwrap_err();
        assert!(
            renamed.message().contains("documented fields changed"),
            "{renamed}"
        );
        let gone = track_unchanged(&before, &serde_json::json!({"available": false}));
        assert!(gone.unwrap_err().message().contains("shows no track"));
    }
}
