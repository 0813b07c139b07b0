//! The matrix: the suite against the reference server clean, once per fault, and once per
//! conforming variant. It measures the suite in both directions.
//!
//! - A fault is *caught* when every clause it declares fails: FAIL for a MUST clause (and the
//!   run fails), ADVISORY-FAIL for a SHOULD clause. A fault that declares only SHOULD clauses
//!   is advisory: the run must still pass, since the docs do not forbid what it does.
//! - A variant *conforms* when the run passes with every MUST clause PASS, and the SHOULD
//!   clauses that are not PASS are exactly the ones it declares (those report its choice).
//!
//! [`Matrix::problems`] names every fault that got through, every variant the suite failed,
//! and any verdict on the clean server other than PASS.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;

use crate::clauses::Level;
use crate::reference::faults::{Fault, FaultKind};
use crate::reference::variants::Variant;
use crate::reference::{ReferenceServer, ServerOptions};
use crate::report::Verdict;
use crate::runner::{self, RunConfig};
use crate::suite::Suite;
use crate::target::{RemoteTarget, Target};

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
    /// Whether the run passed (exit 0).
    pub run_passed: bool,
    /// Why the run produced no report, if it did not.
    pub error: Option<String>,
    /// The run's console output.
    pub output: String,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl SubjectRun {
    /// Whether `clause` came out as a catch: FAIL, or ADVISORY-FAIL for a SHOULD clause.
    fn flagged(&self, clause: &str) -> bool {
        self.failed.contains(clause) || self.advisory.contains(clause)
    }

    /// Declared clauses of a fault that did not fail.
    pub fn missed(&self) -> Vec<&'static str> {
        match self.subject {
            Subject::Fault(_) => self
                .subject
                .declared()
                .iter()
                .copied()
                .filter(|c| !self.flagged(c))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The clean run, one run per fault and one per variant.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Clause ids and levels, in catalogue order: the matrix's columns.
    pub columns: Vec<(String, Level)>,
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
        for clause in fault.info().clauses {
            if self.level(clause).is_none() {
                return Some(format!("{fault}: declares {clause}, which is not a clause"));
            }
        }
        let missed = run.missed();
        if !missed.is_empty() {
            let flagged: Vec<&str> = run
                .failed
                .iter()
                .chain(&run.advisory)
                .map(String::as_str)
                .collect();
            return Some(format!(
                "{fault}: declared {} did not fail; {}",
                missed.join(", "),
                if flagged.is_empty() {
                    "nothing did".to_owned()
                } else {
                    format!("it was caught only by {}", flagged.join(", "))
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
        if run.not_passed != declared {
            return Some(format!(
                "{variant}: declares advisories [{}] but the SHOULD clauses not passing are [{}]",
                declared.into_iter().collect::<Vec<_>>().join(", "),
                run.not_passed
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        None
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

    /// What is wrong with the suite or the catalogues, one line each; empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(e) = &self.clean.error {
            problems.push(format!("the clean server's run did not complete: {e}"));
        } else if !self.clean.not_passed.is_empty() || !self.clean.run_passed {
            let list: Vec<&str> = self.clean.not_passed.iter().map(String::as_str).collect();
            problems.push(format!(
                "the clean server does not pass {}",
                list.join(", ")
            ));
        }
        problems.extend(self.faults.iter().filter_map(|r| self.fault_problem(r)));
        problems.extend(self.variants.iter().filter_map(|r| self.variant_problem(r)));
        problems
    }

    /// The runs × clause grid, a legend of its columns, and the score.
    ///
    /// A cell is `#` where a declared clause failed, `!` where a declared clause did not fail,
    /// `x` where an undeclared clause failed (`a` where it was an advisory failure), `.`
    /// where the clause passed.
    pub fn render(&self) -> String {
        let name_width = self
            .faults
            .iter()
            .chain(&self.variants)
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
            "\ncells: # declared and failed, ! declared but passed, x also failed, a also an advisory failure, n not testable, . passed\n",
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
                (true, true, _, _) | (true, _, true, _) => '#',
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

/// Runs the suite against a clean reference server, one per fault and one per variant,
/// `parallel` at a time. The runs against a transport fault bound their requests by
/// `timeout` (the slow-save fault waits for it); every other run by [`UNHURRIED`], so only a
/// transport fault can ever be caught by a timeout.
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
    let columns = suite
        .catalogue()
        .iter()
        .map(|c| (c.id.clone(), c.level))
        .collect();
    let subjects: Vec<Subject> = std::iter::once(Subject::Clean)
        .chain(faults.iter().copied().map(Subject::Fault))
        .chain(variants.iter().copied().map(Subject::Variant))
        .collect();
    let mut runs: Vec<SubjectRun> = futures::stream::iter(subjects)
        .map(|subject| {
            let transport =
                matches!(subject, Subject::Fault(f) if f.info().kind == FaultKind::Transport);
            run_one(
                suite.clone(),
                subject,
                if transport { timeout } else { UNHURRIED },
            )
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
        clean,
        faults,
        variants,
        elapsed: started.elapsed(),
    }
}

/// One run of the suite against a reference server serving `subject`.
pub async fn run_one(suite: Arc<Suite>, subject: Subject, timeout: Duration) -> SubjectRun {
    let started = Instant::now();
    let mut run = SubjectRun {
        subject,
        failed: BTreeSet::new(),
        advisory: BTreeSet::new(),
        not_passed: BTreeSet::new(),
        run_passed: false,
        error: None,
        output: String::new(),
        elapsed: Duration::ZERO,
    };
    let options = ServerOptions {
        fault: match subject {
            Subject::Fault(f) => Some(f),
            _ => None,
        },
        variant: match subject {
            Subject::Variant(v) => Some(v),
            _ => None,
        },
        ..Default::default()
    };
    let server = match ReferenceServer::start(options).await {
        Ok(server) => server,
        Err(e) => {
            run.error = Some(format!("the reference server did not start: {e}"));
            return run;
        }
    };
    let fixtures = server.fixtures();
    let target = RemoteTarget {
        base_url: server.base_url().parse().expect("a loopback URL parses"),
        api_key: fixtures.api_key.clone(),
        fixtures,
        provision: None,
        tls: Default::default(),
    };
    let config = RunConfig {
        target: Target::Remote(Box::new(target)),
        timeout,
        ..RunConfig::embedded(suite)
    };
    let mut output = Vec::new();
    match runner::run(config, &mut output).await {
        Ok(report) => {
            run.run_passed = report.passed();
            for clause in &report.clauses {
                match clause.verdict {
                    Verdict::Fail => {
                        run.failed.insert(clause.id.clone());
                    }
                    Verdict::AdvisoryFail => {
                        run.advisory.insert(clause.id.clone());
                    }
                    _ => {}
                }
                if clause.verdict != Verdict::Pass {
                    run.not_passed.insert(clause.id.clone());
                }
            }
        }
        Err(e) => run.error = Some(e.to_string()),
    }
    // Dropping the server signals shutdown without waiting: a slow fault's handler may
    // still hold a connection the harness gave up on.
    drop(server);
    run.output = String::from_utf8_lossy(&output).into_owned();
    run.elapsed = started.elapsed();
    run
}
