//! A hostile or broken server gets a verdict, never a crash or a hang: a battery of small real
//! servers on loopback, each misbehaving in one way on every request but the preflight.
//! Each case runs the real binary, which must exit 1 within the case's bound with the affected
//! scenarios failed for a clear one-line reason, no panic, and a peak resident memory under
//! 100 MB (sampled from /proc while it runs).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use share_conformance::fixtures::{Fixtures, ShareState};
use share_conformance::secret::ApiKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CANARY: &str = "ak_HostileBatteryCanary000000000000000000";

#[derive(Clone)]
enum Behaviour {
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
async fn hostile(behaviour: Behaviour) -> String {
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
fn gzip_bomb() -> Vec<u8> {
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
fn fixtures_file() -> std::path::PathBuf {
    let mut fixtures = Fixtures::default();
    for state in ShareState::ALL {
        fixtures
            .tokens
            .set(state, Some(format!("shr_{state}0000000000000000000000000")));
    }
    fixtures.expected.track_id = Some("mtrack_000000000001".into());
    fixtures.expected.share_link_id = Some("mslink_000000000001".into());
    fixtures.api_key = Some(ApiKey::new(CANARY).unwrap());
    let path = std::env::temp_dir().join(format!("hostile-fixtures-{}.toml", std::process::id()));
    std::fs::write(&path, fixtures.to_toml()).unwrap();
    path
}

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    peak_rss_mb: f64,
}

/// Runs the binary, sampling its peak resident memory (VmHWM only grows) until it exits.
fn run_harness(url: &str, fixtures: &std::path::Path) -> Run {
    use std::io::Read as _;
    let started = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_share-conformance"))
        .args(["run", "--base-url", url, "--timeout", "1", "--fixtures"])
        .arg(fixtures)
        .env_remove("FREDDY_API_KEY")
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
    let mut peak_kb = 0.0f64;
    let status = loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        {
            peak_kb = peak_kb.max(kb);
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
        peak_rss_mb: peak_kb / 1024.0,
    }
}

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
async fn hostile_servers_get_a_verdict_in_bounded_time_and_memory() {
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

    let seconds = Duration::from_secs;
    let cases: Vec<(&str, Behaviour, &str, Duration)> = vec![
        (
            "never answers",
            Behaviour::NeverAnswers,
            "timed out after 1 s",
            seconds(15),
        ),
        (
            "trickles its body",
            Behaviour::TrickleBody,
            "timed out after 1 s",
            seconds(15),
        ),
        (
            "sends 100 MB",
            Behaviour::HundredMegabyteBody,
            "longer than the 256 KiB cap",
            seconds(15),
        ),
        (
            "invalid UTF-8",
            Behaviour::InvalidUtf8,
            "the body is not JSON",
            seconds(10),
        ),
        (
            "truncated JSON",
            Behaviour::TruncatedJson,
            "the body is not JSON (EOF while parsing",
            seconds(10),
        ),
        (
            "resets mid-body",
            Behaviour::ResetMidBody,
            "then the body failed after",
            seconds(10),
        ),
        (
            "gzip bomb",
            Behaviour::GzipBomb(Arc::new(gzip_bomb())),
            "Content-Encoding gzip (not decoded)",
            seconds(15),
        ),
        (
            "1 MB header",
            Behaviour::MegabyteHeader,
            "message head is too large",
            seconds(10),
        ),
        (
            "redirects elsewhere",
            Behaviour::RedirectTo(elsewhere),
            "redirects are never followed",
            seconds(10),
        ),
    ];

    let fixtures = fixtures_file();
    let mut runs = Vec::new();
    for (name, behaviour, expected, bound) in cases {
        let url = hostile(behaviour).await;
        let fixtures = fixtures.clone();
        let run = tokio::task::spawn_blocking(move || run_harness(&url, &fixtures))
            .await
            .unwrap();
        check(name, &run, expected);
        assert!(
            run.elapsed < bound,
            "{name}: took {:?}, over its bound of {bound:?}",
            run.elapsed
        );
        assert!(
            run.peak_rss_mb < 100.0,
            "{name}: peak RSS {:.1} MB is over 100 MB",
            run.peak_rss_mb
        );
        runs.push((name, run.elapsed, run.peak_rss_mb));
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

    println!("hostile battery (the binary, --timeout 1):");
    for (name, elapsed, peak) in &runs {
        println!(
            "  {name:<20} {:>6.2} s  peak RSS {peak:>5.1} MB",
            elapsed.as_secs_f64()
        );
    }
    let slowest = runs.iter().max_by_key(|(_, e, _)| *e).unwrap();
    let heaviest = runs.iter().map(|(_, _, p)| *p).fold(0.0, f64::max);
    println!(
        "  slowest: {} ({:.2} s); highest peak RSS: {heaviest:.1} MB",
        slowest.0,
        slowest.1.as_secs_f64()
    );
}
