//! The commands as scripts and CI see them: exit codes and output. Each test runs the real
//! binary against real servers on loopback.

use axum::Router;
use share_conformance::fixtures::ShareState;
use share_conformance::secret::ApiKey;
use share_conformance::suite::Level;
use share_conformance::{Fixtures, Suite};
use share_conformance_reference::ServerOptions;

use crate::support::*;

#[test]
fn run_against_the_embedded_server_passes_and_prints_the_clause_table() {
    let output = harness(&["run"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    for clause in ["SAVE-201-CREATED", "SAVE-404-NO-ORACLE", "ERR-SNAPSHOT"] {
        assert_eq!(
            verdict_line(&stdout, clause),
            [clause, "MUST", "PASS"],
            "{stdout}"
        );
    }
    assert_eq!(
        verdict_line(&stdout, "SAVE-REPEAT"),
        ["SAVE-REPEAT", "SHOULD", "PASS"],
        "{stdout}"
    );
    assert!(stdout.contains("result: PASS"), "{stdout}");
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let dir = ScratchDir::new("usage");
    let bad_toml = dir.join("bad.toml");
    std::fs::write(&bad_toml, "[tokens]\nlive = 42\n").unwrap();
    let bad_toml = bad_toml.display().to_string();
    let missing = dir.join("missing.toml").display().to_string();
    let cases: [(&[&str], &str); 7] = [
        (&["run", "--no-such-flag"], "--no-such-flag"),
        (&["frobnicate"], "frobnicate"),
        (
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:9",
                "--fixtures",
                &missing,
            ],
            "--fixtures",
        ),
        (
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:9",
                "--fixtures",
                &bad_toml,
            ],
            "line 2",
        ),
        (&["run", "--base-url", "not a url"], "is not a URL"),
        (&["run", "--base-url", "ftp://example.com"], "http or https"),
        (&["run", "--tags", "@a and"], "--tags"),
    ];
    for (args, expected) in cases {
        let output = harness(args);
        let (stdout, stderr) = text(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}\n{stdout}\n{stderr}"
        );
        assert!(
            stderr.contains(expected),
            "{args:?}: stderr lacks {expected:?}:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_target_with_nothing_listening_exits_3_naming_the_url() {
    // Bound, never listened on: refused, and no other process can take the port meanwhile.
    let (_socket, url) = refusing_address();
    let output = harness(&["run", "--base-url", &url, "--timeout", "5"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains(&url), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("refused"),
        "the cause is named: {stderr}"
    );
    assert!(!stdout.contains("PASS"), "no scenario runs: {stdout}");
}

#[test]
fn a_filter_that_selects_nothing_fails() {
    let output = harness(&["run", "--tags", "@does-not-exist"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("selects no scenario"), "{stderr}");
}

#[test]
fn a_tag_filter_runs_only_its_clauses() {
    let output = harness(&["run", "--tags", "@clause:SAVE-404-EXPIRED"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-404-EXPIRED"),
        ["SAVE-404-EXPIRED", "MUST", "PASS"]
    );
    assert!(
        verdict_line(&stdout, "SAVE-201-CREATED").is_empty(),
        "{stdout}"
    );
    assert!(
        stdout.contains("not selected by --tags: SAVE-201-CREATED"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_answers_200_to_everything_fails_the_run() {
    let url = spawn(Router::new().fallback(|| async { axum::Json(serde_json::json!({})) })).await;
    let dir = ScratchDir::new("always-200");
    let mut fixtures = Fixtures::default();
    for state in ShareState::ALL {
        fixtures.tokens.set(state, Some(format!("shr_{state}")));
    }
    fixtures.api_key = Some(ApiKey::new("ak_whatever").unwrap());
    let fixtures = dir.fixtures(&fixtures);
    let output = harness_async(vec![
        "run".into(),
        "--base-url".into(),
        url,
        "--fixtures".into(),
        fixtures,
    ])
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    for clause in [
        "SAVE-201-CREATED",
        "SAVE-EDGE-SHAPE",
        "SAVE-401-MISSING-KEY",
        "SAVE-404-REVOKED",
        "ERR-ENVELOPE",
    ] {
        assert_eq!(
            verdict_line(&stdout, clause),
            [clause, "MUST", "FAIL"],
            "{stdout}"
        );
    }
    assert!(
        stdout.contains("expected: status 201\n"),
        "failures line up expected against actual:\n{stdout}"
    );
    assert!(stdout.contains("actual:   200 OK"), "{stdout}");
    assert!(stdout.contains("result: FAIL"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_fixtures_are_not_testable_never_passed() {
    // Two servers: a run's save leaves the second run nothing to see in the same library.
    let dir = ScratchDir::new("partial-fixtures");
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    for n in 0..2 {
        let server = reference(ServerOptions::default()).await;
        let mut fixtures = fixtures_of(&server);
        fixtures.tokens.expired = None;
        fixtures.expected.track_id = None;
        let path = dir.join(&format!("fixtures-{n}.toml"));
        std::fs::write(&path, fixtures.to_toml()).unwrap();
        bases.push(vec![
            "run".to_owned(),
            "--base-url".into(),
            server.base_url(),
            "--fixtures".into(),
            path.display().to_string(),
        ]);
        servers.push(server);
    }
    let (base, second) = (bases[0].clone(), bases[1].clone());

    // SAVE-404-EXPIRED and SAVE-404-NO-ORACLE have no scenario that can run without the
    // expired token: selected that way, the run fails rather than passing vacuously. (The
    // lifecycles of a save, which need provisioning, are left out.)
    let mut first = base.clone();
    first.extend(["--tags".to_owned(), "not @lifecycle".into()]);
    let output = harness_async(first).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-404-EXPIRED"),
        ["SAVE-404-EXPIRED", "MUST", "NOT-TESTABLE"],
        "{stdout}"
    );
    assert!(
        stdout.contains("not testable: the fixtures hold no `expired` token"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "fails because: SAVE-404-EXPIRED was selected but none of its scenarios could run"
        ),
        "{stdout}"
    );

    // Deselected explicitly, the gap is the user's stated choice, and the run passes; a clause
    // with one scenario that could not run and one that did is NOT-TESTABLE, never PASS.
    let mut deselected = second;
    deselected.extend([
        "--tags".to_owned(),
        "not @lifecycle and not @clause:SAVE-404-EXPIRED and not @clause:SAVE-404-NO-ORACLE".into(),
    ]);
    let output = harness_async(deselected).await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-EDGE-TARGET"),
        ["SAVE-EDGE-TARGET", "MUST", "NOT-TESTABLE"],
        "{stdout}"
    );
    assert_eq!(
        verdict_line(&stdout, "ERR-ENVELOPE"),
        ["ERR-ENVELOPE", "MUST", "NOT-TESTABLE"],
        "{stdout}"
    );
    assert!(stdout.contains("could not be fully tested"), "{stdout}");
}

/// No fixtures at all: one line says so at the start and one at the end, instead of a line for
/// each clause that could not run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_without_fixtures_says_so_in_one_line() {
    let server = reference(ServerOptions::default()).await;
    let key = fixtures_of(&server).api_key.unwrap();
    let output = harness_async(vec![
        "run".into(),
        "--base-url".into(),
        server.base_url(),
        "--api-key".into(),
        key.expose().to_owned(),
    ])
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    let reasons: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("fails because:"))
        .collect();
    assert_eq!(reasons.len(), 1, "{reasons:#?}");
    assert!(
        reasons[0].starts_with("fails because: no fixtures: the run knows no share token"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: no fixtures: the run knows no share token of the target"),
        "{stdout}"
    );
}

/// `serve` in one process, `run` in another, through the fixtures it printed. A second run
/// with the same share saves it again: the library, which lists the track once, shows nothing
/// that save added, and says so (NOT-TESTABLE, failing the run); a gate that accepts exactly
/// that case by name passes, and one that accepts another case does not.
#[test]
fn serve_in_another_process_passes_through_its_printed_fixtures() {
    let serve = Serve::start("serve", &[]);
    let output = serve.run_static(&[]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-201-CREATED"),
        ["SAVE-201-CREATED", "MUST", "PASS"]
    );
    assert_eq!(
        verdict_line(&stdout, "SAVE-LIBRARY-ADDED"),
        ["SAVE-LIBRARY-ADDED", "MUST", "PASS"]
    );

    let output = serve.run_static(&[]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(
        verdict_line(&stdout, "SAVE-LIBRARY-ADDED"),
        ["SAVE-LIBRARY-ADDED", "MUST", "NOT-TESTABLE"]
    );
    assert!(
        stdout.contains("fails because: SAVE-LIBRARY-ADDED was selected but none of its scenarios could run: [listed-once]"),
        "{stdout}"
    );
    // Every other clause still passes: a repeat save is idempotent.
    assert!(stdout.contains("0 failed, 1 not testable"), "{stdout}");

    let dir = ScratchDir::new("serve-accepts");
    let accept = |case: &str| {
        let path = dir.join(&format!("{case}.toml"));
        std::fs::write(
            &path,
            format!(
                "[[untestable]]\nclause = \"SAVE-LIBRARY-ADDED\"\ncase = \"{case}\"\nreason = \"the same share, saved again\"\nuntil = \"2099-01-01\"\n"
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let output = serve.run_static(&["--known-failures", &accept("listed-once")]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("accepted: SAVE-LIBRARY-ADDED is NOT-TESTABLE (listed-once)"),
        "{stdout}"
    );
    let output = serve.run_static(&["--known-failures", &accept("no-disposable-track")]);
    let (stdout, stderr) = text(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "another case accepts nothing: {stdout}\n{stderr}"
    );
}

#[test]
fn a_matrix_timeout_the_slow_save_cannot_outlast_is_a_usage_error() {
    let output = harness(&["faults", "--matrix", "--timeout", "60"]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("must be under the 60 s a fault holds its answer back"),
        "{stderr}"
    );
}

#[test]
fn serve_with_a_seed_serves_the_same_keys_and_tokens_again() {
    let first = Serve::start("seeded-1", &["--seed", "20261206"]);
    let again = Serve::start("seeded-2", &["--seed", "20261206"]);
    let other = Serve::start("seeded-3", &["--seed", "20261207"]);
    let (a, b, c) = (first.seeded(), again.seeded(), other.seeded());
    assert_eq!(a.to_toml(), b.to_toml());
    assert_eq!(first.provision_flags, again.provision_flags);
    assert_ne!(a.to_toml(), c.to_toml());
}

#[test]
fn every_fault_served_standalone_fails_the_run_naming_its_clauses() {
    use share_conformance_reference::faults::{CATALOGUE, FaultKind};
    let suite = Suite::embedded().unwrap();
    let level = |clause: &str| suite.clause(clause).unwrap().level;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(info) =
                    CATALOGUE.get(next.fetch_add(1, std::sync::atomic::Ordering::SeqCst))
                {
                    let serve =
                        Serve::start(&format!("fault-{}", info.name), &["--fault", info.name]);
                    // Only a transport fault may be caught by a timeout: it alone runs with a
                    // short one, and every other fault must fail by a check on an answer.
                    let transport = info.kind == FaultKind::Transport;
                    let output = serve.run(if transport { &["--timeout", "2"] } else { &[] });
                    let (stdout, stderr) = text(&output);
                    let mut wrong = Vec::new();
                    if !transport && stdout.contains(": no response: ") {
                        wrong.push("a request got no answer".to_owned());
                    }
                    // An advisory fault breaks only SHOULD clauses: reported, never failing.
                    let advisory = info.clauses.iter().all(|c| level(c) == Level::Should);
                    let exit = if advisory { 0 } else { 1 };
                    if output.status.code() != Some(exit) {
                        wrong.push(format!("exit {:?}", output.status.code()));
                    }
                    for clause in info.clauses {
                        let expected = match level(clause) {
                            Level::Must => [*clause, "MUST", "FAIL"],
                            Level::Should => [*clause, "SHOULD", "ADVISORY-FAIL"],
                        };
                        if verdict_line(&stdout, clause) != expected {
                            wrong.push(format!("{clause} not {}", expected[2]));
                        }
                    }
                    if !wrong.is_empty() {
                        failures.lock().unwrap().push(format!(
                            "{}: {}\n{stdout}\n{stderr}",
                            info.name,
                            wrong.join(", ")
                        ));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_unknown_fault_name_is_a_usage_error() {
    let output = harness(&["serve", "--fault", "no-such-fault"]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("share-conformance faults"), "{stderr}");
}

#[test]
fn a_variant_served_standalone_passes_and_is_listed() {
    let serve = Serve::start("variant", &["--variant", "repeat-save-200"]);
    let output = serve.run_static(&[]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    // Run twice with the same fixtures: the live token is now saved, and a repeat save
    // answers 200. The harness diagnoses that instead of blaming the target.
    let output = serve.run_static(&[]);
    let (stdout, stderr) = text(&output);
    assert_eq!(
        verdict_line(&stdout, "SAVE-201-CREATED"),
        ["SAVE-201-CREATED", "MUST", "NOT-TESTABLE"],
        "{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("the live token seems to have been saved before this run"),
        "{stdout}"
    );
    assert!(stdout.contains("remedy:"), "{stdout}");
    assert!(
        !stdout.lines().any(|l| l.starts_with("FAIL ")),
        "no scenario blames the target: {stdout}"
    );
    assert!(
        stdout.contains("SAVE-201-CREATED was selected but none of its scenarios could run: the live token seems to have been saved before this run"),
        "{stdout}"
    );

    let output = harness(&["variants"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0));
    for info in share_conformance_reference::variants::CATALOGUE {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(info.name))
            .unwrap_or_else(|| panic!("{} missing", info.name));
        assert!(line.contains(info.description), "{line}");
        for clause in info.advisories {
            assert!(line.contains(clause), "{line}");
        }
    }
    let output = harness(&["serve", "--variant", "nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("share-conformance variants"));
    let output = harness(&[
        "serve",
        "--variant",
        "repeat-save-200",
        "--fault",
        "source-own",
    ]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "a fault or a variant, not both"
    );
}

#[test]
fn faults_lists_the_catalogue() {
    let output = harness(&["faults"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0));
    for info in share_conformance_reference::faults::CATALOGUE {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(info.name))
            .unwrap_or_else(|| panic!("{} missing", info.name));
        for clause in info.clauses {
            assert!(line.contains(clause), "{line}");
        }
        assert!(line.contains(info.description), "{line}");
    }
}

#[test]
fn clauses_prints_the_traceability_matrix() {
    let output = harness(&["clauses"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0));
    let suite = Suite::embedded().unwrap();
    for clause in suite.clauses() {
        assert!(
            stdout.contains(&format!(
                "{}  {}  {}  ({})",
                clause.id, clause.level, clause.mark, clause.source
            )),
            "{} missing",
            clause.id
        );
    }
    assert!(
        stdout.contains("SAVE-201-CREATED  MUST  [doc]  (docs/save-shared-track.md)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ERR-EXAMPLE-SNAPSHOT  SHOULD  [ex]"),
        "{stdout}"
    );
    assert!(
        stdout
            .contains("features/saving.feature:17  Saving a live track share returns 201 Created"),
        "{stdout}"
    );
    // The lifecycles of a save, each with the sentence of the neighbouring page it rests on.
    for (clause, sentence) in [
        (
            "SAVE-AFTER-REVOKE  MUST  [doc]",
            "after a revocation, new resolves and new saves of the link fail",
        ),
        (
            "SAVE-REVOKE-KEEPS-COPY  MUST  [doc]",
            "whoever saved it before keeps the copy",
        ),
        (
            "SAVE-DELETE-EMPTIES-LIBRARY  MUST  [doc]",
            "after it the track leaves every library, including those of the users who saved it",
        ),
        (
            "SAVE-AFTER-DELETE  MUST  [doc]",
            "A revoked, expired, or removed share returns a graceful `404`",
        ),
    ] {
        let entry = stdout
            .split("\n\n")
            .find(|entry| entry.starts_with(clause))
            .unwrap_or_else(|| panic!("{clause} is not listed: {stdout}"));
        assert!(entry.contains(sentence), "{entry}");
        assert!(entry.contains("features/lifecycle.feature:"), "{entry}");
    }
}

#[test]
fn read_lag_takes_seconds_up_to_a_minute_and_is_recorded() {
    for bad in ["-1", "61", "soon", "NaN"] {
        let output = harness(&["run", &format!("--read-lag={bad}")]);
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{bad}: {stdout}{stderr}");
        assert!(
            stderr.contains("is not a number of seconds from 0 to 60"),
            "{bad}: {stderr}"
        );
    }
    let dir = ScratchDir::new("read-lag");
    let report = dir.join("run.md");
    let output = harness(&[
        "run",
        "--read-lag",
        "0.5",
        "--tags",
        "@clause:SAVE-LIBRARY-ADDED",
        "--report",
        &report.display().to_string(),
    ]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.md.json")).unwrap()).unwrap();
    assert_eq!(
        recorded.pointer("/recording/settings/read_lag_ms"),
        Some(&serde_json::json!(500)),
        "{recorded:#}"
    );
}

#[test]
fn repeat_finds_no_flakes_in_the_reference_server_and_finds_them_in_a_flaky_one() {
    let scenarios = Suite::embedded().unwrap().scenario_count();
    let output = harness(&["run", "--repeat", "20"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "repetition 20/20: {scenarios} of {scenarios} scenarios passed"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("FLAKY"), "{stdout}");
    assert!(stdout.contains("(passed 20 of 20 repetitions)"), "{stdout}");

    // Every third request answers 503: verdicts change from one repetition to the next.
    let flaky = Serve::start("flaky", &["--fail-every", "3"]);
    let output = flaky.run_static(&["--repeat", "20"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().nth(2) == Some("FLAKY")),
        "a clause is FLAKY in the table:\n{stdout}"
    );
    assert!(
        stdout.contains("is FLAKY: its verdict changed between repetitions"),
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.starts_with("FLAKY ")), "{stdout}");
}

#[test]
fn the_binary_needs_nothing_from_the_source_tree() {
    let empty = ScratchDir::new("empty-cwd");
    let output = command(&["run"], &[])
        .current_dir(empty.path())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "the run wrote into the working directory"
    );
}

#[test]
fn version_names_the_suite_digest() {
    let output = harness(&["--version"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let digest = Suite::embedded().unwrap().digest();
    assert_eq!(
        stdout.trim(),
        format!(
            "share-conformance {} (suite sha256:{digest})",
            env!("CARGO_PKG_VERSION")
        )
    );
}
