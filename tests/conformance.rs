//! The whole suite against the reference server, over real loopback sockets (`harness = false`).
//!
//! cargo passes libtest's flags to every test target (`-q`, `--nocapture`, `--test-threads`,
//! a name filter, and `--list` from tools such as nextest); they are accepted here. A name
//! filter runs the scenarios whose name contains it, and none matching is an empty pass, as
//! for any other test target.

use std::process::ExitCode;
use std::sync::Arc;

use share_conformance::report::Verdict;
use share_conformance::runner::{self, RunConfig, RunError};
use share_conformance::suite::Suite;

const TEST_NAME: &str = "conformance_against_reference_server";

fn main() -> ExitCode {
    let mut filter = None;
    let mut list = false;
    let mut exact = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => list = true,
            "--exact" => exact = true,
            // Flags with a value.
            "--test-threads" | "--color" | "--format" | "--logfile" | "--skip" | "-Z" => {
                args.next();
            }
            flag if flag.starts_with('-') => {}
            name => filter = Some(name.to_owned()),
        }
    }
    if list {
        println!("{TEST_NAME}: test");
        return ExitCode::SUCCESS;
    }
    // `--exact TEST_NAME` (how runners ask for one listed test) means everything.
    let name_contains = match filter {
        Some(f) if exact && f == TEST_NAME => None,
        Some(f) if TEST_NAME.contains(&f) => None,
        other => other,
    };

    let suite = Arc::new(Suite::embedded().expect("the embedded suite loads"));
    let config = RunConfig {
        name_contains,
        ..RunConfig::embedded(suite)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut stdout = std::io::stdout().lock();
    match runtime.block_on(runner::run(config, &mut stdout)) {
        Ok(report) => {
            // The reference server is the suite's definition of correct: every MUST and
            // SHOULD clause passes, nothing is left untestable.
            let not_passed: Vec<String> = report
                .clauses
                .iter()
                .filter(|c| c.verdict != Verdict::Pass)
                .map(|c| format!("{} {}", c.id, c.verdict))
                .collect();
            if not_passed.is_empty() {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "conformance: clauses not passing against the reference server: {}",
                    not_passed.join(", ")
                );
                ExitCode::FAILURE
            }
        }
        Err(RunError::NothingSelected(_)) => {
            println!("conformance: no scenario name contains the filter; nothing to run");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("conformance: {e}");
            ExitCode::FAILURE
        }
    }
}
