//! Evidence anyone can check, with the real binary: a recorded run re-graded offline to the
//! same verdicts, a tampered certificate rejected, a `curl` line from the output reproducing a
//! failure, the HTML page parsed (and rendered by a headless browser where one is installed),
//! and the rules for known failures.

use std::path::Path;
use std::process::Output;

use share_conformance::fixtures::ShareState;
use share_conformance_reference::faults::Fault;
use share_conformance_reference::{ReferenceServer, ServerOptions};

use crate::support::*;

/// A fresh reference server (with `fault`, if any) and its fixtures file in `dir`: each run
/// gets its own, since a run's first save uses up the live share.
async fn fresh(dir: &ScratchDir, name: &str, fault: Option<Fault>) -> (ReferenceServer, String) {
    let server = reference(ServerOptions {
        fault,
        ..Default::default()
    })
    .await;
    let path = dir.join(&format!("{name}-fixtures.toml"));
    std::fs::write(&path, fixtures_of(&server).to_toml()).expect("the fixtures file");
    (server, path.display().to_string())
}

/// `command` (`run` or `certify`) against `server` with its fixtures and `extra` flags.
async fn against(
    command: &str,
    server: &ReferenceServer,
    fixtures: &str,
    extra: &[&str],
) -> Output {
    let mut args: Vec<String> = [
        command,
        "--base-url",
        &server.base_url(),
        "--fixtures",
        fixtures,
    ]
    .map(String::from)
    .to_vec();
    args.extend(provision_args(server));
    args.extend(extra.iter().map(|s| s.to_string()));
    harness_async(args).await
}

/// `run` against `server` with its fixtures and `extra` flags.
async fn run(server: &ReferenceServer, fixtures: &str, extra: &[&str]) -> Output {
    against("run", server, fixtures, extra).await
}

/// `certify` against `server` with its fixtures and `extra` flags.
async fn certify(server: &ReferenceServer, fixtures: &str, extra: &[&str]) -> Output {
    against("certify", server, fixtures, extra).await
}

/// The clause table `run` and `regrade` print: its header and every line under it.
fn clause_table(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("clause "))
        .take_while(|l| !l.is_empty())
        .collect()
}

fn fault(name: &str) -> Fault {
    name.parse().unwrap_or_else(|_| panic!("{name} is a fault"))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("the JSON file")).expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_run_regrades_offline_to_the_same_verdicts_with_the_target_gone() {
    let dir = ScratchDir::new("regrade");
    for (name, fault, code) in [
        ("failing", Some(fault("revoked-410")), 1),
        ("passing", None, 0),
    ] {
        let (server, fixtures) = fresh(&dir, name, fault).await;
        let report = dir.arg(&format!("{name}.md"));
        let output = run(&server, &fixtures, &["--report", &report]).await;
        let (recorded, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(code), "{recorded}\n{stderr}");
        // The target is gone: any connection attempt would now fail, and change verdicts.
        server.shutdown().await.expect("the server stops");

        let output = harness_async(vec!["regrade".into(), format!("{report}.json")]).await;
        let (regraded, stderr) = text(&output);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{name}: regrade exits as the run did\n{regraded}\n{stderr}"
        );
        assert!(regraded.contains("no connection is opened"), "{regraded}");
        assert_eq!(
            clause_table(&regraded),
            clause_table(&recorded),
            "{name}: the same verdicts"
        );
        // The header and a line per clause.
        assert_eq!(
            clause_table(&regraded).len(),
            1 + share_conformance::Suite::embedded()
                .unwrap()
                .clauses()
                .count(),
            "{regraded}"
        );
        if code == 1 {
            assert_eq!(
                verdict_line(&regraded, "SAVE-404-REVOKED"),
                ["SAVE-404-REVOKED", "MUST", "FAIL"]
            );
            assert!(regraded.contains("actual:   410 Gone"), "{regraded}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_whose_exchanges_the_recording_lacks_is_not_testable_never_passed() {
    let dir = ScratchDir::new("unrecorded");
    let (server, fixtures) = fresh(&dir, "r", None).await;
    let report = dir.arg("r.md");
    let output = run(&server, &fixtures, &["--report", &report]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).0);
    // As if an older suite had not sent the expired token's requests.
    let path = dir.join("r.md.json");
    let mut recorded = json(&path);
    let exchanges = recorded["recording"]["exchanges"].as_array_mut().unwrap();
    let before = exchanges.len();
    exchanges.retain(|e| !e["path"].as_str().unwrap().contains("{expired token}"));
    assert!(exchanges.len() < before, "the run sent the expired token");
    std::fs::write(&path, recorded.to_string()).unwrap();
    let output = harness_async(vec!["regrade".into(), path.display().to_string()]).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(
        verdict_line(&stdout, "SAVE-404-EXPIRED"),
        ["SAVE-404-EXPIRED", "MUST", "NOT-TESTABLE"],
        "{stdout}"
    );
    assert!(
        stdout.contains("the recording holds no answer to"),
        "{stdout}"
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "a MUST clause none of whose scenarios could run fails the run\n{stdout}\n{stderr}"
    );
}

#[test]
fn regrade_refuses_what_is_not_a_report() {
    let dir = ScratchDir::new("not-a-report");
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "{\"tool\": \"other\"}").unwrap();
    let junit = dir.join("junit.xml");
    std::fs::write(&junit, "<testsuites/>").unwrap();
    for (file, why) in [
        (junk.display().to_string(), "not a share-conformance"),
        (junit.display().to_string(), "not a share-conformance"),
        (dir.arg("missing.json"), "cannot read it"),
    ] {
        for command in ["regrade", "verify-certificate"] {
            let output = harness(&[command, &file]);
            let (stdout, stderr) = text(&output);
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command} {file}\n{stdout}\n{stderr}"
            );
            assert!(stderr.contains(why), "{command} {file}: {stderr}");
            assert!(!stderr.contains("panicked"), "{stderr}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_certificate_rejects_verdicts_that_do_not_follow_from_the_recorded_exchanges() {
    let dir = ScratchDir::new("tamper");
    let (good, fixtures) = fresh(&dir, "good", None).await;
    let certificate = dir.arg("good.md");
    let output = certify(&good, &fixtures, &["--report", &certificate]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).0);
    let path = dir.join("good.md.json");
    let verify = |path: &Path| harness(&["verify-certificate", &path.display().to_string()]);
    let output = verify(&path);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("its verdicts follow from its"), "{stdout}");

    // An edited exchange: the first save answered 200, the verdict left PASS.
    let mut edited = json(&path);
    let mut changed = 0;
    for exchange in edited["recording"]["exchanges"].as_array_mut().unwrap() {
        if exchange["method"] == "POST"
            && exchange["path"] == "/v1/music/shared/{live token}/save"
            && exchange["response"]["status"] == 201
        {
            exchange["response"]["status"] = 200.into();
            changed += 1;
        }
    }
    assert!(changed > 0, "the certificate records the first save");
    let edited_path = dir.join("edited-exchange.json");
    std::fs::write(&edited_path, edited.to_string()).unwrap();
    let output = verify(&edited_path);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}");
    assert!(stdout.starts_with("NOT AUTHENTIC: "), "{stdout}");
    assert!(
        stdout.contains("SAVE-201-CREATED: recorded PASS, its recorded exchanges give FAIL"),
        "{stdout}"
    );
    assert!(
        stdout.contains("result: recorded CERTIFIED, its recorded exchanges give NOT CERTIFIED"),
        "{stdout}"
    );

    // A scenario's verdict edited, its clause's left alone; known failures edited into a
    // certification's recording, which no certification takes.
    let mut edited = json(&path);
    edited["clauses"][0]["scenarios"][0]["verdict"] = "NOT-TESTABLE".into();
    let scenario_path = dir.join("edited-scenario.json");
    std::fs::write(&scenario_path, edited.to_string()).unwrap();
    let output = verify(&scenario_path);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}");
    assert!(
        stdout.contains("SAVE-201-CREATED: recorded scenarios ["),
        "{stdout}"
    );
    let mut edited = json(&path);
    edited["recording"]["settings"]["known_failures"] =
        serde_json::json!({ "file": "k.toml", "entries": [] });
    let smuggled_path = dir.join("smuggled.json");
    std::fs::write(&smuggled_path, edited.to_string()).unwrap();
    let output = verify(&smuggled_path);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}\n{stderr}");
    assert!(stdout.contains("recording cannot be re-graded"), "{stdout}");

    // A hand-edited PASS: a failing certification dressed up as a certified one.
    let (bad, fixtures) = fresh(&dir, "bad", Some(fault("revoked-410"))).await;
    let certificate = dir.arg("bad.md");
    let output = certify(&bad, &fixtures, &["--report", &certificate]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output).0);
    // Genuine, and not certified: a gate that reads only the exit code must not accept it.
    let genuine = verify(&dir.join("bad.md.json"));
    let (stdout, _) = text(&genuine);
    assert_eq!(genuine.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "authentic, NOT CERTIFIED: {}",
            dir.join("bad.md.json").display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("  - SAVE-404-REVOKED failed"), "{stdout}");
    let mut forged = json(&dir.join("bad.md.json"));
    for clause in forged["clauses"].as_array_mut().unwrap() {
        if clause["verdict"] == "FAIL" {
            clause["verdict"] = "PASS".into();
            for scenario in clause["scenarios"].as_array_mut().unwrap() {
                scenario["verdict"] = "PASS".into();
            }
        }
    }
    forged["result"] = "CERTIFIED".into();
    forged["reasons"] = serde_json::json!([]);
    let forged_path = dir.join("forged.json");
    std::fs::write(&forged_path, forged.to_string()).unwrap();
    let output = verify(&forged_path);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(4), "{stdout}");
    assert!(stdout.starts_with("NOT AUTHENTIC: "), "{stdout}");
    assert!(
        stdout.contains("SAVE-404-REVOKED: recorded PASS, its recorded exchanges give FAIL"),
        "{stdout}"
    );
    assert!(!stdout.contains("its verdicts follow"), "{stdout}");
}

/// The lines after `reproduce:` under the first failure of `clause`'s scenario.
fn reproduction<'a>(stdout: &'a str, scenario_line: &str) -> Vec<&'a str> {
    let mut lines = stdout.lines().skip_while(|l| !l.contains(scenario_line));
    lines.next();
    let mut commands = Vec::new();
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(command) = trimmed.strip_prefix("reproduce: ") {
            commands.push(command.trim());
        } else if !commands.is_empty()
            && (trimmed.starts_with("curl ") || trimmed.starts_with(": \"$"))
        {
            commands.push(trimmed);
        } else if !commands.is_empty() || !line.starts_with(' ') {
            break;
        }
    }
    commands
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_curl_command_from_the_output_reproduces_the_failing_status() {
    let dir = ScratchDir::new("curl");
    let (server, fixtures_path) = fresh(&dir, "c", Some(fault("revoked-410"))).await;
    let junit = dir.arg("junit.xml");
    let output = run(&server, &fixtures_path, &["--junit", &junit]).await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let commands = reproduction(&stdout, "Saving a revoked share returns 404");
    assert_eq!(commands.len(), 1, "one request, one command:\n{stdout}");
    let command = commands[0];
    let fixtures = fixtures_of(&server);
    let key = fixtures.api_key.as_ref().unwrap().expose().to_owned();
    let token = fixtures.tokens.get(ShareState::Revoked).unwrap().to_owned();
    assert!(
        command.contains("\"X-API-Key: $FREDDY_API_KEY\"")
            && command.contains("SHARE_TOKEN_REVOKED"),
        "{command}"
    );
    assert!(
        !command.contains(&key) && !command.contains(&token),
        "{command}"
    );
    let junit_text = std::fs::read_to_string(&junit).unwrap();
    assert!(
        junit_text.contains(&command.replace('&', "&amp;").replace('"', "&quot;")),
        "the JUnit <failure> carries the same command:\n{junit_text}"
    );

    // The command is sent, or the test fails: skipping needs an explicit opt-out, so a
    // machine without curl cannot pass this test silently.
    if !has("curl", "--version") {
        assert!(
            std::env::var_os("SHARE_CONFORMANCE_WITHOUT_CURL").is_some(),
            "curl is not installed, so the reproduction cannot be sent: install curl, or set SHARE_CONFORMANCE_WITHOUT_CURL=1 to check the command without sending it"
        );
        eprintln!(
            "SHARE_CONFORMANCE_WITHOUT_CURL is set and curl is not installed: the command was checked above, not sent"
        );
        return;
    }
    let sent = std::process::Command::new("bash")
        .args(["-c", command])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FREDDY_API_KEY", &key)
        .env("SHARE_TOKEN_REVOKED", &token)
        .output()
        .expect("bash runs");
    let (answer, error) = text(&sent);
    assert!(sent.status.success(), "{command}\n{answer}\n{error}");
    let status_line = answer.lines().next().unwrap_or_default();
    assert!(
        status_line.starts_with("HTTP/1.1 410"),
        "the command reproduces the failing status: {command}\n{answer}"
    );

    // Pasted into a bare shell, without its variables, it refuses, names what is missing and
    // sends nothing (a listener that would see any connection stands in for the server).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let watched = command.replace(
        &server.base_url(),
        &format!("http://{}", listener.local_addr().unwrap()),
    );
    assert_ne!(watched, command, "the command names the server's URL");
    for (set, missing) in [
        (vec![], "SHARE_TOKEN_REVOKED"),
        (
            vec![("SHARE_TOKEN_REVOKED", token.as_str())],
            "FREDDY_API_KEY",
        ),
        (vec![("FREDDY_API_KEY", "")], "SHARE_TOKEN_REVOKED"),
    ] {
        let mut bare = std::process::Command::new("bash");
        bare.args(["-c", &watched])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(set.iter().copied());
        let refused = bare.output().expect("bash runs");
        let (out, error) = text(&refused);
        assert!(!refused.status.success(), "{watched}\n{out}\n{error}");
        assert!(
            error.contains(&format!("{missing}: set it to")),
            "{missing} is named: {error}"
        );
        assert!(
            matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
            "a request was sent without {missing}"
        );
    }
}

/// Whether `program` runs.
fn has(program: &str, arg: &str) -> bool {
    std::process::Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Every reference to something outside the page: a `src`, a non-fragment `href`, an
/// element that loads or runs something, a CSS `url(` or `@import`.
fn external_references(document: &roxmltree::Document<'_>, html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        let tag = node.tag_name().name();
        if matches!(
            tag,
            "script"
                | "link"
                | "img"
                | "iframe"
                | "object"
                | "embed"
                | "video"
                | "audio"
                | "source"
                | "base"
                | "form"
        ) {
            found.push(format!("<{tag}>"));
        }
        for attribute in node.attributes() {
            let name = attribute.name();
            if name == "src" || name == "srcset" || name == "action" || name.starts_with("on") {
                found.push(format!("{tag} {name}={}", attribute.value()));
            }
            if name == "href" && !attribute.value().starts_with('#') {
                found.push(format!("{tag} href={}", attribute.value()));
            }
        }
    }
    for needle in ["url(", "@import"] {
        if html.contains(needle) {
            found.push(needle.to_owned());
        }
    }
    found
}

/// The page as XML (it is well-formed; its only DTD is `<!DOCTYPE html>`).
fn parse(html: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
}

fn by_id<'a, 'i>(document: &'a roxmltree::Document<'i>, id: &str) -> roxmltree::Node<'a, 'i> {
    document
        .descendants()
        .find(|n| n.attribute("id") == Some(id))
        .unwrap_or_else(|| panic!("no element #{id}"))
}

fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_page_is_self_contained_and_holds_the_matrix_the_failures_and_the_hashes() {
    let dir = ScratchDir::new("html");
    let clauses = text(&harness(&["clauses"]))
        .0
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .count();
    assert_eq!(
        clauses,
        share_conformance::Suite::embedded()
            .unwrap()
            .clauses()
            .count()
    );

    let (server, fixtures) = fresh(&dir, "run", Some(fault("revoked-410"))).await;
    let page = dir.arg("run.html");
    let output = run(&server, &fixtures, &["--html", &page]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output).0);
    let html = std::fs::read_to_string(&page).unwrap();
    let document = parse(&html).expect("the page is well-formed");
    assert_eq!(external_references(&document, &html), Vec::<String>::new());
    assert_eq!(by_id(&document, "result").attribute("role"), Some("status"));
    assert!(text_of(by_id(&document, "result")).contains("FAIL"));

    let matrix = by_id(&document, "clause-matrix");
    assert!(matrix.children().any(|n| n.has_tag_name("caption")));
    let rows: Vec<_> = matrix
        .descendants()
        .filter(|n| n.has_tag_name("tr") && n.attribute("data-verdict").is_some())
        .collect();
    assert_eq!(rows.len(), clauses, "a row per clause of the catalogue");
    let revoked = rows
        .iter()
        .find(|r| text_of(**r).starts_with("SAVE-404-REVOKED"))
        .expect("its row");
    let revoked_text = text_of(*revoked);
    assert!(
        revoked_text.contains("MUST") && revoked_text.contains("FAIL"),
        "the verdict is a word, not only a colour: {revoked_text}"
    );
    assert!(
        revoked
            .descendants()
            .any(|n| n.attribute("class") == Some("v v-fail")),
        "and a colour"
    );
    let sentence = text_of(by_id(&document, "clause-SAVE-404-REVOKED"));
    assert!(sentence.contains("[doc]"), "{sentence}");

    let failures = text_of(by_id(&document, "failures"));
    for expected in [
        "expected: status 404",
        "actual:   410 Gone",
        "-status 404",
        "+410 Gone",
        "HTTP 410",
        "curl -sS -i -g -X POST",
        "\"X-API-Key: $FREDDY_API_KEY\"",
        "${SHARE_TOKEN_REVOKED}",
    ] {
        assert!(
            failures.contains(expected),
            "the failure shows {expected:?}:\n{failures}"
        );
    }
    let key = fixtures_of(&server).api_key.unwrap().expose().to_owned();
    assert!(!html.contains(&key));

    // A certification's page carries its certificate and the hash of its JSON.
    let (server, fixtures) = fresh(&dir, "certify", None).await;
    let certificate = dir.arg("cert.md");
    let cert_page = dir.arg("cert.html");
    let output = certify(
        &server,
        &fixtures,
        &["--report", &certificate, "--html", &cert_page],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).0);
    let html = std::fs::read_to_string(&cert_page).unwrap();
    let document = parse(&html).expect("well-formed");
    assert_eq!(external_references(&document, &html), Vec::<String>::new());
    let section = text_of(by_id(&document, "certificate"));
    let digest = json(&dir.join("cert.md.json"))["suite"]["digest"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(section.contains(&format!("sha256:{digest}")), "{section}");
    if has("sha256sum", "--version") {
        let sum = std::process::Command::new("sha256sum")
            .arg(dir.join("cert.md.json"))
            .output()
            .unwrap();
        let sum = text(&sum).0;
        let hash = sum.split_whitespace().next().unwrap();
        assert!(
            section.contains(hash),
            "the page names the SHA-256 of the certificate's JSON ({hash}):\n{section}"
        );
    }
    assert!(text_of(by_id(&document, "failures")).contains("Every scenario passed."));
    rendered_by_a_browser(&dir, &page, clauses);
}

/// The headless browser Debian packages, if it is installed.
fn browser() -> Option<&'static str> {
    ["chromium-headless-shell", "chromium", "chromium-browser"]
        .into_iter()
        .find(|b| has(b, "--version"))
}

/// Opens a copy of the page, with a probe script added, in a real headless browser, which
/// lays it out and reports every row of the clause matrix: its text, its height on screen,
/// and its verdict's background colour. The page itself has no script.
fn rendered_by_a_browser(dir: &ScratchDir, page: &str, clauses: usize) {
    let Some(browser) = browser() else {
        assert!(
            std::env::var_os("SHARE_CONFORMANCE_REQUIRE_BROWSER").is_none(),
            "a headless browser is required here but none is installed"
        );
        eprintln!("no headless browser installed: the page was parsed, not rendered");
        return;
    };
    let probe = r#"<script>
const table = document.getElementById('clause-matrix');
const box = table.getBoundingClientRect();
const rows = [...table.querySelectorAll('tbody tr')].map(row => [
  row.cells[0].innerText.trim(), row.cells[2].innerText.trim(),
  row.getBoundingClientRect().height > 0 ? 'visible' : 'hidden',
  getComputedStyle(row.cells[2].querySelector('.v')).backgroundColor].join('|'));
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = 'matrix ' + Math.round(box.width) + 'x' + Math.round(box.height) + '\n' + rows.join('\n');
document.body.appendChild(out);
</script>"#;
    let html = std::fs::read_to_string(page).unwrap();
    let probed = dir.join("probed.html");
    std::fs::write(&probed, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,2000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", probed.display()))
        .output()
        .expect("the browser runs");
    let dom = text(&output).0;
    let report = dom
        .split("<pre id=\"probe\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_else(|| panic!("the browser ran no probe:\n{}", text(&output).1));
    let mut lines = report.lines();
    let size: Vec<u32> = lines
        .next()
        .and_then(|l| l.strip_prefix("matrix "))
        .map(|l| l.split('x').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_default();
    assert!(
        size.len() == 2 && size[0] > 300 && size[1] > 20 * clauses as u32,
        "the matrix is laid out: {report}"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('|').collect()).collect();
    assert_eq!(rows.len(), clauses, "{report}");
    assert!(rows.iter().all(|r| r[2] == "visible"), "{report}");
    let colour = |verdict: &str| {
        rows.iter()
            .find(|r| r[1].ends_with(verdict))
            .map(|r| r[3].to_owned())
            .unwrap_or_else(|| panic!("no {verdict} row: {report}"))
    };
    let revoked = rows.iter().find(|r| r[0] == "SAVE-404-REVOKED").unwrap();
    assert!(revoked[1].ends_with("FAIL"), "{report}");
    assert_ne!(
        colour("FAIL"),
        colour("PASS"),
        "verdicts differ in colour too"
    );

    let screenshot = dir.join("page.png");
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,1600",
        ])
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("file://{page}"))
        .output()
        .expect("the browser runs");
    let png =
        std::fs::read(&screenshot).unwrap_or_else(|_| panic!("no screenshot: {}", text(&output).1));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a real picture"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_failures_excuse_a_listed_failing_clause_until_its_date_and_no_longer() {
    let dir = ScratchDir::new("known");
    let entry = |clause: &str, until: &str| {
        format!(
            "[[known]]\nclause = \"{clause}\"\nreason = \"TICKET-7 {clause}\"\nuntil = \"{until}\"\n\n"
        )
    };
    let today = time::OffsetDateTime::now_utc().date();
    let later = (today + time::Duration::days(90)).to_string();
    let yesterday = (today - time::Duration::days(1)).to_string();
    let known = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };

    // Listed and failing: KNOWN-FAILURE, in every report, and the run passes. Listed and
    // passing: "fixed". Today is still within an entry that ends today.
    // The fault answers 410 to a revoked share, which breaks SAVE-404-REVOKED, SAVE-AFTER-REVOKE
    // (the run's own share, revoked at its end) and, as the other unavailable tokens answer
    // 404, SAVE-404-NO-ORACLE.
    let listed = known(
        "listed.toml",
        entry("SAVE-404-REVOKED", &later)
            + &entry("SAVE-404-NO-ORACLE", &later)
            + &entry("SAVE-AFTER-REVOKE", &later)
            + &entry("SAVE-404-EXPIRED", &today.to_string()),
    );
    let (server, fixtures) = fresh(&dir, "listed", Some(fault("revoked-410"))).await;
    let files = ["junit.xml", "cucumber.json", "report.md", "page.html"].map(|f| dir.arg(f));
    let output = run(
        &server,
        &fixtures,
        &[
            "--known-failures",
            &listed,
            "--junit",
            &files[0],
            "--cucumber-json",
            &files[1],
            "--report",
            &files[2],
            "--html",
            &files[3],
        ],
    )
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-404-REVOKED"),
        ["SAVE-404-REVOKED", "MUST", "KNOWN-FAILURE"]
    );
    assert!(
        stdout.contains(&format!(
            "known failure: SAVE-404-REVOKED fails, excused by {listed} until {later}: TICKET-7 SAVE-404-REVOKED"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "fixed: SAVE-404-EXPIRED passes: remove it from {listed}"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("reproduce: : \"${SHARE_TOKEN_REVOKED:?"),
        "{stdout}"
    );
    let junit = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        junit.contains("<skipped message=\"KNOWN-FAILURE: listed in"),
        "{junit}"
    );
    assert!(junit.contains("failures=\"0\""), "{junit}");
    let cucumber = std::fs::read_to_string(&files[1]).unwrap();
    assert!(cucumber.contains("@known-failure"), "{cucumber}");
    let report = json(&dir.join("report.md.json"));
    let verdict_of = |id: &str| {
        report["clauses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["verdict"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        verdict_of("SAVE-404-REVOKED").as_deref(),
        Some("KNOWN-FAILURE")
    );
    assert_eq!(report["result"], "PASS");
    let markdown = std::fs::read_to_string(&files[2]).unwrap();
    assert!(markdown.contains("## Known failures"), "{markdown}");
    let html = std::fs::read_to_string(&files[3]).unwrap();
    assert!(html.contains("id=\"known-failures\"") && html.contains("KNOWN-FAILURE"));
    // Re-graded, the recording keeps its known failures and its day.
    let output = harness_async(vec!["regrade".into(), format!("{}.json", files[2])]).await;
    let (regraded, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{regraded}");
    assert_eq!(clause_table(&regraded), clause_table(&stdout));

    // Past its date: the clause is a FAIL again, and the entry itself fails the run even
    // for a clause that passes.
    let expired = known(
        "expired.toml",
        entry("SAVE-404-REVOKED", &yesterday) + &entry("SAVE-404-EXPIRED", &yesterday),
    );
    let (server, fixtures) = fresh(&dir, "expired", Some(fault("revoked-410"))).await;
    let junit = dir.arg("expired-junit.xml");
    let output = run(
        &server,
        &fixtures,
        &["--known-failures", &expired, "--junit", &junit],
    )
    .await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-404-REVOKED"),
        ["SAVE-404-REVOKED", "MUST", "FAIL"]
    );
    for clause in ["SAVE-404-REVOKED", "SAVE-404-EXPIRED"] {
        assert!(
            stdout.contains(&format!(
                "fails because: {expired}: the entry for {clause} expired after {yesterday}"
            )),
            "{stdout}"
        );
    }
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(
        junit.contains("<testsuite name=\"known failures")
            && junit.contains("type=\"KNOWN-FAILURES\""),
        "{junit}"
    );

    // An entry naming no clause of the suite fails the run: a typo must not pass silently.
    let typo = known("typo.toml", entry("SAVE-404-REVOKD", &later));
    let (server, fixtures) = fresh(&dir, "typo", None).await;
    let output = run(&server, &fixtures, &["--known-failures", &typo]).await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "fails because: {typo}: SAVE-404-REVOKD is not a clause of this suite"
        )),
        "{stdout}"
    );
}

#[test]
fn a_bad_known_failures_file_and_certify_with_one_are_refused_before_any_traffic() {
    let dir = ScratchDir::new("known-refused");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let good = write(
        "good.toml",
        "[[known]]\nclause = \"SAVE-201-CREATED\"\nreason = \"r\"\nuntil = \"2099-01-01\"\n",
    );
    // The address listens and counts: the refusal comes first, so nothing connects.
    let listening = Listening::new();
    let output = harness(&[
        "certify",
        "--base-url",
        &listening.url(),
        "--api-key",
        "ak_0123456789012345678901234567890123456789",
        "--report",
        &dir.arg("c.md"),
        "--known-failures",
        &good,
    ]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("certify does not take --known-failures"),
        "{stderr}"
    );
    for (name, content, why) in [
        (
            "no-until.toml",
            "[[known]]\nclause = \"SAVE-201-CREATED\"\nreason = \"r\"\n",
            "entry 1 (SAVE-201-CREATED): `until` is missing",
        ),
        (
            "bad-date.toml",
            "[[known]]\nclause = \"SAVE-201-CREATED\"\nreason = \"r\"\nuntil = \"March\"\n",
            "is not a date",
        ),
        ("not-toml.toml", "[[known]\n", "not TOML"),
    ] {
        let path = write(name, content);
        let output = harness(&[
            "run",
            "--base-url",
            &listening.url(),
            "--known-failures",
            &path,
        ]);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("--known-failures {path}: ")) && stderr.contains(why),
            "{name}: {stderr}"
        );
    }
    let output = harness(&["run", "--known-failures", &dir.arg("missing.toml")]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read it"), "{stderr}");
    assert_eq!(listening.connections(), 0, "a refused run connected");

    // The count can see a run: the same target with a good file is connected to (nothing
    // answers, so the run ends unreachable).
    let output = harness(&[
        "run",
        "--base-url",
        &listening.url(),
        "--timeout",
        "1",
        "--known-failures",
        &good,
    ]);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output).1);
    assert!(listening.connections() > 0);
}

/// Edits that leave the verdicts consistent with a smaller or different recording: each is
/// caught, by `regrade` (which does not pass) or `verify-certificate` (which rejects).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_that_hide_evidence_or_change_the_settings_are_caught() {
    let dir = ScratchDir::new("hidden");
    let (server, fixtures) = fresh(&dir, "r", Some(fault("revoked-410"))).await;
    let report = dir.arg("r.md");
    let output = run(&server, &fixtures, &["--report", &report]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output).0);
    let original = json(&dir.join("r.md.json"));
    let edit = |name: &str, change: &dyn Fn(&mut serde_json::Value)| {
        let mut edited = original.clone();
        change(&mut edited);
        // As a forger would: the result and the failing verdicts made to read PASS.
        edited["result"] = "PASS".into();
        edited["reasons"] = serde_json::json!([]);
        let path = dir.join(name);
        std::fs::write(&path, edited.to_string()).unwrap();
        path.display().to_string()
    };
    let pass_failures = |c: &mut serde_json::Value| {
        for clause in c["clauses"].as_array_mut().unwrap() {
            if clause["verdict"] == "FAIL" {
                clause["verdict"] = "NOT-TESTABLE".into();
            }
        }
    };
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "the failing scenarios' exchanges deleted",
            edit("deleted.json", &|c| {
                pass_failures(c);
                c["recording"]["exchanges"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|e| !e["path"].as_str().unwrap().contains("{revoked token}"));
            }),
            "the recording does not answer",
        ),
        (
            "a tag filter added that leaves the failures out",
            edit("tags.json", &|c| {
                c["recording"]["settings"]["tags"] =
                    "not @clause:SAVE-404-REVOKED and not @clause:SAVE-404-NO-ORACLE".into();
            }),
            "were asked for by none of its scenarios",
        ),
        (
            "the mode turned into a certification",
            edit("mode.json", &|c| {
                c["mode"] = "certify".into();
                c["recording"]["settings"]["tags"] = "not @unavailable".into();
            }),
            "cannot be re-graded",
        ),
        (
            "the recorded commands replaced",
            edit("curl.json", &|c| {
                for exchange in c["recording"]["exchanges"].as_array_mut().unwrap() {
                    exchange["curl"] = "rm -rf ~".into();
                }
            }),
            "its recorded command is not the one it gives: curl -sS -i -g -X",
        ),
        (
            "a repeat count no run asks for",
            edit("repeat.json", &|c| {
                c["recording"]["settings"]["repeat"] = 4_294_967_295_u64.into();
            }),
            "cannot be re-graded",
        ),
        (
            "a known failure edited in",
            edit("known.json", &|c| {
                c["recording"]["settings"]["known_failures"] = serde_json::json!({
                    "file": "k.toml",
                    "entries": [
                        { "clause": "SAVE-404-REVOKED", "reason": "r", "until": "2999-01-01" },
                        { "clause": "SAVE-404-NO-ORACLE", "reason": "r", "until": "2999-01-01" },
                        { "clause": "SAVE-AFTER-REVOKE", "reason": "r", "until": "2999-01-01" }
                    ]
                });
                for clause in c["clauses"].as_array_mut().unwrap() {
                    if clause["verdict"] == "FAIL" {
                        clause["verdict"] = "KNOWN-FAILURE".into();
                        for scenario in clause["scenarios"].as_array_mut().unwrap() {
                            if scenario["verdict"] == "FAIL" {
                                scenario["verdict"] = "KNOWN-FAILURE".into();
                            }
                        }
                    }
                }
                c["summary"]["failed"] = 0.into();
                c["summary"]["known_failures"] = 3.into();
            }),
            "note: its result rests on 3 known failure(s) listed in k.toml",
        ),
    ];
    for (case, path, expected) in cases {
        let output = harness_async(vec!["verify-certificate".into(), path.clone()]).await;
        let (stdout, stderr) = text(&output);
        assert!(stdout.contains(expected), "{case}:\n{stdout}\n{stderr}");
        if case == "a known failure edited in" {
            // Consistent, so it is authentic; but what the PASS rests on is said, and a run's
            // report is no certificate.
            assert!(
                stdout.starts_with("authentic, a run's report (PASS), not a certificate"),
                "{case}:\n{stdout}"
            );
            assert_eq!(output.status.code(), Some(1), "{case}:\n{stdout}");
            continue;
        }
        assert_eq!(output.status.code(), Some(4), "{case}:\n{stdout}\n{stderr}");
        assert!(stdout.starts_with("NOT AUTHENTIC: "), "{case}:\n{stdout}");
        assert!(!stdout.contains("its verdicts follow"), "{case}:\n{stdout}");
    }
    let output = harness_async(vec!["regrade".into(), dir.arg("deleted.json")]).await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .contains("fails because: the recording does not answer every request of the re-grade"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_near_miss_of_the_live_token_is_never_written_and_its_command_still_sends_it() {
    let dir = ScratchDir::new("near-miss");
    // Only the first 16 characters of a token compared: the near miss saves the live share.
    let (server, fixtures_path) = fresh(&dir, "n", Some(fault("token-prefix-compared"))).await;
    let files = ["junit.xml", "r.md", "page.html"].map(|f| dir.arg(f));
    let output = run(
        &server,
        &fixtures_path,
        &[
            "--junit", &files[0], "--report", &files[1], "--html", &files[2],
        ],
    )
    .await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let fixtures = fixtures_of(&server);
    let live = fixtures.tokens.get(ShareState::Live).unwrap().to_owned();
    let near_miss = share_conformance::fixtures::near_miss(&live);
    let mut outputs = vec![("stdout".to_owned(), stdout.clone())];
    for file in files.iter().chain([&format!("{}.json", files[1])]) {
        outputs.push((file.clone(), std::fs::read_to_string(file).unwrap()));
    }
    for (place, content) in &outputs {
        for (what, token) in [("live token", &live), ("its near miss", &near_miss)] {
            assert!(
                !content.contains(token.as_str()),
                "the {what} is in {place}"
            );
        }
    }
    let commands = reproduction(
        &stdout,
        "Saving the live token with its last character changed",
    );
    let command = commands
        .first()
        .unwrap_or_else(|| panic!("no command:\n{stdout}"));
    assert!(command.contains("${SHARE_TOKEN_LIVE:0:"), "{command}");
    if !has("curl", "--version") {
        return;
    }
    let key = fixtures.api_key.as_ref().unwrap().expose().to_owned();
    let sent = std::process::Command::new("bash")
        .args(["-c", command])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("FREDDY_API_KEY", &key)
        .env("SHARE_TOKEN_LIVE", &live)
        .output()
        .expect("bash runs");
    let answer = text(&sent).0;
    assert!(
        answer.starts_with("HTTP/1.1 20"),
        "the command sends the near miss, which this server takes for the live token:\n{command}\n{answer}"
    );
}

/// `--strict`: a server whose only defect breaks a SHOULD clause passes `run` and fails
/// `run --strict`, which names the clause; JUnit shows it as a failure; a known-failures entry
/// excuses it; the recording keeps the setting, so a re-grade fails again; `certify` has no
/// such switch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_fails_a_run_on_a_should_clause_that_does_not_pass() {
    let dir = ScratchDir::new("strict");
    // A fresh server for each run: each provisions every state, and the run deletes the
    // disposable track.
    let (server, fixtures) = fresh(&dir, "s", Some(fault("constant-trace-id"))).await;
    let output = run(&server, &fixtures, &[]).await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        verdict_line(&stdout, "ERR-TRACE-ID-UNIQUE")
            .iter()
            .any(|l| l.contains("ADVISORY-FAIL")),
        "{stdout}"
    );

    let junit = dir.arg("strict.xml");
    let report = dir.arg("strict.md");
    let (server, fixtures) = fresh(&dir, "s2", Some(fault("constant-trace-id"))).await;
    let output = run(
        &server,
        &fixtures,
        &["--strict", "--junit", &junit, "--report", &report],
    )
    .await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "fails because: ERR-TRACE-ID-UNIQUE (SHOULD) is ADVISORY-FAIL, and a strict run fails on any SHOULD clause that does not pass"
        ),
        "{stdout}"
    );
    let failures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("fails because:"))
        .collect();
    assert_eq!(failures.len(), 1, "the SHOULD clause only: {failures:?}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.attribute("type"))
        .collect();
    assert!(
        !failed.is_empty() && failed.iter().all(|t| *t == "ADVISORY-FAIL"),
        "{failed:?}"
    );
    assert_ne!(
        doc.root_element().attribute("failures"),
        Some("0"),
        "the testsuites count it"
    );

    // The recording keeps the setting: re-graded, it fails again.
    let regraded = harness_async(vec!["regrade".into(), dir.arg("strict.md.json")]).await;
    assert_eq!(regraded.status.code(), Some(1), "{}", text(&regraded).0);

    // A gate can accept exactly this one, with a reason and a date.
    let known = dir.join("known.toml");
    std::fs::write(
        &known,
        "[[known]]\nclause = \"ERR-TRACE-ID-UNIQUE\"\nreason = \"TICKET-7: one trace id per node\"\nuntil = \"2999-01-01\"\n",
    )
    .unwrap();
    let (server, fixtures) = fresh(&dir, "s3", Some(fault("constant-trace-id"))).await;
    let output = run(
        &server,
        &fixtures,
        &["--strict", "--known-failures", known.to_str().unwrap()],
    )
    .await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("known failure: ERR-TRACE-ID-UNIQUE fails, excused by"),
        "{stdout}"
    );

    // certify is unchanged: it has no --strict.
    let output = certify(&server, &fixtures, &["--strict", "--report", &report]).await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output).1);
}

/// A token the harness makes up at random is named in the recording wherever it is made, so a
/// re-grade sends the same request: without `[expected]`, the "share link id" malformed token
/// is random, and the report still verifies as authentic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_without_expected_ids_regrades_and_verifies_as_authentic() {
    let dir = ScratchDir::new("no-expected");
    let server = reference(ServerOptions::default()).await;
    let mut fixtures = fixtures_of(&server);
    fixtures.expected = Default::default();
    let path = dir.fixtures(&fixtures);
    let report = dir.arg("r.md");
    let output = run(
        &server,
        &path,
        &[
            "--tags",
            "not @clause:SAVE-EDGE-TARGET",
            "--report",
            &report,
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output).0);
    let json = dir.arg("r.md.json");
    let regraded = harness_async(vec!["regrade".into(), json.clone()]).await;
    assert_eq!(regraded.status.code(), Some(0), "{}", text(&regraded).0);
    let verified = harness_async(vec!["verify-certificate".into(), json]).await;
    let (stdout, _) = text(&verified);
    assert!(
        stdout.starts_with("authentic, a run's report (PASS)"),
        "{stdout}"
    );
}
