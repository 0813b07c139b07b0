//! Overlapping runs in one process must not leave the process's panic hook silenced: cucumber
//! swaps the hook per run, and two runs can restore each other's silence. This is its own test
//! binary because the panic hook is global to the process.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use share_conformance::mutation::{Subject, run_one};
use share_conformance::reference::faults::Fault;
use share_conformance::suite::Suite;

static SEEN: AtomicUsize = AtomicUsize::new(0);

#[tokio::test]
async fn panics_outside_runs_still_reach_the_hook_after_overlapping_runs() {
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
    let suite = Arc::new(Suite::embedded().unwrap());
    // Two overlapping runs whose steps fail (panic) a lot.
    let (a, b) = futures::join!(
        run_one(
            suite.clone(),
            Subject::Fault(Fault::EnvelopeSuccessTrue),
            Duration::from_secs(2)
        ),
        run_one(
            suite,
            Subject::Fault(Fault::Save200Not201),
            Duration::from_secs(2)
        ),
    );
    assert!(!a.run_passed && !b.run_passed);
    let caught = std::panic::catch_unwind(|| panic!("outside any run"));
    assert!(caught.is_err());
    assert_eq!(
        SEEN.load(Ordering::SeqCst),
        1,
        "the process's own hook was not called"
    );
}
