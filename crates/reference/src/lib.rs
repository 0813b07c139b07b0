//! The reference server of share-conformance: a faithful implementation of the documented
//! behaviour of "Save a shared track", on a loopback socket.
//!
//! It is the command line's embedded default target, what `cargo test` runs the suite
//! against, and what `share-conformance serve` runs standalone. It does not depend on the
//! harness: a vendor's dependency on the harness never compiles it. Besides the endpoint under test it serves the
//! neighbours the harness needs (open a shared link, list saved tracks, share a track or
//! collection, revoke a share, delete a track). Every failure path, including unknown routes,
//! wrong methods and undecodable path segments, answers with the documented error envelope.
//!
//! The layers: [`store`] holds the data and rules and answers with domain values; [`wire`]
//! turns those into responses; [`behaviour`] is what both consult, which a [`faults`] entry
//! breaks or a [`variants`] entry changes within what the docs allow.

pub mod behaviour;
pub mod clock;
pub mod error;
pub mod faults;
pub mod ids;
pub mod store;
pub mod variants;
pub mod wire;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use self::behaviour::{AuthProblem, Behaviour, ErrorSite, MalformedToken};
use self::error::ApiError;
use self::faults::Fault;
use self::store::{
    Denial, Key, Matching, Refusal, Seed, ShareOptions, ShareTargetRef, Store, User,
};
use self::variants::Variant;

/// How to seed a reference server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// The recipient's key; generated when `None`.
    pub recipient_key: Option<Key>,
    /// The sharer's key; generated when `None`.
    pub sharer_key: Option<Key>,
    /// A deliberate defect to serve with; `None` is the documented behaviour.
    pub fault: Option<Fault>,
    /// A conforming variant: another of the choices the docs leave open. With a fault too,
    /// the variant applies first and the fault's hooks replace any of the same kind.
    pub variant: Option<Variant>,
    /// Added to every request, to simulate a distant target.
    pub latency: std::time::Duration,
    /// Fail every Nth request with a 503, to be flaky on purpose.
    pub fail_every: Option<u64>,
    /// The seed of every random value the server draws (keys, tokens, ids, a variant's random
    /// choices); `None` draws one.
    pub seed: Option<u64>,
}

impl ServerOptions {
    /// The behaviour these options ask for.
    pub fn behaviour(&self) -> Behaviour {
        let mut behaviour = Behaviour::documented();
        if let Some(variant) = self.variant {
            (variant.info().apply)(&mut behaviour);
        }
        if let Some(fault) = self.fault {
            (fault.info().apply)(&mut behaviour);
        }
        behaviour
    }
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    /// `http://127.0.0.1:PORT`: the base of the URLs the server hands out.
    public_base: Arc<str>,
    behaviour: Behaviour,
    latency: std::time::Duration,
    fail_every: Option<u64>,
    requests: Arc<std::sync::atomic::AtomicU64>,
    window: Arc<RateWindow>,
    /// Where the random values of its answers come from.
    draws: Arc<ids::Draws>,
}

/// Requests counted per second, for a rate-limited variant.
#[derive(Default)]
struct RateWindow {
    current: Mutex<(Option<std::time::Instant>, u64)>,
}

impl RateWindow {
    /// Counts a request; whether it is within `limit` for the current second.
    fn admit(&self, limit: u64) -> bool {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = std::time::Instant::now();
        match current.0 {
            Some(start) if now.duration_since(start) < std::time::Duration::from_secs(1) => {
                current.1 += 1;
            }
            _ => *current = (Some(now), 1),
        }
        current.1 <= limit
    }
}

impl AppState {
    /// State over `store`, handing out URLs under `public_base`, behaving as `behaviour`.
    pub fn new(store: Store, public_base: &str, behaviour: Behaviour) -> Self {
        Self {
            store: Arc::new(Mutex::new(store)),
            public_base: public_base.trim_end_matches('/').into(),
            behaviour,
            latency: std::time::Duration::ZERO,
            fail_every: None,
            requests: Arc::default(),
            window: Arc::default(),
            draws: Arc::new(ids::Draws::unseeded()),
        }
    }

    /// Draws the random values of its answers from `draws`.
    pub fn with_draws(mut self, draws: Arc<ids::Draws>) -> Self {
        self.draws = draws;
        self
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

    /// Renders an error of a route other than the save.
    fn error(&self, failure: Failure) -> Response {
        let site = ErrorSite {
            auth: failure.auth,
            ..ErrorSite::PLAIN
        };
        wire::error(&self.behaviour, &site, failure.error)
    }
}

/// The reference server's routes.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/v1/music/shared/{token}/save", post(save_shared))
        .route("/v1/music/shared/{token}", get(resolve_share))
        .route("/v1/music/{organization_id}/tracks", get(list_tracks))
        .route(
            "/v1/music/{organization_id}/tracks/{track_id}/share",
            post(share::<TrackShare>),
        )
        .route(
            "/v1/music/{organization_id}/collections/{collection_id}/share",
            post(share::<CollectionShare>),
        )
        .route(
            "/v1/music/{organization_id}/share/{share_id}",
            delete(owner_delete::<RevokeShare>),
        )
        .route(
            "/v1/music/{organization_id}/tracks/{track_id}",
            delete(owner_delete::<DeleteTrack>),
        )
        .fallback(|State(state): State<AppState>| async move {
            state.error(error::not_found("No route matches this method and path").into())
        })
        .method_not_allowed_fallback(|State(state): State<AppState>| async move {
            state.error(error::METHOD_NOT_ALLOWED.into())
        })
        .layer(axum::middleware::from_fn_with_state(state.clone(), pace))
        .with_state(state)
}

/// Every request is handled drawing from the server's seeded generator.
async fn pace(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let draws = state.draws.clone();
    ids::drawing(draws, paced(state, request, next)).await
}

/// Latency and deliberate flakiness, applied to every request before it is handled.
async fn paced(
    state: AppState,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let n = state
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        + 1;
    if let Some(every) = state.fail_every
        && n.is_multiple_of(every)
    {
        return state.error(error::SERVICE_UNAVAILABLE.into());
    }
    if let Some(limit) = state.behaviour.rate_limit_per_second
        && !state.window.admit(limit)
    {
        return state.error(error::RATE_LIMITED.into());
    }
    next.run(request).await
}

/// An error of a handler, and the credential problem behind it if it is a 401.
struct Failure {
    error: ApiError,
    auth: Option<AuthProblem>,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Self {
        Self { error, auth: None }
    }
}

impl From<Denial> for Failure {
    fn from(denial: Denial) -> Self {
        ApiError::from(denial).into()
    }
}

/// Whether `key` has the documented shape: `ak_` and alphanumerics, 42 characters in all.
fn well_formed_key(key: &[u8]) -> bool {
    key.len() == 42 && key.starts_with(b"ak_") && key[3..].iter().all(u8::is_ascii_alphanumeric)
}

/// The caller named by the request's credentials.
fn identify(state: &AppState, headers: &HeaderMap) -> Result<User, AuthProblem> {
    let mut keys = headers.get_all("x-api-key").iter();
    let Some(key) = keys.next() else {
        if let Some(authorization) = headers.get(header::AUTHORIZATION) {
            if unsigned_jwt(authorization.as_bytes()) {
                return Err(AuthProblem::UnsignedBearer);
            }
            return Err(AuthProblem::Bearer);
        }
        return Err(AuthProblem::Missing);
    };
    if keys.next().is_some() {
        return Err(AuthProblem::Ambiguous);
    }
    let key = key.as_bytes();
    if key.iter().all(u8::is_ascii_whitespace) {
        return Err(AuthProblem::Empty);
    }
    let store = state.store();
    if state.behaviour.bearer_beside_key_signs_in
        && headers.contains_key(header::AUTHORIZATION)
        && let Some(recipient) = store.recipient()
    {
        return Ok(recipient);
    }
    let found = match state.behaviour.key_matching {
        Matching::Exact => store.user_by_key(key),
        loose => store.user_by_key_loosely(key, loose),
    };
    match found {
        Some(user) => Ok(user),
        None if well_formed_key(key) => Err(AuthProblem::Unknown),
        None => Err(AuthProblem::Malformed),
    }
}

/// Whether an `Authorization` value is `Bearer` and a JWT whose header says `"alg": "none"`.
fn unsigned_jwt(value: &[u8]) -> bool {
    let Some(token) = value.strip_prefix(b"Bearer ") else {
        return false;
    };
    let header = token.split(|b| *b == b'.').next().unwrap_or_default();
    let decoded = base64url_decode(header);
    let text = String::from_utf8_lossy(&decoded).to_ascii_lowercase();
    text.replace(' ', "").contains("\"alg\":\"none\"")
}

/// Unpadded base64url, invalid symbols skipped.
fn base64url_decode(text: &[u8]) -> Vec<u8> {
    let value = |b: u8| match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' | b'+' => Some(62),
        b'_' | b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for six in text.iter().filter_map(|b| value(*b)) {
        buffer = (buffer << 6) | u32::from(six);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// The documented 401 for a credential problem, with the endpoint's own `system_message`.
fn unauthorized(problem: AuthProblem, system_message: &'static str) -> ApiError {
    match problem {
        AuthProblem::Missing | AuthProblem::Empty => error::authentication_required(system_message),
        AuthProblem::Bearer | AuthProblem::UnsignedBearer => error::TOKEN_INVALID,
        AuthProblem::Malformed | AuthProblem::Unknown | AuthProblem::Ambiguous => {
            error::INVALID_API_KEY
        }
    }
}

/// The caller named by the request's key, or the 401 the docs prescribe.
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    system_message: &'static str,
) -> Result<User, Failure> {
    identify(state, headers).map_err(|problem| Failure {
        error: unauthorized(problem, system_message),
        auth: Some(problem),
    })
}

fn ids_of(
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<(String, String), Failure> {
    path.map(|Path(ids)| ids)
        .map_err(|_| error::not_found("Path segment is not valid UTF-8").into())
}

fn share_options(body: Result<Bytes, BytesRejection>) -> Result<ShareOptions, Failure> {
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => error::PAYLOAD_TOO_LARGE,
        _ => error::INVALID_JSON,
    })?;
    Ok(ShareOptions::from_body(&body)?)
}

const SAVE_SIGN_IN: &str = "Saving a shared track requires sign-in";

/// `POST /v1/music/shared/{token}/save`: key first, then the token.
async fn save_shared(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let behaviour = state.behaviour;
    // An undecodable token (invalid percent-encoding, not UTF-8) is not a token we issued.
    let token = path.ok().map(|Path(token)| token);
    let refused = |refusal: Refusal, error: ApiError| {
        let site = ErrorSite {
            on_save: true,
            auth: None,
            refusal: Some(refusal),
            token: token.as_deref(),
            token_state: None,
        };
        wire::error(&behaviour, &site, error)
    };
    let unauthorized_answer = |problem: AuthProblem, error: ApiError| {
        let site = ErrorSite {
            on_save: true,
            auth: Some(problem),
            refusal: None,
            token: token.as_deref(),
            token_state: Some(match token.as_deref() {
                None => Err(Refusal::Unknown),
                Some(token) => state.store().check_saveable(token, &behaviour.rules),
            }),
        };
        wire::error(&behaviour, &site, error)
    };

    let identity = identify(&state, &headers);
    if let Err(problem) = identity
        && behaviour.token_before_key.contains(&problem)
    {
        // A fault: the token is judged before the caller, so a dead token answers 404.
        let check = match token.as_deref() {
            None => Err(Refusal::Unknown),
            Some(token) => state.store().check_saveable(token, &behaviour.rules),
        };
        if let Err(refusal) = check {
            return refused(refusal, refusal_error(refusal));
        }
    }
    // Authentication comes first: an unauthenticated caller learns nothing about tokens.
    let user = match identity {
        Ok(user) => user,
        Err(problem) if behaviour.accepted_as_recipient.contains(&problem) => {
            match state.store().recipient() {
                Some(user) => user,
                None => return unauthorized_answer(problem, unauthorized(problem, SAVE_SIGN_IN)),
            }
        }
        Err(problem) if behaviour.server_error_for.contains(&problem) => {
            return unauthorized_answer(problem, error::INTERNAL_ERROR);
        }
        Err(problem) => return unauthorized_answer(problem, unauthorized(problem, SAVE_SIGN_IN)),
    };
    let Some(token) = token.as_deref() else {
        return refused(Refusal::Unknown, error::SHARE_UNAVAILABLE);
    };
    match behaviour.malformed_token {
        MalformedToken::NotFound => {}
        MalformedToken::BadRequest if !behaviour.token_format.matches(token) => {
            return refused(Refusal::Unknown, error::INVALID_TOKEN);
        }
        MalformedToken::ServerError if !looks_like_a_token(token) => {
            return refused(Refusal::Unknown, error::INTERNAL_ERROR);
        }
        MalformedToken::BadRequest | MalformedToken::ServerError => {}
    }
    let outcome = state.store().save_shared(&user, token, &behaviour.rules);
    match outcome {
        Ok(saved) => wire::saved(&behaviour, token, &saved.edge, saved.repeat).await,
        Err(refusal) => refused(refusal, refusal_error(refusal)),
    }
}

/// One envelope for every reason a share is unavailable, so the answer reveals nothing.
fn refusal_error(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Collection => error::COLLECTION_READ_ONLY,
        Refusal::AlreadySaved => error::ALREADY_SAVED,
        Refusal::Unknown | Refusal::Revoked | Refusal::Expired | Refusal::Removed => {
            error::SHARE_UNAVAILABLE
        }
    }
}

fn looks_like_a_token(token: &str) -> bool {
    token.strip_prefix("shr_").is_some_and(|rest| {
        !rest.is_empty() && rest.len() <= 128 && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// `GET /v1/music/shared/{token}`: the public resolve, no key.
async fn resolve_share(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let token = path.ok().map(|Path(token)| token);
    let view = token
        .as_deref()
        .ok_or(Denial::ShareUnavailable)
        .and_then(|token| state.store().resolve(token, &state.behaviour.reads));
    match view {
        Ok(view) => wire::json(
            StatusCode::OK,
            &wire::share_view(&state.behaviour, &view, &state.public_base),
        ),
        Err(e) => {
            let site = ErrorSite {
                token: token.as_deref(),
                ..ErrorSite::PLAIN
            };
            wire::error(&state.behaviour, &site, e.into())
        }
    }
}

/// The query of List saved tracks.
#[derive(Debug, Deserialize)]
struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /v1/music/{organization_id}/tracks`: the caller's saved tracks, newest save first.
async fn list_tracks(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<Page>, QueryRejection>,
) -> Response {
    let result = (|| {
        let user = authenticate(&state, &headers, "Listing saved tracks requires sign-in")?;
        let Path(organization_id) =
            path.map_err(|_| error::not_found("Path segment is not valid UTF-8"))?;
        let Query(page) = query.map_err(|_| error::INVALID_QUERY)?;
        let limit = page.limit.unwrap_or(50);
        let offset = page.offset.unwrap_or(0);
        if !(1..=100).contains(&limit) {
            return Err(error::INVALID_QUERY.into());
        }
        let tracks = state.store().library(
            &user,
            &organization_id,
            limit,
            offset,
            &state.behaviour.reads,
        )?;
        Ok(wire::json(
            StatusCode::OK,
            &wire::library(&tracks, limit, offset),
        ))
    })();
    result.unwrap_or_else(|failure| state.error(failure))
}

/// What a share route shares, and what it says to a caller who is not signed in.
trait Shareable {
    const SIGN_IN: &'static str;
    fn target(id: &str) -> ShareTargetRef<'_>;
}

/// `POST /v1/music/{organization_id}/tracks/{track_id}/share`.
struct TrackShare;

impl Shareable for TrackShare {
    const SIGN_IN: &'static str = "Sharing a track requires sign-in";
    fn target(id: &str) -> ShareTargetRef<'_> {
        ShareTargetRef::Track(id)
    }
}

/// `POST /v1/music/{organization_id}/collections/{collection_id}/share`.
struct CollectionShare;

impl Shareable for CollectionShare {
    const SIGN_IN: &'static str = "Sharing a collection requires sign-in";
    fn target(id: &str) -> ShareTargetRef<'_> {
        ShareTargetRef::Collection(id)
    }
}

/// Share a track or a collection: 201 with the new link and its raw token.
async fn share<K: Shareable>(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let target = K::target;
    let result = (|| {
        let user = authenticate(&state, &headers, K::SIGN_IN)?;
        let (organization_id, id) = ids_of(path)?;
        let options = share_options(body)?;
        let link = state
            .store()
            .share(&user, &organization_id, target(&id), &options)?;
        Ok(wire::json(
            StatusCode::CREATED,
            &wire::new_share(&link, &state.public_base),
        ))
    })();
    result.unwrap_or_else(|failure| state.error(failure))
}

/// What an owner's `DELETE` route removes, what it says to a caller who is not signed in, and
/// what it answers.
trait Deletable {
    const SIGN_IN: &'static str;
    const DETAIL: &'static str;
    fn delete(
        store: &mut Store,
        behaviour: &Behaviour,
        user: &User,
        organization_id: &str,
        id: &str,
    ) -> Result<(), Denial>;
}

/// `DELETE /v1/music/{organization_id}/share/{share_id}`: revoke a share link.
struct RevokeShare;

impl Deletable for RevokeShare {
    const SIGN_IN: &'static str = "Revoking a share link requires sign-in";
    const DETAIL: &'static str = "Share link revoked.";
    fn delete(
        store: &mut Store,
        behaviour: &Behaviour,
        user: &User,
        organization_id: &str,
        id: &str,
    ) -> Result<(), Denial> {
        store.revoke(
            user,
            organization_id,
            id,
            behaviour.revoke_drops_copies_after,
        )
    }
}

/// `DELETE /v1/music/{organization_id}/tracks/{track_id}`: soft-delete a track.
struct DeleteTrack;

impl Deletable for DeleteTrack {
    const SIGN_IN: &'static str = "Deleting a track requires sign-in";
    const DETAIL: &'static str = "Track deleted.";
    fn delete(
        store: &mut Store,
        _: &Behaviour,
        user: &User,
        organization_id: &str,
        id: &str,
    ) -> Result<(), Denial> {
        store.delete_track(user, organization_id, id)
    }
}

/// A signed-in owner's `DELETE`: `200 { success, id, detail }` (or, in a variant, 204 and no
/// body).
async fn owner_delete<K: Deletable>(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let result = (|| {
        let user = authenticate(&state, &headers, K::SIGN_IN)?;
        let (organization_id, id) = ids_of(path)?;
        K::delete(
            &mut state.store(),
            &state.behaviour,
            &user,
            &organization_id,
            &id,
        )?;
        if state.behaviour.owner_delete_status == StatusCode::NO_CONTENT {
            return Ok(wire::no_content());
        }
        Ok(wire::json(
            state.behaviour.owner_delete_status,
            &serde_json::json!({ "success": true, "id": id, "detail": K::DETAIL }),
        ))
    })();
    result.unwrap_or_else(|failure| state.error(failure))
}

/// A running reference server on a loopback socket; shut down gracefully on
/// [`ReferenceServer::shutdown`] or when dropped.
pub struct ReferenceServer {
    addr: SocketAddr,
    seed: Seed,
    random_seed: u64,
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
        let behaviour = options.behaviour();
        let draws = Arc::new(
            options
                .seed
                .map_or_else(ids::Draws::unseeded, ids::Draws::new),
        );
        let (store, seed) = ids::drawing_sync(draws.clone(), || {
            let (mut store, seed) = Store::seeded_with(
                options.recipient_key,
                options.sharer_key,
                behaviour.token_format,
                behaviour.key_matching != Matching::Exact
                    || behaviour.rules.token_matching != Matching::Exact,
            );
            store.prefill_library(behaviour.library_prefill, &seed.spare_track_id);
            (store, seed)
        });
        let random_seed = draws.seed();
        let state = AppState::new(store, &format!("http://{addr}"), behaviour)
            .with_latency(options.latency)
            .with_fail_every(options.fail_every)
            .with_draws(draws);
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
            random_seed,
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

    /// The seed of every random value it draws: `serve --seed` with it draws them again.
    pub fn random_seed(&self) -> u64 {
        self.random_seed
    }

    /// The fixtures of the seeded store (TOML), with the recipient's key and organization.
    pub fn fixtures_toml(&self) -> String {
        self.seed.fixtures_toml()
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
