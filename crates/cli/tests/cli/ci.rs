//! What CI gates and certifying vendors rely on: JUnit and Cucumber JSON reports, `certify`
//! and its certificate, `verify-certificate`, provisioning through the API, and `doctor`.

use std::path::Path;

use serde_json::Value;
use share_conformance::certificate::Certificate;
use share_conformance::fixtures::ShareState;
use share_conformance::{Fixtures, Suite};
use share_conformance_reference::faults::Fault;
use share_conformance_reference::{ReferenceServer, ServerOptions};

use crate::support::*;

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every testcase of a JUnit file: (name, has <failure>, has <skipped>, clause properties).
fn junit_cases(xml: &str) -> Vec<(String, bool, bool, Vec<String>)> {
    let doc = roxmltree::Document::parse(xml).expect("the JUnit report is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    root.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|case| {
            let child = |name: &str| case.children().any(|c| c.has_tag_name(name));
            let clauses = case
                .descendants()
                .filter(|p| p.has_tag_name("property") && p.attribute("name") == Some("clause"))
                .filter_map(|p| p.attribute("value").map(str::to_owned))
                .collect();
            (
                case.attribute("name").unwrap().to_owned(),
                child("failure"),
                child("skipped"),
                clauses,
            )
        })
        .collect()
}

/// Every scenario of a Cucumber JSON file: (name, step statuses).
fn cucumber_scenarios(json: &str) -> Vec<(String, Vec<String>)> {
    let features: Value = serde_json::from_str(json).expect("the Cucumber JSON report is JSON");
    let mut out = Vec::new();
    for feature in features.as_array().expect("an array of features") {
        assert!(feature["uri"].as_str().unwrap().starts_with("features/"));
        for element in feature["elements"].as_array().unwrap() {
            assert_eq!(element["type"], "scenario");
            assert!(
                element["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["name"].as_str().unwrap().starts_with("@clause:"))
            );
            let statuses = element["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    assert!(s["result"]["duration"].is_u64());
                    s["result"]["status"].as_str().unwrap().to_owned()
                })
                .collect();
            out.push((element["name"].as_str().unwrap().to_owned(), statuses));
        }
    }
    out
}

#[test]
fn reports_of_a_passing_run_parse() {
    let dir = ScratchDir::new("reports-pass");
    let (junit, json) = (dir.join("junit.xml"), dir.join("cucumber.json"));
    let output = harness(&[
        "run",
        "--junit",
        junit.to_str().unwrap(),
        "--cucumber-json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));

    let scenario_count = Suite::embedded().unwrap().scenario_count();
    let cases = junit_cases(&read(&junit));
    assert_eq!(cases.len(), scenario_count);
    for (name, failure, skipped, clauses) in &cases {
        assert!(!failure && !skipped, "{name}");
        assert!(
            !clauses.is_empty() && name.starts_with(&format!("[{}]", clauses.join(" "))),
            "clause ids visible: {name}"
        );
    }
    let scenarios = cucumber_scenarios(&read(&json));
    assert_eq!(scenarios.len(), scenario_count);
    assert!(
        scenarios
            .iter()
            .all(|(_, steps)| !steps.is_empty() && steps.iter().all(|s| s == "passed"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_of_a_failing_run_parse_and_show_the_failure() {
    let server = ReferenceServer::start(ServerOptions {
        fault: Some(Fault::Save200Not201),
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = ScratchDir::new("reports-fail");
    let mut fixtures = fixtures_of(&server);
    fixtures.tokens.expired = None; // one NOT-TESTABLE row too
    let fixtures = dir.fixtures(&fixtures);
    let (junit, json) = (dir.join("junit.xml"), dir.join("cucumber.json"));
    let output = harness_async(
        [
            "run",
            "--base-url",
            &server.base_url(),
            "--fixtures",
            &fixtures,
            "--junit",
            junit.to_str().unwrap(),
            "--cucumber-json",
            json.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{:?}", text(&output));

    let cases = junit_cases(&read(&junit));
    let created = cases.iter().find(|c| c.3 == ["SAVE-201-CREATED"]).unwrap();
    assert!(
        created.1,
        "the 200-not-201 testcase has a <failure>: {created:?}"
    );
    let expired = cases.iter().find(|c| c.3 == ["SAVE-404-EXPIRED"]).unwrap();
    assert!(
        expired.2 && !expired.1,
        "a NOT-TESTABLE testcase is <skipped>: {expired:?}"
    );
    assert!(
        read(&junit).contains("expected: status 201"),
        "the failure message is kept"
    );

    let scenarios = cucumber_scenarios(&read(&json));
    let (_, steps) = scenarios
        .iter()
        .find(|(n, _)| n == "Saving a live track share returns 201 Created")
        .unwrap();
    assert_eq!(steps, &["passed", "passed", "passed", "failed"]);
    let (_, steps) = scenarios
        .iter()
        .find(|(n, _)| n.contains("expired share returns 404"))
        .unwrap();
    assert!(
        steps.contains(&"skipped".to_owned()) && !steps.contains(&"failed".to_owned()),
        "{steps:?}"
    );
}

#[test]
fn certify_against_the_embedded_server_writes_a_certificate_that_verifies() {
    let dir = ScratchDir::new("certify");
    let report = dir.join("cert.md");
    let output = harness(&["certify", "--report", report.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));
    let markdown = read(&report);
    assert!(markdown.contains("**Result: CERTIFIED**"), "{markdown}");
    let json_path = dir.join("cert.md.json");
    let certificate = Certificate::load(&json_path).unwrap();
    assert_eq!(certificate.result, "CERTIFIED");
    assert_eq!(certificate.mode, "certify");
    assert!(
        certificate.target.description.as_deref() == Some("embedded reference server")
            && certificate.target.origin.starts_with("http://127.0.0.1:")
    );
    assert!(!certificate.harness.commit.is_empty());
    assert_eq!(
        certificate.suite.files.len(),
        share_conformance::suite::EMBEDDED.len()
    );
    assert!(certificate.suite.files.iter().all(|f| f.sha256.len() == 64));
    assert!(
        certificate
            .clauses
            .iter()
            .all(|c| c.verdict == "PASS" && !c.scenarios.is_empty())
    );
    assert!(
        certificate.started_at.ends_with('Z') && certificate.finished_at >= certificate.started_at
    );

    let verified = harness(&["verify-certificate", json_path.to_str().unwrap()]);
    let (stdout, _) = text(&verified);
    assert_eq!(verified.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with(&format!("authentic, CERTIFIED: {}", json_path.display())),
        "{stdout}"
    );
    assert!(stdout.contains("✓ produced by this suite"), "{stdout}");

    // Alter one recorded hash: the certificate no longer matches this suite.
    let mut altered: Value = serde_json::from_str(&read(&json_path)).unwrap();
    altered["suite"]["files"][3]["sha256"] = Value::from("0".repeat(64));
    let altered_path = dir.join("altered.json");
    std::fs::write(&altered_path, altered.to_string()).unwrap();
    let rejected = harness(&["verify-certificate", altered_path.to_str().unwrap()]);
    let (stdout, _) = text(&rejected);
    assert_eq!(rejected.status.code(), Some(4), "{stdout}");
    assert!(
        stdout.starts_with(&format!(
            "NOT AUTHENTIC: {} was not produced by this suite",
            altered_path.display()
        )),
        "{stdout}"
    );
    let file = altered["suite"]["files"][3]["path"].as_str().unwrap();
    assert!(
        stdout.contains(&format!("{file}: recorded sha256 {}", "0".repeat(64))),
        "{stdout}"
    );

    std::fs::write(&altered_path, "{ not json").unwrap();
    assert_eq!(
        harness(&["verify-certificate", altered_path.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certify_without_the_expired_fixture_is_not_certified() {
    let server = ReferenceServer::start(ServerOptions::default())
        .await
        .unwrap();
    let dir = ScratchDir::new("certify-partial");
    let mut fixtures = fixtures_of(&server);
    fixtures.tokens.expired = None;
    let fixtures = dir.fixtures(&fixtures);
    let report = dir.join("cert.md");
    let output = harness_async(
        [
            "certify",
            "--base-url",
            &server.base_url(),
            "--fixtures",
            &fixtures,
            "--report",
            report.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("result: NOT CERTIFIED"), "{stdout}");
    let certificate = Certificate::load(&dir.join("cert.md.json")).unwrap();
    assert_eq!(certificate.result, "NOT CERTIFIED");
    let expired = certificate
        .clauses
        .iter()
        .find(|c| c.id == "SAVE-404-EXPIRED")
        .unwrap();
    assert_eq!(expired.verdict, "NOT-TESTABLE");
    assert!(
        certificate
            .reasons
            .iter()
            .any(|r| r.starts_with("SAVE-404-EXPIRED is NOT-TESTABLE")),
        "{:?}",
        certificate.reasons
    );
    assert!(read(&report).contains("| SAVE-404-EXPIRED | MUST | **NOT-TESTABLE** |"));
}

#[test]
fn certify_takes_no_tag_filter_and_needs_a_report() {
    let dir = ScratchDir::new("certify-usage");
    let report = dir.join("c.md");
    let output = harness(&[
        "certify",
        "--report",
        report.to_str().unwrap(),
        "--tags",
        "@should",
    ]);
    assert_eq!(output.status.code(), Some(2), "{:?}", text(&output));
    let output = harness(&["certify"]);
    assert_eq!(output.status.code(), Some(2), "{:?}", text(&output));
    assert!(text(&output).1.contains("--report"));
    let output = harness(&["run", "--junit", "/no/such/dir/j.xml"]);
    assert_eq!(output.status.code(), Some(2), "{:?}", text(&output));
    assert!(
        text(&output).1.contains("/no/such/dir"),
        "{:?}",
        text(&output)
    );
}

#[test]
fn provisioning_against_serve_makes_working_fixtures() {
    let serve = Serve::start("provision", &[]);
    let seeded = serve.seeded();
    let recipient_key = seeded.api_key.clone().unwrap();
    let dir = ScratchDir::new("provision-fixtures");
    // Only what provisioning cannot make: the expired token.
    let mut fixtures = Fixtures::default();
    fixtures.tokens.expired = seeded.tokens.expired.clone();
    let fixtures = dir.fixtures(&fixtures);
    let report = dir.join("cert.md");
    let mut args = vec![
        "certify",
        "--base-url",
        &serve.url,
        "--fixtures",
        &fixtures,
        "--api-key",
        recipient_key.expose(),
    ];
    args.extend(serve.provision_flags.iter().map(String::as_str));
    args.extend(["--report", report.to_str().unwrap()]);
    let output = harness(&args);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    for state in ["live", "revoked", "removed", "collection"] {
        assert!(
            stdout.contains(&format!("provisioned {state}: share mslink_")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("result: CERTIFIED"), "{stdout}");
    let sharer_key = serve.flag("--sharer-api-key");
    for secret in [sharer_key, recipient_key.expose()] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "a key leaked"
        );
        assert!(!read(&report).contains(secret));
    }
    // The shares provisioning minted are capabilities: the recording names them, in the
    // answers that created them too, and the certificate still verifies (provisioning's
    // exchanges are not asked for again by a re-grade).
    let json_path = format!("{}.json", report.display());
    let certificate: Value = serde_json::from_str(&read(Path::new(&json_path))).unwrap();
    for exchange in certificate["recording"]["exchanges"].as_array().unwrap() {
        let response = exchange["response"].to_string();
        assert!(
            !response.contains("shr_") && !exchange["path"].to_string().contains("shr_"),
            "a share token is recorded as it is: {exchange}"
        );
    }
    let output = harness(&["verify-certificate", &json_path]);
    assert_eq!(output.status.code(), Some(0), "{:?}", text(&output));

    // The disposable track is gone now: provisioning again names the request, the status
    // and the code, and never the key.
    let mut again = vec![
        "run",
        "--base-url",
        &serve.url,
        "--api-key",
        recipient_key.expose(),
    ];
    again.extend(serve.provision_flags.iter().map(String::as_str));
    let output = harness(&again);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    let request = format!(
        "POST /v1/music/{}/tracks/{}/share",
        serve.flag("--organization"),
        serve.flag("--disposable-track")
    );
    assert!(
        stderr.contains(&format!(
            "{request} answered 404 Not Found (RESOURCE_NOT_FOUND)"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(!stderr.contains(sharer_key) && !stdout.contains(sharer_key));

    // A sharer's key the target refuses: the hint names that key, not membership.
    let wrong = format!("ak_{}", "w".repeat(39));
    let flags: Vec<&str> = serve
        .provision_flags
        .iter()
        .map(|flag| {
            if flag == sharer_key {
                wrong.as_str()
            } else {
                flag
            }
        })
        .collect();
    let mut refused = vec![
        "run",
        "--base-url",
        &serve.url,
        "--api-key",
        recipient_key.expose(),
    ];
    refused.extend(flags);
    let output = harness(&refused);
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("answered 401 Unauthorized"), "{stderr}");
    assert!(
        stderr.contains("hint: the target refused the sharer's API key (--sharer-api-key, or $FREDDY_SHARER_API_KEY)"),
        "{stderr}"
    );
    assert!(!stderr.contains("member of the organization"), "{stderr}");
}

#[test]
fn provisioning_flags_are_checked() {
    for (args, expected) in [
        (&["run", "--provision"][..], "--base-url"),
        (
            &["run", "--base-url", "http://127.0.0.1:9", "--provision"][..],
            "sharer",
        ),
        (
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:9",
                "--track",
                "mtrack_1",
            ][..],
            "only used with --provision",
        ),
        (
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:9",
                "--provision",
                "--sharer-api-key",
                "ak_s",
                "--organization",
                "org_1",
                "--track",
                "t1",
            ][..],
            "mtrack_",
        ),
    ] {
        let output = harness(args);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let base = [
        "run",
        "--base-url",
        "http://127.0.0.1:9",
        "--sharer-api-key",
        "ak_s",
        "--organization",
        "org_1",
    ];
    for (extra, expected) in [
        (
            &["--provision", "expired", "--track", "mtrack_1"][..],
            "one day",
        ),
        (
            &["--provision", "removed", "--track", "mtrack_1"][..],
            "--disposable-track",
        ),
        (
            &["--provision", "live,bogus", "--track", "mtrack_1"][..],
            "\"bogus\" is not a state",
        ),
        (
            &["--provision", "live"][..],
            "--provision live needs --track",
        ),
        (&["--provision"][..], "nothing to make"),
        (
            &[
                "--provision",
                "--track",
                "mtrack_1",
                "--recipient-organization",
                "7",
            ][..],
            "org_",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let output = harness(&args);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn doctor_passes_serve_and_names_what_is_wrong() {
    let serve = Serve::start("doctor", &[]);
    let fixtures = serve.fixtures.display().to_string();
    let doctor = |extra: &[&str]| {
        let mut args = vec!["doctor", "--base-url", &serve.url, "--fixtures", &fixtures];
        args.extend_from_slice(extra);
        harness(&args)
    };

    let sharer = [
        "--provision",
        "--sharer-api-key",
        serve.flag("--sharer-api-key"),
        "--organization",
        serve.flag("--organization"),
        "--track",
        serve.flag("--track"),
    ];
    let output = doctor(&sharer);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    for line in [
        "✓ tcp",
        "✓ http",
        "✓ clock",
        "✓ api key",
        "✓ sharer key",
        "✓ live token",
        "✓ revoked token",
        "✓ expired token",
        "✓ removed token",
        "✓ collection token",
        "✓ library: List saved tracks answers 0 track(s)",
    ] {
        assert!(stdout.contains(line), "{line} missing:\n{stdout}");
    }
    assert!(!stdout.contains('✗'), "{stdout}");
    assert!(
        !stdout.contains("! live share"),
        "nothing saved yet: {stdout}"
    );
    assert!(
        !stdout.contains(serve.flag("--sharer-api-key")),
        "the sharer key leaked"
    );

    // A state provisioning makes is present, though the fixtures lack it.
    let mut no_live = serve.seeded();
    no_live.tokens.live = None;
    let dir = ScratchDir::new("doctor-provisioned");
    let no_live_path = dir.fixtures(&no_live);
    let mut args = vec![
        "doctor",
        "--base-url",
        &serve.url,
        "--fixtures",
        &no_live_path,
    ];
    args.extend_from_slice(&sharer);
    args[5] = "--provision=live";
    let output = harness(&args);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("✓ live token: provisioning makes a fresh one before the run"),
        "{stdout}"
    );
    assert!(!stdout.contains("NOT-TESTABLE"), "{stdout}");

    let output = doctor(&["--api-key", "ak_wrong_key_for_doctor"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("✗ api key: refused: a save answered 401 (INVALID_API_KEY)"),
        "{stdout}"
    );
    assert!(stdout.contains("hint:"), "{stdout}");

    let mut lying = serve.seeded();
    lying
        .tokens
        .set(ShareState::Revoked, lying.tokens.live.clone());
    let dir = ScratchDir::new("doctor-lying");
    let lying_path = dir.fixtures(&lying);
    let output = harness(&[
        "doctor",
        "--base-url",
        &serve.url,
        "--fixtures",
        &lying_path,
    ]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "✗ revoked token: resolves as a live track share, but the fixtures call it revoked"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("✓ live token"), "{stdout}");

    // Once the live token is saved, doctor warns (without failing) that a run's first save
    // would be a repeat.
    assert_eq!(serve.run(&[]).status.code(), Some(0));
    let output = doctor(&[]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("! live share: its track") && stdout.contains("--provision live"),
        "{stdout}"
    );

    // A recipient organization that is not the recipient's: the library cannot be listed.
    let output = doctor(&["--recipient-organization", "org_000000000000"]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("✗ library: List saved tracks did not answer the documented list"),
        "{stdout}"
    );
    let mut without = serve.seeded();
    without.recipient.organization_id = None;
    let dir = ScratchDir::new("doctor-no-org");
    let path = dir.fixtures(&without);
    let output = harness(&["doctor", "--base-url", &serve.url, "--fixtures", &path]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("- library: the fixtures name no recipient organization"),
        "{stdout}"
    );
}

#[test]
fn doctor_exits_3_when_nothing_listens() {
    let (_socket, url) = refusing_address();
    let output = harness(&["doctor", "--base-url", &url]);
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("✗ tcp"), "{stdout}");
    let output = harness(&["doctor"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the embedded server is sound: {:?}",
        text(&output)
    );
}
