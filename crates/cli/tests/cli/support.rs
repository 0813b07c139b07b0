//! What the command-line tests share: a scratch directory removed on drop, the binary run with
//! a cleared environment, `serve` in a process of its own, and servers on free ports.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use share_conformance::Fixtures;
use share_conformance_reference::{ReferenceServer, ServerOptions};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_share-conformance");

/// A directory of its own for one test, removed with everything in it when dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A fresh, empty directory named after `name`.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "share-conformance-cli-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        Self(dir)
    }

    /// `name` inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// `name` inside the directory, as text for a command line.
    pub fn arg(&self, name: &str) -> String {
        self.join(name).display().to_string()
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `fixtures` as `fixtures.toml` here; its path.
    pub fn fixtures(&self, fixtures: &Fixtures) -> String {
        let path = self.join("fixtures.toml");
        std::fs::write(&path, fixtures.to_toml()).expect("the fixtures file");
        path.display().to_string()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The binary with `args` and a cleared environment: nothing of the developer's (a
/// `FREDDY_API_KEY`, a proxy) can leak in. `env` adds variables back.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// Runs the binary with `args` and a cleared environment (blocking: from async tests, use
/// [`harness_async`]).
pub fn harness(args: &[&str]) -> Output {
    command(args, &[]).output().expect("the binary runs")
}

/// [`harness`] with environment variables.
pub fn harness_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args, env).output().expect("the binary runs")
}

/// [`harness`], off the async runtime's threads.
pub async fn harness_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        harness(&args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .expect("the blocking task")
}

/// stdout and stderr as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The flags that provision every state against `server` through its sharer: the lifecycles
/// of a save need them (a second run against the same server cannot make `removed` again: its
/// disposable track is gone).
pub fn provision_args(server: &ReferenceServer) -> Vec<String> {
    let seed = server.seed();
    [
        "--provision",
        "--sharer-api-key",
        seed.sharer_key.expose(),
        "--organization",
        &seed.organization_id,
        "--track",
        &seed.track_id,
        "--disposable-track",
        &seed.disposable_track_id,
        "--collection",
        &seed.collection_id,
    ]
    .map(String::from)
    .to_vec()
}

/// The reference server, in this process, with `options`.
pub async fn reference(options: ServerOptions) -> ReferenceServer {
    ReferenceServer::start(options)
        .await
        .expect("the reference server starts")
}

/// The fixtures the reference server was seeded with.
pub fn fixtures_of(server: &ReferenceServer) -> Fixtures {
    Fixtures::parse(&server.fixtures_toml()).expect("the reference server's fixtures parse")
}

/// Serves `app` on a free loopback port; returns its base URL.
pub async fn spawn(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Today's UTC date, taken so that the binaries a test starts within `margin` judge on the
/// same day as the test: both read the system clock, and close to midnight the test first
/// waits for the new day, so that no test can straddle midnight.
pub async fn today_for(margin: std::time::Duration) -> time::Date {
    let now = time::OffsetDateTime::now_utc();
    let midnight = (now.date() + time::Duration::days(1))
        .midnight()
        .assume_utc();
    let left = midnight - now;
    if left < margin {
        let wait = std::time::Duration::try_from(left).unwrap_or_default();
        tokio::time::sleep(wait + std::time::Duration::from_secs(1)).await;
    }
    time::OffsetDateTime::now_utc().date()
}

/// A loopback address where nothing listens, for as long as the returned socket lives: the
/// port is bound but never listened on, so a connection is refused and no other process can
/// take the port meanwhile.
pub fn refusing_address() -> (tokio::net::TcpSocket, String) {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket
        .bind("127.0.0.1:0".parse().expect("an address"))
        .expect("a free port");
    let addr = socket.local_addr().expect("its address");
    (socket, format!("http://{addr}"))
}

/// The first three columns of the clause table's line for `clause`.
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
    _dir: ScratchDir,
}

impl Serve {
    pub fn start(name: &str, extra: &[&str]) -> Self {
        let dir = ScratchDir::new(&format!("serve-{name}"));
        let fixtures = dir.join("serve.toml");
        let mut child = command(&["serve", "--addr", "127.0.0.1:0", "--fixtures-out"], &[])
            .arg(&fixtures)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        // Everything serve prints before it waits for Ctrl-C; the fixtures file is written
        // before its last line, once the server accepts connections.
        let mut lines = Vec::new();
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("its stdout"));
        loop {
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut stdout, &mut line).expect("its output") == 0
                || line.starts_with("stop with")
            {
                break;
            }
            lines.push(line.trim().to_owned());
        }
        assert!(fixtures.exists(), "serve wrote no fixtures file: {lines:?}");
        let url = lines[0].rsplit(' ').next().unwrap_or_default().to_owned();
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
            _dir: dir,
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

    /// The fixtures `serve` wrote.
    pub fn seeded(&self) -> Fixtures {
        Fixtures::load(&self.fixtures).expect("serve's fixtures load")
    }

    /// `run` against it with its fixtures only, as often as needed (the same live token each
    /// time), the lifecycles of a save left out: they need provisioning.
    pub fn run_static(&self, extra: &[&str]) -> Output {
        let fixtures = self.fixtures.display().to_string();
        let mut args = vec!["run", "--base-url", &self.url, "--fixtures", &fixtures];
        if !extra.contains(&"--tags") {
            args.extend(["--tags", "not @lifecycle"]);
        }
        args.extend_from_slice(extra);
        harness(&args)
    }

    /// `run` against it with its fixtures, provisioning every state (once per server: the
    /// disposable track is deleted by the run), and `extra` flags.
    pub fn run(&self, extra: &[&str]) -> Output {
        let fixtures = self.fixtures.display().to_string();
        let mut args = vec!["run", "--base-url", &self.url, "--fixtures", &fixtures];
        args.extend(self.provision_flags.iter().map(String::as_str));
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

/// A loopback port that listens and counts who connected, never answering: what lets a test
/// that says "nothing is sent" check it. Connections wait in the backlog until counted.
pub struct Listening {
    listener: std::net::TcpListener,
}

impl Listening {
    pub fn new() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener
            .set_nonblocking(true)
            .expect("a non-blocking socket");
        Self { listener }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!(
            "http://{}",
            self.listener.local_addr().expect("its address")
        )
    }

    /// How many connections arrived since the last count.
    pub fn connections(&self) -> usize {
        std::iter::from_fn(|| self.listener.accept().ok()).count()
    }
}

/// Whether `program` runs.
pub fn has(program: &str, arg: &str) -> bool {
    std::process::Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}
