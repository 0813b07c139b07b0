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
        "Feature: Extra\n  @clause:SAVE-201-CREATED\n  Scenario: A step nobody defined is a failure\n    Given the recipient's API key\n    And a step that no definition matches\n",
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
    assert_eq!(names.len(), 2, "{names:?}\n{out}");
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
