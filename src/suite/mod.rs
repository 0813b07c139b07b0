//! The suite as data: feature files, the clause catalogue, schemas and snapshots.
//!
//! Every file is embedded in the compiled crate, so the binary and the library work outside
//! this source tree. Loading checks the suite's own consistency: every scenario names at least
//! one catalogued clause, `@should` is used exactly on SHOULD clauses, and every snapshot a
//! step names exists.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow, bail};
use cucumber::feature::Ext as _;
use cucumber::gherkin;

pub(crate) mod catalogue;
pub(crate) mod schema;
pub(crate) mod snapshot;

use catalogue::{CLAUSE_TAG_PREFIX, Catalogue, LIBRARY_TAG, RESOLVE_TAG, SHOULD_TAG, clause_ids};
use schema::Schemas;

pub use catalogue::{Clause, Level, Provenance};
pub use schema::SchemaName;
use snapshot::{SnapshotKind, Snapshots};

use crate::error::Error;

/// One file of the suite, by its path relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuiteFile {
    /// `features/saving.feature`, `schemas/library-edge.schema.json`, …
    pub path: String,
    /// The file's text.
    pub text: String,
}

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../", $path)))),*]
    };
}

/// The suite files compiled into the crate. `src/tests/hygiene.rs` checks this list against the
/// directories, so a file added to the tree but not here fails the build's tests.
pub const EMBEDDED: &[(&str, &str)] = embed![
    "features/clauses.toml",
    "features/authentication.feature",
    "features/collections.feature",
    "features/envelope.feature",
    "features/lifecycle.feature",
    "features/malformed.feature",
    "features/refused.feature",
    "features/saving.feature",
    "features/unavailable.feature",
    "schemas/common.schema.json",
    "schemas/error-envelope.schema.json",
    "schemas/library-edge.schema.json",
    "snapshots/example-401-missing-key.snap",
    "snapshots/example-404-unavailable.snap",
    "snapshots/save-401-missing-key.snap",
    "snapshots/save-404-unavailable.snap",
];

/// One suite file's hash, as certificates record it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct FileHash {
    /// `features/saving.feature`.
    pub path: String,
    /// Lowercase hex SHA-256 of its content.
    pub sha256: String,
}

/// Where a scenario is: its feature file and its line (of the example row, for an outline).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScenarioId {
    /// `features/saving.feature`.
    pub feature: String,
    /// The line.
    pub line: usize,
}

impl fmt::Display for ScenarioId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.feature, self.line)
    }
}

/// The loaded, checked suite.
#[derive(Debug)]
pub struct Suite {
    files: Vec<SuiteFile>,
    features: Vec<gherkin::Feature>,
    catalogue: Catalogue,
    schemas: Schemas,
    snapshots: Snapshots,
}

/// A scenario of the suite, listed before any run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScenarioEntry {
    /// Where it is.
    pub id: ScenarioId,
    /// Its name.
    pub name: String,
    /// The clauses it proves.
    pub clauses: Vec<String>,
    /// Whether it is tagged `@should`.
    pub advisory: bool,
    /// Its steps as a report names them (`Then the status is 201`), backgrounds first.
    pub steps: Vec<String>,
}

/// A scenario of the suite with what it inherits from its feature and rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScenarioRef<'a> {
    /// The feature it belongs to.
    pub feature: &'a gherkin::Feature,
    /// The rule it belongs to, if any.
    pub rule: Option<&'a gherkin::Rule>,
    /// The scenario (an outline is already expanded into one scenario per example row).
    pub scenario: &'a gherkin::Scenario,
}

impl<'a> ScenarioRef<'a> {
    /// Tags of the feature, the rule and the scenario (without `@`).
    pub fn tags(&self) -> Vec<&'a String> {
        all_tags(self.feature, self.rule, self.scenario)
    }

    /// The clauses the scenario names.
    pub fn clauses(&self) -> Vec<&'a str> {
        clause_ids(self.tags())
    }

    /// `features/saving.feature:12`.
    pub fn location(&self) -> String {
        format!(
            "{}:{}",
            feature_path(self.feature),
            self.scenario.position.line
        )
    }
}

/// Tags of a feature, rule and scenario together (without `@`).
pub(crate) fn all_tags<'a>(
    feature: &'a gherkin::Feature,
    rule: Option<&'a gherkin::Rule>,
    scenario: &'a gherkin::Scenario,
) -> Vec<&'a String> {
    feature
        .tags
        .iter()
        .chain(rule.into_iter().flat_map(|r| r.tags.iter()))
        .chain(scenario.tags.iter())
        .collect()
}

/// The repository-relative path of a feature, as set when it was loaded.
pub(crate) fn feature_path(feature: &gherkin::Feature) -> String {
    feature
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| feature.name.clone())
}

impl Suite {
    /// The suite compiled into this crate.
    pub fn embedded() -> Result<Self, Error> {
        Self::from_files(
            EMBEDDED
                .iter()
                .map(|(path, text)| SuiteFile {
                    path: (*path).to_owned(),
                    text: (*text).to_owned(),
                })
                .collect(),
        )
    }

    /// Loads and checks the suite kept in `dir` (a copy of this repository's `features/`,
    /// `schemas/` and `snapshots/`), to run a suite other than the one compiled in.
    pub fn from_dir(dir: &Path) -> Result<Self, Error> {
        Self::read_dir(dir).map_err(|e| Error::Suite(format!("{e:#}")))
    }

    fn read_dir(dir: &Path) -> anyhow::Result<Self> {
        if !dir.is_dir() {
            bail!("{} is not a directory", dir.display());
        }
        let mut files = Vec::new();
        for (sub, suffixes) in [
            ("features", &[".feature", ".toml"][..]),
            ("schemas", &[".schema.json"][..]),
            ("snapshots", &[".snap"][..]),
        ] {
            let entries = std::fs::read_dir(dir.join(sub))
                .with_context(|| format!("{}: cannot read {sub}/", dir.display()))?;
            let mut names: Vec<String> = entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| suffixes.iter().any(|s| name.ends_with(s)))
                .collect();
            names.sort();
            for name in names {
                let path = format!("{sub}/{name}");
                let text = std::fs::read_to_string(dir.join(&path))
                    .with_context(|| format!("{}: cannot read {path}", dir.display()))?;
                files.push(SuiteFile { path, text });
            }
        }
        Self::load(files).with_context(|| dir.display().to_string())
    }

    /// Loads and checks a suite from its files.
    pub fn from_files(files: Vec<SuiteFile>) -> Result<Self, Error> {
        Self::load(files).map_err(|e| Error::Suite(format!("{e:#}")))
    }

    fn load(files: Vec<SuiteFile>) -> anyhow::Result<Self> {
        let in_dir = |dir: &'static str, ext: &'static str| {
            files.iter().filter(move |f| {
                f.path
                    .strip_prefix(dir)
                    .is_some_and(|rest| rest.starts_with('/'))
                    && f.path.ends_with(ext)
            })
        };
        let catalogue_file = files
            .iter()
            .find(|f| f.path == "features/clauses.toml")
            .ok_or_else(|| anyhow!("the suite has no features/clauses.toml"))?;
        let catalogue = Catalogue::parse(&catalogue_file.text)?;

        let mut features = Vec::new();
        for file in in_dir("features", ".feature") {
            let mut feature = gherkin::Feature::parse(&file.text, gherkin::GherkinEnv::default())
                .map_err(|e| anyhow!("{} does not parse: {e}", file.path))?;
            feature.path = Some(PathBuf::from(&file.path));
            let feature = feature
                .expand_examples()
                .map_err(|e| anyhow!("{}: {e}", file.path))?;
            features.push(feature);
        }
        if features.is_empty() {
            bail!("the suite has no feature files");
        }

        let schemas = Schemas::compile(
            in_dir("schemas", ".schema.json")
                .map(|f| (f.path.trim_start_matches("schemas/"), f.text.as_str())),
        )?;
        let snapshots = Snapshots::parse(
            in_dir("snapshots", ".snap")
                .map(|f| (f.path.trim_start_matches("snapshots/"), f.text.as_str())),
        )?;

        let suite = Self {
            files,
            features,
            catalogue,
            schemas,
            snapshots,
        };
        suite.check_consistency()?;
        Ok(suite)
    }

    /// Every file of the suite.
    pub fn files(&self) -> &[SuiteFile] {
        &self.files
    }

    /// The parsed features, outlines expanded.
    pub(crate) fn features(&self) -> &[gherkin::Feature] {
        &self.features
    }

    /// The clause catalogue.
    pub(crate) fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Every clause, in catalogue order.
    pub fn clauses(&self) -> impl Iterator<Item = &Clause> {
        self.catalogue.iter()
    }

    /// The clause `id`, if the catalogue has it.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.catalogue.get(id)
    }

    /// How many scenarios the suite has (an outline counts once per example row).
    pub fn scenario_count(&self) -> usize {
        self.scenarios().count()
    }

    /// Every scenario, in file order, as a run would report it.
    pub fn scenario_index(&self) -> Vec<ScenarioEntry> {
        self.scenarios()
            .map(|sc| ScenarioEntry {
                id: ScenarioId {
                    feature: feature_path(sc.feature),
                    line: sc.scenario.position.line,
                },
                name: sc.scenario.name.clone(),
                clauses: sc.clauses().into_iter().map(str::to_owned).collect(),
                advisory: sc.tags().iter().any(|t| *t == SHOULD_TAG),
                steps: sc
                    .feature
                    .background
                    .iter()
                    .chain(sc.rule.and_then(|r| r.background.as_ref()))
                    .flat_map(|b| &b.steps)
                    .chain(&sc.scenario.steps)
                    .map(|step| format!("{}{}", step.keyword, step.value))
                    .collect(),
            })
            .collect()
    }

    /// The compiled schemas.
    pub(crate) fn schemas(&self) -> &Schemas {
        &self.schemas
    }

    /// What the JSON Schema `which` (from `schemas/`) finds wrong with `instance`, one line
    /// per violation; empty when it conforms.
    ///
    /// ```
    /// use share_conformance::Suite;
    /// use share_conformance::suite::SchemaName;
    ///
    /// let suite = Suite::embedded()?;
    /// let edge = serde_json::json!({"id": "mlib_1", "track_id": "mtrack_1", "source": "shared",
    ///     "share_link_id": null, "created_at": "2026-06-28T10:30:00Z"});
    /// assert!(suite.schema_violations(SchemaName::LibraryEdge, &edge).is_empty());
    /// # Ok::<(), share_conformance::Error>(())
    /// ```
    pub fn schema_violations(
        &self,
        which: SchemaName,
        instance: &serde_json::Value,
    ) -> Vec<String> {
        self.schemas
            .violations(which, instance)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// How `body` differs from the stored snapshot `name` once its volatile fields are
    /// redacted (a diff), or `Ok` when it matches.
    ///
    /// ```
    /// let suite = share_conformance::Suite::embedded()?;
    /// let body = serde_json::json!({"success": true});
    /// assert!(suite.snapshot_mismatch("save-404-unavailable", &body).is_err());
    /// # Ok::<(), share_conformance::Error>(())
    /// ```
    pub fn snapshot_mismatch(&self, name: &str, body: &serde_json::Value) -> Result<(), String> {
        self.snapshots.check(name, body)
    }

    /// Every file's SHA-256, sorted by path.
    pub fn file_hashes(&self) -> Vec<FileHash> {
        let mut files: Vec<FileHash> = self
            .files
            .iter()
            .map(|f| FileHash {
                path: f.path.clone(),
                sha256: crate::digest::sha256_hex(f.text.as_bytes()),
            })
            .collect();
        files.sort();
        files
    }

    /// The suite's digest: the SHA-256 of a listing of every file's hash and path, one line
    /// each, sorted. Certificates record it, and `share-conformance --version` shows it.
    pub fn digest(&self) -> String {
        let listing: String = self
            .file_hashes()
            .iter()
            .map(|f| format!("{}  {}\n", f.sha256, f.path))
            .collect();
        crate::digest::sha256_hex(listing.as_bytes())
    }

    /// The stored snapshots.
    pub(crate) fn snapshots(&self) -> &Snapshots {
        &self.snapshots
    }

    /// Every scenario, in file order.
    pub(crate) fn scenarios(&self) -> impl Iterator<Item = ScenarioRef<'_>> {
        self.features.iter().flat_map(|feature| {
            feature
                .scenarios
                .iter()
                .map(move |scenario| ScenarioRef {
                    feature,
                    rule: None,
                    scenario,
                })
                .chain(feature.rules.iter().flat_map(move |rule| {
                    rule.scenarios.iter().map(move |scenario| ScenarioRef {
                        feature,
                        rule: Some(rule),
                        scenario,
                    })
                }))
        })
    }

    fn check_consistency(&self) -> anyhow::Result<()> {
        let mut covered = BTreeSet::new();
        for sc in self.scenarios() {
            let at = || format!("{} ({})", sc.location(), sc.scenario.name);
            let tags = sc.tags();
            let clauses = sc.clauses();
            if clauses.is_empty() {
                bail!(
                    "{}: names no clause (tag it @{CLAUSE_TAG_PREFIX}<ID>)",
                    at()
                );
            }
            if !sc
                .scenario
                .steps
                .iter()
                .any(|step| step.ty == gherkin::StepType::Then)
            {
                // With nothing to check, its outcome would be a pass that proves nothing.
                bail!("{}: has no Then step, so it checks nothing", at());
            }
            let advisory = tags.iter().any(|t| *t == SHOULD_TAG);
            check_provenance(sc, advisory).map_err(|e| anyhow!("{}: {e}", at()))?;
            for id in clauses {
                let clause = self.catalogue.get(id).ok_or_else(|| {
                    anyhow!(
                        "{}: names clause {id}, which features/clauses.toml does not list",
                        at()
                    )
                })?;
                match (clause.level, advisory) {
                    (Level::Should, false) => bail!(
                        "{}: {id} is a SHOULD clause, so the scenario must be tagged @{SHOULD_TAG}",
                        at()
                    ),
                    (Level::Must, true) => bail!(
                        "{}: {id} is a MUST clause, so the scenario must not be tagged @{SHOULD_TAG}",
                        at()
                    ),
                    _ => {}
                }
                covered.insert(id);
            }
            for step in &sc.scenario.steps {
                if let Some(name) = snapshot_named_by(&step.value) {
                    if self.snapshots.get(name).is_none() {
                        bail!(
                            "{}: step names snapshot {name:?}, which snapshots/ does not hold",
                            at()
                        );
                    }
                    if !advisory && SnapshotKind::of(name) == SnapshotKind::Example {
                        bail!(
                            "{}: snapshot {name:?} pins the page's example text, which only a SHOULD scenario may do",
                            at()
                        );
                    }
                }
                if !advisory
                    && let Some(prefix) = FREE_TEXT_STEPS
                        .iter()
                        .find(|prefix| step.value.starts_with(*prefix))
                {
                    bail!(
                        "{}: `{prefix}…` matches free text, which is never a MUST (tag the scenario @{SHOULD_TAG})",
                        at()
                    );
                }
                for (needle, tag) in BRACKET_STEPS {
                    if step.value.contains(needle) && !tags.iter().any(|t| t == tag) {
                        bail!(
                            "{}: the step {:?} reads what the run fetches around the first save for @{tag} scenarios: tag the scenario @{tag}",
                            at(),
                            step.value
                        );
                    }
                }
            }
        }
        let uncovered: Vec<&str> = self
            .catalogue
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| !covered.contains(id))
            .collect();
        if !uncovered.is_empty() {
            bail!("no scenario covers clause(s) {}", uncovered.join(", "));
        }
        Ok(())
    }
}

/// Steps that match free text (`message`, `system_message`): never in a MUST scenario.
const FREE_TEXT_STEPS: &[&str] = &["the error message is", "the error system_message is"];

/// Steps that read what the run fetches around its first save, and the tag that makes the run
/// fetch it.
const BRACKET_STEPS: &[(&str, &str)] = &[
    ("the shared track's documented fields", RESOLVE_TAG),
    ("the recipient's library", LIBRARY_TAG),
];

/// Every scenario says in its description what it rests on, one line per source, each opening
/// with its mark: `[doc] "Returns `201 Created` …" (docs/save-shared-track.md)`. A MUST scenario
/// rests on `[doc]` lines only.
fn check_provenance(sc: ScenarioRef<'_>, advisory: bool) -> anyhow::Result<()> {
    let marks = provenance_marks(sc.scenario.description.as_deref().unwrap_or_default());
    if marks.is_empty() {
        bail!(
            "quote the doc sentence it rests on in the scenario's description, on a line opening with [doc], [ex] or [inferred]"
        );
    }
    if !advisory && let Some(weak) = marks.iter().find(|m| **m != Provenance::Doc) {
        bail!(
            "a MUST scenario rests on [doc] facts only, but its description cites {weak} (tag it @{SHOULD_TAG}, or split it)"
        );
    }
    Ok(())
}

/// The provenance marks opening the lines of a description.
pub(crate) fn provenance_marks(description: &str) -> Vec<Provenance> {
    description
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            Provenance::ALL
                .into_iter()
                .find(|p| line.starts_with(p.mark()))
        })
        .collect()
}

/// The snapshot a step's text names (`… matches the snapshot "name"`), if it names one.
pub(crate) fn snapshot_named_by(step_text: &str) -> Option<&str> {
    let rest = step_text.split_once("the snapshot \"")?.1;
    rest.split_once('"').map(|(name, _)| name)
}
