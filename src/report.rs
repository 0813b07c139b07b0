//! What a run found: per-scenario outcomes, per-clause verdicts, and their rendering.
//!
//! A clause's verdict combines its scenarios: any failure makes it FAIL (ADVISORY-FAIL for a
//! SHOULD clause); otherwise any NOT-TESTABLE scenario makes it NOT-TESTABLE; only a clause
//! whose every scenario passed is PASS.
//!
//! There is no vacuous pass. A `run` fails when a selected MUST clause had no scenario that
//! could run, and a `certify` fails unless every MUST clause of the catalogue was tested and
//! passed ([`Report::failure_reasons`]).

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::clauses::{Catalogue, Level, Provenance};

/// How one scenario ended.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    },
    /// A step needed something the target's configuration lacks.
    NotTestable {
        /// What is missing.
        reason: String,
    },
}

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
pub struct ScenarioResult {
    /// `features/saving.feature`.
    pub feature: String,
    /// Line of the scenario (of the example row, for an outline).
    pub line: usize,
    /// The scenario's name.
    pub name: String,
    /// The clauses it proves.
    pub clauses: Vec<String>,
    /// Whether it is tagged `@should`.
    pub advisory: bool,
    /// How it ended.
    pub outcome: Outcome,
    /// What the scenario rests on: its description's lines that open with a provenance mark
    /// (`[doc] "Returns `201 Created` …" (save-shared-track.md)`).
    pub sources: Vec<String>,
    /// Observations worth reporting even on a pass.
    pub notes: Vec<String>,
    /// Every step, background first, in order.
    pub steps: Vec<StepRecord>,
    /// Wall time from start to finish.
    pub duration: Duration,
    /// Under `--repeat`: how many repetitions passed, of how many.
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
    /// Whether its verdict changed between repetitions.
    pub fn is_flaky(&self) -> bool {
        self.repetitions
            .is_some_and(|r| r.passed > 0 && r.passed < r.runs)
    }

    /// `features/saving.feature:12`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.feature, self.line)
    }

    /// The verdict word of this scenario.
    pub fn verdict(&self) -> Verdict {
        if self.is_flaky() {
            return Verdict::Flaky;
        }
        match (&self.outcome, self.advisory) {
            (Outcome::Passed, _) => Verdict::Pass,
            (Outcome::NotTestable { .. }, _) => Verdict::NotTestable,
            (Outcome::Failed { .. }, false) => Verdict::Fail,
            (Outcome::Failed { .. }, true) => Verdict::AdvisoryFail,
        }
    }
}

/// The verdict on a clause (or a scenario).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Tested and satisfied.
    Pass,
    /// A MUST clause the target breaks.
    Fail,
    /// Could not be tested: a fixture was missing.
    NotTestable,
    /// A SHOULD clause the target breaks; never fails a run.
    AdvisoryFail,
    /// The verdict changed between repetitions (`--repeat`).
    Flaky,
}

impl Verdict {
    /// `PASS`, `FAIL`, `NOT-TESTABLE`, `ADVISORY-FAIL`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::NotTestable => "NOT-TESTABLE",
            Self::AdvisoryFail => "ADVISORY-FAIL",
            Self::Flaky => "FLAKY",
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
pub struct ClauseResult {
    /// The clause id.
    pub id: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// Where the clause's fact comes from: [doc], [ex] or [inferred].
    pub mark: Provenance,
    /// The page(s) it comes from.
    pub source: String,
    /// The combined verdict.
    pub verdict: Verdict,
    /// Locations of the scenarios that ran for it.
    pub scenarios: Vec<String>,
    /// How many of them passed.
    pub passed: usize,
    /// How many of them ran (passed or failed, not NOT-TESTABLE).
    pub ran: usize,
}

/// What a run is for, which decides when it passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// `run`: no MUST clause failed, and every selected MUST clause had a scenario that ran.
    #[default]
    Run,
    /// `certify`: every MUST clause of the catalogue was tested and passed.
    Certify,
}

/// What a run was, apart from its results.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// `run` or `certify`.
    pub mode: Mode,
    /// Scheme, host and port of the target (never a key).
    pub target: String,
    /// Whether the target was the embedded reference server.
    pub embedded: bool,
    /// Whether the target's TLS certificate was verified (false with `--insecure`).
    pub tls_verified: bool,
    /// Whether FLAKY MUST clauses are tolerated (`--allow-flaky`).
    pub allow_flaky: bool,
    /// When the scenarios started.
    pub started_at: SystemTime,
    /// Wall time of the scenarios.
    pub duration: Duration,
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Report {
    /// What the run was: its mode, target, TLS, timing.
    pub run: RunInfo,
    /// Every scenario that ran, in file order.
    pub scenarios: Vec<ScenarioResult>,
    /// Every selected clause, in catalogue order.
    pub clauses: Vec<ClauseResult>,
    /// Clauses no selected scenario covers (deselected by a tag filter).
    pub unselected: Vec<String>,
    /// The MUST clauses among them.
    pub unselected_must: Vec<String>,
    /// The files the run wrote (JUnit, Cucumber JSON, report).
    pub artifacts: Vec<std::path::PathBuf>,
    /// Secrets the leak scan found in the run's outputs.
    pub leaks: Vec<crate::leak::Leak>,
    /// Responses in which the target echoed a key back (masked on arrival).
    pub echoed_secrets: usize,
}

impl Report {
    /// The scenarios grouped by feature file, in file order.
    pub fn by_feature(&self) -> std::collections::BTreeMap<&str, Vec<&ScenarioResult>> {
        let mut grouped: std::collections::BTreeMap<&str, Vec<&ScenarioResult>> =
            Default::default();
        for scenario in &self.scenarios {
            grouped.entry(&scenario.feature).or_default().push(scenario);
        }
        grouped
    }

    /// Combines scenario results into clause verdicts.
    pub fn new(info: RunInfo, catalogue: &Catalogue, mut scenarios: Vec<ScenarioResult>) -> Self {
        scenarios.sort_by(|a, b| (&a.feature, a.line).cmp(&(&b.feature, b.line)));
        let mut clauses = Vec::new();
        let mut unselected = Vec::new();
        let mut unselected_must = Vec::new();
        for clause in catalogue.iter() {
            let behind: Vec<&ScenarioResult> = scenarios
                .iter()
                .filter(|s| s.clauses.contains(&clause.id))
                .collect();
            if behind.is_empty() {
                unselected.push(clause.id.clone());
                if clause.level == Level::Must {
                    unselected_must.push(clause.id.clone());
                }
                continue;
            }
            let failed = behind
                .iter()
                .any(|s| matches!(s.verdict(), Verdict::Fail | Verdict::AdvisoryFail));
            let flaky = behind.iter().any(|s| s.is_flaky());
            let untestable = behind
                .iter()
                .any(|s| matches!(s.outcome, Outcome::NotTestable { .. }));
            let verdict = match (failed, flaky, untestable, clause.level) {
                (true, _, _, Level::Must) => Verdict::Fail,
                (true, _, _, Level::Should) => Verdict::AdvisoryFail,
                (false, true, _, _) => Verdict::Flaky,
                (false, false, true, _) => Verdict::NotTestable,
                (false, false, false, _) => Verdict::Pass,
            };
            clauses.push(ClauseResult {
                id: clause.id.clone(),
                level: clause.level,
                mark: clause.mark,
                source: clause.source.clone(),
                verdict,
                scenarios: behind.iter().map(|s| s.location()).collect(),
                passed: behind
                    .iter()
                    .filter(|s| s.verdict() == Verdict::Pass)
                    .count(),
                ran: behind
                    .iter()
                    .filter(|s| !matches!(s.outcome, Outcome::NotTestable { .. }))
                    .count(),
            });
        }
        Self {
            run: info,
            scenarios,
            clauses,
            unselected,
            unselected_must,
            artifacts: Vec::new(),
            leaks: Vec::new(),
            echoed_secrets: 0,
        }
    }

    /// Whether the run passes, by its mode's rule.
    pub fn passed(&self) -> bool {
        self.failure_reasons().is_empty()
    }

    /// Why the run does not pass, one line each; empty when it passes.
    pub fn failure_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        for c in self.clauses.iter().filter(|c| c.level == Level::Must) {
            match (c.verdict, self.run.mode) {
                (Verdict::Fail, _) => reasons.push(format!("{} failed", c.id)),
                (Verdict::NotTestable, Mode::Certify) => reasons.push(format!(
                    "{} is NOT-TESTABLE: a certificate needs every MUST clause tested",
                    c.id
                )),
                (Verdict::Flaky, _) if !self.run.allow_flaky => reasons.push(format!(
                    "{} is FLAKY: its verdict changed between repetitions (tolerate it with --allow-flaky)",
                    c.id
                )),
                (Verdict::NotTestable, Mode::Run) if c.ran == 0 => reasons.push(format!(
                    "{} was selected but none of its scenarios could run: {} (or deselect it: --tags 'not @clause:{}')",
                    c.id,
                    self.why_not_testable(&c.id),
                    c.id
                )),
                _ => {}
            }
        }
        reasons.extend(self.leaks.iter().map(ToString::to_string));
        for s in self.scenarios.iter().filter(|s| s.clauses.is_empty()) {
            // Results that stand for the runner or the parser, not a scenario.
            if let Outcome::Failed { message, .. } = &s.outcome {
                reasons.push(format!("{}: {message}", s.name));
            }
        }
        if self.run.mode == Mode::Certify {
            for id in &self.unselected_must {
                reasons.push(format!(
                    "{id} was not run: a certificate needs every MUST clause"
                ));
            }
        }
        reasons
    }

    /// The first line of the reason the first NOT-TESTABLE scenario of clause `id` gave.
    fn why_not_testable(&self, id: &str) -> String {
        self.scenarios
            .iter()
            .filter(|s| s.clauses.iter().any(|c| c == id))
            .find_map(|s| match &s.outcome {
                Outcome::NotTestable { reason } => reason.lines().next().map(str::to_owned),
                _ => None,
            })
            .unwrap_or_else(|| "no fixture for it".to_owned())
    }

    /// Panics, with a readable summary, unless the run passed: why it fails, every scenario that
    /// did not pass with what was expected and what came back, and the clause table. For a
    /// vendor's `cargo test`.
    #[track_caller]
    pub fn assert_passed(&self) {
        if self.passed() {
            return;
        }
        panic!("{}", self.failure_summary());
    }

    /// What [`Report::assert_passed`] panics with.
    pub fn failure_summary(&self) -> String {
        let mut out = format!(
            "the target {} does not conform to Save a shared track:\n",
            self.run.target
        );
        for reason in self.failure_reasons() {
            out.push_str(&format!("  - {reason}\n"));
        }
        out.push('\n');
        for scenario in self
            .scenarios
            .iter()
            .filter(|s| s.verdict() != Verdict::Pass)
        {
            out.push_str(&scenario_lines(scenario));
        }
        out.push('\n');
        out.push_str(&self.clause_table());
        out
    }

    /// The result of clause `id`, if it was selected.
    pub fn clause(&self, id: &str) -> Option<&ClauseResult> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The verdict on clause `id`, if it was selected.
    pub fn verdict(&self, id: &str) -> Option<Verdict> {
        self.clauses.iter().find(|c| c.id == id).map(|c| c.verdict)
    }

    /// How many selected clauses have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.clauses.iter().filter(|c| c.verdict == verdict).count()
    }

    /// `PASS`/`FAIL` for a run, `CERTIFIED`/`NOT CERTIFIED` for a certification.
    pub fn result_word(&self) -> &'static str {
        match (self.run.mode, self.passed()) {
            (Mode::Run, true) => "PASS",
            (Mode::Run, false) => "FAIL",
            (Mode::Certify, true) => "CERTIFIED",
            (Mode::Certify, false) => "NOT CERTIFIED",
        }
    }

    /// The per-clause table: one line per clause, `id level verdict passed source`, so
    /// scripts can grep it.
    pub fn clause_table(&self) -> String {
        let width = self
            .clauses
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut out = format!(
            "{:<width$}  {:<6}  {:<13}  {:<7}  source\n",
            "clause", "level", "verdict", "passed"
        );
        for c in &self.clauses {
            out.push_str(&format!(
                "{:<width$}  {:<6}  {:<13}  {:<7}  {} {}\n",
                c.id,
                c.level.to_string(),
                c.verdict,
                format!("{}/{}", c.passed, c.scenarios.len()),
                c.mark,
                c.source
            ));
        }
        out
    }

    /// The closing lines: counts, notes, why the run fails if it does, and the result.
    pub fn summary(&self) -> String {
        let tested = self.clauses.len() - self.count(Verdict::NotTestable);
        let mut out = format!(
            "{} clauses selected: {} tested, {} passed, {} failed, {} not testable, {} advisory failures{}\n",
            self.clauses.len(),
            tested,
            self.count(Verdict::Pass),
            self.count(Verdict::Fail),
            self.count(Verdict::NotTestable),
            self.count(Verdict::AdvisoryFail),
            match self.count(Verdict::Flaky) {
                0 => String::new(),
                n => format!(", {n} flaky"),
            },
        );
        if !self.unselected.is_empty() {
            out.push_str(&format!(
                "not selected by --tags: {}\n",
                self.unselected.join(", ")
            ));
        }
        for s in &self.scenarios {
            for note in &s.notes {
                out.push_str(&format!("note: {note} ({})\n", s.clauses.join(", ")));
            }
        }
        let untestable_must = self
            .clauses
            .iter()
            .filter(|c| c.level == Level::Must && c.verdict == Verdict::NotTestable)
            .count();
        if untestable_must > 0 {
            out.push_str(&format!(
                "warning: {untestable_must} MUST clause(s) could not be fully tested: this run does not show conformance to them\n"
            ));
        }
        if !self.run.tls_verified {
            out.push_str("warning: --insecure: the target's TLS certificate was not verified, so its identity is unproven\n");
        }
        if self.echoed_secrets > 0 {
            out.push_str(&format!(
                "warning: the target echoed a key back in {} response(s); it is masked in every output, but a server should never return it\n",
                self.echoed_secrets
            ));
        }
        for reason in self.failure_reasons() {
            out.push_str(&format!("fails because: {reason}\n"));
        }
        out.push_str(&format!(
            "result: {} against {}{} in {:.2} s\n",
            self.result_word(),
            self.run.target,
            if self.run.embedded {
                " (embedded reference server)"
            } else {
                ""
            },
            self.run.duration.as_secs_f64()
        ));
        out
    }
}

/// The line printed for one finished scenario, and its failure detail indented below it.
pub fn scenario_lines(result: &ScenarioResult) -> String {
    let repeated = result
        .repetitions
        .map(|r| format!("  (passed {} of {} repetitions)", r.passed, r.runs))
        .unwrap_or_default();
    let mut out = format!(
        "{:<13}  {}  {}{repeated}\n",
        result.verdict(),
        result.location(),
        result.name
    );
    match &result.outcome {
        Outcome::Passed => {}
        Outcome::Failed {
            step,
            location,
            message,
        } => {
            out.push_str(&format!("               step:     {step}  ({location})\n"));
            for line in message.lines() {
                out.push_str(&format!("               {line}\n"));
            }
            for (i, source) in result.sources.iter().enumerate() {
                let label = if i == 0 { "rests on:" } else { "" };
                out.push_str(&format!("               {label:<9} {source}\n"));
            }
        }
        Outcome::NotTestable { reason } => {
            let mut lines = reason.lines();
            out.push_str(&format!(
                "               not testable: {}\n",
                lines.next().unwrap_or_default()
            ));
            for line in lines {
                out.push_str(&format!("               {line}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        let clause = |id: &str, level: &str| {
            format!(
                "[[clause]]\nid = \"{id}\"\nlevel = \"{level}\"\nmark = \"doc\"\nsource = \"s\"\ndoc = \"d\"\ncheck = \"c\"\n"
            )
        };
        Catalogue::parse(
            &[
                clause("A", "MUST"),
                clause("B", "SHOULD"),
                clause("C", "MUST"),
            ]
            .concat(),
        )
        .unwrap()
    }

    fn result(line: usize, clause: &str, outcome: Outcome) -> ScenarioResult {
        ScenarioResult {
            feature: "features/x.feature".into(),
            line,
            name: format!("scenario {line}"),
            clauses: vec![clause.into()],
            advisory: clause == "B",
            outcome,
            sources: vec!["[doc] \"d\" (s)".into()],
            notes: vec![],
            steps: vec![],
            duration: Duration::ZERO,
            repetitions: None,
        }
    }

    fn failed() -> Outcome {
        Outcome::Failed {
            step: "Then x".into(),
            location: "features/x.feature:3".into(),
            message: "expected: a\nactual:   b".into(),
        }
    }

    fn untestable() -> Outcome {
        Outcome::NotTestable {
            reason: "no fixture".into(),
        }
    }

    fn report(mode: Mode, results: Vec<ScenarioResult>) -> Report {
        let info = RunInfo {
            mode,
            target: "http://h".into(),
            embedded: false,
            tls_verified: true,
            allow_flaky: false,
            started_at: SystemTime::UNIX_EPOCH,
            duration: Duration::ZERO,
        };
        Report::new(info, &catalogue(), results)
    }

    #[test]
    fn verdicts_combine_scenarios() {
        let run = report(
            Mode::Run,
            vec![
                result(1, "A", Outcome::Passed),
                result(2, "A", untestable()),
                result(3, "B", failed()),
            ],
        );
        assert_eq!(run.verdict("A"), Some(Verdict::NotTestable));
        assert_eq!(run.verdict("B"), Some(Verdict::AdvisoryFail));
        assert_eq!(run.verdict("C"), None);
        assert_eq!(run.unselected, vec!["C".to_owned()]);
        assert!(
            run.passed(),
            "advisory failures and partly tested clauses do not fail a run"
        );
        assert!(
            run.summary()
                .contains("warning: 1 MUST clause(s) could not be fully tested")
        );

        let run = report(
            Mode::Run,
            vec![result(1, "A", failed()), result(2, "A", Outcome::Passed)],
        );
        assert_eq!(run.verdict("A"), Some(Verdict::Fail));
        assert!(!run.passed());
        let table = run.clause_table();
        assert!(
            table
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == ["A", "MUST", "FAIL", "1/2", "[doc]", "s"]),
            "{table}"
        );
    }

    #[test]
    fn a_must_clause_none_of_whose_scenarios_ran_fails_a_run() {
        let run = report(Mode::Run, vec![result(1, "A", untestable())]);
        assert_eq!(run.verdict("A"), Some(Verdict::NotTestable));
        assert!(!run.passed());
        let reasons = run.failure_reasons();
        assert!(reasons[0].contains("--tags 'not @clause:A'"), "{reasons:?}");
        assert!(
            run.summary()
                .contains("fails because: A was selected but none of its scenarios could run")
        );
    }

    #[test]
    fn certify_needs_every_must_clause_tested_and_passed() {
        let all = vec![
            result(1, "A", Outcome::Passed),
            result(2, "C", Outcome::Passed),
            result(3, "B", failed()),
        ];
        let certified = report(Mode::Certify, all);
        assert!(certified.passed(), "{:?}", certified.failure_reasons());
        assert!(certified.summary().contains("result: CERTIFIED"));

        let mut runner_failure = result(9, "A", failed());
        runner_failure.clauses.clear();
        let broken = report(
            Mode::Run,
            vec![
                result(1, "A", Outcome::Passed),
                result(2, "C", Outcome::Passed),
                runner_failure,
            ],
        );
        assert!(
            !broken.passed(),
            "a failure of the runner itself fails the run"
        );

        let partly = report(
            Mode::Certify,
            vec![
                result(1, "A", Outcome::Passed),
                result(2, "A", untestable()),
                result(3, "C", Outcome::Passed),
            ],
        );
        assert!(!partly.passed());
        assert!(partly.summary().contains("result: NOT CERTIFIED"));

        let missing = report(Mode::Certify, vec![result(1, "A", Outcome::Passed)]);
        assert!(
            missing
                .failure_reasons()
                .iter()
                .any(|r| r.starts_with("C was not run"))
        );
    }

    #[test]
    fn a_verdict_that_changes_between_repetitions_is_flaky_and_fails_the_run() {
        let mut flaky = result(1, "A", failed());
        flaky.repetitions = Some(Repetitions {
            passed: 13,
            runs: 20,
        });
        let mut steady = result(2, "C", Outcome::Passed);
        steady.repetitions = Some(Repetitions {
            passed: 20,
            runs: 20,
        });
        let run = report(Mode::Run, vec![flaky, steady]);
        assert_eq!(run.verdict("A"), Some(Verdict::Flaky));
        assert_eq!(run.verdict("C"), Some(Verdict::Pass));
        assert!(!run.passed());
        assert!(
            run.failure_reasons()[0].contains("A is FLAKY"),
            "{:?}",
            run.failure_reasons()
        );
        assert!(scenario_lines(&run.scenarios[0]).starts_with("FLAKY"));
        assert!(scenario_lines(&run.scenarios[0]).contains("(passed 13 of 20 repetitions)"));
        let mut allowed = run.clone();
        allowed.run.allow_flaky = true;
        assert!(allowed.passed());
    }

    #[test]
    fn failure_detail_is_indented_under_the_scenario() {
        let text = scenario_lines(&result(7, "A", failed()));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("FAIL "), "{text}");
        assert!(lines[0].contains("features/x.feature:7"), "{text}");
        assert!(lines[1].trim_start().starts_with("step:"), "{text}");
        assert!(lines[2].trim_start().starts_with("expected: a"), "{text}");
        assert!(lines[3].trim_start().starts_with("actual:   b"), "{text}");
    }
}
