//! A run, as a pipeline: the suite → selection → driven by cucumber → recorded per scenario →
//! repetitions combined → judged → rendered → a [`Report`].
//!
//! [`Run`] is the builder that says what to run and how; [`Run::execute`] walks the pipeline
//! once, and builds the report once, at the end.

mod drive;
pub(crate) mod quiet_panics;
mod repeat;
mod results;
pub(crate) mod select;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;

use self::drive::Drive;
use self::select::{Pass, Selection, TagFilter};
use crate::certificate::{self, Certificate};
use crate::error::Error;
use crate::evidence::{RecordedFixtures, RecordedSettings, Recording};
use crate::exchange::Exchange;
use crate::exchange::KeyHeader;
use crate::http::HttpClient;
use crate::known::{self, KnownFailures, KnownOn};
use crate::plan::LifecyclePlan;
use crate::render::{console, cucumber_json, html, junit, markdown};
use crate::report::{Judgement, Mode, Outputs, Report, RunInfo, ScenarioResult};
use crate::secret::{ApiKey, Redactor};
use crate::steps::{Context, Setup, TargetClock};
use crate::suite::Suite;
use crate::target::Target;
use crate::{leak, provision};

/// The default bound on every request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a target's reads (List saved tracks, the public resolve) may lag its writes by
/// default: the docs promise no read-after-write consistency.
pub const DEFAULT_READ_LAG: Duration = Duration::from_secs(2);

/// The default number of scenarios in flight at once: more than the suite has, so against a
/// distant target the wall time is its critical path, not a queue. (Memory stays bounded:
/// each response holds at most a capped body.)
pub const DEFAULT_CONCURRENCY: usize = 128;

/// One run of the suite against a [`Target`], configured step by step.
///
/// ```no_run
/// # async fn example(target: share_conformance::Target) -> Result<(), share_conformance::Error> {
/// use share_conformance::Run;
///
/// let report = Run::new(target)
///     .tags("not @should")?
///     .concurrency(16)
///     .execute()
///     .await?;
/// report.assert_passed();
/// # Ok(())
/// # }
/// ```
pub struct Run {
    target: Target,
    suite: Option<Arc<Suite>>,
    selection: Selection,
    concurrency: usize,
    timeout: Duration,
    mode: Mode,
    repeat: u32,
    allow_flaky: bool,
    strict: bool,
    read_lag: Duration,
    verbosity: u8,
    artifacts: Artifacts,
    progress: Option<Box<dyn Write>>,
    known: Option<KnownFailures>,
    /// The day known failures are judged on, when it is not the run's own (a re-grade judges
    /// on the recorded run's day).
    known_as_of: Option<time::Date>,
}

/// Files a run writes besides its progress.
#[derive(Debug, Clone, Default)]
struct Artifacts {
    junit: Option<PathBuf>,
    cucumber_json: Option<PathBuf>,
    report: Option<PathBuf>,
    html: Option<PathBuf>,
}

impl Run {
    /// The whole embedded suite against `target`, with default settings. It prints nothing:
    /// ask for progress with [`Run::progress`].
    pub fn new(target: Target) -> Self {
        Self {
            target,
            suite: None,
            selection: Selection::default(),
            concurrency: DEFAULT_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            mode: Mode::Run,
            repeat: 1,
            allow_flaky: false,
            strict: false,
            read_lag: DEFAULT_READ_LAG,
            verbosity: 0,
            artifacts: Artifacts::default(),
            progress: None,
            known: None,
            known_as_of: None,
        }
    }

    /// Judges a recorded run again, with this suite: the same scenarios (the same tags, name
    /// filter and repetitions) and mode, every request answered from the recording. It opens
    /// no connection. A scenario that sends a request the recording holds no answer to (or
    /// one recorded for another request) is NOT-TESTABLE, and the run does not pass
    /// ([`Blocker::Recording`](crate::report::Blocker::Recording)). A recording no run could have made
    /// (a certification with a tag filter, say) is refused.
    pub fn regrade(certificate: &Certificate) -> Result<Self, Error> {
        check_recording(certificate)?;
        let recording = &certificate.recording;
        let mut target = Target::recorded(recording, &certificate.target.origin);
        if !certificate.target.tls_verified {
            // Said again in every output of the re-grade, as it was in the run's.
            target = target.insecure();
        }
        let mut run = Self::new(target).repeat(recording.settings.repeat.max(1));
        if let Some(tags) = &recording.settings.tags {
            run = run.tags(tags)?;
        }
        if let Some(name) = &recording.settings.name_contains {
            run = run.name_contains(name);
        }
        if recording.settings.allow_flaky {
            run = run.allow_flaky();
        }
        if recording.settings.strict {
            run = run.strict();
        }
        run = run.read_lag(Duration::from_millis(recording.settings.read_lag_ms));
        if certificate.mode == "certify" {
            run = run.certify();
        }
        if let Some(known) = &recording.settings.known_failures {
            run = run.known_failures(known.clone());
            // The day the target answered (its first recorded answer), not the day the file
            // says it started, which is easier to edit.
            let answered = recording
                .exchanges
                .iter()
                .find_map(|e| e.answered_at.as_deref())
                .unwrap_or(&certificate.started_at);
            run.known_as_of = Some(
                crate::time::parse(answered)
                    .map_err(|reason| not_a_recording(&reason))?
                    .date(),
            );
        }
        Ok(run)
    }

    /// Only the scenarios whose tags match this cucumber tag expression
    /// (`@clause:SAVE-201-CREATED`, `not @should`).
    pub fn tags(mut self, expression: &str) -> Result<Self, Error> {
        self.selection.tags = Some(TagFilter::parse(expression)?);
        Ok(self)
    }

    /// Only the scenarios whose name contains `text`.
    pub fn name_contains(mut self, text: &str) -> Self {
        self.selection.name_contains = Some(text.to_owned());
        self
    }

    /// At most `n` scenarios in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// The bound on every request, body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long the target's reads (List saved tracks, the public resolve) may lag its writes
    /// ([`DEFAULT_READ_LAG`] unless set): an expected state is waited for this long, and only
    /// while it has not appeared; a write that must not happen is looked for once this long
    /// has passed. Zero judges every read at once.
    pub fn read_lag(mut self, lag: Duration) -> Self {
        self.read_lag = lag;
        self
    }

    /// A certification: the run passes only if every MUST clause of the catalogue was tested
    /// and passed.
    pub fn certify(mut self) -> Self {
        self.mode = Mode::Certify;
        self
    }

    /// Runs the selected scenarios `times` times; a verdict that changes is FLAKY.
    pub fn repeat(mut self, times: u32) -> Self {
        self.repeat = times;
        self
    }

    /// Failing MUST clauses these entries list are KNOWN-FAILURE, and do not fail the run
    /// through each entry's date; an entry past its date, or naming a clause the suite does not
    /// have, fails the run. A certification refuses them.
    pub fn known_failures(mut self, known: KnownFailures) -> Self {
        self.known = Some(known);
        self
    }

    /// FLAKY MUST clauses do not fail the run.
    pub fn allow_flaky(mut self) -> Self {
        self.allow_flaky = true;
        self
    }

    /// A SHOULD clause that does not pass (ADVISORY-FAIL, NOT-TESTABLE or FLAKY) fails the
    /// run too, for a gate that holds its target to the advice as well; a known-failures entry
    /// can excuse one that fails. A certification takes no such setting: SHOULD clauses are
    /// advice by the docs' own words.
    pub fn strict(mut self) -> Self {
        self.strict = true;
        self
    }

    /// 0: a line per scenario; 1: and every step; 2: and the scenario's state at a failure.
    pub fn verbosity(mut self, level: u8) -> Self {
        self.verbosity = level;
        self
    }

    /// Writes JUnit XML to `path`.
    pub fn junit(mut self, path: impl Into<PathBuf>) -> Self {
        self.artifacts.junit = Some(path.into());
        self
    }

    /// Writes Cucumber JSON to `path`.
    pub fn cucumber_json(mut self, path: impl Into<PathBuf>) -> Self {
        self.artifacts.cucumber_json = Some(path.into());
        self
    }

    /// Writes the report (the certificate, in a certification) as Markdown to `path` and as
    /// JSON to `path` + `.json`.
    pub fn report(mut self, path: impl Into<PathBuf>) -> Self {
        self.artifacts.report = Some(path.into());
        self
    }

    /// Writes one self-contained HTML page to `path`: the summary, the clause matrix, each
    /// clause's doc sentence, every failure with its response, diff and `curl` commands, and
    /// the certificate's hashes when a report is written too.
    pub fn html(mut self, path: impl Into<PathBuf>) -> Self {
        self.artifacts.html = Some(path.into());
        self
    }

    /// Runs this suite instead of the embedded one.
    pub fn suite(mut self, suite: Arc<Suite>) -> Self {
        self.suite = Some(suite);
        self
    }

    /// Writes progress (a line per scenario, the clause table, the summary) to `out`, every
    /// key masked. Without it, a run prints nothing.
    ///
    /// Under `cargo test`, standard output written this way is not captured by the test
    /// harness: a passing test would print every line.
    pub fn progress(mut self, out: impl Write + 'static) -> Self {
        self.progress = Some(Box::new(out));
        self
    }

    /// Writes no progress at all (the default).
    pub fn quiet(mut self) -> Self {
        self.progress = None;
        self
    }

    /// Runs the selected scenarios and judges every clause. The files asked for are written,
    /// even for a failed run, with every secret masked; a file in which the leak scan still
    /// finds one is removed, and the leak fails the run.
    pub async fn execute(mut self) -> Result<Report, Error> {
        self.check_settings()?;
        let suite = match &self.suite {
            Some(suite) => suite.clone(),
            None => Arc::new(Suite::embedded()?),
        };
        let selected = self.selection.count(&suite)?;
        let target = &self.target;
        let redactor = target.redactor();
        let mut http = HttpClient::with_tls(target.url().clone(), self.timeout, target.tls())?
            .with_redactor(redactor.clone())
            .with_key_names(key_names(target));
        match target.replay() {
            Some(replay) => http = http.replaying(replay),
            None => target.check_transport()?,
        }
        let mut progress = Progress::new(self.progress.take(), redactor.clone());
        let name = console::target_name(&target.origin(), target.description());
        progress.print(&console::run_header(selected, &name, self.strict));
        if !target.verifies_tls() {
            progress.print(console::INSECURE_WARNING);
        }
        let root = match preflight(&http).await {
            Err(Error::Unreachable { cause, .. }) if target.replay().is_some() => {
                return Err(not_a_recording(&format!("its preflight: {cause}")));
            }
            other => other?,
        };
        let clock = target_clock(&root);

        let mut fixtures = target.fixtures().clone();
        let mut lifecycle = LifecyclePlan::default();
        if let Some(plan) = target.provisioning() {
            let made = provision::provision(
                &http.scoped(crate::evidence::PROVISION_SCOPE),
                plan,
                &mut fixtures,
            )
            .await?;
            progress.print(&console::provisioned(&made.lines));
            lifecycle = LifecyclePlan {
                sharer: Some(plan.clone()),
                live_share: made.live_share,
                disposable: made.disposable,
            };
        }
        if let Some(recorded) = target.recorded_lifecycle() {
            // Re-grading: the lifecycles the run made, their requests answered from the
            // recording (the sharer's key stands in: it is never recorded).
            lifecycle = recorded;
        }

        if crate::fixtures::ShareState::ALL
            .iter()
            .all(|state| fixtures.tokens.get(*state).is_none())
        {
            progress.print(console::NO_FIXTURES_WARNING);
        }
        let recorded_fixtures = RecordedFixtures::of(&fixtures, target.key().is_some(), &lifecycle);
        let echoes = http.clone();
        let ctx = Arc::new(Context::new(Setup {
            http,
            api_key: target.key().cloned(),
            fixtures,
            suite: suite.clone(),
            needs: self.selection.needs(&suite),
            clock,
            read_lag: self.read_lag,
            lifecycle,
        }));
        let started_at = SystemTime::now();
        // One day for the whole run, so a run across midnight judges every entry alike.
        let today = self
            .known_as_of
            .unwrap_or_else(|| known::day_of(started_at));
        let known = self.known.as_ref().map(|list| KnownOn {
            list,
            today,
            strict: self.strict,
        });
        let started = Instant::now();
        let results = self
            .drive_repetitions(&suite, ctx, selected, known, &mut progress)
            .await;
        let info = RunInfo {
            mode: self.mode,
            target: target.origin(),
            target_description: target.description().map(str::to_owned),
            tls_verified: target.verifies_tls(),
            allow_flaky: self.allow_flaky,
            strict: self.strict,
            started_at,
            duration: started.elapsed(),
        };
        let mut verdicts = Judgement::judge(suite.catalogue(), results, known);
        if let Some(replay) = target.replay() {
            verdicts.recording_problems = replay.problems();
            verdicts.unused_exchanges = replay.unused();
        }
        progress.print(&format!("\n{}\n", console::clause_table(&verdicts)));
        let recording = Recording {
            settings: self.recorded_settings(),
            fixtures: recorded_fixtures,
            exchanges: echoes.recorder().exchanges(),
        };
        let artifacts =
            self.write_artifacts(&info, &verdicts, &suite, &recording, &mut progress)?;
        let leaks = leak::scan(&redactor, &artifacts, progress.transcript());
        let report = Report::new(
            info,
            verdicts,
            Outputs {
                artifacts,
                leaks,
                echoed_secrets: echoes.echoed_secrets(),
            },
            recording,
        );
        progress.print(&console::summary(&report));
        Ok(report)
    }

    fn check_settings(&self) -> Result<(), Error> {
        let invalid = |name, reason: &str| {
            Err(Error::Setting {
                name,
                reason: reason.to_owned(),
            })
        };
        if self.timeout.is_zero() {
            return invalid(
                "timeout",
                "must be more than zero: every request would time out",
            );
        }
        if self.concurrency == 0 {
            return invalid("concurrency", "must be at least 1: no scenario could run");
        }
        if self.read_lag > Duration::from_secs(60) {
            return invalid(
                "read-lag",
                "must be at most 60 seconds: a write that shows later than that is not a lag",
            );
        }
        if self.repeat == 0 {
            return invalid("repeat", "must be at least 1: no scenario would run");
        }
        if self.mode == Mode::Certify && self.strict {
            return invalid(
                "strict",
                "is for a run: a certification judges every MUST clause, and reports SHOULD clauses as the advice they are",
            );
        }
        if self.mode == Mode::Certify && self.known.is_some() {
            return Err(Error::KnownFailures {
                path: None,
                reason:
                    "a certification takes none: a certificate states every MUST clause as it is"
                        .into(),
            });
        }
        Ok(())
    }

    /// The selected scenarios, run `repeat` times and combined. Repetitions share the
    /// context, so the run's first save of the live token is made once and re-examined each
    /// time: the docs do not make a repeat save harmless.
    async fn drive_repetitions(
        &self,
        suite: &Suite,
        ctx: Arc<Context>,
        selected: usize,
        known: Option<KnownOn<'_>>,
        progress: &mut Progress,
    ) -> Vec<ScenarioResult> {
        let repeat = self.repeat.max(1);
        let drive = |pass| Drive {
            suite,
            selection: &self.selection,
            concurrency: self.concurrency,
            verbosity: self.verbosity,
            quiet: repeat > 1,
            known,
            pass,
        };
        // Every repetition of the main pass, then every repetition of what comes after the
        // rest (the revoke lifecycle revokes the live share the main pass saves).
        let mut passes: Vec<Vec<ScenarioResult>> = Vec::new();
        for pass in Pass::ALL {
            for repetition in 0..repeat as usize {
                let results = drive(pass).scenarios(ctx.clone(), progress).await;
                match passes.get_mut(repetition) {
                    Some(done) => done.extend(results),
                    None => passes.push(results),
                }
            }
        }
        let mut repetitions = Vec::new();
        for (repetition, mut results) in (1..=repeat).zip(passes) {
            if results.len() != selected {
                // A run passes only if every selected scenario ran.
                results.push(ScenarioResult::of_the_runner(
                    "runner",
                    "every selected scenario runs",
                    format!(
                        "{selected} scenarios were selected but {} reported a result",
                        results.len()
                    ),
                ));
            }
            if repeat > 1 {
                progress.print(&console::repetition_tally(repetition, repeat, &results));
            }
            repetitions.push(results);
        }
        let results = repeat::combine(repetitions);
        if repeat > 1 {
            progress.print("\n");
            for result in &results {
                progress.print(&console::scenario_lines(result));
            }
        }
        results
    }

    /// How this run selects its scenarios, as a recording keeps it.
    fn recorded_settings(&self) -> RecordedSettings {
        RecordedSettings {
            tags: self.selection.tags.as_ref().map(|t| t.text().to_owned()),
            name_contains: self.selection.name_contains.clone(),
            repeat: self.repeat.max(1),
            allow_flaky: self.allow_flaky,
            strict: self.strict,
            read_lag_ms: u64::try_from(self.read_lag.as_millis()).unwrap_or(u64::MAX),
            known_failures: self.known.clone(),
            base_path: Some(self.target.url().path().trim_end_matches('/'))
                .filter(|path| !path.is_empty())
                .map(str::to_owned),
        }
    }

    /// Renders and writes the files asked for, each through the redactor.
    fn write_artifacts(
        &self,
        info: &RunInfo,
        verdicts: &Judgement,
        suite: &Suite,
        recording: &Recording,
        progress: &mut Progress,
    ) -> Result<Vec<PathBuf>, Error> {
        // Every text is masked once, here, and written as it is.
        let redactor = progress.redactor.clone();
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        let masked = |text: String| redactor.redact(&text).into_owned();
        if let Some(path) = &self.artifacts.junit {
            files.push((path.clone(), masked(junit::render(info, verdicts))));
        }
        if let Some(path) = &self.artifacts.cucumber_json {
            files.push((path.clone(), masked(cucumber_json::render(verdicts, suite))));
        }
        let mut written_certificate = None;
        if let Some(path) = &self.artifacts.report {
            let certificate = Certificate::new(info, verdicts, suite, recording.clone());
            let json_path = certificate::json_path(path);
            files.push((path.clone(), masked(markdown::certificate(&certificate))));
            let json = masked(certificate.to_json());
            // The hash of the JSON as written, for the page.
            let json_sha256 = crate::digest::sha256_hex(json.as_bytes());
            files.push((json_path.clone(), json));
            written_certificate = Some((certificate, json_path, json_sha256));
        }
        if let Some(path) = &self.artifacts.html {
            let blockers = verdicts.blockers(info);
            let page = html::Page {
                run: info,
                verdicts,
                blockers: &blockers,
                suite,
                recording,
                certificate: written_certificate.as_ref().map(
                    |(certificate, json_path, json_sha256)| html::WrittenCertificate {
                        certificate,
                        json_path: json_path.display().to_string(),
                        json_sha256: json_sha256.clone(),
                    },
                ),
            };
            files.push((path.clone(), masked(html::render(&page))));
        }
        let mut written = Vec::new();
        for (path, text) in files {
            std::fs::write(&path, text.as_bytes()).map_err(|e| Error::Artifact {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            progress.print(&format!("wrote {}\n", path.display()));
            written.push(path);
        }
        Ok(written)
    }
}

/// Where progress goes: every line passes the redactor, and is kept for the leak scan.
pub(crate) struct Progress {
    out: Option<Box<dyn Write>>,
    redactor: Redactor,
    transcript: String,
}

impl Progress {
    fn new(out: Option<Box<dyn Write>>, redactor: Redactor) -> Self {
        Self {
            out,
            redactor,
            transcript: String::new(),
        }
    }

    /// Prints `text`, masked.
    pub(crate) fn print(&mut self, text: &str) {
        let text = self.redactor.redact(text);
        if let Some(out) = &mut self.out {
            // Output is best effort: a closed pipe must not turn a verdict into a crash.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        self.transcript.push_str(&text);
    }

    /// Everything printed so far (or that would have been, when quiet).
    fn transcript(&self) -> &str {
        &self.transcript
    }
}

/// How a `curl` command names each key the run may send: the recipient's as
/// `$FREDDY_API_KEY`, its near miss as that with its last character changed, the sharer's as
/// `$FREDDY_SHARER_API_KEY`.
fn key_names(target: &Target) -> Vec<(ApiKey, String)> {
    let mut names = Vec::new();
    if let Some(key) = target.key() {
        names.push((key.clone(), "$FREDDY_API_KEY".to_owned()));
        names.push((
            crate::secret::near_miss(key),
            // The last character shifted as `secret::near_miss` shifts it (bash).
            r#"${FREDDY_API_KEY%?}$(printf %s "${FREDDY_API_KEY: -1}" | tr 0-9a-zA-Z- 1-90b-zaB-ZA_)"#
                .to_owned(),
        ));
        for twist in crate::twist::Twist::OF_KEYS {
            names.push((key.twisted(twist), twist.shell("FREDDY_API_KEY")));
        }
    }
    if let Some(plan) = target.provisioning() {
        names.push((plan.sharer_key.clone(), "$FREDDY_SHARER_API_KEY".to_owned()));
    }
    names
}

fn not_a_recording(reason: &str) -> Error {
    Error::NotACertificate {
        path: "its recording".into(),
        reason: format!("no run could have recorded this: {reason}"),
    }
}

/// Refuses a recording that no run of this harness could have made.
fn check_recording(certificate: &Certificate) -> Result<(), Error> {
    let settings = &certificate.recording.settings;
    match certificate.mode.as_str() {
        "run" => {}
        "certify" => {
            if settings.tags.is_some()
                || settings.name_contains.is_some()
                || settings.repeat != 1
                || settings.allow_flaky
                || settings.strict
                || settings.known_failures.is_some()
            {
                return Err(not_a_recording(
                    "a certification runs the whole suite once, with no filter, no tolerance of flaky clauses and no known failures",
                ));
            }
        }
        other => return Err(not_a_recording(&format!("its mode is {other:?}"))),
    }
    if !(1..=1000).contains(&settings.repeat) {
        return Err(not_a_recording(&format!(
            "it repeats {} times (1 to 1000 can be asked for)",
            settings.repeat
        )));
    }
    for exchange in &certificate.recording.exchanges {
        if let Some(response) = &exchange.response {
            if !(100..=599).contains(&response.status) {
                return Err(not_a_recording(&format!(
                    "exchange {} has the status {}",
                    exchange.id, response.status
                )));
            }
            if response.body_base64 && crate::secret::base64_decode(&response.body).is_none() {
                return Err(not_a_recording(&format!(
                    "exchange {}'s body is not base64",
                    exchange.id
                )));
            }
        }
    }
    Ok(())
}

/// One request to the base URL: any HTTP answer means the target is reachable.
async fn preflight(http: &HttpClient) -> Result<Exchange, Error> {
    http.send(
        Method::GET,
        &[],
        KeyHeader::Absent,
        "GET / (preflight)".into(),
    )
    .await
    .map_err(|e| Error::Unreachable {
        url: http.base().to_string(),
        cause: e.reason,
    })
}

/// The target's clock at the start of the run, from the preflight's `Date` header.
fn target_clock(root: &Exchange) -> TargetClock {
    let at_start = root.date();
    let arrived = root
        .answered_at
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    TargetClock {
        at_start,
        offset: at_start.map(|date| date - arrived),
    }
}
