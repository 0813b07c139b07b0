//! Helpers shared by the integration tests: requests to a running server, the suite's files.

#![allow(dead_code)]

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use share_conformance::http::{Exchange, HttpClient, KeyHeader};

/// A client for `base_url` with a short timeout.
pub fn client(base_url: &str) -> HttpClient {
    HttpClient::new(base_url.parse().unwrap(), Duration::from_secs(5)).unwrap()
}

/// `POST /v1/music/shared/{token}/save`.
pub async fn save(client: &HttpClient, token: &str, key: KeyHeader<'_>) -> Exchange {
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

/// A repository file as JSON.
pub fn json_file(path: &str) -> Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}
