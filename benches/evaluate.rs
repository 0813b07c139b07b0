//! The cost of one response evaluation: a 404's body checked against the envelope schema and
//! its snapshot, and a 201's body against the library-edge schema. `cargo bench --bench
//! evaluate`.

use std::hint::black_box;
use std::time::Instant;

use share_conformance::Suite;
use share_conformance::suite::SchemaName;

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
    let not_found: serde_json::Value = serde_json::from_str(
        r#"{"success":false,"error":{"code":"RESOURCE_NOT_FOUND","message":"This share link is no longer available.","system_message":"Share token invalid, revoked, expired, or content removed","type":"client_error","status":404,"details":{},"trace_id":"req_jkl012mno","timestamp":"2026-06-28T10:30:00Z"}}"#,
    )
    .expect("JSON");
    let created: serde_json::Value = serde_json::from_str(
        r#"{"id":"mlib_6d2f9a4c1e83","track_id":"mtrack_b4d9e1c6a72f","source":"shared","share_link_id":"mslink_3a7f2c9e8b14","created_at":"2026-06-28T10:30:00Z"}"#,
    )
    .expect("JSON");
    let iterations = 20_000;
    let envelope = measure(iterations, || {
        assert!(
            black_box(suite.schema_violations(SchemaName::ErrorEnvelope, &not_found)).is_empty()
        );
        black_box(suite.snapshot_mismatch("save-404-unavailable", &not_found)).unwrap();
    });
    let edge = measure(iterations, || {
        assert!(black_box(suite.schema_violations(SchemaName::LibraryEdge, &created)).is_empty());
    });
    println!("evaluate 404 (envelope schema + snapshot): {envelope:.1} µs");
    println!("evaluate 201 (library-edge schema):        {edge:.1} µs");
}
