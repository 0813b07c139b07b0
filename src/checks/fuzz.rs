//! The response evaluator never panics and keeps its promises, whatever a server answers:
//! arbitrary statuses, headers and bodies (random bytes, random JSON, almost-valid edges and
//! envelopes with one field broken, truncated JSON) go through every check. And every near
//! miss of a documented body, one field broken against its documented type, is rejected.
//! Bounded: a few thousand cases, a few seconds.
//!
//! Replayable: the generator's seed is fixed ([`SEED`]), so a failure here fails the same way
//! on every machine, and proptest prints the minimal failing case.

use std::sync::OnceLock;
use std::time::Duration;

use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION};
use serde_json::{Value, json};

use crate::checks::{self, Check, Comparison};
use crate::exchange::{BODY_CAP, Exchange};
use crate::suite::Suite;

/// The generators' seed: every run draws the same cases.
const SEED: u64 = 0x5ec0_2e5e_ed00_0001;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(SEED),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

fn suite() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(|| Suite::embedded().unwrap())
}

const NAMES: &[&str] = &[
    "id",
    "track_id",
    "source",
    "share_link_id",
    "created_at",
    "success",
    "error",
    "code",
    "message",
    "system_message",
    "type",
    "status",
    "details",
    "trace_id",
    "timestamp",
    "track",
    "available",
];

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
        prop::sample::select(vec![
            "shared",
            "mlib_1",
            "mtrack_1",
            "mslink_1",
            "2026-06-28T10:30:00Z",
            "req_abc",
            "RESOURCE_NOT_FOUND",
            "2026-02-30T10:30:00Z",
            "9999-99-99T99:99:99Z",
            "",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(NAMES.to_vec()).prop_map(String::from),
                    inner
                ),
                0..7
            )
            .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

fn edge() -> Value {
    json!({"id": "mlib_6d2f9a4c1e83", "track_id": "mtrack_b4d9e1c6a72f", "source": "shared",
           "share_link_id": "mslink_3a7f2c9e8b14", "created_at": "2026-06-28T10:30:00Z"})
}

fn envelope(status: u16) -> Value {
    json!({"success": false, "error": {"code": "RESOURCE_NOT_FOUND", "message": "This share link is no longer available.",
           "system_message": "Share token invalid, revoked, expired, or content removed", "type": "client_error",
           "status": status, "details": {}, "trace_id": "req_jkl012mno", "timestamp": "2026-06-28T10:30:00Z"}})
}

/// A valid document with one field (possibly nested) replaced by anything.
fn almost_valid() -> impl Strategy<Value = Value> {
    (
        any::<bool>(),
        prop::sample::select(NAMES.to_vec()),
        any_json(),
        100u16..600,
    )
        .prop_map(|(is_edge, name, value, status)| {
            let mut doc = if is_edge { edge() } else { envelope(status) };
            let target = if is_edge || name == "success" || name == "error" {
                &mut doc
            } else {
                &mut doc["error"]
            };
            target[name] = value;
            doc
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        any_json().prop_map(|v| v.to_string().into_bytes()),
        almost_valid().prop_map(|v| v.to_string().into_bytes()),
        (almost_valid(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let text = v.to_string().into_bytes();
            text[..cut.index(text.len().max(1)).min(text.len())].to_vec()
        }),
    ]
}

fn header(text: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(text).ok()
}

/// An exchange whose parts agree (an envelope under its own error status, an edge under 201),
/// with one field of the body broken half of the time: the paths where checks pass, and their
/// near misses.
fn coherent() -> impl Strategy<Value = Exchange> {
    (
        any::<bool>(),
        400u16..600,
        prop::option::of((prop::sample::select(NAMES.to_vec()), any_json())),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(is_edge, status, broken, truncated)| {
            let (status, mut doc) = if is_edge {
                (201, edge())
            } else {
                (status, envelope(status))
            };
            if let Some((name, value)) = broken {
                let target = if is_edge || name == "success" || name == "error" {
                    &mut doc
                } else {
                    &mut doc["error"]
                };
                target[name] = value;
            }
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Exchange {
                request: "POST /v1/music/shared/{fuzz token}/save".into(),
                status: StatusCode::from_u16(status).unwrap(),
                headers,
                body: doc.to_string().into_bytes(),
                truncated,
                echoed_secret: false,
                echoed_credential: None,
                elapsed: Duration::ZERO,
                id: None,
                answered_at: None,
            }
        })
}

fn exchange() -> impl Strategy<Value = Exchange> {
    prop_oneof![2 => arbitrary_exchange(), 1 => coherent()]
}

fn arbitrary_exchange() -> impl Strategy<Value = Exchange> {
    (
        100u16..1000,
        prop::option::of(prop_oneof![
            Just("application/json".to_owned()),
            Just("application/json; charset=utf-8".to_owned()),
            Just("text/html".to_owned()),
            "\\PC{0,30}",
        ]),
        prop::option::of(prop_oneof![Just("gzip".to_owned()), "\\PC{0,10}"]),
        prop::option::of("\\PC{0,60}"),
        body(),
        any::<bool>(),
    )
        .prop_map(
            |(status, content_type, encoding, location, body, truncated)| {
                let mut headers = HeaderMap::new();
                for (name, value) in [
                    (CONTENT_TYPE, content_type),
                    (CONTENT_ENCODING, encoding),
                    (LOCATION, location),
                ] {
                    if let Some(value) = value.as_deref().and_then(header) {
                        headers.insert(name, value);
                    }
                }
                Exchange {
                    request: "POST /v1/music/shared/{fuzz token}/save".into(),
                    status: StatusCode::from_u16(status).unwrap(),
                    headers,
                    body: body[..body.len().min(BODY_CAP)].to_vec(),
                    truncated,
                    echoed_secret: false,
                    echoed_credential: None,
                    elapsed: Duration::ZERO,
                    id: None,
                    answered_at: None,
                }
            },
        )
}

fn answer(exchange: &Exchange) -> checks::Answer<'_> {
    checks::Answer {
        exchange,
        token: "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c",
    }
}

/// A failure is a message whose first line says something, on one bounded line.
fn well_formed(check: &Check) {
    if let Err(failure) = check {
        let first = failure.message().lines().next().unwrap_or_default();
        assert!(!first.trim().is_empty(), "empty reason: {failure:?}");
        assert!(
            first.chars().count() < 600,
            "an unbounded first line: {first}"
        );
    }
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn every_check_gives_a_verdict_and_keeps_its_promise(r in exchange(), other in exchange()) {
        let suite = suite();
        // A fixed "now", so that a failing case fails the same way when replayed.
        let now = time::macros::datetime!(2026-06-28 10:30:00 UTC);

        let status_201 = checks::status_is(&r, 201);
        prop_assert_eq!(status_201.is_ok(), r.status.as_u16() == 201);
        prop_assert_eq!(checks::status_is_success(&r).is_ok(), r.status.is_success());
        prop_assert_eq!(checks::status_is_client_error(&r).is_ok(), r.status.is_client_error());
        prop_assert_eq!(checks::content_type_is_json(&r).is_ok(), r.has_json_content_type());

        let envelope = checks::is_error_envelope(suite, &r);
        if envelope.is_ok() {
            // An accepted envelope really is one: an error status, mirrored, and whole.
            prop_assert!(r.status.as_u16() >= 400 && !r.truncated);
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            prop_assert_eq!(body["error"]["status"].as_u64(), Some(u64::from(r.status.as_u16())));
            prop_assert_eq!(&body["success"], &Value::Bool(false));
        }
        let edge = checks::is_library_edge(suite, &r);
        if edge.is_ok() {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            prop_assert_eq!(&body["source"], &json!("shared"));
            prop_assert!(body.get("share_link_id").is_some());
        }
        let view = checks::public_view(&r);
        if view.is_ok() {
            prop_assert_eq!(r.status.as_u16(), 200);
        }

        for check in [
            status_201,
            envelope,
            edge,
            checks::error_field_is_one_of(&r, "code", &["AUTHENTICATION_REQUIRED", "INVALID_API_KEY"]),
            checks::trace_id_is_req_or_uuid(&r),
            checks::matches_snapshot(suite, &r, "save-404-unavailable"),
            checks::matches_snapshot(suite, &r, "no-such-snapshot"),
            checks::edge_track_id_is(&r, "mtrack_b4d9e1c6a72f"),
            checks::edge_share_link_id_is(&r, "mslink_3a7f2c9e8b14"),
            checks::edge_created_within(&r, 5, now, "the fuzz"),
            checks::repeat_save(suite, &r, &other).map(drop),
            checks::identical_apart_from_volatile(Comparison {
                answers: &[answer(&r), answer(&other)],
                again: &[vec![answer(&other), answer(&r)]],
            }),
            checks::identical_apart_from_volatile(Comparison { answers: &[answer(&r)], again: &[] }),
            checks::agree_on_documented_fields(Comparison {
                answers: &[answer(&r), answer(&other)],
                again: &[vec![answer(&r), answer(&other)], vec![answer(&other), answer(&r)]],
            }),
            checks::all_have_status(&[answer(&r), answer(&other)], 401),
            checks::trace_ids_unique(&[answer(&r), answer(&other)], |_| Vec::new()),
            checks::error_timestamp_within(&r, 5, now, "the fuzz"),
            checks::error_code_is_documented_401(&r),
            checks::error_type_is_documented(&r),
            checks::no_internals(&r),
            checks::edge_as_example(&r),
            checks::share_link_id_not_null(&r, "mslink_3a7f2c9e8b14"),
            checks::no_echo(&r, "shr_9f3a2b7c1e4d6a8f0b2c4d6e8f1a3b5c"),
            checks::library_page(&r).map(drop),
            checks::library_gained(&[], &["mtrack_1".to_owned()], true, "mtrack_2").map(drop),
            view.clone().map(drop),
        ] {
            well_formed(&check);
        }
        if let (Ok(before), Ok(after)) = (view, checks::public_view(&other)) {
            well_formed(&checks::track_unchanged(&before, &after));
        }
    }
}

/// The JSON type of a value, as JSON Schema names it.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value whose type is none of `allowed`, or a string that does not open with `prefix`
/// when `prefix` is given and strings are allowed.
fn wrong_value(
    allowed: &'static [&'static str],
    prefix: Option<&'static str>,
) -> impl Strategy<Value = Value> {
    let other_type = any_json().prop_filter("a type the field does not allow", move |v| {
        !allowed.contains(&json_type(v))
    });
    match prefix {
        Some(prefix) => prop_oneof![
            other_type,
            "[A-Za-z0-9_-]{0,16}"
                .prop_filter("no documented prefix", move |s| !s.starts_with(prefix))
                .prop_map(Value::from),
            // The prefix alone, with nothing after it.
            Just(Value::from(prefix)),
        ]
        .boxed(),
        None => other_type.boxed(),
    }
}

/// A short string of date-like characters that is no RFC 3339 date-time.
fn not_a_date_time() -> impl Strategy<Value = Value> {
    "[a-zA-Z0-9 :.-]{0,24}"
        .prop_filter("no date-time", |s| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_err()
        })
        .prop_map(Value::from)
}

/// The documented edge with one field broken against its documented type, or missing:
/// the field's name and the document.
fn near_miss_edge() -> impl Strategy<Value = (&'static str, Value)> {
    let broken = prop_oneof![
        wrong_value(&["string"], Some("mlib_")).prop_map(|v| ("id", Some(v))),
        wrong_value(&["string"], Some("mtrack_")).prop_map(|v| ("track_id", Some(v))),
        any_json()
            .prop_filter("not shared", |v| v != &json!("shared"))
            .prop_map(|v| ("source", Some(v))),
        wrong_value(&["string", "null"], Some("mslink_")).prop_map(|v| ("share_link_id", Some(v))),
        wrong_value(&["string"], None).prop_map(|v| ("created_at", Some(v))),
        not_a_date_time().prop_map(|v| ("created_at", Some(v))),
        prop::sample::select(vec![
            "id",
            "track_id",
            "source",
            "share_link_id",
            "created_at"
        ])
        .prop_map(|field| (field, None)),
    ];
    broken.prop_map(|(field, value)| {
        let mut doc = edge();
        match value {
            Some(value) => doc[field] = value,
            None => {
                doc.as_object_mut().map(|o| o.remove(field));
            }
        }
        (field, doc)
    })
}

/// The documented envelope (for a 404) with one field broken against its documented type,
/// or missing: the field's path and the document.
fn near_miss_envelope() -> impl Strategy<Value = (&'static str, Value)> {
    let broken = prop_oneof![
        any_json()
            .prop_filter("not false", |v| v != &json!(false))
            .prop_map(|v| ("success", Some(v))),
        wrong_value(&["object"], None).prop_map(|v| ("error", Some(v))),
        wrong_value(&["string"], None).prop_map(|v| ("code", Some(v))),
        "[a-z][a-z_]{0,12}".prop_map(|s| ("code", Some(Value::from(s)))),
        wrong_value(&["string"], None).prop_map(|v| ("message", Some(v))),
        wrong_value(&["string"], None).prop_map(|v| ("system_message", Some(v))),
        wrong_value(&["string"], None).prop_map(|v| ("type", Some(v))),
        wrong_value(&["number"], None).prop_map(|v| ("status", Some(v))),
        (100u16..600)
            .prop_filter("not the HTTP status", |s| *s != 404)
            .prop_map(|s| ("status", Some(Value::from(s)))),
        wrong_value(&["object"], None).prop_map(|v| ("details", Some(v))),
        wrong_value(&["string"], None).prop_map(|v| ("trace_id", Some(v))),
        wrong_value(&["string"], None).prop_map(|v| ("timestamp", Some(v))),
        not_a_date_time().prop_map(|v| ("timestamp", Some(v))),
        prop::sample::select(vec![
            "success",
            "error",
            "code",
            "message",
            "system_message",
            "type",
            "status",
            "details",
            "trace_id",
            "timestamp",
        ])
        .prop_map(|field| (field, None)),
    ];
    broken.prop_map(|(field, value)| {
        let mut doc = envelope(404);
        let holder = if field == "success" || field == "error" {
            &mut doc
        } else {
            &mut doc["error"]
        };
        match value {
            Some(value) => holder[field] = value,
            None => {
                holder.as_object_mut().map(|o| o.remove(field));
            }
        }
        (field, doc)
    })
}

/// A JSON answer with this status and body.
fn json_answer(status: u16, body: &Value) -> Exchange {
    let mut exchange = checks::answer(
        status,
        &[("content-type", "application/json")],
        &body.to_string(),
    );
    exchange.request = "near miss".into();
    exchange
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn every_near_miss_edge_is_rejected((field, doc) in near_miss_edge()) {
        let check = checks::is_library_edge(suite(), &json_answer(201, &doc));
        prop_assert!(check.is_err(), "{field} broken, yet accepted: {doc}");
        well_formed(&check);
    }

    #[test]
    fn every_near_miss_envelope_is_rejected((field, doc) in near_miss_envelope()) {
        let check = checks::is_error_envelope(suite(), &json_answer(404, &doc));
        prop_assert!(check.is_err(), "{field} broken, yet accepted: {doc}");
        well_formed(&check);
    }
}

#[test]
fn the_documented_bodies_themselves_are_accepted() {
    // The near misses are near misses of something that passes.
    assert_eq!(
        checks::is_library_edge(suite(), &json_answer(201, &edge())),
        Ok(())
    );
    assert_eq!(
        checks::is_error_envelope(suite(), &json_answer(404, &envelope(404))),
        Ok(())
    );
}

#[test]
fn the_generators_reach_both_verdicts() {
    // A fuzz that only ever produced failures would prove little about the passing paths.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut envelopes, mut edges) = (0, 0);
    for _ in 0..3000 {
        let r = exchange().new_tree(&mut runner).unwrap().current();
        envelopes += usize::from(checks::is_error_envelope(suite(), &r).is_ok());
        edges += usize::from(checks::is_library_edge(suite(), &r).is_ok());
    }
    assert!(
        envelopes > 0 && edges > 0,
        "valid envelopes {envelopes}, valid edges {edges}"
    );
}
