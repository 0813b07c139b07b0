//! The library as a vendor uses it from `cargo test`, and the suite loaded from a directory.

use std::path::Path;

use share_conformance::report::Verdict;
use share_conformance::suite::EMBEDDED;
use share_conformance::{Fixtures, Run, Suite, Target};
use share_conformance_reference::faults::Fault;

use crate::support::{ScratchDir, reference, target_of};

#[tokio::test]
async fn assert_passed_passes_a_conforming_server_and_explains_a_broken_one() {
    let good = reference(None, None).await;
    let report = Run::new(target_of(&good)).quiet().execute().await.unwrap();
    report.assert_passed();
    assert!(report.clauses().iter().all(|c| c.verdict == Verdict::Pass));

    let broken = reference(Some(Fault::Save200Not201), None).await;
    let report = Run::new(target_of(&broken).describe("a broken server"))
        .quiet()
        .execute()
        .await
        .unwrap();
    assert_eq!(report.verdict("SAVE-201-CREATED"), Some(Verdict::Fail));
    let panic = std::panic::catch_unwind(|| report.assert_passed()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.lines().any(|l| l.starts_with("SAVE-201-CREATED ")
            && l.split_whitespace().take(3).collect::<Vec<_>>()
                == ["SAVE-201-CREATED", "MUST", "FAIL"]),
        "the clause table's line: {message}"
    );
    for expected in [
        "(a broken server) does not conform to Save a shared track",
        "  - SAVE-201-CREATED failed",
        "Then the status is 201",
        "expected: status 201",
        "actual:   200 OK",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from:\n{message}"
        );
    }
}

#[test]
fn a_target_takes_its_key_as_text_or_from_the_fixtures_and_checks_its_url() {
    let fixtures = Fixtures::parse("api_key = \"ak_from_fixtures\"\n").unwrap();
    let target = Target::new("https://api.vendor.example", fixtures.clone()).unwrap();
    assert_eq!(target.redactor().redact("ak_from_fixtures"), "***");
    let given = target.api_key("ak_given_as_text").unwrap();
    assert_eq!(given.redactor().redact("ak_given_as_text"), "***");
    assert_eq!(
        given.redactor().redact("ak_from_fixtures"),
        "ak_from_fixtures"
    );
    assert!(Target::new("ftp://x", Fixtures::default()).is_err());
    assert!(
        Target::new("https://h", Fixtures::default())
            .unwrap()
            .api_key("has a space")
            .is_err()
    );
    // The key never shows in the target's Debug.
    let debug = format!("{given:?}");
    assert!(!debug.contains("ak_given_as_text"), "{debug}");
}

fn copy_suite(to: &Path) {
    for (path, text) in EMBEDDED {
        let file = to.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
}

#[test]
fn the_suite_loads_from_a_directory_as_it_is_compiled_in() {
    let from_tree = Suite::from_dir(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let embedded = Suite::embedded().unwrap();
    let mut a: Vec<_> = from_tree.files().to_vec();
    let mut b: Vec<_> = embedded.files().to_vec();
    a.sort_by(|x, y| x.path.cmp(&y.path));
    b.sort_by(|x, y| x.path.cmp(&y.path));
    assert_eq!(a, b);

    let empty = ScratchDir::new("suite-empty");
    let err = Suite::from_dir(empty.path()).map(drop).unwrap_err();
    assert!(err.to_string().contains("cannot read features/"), "{err}");
    assert!(Suite::from_dir(&empty.join("nope")).is_err());
}

#[tokio::test]
async fn a_suite_directory_can_add_a_scenario_and_a_run_runs_it() {
    let dir = ScratchDir::new("suite-copy");
    copy_suite(dir.path());
    std::fs::write(
        dir.join("features/extra.feature"),
        "Feature: Extra\n  @clause:SAVE-404-UNKNOWN\n  Scenario: An unknown token is still unavailable when saved once more\n    [doc] \"The share token is invalid, revoked, expired, or its content was removed.\" (docs/save-shared-track.md)\n\n    Given the recipient's API key\n    And the unknown share token\n    When the share is saved\n    Then the status is 404\n",
    )
    .unwrap();
    let suite = Suite::from_dir(dir.path()).unwrap();
    assert_eq!(
        suite.scenario_count(),
        Suite::embedded().unwrap().scenario_count() + 1
    );
    let server = reference(None, None).await;
    let report = Run::new(target_of(&server))
        .suite(std::sync::Arc::new(suite))
        .tags("@clause:SAVE-404-UNKNOWN")
        .unwrap()
        .quiet()
        .execute()
        .await
        .unwrap();
    assert!(
        report
            .scenarios()
            .iter()
            .any(|s| s.id.feature == "features/extra.feature" && s.verdict() == Verdict::Pass),
        "{:?}",
        report.scenarios()
    );
}
