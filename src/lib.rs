//! share-conformance: a conformance and contract-test harness for the Freddy Music API
//! endpoint "Save a shared track" (`POST /v1/music/shared/{token}/save`).
//!
//! Gherkin scenarios drive a cucumber runner against a server's base URL. Responses are
//! checked against JSON Schemas derived from the docs and error envelopes against stored
//! snapshots; the result is a verdict per documented clause. This crate is the library; the
//! command line (`share-conformance`) and the reference server are packages of their own, so
//! depending on this one compiles neither.
//!
//! # From `cargo test`
//!
//! ```toml
//! [dev-dependencies]
//! share-conformance = { git = "https://github.com/freddy-music/share-conformance", tag = "v0.1.0" }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! A vendor runs the whole suite against its own server, in-process. A passing run prints
//! nothing; a failing one panics with each failing clause, what was expected, what came back
//! and a `curl` command that sends the request again:
//!
//! ```no_run
//! use share_conformance::{Fixtures, Run, Target};
//!
//! #[tokio::test]
//! async fn conforms_to_save_a_shared_track() -> Result<(), share_conformance::Error> {
//!     // Start your server on 127.0.0.1:0, then say what it holds.
//!     let fixtures = Fixtures::parse(r#"
//!         [tokens]
//!         live = "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c"
//!         revoked = "shr_0a1b2c3d4e5f60718293a4b5c6d7e8f9"
//!     "#)?;
//!     let target = Target::new("http://127.0.0.1:41234", fixtures)?.api_key("ak_…")?;
//!     // Without the sharer's side (share, revoke, delete) to provision with, leave out the
//!     // lifecycles of a save (`provision` has the other way).
//!     Run::new(target).tags("not @lifecycle")?.execute().await?.assert_passed();
//!     Ok(())
//! }
//! ```
//!
//! `examples/vendor.rs` is a complete vendor server with this test.
//!
//! # The front door, and the rooms behind it
//!
//! A vendor's test needs the six items at the root: [`Target`] (what to run against),
//! [`Fixtures`] (the share tokens it holds), [`Run`] (what to run and how), [`Report`] (what
//! it found), [`Error`] (why a run could not be made) and [`Suite`] (the embedded suite, or one
//! from a directory). Everything else lives in a named module:
//! [`report`] (verdicts, scenarios, why a run fails), [`fixtures`], [`secret`] (keys and the
//! redactor), [`provision`] (fixtures made through the API), [`known`] (known failures for a
//! gate), [`evidence`] (the recorded exchanges), [`certificate`] (certificates and their
//! verification), [`doctor`] (a target's preflight), [`suite`] (clauses, schemas) and
//! [`render`] (the command line's texts).

mod checks;
mod digest;
mod error;
mod exchange;
mod http;
mod internals;
mod leak;
mod plan;
mod random;
mod steps;
mod target;
mod time;
mod twist;

pub mod certificate;
pub mod doctor;
pub mod evidence;
pub mod fixtures;
pub mod known;
pub mod provision;
pub mod render;
pub mod report;
pub mod run;
pub mod secret;
pub mod suite;

pub use error::Error;
pub use fixtures::Fixtures;
pub use report::Report;
pub use run::Run;
pub use suite::Suite;
pub use target::Target;

#[cfg(test)]
mod tests;
