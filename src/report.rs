//! What a run found: per-scenario outcomes, per-clause verdicts, and their rendering.
//!
//! A clause's verdict combines its scenarios: any failure makes it FAIL (ADVISORY-FAIL for a
//! SHOULD clause); otherwise any NOT-TESTABLE scenario makes it NOT-TESTABLE; only a clause
//! whose every scenario passed is PASS.

use std::fmt;
use std::time::Duration;

use crate::clauses::{Catalogue, Level};

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
    /// Observations worth reporting even on a pass.
    pub notes: Vec<String>,
}

impl ScenarioResult {
    /// `features/saving.feature:12`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.feature, self.line)
    }

    /// The verdict word of this scenario.
    pub fn verdict(&self) -> Verdict {
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
}

impl Verdict {
    /// `PASS`, `FAIL`, `NOT-TESTABLE`, `ADVISORY-FAIL`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::NotTestable => "NOT-TESTABLE",
            Self::AdvisoryFail => "ADVISORY-FAIL",
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
    /// The combined verdict.
    pub verdict: Verdict,
    /// Locations of the scenarios that ran for it.
    pub scenarios: Vec<String>,
    /// How many of them passed.
    pub passed: usize,
}

/// The result of one run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Scheme, host and port of the target (never a key).
    pub target: String,
    /// Every scenario that ran, in file order.
    pub scenarios: Vec<ScenarioResult>,
    /// Every selected clause, in catalogue order.
    pub clauses: Vec<ClauseResult>,
    /// Clauses no selected scenario covers (deselected by a tag filter).
    pub unselected: Vec<String>,
    /// Wall time of the scenarios.
    pub duration: Duration,
}

impl Report {
    /// Combines scenario results into clause verdicts.
    pub fn new(
        target: String,
        catalogue: &Catalogue,
        mut scenarios: Vec<ScenarioResult>,
        duration: Duration,
    ) -> Self {
        scenarios.sort_by(|a, b| (&a.feature, a.line).cmp(&(&b.feature, b.line)));
        let mut clauses = Vec::new();
        let mut unselected = Vec::new();
        for clause in catalogue.iter() {
            let behind: Vec<&ScenarioResult> = scenarios
                .iter()
                .filter(|s| s.clauses.contains(&clause.id))
                .collect();
            if behind.is_empty() {
                unselected.push(clause.id.clone());
                continue;
            }
            let failed = behind
                .iter()
                .any(|s| matches!(s.outcome, Outcome::Failed { .. }));
            let untestable = behind
                .iter()
                .any(|s| matches!(s.outcome, Outcome::NotTestable { .. }));
            let verdict = match (failed, untestable, clause.level) {
                (true, _, Level::Must) => Verdict::Fail,
                (true, _, Level::Should) => Verdict::AdvisoryFail,
                (false, true, _) => Verdict::NotTestable,
                (false, false, _) => Verdict::Pass,
            };
            clauses.push(ClauseResult {
                id: clause.id.clone(),
                level: clause.level,
                verdict,
                scenarios: behind.iter().map(|s| s.location()).collect(),
                passed: behind
                    .iter()
                    .filter(|s| s.outcome == Outcome::Passed)
                    .count(),
            });
        }
        Self {
            target,
            scenarios,
            clauses,
            unselected,
            duration,
        }
    }

    /// Whether the run passes: no MUST clause failed.
    pub fn passed(&self) -> bool {
        !self.clauses.iter().any(|c| c.verdict == Verdict::Fail)
    }

    /// The verdict on clause `id`, if it was selected.
    pub fn verdict(&self, id: &str) -> Option<Verdict> {
        self.clauses.iter().find(|c| c.id == id).map(|c| c.verdict)
    }

    /// How many selected clauses have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.clauses.iter().filter(|c| c.verdict == verdict).count()
    }

    /// The per-clause table: one line per clause, `id level verdict`, so scripts can grep it.
    pub fn clause_table(&self) -> String {
        let width = self
            .clauses
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut out = format!(
            "{:<width$}  {:<6}  {:<13}  scenarios passed\n",
            "clause", "level", "verdict"
        );
        for c in &self.clauses {
            out.push_str(&format!(
                "{:<width$}  {:<6}  {:<13}  {}/{}\n",
                c.id,
                c.level.to_string(),
                c.verdict,
                c.passed,
                c.scenarios.len()
            ));
        }
        out
    }

    /// The closing lines: counts, notes, and the result.
    pub fn summary(&self) -> String {
        let tested = self.clauses.len() - self.count(Verdict::NotTestable);
        let mut out = format!(
            "{} clauses selected: {} tested, {} passed, {} failed, {} not testable, {} advisory failures\n",
            self.clauses.len(),
            tested,
            self.count(Verdict::Pass),
            self.count(Verdict::Fail),
            self.count(Verdict::NotTestable),
            self.count(Verdict::AdvisoryFail),
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
                "warning: {untestable_must} MUST clause(s) could not be tested: this run does not show conformance to them\n"
            ));
        }
        out.push_str(&format!(
            "result: {} against {} in {:.2} s\n",
            if self.passed() { "PASS" } else { "FAIL" },
            self.target,
            self.duration.as_secs_f64()
        ));
        out
    }
}

/// The line printed for one finished scenario, and its failure detail indented below it.
pub fn scenario_lines(result: &ScenarioResult) -> String {
    let mut out = format!(
        "{:<13}  {}  {}\n",
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
        }
        Outcome::NotTestable { reason } => {
            out.push_str(&format!("               not testable: {reason}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::parse(
            r#"
[[clause]]
id = "A"
level = "MUST"
source = "s"
doc = "d"
check = "c"
[[clause]]
id = "B"
level = "SHOULD"
source = "s"
doc = "d"
check = "c"
[[clause]]
id = "C"
level = "MUST"
source = "s"
doc = "d"
check = "c"
"#,
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
            notes: vec![],
        }
    }

    fn failed() -> Outcome {
        Outcome::Failed {
            step: "Then x".into(),
            location: "features/x.feature:3".into(),
            message: "expected: a\nactual:   b".into(),
        }
    }

    #[test]
    fn verdicts_combine_scenarios() {
        let report = Report::new(
            "http://h".into(),
            &catalogue(),
            vec![
                result(1, "A", Outcome::Passed),
                result(2, "A", Outcome::NotTestable { reason: "r".into() }),
                result(3, "B", failed()),
            ],
            Duration::ZERO,
        );
        assert_eq!(report.verdict("A"), Some(Verdict::NotTestable));
        assert_eq!(report.verdict("B"), Some(Verdict::AdvisoryFail));
        assert_eq!(report.verdict("C"), None);
        assert_eq!(report.unselected, vec!["C".to_owned()]);
        assert!(
            report.passed(),
            "advisory failures and untestable clauses do not fail a run"
        );
        assert!(
            report
                .summary()
                .contains("warning: 1 MUST clause(s) could not be tested")
        );

        let report = Report::new(
            "http://h".into(),
            &catalogue(),
            vec![result(1, "A", failed()), result(2, "A", Outcome::Passed)],
            Duration::ZERO,
        );
        assert_eq!(report.verdict("A"), Some(Verdict::Fail));
        assert!(!report.passed());
        let table = report.clause_table();
        assert!(
            table
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["A", "MUST", "FAIL", "1/2"]),
            "{table}"
        );
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
