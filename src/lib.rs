//! share-conformance: a conformance and contract-test harness for the Freddy Music API
//! endpoint "Save a shared track" (`POST /v1/music/shared/{token}/save`).
//!
//! Gherkin scenarios (`features/`) drive a cucumber runner against any base URL, or against
//! the embedded [`reference`] server when none is given. Responses are checked against JSON
//! Schemas derived from the docs (`schemas/`) and error envelopes against insta snapshots
//! (`snapshots/`); the result is a verdict per documented clause.
//!
//! Modules, in the order a run uses them:
//! - [`suite`]: the feature files, clause catalogue, schemas and snapshots, embedded;
//! - [`clauses`], [`schema`], [`snapshot`]: the catalogue and the two kinds of check;
//! - [`target`], [`fixtures`], [`secret`]: what a run is pointed at, and the key that never prints;
//! - [`http`]: requests with no redirects, bounded bodies and one-line failures;
//! - [`checks`], [`steps`]: the response checks, and the World and steps that apply them;
//! - [`provision`], [`doctor`]: fixtures made through the API, and the preflight;
//! - [`runner`], [`report`]: cucumber wired to per-clause verdicts;
//! - [`junit`], [`cucumber_json`], [`certificate`]: what a run writes for CI and vendors;
//! - [`reference`]: the reference server, and its catalogue of faults;
//! - [`mutation`]: the suite against every fault: its detection power, measured;
//! - [`cli`]: the command line, parsed into a [`runner::RunConfig`].
//!
//! # From `cargo test`
//!
//! A vendor runs the whole suite against its own server, in-process:
//!
//! ```no_run
//! # async fn vendor_test() -> anyhow::Result<()> {
//! use share_conformance::{Fixtures, RemoteTarget};
//!
//! // Start your server on 127.0.0.1:0, then describe what it holds.
//! let fixtures = Fixtures::parse(r#"
//!     api_key = "ak_…"
//!     [tokens]
//!     live = "shr_…"
//!     revoked = "shr_…"
//!     expired = "shr_…"
//!     removed = "shr_…"
//!     collection = "shr_…"
//! "#)?;
//! let target = RemoteTarget::new("http://127.0.0.1:41234", fixtures)?;
//! let report = share_conformance::run(target.into()).await?;
//! report.assert_passed(); // panics with the failing clauses, what was expected, what came back
//! # Ok(())
//! # }
//! ```
//!
//! `examples/vendor.rs` is a complete vendor server with this test.

pub mod certificate;
pub mod checks;
pub mod clauses;
pub mod cli;
pub mod clock;
pub mod cucumber_json;
pub mod doctor;
pub mod fixtures;
pub mod http;
pub mod internals;
pub mod junit;
pub mod leak;
pub mod mutation;
pub mod provision;
pub mod reference;
pub mod report;
pub mod runner;
pub mod schema;
pub mod secret;
pub mod snapshot;
pub mod steps;
pub mod suite;
pub mod target;

use std::sync::Arc;

pub use fixtures::{Fixtures, ShareState};
pub use report::{Report, Verdict};
pub use runner::{RunConfig, RunError};
pub use secret::ApiKey;
pub use target::{RemoteTarget, Target};

/// Runs the whole embedded suite against `target` with default settings, progress to stdout,
/// and returns the per-clause report. For other settings, build a [`RunConfig`] and call
/// [`runner::run`].
pub async fn run(target: Target) -> Result<Report, RunError> {
    let suite = Arc::new(suite::Suite::embedded().map_err(RunError::Setup)?);
    let config = RunConfig {
        target,
        ..RunConfig::embedded(suite)
    };
    runner::run(config, &mut std::io::stdout()).await
}
