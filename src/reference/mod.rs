//! The reference server: a faithful implementation of the documented behaviour, in-process.
//!
//! It is the embedded default target, what `cargo test` runs the suite against, and what
//! `share-conformance serve` runs standalone. Besides the endpoint under test it serves the
//! neighbours the harness needs (open a shared link, share a track or collection, revoke a
//! share, delete a track). Every failure path, including unknown routes, wrong methods and
//! undecodable path segments, answers with the documented error envelope.

pub mod error;
pub mod faults;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use self::error::ApiError;
use self::faults::Fault;
use self::store::{Refusal, SaveRules, Seed, ShareOptions, ShareTargetRef, Store, User};
use crate::clock;
use crate::fixtures::Fixtures;
use crate::secret::ApiKey;

/// How to seed a reference server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// The recipient's key; generated when `None`.
    pub recipient_key: Option<ApiKey>,
    /// The sharer's key; generated when `None`.
    pub sharer_key: Option<ApiKey>,
    /// A deliberate defect to serve with; `None` is the documented behaviour.
    pub fault: Option<Fault>,
    /// Added to every request, to simulate a distant target.
    pub latency: std::time::Duration,
    /// Fail every Nth request with a 503, to be flaky on purpose.
    pub fail_every: Option<u64>,
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    /// `http://127.0.0.1:PORT`: the base of the URLs the server hands out.
    public_base: Arc<str>,
    fault: Option<Fault>,
    latency: std::time::Duration,
    fail_every: Option<u64>,
    requests: Arc<std::sync::atomic::AtomicU64>,
}

impl AppState {
    /// State over `store`, handing out URLs under `public_base`, with `fault` if any.
    pub fn new(store: Store, public_base: &str, fault: Option<Fault>) -> Self {
        Self {
            store: Arc::new(Mutex::new(store)),
            public_base: public_base.trim_end_matches('/').into(),
            fault,
            latency: std::time::Duration::ZERO,
            fail_every: None,
            requests: Arc::default(),
        }
    }

    /// Delays every request by `latency`, like a distant target.
    pub fn with_latency(mut self, latency: std::time::Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Fails every `n`th request with a 503 envelope: a server flaky on purpose.
    pub fn with_fail_every(mut self, n: Option<u64>) -> Self {
        self.fail_every = n.filter(|n| *n > 0);
        self
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A handler never panics while holding the lock; if one did, the data is still
        // consistent (every mutation is a single assignment), so carry on.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The reference server's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/music/shared/{token}/save", post(save_shared))
        .route("/v1/music/shared/{token}", get(resolve_share))
        .route(
            "/v1/music/{organization_id}/tracks/{track_id}/share",
            post(share_track),
        )
        .route(
            "/v1/music/{organization_id}/collections/{collection_id}/share",
            post(share_collection),
        )
        .route(
            "/v1/music/{organization_id}/share/{share_id}",
            delete(revoke_share),
        )
        .route(
            "/v1/music/{organization_id}/tracks/{track_id}",
            delete(delete_track),
        )
        .fallback(|| async { error::not_found("No route matches this method and path") })
        .method_not_allowed_fallback(|| async { error::METHOD_NOT_ALLOWED })
        .layer(axum::middleware::from_fn_with_state(state.clone(), pace))
        .with_state(state)
}

/// Latency and deliberate flakiness, applied to every request before it is handled.
async fn pace(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    if let Some(every) = state.fail_every {
        let n = state
            .requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if n % every == 0 {
            return error::SERVICE_UNAVAILABLE.into_response();
        }
    }
    next.run(request).await
}

/// Why a request identifies no caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthFailure {
    /// No `X-API-Key` header.
    Missing,
    /// The header is empty or blank.
    Empty,
    /// Only an `Authorization: Bearer` header, and this server issues no bearer tokens.
    Bearer,
    /// More than one `X-API-Key` header.
    Ambiguous,
    /// A key this server never issued.
    Unknown,
}

impl AuthFailure {
    /// The documented 401 for this failure.
    fn error(self, system_message: &'static str) -> ApiError {
        match self {
            Self::Missing | Self::Empty => error::authentication_required(system_message),
            Self::Bearer => error::TOKEN_INVALID,
            Self::Ambiguous | Self::Unknown => error::INVALID_API_KEY,
        }
    }
}

/// The caller named by the request's key.
fn identify(state: &AppState, headers: &HeaderMap) -> Result<User, AuthFailure> {
    let mut keys = headers.get_all("x-api-key").iter();
    let Some(key) = keys.next() else {
        if headers.contains_key(header::AUTHORIZATION) {
            return Err(AuthFailure::Bearer);
        }
        return Err(AuthFailure::Missing);
    };
    if keys.next().is_some() {
        return Err(AuthFailure::Ambiguous);
    }
    if key.as_bytes().iter().all(u8::is_ascii_whitespace) {
        return Err(AuthFailure::Empty);
    }
    state
        .store()
        .user_by_key(key.as_bytes())
        .ok_or(AuthFailure::Unknown)
}

/// The caller named by the request's key, or the 401 the docs prescribe.
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    system_message: &'static str,
) -> Result<User, ApiError> {
    identify(state, headers).map_err(|failure| failure.error(system_message))
}

fn created(body: serde_json::Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

fn ok(body: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// An undecodable token (invalid percent-encoding, not UTF-8) is not a token we issued.
fn token_of(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(token)| token)
        .map_err(|_| error::SHARE_UNAVAILABLE)
}

fn ids_of(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(String, String), ApiError> {
    path.map(|Path(ids)| ids)
        .map_err(|_| error::not_found("Path segment is not valid UTF-8"))
}

fn share_options(body: Result<Bytes, BytesRejection>) -> Result<ShareOptions, ApiError> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => error::PAYLOAD_TOO_LARGE,
        _ => error::INVALID_JSON,
    })?;
    ShareOptions::from_body(&body)
}

async fn save_shared(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    match save_outcome(&state, &headers, path) {
        Ok(edge) => edge_response(state.fault, edge).await,
        Err(refused) => refused_response(state.fault, refused),
    }
}

const SAVE_SIGN_IN: &str = "Saving a shared track requires sign-in";

/// How the save endpoint refuses: the documented envelope, or (only under a fault) an HTML page.
enum Refused {
    Envelope(ApiError),
    HtmlPage(StatusCode),
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self::Envelope(error)
    }
}

fn save_outcome(
    state: &AppState,
    headers: &HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Value, Refused> {
    let fault = state.fault;
    let rules = save_rules(fault);
    let token = token_of(path);
    if fault == Some(Fault::TokenBeforeKey) {
        let token = token.as_ref().map_err(|e| Refused::from(e.clone()))?;
        state
            .store()
            .check_saveable(token, &rules)
            .map_err(|refusal| refusal_answer(fault, refusal))?;
    }
    // Authentication comes first: an unauthenticated caller learns nothing about tokens.
    let user = match (identify(state, headers), fault) {
        (Ok(user), _) => user,
        (Err(AuthFailure::Unknown), Some(Fault::AnyKeyAccepted)) => {
            state.store().recipient().ok_or(error::INVALID_API_KEY)?
        }
        (Err(AuthFailure::Unknown), Some(Fault::UnknownKey500)) => {
            return Err(error::INTERNAL_ERROR.into());
        }
        (Err(AuthFailure::Empty), Some(Fault::EmptyKeyInvalidCode)) => {
            return Err(error::INVALID_API_KEY.into());
        }
        (Err(AuthFailure::Missing), Some(Fault::MissingKey403)) => {
            return Err(error::forbidden("Saving a shared track requires a key").into());
        }
        (Err(AuthFailure::Missing), Some(Fault::MissingKeyWrongType)) => {
            return Err(ApiError {
                kind: "client_error",
                ..error::authentication_required(SAVE_SIGN_IN)
            }
            .into());
        }
        (Err(failure), _) => return Err(failure.error(SAVE_SIGN_IN).into()),
    };
    let token = token?;
    if fault == Some(Fault::MalformedToken500) && !looks_like_a_token(&token) {
        return Err(error::INTERNAL_ERROR.into());
    }
    state
        .store()
        .save_shared(&user, &token, &rules)
        .map_err(|refusal| refusal_answer(fault, refusal))
}

/// The documented save rules, or the one a fault breaks.
fn save_rules(fault: Option<Fault>) -> SaveRules {
    SaveRules {
        allow_revoked: fault == Some(Fault::RevokedStillSaves),
        allow_expired: fault == Some(Fault::ExpiredStillSaves),
        allow_removed: fault == Some(Fault::RemovedStillSaves),
        allow_collection: fault == Some(Fault::CollectionSaves),
        rename_original: fault == Some(Fault::SaveMutatesOriginal),
    }
}

fn looks_like_a_token(token: &str) -> bool {
    token.strip_prefix("shr_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 128 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// What a refused save answers: one envelope for every reason a share is unavailable, so
/// the answer reveals nothing (unless a fault says otherwise).
fn refusal_answer(fault: Option<Fault>, refusal: Refusal) -> Refused {
    let unavailable = error::SHARE_UNAVAILABLE;
    match (fault, refusal) {
        (_, Refusal::Collection) => error::COLLECTION_READ_ONLY.into(),
        (Some(Fault::Revoked410), Refusal::Revoked) => ApiError {
            status: StatusCode::GONE,
            code: "RESOURCE_GONE",
            ..unavailable
        }
        .into(),
        (Some(Fault::UnknownToken400), Refusal::Unknown) => ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_TOKEN",
            ..unavailable
        }
        .into(),
        (Some(Fault::Removed500Html), Refusal::Removed) => {
            Refused::HtmlPage(StatusCode::INTERNAL_SERVER_ERROR)
        }
        (Some(Fault::Revealing404Message), reason) => ApiError {
            message: match reason {
                Refusal::Revoked => "This share link was revoked by its owner.",
                Refusal::Expired => "This share link has expired.",
                Refusal::Removed => "The shared track was deleted.",
                _ => "This share link does not exist.",
            },
            ..unavailable
        }
        .into(),
        (Some(Fault::Revealing404SystemMessage), reason) => ApiError {
            system_message: match reason {
                Refusal::Revoked => "Share link revoked",
                Refusal::Expired => "Share link expired",
                Refusal::Removed => "Shared track soft-deleted",
                _ => "Token hash not found",
            },
            ..unavailable
        }
        .into(),
        _ => unavailable.into(),
    }
}

fn refused_response(fault: Option<Fault>, refused: Refused) -> Response {
    let error = match refused {
        Refused::HtmlPage(status) => return html_page(status),
        Refused::Envelope(error) => error,
    };
    if fault == Some(Fault::UnauthorizedHtml) && error.status == StatusCode::UNAUTHORIZED {
        return html_page(error.status);
    }
    let mut body = error.envelope();
    let fields = &mut body["error"];
    match fault {
        Some(Fault::EnvelopeSuccessTrue) => body["success"] = Value::Bool(true),
        Some(Fault::EnvelopeStatusMismatch) => {
            fields["status"] = Value::from(if error.status == StatusCode::BAD_REQUEST {
                422
            } else {
                400
            });
        }
        Some(Fault::EnvelopeNoTraceId) => {
            drop(fields.as_object_mut().and_then(|f| f.remove("trace_id")))
        }
        Some(Fault::EnvelopeNoDetails) => {
            drop(fields.as_object_mut().and_then(|f| f.remove("details")))
        }
        Some(Fault::EnvelopeDetailsNull) => fields["details"] = Value::Null,
        Some(Fault::EnvelopeIntegerTimestamp) => {
            fields["timestamp"] = Value::from(clock::now().unix_timestamp())
        }
        Some(Fault::NotFoundTypeChanged) if error.status == StatusCode::NOT_FOUND => {
            fields["type"] = Value::from("not_found_error");
        }
        _ => {}
    }
    let content_type = if fault == Some(Fault::ErrorTextPlain) {
        "text/plain; charset=utf-8"
    } else {
        "application/json"
    };
    (
        error.status,
        [(header::CONTENT_TYPE, content_type)],
        body.to_string(),
    )
        .into_response()
}

fn html_page(status: StatusCode) -> Response {
    let page = format!(
        "<!DOCTYPE html><html><head><title>{status}</title></head><body><h1>{status}</h1><pre>at save_shared (handlers.rs:42)</pre></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

async fn edge_response(fault: Option<Fault>, mut edge: Value) -> Response {
    match fault {
        Some(Fault::SourceOwn) => edge["source"] = Value::from("own"),
        Some(Fault::EdgeIdUnprefixed) => {
            let id = edge["id"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches("mlib_")
                .to_owned();
            edge["id"] = Value::from(id);
        }
        Some(Fault::ShareLinkIdOmitted) => {
            drop(edge.as_object_mut().and_then(|e| e.remove("share_link_id")))
        }
        Some(Fault::ShareLinkIdOtherShare) => {
            edge["share_link_id"] = Value::from(format!("mslink_{}", clock::random_hex(6)))
        }
        Some(Fault::WrongTrackId) => {
            edge["track_id"] = Value::from(format!("mtrack_{}", clock::random_hex(6)))
        }
        Some(Fault::CreatedAtOffset) => {
            let utc = clock::parse(edge["created_at"].as_str().unwrap_or_default())
                .unwrap_or_else(|_| clock::now());
            edge["created_at"] =
                Value::from(clock::format(utc.to_offset(time::macros::offset!(+2))));
        }
        Some(Fault::CreatedAtNoT) => {
            let text = edge["created_at"]
                .as_str()
                .unwrap_or_default()
                .replacen('T', " ", 1);
            edge["created_at"] = Value::from(text);
        }
        Some(Fault::RedirectCrossOrigin) => {
            return (
                StatusCode::TEMPORARY_REDIRECT,
                [(
                    header::LOCATION,
                    "https://saves.elsewhere.invalid/v1/music/library",
                )],
            )
                .into_response();
        }
        Some(Fault::SlowSave) => tokio::time::sleep(std::time::Duration::from_secs(60)).await,
        Some(Fault::TruncatedBody) => return truncated(edge.to_string().into_bytes()),
        _ => {}
    }
    let status = if fault == Some(Fault::Save200Not201) {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let content_type = if fault == Some(Fault::EdgeTextPlain) {
        "text/plain; charset=utf-8"
    } else {
        "application/json"
    };
    let mut text = edge.to_string();
    if fault == Some(Fault::OversizedBody) {
        // Still valid JSON: trailing whitespace.
        text.push_str(&" ".repeat(2 * 1024 * 1024));
    }
    (status, [(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// A 201 that promises `body.len()` bytes, sends half, and drops the connection.
fn truncated(body: Vec<u8>) -> Response {
    let half = Bytes::copy_from_slice(&body[..body.len() / 2]);
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(half), Err(std::io::Error::other("dropped mid-body"))];
    Response::builder()
        .status(StatusCode::CREATED)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, body.len())
        .body(axum::body::Body::from_stream(futures::stream::iter(chunks)))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

async fn resolve_share(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let token = token_of(path)?;
    let view = state.store().resolve(&token, &state.public_base)?;
    Ok(ok(view))
}

async fn share_track(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers, "Sharing a track requires sign-in")?;
    let (organization_id, track_id) = ids_of(path)?;
    let options = share_options(body)?;
    let link = state.store().share(
        &user,
        &organization_id,
        ShareTargetRef::Track(&track_id),
        &options,
        &state.public_base,
    )?;
    Ok(created(link))
}

async fn share_collection(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers, "Sharing a collection requires sign-in")?;
    let (organization_id, collection_id) = ids_of(path)?;
    let options = share_options(body)?;
    let link = state.store().share(
        &user,
        &organization_id,
        ShareTargetRef::Collection(&collection_id),
        &options,
        &state.public_base,
    )?;
    Ok(created(link))
}

async fn revoke_share(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers, "Revoking a share link requires sign-in")?;
    let (organization_id, share_id) = ids_of(path)?;
    let body = state.store().revoke(&user, &organization_id, &share_id)?;
    Ok(ok(body))
}

async fn delete_track(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let user = authenticate(&state, &headers, "Deleting a track requires sign-in")?;
    let (organization_id, track_id) = ids_of(path)?;
    let body = state
        .store()
        .delete_track(&user, &organization_id, &track_id)?;
    Ok(ok(body))
}

/// A running reference server on a loopback socket; shut down gracefully on
/// [`ReferenceServer::shutdown`] or when dropped.
pub struct ReferenceServer {
    addr: SocketAddr,
    seed: Seed,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for ReferenceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl ReferenceServer {
    /// Seeds a store and serves it on `127.0.0.1:0`, a free port.
    pub async fn start(options: ServerOptions) -> std::io::Result<Self> {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), options).await
    }

    /// Seeds a store and serves it on `addr`. When this returns, the socket accepts connections.
    pub async fn bind(addr: SocketAddr, options: ServerOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (store, seed) = Store::seeded(options.recipient_key, options.sharer_key);
        let state = AppState::new(store, &format!("http://{addr}"), options.fault)
            .with_latency(options.latency)
            .with_fail_every(options.fail_every);
        let (shutdown, signal) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app(state))
                .with_graceful_shutdown(async move {
                    let _ = signal.await;
                })
                .await
        });
        Ok(Self {
            addr,
            seed,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The socket the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server was seeded with.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// The fixtures of the seeded store, with the recipient's key.
    pub fn fixtures(&self) -> Fixtures {
        self.seed.fixtures()
    }

    /// Stops accepting connections, lets open requests finish, and waits for the server.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(signal) = self.shutdown.take() {
            let _ = signal.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        if let Some(signal) = self.shutdown.take() {
            let _ = signal.send(());
        }
    }
}
