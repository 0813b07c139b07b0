//! Transport safety: TLS verified against the platform's roots (plus `--ca-cert`), skipped only
//! with `--insecure` (and a warning on every run), and no key over plain http to another host
//! unless `--allow-insecure-http`. The TLS server is the reference app behind rustls, with a
//! certificate from a CA made in the test.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use share_conformance::reference::behaviour::Behaviour;
use share_conformance::reference::store::Store;
use share_conformance::reference::{AppState, app};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use common::*;

/// Accepts TLS connections for axum.
struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that rejects the certificate ends its handshake: wait for the next.
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

struct TlsTarget {
    url: String,
    ca_pem: PathBuf,
    fixtures: String,
}

/// The reference server over TLS at `https://localhost:PORT`, its certificate issued by a CA
/// made here (the CA's PEM is written for `--ca-cert`), and its fixtures file.
async fn tls_reference_server(name: &str) -> TlsTarget {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "share-conformance test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://localhost:{}", tcp.local_addr().unwrap().port());
    let (store, seed) = Store::seeded(None, None);
    let listener = TlsListener {
        tcp,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    };
    let public_base = url.clone();
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app(AppState::new(store, &public_base, Behaviour::documented())),
        )
        .await;
    });

    let dir = scratch_dir(name);
    let ca_pem = dir.join("ca.pem");
    std::fs::write(&ca_pem, ca.pem()).unwrap();
    let fixtures = write_fixtures(&dir, &seed.fixtures());
    TlsTarget {
        url,
        ca_pem,
        fixtures,
    }
}

fn run_args(target: &TlsTarget, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "run",
        "--base-url",
        &target.url,
        "--fixtures",
        &target.fixtures,
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_ca_is_refused_and_ca_cert_trusts_it() {
    let target = tls_reference_server("tls-ca").await;

    let refused = harness_async(run_args(&target, &[])).await;
    let (stdout, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(
        stderr.to_lowercase().contains("certificate"),
        "the cause names the certificate: {stderr}"
    );

    let trusted = harness_async(run_args(
        &target,
        &["--ca-cert", target.ca_pem.to_str().unwrap()],
    ))
    .await;
    let (stdout, stderr) = text(&trusted);
    assert_eq!(trusted.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("result: PASS"), "{stdout}");
    assert!(!stdout.contains("--insecure"), "{stdout}");

    let doctor = harness_async(
        [
            "doctor",
            "--base-url",
            &target.url,
            "--fixtures",
            &target.fixtures,
            "--ca-cert",
            target.ca_pem.to_str().unwrap(),
        ]
        .map(String::from)
        .to_vec(),
    )
    .await;
    let (stdout, _) = text(&doctor);
    assert_eq!(doctor.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("✓ http: TLS verified"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_skips_verification_and_says_so_on_every_run() {
    let target = tls_reference_server("tls-insecure").await;
    let report = scratch_dir("tls-insecure-report").join("report.md");
    let output = harness_async(run_args(
        &target,
        &["--insecure", "--report", report.to_str().unwrap()],
    ))
    .await;
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.starts_with("share-conformance"), "{stdout}");
    assert!(
        stdout.contains("warning: --insecure: the target's TLS certificate is not verified"),
        "{stdout}"
    );
    assert!(
        stdout.contains("warning: --insecure: the target's TLS certificate was not verified"),
        "{stdout}"
    );
    let certificate = share_conformance::certificate::Certificate::load(
        &share_conformance::certificate::json_path(&report),
    )
    .unwrap();
    assert!(!certificate.target.tls_verified);
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("not verified (--insecure)")
    );
}

#[test]
fn bad_tls_options_are_usage_errors() {
    let dir = scratch_dir("tls-usage");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let garbage = garbage.to_str().unwrap();
    for (args, expected) in [
        (
            vec![
                "run",
                "--base-url",
                "https://localhost:1",
                "--ca-cert",
                garbage,
            ],
            "holds no certificate",
        ),
        (
            vec![
                "run",
                "--base-url",
                "https://localhost:1",
                "--ca-cert",
                "/no/such.pem",
            ],
            "cannot read --ca-cert",
        ),
        (
            vec![
                "run",
                "--base-url",
                "https://localhost:1",
                "--ca-cert",
                garbage,
                "--insecure",
            ],
            "--insecure",
        ),
        (vec!["run", "--insecure"], "needs --base-url"),
    ] {
        let output = harness(&args);
        let (_, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn a_key_is_not_sent_over_plain_http_to_another_host() {
    // 192.0.2.1 (TEST-NET-1) is not this machine.
    let refused = harness(&[
        "run",
        "--base-url",
        "http://192.0.2.1:9",
        "--api-key",
        "ak_plain_http_test",
    ]);
    let (_, stderr) = text(&refused);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("refusing to send an API key over plain http to 192.0.2.1"),
        "{stderr}"
    );
    assert!(stderr.contains("--allow-insecure-http"), "{stderr}");
    assert!(!stderr.contains("ak_plain_http_test"), "{stderr}");

    // Allowed explicitly, the run goes on (and finds nothing there: exit 3, not 2).
    let allowed = harness(&[
        "run",
        "--base-url",
        "http://192.0.2.1:9",
        "--api-key",
        "ak_plain_http_test",
        "--allow-insecure-http",
        "--timeout",
        "0.5",
    ]);
    assert_eq!(allowed.status.code(), Some(3), "{:?}", text(&allowed));

    // Without a key there is nothing to protect; on loopback nothing crosses a network.
    let keyless = harness(&[
        "run",
        "--base-url",
        "http://192.0.2.1:9",
        "--timeout",
        "0.5",
    ]);
    assert_eq!(keyless.status.code(), Some(3), "{:?}", text(&keyless));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let loopback = harness(&[
        "run",
        "--base-url",
        &format!("http://localhost:{port}"),
        "--api-key",
        "ak_x",
    ]);
    assert_eq!(loopback.status.code(), Some(3), "{:?}", text(&loopback));
}
