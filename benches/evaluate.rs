//! The cost of one response evaluation: a 404 checked against the envelope schema and its
//! snapshot, and a 201 checked against the library-edge schema. `cargo bench --bench evaluate`.

use std::hint::black_box;
use std::time::Instant;

use share_conformance::Suite;
use share_conformance::support::BenchResponse;

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
    let not_found = BenchResponse::new(
        404,
        r#"{"success":false,"error":{"code":"RESOURCE_NOT_FOUND","message":"This share link is no longer available.","system_message":"Share token invalid, revoked, expired, or content removed","type":"client_error","status":404,"details":{},"trace_id":"req_jkl012mno","timestamp":"2026-06-28T10:30:00Z"}}"#,
    );
    let created = BenchResponse::new(
        201,
        r#"{"id":"mlib_6d2f9a4c1e83","track_id":"mtrack_b4d9e1c6a72f","source":"shared","share_link_id":"mslink_3a7f2c9e8b14","created_at":"2026-06-28T10:30:00Z"}"#,
    );
    let iterations = 20_000;
    let envelope = measure(iterations, || {
        black_box(not_found.check_error(&suite, "save-404-unavailable")).unwrap();
    });
    let edge = measure(iterations, || {
        black_box(created.check_edge(&suite)).unwrap();
    });
    println!("evaluate 404 (envelope schema + snapshot): {envelope:.1} µs");
    println!("evaluate 201 (library-edge schema):        {edge:.1} µs");
}
