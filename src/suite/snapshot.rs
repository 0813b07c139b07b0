//! Snapshots of the documented error envelopes, and the one redaction table for what they
//! do not pin.
//!
//! Two kinds of snapshot hold each documented envelope (ARCHITECTURE.md, principle 6):
//! - a **contract** snapshot (`save-401-missing-key`), for a MUST clause, pins only what the
//!   docs state: the shape, `success`, `code`, `status`, `type` among the documented values,
//!   `details` an object. Free text, `trace_id`, `timestamp` and extra fields are redacted;
//! - an **example** snapshot (`example-401-missing-key`), for a SHOULD clause, pins the page's
//!   example as written, `trace_id`, `timestamp` and extra fields aside.
//!
//! A redaction replaces a value by its placeholder only when the value is acceptable (a type
//! the docs give, an object for `details`, …); otherwise the value stays, so the diff shows
//! exactly what is wrong. The `.snap` files in `snapshots/` are insta's: maintainers create
//! and accept them with `cargo insta test` / `cargo insta review` (see `src/tests/snapshots.rs`),
//! through this same table. A run against a target only reads them: it compares the redacted
//! response with the stored value and, on a mismatch, fails the step with a diff. It never
//! writes `.snap.new` files, because that is insta's behaviour on a mismatch and a user's
//! working tree is not ours to write into.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow, bail};
use serde_json::Value;

/// The two kinds of snapshot, told apart by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]

pub enum SnapshotKind {
    /// What the docs state, for a MUST clause.
    Contract,
    /// The page's example as written, for a SHOULD clause (names starting `example-`).
    Example,
}

/// The prefix of example snapshots' names.
pub const EXAMPLE_PREFIX: &str = "example-";

impl SnapshotKind {
    /// The kind of the snapshot called `name`.
    pub fn of(name: &str) -> Self {
        if name.starts_with(EXAMPLE_PREFIX) {
            Self::Example
        } else {
            Self::Contract
        }
    }

    /// What its comparison sets aside, for messages.
    pub fn redacted(self) -> &'static str {
        match self {
            Self::Contract => {
                "contract: message, system_message, trace_id, timestamp and extra fields redacted, type among the documented values, details any object"
            }
            Self::Example => "the page's example: trace_id, timestamp and extra fields redacted",
        }
    }
}

/// How a redacted field is judged before it is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Any string (free text, identifiers): replaced by the placeholder.
    AnyString(&'static str),
    /// Any object: replaced by the placeholder.
    AnyObject(&'static str),
    /// A `type` the docs give an error of the envelope's `error.status`.
    DocumentedType,
}

/// The documented members of the envelope; anything else is an additive extension.
const ENVELOPE_FIELDS: &[&str] = &["success", "error"];
/// The documented members of `error`.
#[rustfmt::skip]
const ERROR_FIELDS: &[&str] = &[
    "code", "message", "system_message", "type", "status", "details", "trace_id", "timestamp",
];

/// The redaction table: what each kind of snapshot does not pin, and what stands in its place.
#[rustfmt::skip]
pub const REDACTIONS: &[(SnapshotKind, &str, Rule)] = &[
    (SnapshotKind::Contract, "/error/message", Rule::AnyString("[text]")),
    (SnapshotKind::Contract, "/error/system_message", Rule::AnyString("[text]")),
    (SnapshotKind::Contract, "/error/type", Rule::DocumentedType),
    (SnapshotKind::Contract, "/error/details", Rule::AnyObject("[object]")),
    (SnapshotKind::Contract, "/error/trace_id", Rule::AnyString("[trace_id]")),
    (SnapshotKind::Contract, "/error/timestamp", Rule::AnyString("[timestamp]")),
    (SnapshotKind::Example, "/error/trace_id", Rule::AnyString("[trace_id]")),
    (SnapshotKind::Example, "/error/timestamp", Rule::AnyString("[timestamp]")),
];

/// The placeholder of a documented `type`: `[documented type: authentication_error | client_error]`.
fn type_placeholder(status: u16) -> String {
    format!(
        "[documented type: {}]",
        documented_types(status).join(" | ")
    )
}

/// The fields that differ between two answers to the same question: they identify the answer,
/// not its meaning. Used to compare envelopes with each other (SAVE-NO-ORACLE-STRICT).
pub const PER_RESPONSE_FIELDS: &[&str] = &["/error/trace_id", "/error/timestamp"];

/// `value` as a snapshot of `kind` holds it: extra fields dropped, and every field of
/// [`REDACTIONS`] that is present and acceptable replaced by its placeholder. An absent or
/// unacceptable field stays as it is, so a snapshot diff shows it.
pub fn redact(kind: SnapshotKind, value: &Value) -> Value {
    let mut out = value.clone();
    if let Value::Object(envelope) = &mut out {
        envelope.retain(|k, _| ENVELOPE_FIELDS.contains(&k.as_str()));
        if let Some(Value::Object(error)) = envelope.get_mut("error") {
            error.retain(|k, _| ERROR_FIELDS.contains(&k.as_str()));
        }
    }
    let status = value
        .pointer("/error/status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .unwrap_or(0);
    for (_, pointer, rule) in REDACTIONS.iter().filter(|(k, _, _)| *k == kind) {
        let Some(field) = out.pointer_mut(pointer) else {
            continue;
        };
        let placeholder = match (rule, &*field) {
            (Rule::AnyString(placeholder), Value::String(_)) => (*placeholder).to_owned(),
            (Rule::AnyObject(placeholder), Value::Object(_)) => (*placeholder).to_owned(),
            (Rule::DocumentedType, Value::String(kind))
                if documented_types(status).contains(&kind.as_str()) =>
            {
                type_placeholder(status)
            }
            _ => continue,
        };
        *field = Value::String(placeholder);
    }
    out
}

/// `value` without the fields at `pointers` (each a pointer to an object member).
pub fn without(value: &Value, pointers: &[&str]) -> Value {
    let mut out = value.clone();
    for pointer in pointers {
        if let Some((parent, member)) = pointer.rsplit_once('/')
            && let Some(Value::Object(map)) = out.pointer_mut(parent)
        {
            map.remove(member);
        }
    }
    out
}

/// A unified diff of two JSON values, pretty-printed, or `None` when they are equal.
pub fn json_diff(
    expected: &Value,
    actual: &Value,
    expected_name: &str,
    actual_name: &str,
) -> Option<String> {
    if expected == actual {
        return None;
    }
    let expected = pretty(expected);
    let actual = pretty(actual);
    let diff = similar::TextDiff::from_lines(&expected, &actual);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header(expected_name, actual_name)
            .to_string(),
    )
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    text.push('\n');
    text
}

/// The stored snapshots, by name.
#[derive(Debug, Clone, Default)]
pub struct Snapshots {
    by_name: BTreeMap<String, Value>,
}

impl Snapshots {
    /// Parses `.snap` files given as (file name, text).
    pub fn parse<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> anyhow::Result<Self> {
        let mut by_name = BTreeMap::new();
        for (file, text) in files {
            let name = file
                .strip_suffix(".snap")
                .ok_or_else(|| anyhow!("snapshots/{file}: a snapshot file ends in .snap"))?;
            let value = parse_snap(text).with_context(|| format!("snapshots/{file}"))?;
            by_name.insert(name.to_owned(), value);
        }
        Ok(Self { by_name })
    }

    /// The names of every snapshot.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The stored value of snapshot `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.by_name.get(name)
    }

    /// Compares a response body, redacted, with snapshot `name`. `Err` holds a readable
    /// explanation: the diff, or why there is nothing to compare with.
    pub fn check(&self, name: &str, body: &Value) -> Result<(), String> {
        let expected = self.get(name).ok_or_else(|| {
            format!(
                "there is no snapshot named {name:?} (known: {})",
                self.names().collect::<Vec<_>>().join(", ")
            )
        })?;
        match json_diff(
            expected,
            &redact(SnapshotKind::of(name), body),
            &format!("snapshot {name}"),
            "response (redacted)",
        ) {
            None => Ok(()),
            Some(diff) => Err(diff),
        }
    }
}

/// The JSON value stored in an insta `.snap` file: a `---` metadata block, then the value.
fn parse_snap(text: &str) -> anyhow::Result<Value> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or_else(|| anyhow!("does not start with insta's `---` header"))?;
    let end = rest
        .find("\n---\n")
        .ok_or_else(|| anyhow!("insta's header is not closed by `---`"))?;
    let body = &rest[end + 5..];
    if body.trim().is_empty() {
        bail!("holds no value");
    }
    serde_json::from_str(body).context("the snapshot value is not JSON")
}

/// The `type` values the docs give an error of `status`: `client_error` and `server_error`
/// (global page), and `authentication_error` (this page's 401). Where the pages disagree (the
/// 401), every documented value is accepted.
pub fn documented_types(status: u16) -> &'static [&'static str] {
    match status {
        401 => &["authentication_error", "client_error"],
        400..=499 => &["client_error"],
        500..=599 => &["server_error"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn envelope() -> Value {
        json!({
            "success": false,
            "error": {
                "code": "RESOURCE_NOT_FOUND",
                "message": "This share link is no longer available.",
                "system_message": "anything",
                "type": "client_error",
                "status": 404,
                "details": {},
                "trace_id": "req_1",
                "timestamp": "2026-06-28T10:30:00Z"
            }
        })
    }

    #[test]
    fn a_contract_redacts_what_the_docs_leave_open_and_keeps_what_they_pin() {
        let redacted = redact(SnapshotKind::Contract, &envelope());
        assert_eq!(redacted["error"]["trace_id"], "[trace_id]");
        assert_eq!(redacted["error"]["timestamp"], "[timestamp]");
        assert_eq!(redacted["error"]["message"], "[text]");
        assert_eq!(redacted["error"]["system_message"], "[text]");
        assert_eq!(redacted["error"]["details"], "[object]");
        assert_eq!(redacted["error"]["type"], "[documented type: client_error]");
        assert_eq!(redacted["error"]["code"], "RESOURCE_NOT_FOUND");
        assert_eq!(redacted["error"]["status"], 404);

        let mut other = envelope();
        other["error"]["details"] = json!({"documentation_url": "https://x"});
        other["error"]["message"] = json!("Another text");
        other["error"]["help_url"] = json!("https://x");
        other["request_id"] = json!("r1");
        assert_eq!(
            redact(SnapshotKind::Contract, &other),
            redacted,
            "free text, details and extensions are not pinned"
        );

        let mut wrong = envelope();
        wrong["error"]["type"] = json!("not_found_error");
        wrong["error"]["details"] = Value::Null;
        let redacted = redact(SnapshotKind::Contract, &wrong);
        assert_eq!(redacted["error"]["type"], "not_found_error");
        assert_eq!(redacted["error"]["details"], Value::Null);

        let mut missing = envelope();
        missing["error"].as_object_mut().unwrap().remove("trace_id");
        assert!(
            redact(SnapshotKind::Contract, &missing)["error"]
                .get("trace_id")
                .is_none()
        );
    }

    #[test]
    fn a_401_may_have_either_documented_type() {
        for kind in ["authentication_error", "client_error"] {
            let body = json!({"error": {"status": 401, "type": kind}});
            assert_eq!(
                redact(SnapshotKind::Contract, &body)["error"]["type"],
                "[documented type: authentication_error | client_error]"
            );
        }
    }

    #[test]
    fn an_example_pins_the_text() {
        let redacted = redact(SnapshotKind::Example, &envelope());
        assert_eq!(redacted["error"]["trace_id"], "[trace_id]");
        assert_eq!(
            redacted["error"]["message"],
            "This share link is no longer available."
        );
        assert_eq!(redacted["error"]["details"], json!({}));
        assert_eq!(
            SnapshotKind::of("example-404-unavailable"),
            SnapshotKind::Example
        );
        assert_eq!(
            SnapshotKind::of("save-404-unavailable"),
            SnapshotKind::Contract
        );
    }

    #[test]
    fn parses_insta_files_and_diffs_mismatches() {
        let stored = format!(
            "---\nsource: tests/snapshots.rs\nexpression: x\n---\n{}\n",
            pretty(&redact(SnapshotKind::Example, &envelope()))
        );
        let snaps = Snapshots::parse([("example-404-unavailable.snap", stored.as_str())]).unwrap();
        assert_eq!(snaps.check("example-404-unavailable", &envelope()), Ok(()));

        let mut other = envelope();
        other["error"]["message"] = json!("This share link was revoked.");
        let diff = snaps.check("example-404-unavailable", &other).unwrap_err();
        assert!(
            diff.contains("-    \"message\": \"This share link is no longer available.\""),
            "{diff}"
        );
        assert!(
            diff.contains("+    \"message\": \"This share link was revoked.\""),
            "{diff}"
        );

        let unknown = snaps.check("nope", &other).unwrap_err();
        assert!(unknown.contains("example-404-unavailable"), "{unknown}");
        assert!(Snapshots::parse([("x.snap", "{}")]).is_err());
        assert!(Snapshots::parse([("x.json", stored.as_str())]).is_err());
    }

    #[test]
    fn without_drops_members() {
        let trimmed = without(&envelope(), PER_RESPONSE_FIELDS);
        assert!(trimmed["error"].get("trace_id").is_none());
        assert!(trimmed["error"].get("timestamp").is_none());
        assert!(trimmed["error"].get("code").is_some());
    }
}
