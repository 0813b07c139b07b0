//! The runner's guarantees: nothing passes by accident, and every selected scenario reports.

use std::sync::Arc;
use std::time::Duration;

use share_conformance::fixtures::ShareState;
use share_conformance::report::{Cause, Outcome, Verdict};
use share_conformance::secret::ApiKey;
use share_conformance::suite::SuiteFile;
use share_conformance::{Error, Fixtures, Report, Run, Suite, Target};
use share_conformance_reference::{ReferenceServer, ServerOptions};

use crate::support::{execute, reference, spawn, static_target_of, target_of};

fn suite_with(extra_feature: &str) -> Arc<Suite> {
    let mut files = Suite::embedded().unwrap().files().to_vec();
    files.push(SuiteFile {
        path: "features/extra.feature".into(),
        text: extra_feature.into(),
    });
    Arc::new(Suite::from_files(files).unwrap())
}

/// A run against a fresh reference server.
async fn embedded() -> (Run, share_conformance_reference::ReferenceServer) {
    let server = reference(None, None).await;
    (Run::new(target_of(&server)), server)
}

#[tokio::test]
async fn an_undefined_step_fails_its_scenario_and_the_run() {
    let suite = suite_with(
        "Feature: Extra\n  @clause:SAVE-201-CREATED\n  Scenario: A step nobody defined is a failure\n    [doc] \"Returns `201 Created` with the new library edge.\" (docs/save-shared-track.md)\n\n    Given the recipient's API key\n    And a step that no definition matches\n    Then the status is 201\n",
    );
    let (run, _server) = embedded().await;
    let run = run.suite(suite).tags("@clause:SAVE-201-CREATED").unwrap();
    let (report, out) = execute(run).await;
    let report = report.unwrap();
    let extra = report
        .scenarios()
        .iter()
        .find(|s| s.id.feature == "features/extra.feature")
        .unwrap();
    match &extra.outcome {
        Outcome::Failed {
            step,
            message,
            cause,
            ..
        } => {
            assert_eq!(step, "And a step that no definition matches");
            assert!(message.contains("no step definition matches"), "{message}");
            assert_eq!(*cause, Cause::Setup);
        }
        other => panic!("an undefined step must fail, got {other:?}"),
    }
    assert_eq!(report.verdict("SAVE-201-CREATED"), Some(Verdict::Fail));
    assert!(!report.passed(), "{out}");
}

/// How many pairs of scenarios were in flight at once: each scenario's span runs from the
/// first request it sent itself to the last answer it got (its own scope only: the run's
/// shared requests, such as the first save, belong to no scenario).
fn overlapping_scenarios(report: &Report) -> usize {
    let mut spans: Vec<(u64, u64)> = report
        .scenarios()
        .iter()
        .filter_map(|scenario| {
            let scope = scenario.id.to_string();
            let own: Vec<_> = report
                .exchanges()
                .iter()
                .filter(|e| e.scope == scope)
                .collect();
            let start = own.iter().map(|e| e.sent_at_ms).min()?;
            let end = own.iter().map(|e| e.sent_at_ms + e.elapsed_ms).max()?;
            Some((start, end))
        })
        .collect();
    spans.sort();
    spans
        .iter()
        .enumerate()
        .map(|(i, (_, end))| spans[i + 1..].iter().filter(|(s, _)| s < end).count())
        .sum()
}

#[tokio::test]
async fn scenarios_run_one_at_a_time_with_concurrency_1() {
    // Every request takes 10 ms, so two scenarios in flight at once always overlap by whole
    // milliseconds, and the recording's millisecond times can show it.
    let latency = Duration::from_millis(10);
    let start = || async {
        ReferenceServer::start(ServerOptions {
            latency,
            ..Default::default()
        })
        .await
        .expect("the reference server starts")
    };
    let tags = "not @lifecycle and not @after-the-rest";

    let server = start().await;
    let run = Run::new(static_target_of(&server)).tags(tags).unwrap();
    let (report, out) = execute(run.concurrency(1).read_lag(Duration::ZERO)).await;
    let report = report.unwrap();
    assert!(report.passed(), "{out}");
    assert!(report.scenarios().len() > 20, "{out}");
    assert_eq!(overlapping_scenarios(&report), 0, "{out}");

    // The measure can see concurrency: the same run at 8 at once overlaps.
    let server = start().await;
    let run = Run::new(static_target_of(&server)).tags(tags).unwrap();
    let (report, out) = execute(run.concurrency(8).read_lag(Duration::ZERO)).await;
    let report = report.unwrap();
    assert!(report.passed(), "{out}");
    assert!(overlapping_scenarios(&report) > 0, "{out}");
}

#[tokio::test]
async fn a_name_filter_selects_by_scenario_name() {
    let (run, _server) = embedded().await;
    let (report, out) = execute(run.name_contains("expired share")).await;
    let report = report.unwrap();
    let names: Vec<&str> = report.scenarios().iter().map(|s| s.name.as_str()).collect();
    let expected = Suite::embedded()
        .unwrap()
        .scenario_index()
        .iter()
        .filter(|s| s.name.contains("expired share"))
        .count();
    assert!(expected >= 2);
    assert_eq!(names.len(), expected, "{names:?}\n{out}");
    assert!(
        names.iter().all(|n| n.contains("expired share")),
        "{names:?}"
    );

    let (run, _server) = embedded().await;
    assert!(matches!(
        execute(run.name_contains("no such scenario")).await.0,
        Err(Error::NothingSelected { .. })
    ));
}

#[tokio::test]
async fn the_repeat_save_observation_is_reported() {
    let (run, _server) = embedded().await;
    let (report, out) = execute(run.tags("@clause:SAVE-REPEAT").unwrap()).await;
    let report = report.unwrap();
    let notes: Vec<&String> = report
        .scenarios()
        .iter()
        .flat_map(|s| s.notes.iter())
        .collect();
    assert_eq!(
        notes,
        ["a repeat save answered 201 Created with the same edge"],
        "{out}"
    );
    assert!(
        out.contains("note: a repeat save answered 201 Created with the same edge (SAVE-REPEAT)"),
        "{out}"
    );
}

/// A run against `base_url`, whose fixtures name a token for every state.
fn remote(base_url: &str) -> Run {
    let mut fixtures = Fixtures::default();
    for state in ShareState::ALL {
        fixtures.tokens.set(state, Some(format!("shr_{state}")));
    }
    let target = Target::new(base_url, fixtures)
        .unwrap()
        .with_api_key(ApiKey::new("ak_test").unwrap());
    Run::new(target).timeout(Duration::from_secs(5))
}

#[tokio::test]
async fn a_redirect_fails_its_scenario_and_is_never_followed() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let elsewhere = spawn(axum::Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { "followed" }
    }))
    .await;
    let location = format!("{elsewhere}/stolen");
    let redirecting = spawn(axum::Router::new().fallback(move || {
        let location = location.clone();
        async move {
            (
                axum::http::StatusCode::TEMPORARY_REDIRECT,
                [("location", location)],
            )
        }
    }))
    .await;
    let (report, out) = execute(remote(&redirecting)).await;
    let report = report.unwrap();
    assert!(!report.passed(), "{out}");
    assert_eq!(report.verdict("SAVE-201-CREATED"), Some(Verdict::Fail));
    assert!(out.contains("redirects are never followed"), "{out}");
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the other origin was contacted"
    );
}

#[tokio::test]
async fn an_oversized_body_is_cut_at_the_cap_and_fails() {
    let big = spawn(axum::Router::new().fallback(|| async {
        (
            [("content-type", "application/json")],
            vec![b' '; 3 * 1024 * 1024],
        )
    }))
    .await;
    let (report, out) = execute(remote(&big)).await;
    let report = report.unwrap();
    assert!(!report.passed(), "{out}");
    assert!(out.contains("longer than the 256 KiB cap"), "{out}");
}

#[tokio::test]
async fn an_html_error_page_fails_with_an_excerpt() {
    let html = spawn(axum::Router::new().fallback(|| async {
        (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            [("content-type", "text/html")],
            "<html><body><h1>Stack trace</h1></body></html>",
        )
    }))
    .await;
    let (report, out) = execute(remote(&html)).await;
    let report = report.unwrap();
    assert!(!report.passed(), "{out}");
    assert!(out.contains("the body is not JSON"), "{out}");
    assert!(out.contains("<html><body><h1>Stack trace</h1>"), "{out}");
    assert!(out.contains("actual:   text/html"), "{out}");
}

/// What "bounded time" means, without a clock in the test: every request that outlived the
/// timeout failed its scenario for want of an answer, saying after how long.
#[tokio::test]
async fn a_server_slower_than_the_timeout_fails_for_want_of_an_answer() {
    // The preflight (GET /) answers at once; every other request outlives the timeout.
    let front = spawn(
        axum::Router::new()
            .route("/", axum::routing::get(|| async { "ok" }))
            .fallback(|| async {
                futures::future::pending::<()>().await;
                "never"
            }),
    )
    .await;
    // Long enough that a busy machine still answers the preflight in time.
    let run = remote(&front).timeout(Duration::from_secs(3));
    let (report, out) = execute(run).await;
    let report = report.unwrap();
    assert!(!report.passed(), "{out}");
    assert!(out.contains("timed out after 3 s"), "{out}");
    let save = report
        .scenarios()
        .iter()
        .find(|s| s.clauses == ["SAVE-201-CREATED"])
        .unwrap();
    assert!(
        matches!(
            save.outcome,
            Outcome::Failed {
                cause: Cause::NoResponse,
                ..
            }
        ),
        "{:?}",
        save.outcome
    );
}

#[tokio::test]
async fn a_retry_tag_does_not_rerun_a_failing_scenario_until_it_passes() {
    let suite = suite_with(
        "Feature: Extra\n  @clause:SAVE-201-CREATED @retry(3)\n  Scenario: A failing scenario is not rerun until it passes\n    [doc] \"Returns `201 Created` with the new library edge.\" (docs/save-shared-track.md)\n\n    Given the recipient's API key\n    And the unknown share token\n    When the share is saved\n    Then the status is 201\n",
    );
    let (run, _server) = embedded().await;
    let run = run.suite(suite).tags("@clause:SAVE-201-CREATED").unwrap();
    let (report, out) = execute(run).await;
    let report = report.unwrap();
    let extra: Vec<_> = report
        .scenarios()
        .iter()
        .filter(|s| s.id.feature == "features/extra.feature")
        .collect();
    assert_eq!(extra.len(), 1, "{out}");
    assert!(matches!(extra[0].outcome, Outcome::Failed { .. }), "{out}");
    assert!(!report.passed());
}
