//! The reference server's routes, in-process with `oneshot`: the neighbours behave as the docs
//! say, and every failure path answers the documented envelope with `error.status` equal to
//! the HTTP status.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use share_conformance::Suite;
use share_conformance::suite::SchemaName;
use tower::ServiceExt as _;

use crate::behaviour::Behaviour;
use crate::store::{Seed, Store};
use crate::{AppState, app};

fn fresh() -> (Router, Seed) {
    let (store, seed) = Store::seeded(None, None);
    (
        app(AppState::new(
            store,
            "http://reference.test",
            Behaviour::documented(),
        )),
        seed,
    )
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    key: Option<&str>,
    body: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("{method} {uri}: not JSON: {bytes:?}"));
    (status, content_type, json)
}

/// Asserts the documented envelope with this status and code.
fn assert_envelope(
    status: StatusCode,
    content_type: Option<String>,
    body: &Value,
    expected: u16,
    code: &str,
) {
    let suite = Suite::embedded().unwrap();
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(
        suite.schema_violations(SchemaName::ErrorEnvelope, body),
        Vec::<String>::new(),
        "{body}"
    );
    assert_eq!(body["error"]["status"], expected, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
}

#[tokio::test]
async fn every_failure_path_answers_the_envelope() {
    let (app, seed) = fresh();
    let key = seed.recipient_key.expose();
    let cases: [(&str, &str, Option<&str>, u16, &str); 9] = [
        ("GET", "/no/such/route", None, 404, "RESOURCE_NOT_FOUND"),
        (
            "GET",
            "/v1/music/shared/shr_x/save",
            Some(key),
            405,
            "METHOD_NOT_ALLOWED",
        ),
        (
            "PUT",
            "/v1/music/shared/shr_x",
            None,
            405,
            "METHOD_NOT_ALLOWED",
        ),
        (
            "POST",
            "/v1/music/shared/%FF%FE/save",
            Some(key),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            "POST",
            "/v1/music/shared//save",
            Some(key),
            404,
            "RESOURCE_NOT_FOUND",
        ),
        (
            "POST",
            "/v1/music/shared/shr_x/save",
            None,
            401,
            "AUTHENTICATION_REQUIRED",
        ),
        (
            "POST",
            "/v1/music/shared/shr_x/save",
            Some(" "),
            401,
            "AUTHENTICATION_REQUIRED",
        ),
        (
            "POST",
            "/v1/music/shared/shr_x/save",
            Some("ak_nope"),
            401,
            "INVALID_API_KEY",
        ),
        (
            "GET",
            "/v1/music/shared/%FF",
            None,
            404,
            "RESOURCE_NOT_FOUND",
        ),
    ];
    for (method, uri, key, status, code) in cases {
        let (actual, content_type, body) = call(&app, method, uri, key, "").await;
        assert_envelope(actual, content_type, &body, status, code);
    }
}

#[tokio::test]
async fn the_key_is_checked_before_the_token() {
    let (app, seed) = fresh();
    for (_, token) in seed.tokens.all() {
        let (status, content_type, body) = call(
            &app,
            "POST",
            &format!("/v1/music/shared/{token}/save"),
            None,
            "",
        )
        .await;
        assert_envelope(status, content_type, &body, 401, "AUTHENTICATION_REQUIRED");
        assert_eq!(
            body["error"]["system_message"],
            "Saving a shared track requires sign-in"
        );
    }
}

#[tokio::test]
async fn a_bearer_token_is_not_an_api_key_and_two_keys_are_refused() {
    let (app, seed) = fresh();
    let request = Request::post("/v1/music/shared/shr_x/save")
        .header("authorization", "Bearer eyJ")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let request = Request::post("/v1/music/shared/shr_x/save")
        .header("x-api-key", seed.recipient_key.expose())
        .header("x-api-key", seed.sharer_key.expose())
        .body(Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn share_resolve_save_revoke_delete_through_http() {
    let (app, seed) = fresh();
    let sharer = seed.sharer_key.expose();
    let recipient = seed.recipient_key.expose();
    let org = &seed.organization_id;
    let track = &seed.spare_track_id;

    let (status, _, link) = call(
        &app,
        "POST",
        &format!("/v1/music/{org}/tracks/{track}/share"),
        Some(sharer),
        r#"{"expires_in_days": 365}"#,
    )
    .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["target_type"], "track");
    assert!(link["id"].as_str().unwrap().starts_with("mslink_"));
    assert!(link["expires_at"].as_str().unwrap().ends_with('Z'));
    let token = link["token"].as_str().unwrap();
    assert_eq!(
        link["url"],
        format!("http://reference.test/v1/music/shared/{token}")
    );

    let (status, _, view) = call(&app, "GET", &format!("/v1/music/shared/{token}"), None, "").await;
    assert_eq!(status, 200);
    assert_eq!(view["available"], true);
    assert_eq!(view["track"]["id"], track.as_str());

    let (status, _, edge) = call(
        &app,
        "POST",
        &format!("/v1/music/shared/{token}/save"),
        Some(recipient),
        "",
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(edge["share_link_id"], link["id"]);

    // Only the creator may share (the recipient is not in the organization), and the body
    // is checked.
    let share_uri = format!("/v1/music/{org}/tracks/{track}/share");
    for (key, body, status, code) in [
        (recipient, "", 404, "RESOURCE_NOT_FOUND"),
        (sharer, "{", 400, "INVALID_REQUEST"),
        (sharer, r#"{"visibility": 3}"#, 422, "VALIDATION_ERROR"),
    ] {
        let (actual, content_type, answer) = call(&app, "POST", &share_uri, Some(key), body).await;
        assert_envelope(actual, content_type, &answer, status, code);
    }

    let id = link["id"].as_str().unwrap();
    for _ in 0..2 {
        let (status, _, revoked) = call(
            &app,
            "DELETE",
            &format!("/v1/music/{org}/share/{id}"),
            Some(sharer),
            "",
        )
        .await;
        assert_eq!(status, 200, "revoking is idempotent: {revoked}");
        assert_eq!(revoked["detail"], "Share link revoked.");
    }
    let (status, ct, body) =
        call(&app, "GET", &format!("/v1/music/shared/{token}"), None, "").await;
    assert_envelope(status, ct, &body, 404, "RESOURCE_NOT_FOUND");

    let (status, _, deleted) = call(
        &app,
        "DELETE",
        &format!("/v1/music/{org}/tracks/{track}"),
        Some(sharer),
        "",
    )
    .await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["detail"], "Track deleted.");
    let (status, ct, body) = call(
        &app,
        "DELETE",
        &format!("/v1/music/{org}/tracks/{track}"),
        Some(sharer),
        "",
    )
    .await;
    assert_envelope(status, ct, &body, 404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn a_removed_share_resolves_as_unavailable_and_a_collection_lists_its_tracks() {
    let (app, seed) = fresh();
    let removed = &seed.tokens.removed;
    let (status, _, view) = call(
        &app,
        "GET",
        &format!("/v1/music/shared/{removed}"),
        None,
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(view["available"], false);
    assert!(view["track"].is_null());
    assert!(view["message"].is_string());

    let collection = &seed.tokens.collection;
    let (status, _, view) = call(
        &app,
        "GET",
        &format!("/v1/music/shared/{collection}"),
        None,
        "",
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(view["kind"], "collection");
    assert_eq!(view["collection"]["id"], seed.collection_id.as_str());

    let recipient = seed.recipient_key.expose();
    let (status, ct, body) = call(
        &app,
        "POST",
        &format!("/v1/music/shared/{collection}/save"),
        Some(recipient),
        "",
    )
    .await;
    assert_envelope(status, ct, &body, 422, "SHARED_COLLECTION_READ_ONLY");
}

/// A server started with a seed draws the same values again: its keys and tokens, and the
/// random parts of its answers (a trace id here; a variant's random choices alike).
#[tokio::test]
async fn a_seed_draws_the_same_store_and_answers_again() {
    use std::sync::Arc;

    use crate::ids::{Draws, drawing_sync};

    let served = |seed: u64| async move {
        let (store, fixed) = drawing_sync(Arc::new(Draws::new(seed)), || Store::seeded(None, None));
        let state = AppState::new(store, "http://reference.test", Behaviour::documented())
            .with_draws(Arc::new(Draws::new(seed)));
        let (_, _, body) = call(
            &app(state),
            "POST",
            "/v1/music/shared/shr_0000/save",
            None,
            "",
        )
        .await;
        (
            fixed.recipient_key.expose().to_owned(),
            fixed.tokens.live.clone(),
            body["error"]["trace_id"].as_str().unwrap().to_owned(),
        )
    };
    let first = served(42).await;
    assert_eq!(first, served(42).await);
    let other = served(43).await;
    assert!(
        first.0 != other.0 && first.1 != other.1 && first.2 != other.2,
        "{first:?} {other:?}"
    );

    let started = crate::ReferenceServer::start(crate::ServerOptions {
        seed: Some(42),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(started.random_seed(), 42);
    assert_eq!(started.seed().recipient_key.expose(), first.0);
}
