//! A hostile or broken server gets a verdict, never a crash or a hang: the binary, against
//! each of the battery's servers, exits 1 with the affected scenarios failed for a clear
//! one-line reason, no panic and no key. A server that never answers or trickles its body
//! fails for want of an answer after the timeout (3 s, so that a busy machine still answers
//! the preflight), which the message names. How long each case
//! takes and how much memory it needs is measured by `cargo bench -p share-conformance-cli
//! --bench hostile`, not asserted here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::hostile_server::*;
use crate::support::{BIN, ScratchDir};

/// Checks a hostile case: exit 1, every failure a clear one-line reason, the expected one
/// among them, no panic, no key.
fn check(name: &str, run: &Run, expected: &str) {
    let Run {
        code,
        stdout,
        stderr,
        ..
    } = run;
    assert_eq!(*code, Some(1), "{name}: exit {code:?}\n{stdout}\n{stderr}");
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "{name}: a panic:\n{stderr}"
    );
    let lines: Vec<&str> = stdout.lines().collect();
    let reasons: Vec<&str> = lines
        .windows(3)
        .filter(|w| w[0].starts_with("FAIL "))
        .map(|w| w[2].trim())
        .collect();
    assert!(!reasons.is_empty(), "{name}: no scenario failed:\n{stdout}");
    for reason in &reasons {
        assert!(
            !reason.is_empty() && reason.chars().count() < 400,
            "{name}: unclear reason {reason:?}"
        );
    }
    assert!(
        stdout.contains(expected),
        "{name}: no failure says {expected:?}:\n{stdout}"
    );
    assert!(
        !stdout.contains(CANARY) && !stderr.contains(CANARY),
        "{name}: the key leaked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_get_a_verdict_never_a_crash_or_a_hang() {
    let keys_received = Arc::new(AtomicUsize::new(0));
    let requests_received = Arc::new(AtomicUsize::new(0));
    let (keys, requests) = (keys_received.clone(), requests_received.clone());
    let elsewhere = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
            requests.fetch_add(1, Ordering::SeqCst);
            if headers.contains_key("x-api-key") {
                keys.fetch_add(1, Ordering::SeqCst);
            }
            async { "you should not be here" }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    };

    let cases: Vec<(&str, Behaviour, &str)> = vec![
        (
            "never answers",
            Behaviour::NeverAnswers,
            "timed out after 3 s",
        ),
        (
            "trickles its body",
            Behaviour::TrickleBody,
            "timed out after 3 s",
        ),
        (
            "sends 100 MB",
            Behaviour::HundredMegabyteBody,
            "longer than the 256 KiB cap",
        ),
        (
            "invalid UTF-8",
            Behaviour::InvalidUtf8,
            "the body is not JSON",
        ),
        (
            "truncated JSON",
            Behaviour::TruncatedJson,
            "the body is not JSON (EOF while parsing",
        ),
        (
            "resets mid-body",
            Behaviour::ResetMidBody,
            "then the body failed after",
        ),
        (
            "gzip bomb",
            Behaviour::GzipBomb(Arc::new(gzip_bomb())),
            "Content-Encoding gzip (not decoded)",
        ),
        (
            "1 MB header",
            Behaviour::MegabyteHeader,
            "message head is too large",
        ),
        (
            "redirects elsewhere",
            Behaviour::RedirectTo(elsewhere),
            "redirects are never followed",
        ),
    ];

    let dir = ScratchDir::new("hostile");
    let fixtures = fixtures_file(dir.path());
    for (name, behaviour, expected) in cases {
        let url = hostile(behaviour).await;
        let fixtures = fixtures.clone();
        let run = tokio::task::spawn_blocking(move || run_harness(BIN, &url, &fixtures, "3"))
            .await
            .unwrap();
        check(name, &run, expected);
    }
    assert_eq!(
        requests_received.load(Ordering::SeqCst),
        0,
        "a redirect was followed"
    );
    assert_eq!(
        keys_received.load(Ordering::SeqCst),
        0,
        "the other origin received a key"
    );
}
