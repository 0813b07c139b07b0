//! A minimal vendor implementation of "Save a shared track", and the test that certifies it
//! with share-conformance from inside `cargo test`: no extra process, the suite runs against
//! the server on a loopback port of the test itself.
//!
//! ```sh
//! cargo test --example vendor     # the conformance test
//! cargo run --example vendor      # the server on 127.0.0.1:8090, and its fixtures
//! ```
//!
//! In a vendor's own crate, the test needs these two lines (the server here also uses axum,
//! serde_json and time, which are the vendor's business):
//!
//! ```toml
//! [dev-dependencies]
//! share-conformance = { git = "https://github.com/freddy-music/share-conformance", tag = "v0.1.0" }
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! ```
//!
//! A passing run prints nothing; a failing one panics with what failed and how to reproduce it.
//!
//! The server keeps everything in memory and knows one recipient. It is written from the docs,
//! independently of the harness's reference server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The status of a successful save. (Change it to `StatusCode::OK` and watch the test fail.)
const SAVED: StatusCode = StatusCode::CREATED;

const TRACK_ID: &str = "mtrack_5a17c0de9e21";
const SHARE_LINK_ID: &str = "mslink_7e3b0f4c2a91";
/// The recipient's organization: its library is `GET /v1/music/{org}/tracks`.
const RECIPIENT_ORG: &str = "org_3d9b1f0e6c42";

/// What a share token stands for.
#[derive(Clone, Copy)]
enum Share {
    /// An active link to a track.
    Track,
    /// Revoked, expired, or its track deleted: the answer is the same for each.
    Unavailable,
    /// An active link to a collection, which cannot be saved.
    Collection,
}

#[derive(Clone)]
struct Vendor {
    recipient_key: String,
    shares: Arc<HashMap<String, Share>>,
    /// The recipient's edge to the shared track, once saved (a repeat save returns it).
    edge: Arc<Mutex<Option<Value>>>,
}

/// The tokens and key a fresh vendor server holds, in the harness's fixtures format.
fn seed() -> (Vendor, String) {
    let token = |n: u8| format!("shr_{}", format!("{n:x}").repeat(32));
    let (live, revoked, expired, removed, collection) =
        (token(1), token(2), token(3), token(4), token(5));
    let shares = HashMap::from([
        (live.clone(), Share::Track),
        (revoked.clone(), Share::Unavailable),
        (expired.clone(), Share::Unavailable),
        (removed.clone(), Share::Unavailable),
        (collection.clone(), Share::Collection),
    ]);
    let vendor = Vendor {
        recipient_key: "ak_vendorrecipient0000000000000000000000".into(),
        shares: Arc::new(shares),
        edge: Arc::default(),
    };
    let fixtures = format!(
        "api_key = \"{}\"\n[tokens]\nlive = \"{live}\"\nrevoked = \"{revoked}\"\nexpired = \"{expired}\"\nremoved = \"{removed}\"\ncollection = \"{collection}\"\n[expected]\ntrack_id = \"{TRACK_ID}\"\nshare_link_id = \"{SHARE_LINK_ID}\"\n[recipient]\norganization_id = \"{RECIPIENT_ORG}\"\n",
        vendor.recipient_key
    );
    (vendor, fixtures)
}

fn now() -> String {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The documented error envelope.
fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    system_message: &str,
    kind: &str,
) -> Response {
    let trace_id = format!("req_{:x}", OffsetDateTime::now_utc().unix_timestamp_nanos());
    let body = json!({
        "success": false,
        "error": {
            "code": code, "message": message, "system_message": system_message, "type": kind,
            "status": status.as_u16(), "details": {}, "trace_id": trace_id, "timestamp": now(),
        }
    });
    (status, Json(body)).into_response()
}

fn unavailable() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "RESOURCE_NOT_FOUND",
        "This share link is no longer available.",
        "Share token invalid, revoked, expired, or content removed",
        "client_error",
    )
}

/// The 401 to answer, unless the request is the recipient's. A request without `X-API-Key`
/// is not signed in, whatever else it carries (this server issues no Bearer tokens).
fn refuse_sign_in(vendor: &Vendor, headers: &HeaderMap) -> Option<Response> {
    match headers
        .get("x-api-key")
        .map(|v| v.to_str().unwrap_or_default().trim())
    {
        None | Some("") => Some(error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_REQUIRED",
            "Authentication required. Please provide a valid API key.",
            "Saving a shared track requires sign-in",
            "authentication_error",
        )),
        Some(key) if key != vendor.recipient_key => Some(error(
            StatusCode::UNAUTHORIZED,
            "INVALID_API_KEY",
            "Your API key is invalid",
            "Unknown key",
            "authentication_error",
        )),
        Some(_) => None,
    }
}

async fn save(
    State(vendor): State<Vendor>,
    headers: HeaderMap,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    if let Some(unauthorized) = refuse_sign_in(&vendor, &headers) {
        return unauthorized;
    }
    let Ok(Path(token)) = token else {
        return unavailable();
    };
    match vendor.shares.get(&token) {
        Some(Share::Track) => {
            let mut edge = vendor.edge.lock().unwrap_or_else(|p| p.into_inner());
            let edge = edge.get_or_insert_with(|| {
                json!({ "id": "mlib_0c4e8d2b7a65", "track_id": TRACK_ID, "source": "shared",
                        "share_link_id": SHARE_LINK_ID, "created_at": now() })
            });
            (SAVED, Json(edge.clone())).into_response()
        }
        Some(Share::Collection) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "Only a shared track can be saved.",
            "Shared collections are read-only",
            "client_error",
        ),
        Some(Share::Unavailable) | None => unavailable(),
    }
}

fn track() -> Value {
    json!({
        "id": TRACK_ID, "title": "Vendor Demo", "engine": "vendor-1", "mode": "song",
        "measured_duration_seconds": 93.0, "instrumental": true, "playback_url": null,
        "licence": { "licence_class": "personal", "licence_version": "1", "commercial_use": false, "requires_attribution": true },
    })
}

/// List saved tracks: the recipient's library (the saved track, once saved).
async fn library(
    State(vendor): State<Vendor>,
    headers: HeaderMap,
    org: Result<Path<String>, PathRejection>,
) -> Response {
    if let Some(unauthorized) = refuse_sign_in(&vendor, &headers) {
        return unauthorized;
    }
    if !matches!(org, Ok(Path(org)) if org == RECIPIENT_ORG) {
        return error(
            StatusCode::NOT_FOUND,
            "RESOURCE_NOT_FOUND",
            "Not found.",
            "Not the caller's organization",
            "client_error",
        );
    }
    let saved = vendor
        .edge
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some();
    let mut item = track();
    item["stem_urls"] = Value::Null;
    let items = if saved { vec![item] } else { vec![] };
    Json(json!({ "items": items, "limit": 50, "offset": 0 })).into_response()
}

async fn resolve(
    State(vendor): State<Vendor>,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(token)) = token else {
        return unavailable();
    };
    match vendor.shares.get(&token) {
        Some(Share::Track) => {
            let mut track = track();
            track["playback_url"] = json!(format!(
                "https://cdn.vendor.example/{TRACK_ID}?sig={}",
                OffsetDateTime::now_utc().unix_timestamp_nanos()
            ));
            Json(json!({
                "kind": "track", "available": true, "message": null,
                "share": { "target_type": "track", "visibility": "link_only", "expires_at": null },
                "track": track, "collection": null, "tracks": null,
            }))
            .into_response()
        }
        _ => unavailable(),
    }
}

/// The vendor's routes; every other path or method answers the envelope too.
fn app(vendor: Vendor) -> Router {
    Router::new()
        .route("/v1/music/shared/{token}/save", post(save))
        .route("/v1/music/shared/{token}", get(resolve))
        .route("/v1/music/{org}/tracks", get(library))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "RESOURCE_NOT_FOUND",
                "Not found.",
                "No such route",
                "client_error",
            )
        })
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "Method not allowed.",
                "No such method here",
                "client_error",
            )
        })
        .with_state(vendor)
}

/// Serves a fresh vendor on `addr`; its address and fixtures (TOML).
async fn start(addr: &str) -> std::io::Result<(SocketAddr, String)> {
    let (vendor, fixtures) = seed();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app(vendor)).await });
    Ok((addr, fixtures))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let (addr, fixtures) = start("127.0.0.1:8090").await?;
    println!("vendor server on http://{addr}\n\n{fixtures}");
    tokio::signal::ctrl_c().await
}

#[cfg(test)]
mod tests {
    use share_conformance::{Fixtures, Run, Target};

    use super::start;

    #[tokio::test]
    async fn the_vendor_conforms_to_save_a_shared_track() {
        let (addr, fixtures) = start("127.0.0.1:0").await.unwrap();
        // The fixtures name the recipient's key; `.api_key("ak_…")` would give it as text.
        let target = Target::new(
            &format!("http://{addr}"),
            Fixtures::parse(&fixtures).unwrap(),
        )
        .unwrap();
        // This vendor implements the save and what it reads (the public resolve, List saved
        // tracks), not the sharer's side (share, revoke, delete): the lifecycles of a save,
        // which need it, are left out. A vendor with the sharer's side gives the target a
        // `Provision` plan instead (the book's chapter on `cargo test`).
        let report = Run::new(target)
            .tags("not @lifecycle")
            .unwrap()
            .concurrency(32)
            // Its reads show its writes at once: no need to wait for a lagging one.
            .read_lag(std::time::Duration::ZERO)
            .execute()
            .await
            .unwrap();
        report.assert_passed();
    }
}
