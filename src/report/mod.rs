//! What a run found: per-scenario outcomes, per-clause verdicts, and what the run wrote.
//!
//! A clause's verdict combines its scenarios: any failure makes it FAIL (ADVISORY-FAIL for a
//! SHOULD clause); otherwise any NOT-TESTABLE scenario makes it NOT-TESTABLE; only a clause
//! whose every scenario passed is PASS.
//!
//! There is no vacuous pass. A `run` fails when a selected MUST clause had no scenario that
//! could run, and a `certify` fails unless every MUST clause of the catalogue was tested and
//! passed ([`Report::blockers`]). How any of it reads is `render`'s business.
//!
//! ```no_run
//! # async fn example(target: share_conformance::Target) -> Result<(), share_conformance::Error> {
//! use share_conformance::Run;
//! use share_conformance::report::Verdict;
//!
//! let report = Run::new(target).execute().await?;
//! assert_eq!(report.verdict("SAVE-201-CREATED"), Some(Verdict::Pass));
//! for clause in report.clauses().iter().filter(|c| c.verdict != Verdict::Pass) {
//!     println!("{} {} ({}/{} scenarios passed)", clause.id, clause.verdict, clause.passed, clause.ran);
//! }
//! for blocker in report.blockers() {
//!     println!("fails because: {blocker}");
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::evidence::{RecordedExchange, Recording};
use crate::known::{KnownOn, KnownOutcome, KnownStatus};
pub use crate::leak::Leak;
pub use crate::suite::ScenarioId;
use crate::suite::catalogue::{Catalogue, Level, Provenance};

mod verdict;

/// How one scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Every step passed.
    Passed,
    /// A step failed.
    Failed {
        /// `Then the status is 201`.
        step: String,
        /// `features/saving.feature:17`.
        location: String,
        /// Expected against actual, possibly several lines.
        message: String,
        /// What kind of failure it is.
        cause: Cause,
    },
    /// A step needed something the target's configuration lacks, or what was seen proves
    /// nothing either way.
    NotTestable {
        /// What is missing.
        reason: String,
        /// Which of the documented cases it is (`listed-once`, `no-disposable-track`, …), when
        /// it is one a gate may accept by name (`[[untestable]]` in a known-failures file).
        case: Option<String>,
    },
}

/// What kind of failure ended a scenario: a reader, and the fault matrix, tell a broken
/// answer apart from no answer and from a scenario that could not be set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cause {
    /// A check on what the target answered failed (a `Then` step).
    Check,
    /// A request got no response: refused, reset, or past the timeout.
    NoResponse,
    /// The scenario could not be set up or run: a `Given` or `When` step, a hook, an
    /// undefined step, or the runner itself.
    Setup,
}

impl Cause {
    /// `check`, `no response`, `setup`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::NoResponse => "no response",
            Self::Setup => "setup",
        }
    }
}

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StepStatus {
    /// It passed.
    Passed,
    /// It failed.
    Failed,
    /// It needed a fixture the target's configuration lacks.
    NotTestable,
    /// No step definition matches it.
    Undefined,
    /// It was not reached: an earlier step failed or was not testable.
    Skipped,
}

/// One step of a finished scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StepRecord {
    /// `Given `, `When `, `Then `, `And `.
    pub keyword: String,
    /// The step's text.
    pub text: String,
    /// Its line in the feature file.
    pub line: usize,
    /// Whether it comes from a Background.
    pub background: bool,
    /// How it ended.
    pub status: StepStatus,
    /// How long it ran (zero when it did not).
    pub duration: Duration,
    /// Why it failed or was not testable.
    pub message: Option<String>,
}

/// One scenario's result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScenarioResult {
    /// Where it is.
    pub id: ScenarioId,
    /// The scenario's name.
    pub name: String,
    /// The clauses it proves.
    pub clauses: Vec<String>,
    /// Whether it is tagged `@should`.
    pub advisory: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// What it rests on: its description's lines that open with a provenance mark
    /// (`[doc] "Returns `201 Created` …" (docs/save-shared-track.md)`).
    pub sources: Vec<String>,
    /// Observations worth reporting even on a pass.
    pub notes: Vec<String>,
    /// Every step, background first, in order.
    pub steps: Vec<StepRecord>,
    /// The recorded exchanges it looked at ([`Report::exchanges`] ids), in order.
    pub exchanges: Vec<usize>,
    /// For a failure: a `curl` command for each of those requests (keys and fixture tokens as
    /// shell variables).
    pub reproduce: Vec<String>,
    /// For a failure a known-failures entry excuses: what the entry says.
    pub known: Option<String>,
    /// Wall time from start to finish.
    pub duration: Duration,
    /// Under repetitions: how many passed, of how many.
    pub repetitions: Option<Repetitions>,
}

/// How a scenario fared over repeated runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repetitions {
    /// Runs that passed.
    pub passed: usize,
    /// Runs in all.
    pub runs: usize,
}

impl ScenarioResult {
    /// A result that stands for the runner itself, not a scenario (it names no clause).
    pub(crate) fn of_the_runner(what: &str, name: &str, message: String) -> Self {
        Self {
            id: ScenarioId {
                feature: format!("({what})"),
                line: 0,
            },
            name: name.into(),
            clauses: Vec::new(),
            advisory: false,
            outcome: Outcome::Failed {
                step: "-".into(),
                location: "-".into(),
                message,
                cause: Cause::Setup,
            },
            sources: Vec::new(),
            notes: Vec::new(),
            steps: Vec::new(),
            exchanges: Vec::new(),
            reproduce: Vec::new(),
            known: None,
            duration: Duration::ZERO,
            repetitions: None,
        }
    }

    /// Whether its verdict changed between repetitions.
    pub fn is_flaky(&self) -> bool {
        self.repetitions
            .is_some_and(|r| r.passed > 0 && r.passed < r.runs)
    }

    /// The verdict word of this scenario.
    pub fn verdict(&self) -> Verdict {
        if self.is_flaky() {
            return Verdict::Flaky;
        }
        match (&self.outcome, self.advisory) {
            (Outcome::Passed, _) => Verdict::Pass,
            (Outcome::NotTestable { .. }, _) => Verdict::NotTestable,
            (Outcome::Failed { .. }, false) if self.known.is_some() => Verdict::KnownFailure,
            (Outcome::Failed { .. }, false) => Verdict::Fail,
            (Outcome::Failed { .. }, true) => Verdict::AdvisoryFail,
        }
    }
}

/// The verdict on a clause (or a scenario).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// Tested and satisfied.
    Pass,
    /// A MUST clause the target breaks.
    Fail,
    /// Could not be tested: a fixture was missing, or what was seen proves nothing.
    NotTestable,
    /// A SHOULD clause the target breaks; never fails a run.
    AdvisoryFail,
    /// The verdict changed between repetitions.
    Flaky,
    /// A MUST clause the target breaks, listed in a known-failures file whose date has not
    /// passed: reported, but it does not fail a run.
    KnownFailure,
}

impl Verdict {
    /// `PASS`, `FAIL`, `NOT-TESTABLE`, `ADVISORY-FAIL`, `FLAKY`, `KNOWN-FAILURE`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::NotTestable => "NOT-TESTABLE",
            Self::AdvisoryFail => "ADVISORY-FAIL",
            Self::Flaky => "FLAKY",
            Self::KnownFailure => "KNOWN-FAILURE",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.word())
    }
}

/// One clause's verdict and the scenarios behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClauseResult {
    /// The clause id.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// Where the clause's fact comes from: `[doc]`, `[ex]` or `[inferred]`.
    pub mark: Provenance,
    /// The page(s) it comes from.
    pub source: String,
    /// The combined verdict.
    pub verdict: Verdict,
    /// The scenarios that ran for it.
    pub scenarios: Vec<ScenarioId>,
    /// How many of them passed.
    pub passed: usize,
    /// How many of them ran (passed or failed, not NOT-TESTABLE).
    pub ran: usize,
}

/// What a run is for, which decides when it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// `run`: no MUST clause failed, and every selected MUST clause had a scenario that ran.
    #[default]
    Run,
    /// `certify`: every MUST clause of the catalogue was tested and passed.
    Certify,
}

/// What a run was, apart from its results.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunInfo {
    /// `run` or `certify`.
    pub mode: Mode,
    /// Scheme, host and port of the target (never a key).
    pub target: String,
    /// The target's description, when it was given (`embedded reference server`).
    pub target_description: Option<String>,
    /// Whether the target's TLS certificate was verified (false when told not to).
    pub tls_verified: bool,
    /// Whether FLAKY MUST clauses are tolerated.
    pub allow_flaky: bool,
    /// Whether a SHOULD clause that does not pass fails the run (a gate's choice; never a
    /// certification's).
    pub strict: bool,
    /// When the scenarios started.
    pub started_at: SystemTime,
    /// Wall time of the scenarios.
    pub duration: Duration,
}

/// The scenarios' outcomes combined into clause verdicts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Judgement {
    /// Every scenario that ran, in file order.
    pub scenarios: Vec<ScenarioResult>,
    /// Every selected clause, in catalogue order.
    pub clauses: Vec<ClauseResult>,
    /// Clauses no selected scenario covers (deselected by a filter).
    pub unselected: Vec<String>,
    /// The MUST clauses among them.
    pub unselected_must: Vec<String>,
    /// The known-failures file's name, if the run had one.
    pub known_file: Option<String>,
    /// What became of each of its entries.
    pub known: Vec<KnownOutcome>,
    /// Re-grading: requests the recording held no answer to, or recorded for another request.
    pub recording_problems: Vec<String>,
    /// Re-grading: recorded exchanges no request asked for (provisioning's apart).
    pub unused_exchanges: usize,
}

/// One reason a run does not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocker {
    /// A MUST clause failed.
    Failed(String),
    /// Under strictness, a SHOULD clause did not pass.
    Advisory {
        /// The clause.
        id: String,
        /// Its verdict: ADVISORY-FAIL, NOT-TESTABLE or FLAKY.
        verdict: Verdict,
    },
    /// In `certify`, a MUST clause was NOT-TESTABLE.
    Untested(String),
    /// A MUST clause was FLAKY and that is not tolerated.
    Flaky(String),
    /// In `run`, none of a selected MUST clause's scenarios could run.
    NoneRan {
        /// The clause.
        id: String,
        /// Why, in the first NOT-TESTABLE scenario's words.
        why: String,
    },
    /// In `certify`, a MUST clause was not run at all.
    NotRun(String),
    /// The runner itself failed.
    Runner {
        /// What failed.
        what: String,
        /// How.
        message: String,
    },
    /// A secret appeared in an output.
    Leak(Leak),
    /// A known-failures entry is past its date.
    KnownExpired {
        /// The clause it names.
        clause: String,
        /// Its last day.
        until: String,
        /// The file.
        file: String,
    },
    /// Re-grading: a request the recording holds no answer to, or recorded for another one.
    Recording(String),
    /// A known-failures entry names a clause the suite does not have.
    KnownUnknown {
        /// The clause it names.
        clause: String,
        /// The file.
        file: String,
    },
}

/// What the run wrote and what it saw of secrets.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Outputs {
    /// The files the run wrote (JUnit, Cucumber JSON, report), all of them free of secrets.
    pub artifacts: Vec<PathBuf>,
    /// Secrets the leak scan found in the run's outputs (a leaking file is not written).
    pub leaks: Vec<Leak>,
    /// Responses in which the target echoed a key back (masked on arrival).
    pub echoed_secrets: usize,
}

/// The result of one run: built once, when the run is over, and read-only after.
#[derive(Debug, Clone)]
pub struct Report {
    /// What the run was: its mode, target, TLS, timing.
    pub(crate) run: RunInfo,
    /// The verdicts.
    pub(crate) verdicts: Judgement,
    /// What it wrote.
    pub(crate) outputs: Outputs,
    /// How it ran and every exchange.
    pub(crate) recording: Recording,
}

impl Report {
    /// A run's report.
    pub(crate) fn new(
        run: RunInfo,
        verdicts: Judgement,
        outputs: Outputs,
        recording: Recording,
    ) -> Self {
        Self {
            run,
            verdicts,
            outputs,
            recording,
        }
    }

    /// Every exchange of the run, in the order the answers arrived: what a scenario's
    /// `exchanges` index.
    pub fn exchanges(&self) -> &[RecordedExchange] {
        &self.recording.exchanges
    }

    /// How the run ran, what its fixtures held and every exchange.
    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    /// What the run was: its mode, target, TLS, timing.
    pub fn info(&self) -> &RunInfo {
        &self.run
    }

    /// The verdicts: every scenario's outcome and every selected clause's verdict.
    pub fn judgement(&self) -> &Judgement {
        &self.verdicts
    }

    /// The files the run wrote, the leaks its scan found, the key echoes it saw.
    pub fn outputs(&self) -> &Outputs {
        &self.outputs
    }

    /// Every scenario that ran, in file order.
    pub fn scenarios(&self) -> &[ScenarioResult] {
        &self.verdicts.scenarios
    }

    /// Every selected clause, in catalogue order.
    pub fn clauses(&self) -> &[ClauseResult] {
        &self.verdicts.clauses
    }

    /// Why the run does not pass, by its mode's rule; empty when it passes.
    pub fn blockers(&self) -> Vec<Blocker> {
        let mut out = self.verdicts.blockers(&self.run);
        out.extend(self.outputs.leaks.iter().cloned().map(Blocker::Leak));
        out
    }

    /// Whether the run passes, by its mode's rule.
    pub fn passed(&self) -> bool {
        self.blockers().is_empty()
    }

    /// The result of clause `id`, if it was selected.
    pub fn clause(&self, id: &str) -> Option<&ClauseResult> {
        self.verdicts.clause(id)
    }

    /// The verdict on clause `id`, if it was selected.
    pub fn verdict(&self, id: &str) -> Option<Verdict> {
        self.clause(id).map(|c| c.verdict)
    }

    /// How many selected clauses have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.verdicts.count(verdict)
    }
}

/// `PASS`/`FAIL` for a run, `CERTIFIED`/`NOT CERTIFIED` for a certification.
pub(crate) fn result_word(mode: Mode, passed: bool) -> &'static str {
    match (mode, passed) {
        (Mode::Run, true) => "PASS",
        (Mode::Run, false) => "FAIL",
        (Mode::Certify, true) => "CERTIFIED",
        (Mode::Certify, false) => "NOT CERTIFIED",
    }
}

#[cfg(test)]
pub(crate) mod tests;
