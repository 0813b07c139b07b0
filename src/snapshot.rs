//! Snapshots of the documented error envelopes, and the one redaction table for volatile fields.
//!
//! The `.snap` files in `snapshots/` are insta's: maintainers create and accept them with
//! `cargo insta test` / `cargo insta review` (see `tests/snapshots.rs`). A run against a target
//! only reads them: it compares the redacted response with the stored value and, on a
//! mismatch, fails the step with a diff. It never writes `.snap.new` files, because that is
//! insta's behaviour on a mismatch and a user's working tree is not ours to write into.

use std::collections::BTreeMap;

use anyhow::{Context as _, anyhow, bail};
use serde_json::Value;

/// The volatile fields of an error envelope (JSON pointers) and what the snapshots hold instead.
///
/// `system_message` is developer text the docs do not pin down for every target (the SHOULD
/// clause ERR-SYSTEM-MESSAGE checks it separately), so its value is redacted too.
pub const REDACTIONS: &[(&str, &str)] = &[
    ("/error/trace_id", "[trace_id]"),
    ("/error/timestamp", "[timestamp]"),
    ("/error/system_message", "[system_message]"),
];

/// The fields that differ between two answers to the same question: they identify the answer,
/// not its meaning. Used to compare envelopes with each other (SAVE-404-NO-ORACLE).
pub const PER_RESPONSE_FIELDS: &[&str] = &["/error/trace_id", "/error/timestamp"];

/// `value` with every field of [`REDACTIONS`] that is present replaced by its placeholder.
/// An absent field stays absent, so a snapshot diff shows it missing.
pub fn redact(value: &Value) -> Value {
    let mut out = value.clone();
    for (pointer, placeholder) in REDACTIONS {
        if let Some(field) = out.pointer_mut(pointer) {
            *field = Value::String((*placeholder).to_owned());
        }
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
            &redact(body),
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
    fn redaction_replaces_present_fields_only() {
        let redacted = redact(&envelope());
        assert_eq!(redacted["error"]["trace_id"], "[trace_id]");
        assert_eq!(redacted["error"]["timestamp"], "[timestamp]");
        assert_eq!(redacted["error"]["system_message"], "[system_message]");
        assert_eq!(redacted["error"]["code"], "RESOURCE_NOT_FOUND");

        let mut missing = envelope();
        missing["error"].as_object_mut().unwrap().remove("trace_id");
        assert!(redact(&missing)["error"].get("trace_id").is_none());
    }

    #[test]
    fn parses_insta_files_and_diffs_mismatches() {
        let stored = format!(
            "---\nsource: tests/snapshots.rs\nexpression: x\n---\n{}\n",
            pretty(&redact(&envelope()))
        );
        let snaps = Snapshots::parse([("save-404-unavailable.snap", stored.as_str())]).unwrap();
        assert_eq!(snaps.check("save-404-unavailable", &envelope()), Ok(()));

        let mut other = envelope();
        other["error"]["message"] = json!("This share link was revoked.");
        let diff = snaps.check("save-404-unavailable", &other).unwrap_err();
        assert!(
            diff.contains("-    \"message\": \"This share link is no longer available.\""),
            "{diff}"
        );
        assert!(
            diff.contains("+    \"message\": \"This share link was revoked.\""),
            "{diff}"
        );

        let unknown = snaps.check("nope", &other).unwrap_err();
        assert!(unknown.contains("save-404-unavailable"), "{unknown}");
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
