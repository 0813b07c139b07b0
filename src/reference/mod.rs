//! The reference server: a faithful implementation of the documented behaviour, in-process.
//!
//! It is the embedded default target, what `cargo test` runs the suite against, and what
//! `share-conformance serve` runs standalone. Besides the endpoint under test it serves the
//! neighbours the harness needs (open a shared link, share a track or collection, revoke a
//! share, delete a track). Every failure path, including unknown routes, wrong methods and
//! undecodable path segments, answers with the documented error envelope.

pub mod error;
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
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use self::error::ApiError;
use self::store::{Seed, ShareOptions, ShareTargetRef, Store, User};
use crate::fixtures::Fixtures;
use crate::secret::ApiKey;

/// How to seed a reference server.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// The recipient's key; generated when `None`.
    pub recipient_key: Option<ApiKey>,
    /// The sharer's key; generated when `None`.
    pub sharer_key: Option<ApiKey>,
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    /// `http://127.0.0.1:PORT`: the base of the URLs the server hands out.
    public_base: Arc<str>,
}

impl AppState {
    /// State over `store`, handing out URLs under `public_base`.
    pub fn new(store: Store, public_base: &str) -> Self {
        Self {
            store: Arc::new(Mutex::new(store)),
            public_base: public_base.trim_end_matches('/').into(),
        }
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
        .with_state(state)
}

/// The caller named by the request's key, or the 401 the docs prescribe.
fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    system_message: &'static str,
) -> Result<User, ApiError> {
    let mut keys = headers.get_all("x-api-key").iter();
    let Some(key) = keys.next() else {
        if headers.contains_key(header::AUTHORIZATION) {
            return Err(error::TOKEN_INVALID);
        }
        return Err(error::authentication_required(system_message));
    };
    if keys.next().is_some() {
        return Err(error::INVALID_API_KEY);
    }
    if key.as_bytes().iter().all(u8::is_ascii_whitespace) {
        return Err(error::authentication_required(system_message));
    }
    state
        .store()
        .user_by_key(key.as_bytes())
        .ok_or(error::INVALID_API_KEY)
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
) -> Result<Response, ApiError> {
    // Authentication comes first: an unauthenticated caller learns nothing about tokens.
    let user = authenticate(&state, &headers, "Saving a shared track requires sign-in")?;
    let token = token_of(path)?;
    let edge = state.store().save_shared(&user, &token)?;
    Ok(created(edge))
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
        let state = AppState::new(store, &format!("http://{addr}"));
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
