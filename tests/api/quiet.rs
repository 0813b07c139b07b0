//! The library under `cargo test`: a passing run prints nothing, and a failing one panics with
//! what a developer needs to fix the server. libtest captures only `print!` on the test's own
//! thread, so "nothing" is checked in a process of its own: this test binary again, run with
//! `--nocapture`, asked for the one ignored test below.

use share_conformance::Run;
use share_conformance_reference::faults::Fault;

use crate::support::{reference, target_of};

const CHILD_TEST: &str = "quiet::a_passing_run_as_a_vendor_writes_it";

#[test]
fn a_passing_run_under_cargo_test_writes_nothing_to_stdout_or_stderr() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            CHILD_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the run did not run: {stdout}");
    // What libtest itself prints for one test; any other byte came from the run.
    let foreign: Vec<&str> = stdout
        .lines()
        .filter(|line| {
            !(line.is_empty()
                || *line == "running 1 test"
                || *line == format!("test {CHILD_TEST} ... ok")
                || line.starts_with("test result: ok. 1 passed"))
        })
        .collect();
    assert!(foreign.is_empty(), "a passing run printed: {foreign:#?}");
    assert!(stderr.is_empty(), "a passing run wrote to stderr: {stderr}");
}

#[tokio::test]
#[ignore = "run in a process of its own by a_passing_run_under_cargo_test_writes_nothing_to_stdout_or_stderr"]
async fn a_passing_run_as_a_vendor_writes_it() {
    let server = reference(None, None).await;
    // The vendor's line, as the README gives it: no `.quiet()`.
    Run::new(target_of(&server))
        .execute()
        .await
        .unwrap()
        .assert_passed();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_run_panics_with_the_clause_what_was_expected_what_came_back_and_curl() {
    let server = reference(Some(Fault::Revoked410), None).await;
    let report = Run::new(target_of(&server)).execute().await.unwrap();
    let panic =
        std::panic::catch_unwind(|| report.assert_passed()).expect_err("a failing run panics");
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .expect("a text message");
    for expected in [
        "does not conform to Save a shared track",
        "- SAVE-404-REVOKED failed",
        "step:",
        "expected:",
        "actual:   410",
        "rests on: [doc]",
        "reproduce: ",
        "curl -sS -i -g -X POST",
        "${SHARE_TOKEN_REVOKED",
    ] {
        assert!(message.contains(expected), "no {expected:?} in:\n{message}");
    }
    assert!(
        !message.contains(server.seed().recipient_key.expose()),
        "the key is masked"
    );
}
