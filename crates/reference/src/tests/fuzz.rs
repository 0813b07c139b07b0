//! The reference server under bad input: thousands of generated tokens, keys and paths
//! (random bytes, very long, percent-encoded, Unicode, control characters) never get a 5xx, and
//! every error is the documented envelope. And a burst of concurrent saves of one share by one
//! user leaves it consistent: one edge, returned to every caller.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request};
use serde_json::Value;
use share_conformance::Suite;
use share_conformance::suite::SchemaName;
use tower::ServiceExt as _;

use crate::behaviour::Behaviour;
use crate::store::{Seed, Store};
use crate::{AppState, ReferenceServer, ServerOptions, app};

/// xorshift64*: small, seedable, good enough to generate inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Every byte that is not unreserved, percent-encoded, so any bytes can travel in a path.
fn encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A path segment: a token-like, hostile, or random one.
fn segment(rng: &mut Rng, seed: &Seed) -> String {
    match rng.below(10) {
        0 => encode(rng.pick(&seed.tokens.all()).1.as_bytes()),
        1 => format!("shr_{}", "f".repeat(rng.below(8192))),
        2 => encode("shr_ünïcødé_😀_トークン".as_bytes()),
        3 => encode(&[0, 1, 7, 8, 9, 10, 13, 27, 127]),
        4 => "%2E%2E".into(),
        5 => "..%2F..%2F..%2Fetc%2Fpasswd".into(),
        6 => String::new(),
        7 => format!("%{:02X}%{:02X}", rng.next() as u8 | 0x80, rng.next() as u8),
        8 => encode(seed.organization_id.as_bytes()),
        _ => encode(&rng.bytes(64)),
    }
}

fn path(rng: &mut Rng, seed: &Seed) -> String {
    let org = seed.organization_id.clone();
    let s = |rng: &mut Rng| segment(rng, seed);
    match rng.below(8) {
        0 | 1 => format!("/v1/music/shared/{}/save", s(rng)),
        2 => format!("/v1/music/shared/{}", s(rng)),
        3 => format!(
            "/v1/music/{}/tracks/{}/share",
            if rng.below(2) == 0 { org } else { s(rng) },
            s(rng)
        ),
        4 => format!("/v1/music/{}/share/{}", s(rng), s(rng)),
        5 => format!("/v1/music/{}/tracks/{}", s(rng), s(rng)),
        6 => format!("/v1/music/{}/collections/{}/share", s(rng), s(rng)),
        _ => {
            (0..rng.below(6))
                .map(|_| format!("/{}", s(rng)))
                .collect::<String>()
                + "/"
        }
    }
}

/// A key header value: the real ones sometimes, else anything a header can carry.
fn key(rng: &mut Rng, seed: &Seed) -> Option<HeaderValue> {
    let raw: Vec<u8> = match rng.below(8) {
        0 => return None,
        1 => seed.recipient_key.expose().as_bytes().to_vec(),
        2 => seed.sharer_key.expose().as_bytes().to_vec(),
        3 => b"   ".to_vec(),
        4 => "ak_ünïcødé".as_bytes().to_vec(),
        5 => vec![b'k'; rng.below(16_384)],
        _ => rng.bytes(80),
    };
    // Bytes no header can carry (control characters) are the client's problem, not the server's.
    HeaderValue::from_bytes(&raw).ok()
}

/// Sends `request` and checks the answer: no 5xx, JSON, the envelope for an error. Its status.
async fn check_one(app: &axum::Router, suite: &Suite, request: Request<Body>, what: &str) -> u16 {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("?").to_owned());
    let body = axum::body::to_bytes(response.into_body(), 4 << 20)
        .await
        .unwrap();
    assert!(status.as_u16() < 500, "{what}: {status}: {body:?}");
    assert_eq!(
        content_type.as_deref(),
        Some("application/json"),
        "{what}: {status}"
    );
    let json: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body:?}"));
    if status.is_client_error() {
        let violations = suite.schema_violations(SchemaName::ErrorEnvelope, &json);
        assert!(violations.is_empty(), "{what}: {violations:?}");
        assert_eq!(json["error"]["status"], status.as_u16(), "{what}");
    }
    status.as_u16()
}

#[tokio::test]
async fn ten_thousand_hostile_requests_get_no_5xx_and_always_the_envelope() {
    let suite = Suite::embedded().unwrap();
    let (store, seed) = Store::seeded(None, None);
    let app = app(AppState::new(
        store,
        "http://fuzz.test",
        Behaviour::documented(),
    ));
    let mut rng = Rng(0x005e_ed0f_c0ff_ee42);
    let methods = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ];
    let mut statuses = BTreeSet::new();
    let requests = 12_000;
    for i in 0..requests {
        let method = rng.pick(&methods).clone();
        let path = path(&mut rng, &seed);
        let mut builder = Request::builder().method(method.clone()).uri(&path);
        if let Some(key) = key(&mut rng, &seed) {
            builder = builder.header("x-api-key", key);
        }
        if rng.below(6) == 0 {
            builder = builder.header("authorization", "Bearer not-a-jwt");
        }
        let body = match rng.below(4) {
            0 => Body::from(rng.bytes(512)),
            1 => Body::from(r#"{"visibility": "public", "expires_in_days": 1e309}"#),
            2 => Body::from(r#"{"expires_in_days": -1, "visibility": ["x"]}"#),
            _ => Body::empty(),
        };
        let request = builder
            .body(body)
            .unwrap_or_else(|e| panic!("request {i} ({method} {path}) does not build: {e}"));
        let what = format!("request {i}: {method} {}", &path[..path.len().min(120)]);
        statuses.insert(check_one(&app, &suite, request, &what).await);
    }
    // The generator reaches more than one path through the server.
    println!("{requests} requests; statuses seen: {statuses:?}");
    for expected in [401, 404, 405] {
        assert!(
            statuses.contains(&expected),
            "no {expected} among {statuses:?}"
        );
    }
    // Sanity of the checker itself: a request the generator may miss.
    let request = Request::post("/v1/music/shared/%FF/save")
        .header("x-api-key", seed.recipient_key.expose())
        .body(Body::empty())
        .unwrap();
    check_one(&app, &suite, request, "undecodable token").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_saves_of_one_share_leave_one_edge() {
    let server = ReferenceServer::start(ServerOptions::default())
        .await
        .unwrap();
    let seed = server.seed();
    let key = seed.recipient_key.clone();
    let url = format!(
        "{}/v1/music/shared/{}/save",
        server.base_url(),
        seed.tokens.live
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let saves = (0..100).map(|_| {
        let request = client.post(&url).header("x-api-key", key.expose());
        async move {
            let response = request.send().await.unwrap();
            (
                response.status().as_u16(),
                serde_json::from_slice::<Value>(&response.bytes().await.unwrap()).unwrap(),
            )
        }
    });
    let answers = futures::future::join_all(saves).await;
    let statuses: BTreeSet<u16> = answers.iter().map(|(s, _)| *s).collect();
    let edges: BTreeSet<String> = answers.iter().map(|(_, e)| e.to_string()).collect();
    // Documented in the README: a repeat save answers 201 with the same edge.
    assert_eq!(statuses, BTreeSet::from([201]));
    assert_eq!(
        edges.len(),
        1,
        "concurrent saves made different edges: {edges:?}"
    );
    let edge: Value = serde_json::from_str(edges.first().unwrap()).unwrap();
    assert_eq!(edge["track_id"], seed.track_id.as_str());
}
