//! The runner's guarantees: nothing passes by accident, and every selected scenario reports.

use std::sync::Arc;

use share_conformance::report::{Outcome, Verdict};
use share_conformance::runner::{self, RunConfig, RunError, TagFilter};
use share_conformance::suite::{Suite, SuiteFile};

fn suite_with(extra_feature: &str) -> Arc<Suite> {
    let mut files = Suite::embedded().unwrap().files().to_vec();
    files.push(SuiteFile {
        path: "features/extra.feature".into(),
        text: extra_feature.into(),
    });
    Arc::new(Suite::from_files(files).unwrap())
}

async fn run(config: RunConfig) -> (Result<share_conformance::report::Report, RunError>, String) {
    let mut out = Vec::new();
    let result = runner::run(config, &mut out).await;
    (result, String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn an_undefined_step_fails_its_scenario_and_the_run() {
    let suite = suite_with(
        "Feature: Extra\n  @clause:SAVE-201-CREATED\n  Scenario: A step nobody defined is a failure\n    [doc] \"Returns `201 Created` with the new library edge.\" (save-shared-track.md)\n\n    Given the recipient's API key\n    And a step that no definition matches\n",
    );
    let config = RunConfig {
        tags: Some(TagFilter::parse("@clause:SAVE-201-CREATED").unwrap()),
        ..RunConfig::embedded(suite)
    };
    let (report, out) = run(config).await;
    let report = report.unwrap();
    let extra = report
        .scenarios
        .iter()
        .find(|s| s.feature == "features/extra.feature")
        .unwrap();
    match &extra.outcome {
        Outcome::Failed { step, message, .. } => {
            assert_eq!(step, "And a step that no definition matches");
            assert!(message.contains("no step definition matches"), "{message}");
        }
        other => panic!("an undefined step must fail, got {other:?}"),
    }
    assert_eq!(report.verdict("SAVE-201-CREATED"), Some(Verdict::Fail));
    assert!(!report.passed(), "{out}");
}

#[tokio::test]
async fn scenarios_run_one_at_a_time_with_concurrency_1() {
    let config = RunConfig {
        concurrency: 1,
        ..RunConfig::embedded(Arc::new(Suite::embedded().unwrap()))
    };
    let (report, out) = run(config).await;
    let report = report.unwrap();
    assert!(report.passed(), "{out}");
    assert_eq!(
        report.scenarios.len(),
        Suite::embedded().unwrap().scenarios().count()
    );
}

#[tokio::test]
async fn a_name_filter_selects_by_scenario_name() {
    let config = RunConfig {
        name_contains: Some("expired share".into()),
        ..RunConfig::embedded(Arc::new(Suite::embedded().unwrap()))
    };
    let (report, out) = run(config).await;
    let report = report.unwrap();
    let names: Vec<&str> = report.scenarios.iter().map(|s| s.name.as_str()).collect();
    let expected = Suite::embedded()
        .unwrap()
        .scenarios()
        .filter(|s| s.scenario.name.contains("expired share"))
        .count();
    assert!(expected >= 2);
    assert_eq!(names.len(), expected, "{names:?}\n{out}");
    assert!(
        names.iter().all(|n| n.contains("expired share")),
        "{names:?}"
    );

    let config = RunConfig {
        name_contains: Some("no such scenario".into()),
        ..RunConfig::embedded(Arc::new(Suite::embedded().unwrap()))
    };
    assert!(matches!(
        run(config).await.0,
        Err(RunError::NothingSelected(_))
    ));
}

#[tokio::test]
async fn the_repeat_save_observation_is_reported() {
    let config = RunConfig {
        tags: Some(TagFilter::parse("@clause:SAVE-REPEAT").unwrap()),
        ..RunConfig::embedded(Arc::new(Suite::embedded().unwrap()))
    };
    let (report, out) = run(config).await;
    let report = report.unwrap();
    let notes: Vec<&String> = report
        .scenarios
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

/// A remote target at `base_url` whose fixtures name a token for every state.
fn remote(base_url: &str) -> RunConfig {
    let mut fixtures = share_conformance::fixtures::Fixtures::default();
    for state in share_conformance::fixtures::ShareState::ALL {
        fixtures.tokens.set(state, Some(format!("shr_{state}")));
    }
    RunConfig {
        target: share_conformance::target::Target::Remote(Box::new(
            share_conformance::target::RemoteTarget {
                base_url: base_url.parse().unwrap(),
                api_key: Some(share_conformance::secret::ApiKey::new("ak_test").unwrap()),
                fixtures,
                provision: None,
                tls: Default::default(),
            },
        )),
        timeout: std::time::Duration::from_secs(5),
        ..RunConfig::embedded(Arc::new(Suite::embedded().unwrap()))
    }
}

/// Serves `app` on a free loopback port; returns its base URL.
async fn spawn(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
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
    let (report, out) = run(remote(&redirecting)).await;
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
    let (report, out) = run(remote(&big)).await;
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
    let (report, out) = run(remote(&html)).await;
    let report = report.unwrap();
    assert!(!report.passed(), "{out}");
    assert!(out.contains("the body is not JSON"), "{out}");
    assert!(out.contains("<html><body><h1>Stack trace</h1>"), "{out}");
    assert!(out.contains("actual:   text/html"), "{out}");
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_fails_in_bounded_time() {
    // The preflight (GET /) answers at once; every other request outlives the timeout.
    let front = spawn(
        axum::Router::new()
            .route("/", axum::routing::get(|| async { "ok" }))
            .fallback(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                "too late"
            }),
    )
    .await;
    let started = std::time::Instant::now();
    let config = RunConfig {
        timeout: std::time::Duration::from_millis(300),
        ..remote(&front)
    };
    let (report, out) = run(config).await;
    let report = report.unwrap();
    assert!(!report.passed(), "{out}");
    assert!(out.contains("timed out after 0.3 s"), "{out}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_tag_does_not_rerun_a_failing_scenario_until_it_passes() {
    let suite = suite_with(
        "Feature: Extra\n  @clause:SAVE-201-CREATED @retry(3)\n  Scenario: A failing scenario is not rerun until it passes\n    [doc] \"Returns `201 Created` with the new library edge.\" (save-shared-track.md)\n\n    Given the recipient's API key\n    And the unknown share token\n    When the share is saved\n    Then the status is 201\n",
    );
    let config = RunConfig {
        tags: Some(TagFilter::parse("@clause:SAVE-201-CREATED").unwrap()),
        ..RunConfig::embedded(suite)
    };
    let (report, out) = run(config).await;
    let report = report.unwrap();
    let extra: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.feature == "features/extra.feature")
        .collect();
    assert_eq!(extra.len(), 1, "{out}");
    assert!(matches!(extra[0].outcome, Outcome::Failed { .. }), "{out}");
    assert!(!report.passed());
}
