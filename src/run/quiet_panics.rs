//! Step failures and NOT-TESTABLE travel as panics that cucumber catches; they must not be
//! printed, while every other panic in the process must be.
//!
//! cucumber silences the global panic hook for the length of a run and then restores the
//! hook it found. When runs overlap in one process (the fault matrix, parallel tests), each
//! can restore another's silence and leave the process mute. So a run installs, before and
//! after cucumber, a hook that is silent only on a thread that is polling a run at that
//! moment, and otherwise calls the hook the process had before the first run.

use std::cell::Cell;
use std::future::Future;
use std::panic::PanicHookInfo;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync>;

thread_local! {
    static POLLING_A_RUN: Cell<usize> = const { Cell::new(0) };
}

static ORIGINAL: OnceLock<Hook> = OnceLock::new();

/// Installs the hook (again): silent while this thread polls a run, the original otherwise.
pub(crate) fn install() {
    let original = ORIGINAL
        .get_or_init(|| Arc::from(std::panic::take_hook()))
        .clone();
    std::panic::set_hook(Box::new(move |info| {
        if POLLING_A_RUN.with(Cell::get) == 0 {
            original(info);
        }
    }));
}

/// Marks this thread as polling a run for the length of each poll of the inner future.
pub(crate) struct Polled<F> {
    inner: Pin<Box<F>>,
}

impl<F> Polled<F> {
    pub(crate) fn new(inner: F) -> Self {
        Self {
            inner: Box::pin(inner),
        }
    }
}

struct Marked;

impl Marked {
    fn new() -> Self {
        POLLING_A_RUN.with(|n| n.set(n.get() + 1));
        Self
    }
}

impl Drop for Marked {
    fn drop(&mut self) {
        POLLING_A_RUN.with(|n| n.set(n.get() - 1));
    }
}

impl<F: Future> Future for Polled<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let _marked = Marked::new();
        self.inner.as_mut().poll(cx)
    }
}
