//! The command line: clap's raw arguments, and their one-time conversion into the library's
//! [`Target`] and [`Run`]. The environment is read here and nowhere else, and the library's
//! errors get the names of the flags that caused them here.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail};
use clap::{Args, Parser, Subcommand};
use share_conformance::fixtures::ShareState;
use share_conformance::known::KnownFailures;
use share_conformance::provision::Provision;
use share_conformance::run::{DEFAULT_CONCURRENCY, DEFAULT_READ_LAG, DEFAULT_TIMEOUT};
use share_conformance::secret::ApiKey;
use share_conformance::{Error, Fixtures, Run, Suite, Target};
use share_conformance_reference::faults::Fault;
use share_conformance_reference::variants::Variant;

/// The environment variable holding the recipient's key (the docs' own name).
pub const API_KEY_ENV: &str = "FREDDY_API_KEY";
/// The environment variable holding the sharer's key, for `--provision`.
pub const SHARER_API_KEY_ENV: &str = "FREDDY_SHARER_API_KEY";

/// Conformance harness for the Freddy Music API endpoint "Save a shared track"
/// (POST /v1/music/shared/{token}/save).
#[derive(Debug, Parser)]
#[command(name = "share-conformance", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Use the suite (features/, schemas/, snapshots/) in DIR instead of the one compiled in
    #[arg(long, value_name = "DIR", global = true)]
    pub suite_dir: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against a target (the embedded reference server when --base-url is omitted)
    Run(RunArgs),
    /// Run every MUST clause and write a certificate (no tag filter; a NOT-TESTABLE MUST clause fails)
    Certify(CertifyArgs),
    /// Check that a run against the target can be meaningful: reachability, keys, fixtures, clock
    Doctor(DoctorArgs),
    /// Check that a JSON certificate was produced by this suite (its recorded file hashes), and
    /// that its verdicts follow from its recorded exchanges (it is re-graded, offline)
    VerifyCertificate(VerifyArgs),
    /// Judge a recorded run (a report's or certificate's JSON) again with this suite, offline:
    /// no connection is opened
    Regrade(RegradeArgs),
    /// Run the reference server standalone and print its fixtures
    Serve(ServeArgs),
    /// Print the traceability matrix: every clause, its level, its doc sentence, its scenarios
    Clauses,
    /// List the fault catalogue: the reference server's deliberate defects and the clauses that catch them
    Faults(FaultsArgs),
    /// List the conforming variants: choices the docs leave open, each of which the suite must pass
    Variants(FaultsArgs),
}

/// Where to run and with what.
#[derive(Debug, Args)]
#[command(next_help_heading = "Target")]
pub struct TargetArgs {
    /// Base URL of the server under test; omitted: the embedded reference server
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The recipient's API key [default: $FREDDY_API_KEY, then api_key in the fixtures file]
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,
    /// Fixtures file (TOML): share tokens in each state, what saving the live one returns
    #[arg(long, value_name = "FILE")]
    pub fixtures: Option<PathBuf>,
    /// The recipient's organization, for the library checks [default: [recipient] organization_id in the fixtures]
    #[arg(long, value_name = "org_…")]
    pub recipient_organization: Option<String>,
    /// Bound on every request, body included, in seconds
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT.as_secs_f64(), value_parser = parse_timeout)]
    pub timeout: f64,
    /// Scenarios in flight at once (1 runs them one after another)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
    /// How long the target's reads (List saved tracks, the public resolve) may lag its writes,
    /// in seconds: an expected state is waited for this long, and only while it has not appeared
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_READ_LAG.as_secs_f64(), value_parser = parse_read_lag)]
    pub read_lag: f64,
    /// Fixture provisioning through the documented API.
    #[command(flatten)]
    pub provision: ProvisionArgs,
    /// Trust the CA certificates (PEM) in this file besides the platform's roots
    #[arg(help_heading = "Transport security", long, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// Do not verify the target's TLS certificate (a warning is printed on every run)
    #[arg(help_heading = "Transport security", long)]
    pub insecure: bool,
    /// Allow sending a key over plain http to a host other than this machine
    #[arg(help_heading = "Transport security", long)]
    pub allow_insecure_http: bool,
}

/// Making fixtures through the documented API.
#[derive(Debug, Args)]
#[command(next_help_heading = "Provisioning fixtures through the API")]
pub struct ProvisionArgs {
    /// Make fixtures through the API before the run: every state the flags below allow, or
    /// only STATES (comma-separated: live, revoked, removed, collection)
    #[arg(long, value_name = "STATES", num_args = 0..=1, default_missing_value = "all")]
    pub provision: Option<String>,
    /// The sharer's API key (the creator of --track) [default: $FREDDY_SHARER_API_KEY]
    #[arg(long, value_name = "KEY")]
    pub sharer_api_key: Option<String>,
    /// The sharer's organization
    #[arg(long, value_name = "ORG")]
    pub organization: Option<String>,
    /// A track the sharer created: shared for the live and revoked fixtures (live and revoked need it)
    #[arg(long, value_name = "mtrack_…")]
    pub track: Option<String>,
    /// A track the sharer created, for the removed fixture and the delete lifecycle: the run
    /// saves a share of it, then deletes it (a fresh one each run)
    #[arg(long, value_name = "mtrack_…")]
    pub disposable_track: Option<String>,
    /// A collection the sharer created, shared for the collection fixture
    #[arg(long, value_name = "mcoll_…")]
    pub collection: Option<String>,
}

/// Report files a run or certification writes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Reports")]
pub struct OutputArgs {
    /// Write JUnit XML here (one testcase per scenario, clause ids in the names)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write Cucumber JSON here (for Allure and other report viewers)
    #[arg(long, value_name = "FILE")]
    pub cucumber_json: Option<PathBuf>,
    /// Write one self-contained HTML page here (summary, clause matrix, failures with curl commands)
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// `run`'s arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// What to run against.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only scenarios matching this tag expression, e.g. "not @resolve" or "@clause:SAVE-201-CREATED"
    #[arg(help_heading = "Scenarios", long, value_name = "EXPR")]
    pub tags: Option<String>,
    /// Report files.
    #[command(flatten)]
    pub outputs: OutputArgs,
    /// Write a Markdown report here and its JSON form at FILE.json
    #[arg(help_heading = "Reports", long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// -v prints every step; -vv also the scenario's state at a failure
    #[arg(help_heading = "Reports", short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Run the selected scenarios N times: a clause whose verdict changes is FLAKY (fails the run)
    #[arg(help_heading = "Scenarios", long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    /// With --repeat: report FLAKY clauses without failing the run
    #[arg(help_heading = "Scenarios", long)]
    pub allow_flaky: bool,
    /// A SHOULD clause that does not pass (ADVISORY-FAIL, NOT-TESTABLE, FLAKY) fails the run too
    #[arg(help_heading = "Scenarios", long)]
    pub strict: bool,
    /// A TOML file of [[known]] entries (clause, reason, until): a listed MUST clause that fails is KNOWN-FAILURE and does not fail the run until its date; and of [[untestable]] entries (clause, case, reason, until): a clause NOT-TESTABLE in exactly that case does not fail it
    #[arg(help_heading = "Scenarios", long, value_name = "FILE")]
    pub known_failures: Option<PathBuf>,
}

/// `certify`'s arguments.
#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// What to certify.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Report files.
    #[command(flatten)]
    pub outputs: OutputArgs,
    /// Write the certificate here (Markdown) and at FILE.json (JSON)
    #[arg(help_heading = "Reports", long, value_name = "FILE", required = true)]
    pub report: PathBuf,
    /// -v prints every step; -vv also the scenario's state at a failure
    #[arg(help_heading = "Reports", short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Refused: a certificate states every MUST clause as it is
    #[arg(long, value_name = "FILE", hide = true)]
    pub known_failures: Option<PathBuf>,
}

/// `doctor`'s arguments.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// What to check.
    #[command(flatten)]
    pub target: TargetArgs,
}

/// `verify-certificate`'s arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The JSON certificate (the FILE.json beside a certificate's Markdown)
    #[arg(value_name = "FILE.json")]
    pub certificate: PathBuf,
}

/// `regrade`'s arguments.
#[derive(Debug, Args)]
pub struct RegradeArgs {
    /// The JSON report or certificate (the FILE.json beside a report's Markdown)
    #[arg(value_name = "FILE.json")]
    pub report: PathBuf,
    /// Write the re-graded run as one self-contained HTML page here
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// -v prints every step; -vv also the scenario's state at a failure
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `serve`'s arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Write the fixtures TOML here (once the server accepts connections) instead of printing it
    #[arg(long, value_name = "FILE")]
    pub fixtures_out: Option<PathBuf>,
    /// Serve with this deliberate defect (see `share-conformance faults`)
    #[arg(long, value_name = "NAME", conflicts_with = "variant")]
    pub fault: Option<Fault>,
    /// Serve this conforming variant: another choice the docs leave open (see `share-conformance variants`)
    #[arg(long, value_name = "NAME")]
    pub variant: Option<Variant>,
    /// Delay every request by this many milliseconds, like a distant target
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Fail every Nth request with a 503: a server flaky on purpose
    #[arg(long, value_name = "N")]
    pub fail_every: Option<u64>,
    /// Draw every random value (keys, tokens, ids, a variant's random choices) from this seed,
    /// to serve again what a run saw (printed at start; the matrix names each run's)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

/// `faults`' and `variants`' arguments.
#[derive(Debug, Args)]
pub struct FaultsArgs {
    /// Run the suite against the reference server clean and with each entry, and print the
    /// entry × clause matrix and the score (exit 1 if a fault gets through or a variant fails)
    #[arg(long)]
    pub matrix: bool,
    /// With --matrix: bound on every request of the run against the slow-save fault, in
    /// seconds (it holds its answer for 60 s; every other run allows 15 s)
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// With --matrix: runs in flight at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = parse_concurrency)]
    pub parallel: usize,
}

impl Cli {
    /// Parses the process's arguments; `--version` names the embedded suite's digest, since a
    /// verdict depends on the suite as much as on the binary.
    pub fn parse_with_suite_version() -> Self {
        use clap::{CommandFactory as _, FromArgMatches as _};
        let command = Self::command().version(version_text());
        match command
            .try_get_matches()
            .and_then(|matches| Self::from_arg_matches(&matches))
        {
            Ok(cli) => cli,
            Err(e) => e.exit(),
        }
    }

    /// Every secret given on the command line, as typed (before any check).
    pub fn secrets(&self) -> Vec<&str> {
        let target = match &self.command {
            Command::Run(args) => Some(&args.target),
            Command::Certify(args) => Some(&args.target),
            Command::Doctor(args) => Some(&args.target),
            _ => None,
        };
        target
            .into_iter()
            .flat_map(|t| [t.api_key.as_deref(), t.provision.sharer_api_key.as_deref()])
            .flatten()
            .collect()
    }
}

/// `0.1.0 (suite sha256:…)`: the version `--version` prints after the name.
pub fn version_text() -> String {
    let suite = match Suite::embedded() {
        Ok(suite) => format!("suite sha256:{}", suite.digest()),
        Err(e) => format!("the embedded suite does not load: {e}"),
    };
    format!("{} ({suite})", env!("CARGO_PKG_VERSION"))
}

/// What the harness reads from its environment, read once.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `FREDDY_API_KEY`, if set and not empty.
    pub api_key: Option<String>,
    /// `FREDDY_SHARER_API_KEY`, if set and not empty.
    pub sharer_api_key: Option<String>,
}

impl Environment {
    /// Every secret in the environment.
    pub fn secrets(&self) -> Vec<&str> {
        [self.api_key.as_deref(), self.sharer_api_key.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }

    /// Reads the process environment.
    pub fn read() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|k| !k.is_empty());
        Self {
            api_key: var(API_KEY_ENV),
            sharer_api_key: var(SHARER_API_KEY_ENV),
        }
    }
}

fn parse_timeout(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 3600.0 => Ok(secs),
        _ => Err(format!(
            "{text:?} is not a number of seconds between 0 and 3600"
        )),
    }
}

fn parse_read_lag(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs.is_finite() && (0.0..=60.0).contains(&secs) => Ok(secs),
        _ => Err(format!("{text:?} is not a number of seconds from 0 to 60")),
    }
}

fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("{text:?} is not a whole number from 1 to 1024")),
    }
}

/// Refuses an output path whose directory does not exist, before any scenario runs.
fn check_writable(flag: &str, path: &Path) -> anyhow::Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        bail!(
            "{flag} {}: the directory {} does not exist",
            path.display(),
            parent.display()
        );
    }
    if path.is_dir() {
        bail!("{flag} {} is a directory", path.display());
    }
    Ok(())
}

/// The library's error in the command line's words: the flag that caused it, and what to do.
pub fn flag_error(e: Error) -> anyhow::Error {
    match e {
        Error::BaseUrl { url, reason } => anyhow!("--base-url {url:?} {reason}"),
        Error::Fixtures {
            path: Some(path),
            reason,
        } => anyhow!("--fixtures {}: {reason}", path.display()),
        Error::Tags { expression, reason } => {
            anyhow!("--tags {expression:?} is not a tag expression: {reason}")
        }
        Error::Certificates { path, reason } => match path {
            Some(path) => anyhow!("--ca-cert {}: {reason}", path.display()),
            None => anyhow!("--ca-cert: {reason}"),
        },
        e @ Error::PlainHttp { .. } => anyhow!(
            "{e}\nhint: use https, or --allow-insecure-http if the network is trusted (this machine's own addresses are always allowed)"
        ),
        e @ Error::NothingSelected { .. } => anyhow!(
            "{}",
            e.to_string()
                .replace("the tag expression ", "--tags ")
                .replace(
                    "@clause:<ID>",
                    "@clause:<ID> (list them with `share-conformance clauses`)"
                )
        ),
        Error::Setting { name, reason } => anyhow!("--{name} {reason}"),
        Error::KnownFailures {
            path: Some(path),
            reason,
        } => anyhow!("--known-failures {}: {reason}", path.display()),
        Error::KnownFailures { path: None, reason } => anyhow!("--known-failures: {reason}"),
        Error::Provisioning(e) => anyhow!(
            "--provision: {}",
            e.to_string()
                .replace("the plan's `disposable_track`", "--disposable-track")
                .replace("the plan's `track`", "--track")
                .replace("the plan's `collection`", "--collection")
                .replace("the plan's states", "--provision")
                .replace("the organization,", "--organization,")
                .replace(
                    "the sharer's API key:",
                    "the sharer's API key (--sharer-api-key, or $FREDDY_SHARER_API_KEY):"
                )
        ),
        other => anyhow!("{other}"),
    }
}

/// What a run is pointed at, before the embedded server, if it is the one, is started.
#[derive(Debug)]
pub enum TargetChoice {
    /// No --base-url: the embedded reference server.
    Embedded,
    /// The server at --base-url.
    Remote(Box<Target>),
}

/// How `run` or `certify` builds its [`Run`] once the target is known (the embedded server
/// starts only after every flag is checked): the flags go straight into the library's builder,
/// so the command line keeps no copy of a run's settings.
pub struct RunPlan(Box<dyn FnOnce(Target) -> Result<Run, share_conformance::Error> + Send>);

impl RunPlan {
    /// The run against `target`.
    pub fn apply(self, target: Target) -> anyhow::Result<Run> {
        (self.0)(target).map_err(flag_error)
    }
}

impl std::fmt::Debug for RunPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunPlan")
    }
}

/// Output files on a run, from the flags.
fn with_outputs(mut run: Run, outputs: OutputArgs, report: Option<PathBuf>) -> Run {
    if let Some(path) = outputs.junit {
        run = run.junit(path);
    }
    if let Some(path) = outputs.cucumber_json {
        run = run.cucumber_json(path);
    }
    if let Some(path) = report {
        run = run.report(path);
    }
    if let Some(path) = outputs.html {
        run = run.html(path);
    }
    run
}

impl OutputArgs {
    fn check(&self, report: Option<&PathBuf>) -> anyhow::Result<()> {
        for (flag, path) in [
            ("--junit", self.junit.as_ref()),
            ("--cucumber-json", self.cucumber_json.as_ref()),
            ("--html", self.html.as_ref()),
            ("--report", report),
        ] {
            if let Some(path) = path {
                check_writable(flag, path)?;
            }
        }
        Ok(())
    }
}

impl RunArgs {
    /// Checks the arguments: the target, and the run's settings.
    pub fn plan(self, env: &Environment) -> anyhow::Result<(TargetChoice, RunPlan)> {
        self.outputs.check(self.report.as_ref())?;
        let known = match &self.known_failures {
            Some(path) => Some(KnownFailures::load(path).map_err(flag_error)?),
            None => None,
        };
        let target = self.target.choose(env)?;
        let plan = RunPlan(Box::new(move |target| {
            let mut run = self
                .target
                .paced(Run::new(target))
                .verbosity(self.verbose)
                .repeat(self.repeat);
            if let Some(tags) = &self.tags {
                run = run.tags(tags)?;
            }
            if self.allow_flaky {
                run = run.allow_flaky();
            }
            if self.strict {
                run = run.strict();
            }
            if let Some(known) = known {
                run = run.known_failures(known);
            }
            Ok(with_outputs(run, self.outputs, self.report))
        }));
        Ok((target, plan))
    }
}

impl CertifyArgs {
    /// Checks the arguments: the target, and the certification's settings (the whole suite).
    pub fn plan(self, env: &Environment) -> anyhow::Result<(TargetChoice, RunPlan)> {
        if let Some(path) = &self.known_failures {
            bail!(
                "certify does not take --known-failures {}: a certificate states every MUST clause as it is (use `run --known-failures` for a gate)",
                path.display()
            );
        }
        self.outputs.check(Some(&self.report))?;
        let target = self.target.choose(env)?;
        let plan = RunPlan(Box::new(move |target| {
            let run = self
                .target
                .paced(Run::new(target))
                .verbosity(self.verbose)
                .certify();
            Ok(with_outputs(run, self.outputs, Some(self.report)))
        }));
        Ok((target, plan))
    }
}

impl TargetArgs {
    /// `run` with the target's pacing: concurrency, the per-request bound and the read lag.
    fn paced(&self, run: Run) -> Run {
        run.concurrency(self.concurrency)
            .timeout(self.timeout())
            .read_lag(Duration::from_secs_f64(self.read_lag))
    }

    /// The per-request bound.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }

    /// The target these arguments name.
    pub fn choose(&self, env: &Environment) -> anyhow::Result<TargetChoice> {
        let Some(base_url) = &self.base_url else {
            self.check_embedded()?;
            return Ok(TargetChoice::Embedded);
        };
        let fixtures = match &self.fixtures {
            Some(path) => Fixtures::load(path).map_err(flag_error)?,
            None => Fixtures::default(),
        };
        let mut target = Target::new(base_url, fixtures).map_err(flag_error)?;
        if let Some(org) = &self.recipient_organization {
            target = target
                .recipient_organization(org)
                .map_err(|e| anyhow!("--recipient-organization: {e}"))?;
        }
        if let Some(key) = &self.api_key {
            target = target.api_key(key).map_err(|e| anyhow!("--api-key: {e}"))?;
        } else if let Some(key) = &env.api_key {
            target = target
                .api_key(key)
                .map_err(|e| anyhow!("${API_KEY_ENV}: {e}"))?;
        }
        if let Some(plan) = self.provision.plan(env)? {
            target = target.provision(plan);
        }
        if self.insecure && !self.ca_cert.is_empty() {
            bail!(
                "--ca-cert has no effect with --insecure, which verifies no certificate at all: give one or the other"
            );
        }
        if self.insecure {
            target = target.insecure();
        }
        for path in &self.ca_cert {
            let pem = std::fs::read(path)
                .map_err(|e| anyhow!("--ca-cert {}: cannot read it: {e}", path.display()))?;
            target = target
                .trust_certificates(&pem)
                .map_err(|e| anyhow!("--ca-cert {}: {e}", path.display()))?;
        }
        if self.allow_insecure_http {
            target = target.allow_plain_http();
        }
        Ok(TargetChoice::Remote(Box::new(target)))
    }

    /// The embedded server has its own seeded key and tokens; a key, fixtures or provisioning
    /// given without a URL would be silently unused, never what was meant.
    fn check_embedded(&self) -> anyhow::Result<()> {
        if self.api_key.is_some() {
            bail!(
                "--api-key needs --base-url: the embedded reference server uses its own seeded key"
            );
        }
        if self.fixtures.is_some() {
            bail!(
                "--fixtures needs --base-url: the embedded reference server uses its own seeded fixtures"
            );
        }
        if self.recipient_organization.is_some() {
            bail!(
                "--recipient-organization needs --base-url: the embedded reference server uses its own seeded fixtures"
            );
        }
        if self.provision.provision.is_some() {
            bail!("--provision needs --base-url: the embedded reference server is already seeded");
        }
        self.provision.check_unused()?;
        for (flag, given) in [
            ("--ca-cert", !self.ca_cert.is_empty()),
            ("--insecure", self.insecure),
            ("--allow-insecure-http", self.allow_insecure_http),
        ] {
            if given {
                bail!(
                    "{flag} needs --base-url: the embedded reference server is plain http on loopback"
                );
            }
        }
        Ok(())
    }
}

impl ProvisionArgs {
    /// The provisioning plan, if `--provision` was given.
    fn plan(&self, env: &Environment) -> anyhow::Result<Option<Provision>> {
        let Some(asked) = &self.provision else {
            self.check_unused()?;
            return Ok(None);
        };
        let sharer_key = match (&self.sharer_api_key, &env.sharer_api_key) {
            (Some(key), _) => {
                ApiKey::new(key.clone()).map_err(|e| anyhow!("--sharer-api-key: {e}"))?
            }
            (None, Some(key)) => {
                ApiKey::new(key.clone()).map_err(|e| anyhow!("${SHARER_API_KEY_ENV}: {e}"))?
            }
            (None, None) => bail!(
                "--provision needs the sharer's key: --sharer-api-key or ${SHARER_API_KEY_ENV}"
            ),
        };
        let organization = self.organization.clone().ok_or_else(|| {
            anyhow!("--provision needs --organization (the sharer's organization)")
        })?;
        for (flag, value, prefix) in [
            ("--track", self.track.as_ref(), "mtrack_"),
            (
                "--disposable-track",
                self.disposable_track.as_ref(),
                "mtrack_",
            ),
            ("--collection", self.collection.as_ref(), "mcoll_"),
        ] {
            if let Some(value) = value
                && !value.starts_with(prefix)
            {
                bail!("{flag} {value:?}: ids of this kind start with `{prefix}`");
            }
        }
        if self.disposable_track.is_some() && self.disposable_track == self.track {
            bail!("--disposable-track is deleted by provisioning, so it cannot be --track");
        }
        let states = self.states(asked)?;
        Ok(Some(Provision {
            sharer_key,
            organization,
            track: self.track.clone(),
            disposable_track: self.disposable_track.clone(),
            collection: self.collection.clone(),
            states,
        }))
    }

    /// The states `--provision` asks for (`all`: every state the flags allow), each checked
    /// against what it needs.
    fn states(&self, asked: &str) -> anyhow::Result<Vec<ShareState>> {
        let needs = |state: ShareState| -> Option<&'static str> {
            match state {
                ShareState::Live | ShareState::Revoked if self.track.is_none() => Some("--track"),
                ShareState::Removed if self.disposable_track.is_none() => {
                    Some("--disposable-track")
                }
                ShareState::Collection if self.collection.is_none() => Some("--collection"),
                _ => None,
            }
        };
        if asked == "all" {
            let states: Vec<ShareState> = [
                ShareState::Live,
                ShareState::Revoked,
                ShareState::Removed,
                ShareState::Collection,
            ]
            .into_iter()
            .filter(|s| needs(*s).is_none())
            .collect();
            if states.is_empty() {
                bail!(
                    "--provision has nothing to make: give --track (live, revoked), --disposable-track (removed) or --collection"
                );
            }
            return Ok(states);
        }
        let mut states = Vec::new();
        for word in asked.split(',').map(str::trim) {
            let state = ShareState::from_name(word).ok_or_else(|| {
                anyhow!(
                    "--provision {asked:?}: {word:?} is not a state (live, revoked, removed, collection)"
                )
            })?;
            if state == ShareState::Expired {
                bail!(
                    "--provision cannot make an expired share: the shortest expiry the API allows is one day; put one in the fixtures file"
                );
            }
            if let Some(flag) = needs(state) {
                bail!("--provision {word} needs {flag}");
            }
            if !states.contains(&state) {
                states.push(state);
            }
        }
        Ok(states)
    }

    /// Refuses provisioning details without `--provision`: they would be silently unused.
    fn check_unused(&self) -> anyhow::Result<()> {
        for (flag, given) in [
            ("--sharer-api-key", self.sharer_api_key.is_some()),
            ("--organization", self.organization.is_some()),
            ("--track", self.track.is_some()),
            ("--disposable-track", self.disposable_track.is_some()),
            ("--collection", self.collection.is_some()),
        ] {
            if given && self.provision.is_none() {
                bail!("{flag} is only used with --provision");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
