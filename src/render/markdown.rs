//! A report or certificate as Markdown: for people, and for a CI job's step summary.

use std::fmt::Write as _;

use crate::certificate::Certificate;
use crate::render::console::target_name;

/// The Markdown document of a report or certificate.
pub(crate) fn certificate(this: &Certificate) -> String {
    let mut out = String::new();
    let title = if this.mode == "certify" {
        "Conformance certificate"
    } else {
        "Conformance report"
    };
    let _ = writeln!(out, "# {title}: Save a shared track\n");
    let _ = writeln!(
        out,
        "`POST /v1/music/shared/{{token}}/save`, Freddy Music API\n"
    );
    let _ = writeln!(out, "**Result: {}**\n", this.result);
    if this.reasons.is_empty() {
        if this.mode == "certify" {
            let _ = writeln!(
                out,
                "Every MUST clause of the suite was tested and passed.\n"
            );
        }
    } else {
        for reason in &this.reasons {
            let _ = writeln!(out, "- {}", md(reason));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "| | |\n|---|---|");
    let target = target_name(&this.target.origin, this.target.description.as_deref());
    let _ = writeln!(out, "| Target | {} |", md(&target));
    if !this.target.tls_verified {
        let _ = writeln!(
            out,
            "| TLS | **not verified (--insecure)**: the target's identity is unproven |"
        );
    }
    let _ = writeln!(
        out,
        "| Harness | share-conformance {} (commit `{}`) |",
        this.harness.version, this.harness.commit
    );
    let _ = writeln!(out, "| Suite digest | `sha256:{}` |", this.suite.digest);
    let _ = writeln!(out, "| Started | {} |", this.started_at);
    let _ = writeln!(out, "| Finished | {} |", this.finished_at);
    let s = &this.summary;
    let _ = writeln!(
        out,
        "| Clauses | {}: {} passed, {} failed, {} not testable, {} advisory failures, {} not run{} |\n",
        s.clauses,
        s.passed,
        s.failed,
        s.not_testable,
        s.advisory_failures,
        s.not_run,
        match s.known_failures {
            0 => String::new(),
            n => format!(", {n} known failures"),
        }
    );
    if let Some(known) = &this.recording.settings.known_failures {
        let _ = writeln!(
            out,
            "## Known failures ({})\n\nA failing MUST clause listed here is KNOWN-FAILURE and does not fail the run through its date.\n\n| clause | until | reason | verdict |\n|---|---|---|---|",
            md(&known.file)
        );
        for entry in &known.entries {
            let verdict = this
                .clauses
                .iter()
                .find(|c| c.id == entry.clause)
                .map_or("not a clause of this suite", |c| c.verdict.as_str());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md(&entry.clause),
                md(&entry.until),
                md(&entry.reason),
                verdict
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Clauses\n\nA MUST clause rests on a sentence the docs state (`[doc]`); SHOULD clauses may rest on what only an example shows (`[ex]`) or on an inference (`[inferred]`), and never fail a run.\n\n| clause | level | verdict | scenarios | rests on |\n|---|---|---|---|---|"
    );
    for c in &this.clauses {
        let scenarios: Vec<String> = c
            .scenarios
            .iter()
            .map(|s| format!("{} {}", s.location, s.verdict))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | **{}** | {} | {} {} ({}) |",
            c.id,
            c.level,
            c.verdict,
            md(&scenarios.join("<br>")),
            c.mark,
            md(&c.doc),
            md(&c.source)
        );
    }
    let _ = writeln!(out, "\n## Suite files\n\n| file | sha256 |\n|---|---|");
    for f in &this.suite.files {
        let _ = writeln!(out, "| {} | `{}` |", f.path, f.sha256);
    }
    let _ = writeln!(
        out,
        "\nCheck that this certificate was produced by a given suite: `share-conformance verify-certificate FILE.json`."
    );
    out
}

/// Text safe in a Markdown table cell.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
