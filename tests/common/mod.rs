//! Helpers shared by the integration tests: requests to a running server, the suite's
//! files, and the binary run as scripts run it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use axum::Router;
use reqwest::Method;
use serde_json::Value;
use share_conformance::fixtures::Fixtures;
use share_conformance::http::{Exchange, HttpClient, KeyHeader};

pub const BIN: &str = env!("CARGO_BIN_EXE_share-conformance");

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

/// Runs the binary with `args` (blocking, so call from `spawn_blocking` inside async tests),
/// with `FREDDY_API_KEY` cleared so the developer's environment cannot leak in.
pub fn harness(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("FREDDY_API_KEY")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

pub async fn harness_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        harness(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap()
}

pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fresh directory for one test's files.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("share-conformance-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write_fixtures(dir: &Path, fixtures: &Fixtures) -> String {
    let path = dir.join("fixtures.toml");
    std::fs::write(&path, fixtures.to_toml()).unwrap();
    path.display().to_string()
}

/// Serves `app` on a free loopback port; returns its base URL.
pub async fn spawn(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

pub fn verdict_line<'a>(stdout: &'a str, clause: &str) -> Vec<&'a str> {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(clause))
        .map(|l| l.split_whitespace().take(3).collect())
        .unwrap_or_default()
}

/// A `share-conformance serve` process on a free port, killed when dropped.
pub struct Serve {
    pub child: std::process::Child,
    pub url: String,
    pub fixtures: PathBuf,
    /// The flags `serve` printed for provisioning against it (`--provision --sharer-api-key …`).
    pub provision_flags: Vec<String>,
}

impl Serve {
    pub fn start(name: &str, extra: &[&str]) -> Self {
        let dir = scratch_dir(name);
        let fixtures = dir.join("serve.toml");
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--fixtures-out"])
            .arg(&fixtures)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The file appears only once the server accepts connections.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !fixtures.exists() {
            assert!(Instant::now() < deadline, "serve wrote no fixtures file");
            std::thread::sleep(Duration::from_millis(20));
        }
        // Everything serve prints before it waits for Ctrl-C.
        let mut lines = Vec::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() == 0
                || line.starts_with("stop with")
            {
                break;
            }
            lines.push(line.trim().to_owned());
        }
        let url = lines[0].rsplit(' ').next().unwrap().to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
            "{lines:?}"
        );
        let provision_flags = lines
            .iter()
            .find_map(|l| l.strip_prefix("provision against it: "))
            .unwrap_or_else(|| panic!("serve printed no provisioning flags: {lines:?}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Self {
            child,
            url,
            fixtures,
            provision_flags,
        }
    }

    /// The value `serve` printed for a provisioning flag.
    pub fn flag(&self, name: &str) -> &str {
        let at = self
            .provision_flags
            .iter()
            .position(|f| f == name)
            .unwrap_or_else(|| panic!("no {name}"));
        &self.provision_flags[at + 1]
    }

    pub fn run(&self, extra: &[&str]) -> Output {
        let fixtures = self.fixtures.display().to_string();
        let mut args = vec!["run", "--base-url", &self.url, "--fixtures", &fixtures];
        args.extend_from_slice(extra);
        harness(&args)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
