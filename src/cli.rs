//! The command line: clap's raw arguments, and their one-time conversion into a checked
//! [`RunConfig`]. The environment is read here and nowhere else.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};

use crate::fixtures::Fixtures;
use crate::reference::faults::Fault;
use crate::runner::{DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_SECS, RunConfig, TagFilter};
use crate::secret::ApiKey;
use crate::suite::Suite;
use crate::target::{RemoteTarget, Target, parse_base_url};

/// The environment variable holding the recipient's key (the docs' own name).
pub const API_KEY_ENV: &str = "FREDDY_API_KEY";

/// Conformance harness for the Freddy Music API endpoint "Save a shared track"
/// (POST /v1/music/shared/{token}/save).
#[derive(Debug, Parser)]
#[command(name = "share-conformance", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against a target (the embedded reference server when --base-url is omitted)
    Run(RunArgs),
    /// Run the reference server standalone and print its fixtures
    Serve(ServeArgs),
    /// Print the traceability matrix: every clause, its level, its doc sentence, its scenarios
    Clauses,
    /// List the fault catalogue: the reference server's deliberate defects and the clauses that catch them
    Faults(FaultsArgs),
}

/// Where to run and with what.
#[derive(Debug, Args)]
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
    /// Bound on every request, body included, in seconds
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS, value_parser = parse_timeout)]
    pub timeout: f64,
    /// Scenarios in flight at once (1 runs them one after another)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
}

/// `run`'s arguments.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// What to run against.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only scenarios matching this tag expression, e.g. "not @resolve" or "@clause:SAVE-201-CREATED"
    #[arg(long, value_name = "EXPR")]
    pub tags: Option<String>,
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
    #[arg(long, value_name = "NAME")]
    pub fault: Option<Fault>,
}

/// `faults`' arguments.
#[derive(Debug, Args)]
pub struct FaultsArgs {
    /// Run the suite against the reference server clean and with each fault, and print the
    /// fault × clause matrix and the score (exit 1 if a fault is not caught by its clauses)
    #[arg(long)]
    pub matrix: bool,
    /// With --matrix: bound on every request, in seconds (the slow-save fault waits for it)
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// With --matrix: runs in flight at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = parse_concurrency)]
    pub parallel: usize,
}

/// What the harness reads from its environment, read once.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `FREDDY_API_KEY`, if set and not empty.
    pub api_key: Option<String>,
}

impl Environment {
    /// Reads the process environment.
    pub fn read() -> Self {
        Self {
            api_key: std::env::var(API_KEY_ENV).ok().filter(|k| !k.is_empty()),
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

impl RunArgs {
    /// Checks the arguments and builds the run's configuration.
    pub fn into_config(self, env: &Environment, suite: Arc<Suite>) -> anyhow::Result<RunConfig> {
        let tags = self.tags.as_deref().map(TagFilter::parse).transpose()?;
        let target = self.target.to_target(env)?;
        Ok(RunConfig {
            target,
            tags,
            name_contains: None,
            concurrency: self.target.concurrency,
            timeout: Duration::from_secs_f64(self.target.timeout),
            suite,
        })
    }
}

impl TargetArgs {
    fn to_target(&self, env: &Environment) -> anyhow::Result<Target> {
        let Some(base_url) = &self.base_url else {
            // The embedded server has its own seeded key and tokens; a key or fixtures given
            // without a URL would be silently unused, which is never what was meant.
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
            return Ok(Target::Embedded(Default::default()));
        };
        let base_url = parse_base_url(base_url)?;
        let fixtures = match &self.fixtures {
            Some(path) => Fixtures::load(path)?,
            None => Fixtures::default(),
        };
        let api_key = if let Some(key) = &self.api_key {
            Some(ApiKey::new(key.clone()).context("--api-key")?)
        } else if let Some(key) = &env.api_key {
            Some(ApiKey::new(key.clone()).with_context(|| format!("${API_KEY_ENV}"))?)
        } else {
            fixtures.api_key.clone()
        };
        Ok(Target::Remote(Box::new(RemoteTarget {
            base_url,
            api_key,
            fixtures,
        })))
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
