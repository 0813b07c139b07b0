//! The wire format: the store's domain values and errors turned into HTTP responses, through
//! the behaviour's hooks. Every response of the reference server is made here.

use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::behaviour::{Behaviour, EdgeTransport, ErrorSite, JSON};
use super::error::ApiError;
use super::store::{Edge, NewShare, ShareView, Shared, Track};
use crate::{clock, ids};

/// An error answer: the envelope (or, under a fault, an HTML page), after the hooks.
pub fn error(behaviour: &Behaviour, site: &ErrorSite<'_>, mut error: ApiError) -> Response {
    (behaviour.error)(site, &mut error);
    if (behaviour.html_instead)(site, &error) {
        return html_page(error.status);
    }
    let mut body = error.envelope();
    (behaviour.envelope)(site, &mut body);
    let mut response = (
        error.status,
        [(header::CONTENT_TYPE, behaviour.error_content_type)],
        body.to_string(),
    )
        .into_response();
    if error.status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    }
    if let Some((name, value)) = (behaviour.error_header)(site)
        && let Ok(value) = header::HeaderValue::from_str(&value)
    {
        response.headers_mut().insert(name, value);
    }
    response
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

/// A JSON body with a status.
pub fn json(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, JSON)], body.to_string()).into_response()
}

/// `204 No Content`: no body at all.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// The library edge, as the docs' Returns section lists it.
pub fn edge_json(edge: &Edge) -> Value {
    json!({
        "id": edge.id,
        "track_id": edge.track_id,
        "source": "shared",
        "share_link_id": edge.share_link_id,
        "created_at": clock::format(edge.created_at),
    })
}

/// A successful save's answer (of `token`): the edge, after the hooks, as the behaviour makes
/// it travel.
pub async fn saved(behaviour: &Behaviour, token: &str, edge: &Edge, repeat: bool) -> Response {
    let mut body = edge_json(edge);
    (behaviour.edge)(&mut body);
    let status = if repeat {
        behaviour.repeat_status
    } else {
        behaviour.created_status
    };
    let mut text = body.to_string();
    match behaviour.edge_transport {
        EdgeTransport::Normal => {}
        EdgeTransport::RedirectElsewhere => {
            return (
                StatusCode::TEMPORARY_REDIRECT,
                [(
                    header::LOCATION,
                    "https://saves.elsewhere.invalid/v1/music/library",
                )],
            )
                .into_response();
        }
        EdgeTransport::Delayed(delay) => tokio::time::sleep(delay).await,
        EdgeTransport::Truncated => return truncated(status, text.into_bytes()),
        // Still valid JSON: trailing whitespace.
        EdgeTransport::Padded(bytes) => text.push_str(&" ".repeat(bytes)),
    }
    let mut response = (
        status,
        [(header::CONTENT_TYPE, behaviour.edge_content_type)],
        text,
    )
        .into_response();
    if let Some((name, value)) = (behaviour.saved_header)(token)
        && let Ok(value) = header::HeaderValue::from_str(&value)
    {
        response.headers_mut().insert(name, value);
    }
    response
}

/// A response that promises `body.len()` bytes, sends its status line, headers and half the
/// body, and then drops the connection: the client has the answer's start, not its end.
fn truncated(status: StatusCode, body: Vec<u8>) -> Response {
    let half = Bytes::copy_from_slice(&body[..body.len() / 2]);
    // The pause lets the head and the first half leave before the connection drops.
    let dropped = futures::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        Err(std::io::Error::other("dropped mid-body"))
    });
    let chunks = futures::StreamExt::chain(futures::stream::iter([Ok(half)]), dropped);
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, JSON)
        .header(header::CONTENT_LENGTH, body.len())
        .body(axum::body::Body::from_stream(chunks))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// A track as the public resolve shows it, with a freshly minted playback URL.
fn track_view(track: &Track, public_base: &str) -> Value {
    // A short-lived signed URL, minted afresh on every request as the docs say.
    let expires = clock::now().unix_timestamp() + 300;
    let mut view = track_fields(track);
    view["playback_url"] = Value::from(format!(
        "{public_base}/v1/music/playback/{}?expires={expires}&signature={}",
        track.id,
        ids::random_hex(16)
    ));
    view
}

/// The documented fields of a track, `playback_url` null (as List saved tracks shows it).
fn track_fields(track: &Track) -> Value {
    json!({
        "id": track.id,
        "title": track.title,
        "engine": track.engine,
        "mode": track.mode,
        "measured_duration_seconds": track.measured_duration_seconds,
        "instrumental": track.instrumental,
        "playback_url": null,
        "licence": {
            "licence_class": "personal",
            "licence_version": "2026-01",
            "commercial_use": false,
            "requires_attribution": true,
        },
    })
}

/// The public view of a share, after the hooks.
pub fn share_view(behaviour: &Behaviour, view: &ShareView, public_base: &str) -> Value {
    let share = json!({
        "target_type": view.target_type,
        "visibility": view.visibility,
        "expires_at": view.expires_at.map(clock::format),
    });
    let mut body = match &view.content {
        None => json!({
            "kind": view.target_type,
            "available": false,
            "message": "This content is no longer available.",
            "share": share,
            "track": null,
            "collection": null,
            "tracks": null,
        }),
        Some(Shared::Track(track)) => json!({
            "kind": "track",
            "available": true,
            "message": null,
            "share": share,
            "track": track_view(track, public_base),
            "collection": null,
            "tracks": null,
        }),
        Some(Shared::Collection(collection, tracks)) => json!({
            "kind": "collection",
            "available": true,
            "message": null,
            "share": share,
            "track": null,
            "collection": {
                "id": collection.id,
                "name": collection.name,
                "description": collection.description,
            },
            "tracks": tracks.iter().map(|t| track_view(t, public_base)).collect::<Vec<_>>(),
        }),
    };
    (behaviour.view)(&mut body, view.views);
    body
}

/// List saved tracks: tracks, not edges, with `playback_url` and `stem_urls` null.
pub fn library(tracks: &[Track], limit: usize, offset: usize) -> Value {
    let items: Vec<Value> = tracks
        .iter()
        .map(|t| {
            let mut item = track_fields(t);
            item["stem_urls"] = Value::Null;
            item
        })
        .collect();
    json!({ "items": items, "limit": limit, "offset": offset })
}

/// A new share link, as Share a track answers it.
pub fn new_share(share: &NewShare, public_base: &str) -> Value {
    json!({
        "id": share.id,
        "token": share.token,
        "url": format!("{public_base}/v1/music/shared/{}", share.token),
        "target_type": share.target_type,
        "visibility": share.visibility,
        "expires_at": share.expires_at.map(clock::format),
        "created_at": clock::format(share.created_at),
    })
}
