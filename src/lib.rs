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

pub mod certificate;
pub mod checks;
pub mod clauses;
pub mod cli;
pub mod clock;
pub mod cucumber_json;
pub mod doctor;
pub mod fixtures;
pub mod http;
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
