//! `share-conformance`: parse the command line, build one checked configuration, call the
//! library, map the outcome to an exit code (0 pass, 1 a MUST clause failed, 2 usage or
//! configuration error, 3 target unreachable).

mod args;
mod matrix;

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::anyhow;
use share_conformance::certificate::{Authenticity, Certificate};
use share_conformance::provision::Provision;
use share_conformance::secret::{ApiKey, Redactor};
use share_conformance::suite::Level;
use share_conformance::{Error, Fixtures, Run, Suite, Target, doctor, render};
use share_conformance_reference::faults::{CATALOGUE, Fault};
use share_conformance_reference::variants::{CATALOGUE as VARIANTS, Variant};
use share_conformance_reference::{ReferenceServer, ServerOptions};

use self::args::{
    Cli, Command, Environment, FaultsArgs, RegradeArgs, RunPlan, ServeArgs, TargetChoice,
    flag_error,
};

const PASSED: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;
const UNREACHABLE: u8 = 3;
/// `verify-certificate`: the file is not what it says it is (edited, or from another suite).
const NOT_AUTHENTIC: u8 = 4;

fn main() -> ExitCode {
    // clap prints its own message and exits 2 on a bad flag, 0 on --help and --version.
    let cli = Cli::parse_with_suite_version();
    let env = Environment::read();
    // Keys as typed, before they are checked: not even the error about one may echo it.
    let redactor = Redactor::from_raw(cli.secrets().into_iter().chain(env.secrets()));
    redact_panics(redactor.clone());
    ExitCode::from(match dispatch(cli, &env, &redactor) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", redactor.redact(&format!("{e:#}")));
            USAGE
        }
    })
}

/// A panic is a bug; its message still passes the redactor.
fn redact_panics(redactor: Redactor) {
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "share-conformance panicked{location}: {} (this is a bug)",
            redactor.redact(message)
        );
    }));
}

fn dispatch(cli: Cli, env: &Environment, redactor: &Redactor) -> anyhow::Result<u8> {
    let suite = Arc::new(match &cli.suite_dir {
        Some(dir) => Suite::from_dir(dir).map_err(|e| anyhow!("--suite-dir: {e}"))?,
        None => Suite::embedded()?,
    });
    match cli.command {
        Command::Clauses => {
            print!("{}", render::clause_listing(&suite));
            Ok(PASSED)
        }
        Command::Run(args) => {
            let (target, settings) = args.plan(env)?;
            run(target, settings, suite, redactor)
        }
        Command::Certify(args) => {
            let (target, settings) = args.plan(env)?;
            run(target, settings, suite, redactor)
        }
        Command::Doctor(args) => {
            let target = args.target.choose(env)?;
            runtime()?.block_on(doctor(target, args.target.timeout(), redactor))
        }
        Command::VerifyCertificate(args) => verify_certificate(&args.certificate, suite),
        Command::Regrade(args) => regrade(&args, suite, redactor),
        Command::Faults(args) => faults(args, suite),
        Command::Variants(args) => variants(args, suite),
        Command::Serve(args) => {
            runtime()?.block_on(serve(args))?;
            Ok(PASSED)
        }
    }
}

/// The embedded reference server, started, and the target that points at it: its seeded
/// fixtures, and provisioning through its sharer, so that every clause runs (the lifecycles of
/// a save need the run's own shares).
async fn embedded() -> anyhow::Result<(Target, ReferenceServer)> {
    let server = ReferenceServer::start(ServerOptions::default())
        .await
        .map_err(|e| anyhow!("cannot start the embedded reference server: {e}"))?;
    let fixtures = Fixtures::parse(&server.fixtures_toml())?;
    let seed = server.seed();
    let plan = Provision::every_state(
        ApiKey::new(seed.sharer_key.expose())?,
        &seed.organization_id,
        &seed.track_id,
        &seed.disposable_track_id,
        &seed.collection_id,
    );
    let target = Target::new(&server.base_url(), fixtures)?
        .provision(plan)
        .describe("embedded reference server");
    Ok((target, server))
}

/// The target chosen, with the embedded server behind it when it is the one.
async fn resolve(choice: TargetChoice) -> anyhow::Result<(Target, Option<ReferenceServer>)> {
    Ok(match choice {
        TargetChoice::Remote(target) => (*target, None),
        TargetChoice::Embedded => {
            let (target, server) = embedded().await?;
            (target, Some(server))
        }
    })
}

/// `run` and `certify`: the exit code is the report's verdict.
fn run(
    choice: TargetChoice,
    settings: RunPlan,
    suite: Arc<Suite>,
    redactor: &Redactor,
) -> anyhow::Result<u8> {
    runtime()?.block_on(async {
        let (target, server) = resolve(choice).await?;
        let outcome = match settings.apply(target) {
            Ok(run) => {
                run.suite(suite)
                    .progress(std::io::stdout())
                    .execute()
                    .await
            }
            Err(e) => {
                stop(server).await;
                return Err(e);
            }
        };
        stop(server).await;
        Ok(match outcome {
            Ok(report) if report.passed() => PASSED,
            Ok(_) => FAILED,
            Err(e @ Error::Unreachable { .. }) => {
                let text = redactor.redact(&e.to_string()).into_owned();
                let hint = if text.contains("certificate") {
                    "the target's TLS certificate is not trusted: give its CA with --ca-cert FILE (or, knowingly, --insecure)"
                } else {
                    "check --base-url, the network path and TLS (`share-conformance doctor` says more)"
                };
                eprintln!("error: {text}\nhint: {hint}; no scenario was run");
                UNREACHABLE
            }
            Err(e @ Error::NothingSelected { .. }) => {
                eprintln!("error: {}", redactor.redact(&format!("{}", flag_error(e))));
                FAILED
            }
            Err(e) => {
                eprintln!("error: {}", redactor.redact(&format!("{}", flag_error(e))));
                USAGE
            }
        })
    })
}

/// Stops the embedded server, if there is one, once its open requests finish.
async fn stop(server: Option<ReferenceServer>) {
    if let Some(server) = server {
        let _ = server.shutdown().await;
    }
}

async fn doctor(
    choice: TargetChoice,
    timeout: std::time::Duration,
    redactor: &Redactor,
) -> anyhow::Result<u8> {
    let (target, server) = resolve(choice).await?;
    let diagnosis = doctor::examine(&target, timeout).await;
    stop(server).await;
    let diagnosis = diagnosis.map_err(flag_error)?;
    let text = render::diagnosis(&target, &diagnosis);
    print!("{}", target.redactor().redact(&redactor.redact(&text)));
    Ok(if diagnosis.unreachable {
        UNREACHABLE
    } else if diagnosis.healthy() {
        PASSED
    } else {
        FAILED
    })
}

/// `verify-certificate`: 0 for an authentic certificate that certifies, 1 for an authentic one
/// that does not (or a run's report), 4 for one that is not authentic, 2 for a file that is not
/// a certificate at all.
fn verify_certificate(path: &std::path::Path, suite: Arc<Suite>) -> anyhow::Result<u8> {
    let Some(certificate) = load_certificate(path) else {
        return Ok(USAGE);
    };
    let verification = runtime()?.block_on(certificate.verify(suite));
    print!(
        "{}",
        render::verification(&path.display().to_string(), &certificate, &verification)
    );
    Ok(match verification.authenticity {
        Authenticity::Authentic if certificate.is_certified() => PASSED,
        Authenticity::Authentic => FAILED,
        _ => NOT_AUTHENTIC,
    })
}

/// The certificate or report at `path`, or `None` once the reason it is not one is printed.
fn load_certificate(path: &std::path::Path) -> Option<Certificate> {
    Certificate::load(path)
        .inspect_err(|e| eprintln!("error: {e}"))
        .ok()
}

/// `regrade`: a recorded run judged again, offline; exits as `run` does.
fn regrade(args: &RegradeArgs, suite: Arc<Suite>, redactor: &Redactor) -> anyhow::Result<u8> {
    let path = args.report.as_path();
    let Some(certificate) = load_certificate(path) else {
        return Ok(USAGE);
    };
    println!(
        "re-grading {}: {} exchanges recorded against {} on {} by share-conformance {}; no connection is opened\n",
        path.display(),
        certificate.recording.exchanges.len(),
        certificate.target.origin,
        certificate.started_at,
        certificate.harness.version
    );
    let mut run = match Run::regrade(&certificate) {
        Ok(run) => run
            .suite(suite)
            .verbosity(args.verbose)
            .progress(std::io::stdout()),
        Err(e) => {
            // Its own settings, not flags of this command: said in the library's words.
            eprintln!("error: {}: {e}", path.display());
            return Ok(USAGE);
        }
    };
    if let Some(html) = &args.html {
        run = run.html(html);
    }
    Ok(match runtime()?.block_on(run.execute()) {
        Ok(report) if report.passed() => PASSED,
        Ok(_) => FAILED,
        Err(e) => {
            eprintln!("error: {}", redactor.redact(&flag_error(e).to_string()));
            USAGE
        }
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))
}

fn faults(args: FaultsArgs, suite: Arc<Suite>) -> anyhow::Result<u8> {
    if args.matrix {
        let all: Vec<Fault> = CATALOGUE.iter().map(|info| info.fault).collect();
        return matrix(&args, suite, &all, &[]);
    }
    let level = |id: &str| suite.clause(id).map(|c| c.level);
    let mut out = std::io::stdout().lock();
    let advisory = CATALOGUE
        .iter()
        .filter(|f| f.clauses.iter().all(|c| level(c) == Some(Level::Should)))
        .count();
    let _ = writeln!(
        out,
        "{} faults; each must be caught by the clause(s) it names. {} are advisory: they break only SHOULD clauses, which report them without failing the run\n",
        CATALOGUE.len(),
        advisory
    );
    let _ = writeln!(
        out,
        "{:<34}  {:<9}  {:<40}  what the server does wrong",
        "fault", "kind", "caught by"
    );
    for info in CATALOGUE {
        let caught_by: Vec<String> = info
            .clauses
            .iter()
            .map(|c| match level(c) {
                Some(Level::Should) => format!("{c} (SHOULD)"),
                _ => (*c).to_owned(),
            })
            .collect();
        let _ = writeln!(
            out,
            "{:<34}  {:<9}  {:<40}  {}",
            info.name,
            info.kind.to_string(),
            caught_by.join(", "),
            info.description
        );
    }
    Ok(PASSED)
}

fn variants(args: FaultsArgs, suite: Arc<Suite>) -> anyhow::Result<u8> {
    if args.matrix {
        let all: Vec<Variant> = VARIANTS.iter().map(|info| info.variant).collect();
        return matrix(&args, suite, &[], &all);
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} conforming variants: choices the docs leave open. Against each, every MUST clause must pass; the SHOULD clauses named report the choice\n",
        VARIANTS.len()
    );
    let _ = writeln!(
        out,
        "{:<36}  {:<26}  the choice",
        "variant", "reported by (SHOULD)"
    );
    for info in VARIANTS {
        let _ = writeln!(
            out,
            "{:<36}  {:<26}  {}",
            info.name,
            if info.advisories.is_empty() {
                "-".to_owned()
            } else {
                info.advisories.join(", ")
            },
            info.description
        );
    }
    Ok(PASSED)
}

fn matrix(
    args: &FaultsArgs,
    suite: Arc<Suite>,
    faults: &[Fault],
    variants: &[Variant],
) -> anyhow::Result<u8> {
    let timeout = std::time::Duration::from_secs_f64(args.timeout);
    if let Some(held) = matrix::shortest_held_answer(faults)
        && timeout >= held
    {
        return Err(anyhow!(
            "--timeout {} s must be under the {} s a fault holds its answer back, or that fault cannot be caught",
            args.timeout,
            held.as_secs_f64()
        ));
    }
    let matrix = runtime()?.block_on(matrix::run_matrix(
        suite,
        faults,
        variants,
        timeout,
        args.parallel,
    ));
    print!("{}", matrix.render());
    let problems = matrix.problems();
    for problem in &problems {
        eprintln!("problem: {problem}");
    }
    Ok(if problems.is_empty() { PASSED } else { FAILED })
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let options = ServerOptions {
        fault: args.fault,
        variant: args.variant,
        latency: std::time::Duration::from_millis(args.latency),
        fail_every: args.fail_every,
        seed: args.seed,
        ..Default::default()
    };
    let server = ReferenceServer::bind(args.addr, options)
        .await
        .map_err(|e| anyhow!("cannot listen on {}: {e}", args.addr))?;
    let url = server.base_url();
    let fixtures = server.fixtures_toml();
    println!("reference server listening on {url}");
    println!(
        "random seed {0} (`serve --seed {0}` draws the same keys, tokens and ids again)",
        server.random_seed()
    );
    if let Some(fault) = args.fault {
        println!("serving with fault {fault}: {}", fault.info().description);
    }
    if let Some(variant) = args.variant {
        println!("serving variant {variant}: {}", variant.info().description);
    }
    let seed = server.seed();
    println!(
        "provision against it: --provision --sharer-api-key {} --organization {} --track {} --disposable-track {} --collection {} --recipient-organization {}",
        seed.sharer_key.expose(),
        seed.organization_id,
        seed.track_id,
        seed.disposable_track_id,
        seed.collection_id,
        seed.recipient_organization_id
    );
    match &args.fixtures_out {
        Some(path) => {
            write_atomically(path, &fixtures)?;
            println!("fixtures written to {}", path.display());
        }
        None => println!("\n# fixtures\n{fixtures}"),
    }
    println!(
        "run against it: share-conformance run --base-url {url} --fixtures {}",
        args.fixtures_out
            .as_ref()
            .map_or("FILE".into(), |p| p.display().to_string())
    );
    println!("stop with Ctrl-C");
    shutdown_signal().await;
    server
        .shutdown()
        .await
        .map_err(|e| anyhow!("the server stopped with an error: {e}"))
}

/// Writes `text` to a temporary file beside `path`, then renames it, so a script waiting for
/// `path` never reads half a file.
fn write_atomically(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| anyhow!("--fixtures-out {} names no file", path.display()))?;
    let mut temporary = path.to_path_buf();
    temporary.set_file_name(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&temporary, text)
        .map_err(|e| anyhow!("cannot write {}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        anyhow!("cannot write {}: {e}", path.display())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
