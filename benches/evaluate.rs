//! The cost of one response evaluation: a 404 checked against the envelope schema and its
//! snapshot, and a 201 checked against the library-edge schema. `cargo bench --bench evaluate`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use share_conformance::checks;
use share_conformance::http::Exchange;
use share_conformance::suite::Suite;

fn exchange(status: u16, body: &str) -> Exchange {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Exchange {
        request: "bench".into(),
        status: StatusCode::from_u16(status).unwrap(),
        headers,
        body: body.as_bytes().to_vec(),
        truncated: false,
        echoed_secret: false,
        elapsed: Duration::ZERO,
    }
}

/// Mean time per call of `f` over `iterations`, after a warm-up, in microseconds.
fn measure(iterations: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iterations / 10 {
        f();
    }
    let started = Instant::now();
    for _ in 0..iterations {
        f();
    }
    started.elapsed().as_secs_f64() * 1e6 / f64::from(iterations)
}

fn main() {
    // cargo passes `--bench`; nothing to filter here.
    let suite = Suite::embedded().expect("the embedded suite loads");
    let not_found = exchange(
        404,
        r#"{"success":false,"error":{"code":"RESOURCE_NOT_FOUND","message":"This share link is no longer available.","system_message":"Share token invalid, revoked, expired, or content removed","type":"client_error","status":404,"details":{},"trace_id":"req_jkl012mno","timestamp":"2026-06-28T10:30:00Z"}}"#,
    );
    let created = exchange(
        201,
        r#"{"id":"mlib_6d2f9a4c1e83","track_id":"mtrack_b4d9e1c6a72f","source":"shared","share_link_id":"mslink_3a7f2c9e8b14","created_at":"2026-06-28T10:30:00Z"}"#,
    );
    let iterations = 20_000;
    let envelope = measure(iterations, || {
        black_box(checks::is_error_envelope(&suite, black_box(&not_found))).unwrap();
        black_box(checks::matches_snapshot(
            &suite,
            black_box(&not_found),
            "save-404-unavailable",
        ))
        .unwrap();
    });
    let edge = measure(iterations, || {
        black_box(checks::is_library_edge(&suite, black_box(&created))).unwrap();
    });
    println!("evaluate 404 (envelope schema + snapshot): {envelope:.1} µs");
    println!("evaluate 201 (library-edge schema):        {edge:.1} µs");
}
