//! What reached the recipient's library, through List saved tracks: a listing is the track ids
//! of its items, newest save first ([doc]). The docs say neither that a track appears once nor
//! that it appears once per save, so every comparison is of entries per track: a target that
//! lists a track once per save and one that lists it once, at its newest save, are judged
//! alike.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Check, Failure, json_body};
use crate::exchange::{Exchange, status_text};

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

/// The part of an earlier listing to compare a later one with. The harness reads at most
/// 1,000 entries, newest first; once a library holds more (an hourly gate against a target
/// that lists a track once per save gets there in about six weeks), a later listing that was
/// cut shows new entries at its front and loses as many of the oldest at its end, which per
/// track counts would take for entries lost. When `after` was cut and is `before`'s window
/// moved by entries at its front (new ones, or tracks moved there from further down), the
/// entries of `before` still inside that window are returned; otherwise `before` as it is.
pub fn aligned(before: &[String], after: &[String], after_cut: bool) -> Vec<String> {
    if !after_cut {
        return before.to_vec();
    }
    // Some entry of `before` must still be in the window: a window of nothing but new
    // entries explains any listing.
    for front in 0..after.len().min(64) {
        let (moved, rest) = after.split_at(front);
        for remove_moved in [false, true] {
            // `before` without the first entry of each moved track, when they moved.
            let mut removed: Vec<&str> = if remove_moved {
                moved.iter().map(String::as_str).collect()
            } else {
                Vec::new()
            };
            let mut kept = 0;
            let mut end = 0;
            let mut matched = true;
            for (i, id) in before.iter().enumerate() {
                if kept == rest.len() {
                    break;
                }
                if let Some(at) = removed.iter().position(|r| *r == id) {
                    removed.swap_remove(at);
                } else if *id == rest[kept] {
                    kept += 1;
                } else {
                    matched = false;
                    break;
                }
                end = i + 1;
            }
            if matched && kept == rest.len() {
                return before[..end].to_vec();
            }
        }
    }
    before.to_vec()
}

/// A track a listing shows more than once, and how often (`mtrack_… listed 3 times`): the
/// listing keeps an entry per save, not one per track.
pub fn listed_more_than_once(listing: &[String]) -> Option<String> {
    entries(listing)
        .into_iter()
        .find(|(_, n)| *n > 1)
        .map(|(id, n)| format!("{id} listed {n} times"))
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

/// A listing read late in the run, `after` the lag a target's reads may show: no track gained
/// more entries since `before` than `saved` allows it (the entries the run's own successful
/// saves may have added: each track with how many, `usize::MAX` for any), so a write that
/// must not happen did not land late either.
pub fn appeared_late(
    before: &[String],
    late: &[String],
    saved: &[(&str, usize)],
    what: &str,
    lag: &str,
) -> Check {
    let late: Vec<(&str, usize, usize)> = grown(before, late)
        .into_iter()
        .map(|(id, n)| {
            let allowed = saved
                .iter()
                .find(|(track, _)| *track == id)
                .map_or(0, |(_, allowed)| *allowed);
            (id, n, allowed)
        })
        .filter(|(_, n, allowed)| n > allowed)
        .collect();
    if late.is_empty() {
        return Ok(());
    }
    Err(Failure::new(format!(
        "expected: {what}, also when the library is read again late in the run ({lag} after)\nactual:   {} track(s) gained entries by then: {}\n{OTHER_WRITERS}",
        late.len(),
        late.iter()
            .map(|(id, n, allowed)| if *allowed == 0 {
                format!("{id} (+{n})")
            } else {
                format!("{id} (+{n}, though the run's successful saves answered {allowed} edge(s) of it)")
            })
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_the_ids_of_its_items_from_a_200() {
        let page =
            |status: u16, body: &str| library_page(&crate::checks::answer(status, &[], body));
        assert_eq!(
            page(
                200,
                r#"{"items":[{"id":"a"},{"id":"b"}],"limit":2,"offset":0}"#
            )
            .unwrap(),
            ["a", "b"]
        );
        assert_eq!(page(200, r#"{"items":[]}"#).unwrap(), Vec::<String>::new());
        assert!(page(201, r#"{"items":[{"id":"a"}]}"#).is_err());
        assert!(page(200, r#"{"tracks":[]}"#).is_err());
        assert!(page(200, r#"{"items":[{"title":"a"}]}"#).is_err());
    }

    #[test]
    fn a_track_listed_more_than_once_is_named_with_its_count() {
        let list = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(listed_more_than_once(&list(&["a", "b"])), None);
        assert_eq!(listed_more_than_once(&list(&[])), None);
        assert_eq!(
            listed_more_than_once(&list(&["a", "b", "a", "a"])),
            Some("a listed 3 times".to_owned())
        );
    }

    #[test]
    fn what_grew_is_counted_by_the_entries_added() {
        let list = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            grown(&list(&["a", "b"]), &list(&["a", "a", "a", "b", "c"])),
            [("a", 2), ("c", 1)]
        );
        // The saved track listed with another that gained nothing: an entry of its own.
        assert_eq!(
            library_gained(&list(&["b"]), &list(&["t", "b"]), true, "t"),
            Ok(LibraryGain::Entry)
        );
        let other = library_gained(&list(&["b"]), &list(&["t", "x", "b"]), true, "t");
        assert!(
            other
                .unwrap_err()
                .message()
                .contains("1 other track(s) gained entries with it: x")
        );
    }

    #[test]
    fn a_moved_track_inside_a_cut_window_is_set_aside_once() {
        // Six entries; the later listing, cut at five, has mtrack_3 moved to the front and
        // has lost the oldest entry: compared with the first five.
        let old: Vec<String> = (0..6).map(|i| format!("mtrack_{i}")).collect();
        let after = ids(&["mtrack_3", "mtrack_0", "mtrack_1", "mtrack_2", "mtrack_4"]);
        assert_eq!(aligned(&old, &after, true), old[..5].to_vec());
        // A new entry and a moved one in front, the two oldest gone.
        let old: Vec<String> = (0..7).map(|i| format!("mtrack_{i}")).collect();
        let after = ids(&[
            "mtrack_x", "mtrack_3", "mtrack_0", "mtrack_1", "mtrack_2", "mtrack_4",
        ]);
        assert_eq!(aligned(&old, &after, true), old[..5].to_vec());
    }

    #[test]
    fn a_library_without_the_saved_track_did_not_gain_it() {
        let list = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let missing = library_gained(&list(&["b"]), &list(&["b"]), true, "t").unwrap_err();
        assert!(missing.message().contains("not this track"), "{missing}");
        let other = library_gained(&list(&["b"]), &list(&["c", "b"]), false, "t").unwrap_err();
        assert!(
            other
                .message()
                .contains("(the newest ones), not this track: c, b"),
            "{other}"
        );
    }

    #[test]
    fn a_library_is_unsteady_only_when_a_track_lost_entries() {
        let list = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            library_unsteady(&list(&["a", "b"]), &list(&["c", "a", "b"])),
            None
        );
        assert_eq!(
            library_unsteady(&list(&["a", "a"]), &list(&["a", "a"])),
            None
        );
        let lost = library_unsteady(&list(&["a", "b", "b"]), &list(&["a", "b"])).unwrap();
        assert!(
            lost.starts_with("1 track(s) lost entries") && lost.contains("(b)"),
            "{lost}"
        );
        assert!(library_unsteady(&list(&["a", "b"]), &list(&["b"])).is_some());
    }

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
    fn a_cut_listing_is_compared_with_what_is_still_in_its_window() {
        let t = "mtrack_t";
        let old: Vec<String> = (0..5).map(|i| format!("mtrack_{i}")).collect();
        // Listed once per save, cut at 5: one new entry in front, the oldest gone.
        let mut after = vec![t.to_owned()];
        after.extend_from_slice(&old[..4]);
        let before = aligned(&old, &after, true);
        assert_eq!(before, old[..4].to_vec());
        assert_eq!(library_unsteady(&before, &after), None);
        assert_eq!(
            library_gained(&before, &after, false, t),
            Ok(LibraryGain::Entry)
        );
        // A track moved to the front from further down, cut at 5.
        let mut moved = vec!["mtrack_3".to_owned()];
        moved.extend(["mtrack_0", "mtrack_1", "mtrack_2", "mtrack_4"].map(str::to_owned));
        let before = aligned(&old, &moved, true);
        assert_eq!(library_unsteady(&before, &moved), None);
        assert_eq!(
            library_gained(&before, &moved, false, "mtrack_3"),
            Ok(LibraryGain::MovedToFront)
        );
        // Not cut, or not a moved window: compared whole, so a loss is a loss.
        assert_eq!(aligned(&old, &after, false), old);
        let unexplained = ids(&["mtrack_3", "mtrack_0", "mtrack_1", "mtrack_2", "mtrack_9"]);
        assert_eq!(aligned(&old, &unexplained, true), old);
        // A refused save that added an entry still shows, cut or not.
        let mut refused = vec!["mtrack_x".to_owned()];
        refused.extend_from_slice(&old[..4]);
        assert!(nothing_added(&aligned(&old, &refused, true), &refused, &[]).is_err());
    }

    #[test]
    fn listings_compare_entries_per_track() {
        let t = "mtrack_t";
        assert_eq!(library_unsteady(&ids(&[t, t]), &ids(&[t, t, t])), None);
        assert!(library_unsteady(&ids(&[t, t]), &ids(&[t])).is_some());
        assert!(nothing_added(&ids(&[t]), &ids(&[t]), &[]).is_ok());
        assert!(nothing_added(&ids(&[t]), &ids(&[t, t]), &[]).is_err());
        assert!(appeared_late(&ids(&[]), &ids(&[t, "mtrack_c"]), &[(t, 1)], "x", "2 s").is_err());
        assert!(appeared_late(&ids(&[]), &ids(&[t, t]), &[(t, 2)], "x", "2 s").is_ok());
        // A track listed once per save gained more entries than the run's saves made edges.
        assert!(appeared_late(&ids(&[t]), &ids(&[t, t, t]), &[(t, 1)], "x", "2 s").is_err());
        assert!(appeared_late(&ids(&[t]), &ids(&[t, t]), &[(t, usize::MAX)], "x", "2 s").is_ok());
    }
}
