//! How long the binary takes, and how much memory it needs, against each of the hostile
//! battery's servers (`cargo bench -p share-conformance-cli --bench hostile`). The test
//! (`tests/cli/hostile.rs`) checks the verdicts; this reports the time and the peak resident
//! memory, or says when `/proc` could not tell it.

#[path = "../tests/cli/hostile_server.rs"]
mod hostile_server;

use std::sync::Arc;

use hostile_server::{Behaviour, fixtures_file, gzip_bomb, hostile, run_harness};

fn main() {
    // cargo passes `--bench`; nothing to filter here.
    let bin = std::env::var("SHARE_CONFORMANCE_BIN").unwrap_or_else(|_| {
        let release = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/release/share-conformance"
        );
        release.to_owned()
    });
    if !std::path::Path::new(&bin).exists() {
        eprintln!(
            "no binary at {bin}: build it first (cargo build --release) or set SHARE_CONFORMANCE_BIN"
        );
        std::process::exit(2);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("an async runtime");
    let dir = std::env::temp_dir().join(format!(
        "share-conformance-hostile-bench-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let fixtures = fixtures_file(&dir);
    let cases = [
        ("never answers", Behaviour::NeverAnswers),
        ("trickles its body", Behaviour::TrickleBody),
        ("sends 100 MB", Behaviour::HundredMegabyteBody),
        ("invalid UTF-8", Behaviour::InvalidUtf8),
        ("truncated JSON", Behaviour::TruncatedJson),
        ("resets mid-body", Behaviour::ResetMidBody),
        ("gzip bomb", Behaviour::GzipBomb(Arc::new(gzip_bomb()))),
        ("1 MB header", Behaviour::MegabyteHeader),
    ];
    println!("hostile battery ({bin}, --timeout 1):");
    for (name, behaviour) in cases {
        let url = runtime.block_on(hostile(behaviour));
        let run = run_harness(&bin, &url, &fixtures, "1");
        let memory = run
            .peak_rss_mb
            .map_or("peak RSS not measured (no /proc)".to_owned(), |mb| {
                format!("peak RSS {mb:>5.1} MB")
            });
        println!(
            "  {name:<20} exit {:?}  {:>6.2} s  {memory}",
            run.code,
            run.elapsed.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
