//! Known failures, for gates: a file listing MUST clauses a team knows its target breaks,
//! each with a reason and the last day it is excused.
//!
//! ```toml
//! [[known]]
//! clause = "SAVE-EDGE-TARGET"
//! reason = "TICKET-1234: the edge names the share, not the track"
//! until = "2027-03-01"
//! ```
//!
//! A listed MUST clause that fails is KNOWN-FAILURE: reported everywhere, but it does not fail
//! a run through its `until` day (UTC). From the next day the entry is expired, and an expired
//! entry fails the run whatever its clause does, so an exception cannot outlive its date
//! unnoticed. An entry naming a clause the suite does not have fails the run too (a typo must
//! not excuse nothing silently). A listed clause that passes is reported as fixed. A
//! certification takes no known failures: a certificate states every MUST clause as it is.
//!
//! ```no_run
//! # async fn example(target: share_conformance::Target) -> Result<(), share_conformance::Error> {
//! use share_conformance::Run;
//! use share_conformance::known::KnownFailures;
//!
//! let known = KnownFailures::load("known-failures.toml".as_ref())?;
//! let report = Run::new(target).known_failures(known).execute().await?;
//! report.assert_passed();
//! # Ok(())
//! # }
//! ```

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::error::Error;

/// A known-failures file, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownFailures {
    /// The file's name as it was given: what "remove it from …" names.
    pub file: String,
    /// The entries, in file order.
    pub entries: Vec<KnownFailure>,
}

/// One entry of a known-failures file: a `[[known]]` failure, or an `[[untestable]]` case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownFailure {
    /// The clause id it excuses.
    pub clause: String,
    /// Why: a ticket or a sentence.
    pub reason: String,
    /// The last day (UTC) it excuses its clause: `2027-03-01`.
    pub until: String,
    /// For an `[[untestable]]` entry, the NOT-TESTABLE case it accepts ([`Case::name`]): the
    /// clause's run does not fail for being NOT-TESTABLE in exactly that case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
}

/// What became of one entry in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KnownStatus {
    /// Its clause failed, and the entry excused it: KNOWN-FAILURE.
    Excused,
    /// Its clause passed: the entry can be removed.
    Fixed,
    /// Its date has passed: it excuses nothing, and fails the run.
    Expired,
    /// It names a clause the suite does not have: it fails the run.
    UnknownClause,
    /// Its clause was not selected by this run.
    NotRun,
    /// Its clause is a SHOULD clause, which never fails a run anyway (unless the run is
    /// strict: then an entry excuses a failing SHOULD clause as it does a MUST clause).
    Advisory,
    /// Its clause was NOT-TESTABLE or FLAKY: neither failed nor shown fixed.
    Unsettled,
    /// An `[[untestable]]` entry: its clause was NOT-TESTABLE in exactly the case it names,
    /// which does not fail the run.
    Accepted,
}

/// One entry and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KnownOutcome {
    /// The entry.
    pub entry: KnownFailure,
    /// What became of it.
    pub status: KnownStatus,
}

impl KnownStatus {
    /// Whether the entry itself fails the run (it is expired, or names no clause).
    pub fn fails_run(self) -> bool {
        matches!(self, Self::Expired | Self::UnknownClause)
    }
}

impl KnownFailure {
    /// Its `until` day, or `None` if the text is not a `YYYY-MM-DD` date (an entry edited
    /// into a recording, say): such an entry counts as expired.
    pub fn until_date(&self) -> Option<Date> {
        parse_date(&self.until)
    }

    /// Whether it still excuses its clause on `today` (its `until` day included).
    pub fn active_on(&self, today: Date) -> bool {
        self.until_date().is_some_and(|until| today <= until)
    }
}

impl KnownFailures {
    /// Reads and checks a known-failures file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::KnownFailures {
            path: Some(path.to_owned()),
            reason: format!("cannot read it: {e}"),
        })?;
        let name = path.display().to_string();
        Self::parse(&text, &name).map_err(|reason| Error::KnownFailures {
            path: Some(path.to_owned()),
            reason,
        })
    }

    /// Parses and checks the text of a known-failures file named `file`. Every entry needs a
    /// `clause`, a non-empty `reason` and an `until` date (`"2027-03-01"` or `2027-03-01`); an
    /// unknown key, a second entry for one clause or anything else in the file is refused.
    pub fn parse(text: &str, file: &str) -> Result<Self, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("not TOML: {}", e.message()))?;
        if let Some(key) = table
            .keys()
            .find(|k| !matches!(k.as_str(), "known" | "untestable"))
        {
            return Err(format!(
                "unknown key `{key}`: the file holds [[known]] entries (clause, reason, until) and [[untestable]] entries (clause, case, reason, until)"
            ));
        }
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        for table_name in ["known", "untestable"] {
            let list = match table.get(table_name) {
                None => continue,
                Some(toml::Value::Array(list)) => list,
                Some(_) => {
                    return Err(format!(
                        "`{table_name}` must be a list of [[{table_name}]] entries"
                    ));
                }
            };
            for (i, value) in list.iter().enumerate() {
                let entry = parse_entry(table_name, i + 1, value)?;
                if !seen.insert(entry.clause.clone()) {
                    return Err(format!(
                        "[[{table_name}]] entry {}: {} is listed twice; keep one entry per clause",
                        i + 1,
                        entry.clause
                    ));
                }
                entries.push(entry);
            }
        }
        Ok(Self {
            file: file.to_owned(),
            entries,
        })
    }

    /// The `[[known]]` entry that excuses a failure of `clause` on `today`, if one does.
    pub(crate) fn excusing(&self, clause: &str, today: Date) -> Option<&KnownFailure> {
        self.entries
            .iter()
            .find(|e| e.clause == clause && e.case.is_none() && e.active_on(today))
    }

    /// What a report says under a known failure: `listed in known.toml until 2027-03-01: …`.
    pub(crate) fn note(&self, entry: &KnownFailure) -> String {
        format!(
            "listed in {} until {}: {}",
            self.file, entry.until, entry.reason
        )
    }
}

/// The NOT-TESTABLE cases a gate may accept by name: each is a limit of what the docs let a
/// run prove against a particular target, not a gap in the run's own configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Case {
    /// The library lists each track once and keeps a re-saved track where it was, so a save
    /// of a track it already holds shows nothing.
    ListedOnce,
    /// The delete lifecycle needs a fresh disposable track, which the run was not given.
    NoDisposableTrack,
    /// The revoke lifecycle revokes the run's own provisioned live share, which it has not.
    NoProvisionedLive,
}

impl Case {
    /// Every case, for the known-failures file's check.
    pub const ALL: [Case; 3] = [
        Case::ListedOnce,
        Case::NoDisposableTrack,
        Case::NoProvisionedLive,
    ];

    /// Its name in reports and in known-failures files.
    pub fn name(self) -> &'static str {
        match self {
            Self::ListedOnce => "listed-once",
            Self::NoDisposableTrack => "no-disposable-track",
            Self::NoProvisionedLive => "no-provisioned-live",
        }
    }
}

/// One `[[known]]` or `[[untestable]]` entry, checked: `clause`, a non-empty `reason`, an
/// `until` date, and for `[[untestable]]` a `case` of [`Case::ALL`].
fn parse_entry(table: &str, n: usize, value: &toml::Value) -> Result<KnownFailure, String> {
    let toml::Value::Table(entry) = value else {
        return Err(format!("[[{table}]] entry {n} is not a table"));
    };
    let untestable = table == "untestable";
    let known_key =
        |k: &str| matches!(k, "clause" | "reason" | "until") || (untestable && k == "case");
    if let Some(key) = entry.keys().find(|k| !known_key(k)) {
        return Err(format!(
            "[[{table}]] entry {n}: unknown key `{key}` (an entry has clause, {}reason and until)",
            if untestable { "case, " } else { "" }
        ));
    }
    let text_field = |name: &str| -> Result<String, String> {
        match entry.get(name) {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().into()),
            Some(toml::Value::String(_)) => {
                Err(format!("[[{table}]] entry {n}: `{name}` is empty"))
            }
            Some(_) => Err(format!("[[{table}]] entry {n}: `{name}` must be a string")),
            None => Err(format!("[[{table}]] entry {n}: `{name}` is missing")),
        }
    };
    let clause = text_field("clause")?;
    let reason = text_field("reason")?;
    let until = match entry.get("until") {
        Some(toml::Value::String(s)) => s.trim().to_owned(),
        Some(toml::Value::Datetime(d)) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        Some(_) => {
            return Err(format!(
                "[[{table}]] entry {n} ({clause}): `until` must be a date such as \"2027-03-01\""
            ));
        }
        None => {
            return Err(format!(
                "[[{table}]] entry {n} ({clause}): `until` is missing"
            ));
        }
    };
    if parse_date(&until).is_none() {
        return Err(format!(
            "[[{table}]] entry {n} ({clause}): until = {until:?} is not a date such as \"2027-03-01\""
        ));
    }
    let case = if untestable {
        let case = text_field("case")?;
        if !Case::ALL.iter().any(|c| c.name() == case) {
            return Err(format!(
                "[[untestable]] entry {n} ({clause}): no NOT-TESTABLE case is called {case:?} (the cases a gate may accept: {})",
                Case::ALL.map(Case::name).join(", ")
            ));
        }
        Some(case)
    } else {
        None
    };
    Ok(KnownFailure {
        clause,
        reason,
        until,
        case,
    })
}

/// A known-failures list and the day it is judged on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KnownOn<'a> {
    pub(crate) list: &'a KnownFailures,
    pub(crate) today: Date,
    /// Whether SHOULD clauses fail the run too, so that an entry can excuse one.
    pub(crate) strict: bool,
}

impl KnownOn<'_> {
    /// The note for a failing MUST scenario every clause of which an active entry excuses;
    /// `None` if any clause is not excused (the scenario is then a FAIL).
    pub(crate) fn excuse(&self, clauses: &[String]) -> Option<String> {
        if clauses.is_empty() {
            return None;
        }
        let entries: Option<Vec<&KnownFailure>> = clauses
            .iter()
            .map(|c| self.list.excusing(c, self.today))
            .collect();
        let entries = entries?;
        let notes: Vec<String> = entries.iter().map(|e| self.list.note(e)).collect();
        Some(notes.join("; "))
    }
}

/// `2027-03-01` as a date.
fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text, format_description!("[year]-[month]-[day]")).ok()
}

/// The UTC day of `at`.
pub(crate) fn day_of(at: std::time::SystemTime) -> Date {
    time::OffsetDateTime::from(at).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_entries_with_a_string_or_a_toml_date() {
        let list = KnownFailures::parse(
            "[[known]]\nclause = \"A\"\nreason = \"T-1\"\nuntil = \"2027-03-01\"\n\n[[known]]\nclause = \"C\"\nreason = \"T-2\"\nuntil = 2027-04-01\n",
            "known.toml",
        )
        .unwrap();
        assert_eq!(list.entries.len(), 2);
        assert_eq!(list.entries[1].until, "2027-04-01");
        assert_eq!(list.entries[0].until_date(), Some(date!(2027 - 03 - 01)));
        assert!(KnownFailures::parse("", "k").unwrap().entries.is_empty());
    }

    #[test]
    fn an_entry_excuses_through_its_day_and_not_after() {
        let list = KnownFailures::parse(
            "[[known]]\nclause = \"A\"\nreason = \"r\"\nuntil = \"2027-03-01\"\n",
            "k",
        )
        .unwrap();
        assert!(list.excusing("A", date!(2027 - 03 - 01)).is_some());
        assert!(list.excusing("A", date!(2027 - 03 - 02)).is_none());
        assert!(list.excusing("B", date!(2027 - 01 - 01)).is_none());
        let on = KnownOn {
            list: &list,
            today: date!(2027 - 01 - 01),
            strict: false,
        };
        assert!(on.excuse(&["A".into()]).is_some());
        assert!(on.excuse(&["A".into(), "B".into()]).is_none());
        assert!(on.excuse(&[]).is_none());
    }

    #[test]
    fn refuses_what_would_excuse_something_unintended() {
        let refused = |text: &str, why: &str| {
            let e = KnownFailures::parse(text, "k").unwrap_err();
            assert!(e.contains(why), "{text:?} gave {e:?}, wanted {why:?}");
        };
        refused(
            "[[known]]\nclause = \"A\"\nreason = \"r\"\n",
            "`until` is missing",
        );
        refused(
            "[[known]]\nclause = \"A\"\nuntil = \"2027-01-01\"\n",
            "`reason` is missing",
        );
        refused(
            "[[known]]\nclause = \"A\"\nreason = \" \"\nuntil = \"2027-01-01\"\n",
            "`reason` is empty",
        );
        refused(
            "[[known]]\nclause = \"A\"\nreason = \"r\"\nuntil = \"1 March\"\n",
            "is not a date",
        );
        refused(
            "[[known]]\nclause = \"A\"\nreason = \"r\"\nuntil = 2027-03-01T10:00:00Z\n",
            "must be a date",
        );
        refused(
            "[[known]]\nclause = \"A\"\nreason = \"r\"\nutil = \"2027-01-01\"\n",
            "unknown key `util`",
        );
        refused(
            "[[known]]\nclause = \"A\"\nreason = \"r\"\nuntil = \"2027-01-01\"\n[[known]]\nclause = \"A\"\nreason = \"s\"\nuntil = \"2027-01-01\"\n",
            "listed twice",
        );
        refused("[known]\nclause = \"A\"\n", "list of [[known]] entries");
        refused("clause = \"A\"\n", "unknown key `clause`");
        refused("[[known]\n", "not TOML");
    }
}
