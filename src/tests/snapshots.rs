//! The documented error envelopes as insta snapshots in `snapshots/`.
//!
//! This is where snapshots are made and changed: when the envelopes change, this test fails
//! and `cargo insta review` accepts the new `.snap` (CI never writes them: with `CI=true` a
//! missing snapshot fails). Runs against a target only read the files (`crate::suite::snapshot`).

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use share_conformance_reference::ReferenceServer;

use crate::exchange::KeyHeader;
use crate::http::HttpClient;
use crate::secret::ApiKey;
use crate::suite::Suite;
use crate::suite::snapshot::{SnapshotKind, redact};

/// A repository file as JSON.
fn json_file(path: &str) -> Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

/// `POST /v1/music/shared/{token}/save`.
async fn save(client: &HttpClient, token: &str, key: KeyHeader<'_>) -> crate::exchange::Exchange {
    client
        .send(
            Method::POST,
            &["v1", "music", "shared", token, "save"],
            key,
            "save".into(),
        )
        .await
        .unwrap()
}

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
    let client =
        HttpClient::new(server.base_url().parse().unwrap(), Duration::from_secs(15)).unwrap();
    let seed = server.seed();
    let key = ApiKey::new(seed.recipient_key.expose()).unwrap();
    let unauthorized = save(&client, &seed.tokens.live, KeyHeader::Absent).await;
    assert_eq!(unauthorized.status, 401);
    let unavailable = save(
        &client,
        "shr_00000000000000000000000000000000",
        KeyHeader::Key(&key),
    )
    .await;
    assert_eq!(unavailable.status, 404);

    let unauthorized = unauthorized.json().unwrap();
    let unavailable = unavailable.json().unwrap();
    let settings = settings();
    settings.bind(|| {
        insta::assert_json_snapshot!(
            "save-401-missing-key",
            redact(SnapshotKind::Contract, &unauthorized)
        );
        insta::assert_json_snapshot!(
            "save-404-unavailable",
            redact(SnapshotKind::Contract, &unavailable)
        );
        insta::assert_json_snapshot!(
            "example-401-missing-key",
            redact(SnapshotKind::Example, &unauthorized)
        );
        insta::assert_json_snapshot!(
            "example-404-unavailable",
            redact(SnapshotKind::Example, &unavailable)
        );
    });
}

#[test]
fn the_snapshots_are_the_docs_examples_redacted() {
    // The docs' own example bodies, kept as schema test vectors, redacted through the same
    // table, are exactly what the snapshots hold: the snapshots say what the docs say.
    let vectors = json_file("schemas/vectors/error-envelope.json");
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
    for (name, status) in [
        ("save-401-missing-key", 401),
        ("save-404-unavailable", 404),
        ("example-401-missing-key", 401),
        ("example-404-unavailable", 404),
    ] {
        let stored = suite.snapshots().get(name).unwrap();
        assert_eq!(
            stored,
            &redact(SnapshotKind::of(name), &example(status)),
            "{name}"
        );
        assert_eq!(
            suite.snapshots().check(name, &example(status)),
            Ok(()),
            "{name}"
        );
    }
}

#[test]
fn a_contract_snapshot_accepts_what_the_docs_allow_and_nothing_else() {
    let suite = Suite::embedded().unwrap();
    let vectors = json_file("schemas/vectors/error-envelope.json");
    let docs_401 = vectors["valid"][0]["instance"].clone();
    let check = |body: &Value| suite.snapshots().check("save-401-missing-key", body);

    // The global table's message, its type, a non-empty details, an extra field: all documented.
    let mut global = docs_401.clone();
    global["error"]["message"] = "Please sign in to continue".into();
    global["error"]["type"] = "client_error".into();
    global["error"]["details"] = serde_json::json!({ "hint": "send X-API-Key" });
    global["error"]["help_url"] = "https://help.example.invalid".into();
    global["request_id"] = "r-1".into();
    assert_eq!(check(&global), Ok(()));
    // ... but not as the page's example.
    assert!(
        suite
            .snapshots()
            .check("example-401-missing-key", &global)
            .is_err()
    );

    // What the docs pin, broken one at a time.
    for (pointer, value) in [
        ("/error/code", Value::from("INVALID_API_KEY")),
        ("/error/status", Value::from(403)),
        ("/error/type", Value::from("not_found_error")),
        ("/error/details", Value::Null),
        ("/success", Value::Bool(true)),
    ] {
        let mut broken = docs_401.clone();
        *broken.pointer_mut(pointer).unwrap() = value.clone();
        let diff = check(&broken).expect_err(pointer);
        assert!(
            diff.contains(&value.to_string()),
            "{pointer}: the diff shows the value: {diff}"
        );
    }
}
