//! Flags the library knows nothing of: TLS options, plain http to another host, and a suite
//! from a directory. Each mistake is a usage error (exit 2) that names the flag.

use share_conformance::suite::EMBEDDED;

use crate::support::*;

#[test]
fn bad_tls_options_are_usage_errors() {
    let dir = ScratchDir::new("tls-usage");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let garbage = garbage.to_str().unwrap();
    let base = ["run", "--base-url", "https://localhost:1"];
    for (extra, expected) in [
        (vec!["--ca-cert", garbage], "holds no certificate"),
        (
            vec!["--ca-cert", "/no/such.pem"],
            "--ca-cert /no/such.pem: cannot read it",
        ),
        (vec!["--ca-cert", garbage, "--insecure"], "--insecure"),
    ] {
        let args: Vec<&str> = base.iter().copied().chain(extra.iter().copied()).collect();
        let output = harness(&args);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let output = harness(&["run", "--insecure"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("needs --base-url"));
}

/// Refused before any request is made: nothing is sent anywhere.
#[test]
fn a_key_is_not_sent_over_plain_http_to_another_host() {
    // A host under .invalid never resolves, so even a regression would send nothing; the
    // refusal comes before any lookup.
    for command in ["run", "doctor"] {
        let refused = harness(&[
            command,
            "--base-url",
            "http://staging.example.invalid:9",
            "--api-key",
            "ak_plain_http_test",
        ]);
        let (stdout, stderr) = text(&refused);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "{command}: {stdout}\n{stderr}"
        );
        assert!(
            stderr
                .contains("refusing to send an API key over plain http to staging.example.invalid"),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("--allow-insecure-http"), "{stderr}");
        assert!(!stderr.contains("ak_plain_http_test"), "{stderr}");
    }
}

/// On loopback no key crosses a network: plain http is allowed, and a port where nothing
/// listens is unreachable (exit 3), not refused.
#[test]
fn plain_http_on_loopback_is_allowed() {
    let (_socket, url) = refusing_address();
    let url = url.replace("127.0.0.1", "localhost");
    let output = harness(&["run", "--base-url", &url, "--api-key", "ak_x"]);
    assert_eq!(output.status.code(), Some(3), "{:?}", text(&output));
}

fn copy_suite(to: &std::path::Path) {
    for (path, text) in EMBEDDED {
        let file = to.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
}

#[test]
fn a_suite_directory_can_add_a_scenario_and_certificates_tell_suites_apart() {
    let dir = ScratchDir::new("suite-copy");
    let suite_dir = dir.join("suite");
    copy_suite(&suite_dir);
    std::fs::write(
        suite_dir.join("features/extra.feature"),
        "Feature: Extra\n  @clause:SAVE-404-UNKNOWN\n  Scenario: An unknown token is still unavailable when saved once more\n    [doc] \"The share token is invalid, revoked, expired, or its content was removed.\" (docs/save-shared-track.md)\n\n    Given the recipient's API key\n    And the unknown share token\n    When the share is saved\n    Then the status is 404\n",
    )
    .unwrap();
    let suite = share_conformance::Suite::from_dir(&suite_dir).unwrap();
    let suite_arg = suite_dir.display().to_string();
    let report = dir.arg("cert.md");
    let output = harness(&["--suite-dir", &suite_arg, "certify", "--report", &report]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let expected = format!("{} scenarios", suite.scenario_count());
    assert!(stdout.contains(&expected), "{stdout}");
    let json = dir.arg("cert.md.json");
    // Produced by the directory's suite: it verifies against that suite, not the compiled-in one.
    let with_dir = harness(&["--suite-dir", &suite_arg, "verify-certificate", &json]);
    assert_eq!(with_dir.status.code(), Some(0), "{:?}", text(&with_dir));
    let embedded = harness(&["verify-certificate", &json]);
    assert_eq!(embedded.status.code(), Some(4));
    assert!(
        text(&embedded)
            .0
            .contains("features/extra.feature: recorded, but not in this suite")
    );
}

#[test]
fn a_suite_directory_the_loader_refuses_is_a_usage_error() {
    let dir = ScratchDir::new("suite-refused");
    copy_suite(dir.path());
    // A scenario with nothing to check would pass having proved nothing.
    std::fs::write(
        dir.join("features/unchecked.feature"),
        "Feature: Unchecked\n  @clause:SAVE-201-CREATED\n  Scenario: A save whose answer nobody reads\n    [doc] \"Returns `201 Created` with the new library edge.\" (docs/save-shared-track.md)\n\n    Given the recipient's API key\n    And the live share token\n    When the share is saved\n",
    )
    .unwrap();
    let suite_arg = dir.path().display().to_string();
    let output = harness(&["--suite-dir", &suite_arg, "run"]);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("--suite-dir"), "{stderr}");
    assert!(stderr.contains("has no Then step"), "{stderr}");
    assert!(stdout.is_empty(), "nothing ran: {stdout}");

    let missing = harness(&["--suite-dir", "/no/such/dir", "clauses"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).1.contains("/no/such/dir is not a directory"));
}
