//! JUnit XML: one testsuite per feature file, one testcase per scenario, the clause ids in each
//! testcase's name and properties.
//!
//! cucumber's own JUnit writer names test cases without their tags, reports NOT-TESTABLE as a
//! panic, and copies the World's debug output into the report, so this one is built from the
//! run's verdicts instead. A MUST failure is a `<failure>`; NOT-TESTABLE is `<skipped>`; an
//! ADVISORY-FAIL passes (a SHOULD clause never fails a gate) with its reason in `<system-out>`,
//! unless the run is strict: then it is a `<failure>` too, as it fails the run;
//! a KNOWN-FAILURE is `<skipped>`, its failure in `<system-out>`. A failure carries the `curl`
//! commands that reproduce it. A known-failures file is a testsuite of its own.

use std::fmt::Write as _;

use crate::known::{KnownOutcome, KnownStatus};
use crate::render::console;
use crate::report::{Judgement, Outcome, RunInfo, ScenarioResult, Verdict};

/// The run's verdicts as JUnit XML.
pub(crate) fn render(run: &RunInfo, verdicts: &Judgement) -> String {
    let by_feature = verdicts.by_feature();
    let count = |scenarios: &[&ScenarioResult], verdict: Verdict| {
        scenarios.iter().filter(|s| s.verdict() == verdict).count()
    };
    let all: Vec<&ScenarioResult> = verdicts.scenarios.iter().collect();
    let known_failing = verdicts.known.iter().filter(known_fails).count();
    let failing = |scenarios: &[&ScenarioResult]| {
        scenarios
            .iter()
            .filter(|s| fails_the_run(run, verdicts, s))
            .count()
    };

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"share-conformance\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{:.3}\">",
        all.len() + verdicts.known.len(),
        failing(&all) + known_failing,
        count(&all, Verdict::NotTestable) + count(&all, Verdict::KnownFailure),
        run.duration.as_secs_f64()
    );
    for (feature, scenarios) in &by_feature {
        let time: f64 = scenarios.iter().map(|s| s.duration.as_secs_f64()).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{time:.3}\">",
            escape(feature),
            scenarios.len(),
            failing(scenarios),
            count(scenarios, Verdict::NotTestable) + count(scenarios, Verdict::KnownFailure),
        );
        for scenario in scenarios {
            testcase(
                &mut out,
                verdicts,
                scenario,
                fails_the_run(run, verdicts, scenario),
            );
        }
        out.push_str("  </testsuite>\n");
    }
    known_suite(&mut out, verdicts);
    out.push_str("</testsuites>\n");
    out
}

/// The known-failures file as a testsuite of its own, a testcase per entry: an expired entry
/// or one naming no clause is a `<failure>` (it fails the run), the others say what became
/// of them.
fn known_suite(out: &mut String, verdicts: &Judgement) {
    let Some(file) = &verdicts.known_file else {
        return;
    };
    let _ = writeln!(
        out,
        "  <testsuite name=\"known failures ({})\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"0.000\">",
        escape(file),
        verdicts.known.len(),
        verdicts.known.iter().filter(known_fails).count()
    );
    for outcome in &verdicts.known {
        let line = &console::known_line(verdicts, outcome);
        let _ = writeln!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"0.000\">",
            escape(file),
            escape(&outcome.entry.clause)
        );
        if known_fails(&outcome) {
            let _ = writeln!(
                out,
                "      <failure type=\"KNOWN-FAILURES\" message=\"{}\">{}</failure>",
                escape(line),
                escape(&format!("{line}\nreason: {}", outcome.entry.reason))
            );
        } else {
            let _ = writeln!(out, "      <system-out>{}</system-out>", escape(line));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}

/// Whether `scenario` is a reason the run fails: a MUST failure, or under strictness a SHOULD
/// failure no known-failures entry excuses.
fn fails_the_run(run: &RunInfo, verdicts: &Judgement, scenario: &ScenarioResult) -> bool {
    match scenario.verdict() {
        Verdict::Fail => true,
        Verdict::AdvisoryFail if run.strict => !scenario.clauses.iter().all(|clause| {
            verdicts
                .known
                .iter()
                .any(|k| &k.entry.clause == clause && k.status == KnownStatus::Excused)
        }),
        _ => false,
    }
}

fn testcase(out: &mut String, verdicts: &Judgement, scenario: &ScenarioResult, fails: bool) {
    let clauses = scenario.clauses.join(" ");
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"[{}] {}\" file=\"{}\" line=\"{}\" time=\"{:.3}\">",
        escape(&scenario.id.feature),
        escape(&clauses),
        escape(&scenario.name),
        escape(&scenario.id.feature),
        scenario.id.line,
        scenario.duration.as_secs_f64()
    );
    out.push_str("      <properties>\n");
    for clause in &scenario.clauses {
        let _ = writeln!(
            out,
            "        <property name=\"clause\" value=\"{}\"/>",
            escape(clause)
        );
        if let Some(result) = verdicts.clause(clause) {
            let _ = writeln!(
                out,
                "        <property name=\"source\" value=\"{} {}\"/>",
                result.mark,
                escape(&result.source)
            );
        }
    }
    for source in &scenario.sources {
        let _ = writeln!(
            out,
            "        <property name=\"rests-on\" value=\"{}\"/>",
            escape(source)
        );
    }
    let _ = writeln!(
        out,
        "        <property name=\"level\" value=\"{}\"/>",
        if scenario.advisory { "SHOULD" } else { "MUST" }
    );
    let _ = writeln!(
        out,
        "        <property name=\"verdict\" value=\"{}\"/>",
        scenario.verdict().word()
    );
    out.push_str("      </properties>\n");
    let mut system_out: Vec<String> = scenario.notes.clone();
    let reproduce = if scenario.reproduce.is_empty() {
        String::new()
    } else {
        format!("\nreproduce:\n{}", scenario.reproduce.join("\n"))
    };
    match (&scenario.outcome, scenario.advisory) {
        (Outcome::Passed, _) => {}
        (
            Outcome::Failed {
                step,
                location,
                message,
                ..
            },
            false,
        ) if scenario.known.is_some() => {
            let known = scenario.known.as_deref().unwrap_or_default();
            let _ = writeln!(
                out,
                "      <skipped message=\"KNOWN-FAILURE: {}\"/>",
                escape(known)
            );
            system_out.push(format!(
                "KNOWN-FAILURE ({known}): {step} ({location})\n{message}{reproduce}"
            ));
        }
        (Outcome::NotTestable { reason, .. }, _) => {
            let _ = writeln!(
                out,
                "      <skipped message=\"NOT-TESTABLE: {}\"/>",
                escape(reason)
            );
        }
        (
            Outcome::Failed {
                step,
                location,
                message,
                ..
            },
            advisory,
        ) if fails || !advisory => {
            let first = message.lines().next().unwrap_or_default();
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}\">{}\n{}\nrests on:\n{}{}</failure>",
                scenario.verdict().word(),
                escape(first),
                escape(&format!("{step} ({location})")),
                escape(message),
                escape(&scenario.sources.join("\n")),
                escape(&reproduce)
            );
        }
        (
            Outcome::Failed {
                step,
                location,
                message,
                ..
            },
            _,
        ) => {
            system_out.push(format!(
                "ADVISORY-FAIL (a SHOULD clause; never fails a run): {step} ({location})\n{message}{reproduce}"
            ));
        }
    }
    if !system_out.is_empty() {
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            escape(&system_out.join("\n"))
        );
    }
    out.push_str("    </testcase>\n");
}

/// Whether a known-failures entry fails the run.
fn known_fails(outcome: &&KnownOutcome) -> bool {
    outcome.status.fails_run()
}

/// Text safe inside an XML attribute or element: markup escaped, and characters XML 1.0
/// cannot carry (most control characters) replaced.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(escape("x\u{0}y\u{1b}"), "x\u{fffd}y\u{fffd}");
        assert_eq!(escape("line\nnext"), "line\nnext");
    }
}
