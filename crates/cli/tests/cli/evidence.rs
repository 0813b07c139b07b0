//! Evidence anyone can check, with the real binary: a recorded run re-graded offline to the
//! same verdicts, a tampered certificate rejected, a `curl` line from the output reproducing a
//! failure (the HTML report and known failures have files of their own).

use std::path::Path;
use std::process::Output;

use share_conformance::fixtures::ShareState;
use share_conformance_reference::faults::Fault;
use share_conformance_reference::{ReferenceServer, ServerOptions};

use crate::support::*;

/// A fresh reference server (with `fault`, if any) and its fixtures file in `dir`: each run
/// gets its own, since a run's first save uses up the live share.
pub(crate) async fn fresh(
    dir: &ScratchDir,
    name: &str,
    fault: Option<Fault>,
) -> (ReferenceServer, String) {
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
pub(crate) async fn against(
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
pub(crate) async fn run(server: &ReferenceServer, fixtures: &str, extra: &[&str]) -> Output {
    against("run", server, fixtures, extra).await
}

/// `certify` against `server` with its fixtures and `extra` flags.
pub(crate) async fn certify(server: &ReferenceServer, fixtures: &str, extra: &[&str]) -> Output {
    against("certify", server, fixtures, extra).await
}

/// The clause table `run` and `regrade` print: its header and every line under it.
pub(crate) fn clause_table(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("clause "))
        .take_while(|l| !l.is_empty())
        .collect()
}

pub(crate) fn fault(name: &str) -> Fault {
    name.parse().unwrap_or_else(|_| panic!("{name} is a fault"))
}

pub(crate) fn json(path: &Path) -> serde_json::Value {
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
pub(crate) fn reproduction<'a>(stdout: &'a str, scenario_line: &str) -> Vec<&'a str> {
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
