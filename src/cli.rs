//! The command line: clap's raw arguments, and their one-time conversion into a checked
//! [`RunConfig`]. The environment is read here and nowhere else.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};

use crate::fixtures::Fixtures;
use crate::fixtures::ShareState;
use crate::http::TlsOptions;
use crate::provision::ProvisionPlan;
use crate::reference::faults::Fault;
use crate::reference::variants::Variant;
use crate::report::Mode;
use crate::runner::{Artifacts, DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_SECS, RunConfig, TagFilter};
use crate::secret::ApiKey;
use crate::suite::Suite;
use crate::target::{RemoteTarget, Target, is_loopback, parse_base_url};

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
    /// Check that a JSON certificate was produced by this suite (its recorded file hashes)
    VerifyCertificate(VerifyArgs),
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
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS, value_parser = parse_timeout)]
    pub timeout: f64,
    /// Scenarios in flight at once (1 runs them one after another)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
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
    /// A track the sharer created that provisioning deletes, for the removed fixture
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
}

/// `faults`' and `variants`' arguments.
#[derive(Debug, Args)]
pub struct FaultsArgs {
    /// Run the suite against the reference server clean and with each entry, and print the
    /// entry × clause matrix and the score (exit 1 if a fault gets through or a variant fails)
    #[arg(long)]
    pub matrix: bool,
    /// With --matrix: bound on every request of the runs against transport faults, in seconds
    /// (the slow-save fault waits for it; other runs allow 15 s)
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// With --matrix: runs in flight at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = parse_concurrency)]
    pub parallel: usize,
}

impl Cli {
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

impl OutputArgs {
    fn artifacts(&self, report: Option<&PathBuf>) -> anyhow::Result<Artifacts> {
        for (flag, path) in [
            ("--junit", &self.junit),
            ("--cucumber-json", &self.cucumber_json),
            ("--report", &report.cloned()),
        ] {
            if let Some(path) = path {
                check_writable(flag, path)?;
            }
        }
        Ok(Artifacts {
            junit: self.junit.clone(),
            cucumber_json: self.cucumber_json.clone(),
            report: report.cloned(),
        })
    }
}

impl RunArgs {
    /// Checks the arguments and builds the run's configuration.
    pub fn into_config(self, env: &Environment, suite: Arc<Suite>) -> anyhow::Result<RunConfig> {
        let tags = self.tags.as_deref().map(TagFilter::parse).transpose()?;
        let artifacts = self.outputs.artifacts(self.report.as_ref())?;
        let mut config = self.target.config(env, suite, tags, Mode::Run, artifacts)?;
        config.verbosity = self.verbose;
        config.repeat = self.repeat;
        config.allow_flaky = self.allow_flaky;
        Ok(config)
    }
}

impl CertifyArgs {
    /// Checks the arguments and builds the certification's configuration: the whole suite.
    pub fn into_config(self, env: &Environment, suite: Arc<Suite>) -> anyhow::Result<RunConfig> {
        let artifacts = self.outputs.artifacts(Some(&self.report))?;
        let mut config = self
            .target
            .config(env, suite, None, Mode::Certify, artifacts)?;
        config.verbosity = self.verbose;
        Ok(config)
    }
}

impl TargetArgs {
    fn config(
        &self,
        env: &Environment,
        suite: Arc<Suite>,
        tags: Option<TagFilter>,
        mode: Mode,
        artifacts: Artifacts,
    ) -> anyhow::Result<RunConfig> {
        Ok(RunConfig {
            target: self.to_target(env)?,
            tags,
            name_contains: None,
            concurrency: self.concurrency,
            timeout: self.timeout(),
            suite,
            mode,
            artifacts,
            verbosity: 0,
            repeat: 1,
            allow_flaky: false,
        })
    }

    /// The per-request bound.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }

    /// The target these arguments name.
    pub fn to_target(&self, env: &Environment) -> anyhow::Result<Target> {
        let Some(base_url) = &self.base_url else {
            // The embedded server has its own seeded key and tokens; a key, fixtures or
            // provisioning given without a URL would be silently unused, never what was meant.
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
                bail!(
                    "--provision needs --base-url: the embedded reference server is already seeded"
                );
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
            return Ok(Target::Embedded(Default::default()));
        };
        let base_url = parse_base_url(base_url)?;
        let mut fixtures = match &self.fixtures {
            Some(path) => Fixtures::load(path)?,
            None => Fixtures::default(),
        };
        if let Some(org) = &self.recipient_organization {
            if !org.starts_with("org_") {
                bail!("--recipient-organization {org:?}: ids of this kind start with `org_`");
            }
            fixtures.recipient.organization_id = Some(org.clone());
        }
        let api_key = if let Some(key) = &self.api_key {
            Some(ApiKey::new(key.clone()).context("--api-key")?)
        } else if let Some(key) = &env.api_key {
            Some(ApiKey::new(key.clone()).with_context(|| format!("${API_KEY_ENV}"))?)
        } else {
            fixtures.api_key.clone()
        };
        let provision = self.provision.plan(env)?;
        let carries_a_key = api_key.is_some() || provision.is_some();
        if base_url.scheme() == "http"
            && carries_a_key
            && !is_loopback(&base_url)
            && !self.allow_insecure_http
        {
            bail!(
                "refusing to send an API key over plain http to {}: anyone on the path could read it\nhint: use https, or --allow-insecure-http if the network is trusted (this machine's own addresses are always allowed)",
                base_url.host_str().unwrap_or_default()
            );
        }
        if self.insecure && !self.ca_cert.is_empty() {
            bail!(
                "--ca-cert has no effect with --insecure, which verifies no certificate at all: give one or the other"
            );
        }
        let mut tls = TlsOptions {
            insecure: self.insecure,
            ..TlsOptions::default()
        };
        for path in &self.ca_cert {
            tls.extra_roots.extend(TlsOptions::load_roots(path)?);
        }
        Ok(Target::Remote(Box::new(RemoteTarget {
            base_url,
            api_key,
            fixtures,
            provision,
            tls,
        })))
    }
}

impl ProvisionArgs {
    /// The provisioning plan, if `--provision` was given.
    fn plan(&self, env: &Environment) -> anyhow::Result<Option<ProvisionPlan>> {
        let Some(asked) = &self.provision else {
            self.check_unused()?;
            return Ok(None);
        };
        let sharer_key = match (&self.sharer_api_key, &env.sharer_api_key) {
            (Some(key), _) => ApiKey::new(key.clone()).context("--sharer-api-key")?,
            (None, Some(key)) => {
                ApiKey::new(key.clone()).with_context(|| format!("${SHARER_API_KEY_ENV}"))?
            }
            (None, None) => bail!(
                "--provision needs the sharer's key: --sharer-api-key or ${SHARER_API_KEY_ENV}"
            ),
        };
        let organization = self.organization.clone().ok_or_else(|| {
            anyhow::anyhow!("--provision needs --organization (the sharer's organization)")
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
        Ok(Some(ProvisionPlan {
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
                anyhow::anyhow!(
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
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("share-conformance").chain(args.iter().copied()))
    }

    fn config(args: &[&str], env: &Environment) -> anyhow::Result<RunConfig> {
        let Command::Run(run) = parse(args).unwrap().command else {
            panic!("not a run")
        };
        run.into_config(env, Arc::new(Suite::embedded().unwrap()))
    }

    #[test]
    fn bad_numbers_are_usage_errors() {
        for args in [
            ["run", "--timeout", "0"],
            ["run", "--timeout", "abc"],
            ["run", "--timeout", "NaN"],
            ["run", "--concurrency", "0"],
        ] {
            let err = parse(&args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }

    #[test]
    fn the_key_comes_from_the_flag_then_the_environment_then_the_fixtures() {
        let env = Environment {
            api_key: Some("ak_from_env".into()),
            sharer_api_key: None,
        };
        let key_of = |config: RunConfig| match config.target {
            Target::Remote(remote) => remote.api_key.map(|k| k.expose().to_owned()),
            Target::Embedded(_) => panic!("embedded"),
        };
        let flag = config(
            &[
                "run",
                "--base-url",
                "http://127.0.0.1:1",
                "--api-key",
                "ak_flag",
            ],
            &env,
        )
        .unwrap();
        assert_eq!(key_of(flag).as_deref(), Some("ak_flag"));
        let from_env = config(&["run", "--base-url", "http://127.0.0.1:1"], &env).unwrap();
        assert_eq!(key_of(from_env).as_deref(), Some("ak_from_env"));
        let none = config(
            &["run", "--base-url", "http://127.0.0.1:1"],
            &Environment::default(),
        )
        .unwrap();
        assert_eq!(key_of(none), None);
    }

    #[test]
    fn embedded_runs_refuse_a_key_or_fixtures_they_would_ignore() {
        let env = Environment::default();
        assert!(matches!(
            config(&["run"], &env).unwrap().target,
            Target::Embedded(_)
        ));
        let err = config(&["run", "--api-key", "ak_x"], &env).unwrap_err();
        assert!(err.to_string().contains("--api-key needs --base-url"));
        let err = config(&["run", "--fixtures", "f.toml"], &env).unwrap_err();
        assert!(err.to_string().contains("--fixtures needs --base-url"));
        // The environment's key is simply not used for the embedded server.
        let env = Environment {
            api_key: Some("ak_env".into()),
            sharer_api_key: None,
        };
        assert!(config(&["run"], &env).is_ok());
    }

    #[test]
    fn bad_keys_and_tags_are_errors_that_do_not_echo_the_key() {
        let env = Environment::default();
        let err = config(
            &[
                "run",
                "--base-url",
                "http://h",
                "--api-key",
                "ak_bad key_zzz",
            ],
            &env,
        )
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("--api-key"), "{text}");
        assert!(!text.contains("zzz"), "{text}");
        let err = config(&["run", "--tags", "@a and"], &env).unwrap_err();
        assert!(err.to_string().contains("--tags"), "{err}");
    }
}
