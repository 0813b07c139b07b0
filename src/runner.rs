//! Runs the suite against a target: preflight, cucumber, and the per-clause report.
//!
//! cucumber is configured so nothing passes by accident: an undefined step, an ambiguous one
//! or a failed hook fails its scenario, a scenario that needs a missing fixture is
//! NOT-TESTABLE, and a filter that selects nothing is an error rather than an empty green run.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use cucumber::event::{
    self, Cucumber as CucumberEvent, Feature as FeatureEvent, Rule as RuleEvent,
};
use cucumber::gherkin::{self, tagexpr::TagOperation};
use cucumber::tag::Ext as _;
use cucumber::writer::Ext as _;
use cucumber::{Event, World as _, cli, parser, runner};
use futures::FutureExt as _;
use reqwest::Method;

use crate::certificate::{self, Certificate};
use crate::clauses::{LIBRARY_TAG, RESOLVE_TAG, SHOULD_TAG, clause_ids};
use crate::http::{Exchange, HttpClient, KeyHeader};
use crate::report::{
    Mode, Outcome, Repetitions, Report, RunInfo, ScenarioResult, StepRecord, StepStatus,
    scenario_lines,
};
use crate::secret::Redactor;
use crate::steps::{ConformanceWorld, Context, Needs, NotTestable, TargetClock};
use crate::suite::{Suite, all_tags, feature_path};
use crate::target::Target;
use crate::{cucumber_json, junit, leak, provision};

/// Default per-request timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 10.0;
/// Default number of scenarios in flight at once: more than the suite has, so against a
/// distant target the wall time is its critical path, not a queue. (Memory stays bounded:
/// each response holds at most `http::BODY_CAP`.)
pub const DEFAULT_CONCURRENCY: usize = 128;

/// A tag expression as given on the command line, parsed.
#[derive(Debug, Clone)]
pub struct TagFilter {
    text: String,
    op: TagOperation,
}

impl TagFilter {
    /// Parses a cucumber tag expression (`@clause:SAVE-201-CREATED and not @resolve`).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let op = text
            .parse::<TagOperation>()
            .map_err(|e| anyhow::anyhow!("--tags {text:?} is not a tag expression: {e}"))?;
        Ok(Self {
            text: text.to_owned(),
            op,
        })
    }

    fn matches(&self, tags: &[&String]) -> bool {
        self.op.eval(tags.iter().map(|t| t.as_str()))
    }
}

/// Everything one run needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// What to run against.
    pub target: Target,
    /// Only scenarios whose tags match.
    pub tags: Option<TagFilter>,
    /// Only scenarios whose name contains this text.
    pub name_contains: Option<String>,
    /// Scenarios in flight at once.
    pub concurrency: usize,
    /// Bound on every request, body included.
    pub timeout: Duration,
    /// The suite to run.
    pub suite: Arc<Suite>,
    /// `run` or `certify`: decides when the run passes.
    pub mode: Mode,
    /// Files to write.
    pub artifacts: Artifacts,
    /// 0: a line per scenario; 1: and every step; 2: and the scenario's state at a failure.
    pub verbosity: u8,
    /// Run the selected scenarios this many times; a verdict that changes is FLAKY.
    pub repeat: u32,
    /// Do not fail the run for FLAKY clauses.
    pub allow_flaky: bool,
}

impl RunConfig {
    /// The whole suite against the embedded reference server, with default settings.
    pub fn embedded(suite: Arc<Suite>) -> Self {
        Self {
            target: Target::Embedded(Default::default()),
            tags: None,
            name_contains: None,
            concurrency: DEFAULT_CONCURRENCY,
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            suite,
            mode: Mode::Run,
            artifacts: Artifacts::default(),
            verbosity: 0,
            repeat: 1,
            allow_flaky: false,
        }
    }
}

/// Printed on every run with `--insecure`.
pub const INSECURE_WARNING: &str = "warning: --insecure: the target's TLS certificate is not verified; anyone on the path can impersonate it and read the key\n\n";

/// Files a run writes besides its console output.
#[derive(Debug, Clone, Default)]
pub struct Artifacts {
    /// JUnit XML.
    pub junit: Option<PathBuf>,
    /// Cucumber JSON.
    pub cucumber_json: Option<PathBuf>,
    /// The report or certificate: Markdown here, JSON at this path + `.json`.
    pub report: Option<PathBuf>,
}

/// Why a run produced no report.
#[derive(Debug)]
pub enum RunError {
    /// The preflight request got no HTTP response at all.
    Unreachable {
        /// The base URL.
        url: String,
        /// Why, causes chained.
        cause: String,
    },
    /// The filters select no scenario.
    NothingSelected(String),
    /// The run could not be set up (the embedded server did not start, …).
    Setup(anyhow::Error),
    /// Provisioning fixtures through the API failed.
    Provisioning(String),
    /// The report ran, but a file could not be written.
    Artifact(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable { url, cause } => {
                write!(f, "the target {url} is unreachable: {cause}")
            }
            Self::NothingSelected(why) | Self::Provisioning(why) | Self::Artifact(why) => {
                f.write_str(why)
            }
            Self::Setup(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs the selected scenarios and reports per clause. Progress and the report go to `out`,
/// and the artifacts to their files, with every secret masked.
pub async fn run(config: RunConfig, out: &mut dyn Write) -> Result<Report, RunError> {
    let selected = selected_count(&config);
    if selected == 0 {
        return Err(RunError::NothingSelected(nothing_selected_message(&config)));
    }
    let target = config.target.connect().await.map_err(RunError::Setup)?;
    let redactor = target.redactor();
    let http = HttpClient::with_tls(
        target.remote.base_url.clone(),
        config.timeout,
        &target.remote.tls,
    )
    .map_err(RunError::Setup)?
    .with_redactor(redactor.clone());
    let mut console = Console {
        out,
        redactor: redactor.clone(),
        transcript: String::new(),
    };
    console.print(&format!(
        "share-conformance {}: {selected} scenarios against {}{}\n\n",
        env!("CARGO_PKG_VERSION"),
        target.origin(),
        if target.is_embedded() {
            " (embedded reference server)"
        } else {
            ""
        },
    ));
    if target.remote.tls.insecure {
        console.print(INSECURE_WARNING);
    }
    let root = preflight(&http).await?;
    let clock = target_clock(&root);

    let mut fixtures = target.remote.fixtures.clone();
    if let Some(plan) = &target.remote.provision {
        let made = provision::provision(&http, plan, &mut fixtures)
            .await
            .map_err(|e| RunError::Provisioning(redactor.redact(&e.to_string()).into_owned()))?;
        for line in made {
            console.print(&format!("provisioned {line}\n"));
        }
        console.print("\n");
    }

    let echoes = http.clone();
    let ctx = Arc::new(Context::new(
        http,
        target.remote.api_key.clone(),
        fixtures,
        config.suite.clone(),
        needs(&config),
        clock,
    ));
    let info = RunInfo {
        mode: config.mode,
        target: target.origin(),
        embedded: target.is_embedded(),
        tls_verified: !target.remote.tls.insecure,
        allow_flaky: config.allow_flaky,
        started_at: SystemTime::now(),
        duration: Duration::ZERO,
    };
    let started = Instant::now();
    // Repetitions share the context, so the run's first save of the live token is made once
    // and re-examined each time: the docs do not make a repeat save harmless.
    let repeat = config.repeat.max(1);
    let mut repetitions = Vec::new();
    for repetition in 1..=repeat {
        let mut results = run_cucumber(&config, ctx.clone(), &mut console, repeat > 1).await;
        if results.len() != selected {
            // Principle 1: a run passes only if every selected scenario ran.
            let message = format!(
                "{selected} scenarios were selected but {} reported a result",
                results.len()
            );
            results.push(synthetic_failure(
                "runner",
                "every selected scenario runs",
                message,
            ));
        }
        if repeat > 1 {
            let passed = results
                .iter()
                .filter(|r| r.outcome == Outcome::Passed)
                .count();
            console.print(&format!(
                "repetition {repetition}/{repeat}: {passed} of {} scenarios passed\n",
                results.len()
            ));
        }
        repetitions.push(results);
    }
    let results = combine_repetitions(repetitions);
    if repeat > 1 {
        console.print("\n");
        for result in &results {
            console.print(&scenario_lines(result));
        }
    }
    let info = RunInfo {
        duration: started.elapsed(),
        ..info
    };
    target.close().await;
    let mut report = Report::new(info, config.suite.catalogue(), results);
    console.print(&format!("\n{}\n", report.clause_table()));
    report.artifacts = write_artifacts(&config, &report, &mut console)?;
    report.leaks = leak::scan(&redactor, &report.artifacts, &console.transcript);
    report.echoed_secrets = echoes.echoed_secrets();
    console.print(&report.summary());
    Ok(report)
}

/// Writes the requested files, each through the console's redactor; even a failed run's.
fn write_artifacts(
    config: &RunConfig,
    report: &Report,
    console: &mut Console<'_>,
) -> Result<Vec<PathBuf>, RunError> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    if let Some(path) = &config.artifacts.junit {
        files.push((path.clone(), junit::render(report)));
    }
    if let Some(path) = &config.artifacts.cucumber_json {
        files.push((path.clone(), cucumber_json::render(report, &config.suite)));
    }
    if let Some(path) = &config.artifacts.report {
        let certificate = Certificate::new(report, &config.suite);
        files.push((path.clone(), certificate.to_markdown()));
        files.push((certificate::json_path(path), certificate.to_json()));
    }
    let mut written = Vec::new();
    for (path, text) in files {
        std::fs::write(&path, console.redactor.redact(&text).as_bytes())
            .map_err(|e| RunError::Artifact(format!("cannot write {}: {e}", path.display())))?;
        console.print(&format!("wrote {}\n", path.display()));
        written.push(path);
    }
    Ok(written)
}

/// One request to the base URL: any HTTP answer means the target is reachable.
async fn preflight(http: &HttpClient) -> Result<Exchange, RunError> {
    http.send(
        Method::GET,
        &[],
        KeyHeader::Absent,
        "GET / (preflight)".into(),
    )
    .await
    .map_err(|e| RunError::Unreachable {
        url: http.base().to_string(),
        cause: e.reason,
    })
}

/// The target's clock at the start of the run, from the preflight's `Date` header.
fn target_clock(root: &Exchange) -> TargetClock {
    let at_start = root.date();
    TargetClock {
        at_start,
        offset: at_start.map(|date| date - time::OffsetDateTime::now_utc()),
    }
}

/// What the selected scenarios read around the run's first save: the public view for
/// `@resolve` scenarios, the library (and the refused saves) for `@library` ones.
fn needs(config: &RunConfig) -> Needs {
    let mut needs = Needs::default();
    for sc in config
        .suite
        .scenarios()
        .filter(|s| scenario_selected(config, s.feature, s.rule, s.scenario))
    {
        let tags = sc.tags();
        needs.view |= tags.iter().any(|t| *t == RESOLVE_TAG);
        needs.library |= tags.iter().any(|t| *t == LIBRARY_TAG);
    }
    needs
}

fn scenario_selected(
    config: &RunConfig,
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> bool {
    let tags_ok = config
        .tags
        .as_ref()
        .is_none_or(|filter| filter.matches(&all_tags(feature, rule, scenario)));
    let name_ok = config
        .name_contains
        .as_deref()
        .is_none_or(|needle| scenario.name.contains(needle));
    tags_ok && name_ok
}

fn selected_count(config: &RunConfig) -> usize {
    config
        .suite
        .scenarios()
        .filter(|s| scenario_selected(config, s.feature, s.rule, s.scenario))
        .count()
}

fn nothing_selected_message(config: &RunConfig) -> String {
    let mut filters = Vec::new();
    if let Some(tags) = &config.tags {
        filters.push(format!("--tags {:?}", tags.text));
    }
    if let Some(name) = &config.name_contains {
        filters.push(format!("the name filter {name:?}"));
    }
    let mut tags: Vec<String> = config
        .suite
        .scenarios()
        .flat_map(|s| s.tags().into_iter().cloned())
        .filter(|t| clause_ids([t]).is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    format!(
        "{} selects no scenario, so the run would prove nothing\nhint: tags in the suite are @clause:<ID> (list them with `share-conformance clauses`) and {}",
        filters.join(" with "),
        tags.iter()
            .map(|t| format!("@{t}"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Where progress goes: every line passes the redactor, and is kept for the leak scan.
struct Console<'o> {
    out: &'o mut dyn Write,
    redactor: Redactor,
    transcript: String,
}

impl Console<'_> {
    fn print(&mut self, text: &str) {
        let text = self.redactor.redact(text);
        // Output is best effort: a closed pipe must not turn a verdict into a crash.
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
        self.transcript.push_str(&text);
    }
}

/// The scenarios' notes, handed from the `after` hook (which sees the World) to the report.
type Notes = Arc<Mutex<HashMap<(String, usize), Vec<String>>>>;

/// One scenario result per scenario out of several repetitions: a scenario that passed every
/// time is a pass, one that never passed keeps its first failure, and one whose outcome
/// changed carries its count of passes (it is FLAKY). A single repetition is left as it is.
fn combine_repetitions(mut repetitions: Vec<Vec<ScenarioResult>>) -> Vec<ScenarioResult> {
    if repetitions.len() <= 1 {
        return repetitions.pop().unwrap_or_default();
    }
    let runs = repetitions.len();
    let mut combined: Vec<ScenarioResult> = Vec::new();
    for result in repetitions.into_iter().flatten() {
        let passed = usize::from(result.outcome == Outcome::Passed);
        match combined
            .iter_mut()
            .find(|c| c.feature == result.feature && c.line == result.line)
        {
            None => combined.push(ScenarioResult {
                repetitions: Some(Repetitions { passed, runs }),
                ..result
            }),
            Some(existing) => {
                let counts = existing
                    .repetitions
                    .get_or_insert(Repetitions { passed: 0, runs });
                counts.passed += passed;
                // Keep the first failure: it is what a reader needs to see.
                if existing.outcome == Outcome::Passed && result.outcome != Outcome::Passed {
                    let counts = *counts;
                    *existing = ScenarioResult {
                        repetitions: Some(counts),
                        ..result
                    };
                }
            }
        }
    }
    combined
}

async fn run_cucumber(
    config: &RunConfig,
    ctx: Arc<Context>,
    console: &mut Console<'_>,
    quiet: bool,
) -> Vec<ScenarioResult> {
    let features: Vec<gherkin::Feature> = config.suite.features().to_vec();
    let notes: Notes = Arc::default();
    let notes_in_hook = notes.clone();
    let filter_config = config.clone();
    let recorder = Recorder {
        console,
        quiet,
        verbosity: config.verbosity,
        results: Vec::new(),
        pending: HashMap::new(),
    };
    let cucumber = cucumber::Cucumber::<_, _, _, _, _, cli::Empty>::custom(
        EmbeddedParser { features },
        runner::Basic::default(),
        recorder.normalized(),
    )
    .steps(ConformanceWorld::collection())
    .max_concurrent_scenarios(config.concurrency)
    // A `@retry(n)` tag would rerun a failing scenario until it passes and hide a flaky
    // server: nothing is retried (flakiness is measured with --repeat instead).
    .retry_options(|_, _, _, _| None)
    .before(move |_, _, _, world| {
        world.attach(ctx.clone());
        async {}.boxed_local()
    })
    .after(move |feature, _, scenario, _, world| {
        if let Some(world) = world {
            let key = (feature_path(feature), scenario.position.line);
            let taken = std::mem::take(&mut world.notes);
            if !taken.is_empty() {
                notes_in_hook
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, taken);
            }
        }
        async {}.boxed_local()
    })
    .with_cli(cli::Opts::<_, _, _, cli::Empty>::default())
    .filter_run((), move |feature, rule, scenario| {
        scenario_selected(&filter_config, feature, rule, scenario)
    });
    quiet_panics::install();
    let writer = quiet_panics::Polled::new(cucumber).await;
    quiet_panics::install();

    let notes = std::mem::take(&mut *notes.lock().unwrap_or_else(|p| p.into_inner()));
    let mut results = writer.inner_writer().results.clone();
    for result in &mut results {
        if let Some(n) = notes.get(&(result.feature.clone(), result.line)) {
            result.notes.clone_from(n);
        }
    }
    results
}

/// Feeds cucumber the suite's features, already parsed and expanded.
struct EmbeddedParser {
    features: Vec<gherkin::Feature>,
}

impl cucumber::Parser<()> for EmbeddedParser {
    type Cli = cli::Empty;
    type Output = futures::stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, (): (), _: cli::Empty) -> Self::Output {
        futures::stream::iter(self.features.into_iter().map(Ok).collect::<Vec<_>>())
    }
}

/// A scenario in progress.
#[derive(Default)]
struct Pending {
    started: Option<SystemTime>,
    /// Steps that started, by (background?, line).
    steps: HashMap<(bool, usize), StepTiming>,
    /// The first problem, which decides the scenario's outcome.
    problem: Option<Outcome>,
    /// The World's `Debug` at the first failure, for the highest verbosity.
    world_at_failure: Option<String>,
}

/// A step that started: when, and how and when it ended, once it did.
struct StepTiming {
    started: SystemTime,
    ended: Option<(StepStatus, SystemTime, Option<String>)>,
}

/// Records each scenario's outcome and prints a line when it finishes.
struct Recorder<'c, 'o> {
    console: &'c mut Console<'o>,
    /// Print nothing per scenario (repetitions print a tally instead).
    quiet: bool,
    verbosity: u8,
    results: Vec<ScenarioResult>,
    pending: HashMap<(String, usize), Pending>,
}

/// A result standing for something other than a scenario (the parser, the runner itself).
fn synthetic_failure(what: &str, name: &str, message: String) -> ScenarioResult {
    ScenarioResult {
        feature: format!("({what})"),
        line: 0,
        name: name.into(),
        clauses: Vec::new(),
        advisory: false,
        outcome: Outcome::Failed {
            step: "-".into(),
            location: "-".into(),
            message,
        },
        sources: Vec::new(),
        notes: Vec::new(),
        steps: Vec::new(),
        duration: Duration::ZERO,
        repetitions: None,
    }
}

impl cucumber::Writer<ConformanceWorld> for Recorder<'_, '_> {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<CucumberEvent<ConformanceWorld>>>,
        _: &cli::Empty,
    ) {
        let (event, at) = match event {
            Ok(event) => (event.value, event.at),
            Err(e) => {
                // Features are parsed before the run, so this is not expected; still a failure.
                self.console.print(&format!("FAIL  the suite: {e}\n"));
                self.results.push(synthetic_failure(
                    "parser",
                    "the suite parses",
                    e.to_string(),
                ));
                return;
            }
        };
        match event {
            CucumberEvent::Feature(feature, FeatureEvent::Scenario(scenario, ev)) => {
                self.scenario_event(&feature, None, &scenario, ev.event, at);
            }
            CucumberEvent::Feature(
                feature,
                FeatureEvent::Rule(rule, RuleEvent::Scenario(scenario, ev)),
            ) => {
                self.scenario_event(&feature, Some(&rule), &scenario, ev.event, at);
            }
            _ => {}
        }
    }
}

impl Recorder<'_, '_> {
    fn scenario_event(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        event: event::Scenario<ConformanceWorld>,
        at: SystemTime,
    ) {
        let key = (feature_path(feature), scenario.position.line);
        if let event::Scenario::Finished = event {
            self.finish(key, feature, rule, scenario, at);
            return;
        }
        let dump_world = self.verbosity >= 2;
        let Some(pending) = self.pending.get_mut(&key) else {
            if let event::Scenario::Started = event {
                self.pending.insert(
                    key,
                    Pending {
                        started: Some(at),
                        ..Pending::default()
                    },
                );
            }
            return;
        };
        let location = |step: &gherkin::Step| format!("{}:{}", key.0, step.position.line);
        let describe = |step: &gherkin::Step| format!("{}{}", step.keyword, step.value);
        let (step, ev, background) = match event {
            event::Scenario::Step(step, ev) => (step, ev, false),
            event::Scenario::Background(step, ev) => (step, ev, true),
            event::Scenario::Hook(which, event::Hook::Failed(_, info)) => {
                pending.problem.get_or_insert(Outcome::Failed {
                    step: format!("{which} hook"),
                    location: key.0.clone(),
                    message: panic_text(&info),
                });
                return;
            }
            _ => return,
        };
        let slot = (background, step.position.line);
        let (status, message) = match ev {
            event::Step::Started => {
                pending.steps.insert(
                    slot,
                    StepTiming {
                        started: at,
                        ended: None,
                    },
                );
                return;
            }
            event::Step::Passed(..) => (StepStatus::Passed, None),
            event::Step::Skipped => {
                let message = "no step definition matches this step, so it was skipped: an undefined step fails";
                pending.problem.get_or_insert(Outcome::Failed {
                    step: describe(&step),
                    location: location(&step),
                    message: message.into(),
                });
                (StepStatus::Undefined, Some(message.to_owned()))
            }
            event::Step::Failed(_, _, world, error) => {
                // Only -vv prints it: a run full of failures (the fault matrix) need not format it.
                if dump_world && pending.world_at_failure.is_none() {
                    pending.world_at_failure = world.map(|w| format!("{w:?}"));
                }
                let outcome = classify(&error, describe(&step), location(&step));
                let (status, message) = match &outcome {
                    Outcome::NotTestable { reason } => (StepStatus::NotTestable, reason.clone()),
                    Outcome::Failed { message, .. } => (StepStatus::Failed, message.clone()),
                    Outcome::Passed => (StepStatus::Passed, String::new()),
                };
                pending.problem.get_or_insert(outcome);
                (status, Some(message))
            }
        };
        let timing = pending.steps.entry(slot).or_insert(StepTiming {
            started: at,
            ended: None,
        });
        timing.ended = Some((status, at, message));
    }

    fn finish(
        &mut self,
        key: (String, usize),
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        at: SystemTime,
    ) {
        let pending = self.pending.remove(&key).unwrap_or_default();
        let background_steps = feature
            .background
            .iter()
            .chain(rule.and_then(|r| r.background.as_ref()))
            .flat_map(|b| b.steps.iter().map(|s| (true, s)));
        let steps = background_steps
            .chain(scenario.steps.iter().map(|s| (false, s)))
            .map(|(background, step)| {
                let recorded = pending.steps.get(&(background, step.position.line));
                let (status, duration, message) = match recorded {
                    Some(StepTiming {
                        started,
                        ended: Some((status, ended, message)),
                    }) => (
                        *status,
                        ended.duration_since(*started).unwrap_or_default(),
                        message.clone(),
                    ),
                    _ => (StepStatus::Skipped, Duration::ZERO, None),
                };
                StepRecord {
                    keyword: step.keyword.clone(),
                    text: step.value.clone(),
                    line: step.position.line,
                    background,
                    status,
                    duration,
                    message,
                }
            })
            .collect();
        let tags = all_tags(feature, rule, scenario);
        let result = ScenarioResult {
            feature: key.0,
            line: key.1,
            name: scenario.name.clone(),
            clauses: clause_ids(tags.iter().copied())
                .into_iter()
                .map(str::to_owned)
                .collect(),
            advisory: tags.iter().any(|t| *t == SHOULD_TAG),
            outcome: pending.problem.unwrap_or(Outcome::Passed),
            sources: sources(scenario),
            notes: Vec::new(),
            steps,
            repetitions: None,
            duration: pending
                .started
                .and_then(|started| at.duration_since(started).ok())
                .unwrap_or_default(),
        };
        let mut lines = scenario_lines(&result);
        if self.verbosity >= 1 {
            lines.push_str(&step_lines(&result));
        }
        if self.verbosity >= 2
            && let Some(world) = &pending.world_at_failure
        {
            lines.push_str(&format!("               state at the failure: {world}\n"));
        }
        if !self.quiet {
            self.console.print(&lines);
        }
        self.results.push(result);
    }
}

/// The lines of a scenario's description that say what it rests on.
fn sources(scenario: &gherkin::Scenario) -> Vec<String> {
    scenario
        .description
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !crate::suite::provenance_marks(line).is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every step of a scenario with its status and duration, for `-v`.
fn step_lines(result: &ScenarioResult) -> String {
    result
        .steps
        .iter()
        .map(|step| {
            let mark = match step.status {
                StepStatus::Passed => "passed ",
                StepStatus::Failed => "FAILED ",
                StepStatus::NotTestable => "n/t    ",
                StepStatus::Undefined => "UNDEF  ",
                StepStatus::Skipped => "skipped",
            };
            format!(
                "               {mark} {}{}  ({} ms)\n",
                step.keyword,
                step.text,
                step.duration.as_millis()
            )
        })
        .collect()
}

fn classify(error: &event::StepError, step: String, location: String) -> Outcome {
    let message = match error {
        event::StepError::Panic(info) => {
            if let Some(NotTestable(reason)) = info.downcast_ref::<NotTestable>() {
                return Outcome::NotTestable {
                    reason: reason.clone(),
                };
            }
            panic_text(info)
        }
        other => other.to_string(),
    };
    Outcome::Failed {
        step,
        location,
        message,
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(text) = info.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = info.downcast_ref::<&str>() {
        (*text).to_owned()
    } else {
        "the step panicked with a value that is not text".into()
    }
}

/// Step failures and NOT-TESTABLE travel as panics that cucumber catches; they must not be
/// printed, while every other panic in the process must be.
///
/// cucumber silences the global panic hook for the length of a run and then restores the
/// hook it found. When runs overlap in one process (the mutation matrix, parallel tests),
/// each can restore another's silence and leave the process mute. So a run installs, before
/// and after cucumber, a hook that is silent only on a thread that is polling a run at that
/// moment, and otherwise calls the hook the process had before the first run.
mod quiet_panics {
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

    pub fn install() {
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
    pub struct Polled<F> {
        inner: Pin<Box<F>>,
    }

    impl<F> Polled<F> {
        pub fn new(inner: F) -> Self {
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
}
