//! What reached the recipient's library, through List saved tracks: a listing is the track ids
//! of its items, newest save first ([doc]). The docs say neither that a track appears once nor
//! that it appears once per save, so every comparison is of entries per track: a target that
//! lists a track once per save and one that lists it once, at its newest save, are judged
//! alike.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Check, Failure, json_body};
use crate::http::{Exchange, status_text};

/// One page of List saved tracks: the ids of its `items`.
pub fn library_page(response: &Exchange) -> Result<Vec<String>, Failure> {
    if response.status.as_u16() != 200 {
        return Err(Failure::mismatch(
            "200 from List saved tracks",
            status_text(response.status),
            response,
        ));
    }
    let body = json_body(response)?;
    let Some(items) = body.get("items").and_then(Value::as_array) else {
        return Err(Failure::about(
            "expected: the documented list, { \"items\": [track, …], \"limit\", \"offset\" }\nactual:   no `items` array",
            response,
        ));
    };
    items
        .iter()
        .map(|item| {
            item.get("id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| {
                    Failure::about(
                        format!("expected: tracks with an `id`\nactual:   an item {item}"),
                        response,
                    )
                })
        })
        .collect()
}

/// How many entries each track has in a listing.
fn entries(listing: &[String]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for id in listing {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    counts
}

/// The tracks with more entries in `after` than in `before`, each with how many more.
fn grown<'a>(before: &[String], after: &'a [String]) -> Vec<(&'a str, usize)> {
    let before = entries(before);
    entries(after)
        .into_iter()
        .filter_map(|(id, n)| {
            let had = before.get(id).copied().unwrap_or(0);
            (n > had).then(|| (id, n - had))
        })
        .collect()
}

/// Why two listings of the library cannot be compared, if they cannot: a track with fewer
/// entries in the later one. The harness removes nothing between them, so either something
/// else changes the library meanwhile or its pages are not a stable order.
pub fn library_unsteady(before: &[String], after: &[String]) -> Option<String> {
    let shrunk: Vec<&str> = grown(after, before).into_iter().map(|(id, _)| id).collect();
    if shrunk.is_empty() {
        return None;
    }
    Some(format!(
        "{} track(s) lost entries in the recipient's library between two readings ({}), though the harness removes nothing: something else changes this library during the run, or its pages are not a stable order. Give the harness a recipient only it uses",
        shrunk.len(),
        shrunk.join(", ")
    ))
}

/// What every library failure adds: other writers look like the target's doing.
const OTHER_WRITERS: &str = "(if anything else writes to this recipient's library during a run, this check cannot tell: give the harness a recipient only it uses)";

/// How a save showed in the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryGain {
    /// The track gained an entry (it was not there, or it is listed once per save).
    Entry,
    /// The track, listed once, moved to the front: newest save first.
    MovedToFront,
    /// The track was there before, listed once, and is still where it was: a target that
    /// keeps a re-saved track in place shows nothing of the save.
    NotVisible,
}

/// After the save, the library holds the saved track, and no other track gained an entry with
/// it ("The track is added as a `shared`-sourced library edge": one track). How the save
/// showed, when it did.
pub fn library_gained(
    before: &[String],
    after: &[String],
    complete: bool,
    track_id: &str,
) -> Result<LibraryGain, Failure> {
    if !after.iter().any(|id| id == track_id) {
        return Err(Failure::new(format!(
            "expected: the saved track {track_id} in the recipient's library after the save\nactual:   List saved tracks shows {} entries{}, not this track{}",
            after.len(),
            if complete { "" } else { " (the newest ones)" },
            if after.is_empty() {
                String::new()
            } else {
                format!(": {}", after.join(", "))
            }
        )));
    }
    let grown = grown(before, after);
    let others: Vec<&str> = grown
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != track_id)
        .collect();
    if !others.is_empty() {
        return Err(Failure::new(format!(
            "expected: the save adds the shared track {track_id} to the recipient's library, and nothing else\nactual:   {} other track(s) gained entries with it: {}\n{OTHER_WRITERS}",
            others.len(),
            others.join(", ")
        )));
    }
    Ok(if grown.iter().any(|(id, _)| *id == track_id) {
        LibraryGain::Entry
    } else if after.first().map(String::as_str) == Some(track_id)
        && before.first().map(String::as_str) != Some(track_id)
    {
        LibraryGain::MovedToFront
    } else {
        LibraryGain::NotVisible
    })
}

/// The saves that must be refused added no entry to the recipient's library.
pub fn nothing_added(before: &[String], after: &[String], refused: &[String]) -> Check {
    let added = grown(before, after);
    if added.is_empty() {
        return Ok(());
    }
    Err(Failure::new(format!(
        "expected: the recipient's library unchanged by saves that must be refused\nactual:   {} track(s) gained entries: {}\nthe saves made between the two listings:\n{}\n{OTHER_WRITERS}",
        added.len(),
        added
            .iter()
            .map(|(id, n)| format!("{id} (+{n})"))
            .collect::<Vec<_>>()
            .join(", "),
        refused
            .iter()
            .map(|r| format!("  - {r}"))
            .collect::<Vec<_>>()
            .join("\n")
    )))
}

/// A listing read late in the run, `after` the lag a target's reads may show: no track but
/// the ones the run saved on purpose (`saved`) gained an entry since `before`, so a write
/// that must not happen did not land late either.
pub fn appeared_late(
    before: &[String],
    late: &[String],
    saved: &[&str],
    what: &str,
    lag: &str,
) -> Check {
    let late: Vec<(&str, usize)> = grown(before, late)
        .into_iter()
        .filter(|(id, _)| !saved.contains(id))
        .collect();
    if late.is_empty() {
        return Ok(());
    }
    Err(Failure::new(format!(
        "expected: {what}, also when the library is read again late in the run ({lag} after)\nactual:   {} track(s) gained entries by then: {}\n{OTHER_WRITERS}",
        late.len(),
        late.iter()
            .map(|(id, n)| format!("{id} (+{n})"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_save_shows_as_an_entry_a_move_to_the_front_or_not_at_all() {
        let t = "mtrack_t";
        // Listed once per save, newest first: a second entry.
        assert_eq!(
            library_gained(&ids(&[t, "mtrack_o"]), &ids(&[t, t, "mtrack_o"]), true, t),
            Ok(LibraryGain::Entry)
        );
        // Listed once, at its newest save: it moved to the front.
        assert_eq!(
            library_gained(&ids(&["mtrack_o", t]), &ids(&[t, "mtrack_o"]), true, t),
            Ok(LibraryGain::MovedToFront)
        );
        // Listed once and kept where it was: nothing to see.
        assert_eq!(
            library_gained(&ids(&["mtrack_o", t]), &ids(&["mtrack_o", t]), true, t),
            Ok(LibraryGain::NotVisible)
        );
        // Not there at all, or another track came with it.
        assert!(library_gained(&ids(&[]), &ids(&["mtrack_o"]), true, t).is_err());
        assert!(library_gained(&ids(&[]), &ids(&[t, "mtrack_x"]), true, t).is_err());
    }

    #[test]
    fn listings_compare_entries_per_track() {
        let t = "mtrack_t";
        assert_eq!(library_unsteady(&ids(&[t, t]), &ids(&[t, t, t])), None);
        assert!(library_unsteady(&ids(&[t, t]), &ids(&[t])).is_some());
        assert!(nothing_added(&ids(&[t]), &ids(&[t]), &[]).is_ok());
        assert!(nothing_added(&ids(&[t]), &ids(&[t, t]), &[]).is_err());
        assert!(appeared_late(&ids(&[]), &ids(&[t, "mtrack_c"]), &[t], "x", "2 s").is_err());
        assert!(appeared_late(&ids(&[]), &ids(&[t, t]), &[t], "x", "2 s").is_ok());
    }
}
