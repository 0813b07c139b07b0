//! The mutation matrix: the suite against the reference server once clean and once per fault.
//!
//! A fault is *caught* when the run fails and every clause the fault declares is among the
//! failed ones. A fault the run passes, or fails only through undeclared clauses, is a hole
//! in the suite or a wrong declaration, and [`Matrix::problems`] names it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;

use crate::clauses::Level;
use crate::reference::faults::Fault;
use crate::reference::{ReferenceServer, ServerOptions};
use crate::report::Verdict;
use crate::runner::{self, RunConfig};
use crate::suite::Suite;
use crate::target::{RemoteTarget, Target};

/// One run of the suite against the reference server, clean or with a fault.
#[derive(Debug, Clone)]
pub struct FaultRun {
    /// The fault, `None` for the clean server.
    pub fault: Option<Fault>,
    /// Clauses whose verdict is FAIL.
    pub failed: BTreeSet<String>,
    /// Clauses whose verdict is not PASS (FAIL, ADVISORY-FAIL, NOT-TESTABLE).
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

impl FaultRun {
    /// Declared clauses that did not fail.
    pub fn missed(&self) -> Vec<&'static str> {
        self.fault
            .map(|f| {
                f.info()
                    .clauses
                    .iter()
                    .copied()
                    .filter(|c| !self.failed.contains(*c))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the run failed with every declared clause failing.
    pub fn caught(&self) -> bool {
        self.fault.is_some() && !self.run_passed && self.error.is_none() && self.missed().is_empty()
    }
}

/// The clean run and one run per fault.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// MUST clause ids, in catalogue order: the matrix's columns.
    pub columns: Vec<String>,
    /// The run against the clean server.
    pub clean: FaultRun,
    /// One run per fault, in catalogue order.
    pub runs: Vec<FaultRun>,
    /// Wall time of the whole matrix.
    pub elapsed: Duration,
}

impl Matrix {
    /// How many faults were caught by their declared clauses.
    pub fn caught(&self) -> usize {
        self.runs.iter().filter(|r| r.caught()).count()
    }

    /// `39/39 faults caught by their declared clauses`.
    pub fn score(&self) -> String {
        format!(
            "{}/{} faults caught by their declared clauses",
            self.caught(),
            self.runs.len()
        )
    }

    /// What is wrong with the suite or the catalogue, one line each; empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(e) = &self.clean.error {
            problems.push(format!("the clean server's run did not complete: {e}"));
        } else if !self.clean.not_passed.is_empty() {
            let list: Vec<&str> = self.clean.not_passed.iter().map(String::as_str).collect();
            problems.push(format!(
                "the clean server does not pass {}",
                list.join(", ")
            ));
        }
        for run in &self.runs {
            let Some(fault) = run.fault else { continue };
            if let Some(e) = &run.error {
                problems.push(format!("{fault}: the run did not complete: {e}"));
            } else if run.run_passed {
                problems.push(format!(
                    "{fault}: no MUST clause caught it (the run passed)"
                ));
            } else if !run.missed().is_empty() {
                let caught_by: Vec<&str> = run.failed.iter().map(String::as_str).collect();
                problems.push(format!(
                    "{fault}: declared {} did not fail; it was caught only by {}",
                    run.missed().join(", "),
                    caught_by.join(", ")
                ));
            }
        }
        problems
    }

    /// The fault × clause grid, a legend of its columns, and the score.
    ///
    /// A cell is `#` where a declared clause failed, `!` where a declared clause did not fail,
    /// `x` where an undeclared clause failed too, `.` where the clause passed.
    pub fn render(&self) -> String {
        let name_width = self
            .runs
            .iter()
            .map(|r| label(r.fault).len())
            .max()
            .unwrap_or(5)
            .max(12);
        let mut out = String::new();
        out.push_str(&format!("{:name_width$}  ", "fault \\ clause"));
        for n in 1..=self.columns.len() {
            out.push_str(&format!("{:>3}", n));
        }
        out.push_str("  verdict\n");
        for run in std::iter::once(&self.clean).chain(&self.runs) {
            let declared: &[&str] = run.fault.map(|f| f.info().clauses).unwrap_or_default();
            out.push_str(&format!("{:name_width$}  ", label(run.fault)));
            for column in &self.columns {
                let cell = match (
                    declared.contains(&column.as_str()),
                    run.failed.contains(column),
                ) {
                    (true, true) => '#',
                    (true, false) => '!',
                    (false, true) => 'x',
                    (false, false) => '.',
                };
                out.push_str(&format!("{cell:>3}"));
            }
            let verdict = match (run.fault, &run.error) {
                (_, Some(_)) => "ERROR".to_owned(),
                (None, None) if run.not_passed.is_empty() => "clean: all clauses pass".to_owned(),
                (None, None) => "clean: NOT ALL PASS".to_owned(),
                (Some(_), None) if run.caught() => "caught".to_owned(),
                (Some(_), None) => "MISSED".to_owned(),
            };
            out.push_str(&format!("  {verdict}\n"));
        }
        out.push_str("\ncolumns: ");
        let legend: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} {c}", i + 1))
            .collect();
        out.push_str(&legend.join(", "));
        out.push_str(
            "\ncells: # declared and failed, ! declared but passed, x also failed, . passed\n",
        );
        out.push_str(&format!(
            "{} in {:.1} s\n",
            self.score(),
            self.elapsed.as_secs_f64()
        ));
        out
    }
}

fn label(fault: Option<Fault>) -> String {
    fault.map_or_else(|| "(clean)".to_owned(), |f| f.name().to_owned())
}

/// Runs the suite against a clean reference server and one per fault, `parallel` at a time,
/// each run's requests bounded by `timeout`.
///
/// The runs share one task (cucumber's futures are not `Send`) and their servers run on the
/// runtime's threads.
pub async fn run_matrix(
    suite: Arc<Suite>,
    faults: &[Fault],
    timeout: Duration,
    parallel: usize,
) -> Matrix {
    let started = Instant::now();
    let columns = suite
        .catalogue()
        .iter()
        .filter(|c| c.level == Level::Must)
        .map(|c| c.id.clone())
        .collect();
    let targets: Vec<Option<Fault>> = std::iter::once(None)
        .chain(faults.iter().copied().map(Some))
        .collect();
    let mut runs: Vec<FaultRun> = futures::stream::iter(targets)
        .map(|fault| run_one(suite.clone(), fault, timeout))
        .buffer_unordered(parallel.max(1))
        .collect()
        .await;
    runs.sort_by_key(|r| r.fault);
    let clean = runs.remove(0);
    Matrix {
        columns,
        clean,
        runs,
        elapsed: started.elapsed(),
    }
}

/// One run of the suite against a reference server started with `fault`.
pub async fn run_one(suite: Arc<Suite>, fault: Option<Fault>, timeout: Duration) -> FaultRun {
    let started = Instant::now();
    let mut run = FaultRun {
        fault,
        failed: BTreeSet::new(),
        not_passed: BTreeSet::new(),
        run_passed: false,
        error: None,
        output: String::new(),
        elapsed: Duration::ZERO,
    };
    let server = match ReferenceServer::start(ServerOptions {
        fault,
        ..Default::default()
    })
    .await
    {
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
                if clause.verdict == Verdict::Fail {
                    run.failed.insert(clause.id.clone());
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
