//! The library against a server written in Python (`examples/python/server.py`): start it, read
//! the fixtures it writes, run the suite, and fail unless it conforms.
//!
//! `cargo run --example python` (needs `python3` on the PATH).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use share_conformance::{Fixtures, Run, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("share-conformance-python-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let fixtures_path = dir.join("fixtures.toml");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/python/server.py");
    let mut server = Command::new("python3")
        .args([script, "--port", "0", "--fixtures-out"])
        .arg(&fixtures_path)
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start python3 {script}: {e}"))?;
    // Its first line says where it listens; the fixtures file is written before it.
    let mut first = String::new();
    BufReader::new(server.stdout.take().ok_or("no stdout")?).read_line(&mut first)?;
    let url = first
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();

    let target =
        Target::new(&url, Fixtures::load(&fixtures_path)?)?.describe("Python example server");
    // A program, not a test: it shows its progress. The Python server implements the save
    // and what it reads, not the sharer's side: the lifecycles of a save are left out.
    let report = Run::new(target)
        .tags("not @lifecycle")?
        .progress(std::io::stdout())
        .execute()
        .await;
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let report = report?;
    report.assert_passed();
    Ok(())
}
