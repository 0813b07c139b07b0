//! The hostile battery's servers: small real servers on loopback, each misbehaving in one way
//! on every request but the preflight, and the binary run against one with its time and peak
//! memory taken. Shared by the test (`hostile.rs`, which checks the verdicts) and the
//! benchmark (`benches/hostile.rs`, which reports time and memory).

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use share_conformance::Fixtures;
use share_conformance::fixtures::ShareState;
use share_conformance::secret::ApiKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const CANARY: &str = "ak_HostileBatteryCanary000000000000000000";

#[derive(Clone)]
pub enum Behaviour {
    NeverAnswers,
    TrickleBody,
    HundredMegabyteBody,
    InvalidUtf8,
    TruncatedJson,
    ResetMidBody,
    GzipBomb(Arc<Vec<u8>>),
    MegabyteHeader,
    RedirectTo(String),
}

/// Serves `behaviour` on a free loopback port. `GET /` (the preflight) is answered normally.
pub async fn hostile(behaviour: Behaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            if let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(answer(socket, behaviour.clone()));
            }
        }
    });
    url
}

async fn answer(mut socket: TcpStream, behaviour: Behaviour) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let path = String::from_utf8_lossy(&head)
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    if path == "/" {
        let _ = socket
            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .await;
        return;
    }
    let json_head = |length: usize| {
        format!(
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
        )
    };
    match behaviour {
        Behaviour::NeverAnswers => std::future::pending::<()>().await,
        Behaviour::TrickleBody => {
            let _ = socket.write_all(json_head(1000).as_bytes()).await;
            loop {
                if socket.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        Behaviour::HundredMegabyteBody => {
            let total = 100 * 1024 * 1024;
            let _ = socket.write_all(json_head(total).as_bytes()).await;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..total / chunk.len() {
                if socket.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        Behaviour::InvalidUtf8 => {
            let body = b"{\"id\":\"mlib_\xff\xfe\xc3\x28\",\"source\":\"\xe2\x28\xa1\"}";
            let _ = socket.write_all(json_head(body.len()).as_bytes()).await;
            let _ = socket.write_all(body).await;
        }
        Behaviour::TruncatedJson => {
            let body = b"{\"id\":\"mlib_6d2f9a4c1e83\",\"track_id\":\"mtr";
            let _ = socket.write_all(json_head(body.len()).as_bytes()).await;
            let _ = socket.write_all(body).await;
        }
        Behaviour::ResetMidBody => {
            let _ = socket.write_all(json_head(1000).as_bytes()).await;
            let _ = socket.write_all(&[b' '; 100]).await;
            let _ = socket.flush().await;
            // Linger 0: closing sends a reset, not a clean end of stream. (Deprecated because a
            // non-zero linger blocks on drop; zero does not.)
            #[allow(deprecated)]
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(socket);
        }
        Behaviour::GzipBomb(bomb) => {
            let head = format!(
                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                bomb.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&bomb).await;
        }
        Behaviour::MegabyteHeader => {
            let padding = "a".repeat(1024 * 1024);
            let head = format!(
                "HTTP/1.1 201 Created\r\nx-padding: {padding}\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{{}}"
            );
            let _ = socket.write_all(head.as_bytes()).await;
        }
        Behaviour::RedirectTo(location) => {
            let head = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}{path}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = socket.write_all(head.as_bytes()).await;
        }
    }
}

/// A gzip stream that inflates to about 1 GiB of zeros from about 6.5 MB: one literal, then
/// four million (length 258, distance 1) copies in a fixed-Huffman deflate block.
pub fn gzip_bomb() -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.n;
            self.n += count;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u64, count: u32) {
            let reversed = (0..count).fold(0, |r, i| r | (((code >> i) & 1) << (count - 1 - i)));
            self.put(reversed, count);
        }
    }
    let mut bits = Bits {
        out: vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman
    bits.code(0x30, 8); // literal 0
    for _ in 0..4_000_000 {
        bits.code(0xc5, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7); // flush
    bits.out.extend_from_slice(&[0; 8]); // CRC-32 and size: never checked, nothing inflates it
    bits.out
}

/// A fixtures file naming a token for every state, and the canary key.
/// Fixtures for a hostile server, written into `dir`: a token for every state and the canary key.
pub fn fixtures_file(dir: &Path) -> std::path::PathBuf {
    let mut fixtures = Fixtures::default();
    for state in ShareState::ALL {
        fixtures
            .tokens
            .set(state, Some(format!("shr_{state}0000000000000000000000000")));
    }
    fixtures.expected.track_id = Some("mtrack_000000000001".into());
    fixtures.expected.share_link_id = Some("mslink_000000000001".into());
    fixtures.api_key = Some(ApiKey::new(CANARY).unwrap());
    let path = dir.join("hostile-fixtures.toml");
    std::fs::write(&path, fixtures.to_toml()).unwrap();
    path
}

/// What one run of the binary did.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    /// The peak resident memory, when `/proc` could tell it.
    pub peak_rss_mb: Option<f64>,
}

/// Runs the binary `bin` against `url` with `--timeout SECS`, sampling its peak resident
/// memory (VmHWM only grows) until it exits.
pub fn run_harness(bin: &str, url: &str, fixtures: &Path, timeout_secs: &str) -> Run {
    use std::io::Read as _;
    let started = Instant::now();
    let mut child = std::process::Command::new(bin)
        .args([
            "run",
            "--base-url",
            url,
            "--timeout",
            timeout_secs,
            "--fixtures",
        ])
        .arg(fixtures)
        .env_clear()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout_pipe = child.stdout.take().unwrap();
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout_pipe.read_to_string(&mut out);
        out
    });
    let stderr = std::thread::spawn(move || {
        let mut err = String::new();
        let _ = stderr_pipe.read_to_string(&mut err);
        err
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb: Option<f64> = None;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        {
            peak_kb = Some(peak_kb.map_or(kb, |p: f64| p.max(kb)));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
        elapsed: started.elapsed(),
        peak_rss_mb: peak_kb.map(|kb| kb / 1024.0),
    }
}
