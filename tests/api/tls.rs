//! TLS: a target whose certificate a private CA issued is refused until that CA is trusted,
//! and a run that verifies nothing says so in every output.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use share_conformance::certificate::Certificate;
use share_conformance::provision::Provision;
use share_conformance::secret::ApiKey;
use share_conformance::{Error, Fixtures, Run, Target, doctor};
use share_conformance_reference::behaviour::Behaviour;
use share_conformance_reference::store::Store;
use share_conformance_reference::{AppState, app};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::{ScratchDir, execute};

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

struct TlsServer {
    url: String,
    ca_pem: String,
    fixtures: Fixtures,
    provision: Provision,
}

impl TlsServer {
    fn target(&self) -> Target {
        Target::new(&self.url, self.fixtures.clone())
            .unwrap()
            .provision(self.provision.clone())
    }
}

/// The reference server over TLS at `https://localhost:PORT`, its certificate issued by a CA
/// made here, and its fixtures.
async fn tls_reference_server() -> TlsServer {
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

    let provider = Arc::new(rustls::crypto::ring::default_provider());
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

    TlsServer {
        url,
        ca_pem: ca.pem(),
        fixtures: Fixtures::parse(&seed.fixtures_toml()).unwrap(),
        provision: Provision::every_state(
            ApiKey::new(seed.sharer_key.expose()).unwrap(),
            &seed.organization_id,
            &seed.track_id,
            &seed.disposable_track_id,
            &seed.collection_id,
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_ca_is_refused_and_a_trusted_one_passes() {
    let server = tls_reference_server().await;

    let (refused, out) = execute(Run::new(server.target())).await;
    match refused {
        Err(Error::Unreachable { cause, .. }) => {
            assert!(cause.to_lowercase().contains("certificate"), "{cause}")
        }
        other => {
            panic!("an untrusted certificate must make the target unreachable: {other:?}\n{out}")
        }
    }

    let trusted = server
        .target()
        .trust_certificates(server.ca_pem.as_bytes())
        .unwrap();
    let (report, out) = execute(Run::new(trusted.clone())).await;
    let report = report.unwrap();
    assert!(report.passed(), "{out}");
    assert!(report.info().tls_verified);
    assert!(!out.contains("--insecure"), "{out}");

    let diagnosis = doctor::examine(&trusted, Duration::from_secs(10))
        .await
        .unwrap();
    assert!(diagnosis.healthy(), "{diagnosis:?}");
    assert!(
        diagnosis
            .findings
            .iter()
            .any(|f| f.to_string().starts_with("✓ http: TLS verified")),
        "{diagnosis:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_skips_verification_and_says_so_in_every_output() {
    let server = tls_reference_server().await;
    let dir = ScratchDir::new("tls-insecure");
    let report_path = dir.join("report.md");
    let (report, out) = execute(Run::new(server.target().insecure()).report(&report_path)).await;
    let report = report.unwrap();
    assert!(report.passed(), "{out}");
    assert!(!report.info().tls_verified);
    assert!(
        out.contains("warning: --insecure: the target's TLS certificate is not verified"),
        "{out}"
    );
    assert!(
        out.contains("warning: --insecure: the target's TLS certificate was not verified"),
        "{out}"
    );
    let certificate = Certificate::load(&dir.join("report.md.json")).unwrap();
    assert!(!certificate.target.tls_verified);
    assert!(
        std::fs::read_to_string(&report_path)
            .unwrap()
            .contains("not verified (--insecure)")
    );
}

#[test]
fn certificates_that_are_not_pem_are_refused() {
    let err = Target::new("https://localhost:1", Fixtures::default())
        .unwrap()
        .trust_certificates(b"not a certificate")
        .unwrap_err();
    assert!(err.to_string().contains("holds no certificate"), "{err}");
}
