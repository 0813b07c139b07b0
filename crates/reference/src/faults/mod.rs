//! The fault catalogue: realistic defects a vendor could ship, each one the reference server
//! can be started with, each declaring the clause(s) that must catch it.
//!
//! A fault that breaks a MUST clause must fail the run; a fault whose clauses are all SHOULD
//! (an *advisory* fault: a bad habit the docs do not forbid) must be reported as
//! ADVISORY-FAIL while the run passes. `cargo test` (the matrix of `crates/cli/src/matrix/`) holds every entry
//! to its word. To add a fault, add its entry to `catalogue.rs`: the variant, its name, its kind,
//! its clauses, what it does wrong, where the suite catches it ([`Catch`]), and its hook over
//! [`Behaviour`]. Nothing else changes unless the hook needs a knob the behaviour does not have
//! yet.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::behaviour::Behaviour;
use super::store::Refusal;
use crate::clock;

/// What part of the contract a fault breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The status line.
    Status,
    /// The library edge.
    Body,
    /// The error envelope.
    Envelope,
    /// What the endpoint does.
    Semantics,
    /// How the answer travels.
    Transport,
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Status => "status",
            Self::Body => "body",
            Self::Envelope => "envelope",
            Self::Semantics => "semantics",
            Self::Transport => "transport",
        })
    }
}

/// A fault's catalogue entry.
#[derive(Clone, Copy)]
pub struct FaultInfo {
    /// The fault.
    pub fault: Fault,
    /// Its name on the command line (`serve --fault NAME`).
    pub name: &'static str,
    /// What it breaks.
    pub kind: FaultKind,
    /// The clauses that must catch it: each must FAIL (ADVISORY-FAIL for a SHOULD clause).
    pub clauses: &'static [&'static str],
    /// One line: what the server does wrong.
    pub description: &'static str,
    /// Where the suite must catch it: every one of these fails, and the matrix checks it.
    pub caught: &'static [Catch],
    /// How it changes the documented behaviour.
    pub apply: fn(&mut Behaviour),
}

impl fmt::Debug for FaultInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultInfo")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("clauses", &self.clauses)
            .finish_non_exhaustive()
    }
}

/// Where the suite must catch a fault: a scenario (by name; an outline's row has its own) and
/// the step of it that fails, by a check on the answer. A fault of the transport names the
/// words its failure says instead, since no answer is its symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Catch {
    /// `Saving a live track share returns 201 Created`.
    pub scenario: &'static str,
    /// `Then the status is 201`.
    pub step: &'static str,
    /// Words the failure's message must hold (`timed out after`).
    pub message: Option<&'static str>,
}

macro_rules! catch_message {
    () => {
        None
    };
    ($message:literal) => {
        Some($message)
    };
}

// One list makes both the enum and its catalogue, so neither can lack an entry.
macro_rules! faults {
    ($($fault:ident, $name:literal, $kind:ident, [$($clause:literal),+], $description:literal,
        caught: [$($scenario:literal / $step:literal $(~ $message:literal)?),+ $(,)?],
        $apply:expr;)+) => {
        /// One deliberate defect (see [`CATALOGUE`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $(#[doc = $description] $fault,)+
        }

        /// Every fault, by kind.
        pub const CATALOGUE: &[FaultInfo] = &[$(FaultInfo {
            fault: Fault::$fault,
            name: $name,
            kind: FaultKind::$kind,
            clauses: &[$($clause),+],
            description: $description,
            caught: &[$(Catch {
                scenario: $scenario,
                step: $step,
                message: catch_message!($($message)?),
            }),+],
            apply: $apply,
        }),+];
    };
}

/// What a revealing 404 says of each reason a share is unavailable (a fault's words).
fn why_sentence(refusal: Option<Refusal>) -> Option<&'static str> {
    Some(match refusal? {
        Refusal::Revoked => "This share link was revoked by its owner.",
        Refusal::Expired => "This share link has expired.",
        Refusal::Removed => "The shared track was deleted.",
        Refusal::Unknown => "This share link does not exist.",
        _ => return None,
    })
}

/// A revealing 404's one word for each reason a share is unavailable.
fn why_word(refusal: Option<Refusal>) -> Option<&'static str> {
    Some(match refusal? {
        Refusal::Revoked => "revoked",
        Refusal::Expired => "expired",
        Refusal::Removed => "removed",
        Refusal::Unknown => "unknown",
        _ => return None,
    })
}

/// The edge's `created_at` rewritten by `f` (a fault's or a variant's), kept when unreadable.
pub(crate) fn rewrite_created_at(edge: &mut Value, f: fn(time::OffsetDateTime) -> String) {
    if let Some(at) = edge["created_at"].as_str().and_then(clock::parse) {
        edge["created_at"] = Value::from(f(at));
    }
}

mod catalogue;

pub use catalogue::{CATALOGUE, Fault};

impl Fault {
    /// The catalogue entry of this fault.
    pub fn info(self) -> &'static FaultInfo {
        CATALOGUE
            .iter()
            .find(|info| info.fault == self)
            .expect("the faults! macro gives every fault a catalogue entry")
    }

    /// The fault's command-line name.
    pub fn name(self) -> &'static str {
        self.info().name
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        CATALOGUE
            .iter()
            .find(|info| info.name == name)
            .map(|info| info.fault)
            .ok_or_else(|| {
                format!("no fault is called {name:?} (list them with `share-conformance faults`)")
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn names_and_variants_are_unique_and_round_trip() {
        let names: HashSet<&str> = CATALOGUE.iter().map(|i| i.name).collect();
        let faults: HashSet<Fault> = CATALOGUE.iter().map(|i| i.fault).collect();
        assert_eq!(names.len(), CATALOGUE.len());
        assert_eq!(faults.len(), CATALOGUE.len());
        for info in CATALOGUE {
            assert_eq!(info.name.parse::<Fault>(), Ok(info.fault));
            assert_eq!(info.fault.info().name, info.name);
        }
        assert!("nope".parse::<Fault>().is_err());
    }
}
