//! Overlapping runs in one process must not leave the process's panic hook silenced: cucumber
//! swaps the hook per run, and two runs can restore each other's silence. The panic hook is
//! global to the process, so the check runs in a process of its own: this test binary again,
//! asked for the one ignored test below.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use share_conformance::Run;
use share_conformance_reference::faults::Fault;

use crate::support::{reference, target_of};

const CHILD_TEST: &str = "panic_hook::overlapping_runs_leave_the_hook_working";

#[test]
fn panics_outside_runs_still_reach_the_hook_after_overlapping_runs() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([CHILD_TEST, "--exact", "--ignored", "--test-threads=1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the check did not run: {stdout}"
    );
}

static SEEN: AtomicUsize = AtomicUsize::new(0);

#[tokio::test]
#[ignore = "run in a process of its own by panics_outside_runs_still_reach_the_hook_after_overlapping_runs"]
async fn overlapping_runs_leave_the_hook_working() {
    std::panic::set_hook(Box::new(|info| {
        let text = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .unwrap_or_default();
        if text == "outside any run" {
            SEEN.fetch_add(1, Ordering::SeqCst);
        }
    }));
    let one = reference(Some(Fault::EnvelopeSuccessTrue), None).await;
    let two = reference(Some(Fault::Save200Not201), None).await;
    // Two overlapping runs whose steps fail (panic) a lot.
    let (a, b) = futures::join!(
        Run::new(target_of(&one))
            .timeout(Duration::from_secs(15))
            .quiet()
            .execute(),
        Run::new(target_of(&two))
            .timeout(Duration::from_secs(15))
            .quiet()
            .execute(),
    );
    assert!(!a.unwrap().passed() && !b.unwrap().passed());
    let caught = std::panic::catch_unwind(|| panic!("outside any run"));
    assert!(caught.is_err());
    assert_eq!(
        SEEN.load(Ordering::SeqCst),
        1,
        "the process's own hook was not called"
    );
}
