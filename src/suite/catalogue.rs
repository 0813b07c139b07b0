//! The clause catalogue (`features/clauses.toml`): every checkable sentence of the docs.
//!
//! Scenarios name the clauses they prove with `@clause:<ID>` tags; a clause's verdict is the
//! combination of its scenarios' outcomes, judged by the report's verdict module.

use std::fmt;

use anyhow::{Context as _, bail};
use serde::Deserialize;

/// The tag prefix that names a clause on a scenario.
pub const CLAUSE_TAG_PREFIX: &str = "clause:";
/// The tag that marks a scenario as advisory (every clause it names is SHOULD).
pub const SHOULD_TAG: &str = "should";
/// The tag of scenarios that read the public view of the live share around the first save.
pub const RESOLVE_TAG: &str = "resolve";
/// The tag of scenarios that read the recipient's library around the first save.
pub const LIBRARY_TAG: &str = "library";
/// Scenarios run after every other one (the revoke lifecycle revokes the run's live share).
pub const AFTER_THE_REST_TAG: &str = "after-the-rest";

/// How binding a clause is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Level {
    /// Normative: a failure fails the run.
    #[serde(rename = "MUST")]
    Must,
    /// Advisory: a failure is reported as ADVISORY-FAIL and never fails a run.
    #[serde(rename = "SHOULD")]
    Should,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
        })
    }
}

/// Where a fact comes from (ARCHITECTURE.md, principle 6): how strong a verdict it can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Provenance {
    /// Stated in prose, or a field's documented type and meaning: may carry a MUST.
    #[serde(rename = "doc")]
    Doc,
    /// Only visible in an example: a SHOULD at most.
    #[serde(rename = "ex")]
    Example,
    /// Stated nowhere: a hypothesis, a SHOULD at most.
    #[serde(rename = "inferred")]
    Inferred,
}

impl Provenance {
    /// `doc`, `ex`, `inferred`: the word used in `clauses.toml` and in feature files.
    pub fn word(self) -> &'static str {
        match self {
            Self::Doc => "doc",
            Self::Example => "ex",
            Self::Inferred => "inferred",
        }
    }

    /// The mark as written in feature files and reports: `[doc]`, `[ex]`, `[inferred]`.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Doc => "[doc]",
            Self::Example => "[ex]",
            Self::Inferred => "[inferred]",
        }
    }

    /// Every provenance.
    pub const ALL: [Provenance; 3] = [Self::Doc, Self::Example, Self::Inferred];
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.mark())
    }
}

/// One checkable sentence of the docs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Stable id, e.g. `SAVE-401-MISSING-KEY`.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// Where the fact comes from; a MUST clause is always [`Provenance::Doc`].
    pub mark: Provenance,
    /// The file(s) of `docs/` the fact is in.
    pub source: String,
    /// The fact, as the docs say it (condensed where it joins sentences; the scenarios'
    /// `[doc]` lines quote `docs/` verbatim).
    pub doc: String,
    /// What the target must do to satisfy it.
    pub check: String,
}

/// Every clause, in catalogue order.
#[derive(Debug, Clone)]
pub struct Catalogue {
    clauses: Vec<Clause>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    clause: Vec<Clause>,
}

impl Catalogue {
    /// Parses `clauses.toml` and checks ids are well-formed and unique.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let file: CatalogueFile = toml::from_str(text).context("clauses.toml is not valid")?;
        let mut seen = std::collections::HashSet::new();
        for clause in &file.clause {
            let well_formed = !clause.id.is_empty()
                && clause
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
            if !well_formed {
                bail!("clause id {:?} is not UPPER-KEBAB-CASE", clause.id);
            }
            if !seen.insert(clause.id.as_str()) {
                bail!("clause {} is listed twice", clause.id);
            }
            // ARCHITECTURE.md, principle 6: a verdict is only as strong as its source.
            if clause.level == Level::Must && clause.mark != Provenance::Doc {
                bail!(
                    "clause {} is MUST but rests on {}: a MUST asserts only [doc] facts (make it SHOULD)",
                    clause.id,
                    clause.mark
                );
            }
        }
        Ok(Self {
            clauses: file.clause,
        })
    }

    /// Every clause, in catalogue order.
    pub fn iter(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.iter()
    }

    /// The clause with this id.
    pub fn get(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// How many clauses there are.
    pub fn len(&self) -> usize {
        self.clauses.len()
    }
}

/// The clause ids a scenario's tags name.
pub fn clause_ids<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<&'a str> {
    tags.into_iter()
        .filter_map(|t| t.strip_prefix(CLAUSE_TAG_PREFIX))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicates_and_bad_ids() {
        let one = "[[clause]]\nid = \"A-1\"\nlevel = \"MUST\"\nmark = \"doc\"\nsource = \"s\"\ndoc = \"d\"\ncheck = \"c\"\n";
        assert_eq!(Catalogue::parse(one).unwrap().len(), 1);
        let err = Catalogue::parse(&format!("{one}{one}")).unwrap_err();
        assert!(err.to_string().contains("listed twice"));
        let err = Catalogue::parse(&one.replace("A-1", "a b")).unwrap_err();
        assert!(err.to_string().contains("UPPER-KEBAB-CASE"));
        assert!(Catalogue::parse(&one.replace("MUST", "MAY")).is_err());
        assert!(Catalogue::parse(&one.replace("\"doc\"", "\"guess\"")).is_err());
    }

    #[test]
    fn a_must_clause_rests_on_the_docs_only() {
        let clause = |level: &str, mark: &str| {
            format!(
                "[[clause]]\nid = \"A\"\nlevel = \"{level}\"\nmark = \"{mark}\"\nsource = \"s\"\ndoc = \"d\"\ncheck = \"c\"\n"
            )
        };
        for mark in ["ex", "inferred"] {
            let err = Catalogue::parse(&clause("MUST", mark)).unwrap_err();
            assert!(err.to_string().contains("only [doc] facts"), "{err}");
            assert!(Catalogue::parse(&clause("SHOULD", mark)).is_ok());
        }
        assert!(Catalogue::parse(&clause("MUST", "doc")).is_ok());
    }
}
