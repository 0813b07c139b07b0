//! Known failures, with the real binary: an entry excuses its failing clause until its date,
//! a bad file and `certify` with one are refused before any traffic.

use crate::evidence::*;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_failures_excuse_a_listed_failing_clause_until_its_date_and_no_longer() {
    let dir = ScratchDir::new("known");
    let entry = |clause: &str, until: &str| {
        format!(
            "[[known]]\nclause = \"{clause}\"\nreason = \"TICKET-7 {clause}\"\nuntil = \"{until}\"\n\n"
        )
    };
    // The runs below take seconds; two minutes clear of midnight, they judge on this day.
    let today = today_for(std::time::Duration::from_secs(120)).await;
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
