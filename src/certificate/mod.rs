//! The certificate of a run: what was proven, against what, by which suite.
//!
//! Markdown for people, JSON beside it (`FILE.json`) for machines. The JSON records the
//! SHA-256 of every feature, schema and snapshot file used, so `verify-certificate` can tell
//! whether a certificate was produced by the suite at hand. It is not signed: it proves which
//! suite a result claims, not who ran it.

use std::path::Path;

use serde::{Deserialize, Serialize};

mod verify;

pub use verify::{Authenticity, Verification};

use crate::error::Error;
use crate::evidence::Recording;
use crate::report::{Judgement, Mode, Report, RunInfo, Verdict, result_word};
pub use crate::suite::FileHash;
use crate::suite::Suite;
use crate::time;

/// The format version of the JSON certificate (2: each clause records its provenance;
/// 3: the target records its description, not whether it was embedded; 4: the recording;
/// 5: each `curl` command refuses to run without its shell variables, and a run's
/// strictness is recorded).
pub const FORMAT: u32 = 5;

/// The git commit this binary was built from (`-dirty` if modified, `unknown` if not in git).
pub(crate) const COMMIT: &str = env!("SHARE_CONFORMANCE_COMMIT");

/// A certificate, as written to `FILE.json`: also the JSON of every report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Always `share-conformance`.
    pub tool: String,
    /// [`FORMAT`].
    pub format: u32,
    /// `certify` or `run`.
    pub mode: String,
    /// `CERTIFIED`, `NOT CERTIFIED`, `PASS` or `FAIL`.
    pub result: String,
    /// Why the result is not a pass, if it is not.
    pub reasons: Vec<String>,
    /// The harness that produced it.
    pub harness: Harness,
    /// The target: scheme, host and port only.
    pub target: TargetRecord,
    /// When the scenarios started (UTC).
    pub started_at: String,
    /// When they finished (UTC).
    pub finished_at: String,
    /// The suite files used, each with its SHA-256.
    pub suite: SuiteRecord,
    /// Counts of clause verdicts.
    pub summary: Summary,
    /// Every clause of the catalogue with its verdict and scenarios.
    pub clauses: Vec<ClauseRecord>,
    /// How the run was run, what its fixtures held, and every exchange: what `regrade` and
    /// `verify-certificate` judge again.
    pub recording: Recording,
}

/// Which harness produced a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Harness {
    /// The crate version.
    pub version: String,
    /// The git commit it was built from.
    pub commit: String,
}

/// The target of a certificate: never a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRecord {
    /// `https://staging.example.com:443`.
    pub origin: String,
    /// What it was described as (`embedded reference server`), if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether its TLS certificate was verified (false under `--insecure`).
    pub tls_verified: bool,
}

/// The suite files used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteRecord {
    /// SHA-256 over every file's path and hash, one line each, sorted.
    pub digest: String,
    /// Every file with its hash.
    pub files: Vec<FileHash>,
}

impl SuiteRecord {
    /// What a certificate records of `suite`.
    pub(crate) fn of(suite: &Suite) -> Self {
        Self {
            digest: suite.digest(),
            files: suite.file_hashes(),
        }
    }
}

/// Counts of clause verdicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Clauses in the catalogue.
    pub clauses: usize,
    /// PASS.
    pub passed: usize,
    /// FAIL.
    pub failed: usize,
    /// NOT-TESTABLE.
    pub not_testable: usize,
    /// ADVISORY-FAIL.
    pub advisory_failures: usize,
    /// Not run (deselected).
    pub not_run: usize,
    /// KNOWN-FAILURE (a run with known failures; never a certification).
    #[serde(default)]
    pub known_failures: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} clauses: {} passed, {} failed, {} not testable, {} advisory failures, {} not run, {} known failures",
            self.clauses,
            self.passed,
            self.failed,
            self.not_testable,
            self.advisory_failures,
            self.not_run,
            self.known_failures
        )
    }
}

/// One clause's line in a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseRecord {
    /// The clause id.
    pub id: String,
    /// `MUST` or `SHOULD`.
    pub level: String,
    /// `PASS`, `FAIL`, `NOT-TESTABLE`, `ADVISORY-FAIL`, `FLAKY`, `KNOWN-FAILURE` or `NOT-RUN`.
    pub verdict: String,
    /// Where the fact comes from: `[doc]`, `[ex]` or `[inferred]`.
    pub mark: String,
    /// The page(s) it comes from.
    pub source: String,
    /// The doc sentence it comes from.
    pub doc: String,
    /// The scenarios behind the verdict.
    pub scenarios: Vec<ScenarioRecord>,
}

/// One scenario behind a clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// `features/saving.feature:14`.
    pub location: String,
    /// The scenario's name.
    pub name: String,
    /// Its verdict.
    pub verdict: String,
}

impl Certificate {
    /// The certificate of a run with `suite` that came to `verdicts`.
    pub(crate) fn new(
        run: &RunInfo,
        verdicts: &Judgement,
        suite: &Suite,
        recording: Recording,
    ) -> Self {
        let finished = run.started_at + run.duration;
        let blockers = verdicts.blockers(run);
        let clauses: Vec<ClauseRecord> = suite
            .catalogue()
            .iter()
            .map(|clause| ClauseRecord {
                id: clause.id.clone(),
                level: clause.level.to_string(),
                verdict: verdicts.verdict_word(&clause.id).to_owned(),
                mark: clause.mark.mark().to_owned(),
                source: clause.source.clone(),
                doc: clause.doc.clone(),
                scenarios: verdicts
                    .scenarios
                    .iter()
                    .filter(|s| s.clauses.contains(&clause.id))
                    .map(|s| ScenarioRecord {
                        location: s.id.to_string(),
                        name: s.name.clone(),
                        verdict: s.verdict().word().to_owned(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            tool: "share-conformance".into(),
            format: FORMAT,
            mode: match run.mode {
                Mode::Run => "run",
                Mode::Certify => "certify",
            }
            .into(),
            result: result_word(run.mode, blockers.is_empty()).into(),
            reasons: blockers.iter().map(ToString::to_string).collect(),
            harness: Harness {
                version: env!("CARGO_PKG_VERSION").into(),
                commit: COMMIT.into(),
            },
            target: TargetRecord {
                origin: run.target.clone(),
                description: run.target_description.clone(),
                tls_verified: run.tls_verified,
            },
            started_at: time::format_system(run.started_at),
            finished_at: time::format_system(finished),
            suite: SuiteRecord::of(suite),
            summary: Summary {
                clauses: suite.catalogue().len(),
                passed: verdicts.count(Verdict::Pass),
                failed: verdicts.count(Verdict::Fail),
                not_testable: verdicts.count(Verdict::NotTestable),
                advisory_failures: verdicts.count(Verdict::AdvisoryFail),
                not_run: verdicts.unselected.len(),
                known_failures: verdicts.count(Verdict::KnownFailure),
            },
            clauses,
            recording,
        }
    }

    /// The JSON document.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        text.push('\n');
        text
    }

    /// Reads a JSON certificate.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let not_one = |reason: String| Error::NotACertificate {
            path: path.to_owned(),
            reason,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| not_one(format!("cannot read it: {e}")))?;
        let certificate: Self = serde_json::from_str(&text)
            .map_err(|e| not_one(format!("not a share-conformance certificate: {e}")))?;
        if certificate.tool != "share-conformance" || certificate.format != FORMAT {
            return Err(not_one(format!(
                "a {} certificate of format {}, not share-conformance format {FORMAT}",
                certificate.tool, certificate.format
            )));
        }
        Ok(certificate)
    }

    /// Where what this certificate records differs from `regraded` (the certificate's recording
    /// judged again with `suite`): one line per clause whose verdict, scenarios or doc record
    /// differ, one for the counts, and one for the result; empty when they agree. A
    /// hand-edited verdict shows here.
    pub fn disagreements(&self, regraded: &Report, suite: &Suite) -> Vec<String> {
        let derived = Self::new(
            regraded.info(),
            regraded.judgement(),
            suite,
            regraded.recording().clone(),
        );
        let mut out = Vec::new();
        for clause in &self.clauses {
            let Some(now) = derived.clauses.iter().find(|c| c.id == clause.id) else {
                out.push(format!(
                    "{}: recorded, but not a clause of this suite",
                    clause.id
                ));
                continue;
            };
            if clause.verdict != now.verdict {
                out.push(format!(
                    "{}: recorded {}, its recorded exchanges give {}",
                    clause.id, clause.verdict, now.verdict
                ));
            } else if clause.scenarios != now.scenarios {
                let show = |s: &[ScenarioRecord]| {
                    s.iter()
                        .map(|s| format!("{} {}", s.location, s.verdict))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.push(format!(
                    "{}: recorded scenarios [{}], its recorded exchanges give [{}]",
                    clause.id,
                    show(&clause.scenarios),
                    show(&now.scenarios)
                ));
            } else if (&clause.level, &clause.mark, &clause.source, &clause.doc)
                != (&now.level, &now.mark, &now.source, &now.doc)
            {
                out.push(format!(
                    "{}: its level, mark, source or doc sentence differ from this suite's",
                    clause.id
                ));
            }
        }
        for now in &derived.clauses {
            if !self.clauses.iter().any(|c| c.id == now.id) {
                out.push(format!("{}: in this suite, but not recorded", now.id));
            }
        }
        if self.summary != derived.summary {
            out.push(format!(
                "summary: recorded {}, its recorded exchanges give {}",
                self.summary, derived.summary
            ));
        }
        if self.result != derived.result {
            out.push(format!(
                "result: recorded {}, its recorded exchanges give {}",
                self.result, derived.result
            ));
        }
        out
    }

    /// Compares the recorded suite with `suite`: one line per difference, empty when the
    /// certificate was produced by this suite.
    pub fn differences(&self, suite: &Suite) -> Vec<String> {
        let current = SuiteRecord::of(suite);
        let mut out = Vec::new();
        for recorded in &self.suite.files {
            match current.files.iter().find(|f| f.path == recorded.path) {
                None => out.push(format!(
                    "{}: recorded, but not in this suite",
                    recorded.path
                )),
                Some(now) if now.sha256 != recorded.sha256 => out.push(format!(
                    "{}: recorded sha256 {}, this suite has {}",
                    recorded.path, recorded.sha256, now.sha256
                )),
                Some(_) => {}
            }
        }
        for now in &current.files {
            if !self.suite.files.iter().any(|f| f.path == now.path) {
                out.push(format!("{}: in this suite, but not recorded", now.path));
            }
        }
        if out.is_empty() && self.suite.digest != current.digest {
            out.push(format!(
                "suite digest: recorded {}, this suite has {}",
                self.suite.digest, current.digest
            ));
        }
        out
    }
}

/// `cert.md` → `cert.md.json`.
pub(crate) fn json_path(path: &Path) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".json");
    name.into()
}
