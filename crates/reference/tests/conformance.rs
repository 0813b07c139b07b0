//! The whole suite against the reference server, over real loopback sockets: one trial per
//! scenario, and one for the run as a whole. The reference server is the suite's definition of
//! correct, so every scenario, MUST and SHOULD alike, passes, and nothing is left untestable.
//!
//! libtest-mimic reads libtest's flags (a name filter, `--exact`, `--skip`, `--list`,
//! `--test-threads`, `-q`), so `cargo test` and nextest drive this binary like any other. The
//! suite runs once, when the first trial asks for its result; `--list` runs nothing.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};
use share_conformance::provision::Provision;
use share_conformance::report::{Outcome, ScenarioId, Verdict};
use share_conformance::secret::ApiKey;
use share_conformance::{Fixtures, Report, Run, Suite, Target};
use share_conformance_reference::{ReferenceServer, ServerOptions};

/// The suite's one run against a fresh reference server, shared by every trial.
static RUN: OnceLock<Result<Report, String>> = OnceLock::new();

fn run_once(suite: &Arc<Suite>) -> &'static Result<Report, String> {
    RUN.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("no async runtime: {e}"))?;
        runtime.block_on(async {
            let server = ReferenceServer::start(ServerOptions::default())
                .await
                .map_err(|e| format!("the reference server did not start: {e}"))?;
            let fixtures = Fixtures::parse(&server.fixtures_toml()).map_err(|e| e.to_string())?;
            let seed = server.seed();
            let plan = Provision::every_state(
                ApiKey::new(seed.sharer_key.expose()).map_err(|e| e.to_string())?,
                &seed.organization_id,
                &seed.track_id,
                &seed.disposable_track_id,
                &seed.collection_id,
            );
            let target = Target::new(&server.base_url(), fixtures)
                .map_err(|e| e.to_string())?
                .provision(plan)
                .describe("reference server");
            let report = Run::new(target)
                .suite(suite.clone())
                .timeout(Duration::from_secs(15))
                .quiet()
                .execute()
                .await
                .map_err(|e| e.to_string());
            let _ = server.shutdown().await;
            report
        })
    })
}

/// The trial of one scenario: it ran, and it passed.
fn scenario_passes(suite: &Arc<Suite>, id: &ScenarioId) -> Result<(), Failed> {
    let report = run_once(suite)
        .as_ref()
        .map_err(|e| Failed::from(e.as_str()))?;
    let result = report
        .scenarios()
        .iter()
        .find(|s| &s.id == id)
        .ok_or_else(|| Failed::from(format!("{id} reported no result")))?;
    match &result.outcome {
        Outcome::Passed => Ok(()),
        Outcome::Failed {
            step,
            location,
            message,
            cause,
            ..
        } => Err(format!(
            "{} failed ({}) at {step} ({location}):\n{message}",
            result.verdict(),
            cause.word()
        )
        .into()),
        Outcome::NotTestable { reason, .. } => Err(format!("NOT-TESTABLE: {reason}").into()),
        other => Err(format!("{other:?}").into()),
    }
}

/// The trial of the whole run: it passed, every clause PASS, every scenario reported, no leak.
fn the_run_passes(suite: &Arc<Suite>) -> Result<(), Failed> {
    let report = run_once(suite)
        .as_ref()
        .map_err(|e| Failed::from(e.as_str()))?;
    let mut problems: Vec<String> = report
        .clauses()
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .map(|c| format!("{} is {}", c.id, c.verdict))
        .collect();
    if report.clauses().len() != suite.clauses().count() {
        problems.push(format!(
            "{} clauses judged of the catalogue's {}",
            report.clauses().len(),
            suite.clauses().count()
        ));
    }
    if report.scenarios().len() != suite.scenario_count() {
        problems.push(format!(
            "{} scenarios reported of the suite's {}",
            report.scenarios().len(),
            suite.scenario_count()
        ));
    }
    problems.extend(report.blockers().iter().map(ToString::to_string));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let suite = match Suite::embedded() {
        Ok(suite) => Arc::new(suite),
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut trials = Vec::new();
    {
        let suite = suite.clone();
        trials.push(Trial::test(
            "the whole run passes against the reference server",
            move || the_run_passes(&suite),
        ));
    }
    for entry in suite.scenario_index() {
        let suite = suite.clone();
        let name = format!("{} {}", entry.id, entry.name);
        trials.push(Trial::test(name, move || {
            scenario_passes(&suite, &entry.id)
        }));
    }
    libtest_mimic::run(&args, trials).exit_code()
}
