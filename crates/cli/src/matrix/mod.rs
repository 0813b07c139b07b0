//! The matrix: the suite against the reference server clean, once per fault, and once per
//! conforming variant. It measures the suite in both directions.
//!
//! - A fault is *caught* when every clause it declares fails (FAIL for a MUST clause, and the
//!   run fails; ADVISORY-FAIL for a SHOULD clause) and the suite fails exactly where its
//!   catalogue entry pins the catch: each pinned scenario at its pinned step, by a check on the
//!   answer. A request that got no answer (a timeout on a busy machine) stands in for no
//!   check: only a transport fault's pin may be met by no answer, and then only by a failure
//!   that says the pinned words (`timed out after`). A fault that declares only SHOULD clauses
//!   is advisory: the run must still pass, since the docs do not forbid what it does.
//! - A variant *conforms* when the run passes with every MUST clause PASS, and the SHOULD
//!   clauses that are not PASS are exactly the ones it declares (those report its choice).
//!
//! [`Matrix::problems`] names every fault that got through, every variant the suite failed,
//! anything on the clean server short of a whole passing run (every clause PASS, every
//! scenario run), and any run, clean, fault or variant, whose leak scan found a key.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use share_conformance::provision::Provision;
use share_conformance::report::{Cause, Outcome, Verdict};
use share_conformance::secret::ApiKey;
use share_conformance::suite::Level;
use share_conformance::{Fixtures, Report, Run, Suite, Target};
use share_conformance_reference::behaviour::{Behaviour, EdgeTransport};
use share_conformance_reference::faults::{Catch, Fault, FaultKind};
use share_conformance_reference::variants::Variant;
use share_conformance_reference::{ReferenceServer, ServerOptions};

/// What one run was against: the clean server, a fault, or a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// The documented behaviour.
    Clean,
    /// A deliberate defect.
    Fault(Fault),
    /// A conforming variant.
    Variant(Variant),
}

impl Subject {
    /// `(clean)`, a fault's or a variant's name.
    pub fn label(self) -> String {
        match self {
            Self::Clean => "(clean)".to_owned(),
            Self::Fault(f) => f.name().to_owned(),
            Self::Variant(v) => v.name().to_owned(),
        }
    }

    /// The clauses the subject declares: a fault's catchers, a variant's advisories.
    pub fn declared(self) -> &'static [&'static str] {
        match self {
            Self::Clean => &[],
            Self::Fault(f) => f.info().clauses,
            Self::Variant(v) => v.info().advisories,
        }
    }

    /// The seed of the server's random values in the subject's run: fixed by its label, so
    /// that every matrix draws the same values for it (`serve --seed` draws them again).
    pub fn seed(self) -> u64 {
        // FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
        self.label().bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// The reference server's options for the subject's run: its fault or variant, and its
    /// seed.
    pub fn server_options(self) -> ServerOptions {
        ServerOptions {
            fault: match self {
                Self::Fault(f) => Some(f),
                _ => None,
            },
            variant: match self {
                Self::Variant(v) => Some(v),
                _ => None,
            },
            seed: Some(self.seed()),
            ..Default::default()
        }
    }

    /// The command that serves the subject again as its run saw it.
    pub fn serve_again(self) -> String {
        let what = match self {
            Self::Clean => String::new(),
            Self::Fault(f) => format!(" --fault {f}"),
            Self::Variant(v) => format!(" --variant {v}"),
        };
        format!("share-conformance serve{what} --seed {}", self.seed())
    }

    /// Whether a request that got no answer is this subject's symptom: only for a fault of
    /// the transport (a slow save, a reset connection).
    fn no_answer_is_its_symptom(self) -> bool {
        matches!(self, Self::Fault(f) if f.info().kind == FaultKind::Transport)
    }

    /// How long the subject holds an answer back (the slow save), if it does: its run is the
    /// one bounded by the matrix's timeout, which must be shorter.
    fn holds_answers_for(self) -> Option<Duration> {
        let Self::Fault(fault) = self else {
            return None;
        };
        let mut behaviour = Behaviour::documented();
        (fault.info().apply)(&mut behaviour);
        match behaviour.edge_transport {
            EdgeTransport::Delayed(delay) => Some(delay),
            _ => None,
        }
    }
}

/// Why one scenario behind a clause failed: where, at which step, and for what kind of reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseFailure {
    /// `features/saving.feature:14`.
    pub scenario: String,
    /// The scenario's name (an outline's row has its own).
    pub name: String,
    /// The step that failed.
    pub step: String,
    /// What the step said.
    pub message: String,
    /// A failed check, no answer, or a scenario that could not be set up.
    pub cause: Cause,
}

/// One run of the suite against the reference server.
#[derive(Debug, Clone)]
pub struct SubjectRun {
    /// What it ran against.
    pub subject: Subject,
    /// Clauses whose verdict is FAIL.
    pub failed: BTreeSet<String>,
    /// Clauses whose verdict is ADVISORY-FAIL.
    pub advisory: BTreeSet<String>,
    /// Clauses whose verdict is not PASS (FAIL, ADVISORY-FAIL, NOT-TESTABLE, FLAKY).
    pub not_passed: BTreeSet<String>,
    /// Why each failed clause failed: its failing scenarios, each with its step and cause.
    pub failures: BTreeMap<String, Vec<ClauseFailure>>,
    /// Whether the run passed (exit 0).
    pub run_passed: bool,
    /// How many scenarios reported a result.
    pub scenarios: usize,
    /// How many clauses got a verdict.
    pub clauses: usize,
    /// Leaks the run's leak scan found.
    pub leaks: usize,
    /// How many files the run wrote, each read by its leak scan (with the console).
    pub outputs: usize,
    /// Why the run produced no report, if it did not.
    pub error: Option<String>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl SubjectRun {
    fn new(subject: Subject) -> Self {
        Self {
            subject,
            failed: BTreeSet::new(),
            advisory: BTreeSet::new(),
            not_passed: BTreeSet::new(),
            failures: BTreeMap::new(),
            run_passed: false,
            scenarios: 0,
            clauses: 0,
            leaks: 0,
            outputs: 0,
            error: None,
            elapsed: Duration::ZERO,
        }
    }

    /// Records what `report` found.
    fn record(&mut self, report: &Report) {
        self.run_passed = report.passed();
        self.scenarios = report.scenarios().len();
        self.clauses = report.clauses().len();
        self.leaks = report.outputs().leaks.len();
        self.outputs = report.outputs().artifacts.len();
        for clause in report.clauses() {
            match clause.verdict {
                Verdict::Fail => {
                    self.failed.insert(clause.id.clone());
                }
                Verdict::AdvisoryFail => {
                    self.advisory.insert(clause.id.clone());
                }
                _ => {}
            }
            if clause.verdict != Verdict::Pass {
                self.not_passed.insert(clause.id.clone());
            }
        }
        for scenario in report.scenarios() {
            if let Outcome::Failed {
                step,
                cause,
                message,
                ..
            } = &scenario.outcome
            {
                for clause in &scenario.clauses {
                    self.failures
                        .entry(clause.clone())
                        .or_default()
                        .push(ClauseFailure {
                            scenario: scenario.id.to_string(),
                            name: scenario.name.clone(),
                            step: step.clone(),
                            message: message.clone(),
                            cause: *cause,
                        });
                }
            }
        }
    }

    /// Whether `clause` came out as a catch: FAIL, or ADVISORY-FAIL for a SHOULD clause.
    fn flagged(&self, clause: &str) -> bool {
        self.failed.contains(clause) || self.advisory.contains(clause)
    }

    /// The catches a fault's catalogue entry pins (none for the clean server or a variant).
    fn pinned(&self) -> &'static [Catch] {
        match self.subject {
            Subject::Fault(fault) => fault.info().caught,
            _ => &[],
        }
    }

    /// Whether `failure` is the pinned `catch`: the scenario and step it names, by a check on
    /// the answer, or, for a fault of the transport, by no answer at all; with the pinned
    /// words in its message when the pin names some.
    fn matches(&self, catch: &Catch, failure: &ClauseFailure) -> bool {
        let by_its_symptom = failure.cause == Cause::Check
            || (failure.cause == Cause::NoResponse && self.subject.no_answer_is_its_symptom());
        by_its_symptom
            && failure.name == catch.scenario
            && failure.step == catch.step
            && catch
                .message
                .is_none_or(|words| failure.message.contains(words))
    }

    /// Whether the run failed where `catch` pins it.
    pub fn caught_at(&self, catch: &Catch) -> bool {
        self.failures
            .values()
            .flatten()
            .any(|failure| self.matches(catch, failure))
    }

    /// Whether `clause` failed (FAIL, or ADVISORY-FAIL for a SHOULD clause) at one of the
    /// fault's pinned catches: its symptom, not a side effect.
    pub fn failed_by_symptom(&self, clause: &str) -> bool {
        self.flagged(clause)
            && self.failures.get(clause).is_some_and(|failures| {
                failures
                    .iter()
                    .any(|f| self.pinned().iter().any(|catch| self.matches(catch, f)))
            })
    }

    /// What a fault's catalogue entry promised and the run did not show: each declared clause
    /// that did not fail, then each pinned catch that did not happen.
    pub fn missed(&self) -> Vec<String> {
        let Subject::Fault(_) = self.subject else {
            return Vec::new();
        };
        let clauses = self
            .subject
            .declared()
            .iter()
            .filter(|c| !self.flagged(c))
            .map(|c| format!("{c} did not fail"));
        let catches = self
            .pinned()
            .iter()
            .filter(|catch| !self.caught_at(catch))
            .map(|catch| {
                format!(
                    "\"{}\" did not fail at \"{}\"{}",
                    catch.scenario,
                    catch.step,
                    catch
                        .message
                        .map(|words| format!(" saying \"{words}\""))
                        .unwrap_or_default()
                )
            });
        clauses.chain(catches).collect()
    }

    /// What the run's leak scan found, if anything: whatever the server does, the harness
    /// prints no key it holds, so a leak is a problem of every run, not only the clean one.
    fn leak_problem(&self) -> Option<String> {
        (self.leaks > 0).then(|| format!("the run leaked a key in {} output(s)", self.leaks))
    }

    /// How the failures of `clause` came about, for a problem's message.
    fn causes(&self, clause: &str) -> String {
        match self.failures.get(clause) {
            None => "it did not fail".to_owned(),
            Some(failures) => failures
                .iter()
                .map(|f| {
                    format!(
                        "{} at {} \"{}\" ({})",
                        f.cause.word(),
                        f.scenario,
                        f.name,
                        f.step
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// The clean run, one run per fault and one per variant.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Clause ids and levels, in catalogue order: the matrix's columns.
    pub columns: Vec<(String, Level)>,
    /// How many scenarios the suite has.
    pub scenarios: usize,
    /// The run against the clean server.
    pub clean: SubjectRun,
    /// One run per fault, in catalogue order.
    pub faults: Vec<SubjectRun>,
    /// One run per variant, in catalogue order.
    pub variants: Vec<SubjectRun>,
    /// Wall time of the whole matrix.
    pub elapsed: Duration,
}

impl Matrix {
    fn level(&self, clause: &str) -> Option<Level> {
        self.columns
            .iter()
            .find(|(id, _)| id == clause)
            .map(|(_, level)| *level)
    }

    /// Whether a fault's declared clauses are all SHOULD: a bad habit the docs allow.
    pub fn is_advisory(&self, fault: Fault) -> bool {
        fault
            .info()
            .clauses
            .iter()
            .all(|c| self.level(c) == Some(Level::Should))
    }

    /// Why a fault's run is not a catch, if it is not.
    fn fault_problem(&self, run: &SubjectRun) -> Option<String> {
        let Subject::Fault(fault) = run.subject else {
            return None;
        };
        if let Some(e) = &run.error {
            return Some(format!("{fault}: the run did not complete: {e}"));
        }
        if let Some(leak) = run.leak_problem() {
            return Some(format!("{fault}: {leak}"));
        }
        for clause in fault.info().clauses {
            if self.level(clause).is_none() {
                return Some(format!("{fault}: declares {clause}, which is not a clause"));
            }
        }
        let missed = run.missed();
        if !missed.is_empty() {
            let failed: Vec<String> = fault
                .info()
                .clauses
                .iter()
                .filter(|c| run.failures.contains_key(**c))
                .map(|c| format!("{c}: {}", run.causes(c)))
                .collect();
            return Some(format!(
                "{fault}: not caught as its catalogue entry pins it: {}; {}",
                missed.join("; "),
                if failed.is_empty() {
                    "no declared clause failed anywhere".to_owned()
                } else {
                    format!(
                        "where its declared clauses failed:{}",
                        failed
                            .iter()
                            .map(|f| format!("\n  {f}"))
                            .collect::<String>()
                    )
                }
            ));
        }
        match (self.is_advisory(fault), run.run_passed) {
            (false, true) => Some(format!(
                "{fault}: its MUST clauses failed, yet the run passed"
            )),
            (true, false) => Some(format!(
                "{fault}: advisory (SHOULD clauses only), yet the run failed on {}",
                run.failed.iter().cloned().collect::<Vec<_>>().join(", ")
            )),
            _ => None,
        }
    }

    /// Why a variant's run is not a pass, if it is not.
    fn variant_problem(&self, run: &SubjectRun) -> Option<String> {
        let Subject::Variant(variant) = run.subject else {
            return None;
        };
        if let Some(e) = &run.error {
            return Some(format!("{variant}: the run did not complete: {e}"));
        }
        if let Some(leak) = run.leak_problem() {
            return Some(format!("{variant}: {leak}"));
        }
        let must_not_passed: Vec<&str> = run
            .not_passed
            .iter()
            .filter(|c| self.level(c) == Some(Level::Must))
            .map(String::as_str)
            .collect();
        if !must_not_passed.is_empty() || !run.run_passed {
            return Some(format!(
                "{variant}: a choice the docs leave open, yet {} did not pass",
                if must_not_passed.is_empty() {
                    "the run".to_owned()
                } else {
                    must_not_passed.join(", ")
                }
            ));
        }
        let declared: BTreeSet<String> = variant
            .info()
            .advisories
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        // A declared advisory is a choice the suite reports: it must come out ADVISORY-FAIL,
        // not NOT-TESTABLE (a run that could not see the choice proves nothing about it).
        if run.not_passed != declared || run.advisory != declared {
            return Some(format!(
                "{variant}: declares advisories [{}] but the SHOULD clauses not passing are [{}], of which ADVISORY-FAIL [{}]",
                declared.into_iter().collect::<Vec<_>>().join(", "),
                run.not_passed
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
                run.advisory.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        None
    }

    /// Every run: the clean one, then the faults', then the variants'.
    pub fn runs(&self) -> impl Iterator<Item = &SubjectRun> {
        std::iter::once(&self.clean)
            .chain(&self.faults)
            .chain(&self.variants)
    }

    /// How many faults were caught as declared.
    pub fn caught(&self) -> usize {
        self.faults
            .iter()
            .filter(|r| self.fault_problem(r).is_none())
            .count()
    }

    /// How many variants passed as declared.
    pub fn conforming(&self) -> usize {
        self.variants
            .iter()
            .filter(|r| self.variant_problem(r).is_none())
            .count()
    }

    /// `56/56 faults caught by their declared clauses; 19/19 conforming variants pass`.
    pub fn score(&self) -> String {
        format!(
            "{}/{} faults caught by their declared clauses; {}/{} conforming variants pass",
            self.caught(),
            self.faults.len(),
            self.conforming(),
            self.variants.len()
        )
    }

    /// What is wrong with the suite or the catalogues, one line each (with the command that
    /// serves the subject again); empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = self.clean_problems();
        let again = |run: &SubjectRun, problem: String| {
            format!("{problem}\n  serve it again: {}", run.subject.serve_again())
        };
        problems.extend(
            self.faults
                .iter()
                .filter_map(|r| self.fault_problem(r).map(|p| again(r, p))),
        );
        problems.extend(
            self.variants
                .iter()
                .filter_map(|r| self.variant_problem(r).map(|p| again(r, p))),
        );
        problems
    }

    /// The clean server must pass the whole run: every clause of the catalogue PASS, every
    /// scenario of the suite run, and nothing leaked.
    fn clean_problems(&self) -> Vec<String> {
        let clean = &self.clean;
        let mut problems = Vec::new();
        if let Some(e) = &clean.error {
            problems.push(format!("the clean server's run did not complete: {e}"));
            return problems;
        }
        if !clean.not_passed.is_empty() {
            let list: Vec<&str> = clean.not_passed.iter().map(String::as_str).collect();
            problems.push(format!(
                "the clean server does not pass {}",
                list.join(", ")
            ));
        }
        if !clean.run_passed {
            problems.push("the clean server's run did not pass".to_owned());
        }
        if clean.clauses != self.columns.len() {
            problems.push(format!(
                "the clean server's run judged {} clauses of the catalogue's {}",
                clean.clauses,
                self.columns.len()
            ));
        }
        if clean.scenarios != self.scenarios {
            problems.push(format!(
                "the clean server's run reported {} scenarios of the suite's {}",
                clean.scenarios, self.scenarios
            ));
        }
        if let Some(leak) = clean.leak_problem() {
            problems.push(format!("the clean server's {leak}"));
        }
        problems
    }

    /// The runs × clause grid, a legend of its columns, and the score.
    ///
    /// A cell is `#` where a declared clause failed where the fault's entry pins it, `~` where
    /// it failed only elsewhere or otherwise (no answer, a step that could not run), `!` where a declared clause did
    /// not fail, `x` where an undeclared clause failed (`a` where it was an advisory failure),
    /// `n` where it was not testable, `.` where the clause passed.
    pub fn render(&self) -> String {
        let name_width = self
            .runs()
            .map(|r| r.subject.label().len())
            .max()
            .unwrap_or(5)
            .max(14);
        let mut out = String::new();
        let header = |out: &mut String, title: &str| {
            out.push_str(&format!("{title:name_width$}  "));
            for n in 1..=self.columns.len() {
                out.push_str(&format!("{n:>3}"));
            }
            out.push_str("  verdict\n");
        };
        header(&mut out, "fault \\ clause");
        for run in std::iter::once(&self.clean).chain(&self.faults) {
            self.render_row(&mut out, run, name_width);
        }
        out.push('\n');
        header(&mut out, "variant");
        for run in &self.variants {
            self.render_row(&mut out, run, name_width);
        }
        out.push_str("\ncolumns: ");
        let legend: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (c, level))| {
                format!(
                    "{} {c}{}",
                    i + 1,
                    if *level == Level::Should {
                        " (SHOULD)"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        out.push_str(&legend.join(", "));
        out.push_str(
            "\ncells: # declared and failed where pinned, ~ declared and failed elsewhere or otherwise (no answer, setup), ! declared but passed, x also failed, a also an advisory failure, n not testable, . passed\n",
        );
        out.push_str(&format!(
            "{} in {:.1} s\n",
            self.score(),
            self.elapsed.as_secs_f64()
        ));
        out
    }

    fn render_row(&self, out: &mut String, run: &SubjectRun, name_width: usize) {
        let declared = run.subject.declared();
        out.push_str(&format!("{:name_width$}  ", run.subject.label()));
        for (column, _) in &self.columns {
            let cell = match (
                declared.contains(&column.as_str()),
                run.failed.contains(column),
                run.advisory.contains(column),
                run.not_passed.contains(column),
            ) {
                (true, ..) if run.failed_by_symptom(column) => '#',
                (true, true, _, _) | (true, _, true, _) => '~',
                (true, false, false, _) => '!',
                (false, true, _, _) => 'x',
                (false, _, true, _) => 'a',
                (false, false, false, true) => 'n',
                (false, false, false, false) => '.',
            };
            out.push_str(&format!("{cell:>3}"));
        }
        let verdict = match run.subject {
            _ if run.error.is_some() => "ERROR".to_owned(),
            Subject::Clean if run.not_passed.is_empty() => "clean: all clauses pass".to_owned(),
            Subject::Clean => "clean: NOT ALL PASS".to_owned(),
            Subject::Fault(fault) => match self.fault_problem(run) {
                None if self.is_advisory(fault) => "caught (advisory)".to_owned(),
                None => "caught".to_owned(),
                Some(_) => "MISSED".to_owned(),
            },
            Subject::Variant(_) => match self.variant_problem(run) {
                None => "passes".to_owned(),
                Some(_) => "FAILED BY THE SUITE".to_owned(),
            },
        };
        out.push_str(&format!("  {verdict}\n"));
    }
}

/// How long a request may take in a run of the matrix that is not about timing: long enough
/// that a machine busy with the other runs never turns a slow answer into a verdict.
pub const UNHURRIED: Duration = Duration::from_secs(15);

/// The shortest time any of `faults` holds an answer back: a matrix's timeout must be shorter,
/// or the fault answers before the harness gives up and is missed.
pub fn shortest_held_answer(faults: &[Fault]) -> Option<Duration> {
    faults
        .iter()
        .filter_map(|f| Subject::Fault(*f).holds_answers_for())
        .min()
}

/// Runs the suite against a clean reference server, one per fault and one per variant,
/// `parallel` at a time. The run against a fault that holds its answer back (slow-save, for
/// 60 s) bounds its requests by `timeout`; every other run by [`UNHURRIED`], so load on the
/// machine cannot turn a slow answer into a catch, and the faults of the transport that do
/// answer (a redirect, a cut or oversized body) are caught by what their answer says.
///
/// The runs share one task (cucumber's futures are not `Send`) and their servers run on the
/// runtime's threads.
pub async fn run_matrix(
    suite: Arc<Suite>,
    faults: &[Fault],
    variants: &[Variant],
    timeout: Duration,
    parallel: usize,
) -> Matrix {
    let started = Instant::now();
    let columns = suite.clauses().map(|c| (c.id.clone(), c.level)).collect();
    let subjects: Vec<Subject> = std::iter::once(Subject::Clean)
        .chain(faults.iter().copied().map(Subject::Fault))
        .chain(variants.iter().copied().map(Subject::Variant))
        .collect();
    let mut runs: Vec<SubjectRun> = futures::stream::iter(subjects)
        .map(|subject| {
            let timeout = if subject.holds_answers_for().is_some() {
                timeout
            } else {
                UNHURRIED
            };
            run_one(suite.clone(), subject, timeout)
        })
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    runs.sort_by_key(|r| r.subject);
    let clean = runs.remove(0);
    let (faults, variants) = runs
        .into_iter()
        .partition(|r| matches!(r.subject, Subject::Fault(_)));
    Matrix {
        columns,
        scenarios: suite.scenario_count(),
        clean,
        faults,
        variants,
        elapsed: started.elapsed(),
    }
}

/// One run of the suite against a reference server serving `subject`.
pub async fn run_one(suite: Arc<Suite>, subject: Subject, timeout: Duration) -> SubjectRun {
    let started = Instant::now();
    let mut run = SubjectRun::new(subject);
    let options = subject.server_options();
    let server = match ReferenceServer::start(options).await {
        Ok(server) => server,
        Err(e) => {
            run.error = Some(format!("the reference server did not start: {e}"));
            return run;
        }
    };
    let target = Fixtures::parse(&server.fixtures_toml())
        .and_then(|fixtures| Target::new(&server.base_url(), fixtures))
        .and_then(|target| Ok(target.provision(provisioning_of(&server)?)));
    // Every output a user's run can have, so that the run's leak scan reads them all: the
    // console at -vv (kept, not printed) and each report, in a directory of its own.
    let outputs = std::env::temp_dir().join(format!(
        "share-conformance-matrix-{}-{}",
        std::process::id(),
        subject.label().trim_matches(|c| c == '(' || c == ')')
    ));
    if let Err(e) = std::fs::create_dir_all(&outputs) {
        run.error = Some(format!("cannot create {}: {e}", outputs.display()));
        return run;
    }
    let outcome = match target {
        Ok(target) => {
            Run::new(target.describe(&subject.label()))
                .suite(suite)
                .timeout(timeout)
                .quiet()
                .verbosity(2)
                .junit(outputs.join("junit.xml"))
                .cucumber_json(outputs.join("cucumber.json"))
                .report(outputs.join("report.md"))
                .html(outputs.join("report.html"))
                .execute()
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(report) => run.record(&report),
        Err(e) => run.error = Some(e.to_string()),
    }
    let _ = std::fs::remove_dir_all(&outputs);
    // Dropping the server signals shutdown without waiting: a slow fault's handler may
    // still hold a connection the harness gave up on.
    drop(server);
    run.elapsed = started.elapsed();
    run
}

/// Provisioning through the reference server's sharer, every state it can make: the
/// lifecycles of a save run against every fault and variant too.
pub fn provisioning_of(server: &ReferenceServer) -> Result<Provision, share_conformance::Error> {
    let seed = server.seed();
    Ok(Provision::every_state(
        ApiKey::new(seed.sharer_key.expose()).map_err(share_conformance::Error::Key)?,
        &seed.organization_id,
        &seed.track_id,
        &seed.disposable_track_id,
        &seed.collection_id,
    ))
}

#[cfg(test)]
mod tests;
