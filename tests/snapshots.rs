//! The documented error envelopes as insta snapshots in `snapshots/`.
//!
//! This is where snapshots are made and changed: when the envelopes change, this test fails
//! and `cargo insta review` accepts the new `.snap` (CI never writes them: with `CI=true` a
//! missing snapshot fails). Runs against a target only read the files (see `src/snapshot.rs`).

mod common;

use serde_json::Value;
use share_conformance::fixtures::ShareState;
use share_conformance::http::KeyHeader;
use share_conformance::reference::ReferenceServer;
use share_conformance::snapshot::redact;
use share_conformance::suite::Suite;

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    // Explicit names in one absolute directory: never auto-numbered, never module-prefixed.
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

#[tokio::test]
async fn reference_server_envelopes_match_their_snapshots() {
    let server = ReferenceServer::start(Default::default()).await.unwrap();
    let client = common::client(&server.base_url());
    let fixtures = server.fixtures();
    let key = fixtures.api_key.clone().unwrap();

    let unauthorized = common::save(
        &client,
        fixtures.tokens.get(ShareState::Live).unwrap(),
        KeyHeader::Absent,
    )
    .await;
    assert_eq!(unauthorized.status, 401);
    let unavailable = common::save(
        &client,
        "shr_00000000000000000000000000000000",
        KeyHeader::Key(&key),
    )
    .await;
    assert_eq!(unavailable.status, 404);

    let settings = settings();
    settings.bind(|| {
        insta::assert_json_snapshot!(
            "save-401-missing-key",
            redact(&unauthorized.json().unwrap())
        );
        insta::assert_json_snapshot!("save-404-unavailable", redact(&unavailable.json().unwrap()));
    });
}

#[test]
fn the_snapshots_are_the_docs_examples_redacted() {
    // The docs' own example bodies, kept as schema test vectors, redacted through the same
    // table, are exactly what the snapshots hold: the snapshots say what the docs say.
    let vectors = common::json_file("schemas/vectors/error-envelope.json");
    let example = |status: u64| -> Value {
        vectors["valid"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| &v["instance"])
            .find(|i| {
                i["error"]["status"] == status
                    && i["error"]["trace_id"].as_str().unwrap().starts_with("req_")
            })
            .unwrap()
            .clone()
    };
    let suite = Suite::embedded().unwrap();
    for (name, status) in [("save-401-missing-key", 401), ("save-404-unavailable", 404)] {
        let stored = suite.snapshots().get(name).unwrap();
        assert_eq!(stored, &redact(&example(status)), "{name}");
        assert_eq!(
            suite.snapshots().check(name, &example(status)),
            Ok(()),
            "{name}"
        );
    }
}
