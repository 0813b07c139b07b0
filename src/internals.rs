//! Internals a graceful error never shows: tracebacks, exception class names, source paths with
//! line numbers, SQL. ERR-NO-INTERNALS scans every string of an error envelope (keys too, and
//! `details` and extra fields whatever their shape) with these patterns.
//!
//! The patterns aim at what servers really leak (Python, Java, .NET, Node, Go, Ruby, Rust,
//! PHP frames; PostgreSQL, MySQL, Oracle and SQLite errors) and stay clear of what envelopes
//! legitimately hold: UPPER_SNAKE codes, lower_snake types, sentences, URLs, ids.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// What kind of internal a string gives away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Internal {
    /// A traceback or stack frame.
    Traceback,
    /// An exception or error class name.
    ExceptionClass,
    /// A source file path with a line number.
    SourcePath,
    /// SQL, or a database's own error text.
    Sql,
}

impl fmt::Display for Internal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Traceback => "a stack trace",
            Self::ExceptionClass => "an exception class name",
            Self::SourcePath => "a source path with a line number",
            Self::Sql => "SQL",
        })
    }
}

/// One internal found in an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// JSON pointer of the string (`/error/details/exception`), or of the key it is.
    pub at: String,
    /// What it gives away.
    pub what: Internal,
    /// The text that matched, cut to a readable length.
    pub matched: String,
}

impl fmt::Display for Exposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {:?}", self.what, self.at, self.matched)
    }
}

static PATTERNS: LazyLock<Vec<(Internal, Regex)>> = LazyLock::new(|| {
    let rules: &[(Internal, &str)] = &[
        (Internal::Traceback, r"Traceback \(most recent call last\)"),
        // Java, .NET, Node frames: `at pkg.Class.method(File.java:42)`,
        // `at Object.<anonymous> (/app/x.js:1:2)`, `at Api.SaveController.Save(String token)`:
        // a dotted name starting with a letter, then either parentheses holding a line number
        // (or the JVM's words for a frame without one), or an opening parenthesis right after
        // the name. Prose such as "at app.example.com (Settings)" or "at 09.00 (UTC+01:00)"
        // is neither.
        (
            Internal::Traceback,
            r"\bat [A-Za-z_$<][\w$<>/]*(?:\.[\w$<>/]+)+(?: ?\([^()]*(?::\d+|Native Method|Unknown Source)[^()]*\)|\()",
        ),
        (Internal::Traceback, r"\bgoroutine \d+ \["),
        (Internal::Traceback, r"\bpanicked at\b|stack backtrace:"),
        (Internal::Traceback, r"(?i)\bstack ?trace:"),
        (Internal::Traceback, r"(?m)^\s*#\d+ [/\w]"),
        // `ValueError`, `NullPointerException`, `IntegrityError`: CamelCase ending so.
        (
            Internal::ExceptionClass,
            r"\b[A-Z][A-Za-z0-9]*[a-z0-9](?:Exception|Error)\b",
        ),
        (Internal::ExceptionClass, r"\.DoesNotExist\b|\bpanic: "),
        (
            Internal::SourcePath,
            r#"[\w./\\-]+\.(?:py|rb|js|mjs|cjs|ts|tsx|jsx|java|kt|scala|go|rs|php|cs|vb|c|cc|cpp|h|hpp|swift|ex|exs|erl|clj|groovy|pl|lua|dart)(?::\d+|", line \d+|:line \d+|\(\d+\))"#,
        ),
        (
            Internal::Sql,
            r"\b(?:SELECT\b[\s\S]*\bFROM|INSERT INTO|DELETE FROM|UPDATE\s+\w+\s+SET)\b",
        ),
        (
            Internal::Sql,
            r"(?i)\bSQLSTATE\b|\bORA-\d{5}\b|syntax error at or near|violates (?:unique|foreign key|not-null|check) constraint|duplicate key value|no such table|error in your SQL syntax|\bSQLITE_[A-Z]+\b",
        ),
    ];
    rules
        .iter()
        .map(|(what, pattern)| {
            (
                *what,
                Regex::new(pattern).expect("the internals patterns are valid"),
            )
        })
        .collect()
});

/// Keys whose non-empty value is a stack trace or an exception, whatever it says.
const TELLING_KEYS: &[&str] = &[
    "stack",
    "stacktrace",
    "stack_trace",
    "backtrace",
    "traceback",
    "exception",
];

/// What `text` gives away, if anything: the first pattern that matches.
pub fn find(text: &str) -> Option<(Internal, String)> {
    PATTERNS.iter().find_map(|(what, pattern)| {
        pattern.find(text).map(|m| {
            let matched: String = m.as_str().chars().take(80).collect();
            (*what, matched)
        })
    })
}

/// Every internal in `value`, strings and keys, depth first.
pub fn scan(value: &Value) -> Vec<Exposure> {
    let mut findings = Vec::new();
    walk(value, "", &mut findings);
    findings
}

fn walk(value: &Value, at: &str, findings: &mut Vec<Exposure>) {
    match value {
        Value::String(text) => {
            if let Some((what, matched)) = find(text) {
                findings.push(Exposure {
                    at: at.to_owned(),
                    what,
                    matched,
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{at}/{i}"), findings);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{at}/{key}");
                let empty = match item {
                    Value::Null => true,
                    Value::String(s) => s.is_empty(),
                    Value::Array(a) => a.is_empty(),
                    Value::Object(o) => o.is_empty(),
                    _ => false,
                };
                if !empty && TELLING_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                    findings.push(Exposure {
                        at: here.clone(),
                        what: Internal::Traceback,
                        matched: format!("a non-empty `{key}` field"),
                    });
                }
                walk(item, &here, findings);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn real_leaks_are_found() {
        for (text, what) in [
            (
                "Traceback (most recent call last):\n  File \"/srv/app/save.py\", line 88, in save",
                Internal::Traceback,
            ),
            (
                "at com.freddy.music.SaveHandler.handle(SaveHandler.java:42)",
                Internal::Traceback,
            ),
            (
                "at java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
                Internal::Traceback,
            ),
            (
                "at Freddy.Music.Api.SaveController.Save(String token)",
                Internal::Traceback,
            ),
            (
                "    at Object.<anonymous> (/app/server.js:10:15)",
                Internal::Traceback,
            ),
            ("goroutine 1 [running]:\nmain.save()", Internal::Traceback),
            (
                "thread 'main' panicked at src/main.rs:10:5",
                Internal::Traceback,
            ),
            ("#0 /var/www/app/Save.php(12): save()", Internal::Traceback),
            (
                "java.lang.NullPointerException: token",
                Internal::ExceptionClass,
            ),
            ("KeyError: 'token'", Internal::ExceptionClass),
            (
                "ShareLink.DoesNotExist: matching query does not exist",
                Internal::ExceptionClass,
            ),
            ("src/handlers/save.ts:42:17", Internal::SourcePath),
            (
                r"in C:\src\Api\SaveController.cs:line 42",
                Internal::SourcePath,
            ),
            (
                "app/controllers/save_controller.rb:12:in `save'",
                Internal::SourcePath,
            ),
            (
                "SELECT id FROM share_links WHERE token_hash = $1",
                Internal::Sql,
            ),
            (
                "ERROR: duplicate key value violates unique constraint \"edges_pkey\"",
                Internal::Sql,
            ),
            ("ORA-00942: table or view does not exist", Internal::Sql),
            ("UPDATE tracks SET title = $1", Internal::Sql),
        ] {
            assert_eq!(find(text).map(|(w, _)| w), Some(what), "{text}");
        }
    }

    #[test]
    fn ordinary_envelope_text_is_not_a_leak() {
        for text in [
            "Authentication required. Please provide a valid API key.",
            "Please sign in to continue",
            "Saving a shared track requires sign-in",
            "This share link is no longer available.",
            "Share token invalid, revoked, expired, or content removed",
            "Only a shared track can be saved. A shared collection is read-only.",
            "AUTHENTICATION_REQUIRED",
            "INTERNAL_ERROR",
            "authentication_error",
            "client_error",
            "server_error",
            "req_abc123xyz",
            "2fbbf3b6-51a1-4f1b-88e2-c00e8b52fbb8",
            "2026-06-28T10:30:00Z",
            "https://docs.example.invalid/errors/RESOURCE_NOT_FOUND",
            "Please try again at noon (UTC).",
            "Authentication required. Create an API key at app.aitronos.com (Settings > API keys).",
            "Open it at music.example.com (the web player) instead.",
            "Keys are renewed at 09.00 (UTC+01:00) daily.",
            "Select a track from your library to share it.",
            "An error occurred. Try again later.",
            "mlib_6d2f9a4c1e83",
        ] {
            assert_eq!(find(text), None, "{text}");
        }
    }

    #[test]
    fn scans_keys_and_nested_values() {
        let envelope = json!({
            "success": false,
            "error": {
                "code": "RESOURCE_NOT_FOUND",
                "details": { "frames": ["at a.b.C.d(C.java:1)"], "stack": "" },
                "debug": { "backtrace": ["x"] }
            }
        });
        let findings = scan(&envelope);
        let places: Vec<&str> = findings.iter().map(|f| f.at.as_str()).collect();
        assert_eq!(
            places,
            ["/error/debug/backtrace", "/error/details/frames/0"],
            "{findings:?}"
        );
        assert!(scan(&json!({"error": {"details": {}}})).is_empty());
    }
}
