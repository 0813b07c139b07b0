//! The error envelope: its schema and documented values, its snapshot, what it must not
//! reveal (`src/steps/envelope.rs`), and the comparison of the answers to unavailable shares,
//! which must not tell the reasons apart.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use time::OffsetDateTime;

use super::{Check, Failure, json_body, schema, string_at, timestamp_near};
use crate::exchange::{Exchange, status_text};
use crate::suite::Suite;
use crate::suite::schema::SchemaName;
use crate::suite::snapshot::{PER_RESPONSE_FIELDS, documented_types, json_diff, without};

/// The answer is an error envelope: an error status, a JSON body valid against the envelope
/// schema, `error.status` equal to the HTTP status. (The Content-Type is not documented: the
/// SHOULD clause HTTP-JSON-CONTENT-TYPE checks it, with [`content_type_is_json`].)
pub fn is_error_envelope(suite: &Suite, response: &Exchange) -> Check {
    if !(response.status.is_client_error() || response.status.is_server_error()) {
        return Err(Failure::mismatch(
            "an error status (4xx or 5xx)",
            status_text(response.status),
            response,
        ));
    }
    let body = json_body(response)?;
    schema(suite, SchemaName::ErrorEnvelope, &body, response)?;
    let mirrored = body.pointer("/error/status").and_then(Value::as_u64);
    if mirrored != Some(u64::from(response.status.as_u16())) {
        return Err(Failure::mismatch(
            format!(
                "error.status {} (the HTTP status)",
                response.status.as_u16()
            ),
            format!(
                "error.status {}",
                body.pointer("/error/status").unwrap_or(&Value::Null)
            ),
            response,
        ));
    }
    Ok(())
}

/// `error.{field}` is one of `accepted`.
pub fn error_field_is_one_of(response: &Exchange, field: &str, accepted: &[&str]) -> Check {
    let body = json_body(response)?;
    let actual = string_at(&body, &format!("/error/{field}"), response)?;
    if accepted.contains(&actual) {
        return Ok(());
    }
    let expected: Vec<String> = accepted.iter().map(|a| format!("{a:?}")).collect();
    Err(Failure::mismatch(
        format!("error.{field} {}", expected.join(" or ")),
        format!("{actual:?}"),
        response,
    ))
}

/// The 401 codes of the global error-code reference (docs/related-endpoints.md).
pub const DOCUMENTED_401_CODES: &[&str] = &[
    "AUTHENTICATION_REQUIRED",
    "INVALID_API_KEY",
    "API_KEY_EXPIRED",
    "API_KEY_DEACTIVATED",
    "API_KEY_PAUSED",
    "TOKEN_EXPIRED",
    "TOKEN_INVALID",
];

/// `error.code` is one of the documented 401 codes.
pub fn error_code_is_documented_401(response: &Exchange) -> Check {
    error_field_is_one_of(response, "code", DOCUMENTED_401_CODES)
}

/// `error.type` is one the docs give an error of the response's status.
pub fn error_type_is_documented(response: &Exchange) -> Check {
    error_field_is_one_of(response, "type", documented_types(response.status.as_u16()))
}

/// `error.trace_id` is `req_` and letters or digits (this page), or a UUID (global docs).
pub fn trace_id_is_req_or_uuid(response: &Exchange) -> Check {
    let body = json_body(response)?;
    let trace_id = string_at(&body, "/error/trace_id", response)?;
    if is_req_id(trace_id) || is_uuid(trace_id) {
        return Ok(());
    }
    Err(Failure::mismatch(
        "trace_id `req_` + letters and digits, or a UUID",
        format!("{trace_id:?}"),
        response,
    ))
}

fn is_req_id(text: &str) -> bool {
    text.strip_prefix("req_")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The envelope, redacted, equals snapshot `name`.
pub fn matches_snapshot(suite: &Suite, response: &Exchange, name: &str) -> Check {
    let body = json_body(response)?;
    suite.snapshots().check(name, &body).map_err(|diff| {
        Failure::about(
            format!(
                "the envelope differs from snapshot {name} ({}; - snapshot, + response):\n{}",
                crate::suite::snapshot::SnapshotKind::of(name).redacted(),
                diff.trim_end()
            ),
            response,
        )
    })
}

/// No field of the envelope (extra fields and `details` included) carries a traceback, an
/// exception class name, a source path with a line number, or SQL: internals a graceful error
/// never shows (the docs: "a graceful error, never a stack trace").
pub fn no_internals(response: &Exchange) -> Check {
    let body = json_body(response)?;
    let findings = crate::internals::scan(&body);
    if findings.is_empty() {
        return Ok(());
    }
    Err(Failure::mismatch(
        "an envelope without stack traces, exception names, source paths or SQL",
        findings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        response,
    ))
}

/// One answer the scenario collected, with the token it named (masked before comparing: a
/// token echoed back differs per request without saying anything about its state).
#[derive(Clone, Copy)]
pub struct Answer<'a> {
    /// The exchange.
    pub exchange: &'a Exchange,
    /// The share token the request named.
    pub token: &'a str,
}

/// `value` with every occurrence of `token` (raw or percent-encoded) in a string replaced by
/// `{token}`.
fn mask_token(value: &Value, token: &str) -> Value {
    if token.len() < 8 {
        return value.clone();
    }
    let encoded = crate::secret::percent_encode(token);
    match value {
        Value::String(text) => {
            Value::String(text.replace(token, "{token}").replace(&encoded, "{token}"))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| mask_token(v, token)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), mask_token(v, token)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// At least two answers to compare, or why not.
fn pair<'a, 'b>(answers: &'b [Answer<'a>]) -> Result<(&'b Answer<'a>, &'b [Answer<'a>]), Failure> {
    match answers {
        [] => Err(Failure::new("no responses were collected (a suite bug)")),
        [_] => Err(Failure::new(
            "one response was collected: nothing to compare (a suite bug)",
        )),
        [first, rest @ ..] => Ok((first, rest)),
    }
}

/// What stands in for a value that differs between two answers to the very same request.
const VARIES: &str = "(varies per request)";

/// A string's words and what lies between them: `"ref a7c"` is `["ref", " ", "a7c"]`.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut alnum = None;
    for (i, c) in text.char_indices() {
        let kind = c.is_alphanumeric();
        if alnum.is_some_and(|k| k != kind) {
            out.push(&text[start..i]);
            start = i;
        }
        alnum = Some(kind);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// A leaf that varies per request: the whole of it, or only some words of a string (a
/// request id in a message), so the rest of the string is still compared.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Varying {
    /// The whole value.
    Whole,
    /// For strings of so many words, the positions of the words that vary (answers for
    /// different tokens may have strings of different lengths at one place).
    Words(BTreeMap<usize, BTreeSet<usize>>),
}

/// Records in `out` the leaves of `a` and `b` (JSON pointers) whose values differ: compared
/// for two answers to the very same request, they vary per request, not with the token's
/// state.
fn varying_leaves(a: &Value, b: &Value, at: &str, out: &mut BTreeMap<String, Varying>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                if let Some(other) = y.get(key) {
                    varying_leaves(value, other, &format!("{at}/{key}"), out);
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (value, other)) in x.iter().zip(y).enumerate() {
                varying_leaves(value, other, &format!("{at}/{i}"), out);
            }
        }
        (Value::String(x), Value::String(y)) if x != y => {
            let (wx, wy) = (words(x), words(y));
            let merged = match out.remove(at) {
                _ if wx.len() != wy.len() => Varying::Whole,
                Some(Varying::Whole) => Varying::Whole,
                previous => {
                    let mut by_length = match previous {
                        Some(Varying::Words(by_length)) => by_length,
                        _ => BTreeMap::new(),
                    };
                    by_length
                        .entry(wx.len())
                        .or_default()
                        .extend((0..wx.len()).filter(|i| wx[*i] != wy[*i]));
                    Varying::Words(by_length)
                }
            };
            out.insert(at.to_owned(), merged);
        }
        _ if a != b => {
            out.insert(at.to_owned(), Varying::Whole);
        }
        _ => {}
    }
}

/// `value` with what varies per request replaced by [`VARIES`]: whole leaves, or the words of
/// a string that vary (when the string has as many words as the ones that varied).
fn mask_varying(value: &Value, varying: &BTreeMap<String, Varying>) -> Value {
    let mut out = value.clone();
    for (pointer, how) in varying {
        let Some(leaf) = out.pointer_mut(pointer) else {
            continue;
        };
        let masked = match (how, &*leaf) {
            (Varying::Words(by_length), Value::String(text)) => {
                let words = words(text);
                match by_length.get(&words.len()) {
                    Some(positions) => words
                        .iter()
                        .enumerate()
                        .map(|(i, w)| if positions.contains(&i) { VARIES } else { w })
                        .collect::<String>(),
                    // No pair had a string this long here: nothing of it is known to vary.
                    None => text.clone(),
                }
            }
            _ => VARIES.to_owned(),
        };
        *leaf = Value::String(masked);
    }
    out
}

/// Answers to compare, one per token, each with more answers to the very same request: what
/// differs between answers to one request varies per request, not with the token's state, and
/// is set aside before the answers are compared with each other.
#[derive(Clone, Copy)]
pub struct Comparison<'a, 'b> {
    /// The answers, one per token.
    pub answers: &'b [Answer<'a>],
    /// Each a round of the same requests sent again (aligned with `answers`).
    pub again: &'b [Vec<Answer<'a>>],
}

impl Comparison<'_, '_> {
    fn pairs(&self) -> impl Iterator<Item = (&Answer<'_>, &Answer<'_>)> {
        self.again
            .iter()
            .flat_map(|round| self.answers.iter().zip(round))
    }

    /// The leaves of the bodies (tokens masked) that differ within any pair.
    fn varying(&self) -> BTreeMap<String, Varying> {
        let mut out = BTreeMap::new();
        for (first, again) in self.pairs() {
            if let (Ok(a), Ok(b)) = (first.exchange.json(), again.exchange.json()) {
                varying_leaves(
                    &mask_token(&a, first.token),
                    &mask_token(&b, again.token),
                    "",
                    &mut out,
                );
            }
        }
        out
    }

    /// Header names to set aside: those whose values differ within any pair, and those that
    /// differ by nature (the date, the length of bodies whose masked fields differ).
    fn varying_headers(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = ["date", "content-length"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        for (first, again) in self.pairs() {
            let (a, b) = (&first.exchange.headers, &again.exchange.headers);
            for name in a.keys().chain(b.keys()) {
                if a.get_all(name).iter().ne(b.get_all(name).iter()) {
                    out.insert(name.as_str().to_owned());
                }
            }
        }
        out
    }

    /// What was set aside, for messages.
    fn set_aside(&self, varying: &BTreeMap<String, Varying>, headers: &BTreeSet<String>) -> String {
        let mut parts: Vec<String> = varying
            .iter()
            .map(|(pointer, how)| match how {
                Varying::Whole => pointer.clone(),
                Varying::Words(..) => format!("words of {pointer}"),
            })
            .collect();
        parts.extend(
            headers
                .iter()
                .filter(|h| !matches!(h.as_str(), "date" | "content-length"))
                .map(|h| format!("header {h}")),
        );
        if parts.is_empty() {
            "each pair of answers to the same request agreed: nothing was set aside".to_owned()
        } else {
            format!(
                "set aside, as it differed between two answers to the same request: {}",
                parts.join(", ")
            )
        }
    }

    fn compare(
        &self,
        what: &str,
        headers: Option<&BTreeSet<String>>,
        view: impl Fn(&Answer<'_>, &BTreeMap<String, Varying>) -> Result<Value, Failure>,
    ) -> Check {
        let varying = self.varying();
        let (first, rest) = pair(self.answers)?;
        let reference = view(first, &varying)?;
        for other in rest {
            if let Some(diff) = json_diff(
                &reference,
                &view(other, &varying)?,
                &first.exchange.request,
                &other.exchange.request,
            ) {
                return Err(Failure::new(format!(
                    "expected: one answer whatever the token's state ({what})\nactual:   the answers differ, so they tell the tokens' states apart ({}):\n{}",
                    self.set_aside(&varying, headers.unwrap_or(&BTreeSet::new())),
                    diff.trim_end()
                )));
            }
        }
        Ok(())
    }
}

/// The documented fields that identify an answer: the HTTP status and the envelope's `code`,
/// `type`, `message` and `details` (each answer's own token masked, and what varies per
/// request set aside). A MUST: the docs give these answers one envelope, so none of these may
/// depend on the token's state.
pub fn agree_on_documented_fields(comparison: Comparison<'_, '_>) -> Check {
    comparison.compare(
        "status, code, type, message and details",
        None,
        |answer, varying| {
            let body = mask_varying(
                &mask_token(&json_body(answer.exchange)?, answer.token),
                varying,
            );
            let field = |name: &str| {
                body.pointer(&format!("/error/{name}"))
                    .cloned()
                    .unwrap_or(Value::Null)
            };
            Ok(serde_json::json!({
                "status": answer.exchange.status.as_u16(),
                "code": field("code"),
                "type": field("type"),
                "message": field("message"),
                "details": field("details"),
            }))
        },
    )
}

/// The whole answers agree, headers included, once `trace_id`, `timestamp` and what varies
/// per request are set aside (each answer's own token masked): `system_message` and extra
/// fields included. A SHOULD.
pub fn identical_apart_from_volatile(comparison: Comparison<'_, '_>) -> Check {
    let skip_headers = comparison.varying_headers();
    comparison.compare(
        "everything but trace_id, timestamp and what varies per request",
        Some(&skip_headers),
        |answer, varying| {
            let body = mask_varying(
                &mask_token(&json_body(answer.exchange)?, answer.token),
                varying,
            );
            let headers: BTreeMap<String, String> = answer
                .exchange
                .headers
                .iter()
                .filter(|(name, _)| !skip_headers.contains(name.as_str()))
                .map(|(name, value)| {
                    let value =
                        String::from_utf8_lossy(value.as_bytes()).replace(answer.token, "{token}");
                    (name.as_str().to_owned(), value)
                })
                .collect();
            Ok(serde_json::json!({
                "status": answer.exchange.status.as_u16(),
                "headers": headers,
                "body": without(&body, PER_RESPONSE_FIELDS),
            }))
        },
    )
}

/// No two error answers share a trace_id: neither among `answers` nor with any other request
/// of the run so far (`seen` lists the requests whose answers carried a trace_id).
pub fn trace_ids_unique(answers: &[Answer<'_>], seen: impl Fn(&str) -> Vec<String>) -> Check {
    for answer in answers {
        let body = json_body(answer.exchange)?;
        let trace_id = string_at(&body, "/error/trace_id", answer.exchange)?;
        let requests = seen(trace_id);
        if requests.len() > 1 {
            let others: Vec<&String> = requests
                .iter()
                .filter(|r| **r != answer.exchange.request)
                .collect();
            let others = if others.is_empty() {
                "another request like it".to_owned()
            } else {
                others
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Err(Failure::mismatch(
                "a trace_id no other answer of the run carries",
                format!(
                    "trace_id {trace_id:?}, also the answer to {others} ({} answers in all)",
                    requests.len()
                ),
                answer.exchange,
            ));
        }
    }
    Ok(())
}

/// `error.timestamp` is a UTC date-time within `minutes` of `now` (the target's clock, told by
/// `by`).
pub fn error_timestamp_within(
    response: &Exchange,
    minutes: i64,
    now: OffsetDateTime,
    by: &str,
) -> Check {
    timestamp_near(response, "/error/timestamp", true, minutes, (now, by))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(status: u16, message: &str, details: Value) -> Exchange {
        let body = serde_json::json!({
            "success": false,
            "error": {
                "code": "RESOURCE_NOT_FOUND", "message": message, "system_message": "s",
                "type": "client_error", "status": status, "details": details,
                "trace_id": "req_1", "timestamp": "2026-06-28T10:30:00Z"
            }
        });
        let mut exchange = crate::checks::answer(
            status,
            &[("content-type", "application/json")],
            &body.to_string(),
        );
        exchange.request = format!("POST /v1/music/shared/{{{message}}}/save");
        exchange
    }

    fn agree(states: &[(&str, &str)], again: &[(&str, &str)]) -> Check {
        let first: Vec<Exchange> = states
            .iter()
            .map(|(m, d)| envelope(404, m, serde_json::json!({ "ref": d })))
            .collect();
        let second: Vec<Exchange> = again
            .iter()
            .map(|(m, d)| envelope(404, m, serde_json::json!({ "ref": d })))
            .collect();
        judged(&first, &second, agree_on_documented_fields)
    }

    /// `judge` over the answers `first` and one round of the same requests sent `again`.
    fn judged(first: &[Exchange], again: &[Exchange], judge: fn(Comparison) -> Check) -> Check {
        let answer = |e| Answer {
            exchange: e,
            token: "shr_0000000000000000",
        };
        let answers: Vec<Answer> = first.iter().map(answer).collect();
        let again = vec![again.iter().map(answer).collect::<Vec<_>>()];
        judge(Comparison {
            answers: &answers,
            again: &again,
        })
    }

    #[test]
    fn what_varies_per_request_is_set_aside_and_what_varies_per_state_is_not() {
        // A request id in details and in the message: one answer.
        assert_eq!(
            agree(
                &[("Gone. (ref 1a)", "r-1"), ("Gone. (ref 2b)", "r-2")],
                &[("Gone. (ref 3c)", "r-3"), ("Gone. (ref 4d)", "r-4")],
            ),
            Ok(())
        );
        // The message says why, behind a per-request reference: two answers.
        let err = agree(
            &[
                ("Revoked. (ref 1a)", "x"),
                ("It has expired. (ref 2b)", "x"),
            ],
            &[
                ("Revoked. (ref 3c)", "x"),
                ("It has expired. (ref 4d)", "x"),
            ],
        )
        .unwrap_err();
        assert!(err.message().contains("words of /error/message"), "{err}");
        // A reference made of the reason and a number: two answers.
        let err = agree(
            &[("Gone.", "revoked-1"), ("Gone.", "expired-2")],
            &[("Gone.", "revoked-3"), ("Gone.", "expired-4")],
        )
        .unwrap_err();
        assert!(
            err.message().contains("revoked-(varies per request)"),
            "{err}"
        );
        // Nothing varies and the answers differ: said so.
        let err = agree(&[("A", "x"), ("B", "x")], &[("A", "x"), ("B", "x")]).unwrap_err();
        assert!(err.message().contains("nothing was set aside"), "{err}");
    }

    #[test]
    fn trace_ids_must_not_repeat_across_answers() {
        let a = envelope(404, "m", serde_json::json!({}));
        let answers = [Answer {
            exchange: &a,
            token: "shr_x",
        }];
        assert!(trace_ids_unique(&answers, |_| vec![a.request.clone()]).is_ok());
        let twice = trace_ids_unique(&answers, |_| vec![a.request.clone(), "GET /other".into()]);
        assert!(
            twice
                .unwrap_err()
                .message()
                .contains("also the answer to GET /other")
        );
        let same = trace_ids_unique(&answers, |_| vec![a.request.clone(), a.request.clone()]);
        assert!(
            same.unwrap_err()
                .message()
                .contains("another request like it")
        );
    }

    #[test]
    fn a_trace_id_is_req_or_a_uuid() {
        let with = |trace: &str| {
            let mut e = envelope(404, "m", serde_json::json!({}));
            let body = String::from_utf8(e.body)
                .unwrap()
                .replace("\"req_1\"", &format!("{trace:?}"));
            e.body = body.into_bytes();
            trace_id_is_req_or_uuid(&e)
        };
        assert!(with("req_1").is_ok());
        assert!(with("2fbbf3b6-51a1-4f1b-88e2-c00e8b52fbb8").is_ok());
        assert!(with("trace-1").is_err());
        assert!(with("").is_err());
    }

    #[test]
    fn the_token_is_masked_raw_and_percent_encoded() {
        let value = serde_json::json!({"a": "x shr_abc/def y", "b": ["shr_abc%2Fdef"], "c": 3});
        let masked = mask_token(&value, "shr_abc/def");
        let text = masked.to_string();
        assert!(
            !text.contains("shr_a/b") && !text.contains("shr_a%2Fb"),
            "{text}"
        );
        assert_eq!(masked["c"], 3);
        assert_ne!(masked, value);
    }

    #[test]
    fn varying_leaves_inside_arrays_are_named_one_by_one() {
        let mut out = BTreeMap::new();
        let a = serde_json::json!({"d": ["same", "ref 1"], "k": "x"});
        let b = serde_json::json!({"d": ["same", "ref 2"], "k": "x"});
        varying_leaves(&a, &b, "", &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        let masked = mask_varying(&a, &out);
        assert_eq!(masked["d"][0], "same", "an array is not masked whole");
        assert_eq!(masked["k"], "x");
    }

    #[test]
    fn a_short_token_is_not_masked_and_an_eight_character_one_is() {
        let value = serde_json::json!({"a": "x abcdefgh y", "b": "x abcde y"});
        assert!(
            !mask_token(&value, "abcdefgh")
                .to_string()
                .contains("abcdefgh")
        );
        assert_eq!(mask_token(&value, "abcde"), value);
    }

    #[test]
    fn a_string_is_cut_into_words_and_what_lies_between() {
        assert_eq!(words("ref a7c"), ["ref", " ", "a7c"]);
        assert_eq!(words("(ref 1a)"), ["(", "ref", " ", "1a", ")"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn varying_leaves_are_found_whole_when_their_shape_differs() {
        let mut out = BTreeMap::new();
        varying_leaves(
            &serde_json::json!({"n": 1, "a": [1], "same": [1, 2]}),
            &serde_json::json!({"n": 2, "a": [1, 2], "same": [1, 2]}),
            "",
            &mut out,
        );
        assert_eq!(out.get("/n"), Some(&Varying::Whole));
        assert_eq!(out.get("/a"), Some(&Varying::Whole));
        assert_eq!(out.len(), 2, "{out:?}");
        // Once whole, a leaf stays whole, whatever later pairs show.
        let mut out = BTreeMap::new();
        varying_leaves(
            &serde_json::json!("a b"),
            &serde_json::json!("a b c d"),
            "",
            &mut out,
        );
        varying_leaves(
            &serde_json::json!("a b"),
            &serde_json::json!("a c"),
            "",
            &mut out,
        );
        assert_eq!(out.get(""), Some(&Varying::Whole));
    }

    fn with_header(token_state: &str, header: (&str, &str)) -> Exchange {
        let body = serde_json::json!({
            "success": false,
            "error": {
                "code": "RESOURCE_NOT_FOUND", "message": "Gone.", "system_message": "s",
                "type": "client_error", "status": 404, "details": {}, "trace_id": "req_1",
                "timestamp": "2026-06-28T10:30:00Z"
            }
        });
        let mut exchange = crate::checks::answer(
            404,
            &[("content-type", "application/json"), header],
            &body.to_string(),
        );
        exchange.request = format!("POST /v1/music/shared/{{{token_state}}}/save");
        exchange
    }

    fn identical(first: [(&str, &str); 2], again: [(&str, &str); 2]) -> Check {
        let first = [
            with_header("revoked", first[0]),
            with_header("unknown", first[1]),
        ];
        let again = [
            with_header("revoked", again[0]),
            with_header("unknown", again[1]),
        ];
        judged(&first, &again, identical_apart_from_volatile)
    }

    #[test]
    fn a_header_that_varies_per_request_is_set_aside_and_one_that_follows_the_token_is_not() {
        // A node's name, different in every answer: set aside.
        assert_eq!(
            identical(
                [("x-node", "a"), ("x-node", "b")],
                [("x-node", "c"), ("x-node", "d")]
            ),
            Ok(())
        );
        // A header that follows the token's state, steady within each pair: an oracle.
        let oracle = identical(
            [("x-state", "revoked"), ("x-state", "unknown")],
            [("x-state", "revoked"), ("x-state", "unknown")],
        )
        .unwrap_err();
        assert!(oracle.message().contains("x-state"), "{oracle}");
        assert!(
            oracle.message().contains("nothing was set aside"),
            "{oracle}"
        );
    }

    #[test]
    fn trace_id_forms() {
        assert!(is_req_id("req_abc123xyz"));
        assert!(!is_req_id("req_"));
        assert!(!is_req_id("req_a-b"));
        assert!(is_uuid("2fbbf3b6-51a1-4f1b-88e2-c00e8b52fbb8"));
        assert!(!is_uuid("2fbbf3b6-51a1-4f1b-88e2-c00e8b52fbb"));
        assert!(!is_uuid("2fbbf3b651a14f1b88e2c00e8b52fbb8"));
    }
}
