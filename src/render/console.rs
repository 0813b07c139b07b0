//! The console's text: a line per scenario with its failure detail, the clause table, the
//! closing summary, why a run does not pass, and what `assert_passed` panics with.

use std::fmt;

use crate::certificate::{Authenticity, Certificate, Verification};
use crate::doctor::Diagnosis;
use crate::known::{KnownOutcome, KnownStatus};
use crate::report::{
    Blocker, Judgement, Outcome, Report, ScenarioResult, StepStatus, Verdict, result_word,
};
use crate::suite::Suite;
use crate::suite::catalogue::Level;
use crate::target::Target;

/// Printed on every run and diagnosis that does not verify the target's certificate.
pub(crate) const INSECURE_WARNING: &str = "warning: --insecure: the target's TLS certificate is not verified; anyone on the path can impersonate it and read the key\n\n";

/// Printed before a run that knows no share token of the target.
pub(crate) const NO_FIXTURES_WARNING: &str = "warning: no fixtures: the run knows no share token of the target, so every scenario that needs one will be NOT-TESTABLE and the run cannot pass\n\n";

/// How much failure detail is indented under its scenario's line.
const INDENT: &str = "               ";

/// `https://staging.example.com (a note)`: the target as every output names it.
pub(crate) fn target_name(origin: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{origin} ({note})"),
        None => origin.to_owned(),
    }
}

/// The run's first line.
pub(crate) fn run_header(selected: usize, target: &str, strict: bool) -> String {
    format!(
        "share-conformance {}: {selected} scenarios against {target}{}\n\n",
        env!("CARGO_PKG_VERSION"),
        if strict {
            " (strict: a SHOULD clause that does not pass fails the run)"
        } else {
            ""
        }
    )
}

/// What provisioning made, a line each.
pub(crate) fn provisioned(made: &[String]) -> String {
    let mut out: String = made
        .iter()
        .map(|line| format!("provisioned {line}\n"))
        .collect();
    out.push('\n');
    out
}

/// The tally printed after each of several repetitions.
pub(crate) fn repetition_tally(repetition: u32, of: u32, results: &[ScenarioResult]) -> String {
    let passed = results
        .iter()
        .filter(|r| r.outcome == Outcome::Passed)
        .count();
    format!(
        "repetition {repetition}/{of}: {passed} of {} scenarios passed\n",
        results.len()
    )
}

/// The line printed for one finished scenario, and its failure detail indented below it.
pub(crate) fn scenario_lines(result: &ScenarioResult) -> String {
    let repeated = result
        .repetitions
        .map(|r| format!("  (passed {} of {} repetitions)", r.passed, r.runs))
        .unwrap_or_default();
    let mut out = format!(
        "{:<13}  {}  {}{repeated}\n",
        result.verdict(),
        result.id,
        result.name
    );
    match &result.outcome {
        Outcome::Passed => {}
        Outcome::Failed {
            step,
            location,
            message,
            ..
        } => {
            out.push_str(&format!("{INDENT}step:     {step}  ({location})\n"));
            for line in message.lines() {
                out.push_str(&format!("{INDENT}{line}\n"));
            }
            for (i, source) in result.sources.iter().enumerate() {
                let label = if i == 0 { "rests on:" } else { "" };
                out.push_str(&format!("{INDENT}{label:<9} {source}\n"));
            }
            if let Some(known) = &result.known {
                out.push_str(&format!(
                    "{INDENT}known:     {known} (does not fail the run)\n"
                ));
            }
            for (i, command) in result.reproduce.iter().enumerate() {
                let label = if i == 0 { "reproduce:" } else { "" };
                out.push_str(&format!("{INDENT}{label:<10} {command}\n"));
            }
        }
        Outcome::NotTestable { reason, .. } => {
            let mut lines = reason.lines();
            out.push_str(&format!(
                "{INDENT}not testable: {}\n",
                lines.next().unwrap_or_default()
            ));
            for line in lines {
                out.push_str(&format!("{INDENT}{line}\n"));
            }
        }
    }
    out
}

/// Every step of a scenario with its status and duration, for `-v`.
pub(crate) fn step_lines(result: &ScenarioResult) -> String {
    result
        .steps
        .iter()
        .map(|step| {
            let mark = match step.status {
                StepStatus::Passed => "passed ",
                StepStatus::Failed => "FAILED ",
                StepStatus::NotTestable => "n/t    ",
                StepStatus::Undefined => "UNDEF  ",
                StepStatus::Skipped => "skipped",
            };
            format!(
                "{INDENT}{mark} {}{}  ({} ms)\n",
                step.keyword,
                step.text,
                step.duration.as_millis()
            )
        })
        .collect()
}

/// The scenario's state at its first failure, for `-vv`.
pub(crate) fn world_at_failure(world: &str) -> String {
    format!("{INDENT}state at the failure: {world}\n")
}

/// The per-clause table: one line per clause, `clause level verdict passed source`, so
/// scripts can grep it.
pub(crate) fn clause_table(verdicts: &Judgement) -> String {
    let width = verdicts
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
    for c in &verdicts.clauses {
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

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(id) => write!(f, "{id} failed"),
            Self::Advisory { id, verdict } => write!(
                f,
                "{id} (SHOULD) is {verdict}, and a strict run fails on any SHOULD clause that does not pass"
            ),
            Self::Untested(id) => write!(
                f,
                "{id} is NOT-TESTABLE: a certificate needs every MUST clause tested"
            ),
            Self::Flaky(id) => write!(
                f,
                "{id} is FLAKY: its verdict changed between repetitions (tolerate it with --allow-flaky)"
            ),
            Self::NoneRan { id, why } => write!(
                f,
                "{id} was selected but none of its scenarios could run: {why} (or deselect it: --tags 'not @clause:{id}')"
            ),
            Self::NotRun(id) => {
                write!(f, "{id} was not run: a certificate needs every MUST clause")
            }
            Self::Runner { what, message } => write!(f, "{what}: {message}"),
            Self::Leak(leak) => write!(f, "{leak}"),
            Self::KnownExpired {
                clause,
                until,
                file,
            } => write!(
                f,
                "{file}: the entry for {clause} expired after {until}: fix the clause, or renew the entry with a new date and reason"
            ),
            Self::Recording(problem) => write!(
                f,
                "the recording does not answer every request of the re-grade: {problem}"
            ),
            Self::KnownUnknown { clause, file } => write!(
                f,
                "{file}: {clause} is not a clause of this suite, so its entry excuses nothing (list them with `share-conformance clauses`)"
            ),
        }
    }
}

/// The closing lines: counts, notes, why the run fails if it does, and the result.
pub(crate) fn summary(report: &Report) -> String {
    let verdicts = &report.verdicts;
    let count = |v| verdicts.count(v);
    let tested = verdicts.clauses.len() - count(Verdict::NotTestable);
    let mut out = format!(
        "{} clauses selected: {} tested, {} passed, {} failed, {} not testable, {} advisory failures{}\n",
        verdicts.clauses.len(),
        tested,
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::NotTestable),
        count(Verdict::AdvisoryFail),
        match count(Verdict::Flaky) {
            0 => String::new(),
            n => format!(", {n} flaky"),
        },
    );
    if count(Verdict::KnownFailure) > 0 {
        out.push_str(&format!(
            "{} known failure(s): failing MUST clauses excused by their entries until their dates\n",
            count(Verdict::KnownFailure)
        ));
    }
    out.push_str(&known_lines(verdicts));
    if !verdicts.unselected.is_empty() {
        out.push_str(&format!(
            "not selected by --tags: {}\n",
            verdicts.unselected.join(", ")
        ));
    }
    for s in &verdicts.scenarios {
        for note in &s.notes {
            out.push_str(&format!("note: {note} ({})\n", s.clauses.join(", ")));
        }
    }
    let untestable_must = verdicts
        .clauses
        .iter()
        .filter(|c| c.level == Level::Must && c.verdict == Verdict::NotTestable)
        .count();
    if untestable_must > 0 {
        out.push_str(&format!(
            "warning: {untestable_must} MUST clause(s) could not be fully tested: this run does not show conformance to them\n"
        ));
    }
    if verdicts.unused_exchanges > 0 {
        out.push_str(&format!(
            "note: {} recorded exchange(s) were not asked for by this re-grade (a suite that no longer sends them, or a recording edited)\n",
            verdicts.unused_exchanges
        ));
    }
    if !report.run.tls_verified {
        out.push_str("warning: --insecure: the target's TLS certificate was not verified, so its identity is unproven\n");
    }
    if report.outputs.echoed_secrets > 0 {
        out.push_str(&format!(
            "warning: the target echoed a key back in {} response(s); it is masked in every output, but a server should never return it\n",
            report.outputs.echoed_secrets
        ));
    }
    let blockers = report.blockers();
    for line in blocker_lines(report, &blockers) {
        out.push_str(&format!("fails because: {line}\n"));
    }
    out.push_str(&format!(
        "result: {} against {} in {:.2} s\n",
        result_word(report.run.mode, blockers.is_empty()),
        target_name(&report.run.target, report.run.target_description.as_deref()),
        report.run.duration.as_secs_f64()
    ));
    out
}

/// Why a run does not pass, a line each: selected MUST clauses none of whose scenarios could
/// run are grouped by the reason (a missing fixture takes out a dozen at once), and a run that
/// knows no share token at all says so in one line.
fn blocker_lines(report: &Report, blockers: &[Blocker]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut unrun: Vec<(&str, Vec<&str>)> = Vec::new();
    for blocker in blockers {
        match blocker {
            Blocker::NoneRan { id, why } => match unrun.iter_mut().find(|(w, _)| w == why) {
                Some((_, ids)) => ids.push(id),
                None => unrun.push((why, vec![id])),
            },
            other => lines.push(other.to_string()),
        }
    }
    let count: usize = unrun.iter().map(|(_, ids)| ids.len()).sum();
    if count > 0 && report.recording.fixtures.tokens.is_empty() {
        lines.insert(
            0,
            format!(
                "no fixtures: the run knows no share token of the target, so none of the scenarios of {count} selected MUST clause(s) could run (give the target's tokens in a fixtures file, or make them by provisioning)"
            ),
        );
        return lines;
    }
    for (why, ids) in unrun.into_iter().rev() {
        let line = match ids.as_slice() {
            [id] => Blocker::NoneRan {
                id: (*id).to_owned(),
                why: why.to_owned(),
            }
            .to_string(),
            _ => format!(
                "{} were selected but none of their scenarios could run: {why} (or deselect them with --tags)",
                ids.join(", ")
            ),
        };
        lines.insert(0, line);
    }
    lines
}

/// What became of each known-failures entry, a line each (expired and unknown entries are
/// also why the run fails).
pub(crate) fn known_lines(verdicts: &Judgement) -> String {
    verdicts
        .known
        .iter()
        .map(|outcome| known_line(verdicts, outcome) + "\n")
        .collect()
}

/// What became of one known-failures entry.
pub(crate) fn known_line(verdicts: &Judgement, outcome: &KnownOutcome) -> String {
    let file = verdicts.known_file.as_deref().unwrap_or_default();
    let entry = &outcome.entry;
    match outcome.status {
        KnownStatus::Excused => format!(
            "known failure: {} fails, excused by {file} until {}: {}",
            entry.clause, entry.until, entry.reason
        ),
        KnownStatus::Fixed if entry.case.is_some() => format!(
            "tested: {} passes, so its [[untestable]] entry ({}) in {file} was not needed this run",
            entry.clause,
            entry.case.as_deref().unwrap_or_default()
        ),
        KnownStatus::Fixed => format!("fixed: {} passes: remove it from {file}", entry.clause),
        KnownStatus::Accepted => format!(
            "accepted: {} is NOT-TESTABLE ({}), accepted by {file} until {}: {}",
            entry.clause,
            entry.case.as_deref().unwrap_or_default(),
            entry.until,
            entry.reason
        ),
        KnownStatus::Expired => format!(
            "expired: {file} excused {} until {}; it no longer does, and the entry fails the run",
            entry.clause, entry.until
        ),
        KnownStatus::UnknownClause => format!(
            "unknown: {file} names {}, which is not a clause of this suite; the entry fails the run",
            entry.clause
        ),
        KnownStatus::NotRun => format!(
            "note: {file} lists {}, which this run did not select",
            entry.clause
        ),
        KnownStatus::Advisory => format!(
            "note: {file} lists {}, a SHOULD clause: it never fails a run, so the entry is not needed",
            entry.clause
        ),
        _ => format!(
            "note: {file} lists {}, which was neither shown failing nor shown fixed ({})",
            entry.clause,
            verdicts
                .clause(&entry.clause)
                .map_or("not run", |c| c.verdict.word())
        ),
    }
}

impl Report {
    // Defined here, beside the text it panics with, so that the report (data) never reaches
    // up into rendering.
    /// Panics, with a readable summary, unless the run passed: why it fails, every scenario that
    /// did not pass with what was expected and what came back, and the clause table. For a
    /// vendor's `cargo test`.
    #[track_caller]
    pub fn assert_passed(&self) {
        if self.passed() {
            return;
        }
        panic!("{}", failure_summary(self));
    }
}

/// What [`Report::assert_passed`] panics with: why the run fails, every scenario that did not
/// pass with what was expected and what came back, and the clause table.
pub(crate) fn failure_summary(report: &Report) -> String {
    let mut out = format!(
        "the target {} does not conform to Save a shared track:\n",
        target_name(&report.run.target, report.run.target_description.as_deref())
    );
    for line in blocker_lines(report, &report.blockers()) {
        out.push_str(&format!("  - {line}\n"));
    }
    out.push('\n');
    for scenario in report
        .scenarios()
        .iter()
        .filter(|s| s.verdict() != Verdict::Pass)
    {
        out.push_str(&scenario_lines(scenario));
    }
    out.push('\n');
    out.push_str(&clause_table(&report.verdicts));
    out
}

/// `share-conformance clauses`: every clause with its sentence, its check and the scenarios
/// that prove it.
pub fn clause_listing(suite: &Suite) -> String {
    let mut out = String::new();
    for clause in suite.catalogue().iter() {
        out.push_str(&format!(
            "{}  {}  {}  ({})\n",
            clause.id, clause.level, clause.mark, clause.source
        ));
        out.push_str(&format!(
            "  {:<10} {}\n",
            clause.mark.to_string() + ":",
            clause.doc
        ));
        out.push_str(&format!("  check:     {}\n", clause.check));
        out.push_str("  scenarios:\n");
        for sc in suite
            .scenarios()
            .filter(|s| s.clauses().contains(&clause.id.as_str()))
        {
            out.push_str(&format!("    {}  {}\n", sc.location(), sc.scenario.name));
        }
        out.push('\n');
    }
    out
}

/// `share-conformance doctor`: the target, every finding, and what they mean for a run.
pub fn diagnosis(target: &Target, diagnosis: &Diagnosis) -> String {
    let mut out = format!(
        "doctor: {}\n",
        target_name(&target.origin(), target.description())
    );
    if !target.verifies_tls() {
        out.push_str(INSECURE_WARNING);
    }
    for finding in &diagnosis.findings {
        out.push_str(&format!("{finding}\n"));
    }
    out.push_str(if diagnosis.unreachable {
        "result: the target is unreachable; no run can be meaningful\n"
    } else if diagnosis.healthy() {
        "result: a run against this target can be meaningful\n"
    } else {
        "result: fix the ✗ lines first: a run now would mislead\n"
    });
    out
}

/// `share-conformance verify-certificate`: the verdict on the file first (`authentic,
/// CERTIFIED`, `authentic, NOT CERTIFIED`, `NOT AUTHENTIC`), then why.
pub fn verification(path: &str, certificate: &Certificate, verification: &Verification) -> String {
    let mut out = String::new();
    let target = target_name(
        &certificate.target.origin,
        certificate.target.description.as_deref(),
    );
    match &verification.authenticity {
        Authenticity::Authentic => {
            let standing = if certificate.mode == "certify" {
                certificate.result.clone()
            } else {
                format!("a run's report ({}), not a certificate", certificate.result)
            };
            out.push_str(&format!(
                "authentic, {standing}: {path}, against {target} on {}\n",
                certificate.started_at
            ));
            for reason in &certificate.reasons {
                out.push_str(&format!("  - {reason}\n"));
            }
            out.push_str(&format!(
                "✓ produced by this suite (sha256:{}, {} files) with share-conformance {}\n",
                certificate.suite.digest,
                certificate.suite.files.len(),
                certificate.harness.version
            ));
            out.push_str(&format!(
                "✓ its verdicts follow from its {} recorded exchanges: re-graded, every clause and the result agree, and every exchange was asked for\n",
                verification.exchanges
            ));
            if verification.known_failures > 0 {
                out.push_str(&format!(
                    "note: its result rests on {} known failure(s) listed in {}: MUST clauses it fails\n",
                    verification.known_failures,
                    verification
                        .known_file
                        .as_deref()
                        .unwrap_or("its known-failures file")
                ));
            }
        }
        Authenticity::OtherSuite(differences) => {
            out.push_str(&format!(
                "NOT AUTHENTIC: {path} was not produced by this suite (sha256:{} recorded):\n",
                certificate.suite.digest
            ));
            for difference in differences {
                out.push_str(&format!("  {difference}\n"));
            }
        }
        Authenticity::Tampered(disagreements) => {
            out.push_str(&format!(
                "NOT AUTHENTIC: {path}'s recorded verdicts do not follow from its recorded exchanges (it says {} against {target}):\n",
                certificate.result
            ));
            for disagreement in disagreements {
                out.push_str(&format!("  {disagreement}\n"));
            }
        }
    }
    if certificate.harness.version != env!("CARGO_PKG_VERSION") {
        out.push_str(&format!(
            "note: it was made by share-conformance {}, this is {}\n",
            certificate.harness.version,
            env!("CARGO_PKG_VERSION")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Mode;
    use crate::report::tests::{failed, report, result, untestable};

    #[test]
    fn failure_detail_is_indented_under_the_scenario() {
        let text = scenario_lines(&result(7, "A", failed()));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("FAIL "), "{text}");
        assert!(lines[0].contains("features/x.feature:7"), "{text}");
        assert!(lines[1].trim_start().starts_with("step:"), "{text}");
        assert!(lines[2].trim_start().starts_with("expected: a"), "{text}");
        assert!(lines[3].trim_start().starts_with("actual:   b"), "{text}");
        assert!(
            lines[4].trim_start().starts_with("rests on: [doc]"),
            "{text}"
        );
    }

    #[test]
    fn a_multi_line_reason_for_not_testable_keeps_every_line() {
        let mut r = result(3, "A", untestable());
        r.outcome = Outcome::NotTestable {
            case: None,
            reason: "first\nremedy: second".into(),
        };
        let text = scenario_lines(&r);
        assert!(text.contains("not testable: first\n"), "{text}");
        assert!(
            text.contains(&format!("{INDENT}remedy: second\n")),
            "{text}"
        );
    }

    #[test]
    fn the_summary_names_the_target_once_and_says_why_a_run_fails() {
        let mut run = report(Mode::Run, vec![result(1, "A", failed())]);
        run.run.target_description = Some("embedded reference server".into());
        let text = summary(&run);
        assert!(text.contains("fails because: A failed\n"), "{text}");
        assert!(
            text.ends_with("result: FAIL against http://h (embedded reference server) in 0.00 s\n"),
            "{text}"
        );
        let table = clause_table(&run.verdicts);
        assert!(table.lines().nth(1).unwrap().starts_with("A "), "{table}");
        assert!(table.contains("FAIL"), "{table}");
        let panic_text = failure_summary(&run);
        assert!(
            panic_text
                .starts_with("the target http://h (embedded reference server) does not conform")
        );
        assert!(panic_text.contains("  - A failed\n"), "{panic_text}");
        assert!(panic_text.contains("expected: a"), "{panic_text}");
    }

    #[test]
    fn a_certification_names_what_it_lacks() {
        let run = report(Mode::Certify, vec![result(1, "A", untestable())]);
        let text = summary(&run);
        assert!(
            text.contains("A is NOT-TESTABLE: a certificate needs every MUST clause tested"),
            "{text}"
        );
        assert!(
            text.contains("C was not run: a certificate needs every MUST clause"),
            "{text}"
        );
        assert!(text.contains("result: NOT CERTIFIED"), "{text}");
    }
}
