//! The library as a vendor uses it from `cargo test`, and the suite loaded from a directory.

use std::path::Path;

use share_conformance::reference::faults::Fault;
use share_conformance::reference::{ReferenceServer, ServerOptions};
use share_conformance::suite::{EMBEDDED, Suite};
use share_conformance::{Fixtures, RemoteTarget, Verdict};

#[tokio::test]
async fn assert_passed_passes_a_conforming_server_and_explains_a_broken_one() {
    let good = ReferenceServer::start(ServerOptions::default())
        .await
        .unwrap();
    let report = share_conformance::run(
        RemoteTarget::new(&good.base_url(), good.fixtures())
            .unwrap()
            .into(),
    )
    .await
    .unwrap();
    report.assert_passed();
    assert!(report.clauses.iter().all(|c| c.verdict == Verdict::Pass));

    let broken = ReferenceServer::start(ServerOptions {
        fault: Some(Fault::Save200Not201),
        ..Default::default()
    })
    .await
    .unwrap();
    let report = share_conformance::run(
        RemoteTarget::new(&broken.base_url(), broken.fixtures())
            .unwrap()
            .into(),
    )
    .await
    .unwrap();
    assert_eq!(report.verdict("SAVE-201-CREATED"), Some(Verdict::Fail));
    let panic = std::panic::catch_unwind(|| report.assert_passed()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    for expected in [
        "does not conform to Save a shared track",
        "  - SAVE-201-CREATED failed",
        "Then the status is 201",
        "expected: status 201",
        "actual:   200 OK",
        "SAVE-201-CREATED           MUST    FAIL",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from:\n{message}"
        );
    }
}

#[test]
fn a_remote_target_takes_its_key_from_the_fixtures_and_checks_its_url() {
    let fixtures = Fixtures::parse("api_key = \"ak_from_fixtures\"\n").unwrap();
    let target = RemoteTarget::new("https://api.vendor.example", fixtures).unwrap();
    assert_eq!(
        target.api_key.as_ref().unwrap().expose(),
        "ak_from_fixtures"
    );
    assert!(RemoteTarget::new("ftp://x", Fixtures::default()).is_err());
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

    let empty = std::env::temp_dir().join(format!("suite-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let err = Suite::from_dir(&empty).map(drop).unwrap_err();
    assert!(
        format!("{err:#}").contains("cannot read features/"),
        "{err:#}"
    );
    assert!(Suite::from_dir(&empty.join("nope")).is_err());
}

#[test]
fn a_suite_directory_can_add_a_scenario_and_certificates_tell_suites_apart() {
    let dir = std::env::temp_dir().join(format!("suite-copy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_suite(&dir);
    std::fs::write(
        dir.join("features/extra.feature"),
        "Feature: Extra\n  @clause:SAVE-404-UNKNOWN\n  Scenario: An unknown token is still unavailable when saved once more\n    [doc] \"Status table: 404 not found\" (related-endpoints.md)\n\n    Given the recipient's API key\n    And the unknown share token\n    When the share is saved\n    Then the status is 404\n",
    )
    .unwrap();
    let suite = Suite::from_dir(&dir).unwrap();
    assert_eq!(
        suite.scenarios().count(),
        Suite::embedded().unwrap().scenarios().count() + 1
    );

    let bin = env!("CARGO_BIN_EXE_share-conformance");
    let report = dir.join("cert.md");
    let output = std::process::Command::new(bin)
        .args([
            "--suite-dir",
            dir.to_str().unwrap(),
            "certify",
            "--report",
            report.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let expected = format!("{} scenarios", suite.scenarios().count());
    assert!(stdout.contains(&expected), "{stdout}");
    let json = dir.join("cert.md.json");
    // Produced by the directory's suite: it verifies against that suite, not the compiled-in one.
    let with_dir = std::process::Command::new(bin)
        .args([
            "--suite-dir",
            dir.to_str().unwrap(),
            "verify-certificate",
            json.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        with_dir.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&with_dir.stdout)
    );
    let embedded = std::process::Command::new(bin)
        .args(["verify-certificate", json.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(embedded.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&embedded.stdout)
            .contains("features/extra.feature: recorded, but not in this suite")
    );
}
