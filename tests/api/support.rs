//! What the tests share: a scratch directory removed on drop, the reference server as a
//! target, runs whose progress is kept for the assertions, and a server on a free port.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use share_conformance::provision::Provision;
use share_conformance::secret::ApiKey;
use share_conformance::{Fixtures, Report, Run, Target};
use share_conformance_reference::faults::Fault;
use share_conformance_reference::variants::Variant;
use share_conformance_reference::{ReferenceServer, ServerOptions};

/// A directory of its own for one test, removed with everything in it when dropped.
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A fresh, empty directory named after `name`.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "share-conformance-api-{name}-{}",
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

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A reference server serving `fault` or `variant` (or neither), on a free loopback port.
pub async fn reference(fault: Option<Fault>, variant: Option<Variant>) -> ReferenceServer {
    ReferenceServer::start(ServerOptions {
        fault,
        variant,
        ..Default::default()
    })
    .await
    .expect("the reference server starts")
}

/// The fixtures the reference server was seeded with.
pub fn fixtures_of(server: &ReferenceServer) -> Fixtures {
    Fixtures::parse(&server.fixtures_toml()).expect("the reference server's fixtures parse")
}

/// The reference server as a target, with the fixtures it was seeded with, and provisioning
/// through its sharer (the lifecycles of a save need the run's own shares).
pub fn target_of(server: &ReferenceServer) -> Target {
    let seed = server.seed();
    let plan = Provision::every_state(
        ApiKey::new(seed.sharer_key.expose()).expect("the seeded sharer's key"),
        &seed.organization_id,
        &seed.track_id,
        &seed.disposable_track_id,
        &seed.collection_id,
    );
    Target::new(&server.base_url(), fixtures_of(server))
        .expect("a loopback URL")
        .provision(plan)
}

/// The reference server as a target with its seeded fixtures only, no provisioning: what a
/// run with hand-kept tokens sees (the same live token from one run to the next). The
/// lifecycles of a save need provisioning: runs of such a target leave them out
/// ([`WITHOUT_LIFECYCLE`]).
pub fn static_target_of(server: &ReferenceServer) -> Target {
    Target::new(&server.base_url(), fixtures_of(server)).expect("a loopback URL")
}

/// The tag expression that leaves out the lifecycles of a save.
pub const WITHOUT_LIFECYCLE: &str = "not @lifecycle";

/// Progress kept in memory, for assertions on what a run printed.
#[derive(Clone, Default)]
pub struct Captured(Rc<RefCell<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `run`, executed with its progress captured: the report (or error) and what it printed.
pub async fn execute(run: Run) -> (Result<Report, share_conformance::Error>, String) {
    let captured = Captured::default();
    let result = run.progress(captured.clone()).execute().await;
    (result, captured.text())
}

/// The whole suite against `target`, unhurried (a busy machine never turns a slow answer
/// into a verdict): the report and what the run printed.
pub async fn run_against(target: Target) -> (Report, String) {
    let (report, out) = execute(Run::new(target).timeout(Duration::from_secs(15))).await;
    match report {
        Ok(report) => (report, out),
        Err(e) => panic!("the run did not complete: {e}\n{out}"),
    }
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
