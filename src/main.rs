//! `share-conformance`: parse the command line, build one checked configuration, call the
//! library, map the outcome to an exit code (0 pass, 1 a MUST clause failed, 2 usage or
//! configuration error, 3 target unreachable).

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser as _;
use share_conformance::certificate::Certificate;
use share_conformance::clauses::Level;
use share_conformance::cli::{Cli, Command, Environment, FaultsArgs, ServeArgs};
use share_conformance::doctor::{SharerCheck, diagnose};
use share_conformance::fixtures::ShareState;
use share_conformance::http::HttpClient;
use share_conformance::mutation;
use share_conformance::reference::faults::{CATALOGUE, Fault};
use share_conformance::reference::variants::{CATALOGUE as VARIANTS, Variant};
use share_conformance::reference::{ReferenceServer, ServerOptions};
use share_conformance::runner::{self, RunConfig, RunError};
use share_conformance::secret::Redactor;
use share_conformance::suite::{Suite, feature_path};
use share_conformance::target::Target;

const PASSED: u8 = 0;
const FAILED: u8 = 1;
const USAGE: u8 = 2;
const UNREACHABLE: u8 = 3;

fn main() -> ExitCode {
    // clap prints its own message and exits 2 on a bad flag, 0 on --help and --version.
    let cli = Cli::parse();
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
        Some(dir) => Suite::from_dir(dir)?,
        None => Suite::embedded()?,
    });
    match cli.command {
        Command::Clauses => {
            print_clauses(&suite);
            Ok(PASSED)
        }
        Command::Run(args) => {
            let config = args.into_config(env, suite)?;
            run(config, redactor)
        }
        Command::Certify(args) => {
            let config = args.into_config(env, suite)?;
            run(config, redactor)
        }
        Command::Doctor(args) => {
            let target = args.target.to_target(env)?;
            runtime()?.block_on(doctor(target, args.target.timeout()))
        }
        Command::VerifyCertificate(args) => verify_certificate(&args.certificate, &suite),
        Command::Faults(args) => faults(args, suite),
        Command::Variants(args) => variants(args, suite),
        Command::Serve(args) => {
            runtime()?.block_on(serve(args))?;
            Ok(PASSED)
        }
    }
}

/// `run` and `certify`: the exit code is the report's verdict.
fn run(config: RunConfig, redactor: &Redactor) -> anyhow::Result<u8> {
    let runtime = runtime()?;
    let mut stdout = std::io::stdout().lock();
    Ok(match runtime.block_on(runner::run(config, &mut stdout)) {
        Ok(report) if report.passed() => PASSED,
        Ok(_) => FAILED,
        Err(e @ RunError::Unreachable { .. }) => {
            let text = redactor.redact(&e.to_string()).into_owned();
            let hint = if text.contains("certificate") {
                "the target's TLS certificate is not trusted: give its CA with --ca-cert FILE (or, knowingly, --insecure)"
            } else {
                "check --base-url, the network path and TLS (`share-conformance doctor` says more)"
            };
            eprintln!("error: {text}\nhint: {hint}; no scenario was run");
            UNREACHABLE
        }
        Err(e @ RunError::NothingSelected(_)) => {
            eprintln!("error: {}", redactor.redact(&e.to_string()));
            FAILED
        }
        Err(e @ (RunError::Setup(_) | RunError::Provisioning(_) | RunError::Artifact(_))) => {
            eprintln!("error: {}", redactor.redact(&e.to_string()));
            USAGE
        }
    })
}

async fn doctor(target: Target, timeout: std::time::Duration) -> anyhow::Result<u8> {
    let connected = target.connect().await?;
    let redactor = connected.redactor();
    let http = HttpClient::with_tls(
        connected.remote.base_url.clone(),
        timeout,
        &connected.remote.tls,
    )?
    .with_redactor(redactor.clone());
    let sharer = connected.remote.provision.as_ref().map(|plan| SharerCheck {
        key: &plan.sharer_key,
        organization: &plan.organization,
        live_track: plan
            .states
            .contains(&ShareState::Live)
            .then_some(plan.track.as_deref())
            .flatten(),
    });
    let diagnosis = diagnose(
        &http,
        timeout,
        connected.remote.api_key.as_ref(),
        &connected.remote.fixtures,
        sharer,
    )
    .await;
    println!(
        "doctor: {}{}",
        connected.origin(),
        if connected.is_embedded() {
            " (embedded reference server)"
        } else {
            ""
        }
    );
    if connected.remote.tls.insecure {
        print!("{}", runner::INSECURE_WARNING);
    }
    for check in &diagnosis.checks {
        println!("{}", redactor.redact(&check.to_string()));
    }
    let code = if diagnosis.unreachable {
        println!("result: the target is unreachable; no run can be meaningful");
        UNREACHABLE
    } else if diagnosis.healthy() {
        println!("result: a run against this target can be meaningful");
        PASSED
    } else {
        println!("result: fix the ✗ lines first: a run now would mislead");
        FAILED
    };
    connected.close().await;
    Ok(code)
}

fn verify_certificate(path: &std::path::Path, suite: &Suite) -> anyhow::Result<u8> {
    let certificate = Certificate::load(path)?;
    let differences = certificate.differences(suite);
    if differences.is_empty() {
        println!(
            "✓ {} was produced by this suite (sha256:{}, {} files): {} against {}",
            path.display(),
            certificate.suite.digest,
            certificate.suite.files.len(),
            certificate.result,
            certificate.target.origin
        );
        if certificate.harness.version != env!("CARGO_PKG_VERSION") {
            println!(
                "note: it was made by share-conformance {}, this is {}",
                certificate.harness.version,
                env!("CARGO_PKG_VERSION")
            );
        }
        Ok(PASSED)
    } else {
        println!("✗ {} was not produced by this suite:", path.display());
        for difference in differences {
            println!("  {difference}");
        }
        Ok(FAILED)
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start the async runtime: {e}"))
}

fn print_clauses(suite: &Suite) {
    let mut out = std::io::stdout().lock();
    for clause in suite.catalogue().iter() {
        let _ = writeln!(
            out,
            "{}  {}  {}  ({})",
            clause.id, clause.level, clause.mark, clause.source
        );
        let _ = writeln!(
            out,
            "  {:<10} {}",
            clause.mark.to_string() + ":",
            clause.doc
        );
        let _ = writeln!(out, "  check:     {}", clause.check);
        let _ = writeln!(out, "  scenarios:");
        for sc in suite
            .scenarios()
            .filter(|s| s.clauses().contains(&clause.id.as_str()))
        {
            let _ = writeln!(
                out,
                "    {}:{}  {}",
                feature_path(sc.feature),
                sc.scenario.position.line,
                sc.scenario.name
            );
        }
        let _ = writeln!(out);
    }
}

fn faults(args: FaultsArgs, suite: Arc<Suite>) -> anyhow::Result<u8> {
    if args.matrix {
        let all: Vec<Fault> = CATALOGUE.iter().map(|info| info.fault).collect();
        return matrix(&args, suite, &all, &[]);
    }
    let level = |id: &str| suite.catalogue().get(id).map(|c| c.level);
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
    let matrix = runtime()?.block_on(mutation::run_matrix(
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
        ..Default::default()
    };
    let server = ReferenceServer::bind(args.addr, options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
    let url = server.base_url();
    let fixtures = server.fixtures().to_toml();
    println!("reference server listening on {url}");
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
        .map_err(|e| anyhow::anyhow!("the server stopped with an error: {e}"))
}

/// Writes `text` to a temporary file beside `path`, then renames it, so a script waiting for
/// `path` never reads half a file.
fn write_atomically(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("--fixtures-out {} names no file", path.display()))?;
    let mut temporary = path.to_path_buf();
    temporary.set_file_name(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&temporary, text)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", temporary.display()))?;
    std::fs::rename(&temporary, path).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        anyhow::anyhow!("cannot write {}: {e}", path.display())
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
