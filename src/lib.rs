//! share-conformance: a conformance and contract-test harness for the Freddy Music API
//! endpoint "Save a shared track" (`POST /v1/music/shared/{token}/save`).
//!
//! Gherkin scenarios (`features/`) drive a cucumber runner against a server's base URL.
//! Responses are checked against JSON Schemas derived from the docs (`schemas/`) and error
//! envelopes against insta snapshots (`snapshots/`); the result is a verdict per documented
//! clause. This crate is the library; the command line (`share-conformance`) and the
//! reference server are packages of their own, so depending on this one compiles neither.
//!
//! # From `cargo test`
//!
//! A vendor runs the whole suite against its own server, in-process:
//!
//! ```no_run
//! # async fn vendor_test() -> Result<(), share_conformance::Error> {
//! use share_conformance::{Fixtures, Run, Target};
//!
//! // Start your server on 127.0.0.1:0, then describe what it holds.
//! let fixtures = Fixtures::parse(r#"
//!     [tokens]
//!     live = "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c"
//!     revoked = "shr_0a1b2c3d4e5f60718293a4b5c6d7e8f9"
//! "#)?;
//! let target = Target::new("http://127.0.0.1:41234", fixtures)?.api_key("ak_…")?;
//! let report = Run::new(target).concurrency(16).execute().await?;
//! report.assert_passed(); // panics with the failing clauses, what was expected, what came back
//! # Ok(())
//! # }
//! ```
//!
//! `examples/vendor.rs` is a complete vendor server with this test; `examples/python/` runs
//! the suite against a server written in Python.
//!
//! # The public API
//!
//! [`Target`] (what to run against: its base URL, [`Fixtures`], [`ApiKey`], TLS and
//! [`Provision`]ing), [`Run`] (what to run and how), [`Report`] (what it found: a [`Verdict`]
//! per clause, a [`ScenarioResult`] per scenario, why the run does not pass), [`Error`] (why
//! a run could not be made), [`Suite`] (the embedded suite, or one from a directory),
//! [`Certificate`](certificate::Certificate) and [`doctor`]. Everything else is internal.

mod checks;
mod error;
mod evidence;
mod fixtures;
mod http;
mod internals;
mod known;
mod leak;
mod provision;
mod random;
mod render;
mod report;
mod run;
mod secret;
mod steps;
mod suite;
mod target;
mod time;

pub mod doctor;

pub use error::Error;
pub use evidence::{
    RecordedExchange, RecordedFixtures, RecordedResponse, RecordedSettings, Recording,
};
pub use fixtures::{Expected, Fixtures, Recipient, ShareState, Tokens};
pub use known::{KnownFailure, KnownFailures, KnownOutcome, KnownStatus};
pub use leak::Leak;
pub use provision::{Provision, ProvisionError};
pub use render::certificate;
pub use report::{
    Blocker, Cause, ClauseResult, Mode, Outcome, Outputs, Repetitions, Report, RunInfo, ScenarioId,
    ScenarioResult, StepRecord, StepStatus, Verdict, Verdicts,
};
pub use run::{DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT, Run};
pub use secret::{ApiKey, Form, InvalidKey, Redactor};
pub use suite::catalogue::{Clause, Level, Provenance};
pub use suite::{ScenarioEntry, Suite, SuiteFile};
pub use target::Target;

/// For the `share-conformance` binary, its tests and the benchmarks: no stability promised.
#[doc(hidden)]
pub mod support {
    pub use crate::checks::BenchResponse;
    pub use crate::fixtures::near_miss as near_miss_token;
    pub use crate::render::console::{clause_listing, diagnosis};
    pub use crate::suite::EMBEDDED;
    pub use crate::suite::schema::SchemaName;
}
