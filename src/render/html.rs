//! The HTML report: one self-contained page for a person (a team lead, a vendor, a certifier).
//!
//! It needs nothing but itself: the styles are inline, there is no script, no image, no font
//! and no link to anything outside the page, so it reads the same offline, printed, or years
//! later. It is also well-formed XML (void elements closed), so any XML parser reads it.
//! Every verdict is written as a word, with a symbol and a colour added for the eye, so print
//! and a screen reader get it too; the tables have captions and header scopes.
//!
//! It holds the run's summary, the clause matrix (each clause's level against its verdict, and
//! the counts of each pair), each clause's doc sentence with its provenance mark, every
//! scenario that did not pass with what was expected, what came back, the diff and the `curl`
//! commands that reproduce it, and, when a report or certificate was written, its content and
//! hashes. Like every output, the page is masked by the redactor and scanned for leaks.

use std::fmt::Write as _;

use crate::certificate::Certificate;
use crate::evidence::{RecordedExchange, Recording};
use crate::known::KnownStatus;
use crate::render::console::{known_line, target_name};
use crate::report::{Blocker, Judgement, Outcome, RunInfo, ScenarioResult, Verdict, result_word};
use crate::suite::Suite;
use crate::suite::catalogue::Level;

/// How much of a response body the page shows (the JSON report holds what was recorded).
const BODY_SHOWN: usize = 4096;

/// A written report or certificate, as the page shows it.
pub(crate) struct WrittenCertificate<'a> {
    /// What it holds.
    pub(crate) certificate: &'a Certificate,
    /// Where its JSON was written.
    pub(crate) json_path: String,
    /// The SHA-256 of the JSON as written.
    pub(crate) json_sha256: String,
}

/// Everything the page is made from.
pub(crate) struct Page<'a> {
    pub(crate) run: &'a RunInfo,
    pub(crate) verdicts: &'a Judgement,
    pub(crate) blockers: &'a [Blocker],
    pub(crate) suite: &'a Suite,
    pub(crate) recording: &'a Recording,
    pub(crate) certificate: Option<WrittenCertificate<'a>>,
}

/// The page.
pub(crate) fn render(page: &Page<'_>) -> String {
    let passed = page.blockers.is_empty();
    let result = result_word(page.run.mode, passed);
    let target = target_name(&page.run.target, page.run.target_description.as_deref());
    let title = match page.run.mode {
        crate::report::Mode::Certify => "Conformance certificate",
        crate::report::Mode::Run => "Conformance report",
    };
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{} — {}: {}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(result),
        title,
        esc(&target)
    );
    let _ = write!(
        out,
        "<header>\n<h1>{title}: Save a shared track</h1>\n<p><code>POST /v1/music/shared/{{token}}/save</code>, Freddy Music API</p>\n<p id=\"result\" class=\"result {}\" role=\"status\">Result: <strong>{}</strong></p>\n</header>\n<main>\n",
        if passed { "ok" } else { "bad" },
        esc(result)
    );
    summary(&mut out, page, &target);
    matrix(&mut out, page);
    clauses(&mut out, page);
    failures(&mut out, page);
    if let Some(written) = &page.certificate {
        certificate(&mut out, written);
    }
    let _ = write!(
        out,
        "</main>\n<footer><p>Written by share-conformance {}. The JSON report holds every recorded exchange; <code>share-conformance regrade FILE.json</code> judges it again offline.</p></footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// Colours for the eye; every verdict is also a word and a symbol. Print keeps the colours.
const STYLE: &str = r#"body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; background: #fff; margin: 0 auto; max-width: 76rem; padding: 1rem 1.5rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .85rem; }
pre { background: #f5f5f5; border: 1px solid #ddd; padding: .5rem .7rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eee; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.result { font-size: 1.2rem; padding: .4rem .8rem; border: 2px solid; display: inline-block; }
.result.ok { background: #e3f4e1; border-color: #2e7d32; }
.result.bad { background: #fbe4e4; border-color: #b71c1c; }
.v { font-weight: 700; white-space: nowrap; padding: .1rem .4rem; border: 1px solid; border-radius: 3px; }
.v-pass { background: #e3f4e1; color: #1b5e20; border-color: #2e7d32; }
.v-fail { background: #fbe4e4; color: #8e0000; border-color: #b71c1c; }
.v-known { background: #fff1d6; color: #6d4c00; border-color: #c78a00; }
.v-advisory { background: #fff8e1; color: #5d4200; border-color: #b08900; }
.v-untested { background: #ececec; color: #333; border-color: #777; border-style: dashed; }
.v-flaky { background: #f3e5f5; color: #4a148c; border-color: #6a1b9a; }
.v-notrun { background: #fff; color: #555; border-color: #999; border-style: dotted; }
.diff .add { background: #e6ffec; }
.diff .del { background: #ffebe9; }
.failure { border-left: 4px solid #b71c1c; padding-left: .8rem; margin: 1.2rem 0; }
.failure.known { border-left-color: #c78a00; }
.failure.advisory { border-left-color: #b08900; }
.failure.untested { border-left-color: #777; }
blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .7rem; border-left: 3px solid #bbb; }
@media print {
  body { max-width: none; font-size: 11pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  pre { white-space: pre-wrap; }
  .failure, tr { break-inside: avoid; }
}
"#;

/// A verdict as a word, with a symbol and a colour class: `✓ PASS`.
fn verdict_badge(word: &str) -> String {
    let (class, symbol) = match word {
        "PASS" => ("v-pass", "✓"),
        "FAIL" => ("v-fail", "✗"),
        "KNOWN-FAILURE" => ("v-known", "!"),
        "ADVISORY-FAIL" => ("v-advisory", "△"),
        "NOT-TESTABLE" => ("v-untested", "?"),
        "FLAKY" => ("v-flaky", "~"),
        _ => ("v-notrun", "–"),
    };
    format!(
        "<span class=\"v {class}\"><span aria-hidden=\"true\">{symbol} </span>{}</span>",
        esc(word)
    )
}

fn summary(out: &mut String, page: &Page<'_>, target: &str) {
    let v = page.verdicts;
    let count = |verdict| v.count(verdict);
    out.push_str("<section id=\"summary\" aria-labelledby=\"summary-title\">\n<h2 id=\"summary-title\">Summary</h2>\n<dl class=\"facts\">\n");
    let mut fact = |name: &str, value: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", esc(name));
    };
    fact("Target", esc(target));
    fact(
        "TLS",
        if page.run.tls_verified {
            "verified (or plain http to this machine)".into()
        } else {
            "<strong>not verified (--insecure)</strong>: the target's identity is unproven".into()
        },
    );
    fact(
        "Started",
        esc(&crate::time::format_system(page.run.started_at)),
    );
    fact(
        "Duration",
        format!("{:.2} s", page.run.duration.as_secs_f64()),
    );
    fact(
        "Clauses",
        format!(
            "{} selected: {} passed, {} failed, {} not testable, {} advisory failures, {} known failures, {} flaky; {} not selected",
            v.clauses.len(),
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::NotTestable),
            count(Verdict::AdvisoryFail),
            count(Verdict::KnownFailure),
            count(Verdict::Flaky),
            v.unselected.len()
        ),
    );
    fact("Scenarios", format!("{}", v.scenarios.len()));
    fact(
        "Exchanges recorded",
        format!("{}", page.recording.exchanges.len()),
    );
    let settings = &page.recording.settings;
    if let Some(tags) = &settings.tags {
        fact("Tags", format!("<code>{}</code>", esc(tags)));
    }
    if settings.repeat > 1 {
        fact("Repetitions", format!("{}", settings.repeat));
    }
    fact(
        "Harness",
        format!(
            "share-conformance {} (commit <code>{}</code>)",
            env!("CARGO_PKG_VERSION"),
            esc(crate::certificate::COMMIT)
        ),
    );
    out.push_str("</dl>\n");
    if !page.blockers.is_empty() {
        out.push_str("<h3>Why it does not pass</h3>\n<ul>\n");
        for blocker in page.blockers {
            let _ = writeln!(out, "<li>{}</li>", esc(&blocker.to_string()));
        }
        out.push_str("</ul>\n");
    }
    if !v.known.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Known failures ({})</h3>\n<table id=\"known-failures\">\n<caption>Each entry of the known-failures file and what became of it</caption>\n<thead><tr><th scope=\"col\">Clause</th><th scope=\"col\">Until</th><th scope=\"col\">Reason</th><th scope=\"col\">Outcome</th></tr></thead>\n<tbody>",
            esc(v.known_file.as_deref().unwrap_or_default())
        );
        for outcome in &v.known {
            let line = &known_line(v, outcome);
            let class = match outcome.status {
                _ if outcome.status.fails_run() => " class=\"v-fail\"",
                KnownStatus::Excused => " class=\"v-known\"",
                KnownStatus::Fixed => " class=\"v-pass\"",
                _ => "",
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td{class}>{}</td></tr>",
                esc(&outcome.entry.clause),
                esc(&outcome.entry.until),
                esc(&outcome.entry.reason),
                esc(line)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

/// The clause matrix: level × verdict counts, then a row per clause of the catalogue.
fn matrix(out: &mut String, page: &Page<'_>) {
    let v = page.verdicts;
    let columns = [
        "PASS",
        "FAIL",
        "KNOWN-FAILURE",
        "ADVISORY-FAIL",
        "NOT-TESTABLE",
        "FLAKY",
        "NOT-RUN",
    ];
    out.push_str("<section id=\"matrix\" aria-labelledby=\"matrix-title\">\n<h2 id=\"matrix-title\">Clause matrix</h2>\n");
    out.push_str("<table id=\"level-by-verdict\">\n<caption>How many clauses of each level have each verdict</caption>\n<thead><tr><th scope=\"col\">Level</th>");
    for column in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", verdict_badge(column));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for level in [Level::Must, Level::Should] {
        let _ = write!(out, "<tr><th scope=\"row\">{level}</th>");
        for column in columns {
            let n = page
                .suite
                .catalogue()
                .iter()
                .filter(|c| c.level == level && v.verdict_word(&c.id) == column)
                .count();
            let _ = write!(out, "<td>{n}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str("<table id=\"clause-matrix\">\n<caption>Every clause: its level, its verdict, and how many of its scenarios passed</caption>\n<thead><tr><th scope=\"col\">Clause</th><th scope=\"col\">Level</th><th scope=\"col\">Verdict</th><th scope=\"col\">Scenarios passed</th><th scope=\"col\">Rests on</th></tr></thead>\n<tbody>\n");
    for clause in page.suite.catalogue().iter() {
        let result = v.clause(&clause.id);
        let passed = result.map_or_else(
            || "not run".to_owned(),
            |c| format!("{} of {}", c.passed, c.scenarios.len()),
        );
        let _ = writeln!(
            out,
            "<tr data-verdict=\"{}\"><th scope=\"row\"><a href=\"#clause-{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td></tr>",
            v.verdict_word(&clause.id),
            esc(&clause.id),
            esc(&clause.id),
            clause.level,
            verdict_badge(v.verdict_word(&clause.id)),
            passed,
            esc(clause.mark.mark()),
            esc(&clause.source)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// Each clause's doc sentence, its mark, its check and its scenarios.
fn clauses(out: &mut String, page: &Page<'_>) {
    let v = page.verdicts;
    out.push_str("<section id=\"clauses\" aria-labelledby=\"clauses-title\">\n<h2 id=\"clauses-title\">Clauses and the docs they rest on</h2>\n<p>A MUST clause rests on a sentence the docs state (<code>[doc]</code>); a SHOULD clause may rest on what only an example shows (<code>[ex]</code>) or on an inference (<code>[inferred]</code>), and never fails a run.</p>\n");
    for clause in page.suite.catalogue().iter() {
        let word = v.verdict_word(&clause.id);
        let _ = writeln!(
            out,
            "<article id=\"clause-{}\">\n<h3>{} <small>({})</small> {}</h3>\n<blockquote><p><code>{}</code> {}</p><footer>{}</footer></blockquote>\n<p>Checked: {}</p>",
            esc(&clause.id),
            esc(&clause.id),
            clause.level,
            verdict_badge(word),
            esc(clause.mark.mark()),
            esc(&clause.doc),
            esc(&clause.source),
            esc(&clause.check)
        );
        let behind: Vec<&ScenarioResult> = v
            .scenarios
            .iter()
            .filter(|s| s.clauses.contains(&clause.id))
            .collect();
        if !behind.is_empty() {
            out.push_str("<ul>\n");
            for s in behind {
                let _ = writeln!(
                    out,
                    "<li>{} <code>{}</code> {}</li>",
                    verdict_badge(s.verdict().word()),
                    esc(&s.id.to_string()),
                    esc(&s.name)
                );
            }
            out.push_str("</ul>\n");
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// Every scenario that did not pass: expected and actual, the response, the diff, the curl.
fn failures(out: &mut String, page: &Page<'_>) {
    let v = page.verdicts;
    let shown: Vec<&ScenarioResult> = v
        .scenarios
        .iter()
        .filter(|s| s.verdict() != Verdict::Pass)
        .collect();
    out.push_str("<section id=\"failures\" aria-labelledby=\"failures-title\">\n<h2 id=\"failures-title\">Scenarios that did not pass</h2>\n");
    if shown.is_empty() {
        out.push_str("<p>Every scenario passed.</p>\n</section>\n");
        return;
    }
    for s in shown {
        let class = match s.verdict() {
            Verdict::KnownFailure => "failure known",
            Verdict::AdvisoryFail => "failure advisory",
            Verdict::NotTestable => "failure untested",
            _ => "failure",
        };
        let _ = writeln!(
            out,
            "<article class=\"{class}\" id=\"scenario-{}\">\n<h3>{} <code>{}</code> {}</h3>\n<p>Clauses: {}</p>",
            esc(&slug(&s.id.to_string())),
            verdict_badge(s.verdict().word()),
            esc(&s.id.to_string()),
            esc(&s.name),
            s.clauses
                .iter()
                .map(|c| format!("<a href=\"#clause-{0}\">{0}</a>", esc(c)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(r) = s.repetitions {
            let _ = writeln!(out, "<p>Passed {} of {} repetitions.</p>", r.passed, r.runs);
        }
        match &s.outcome {
            Outcome::Failed {
                step,
                location,
                message,
                cause,
            } => {
                let _ = writeln!(
                    out,
                    "<p>Step: <code>{}</code> ({}), failed by {}.</p>",
                    esc(step),
                    esc(location),
                    esc(cause.word())
                );
                if let Some(known) = &s.known {
                    let _ = writeln!(
                        out,
                        "<p><strong>Known failure</strong>: {} (does not fail the run).</p>",
                        esc(known)
                    );
                }
                let (text, diff) = split_diff(message);
                let _ = writeln!(
                    out,
                    "<h4>Expected and actual</h4>\n<pre class=\"expected-actual\">{}</pre>",
                    esc(&text)
                );
                if !diff.is_empty() {
                    out.push_str("<h4>Diff</h4>\n<pre class=\"diff\">");
                    for line in diff.lines() {
                        let class = if line.starts_with('+') && !line.starts_with("+++") {
                            "add"
                        } else if line.starts_with('-') && !line.starts_with("---") {
                            "del"
                        } else {
                            ""
                        };
                        if class.is_empty() {
                            let _ = writeln!(out, "{}", esc(line));
                        } else {
                            let _ = writeln!(out, "<span class=\"{class}\">{}</span>", esc(line));
                        }
                    }
                    out.push_str("</pre>\n");
                }
                if !s.sources.is_empty() {
                    let _ = writeln!(
                        out,
                        "<p>Rests on: {}</p>",
                        s.sources
                            .iter()
                            .map(|l| esc(l))
                            .collect::<Vec<_>>()
                            .join("<br/>")
                    );
                }
            }
            Outcome::NotTestable { reason, .. } => {
                let _ = writeln!(
                    out,
                    "<h4>Why it could not be tested</h4>\n<pre>{}</pre>",
                    esc(reason)
                );
            }
            Outcome::Passed => {}
        }
        exchanges(out, page.recording, &s.exchanges);
        if !s.reproduce.is_empty() {
            let _ = writeln!(
                out,
                "<h4>Reproduce</h4>\n<p>Each request again, with the key from <code>$FREDDY_API_KEY</code> and the tokens from <code>$SHARE_TOKEN_…</code>:</p>\n<pre class=\"curl\">{}</pre>",
                esc(&s.reproduce.join("\n"))
            );
        }
        out.push_str("</article>\n");
    }
    out.push_str("</section>\n");
}

/// The exchanges a scenario looked at, the responses shown up to [`BODY_SHOWN`] bytes.
fn exchanges(out: &mut String, recording: &Recording, ids: &[usize]) {
    let found: Vec<&RecordedExchange> = ids
        .iter()
        .filter_map(|id| recording.exchanges.iter().find(|e| e.id == *id))
        .collect();
    if found.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        // Shown, not folded: a printed page keeps them.
        "<h4>The {} exchange(s) it looked at</h4>",
        found.len()
    );
    for e in found {
        let _ = writeln!(
            out,
            "<p><code>{}</code> ({} ms)</p>",
            esc(&e.label),
            e.elapsed_ms
        );
        match &e.response {
            Some(r) => {
                let mut text = format!("HTTP {}\n", r.status);
                for (name, value) in &r.headers {
                    let _ = writeln!(text, "{name}: {value}");
                }
                text.push('\n');
                let body = if r.body_base64 {
                    format!(
                        "(not UTF-8; {} bytes of base64 in the JSON report)",
                        r.body.len()
                    )
                } else if r.body.len() > BODY_SHOWN {
                    let mut end = BODY_SHOWN;
                    while !r.body.is_char_boundary(end) {
                        end -= 1;
                    }
                    format!("{}… ({} bytes in all)", &r.body[..end], r.body.len())
                } else {
                    r.body.clone()
                };
                text.push_str(&body);
                if r.truncated {
                    text.push_str("\n(the body was longer than the cap and was cut)");
                }
                let _ = writeln!(out, "<pre class=\"response\">{}</pre>", esc(&text));
            }
            None => {
                let _ = writeln!(
                    out,
                    "<p>No response: {}</p>",
                    esc(e.no_response.as_deref().unwrap_or("none recorded"))
                );
            }
        }
    }
}

/// The certificate's content (without its recording, which the JSON holds) and its hashes.
fn certificate(out: &mut String, written: &WrittenCertificate<'_>) {
    let c = written.certificate;
    let _ = writeln!(
        out,
        "<section id=\"certificate\" aria-labelledby=\"certificate-title\">\n<h2 id=\"certificate-title\">{}</h2>\n<dl class=\"facts\">\n<dt>File</dt><dd><code>{}</code></dd>\n<dt>SHA-256 of the file</dt><dd><code>{}</code></dd>\n<dt>Result</dt><dd>{}</dd>\n<dt>Suite digest</dt><dd><code>sha256:{}</code></dd>\n<dt>Harness</dt><dd>share-conformance {} (commit <code>{}</code>)</dd>\n<dt>Recorded exchanges</dt><dd>{}</dd>\n</dl>\n<p>Check it: <code>share-conformance verify-certificate {}</code> (the suite's hashes, and every verdict re-graded from the recorded exchanges).</p>",
        if c.mode == "certify" {
            "Certificate"
        } else {
            "Report file"
        },
        esc(&written.json_path),
        esc(&written.json_sha256),
        esc(&c.result),
        esc(&c.suite.digest),
        esc(&c.harness.version),
        esc(&c.harness.commit),
        c.recording.exchanges.len(),
        esc(&written.json_path)
    );
    out.push_str("<table id=\"suite-files\">\n<caption>The suite files it was produced by</caption>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\">SHA-256</th></tr></thead>\n<tbody>\n");
    for f in &c.suite.files {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\"><code>{}</code></th><td><code>{}</code></td></tr>",
            esc(&f.path),
            esc(&f.sha256)
        );
    }
    out.push_str("</tbody>\n</table>\n");
    let mut content = c.clone();
    content.recording.exchanges.clear();
    let _ = writeln!(
        out,
        "<h3>Its content</h3>\n<p>The recorded exchanges are left out here: they are in the file.</p>\n<pre>{}</pre>\n</section>",
        esc(&content.to_json())
    );
}

/// A failure message split into its text and its unified diff, if it has one; otherwise the
/// diff is made from its `expected:` and `actual:` lines.
fn split_diff(message: &str) -> (String, String) {
    let lines: Vec<&str> = message.lines().collect();
    if let Some(start) = lines
        .windows(2)
        .position(|w| w[0].starts_with("--- ") && w[1].starts_with("+++ "))
    {
        let end = lines[start..]
            .iter()
            .position(|l| !(l.starts_with([' ', '+', '-', '@', '\\']) || l.is_empty()))
            .map_or(lines.len(), |n| start + n);
        let text: Vec<&str> = lines[..start]
            .iter()
            .chain(&lines[end..])
            .copied()
            .collect();
        return (text.join("\n"), lines[start..end].join("\n"));
    }
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.trim_start().strip_prefix(name).map(str::trim))
    };
    let diff = match (field("expected:"), field("actual:")) {
        (Some(expected), Some(actual)) => {
            format!("--- expected\n+++ actual\n-{expected}\n+{actual}")
        }
        _ => String::new(),
    };
    (message.to_owned(), diff)
}

/// `features/saving.feature:17` → `features-saving-feature-17`.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Text safe in HTML content and attribute values (the XML escaping JUnit uses: the page is
/// well-formed XML too).
pub(crate) fn esc(text: &str) -> String {
    crate::render::junit::escape(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Mode;
    use crate::report::tests::{failed, report, result};

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>\u{7}"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\u{fffd}"
        );
    }

    #[test]
    fn a_snapshot_diff_is_split_from_its_message_and_a_status_gets_one_made() {
        let (text, diff) = split_diff(
            "the envelope differs\n--- expected\n+++ actual\n@@ -1 +1 @@\n-\"a\"\n+\"b\"\nrests on: x",
        );
        assert_eq!(text, "the envelope differs\nrests on: x");
        assert!(diff.starts_with("--- expected\n+++ actual\n@@"), "{diff}");
        let (_, made) = split_diff("expected: status 201\nactual:   200 OK");
        assert_eq!(made, "--- expected\n+++ actual\n-status 201\n+200 OK");
    }

    #[test]
    fn the_page_holds_the_matrix_the_sentences_and_the_failure() {
        let run = report(Mode::Run, vec![result(1, "A", failed())]);
        let suite = Suite::embedded().unwrap();
        let blockers = run.blockers();
        let html = render(&Page {
            run: &run.run,
            verdicts: &run.verdicts,
            blockers: &blockers,
            suite: &suite,
            recording: &run.recording,
            certificate: None,
        });
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("id=\"clause-matrix\""));
        assert!(html.contains("Result: <strong>FAIL</strong>"));
        assert!(
            html.contains("<span class=\"del\">-a</span>\n<span class=\"add\">+b</span>"),
            "{html}"
        );
        assert!(!html.contains("<script"), "no script");
        assert!(!html.contains("http://h/"), "no link out");
    }
}
