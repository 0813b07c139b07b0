//! A failure's reproduction: the `curl` command that sends a request again, with keys and
//! fixture tokens as the shell variables that hold them, and a guard that runs nothing when
//! one of those is not set.

use reqwest::{Method, Url};

use super::ExchangeLog;
use crate::exchange::{Extras, KeyHeader};
use crate::secret::{ApiKey, Redactor};

/// What a request sends, as a reproduction needs it.
#[derive(Clone, Copy)]
pub(crate) struct Request<'a> {
    /// The method.
    pub(crate) method: &'a Method,
    /// The path segments below the base URL, share tokens as sent.
    pub(crate) segments: &'a [&'a str],
    /// Query and body.
    pub(crate) extras: Extras<'a>,
    /// The credential.
    pub(crate) key: KeyHeader<'a>,
}

/// A `curl` command that sends this request again: keys as the shell variables that hold
/// them, fixture tokens as theirs, anything the harness made up as it is.
pub(crate) fn command(
    request: Request<'_>,
    url: impl Fn(&[&str]) -> Url,
    log: &ExchangeLog,
    key_names: &[(ApiKey, String)],
    redactor: &Redactor,
) -> String {
    let Request {
        method,
        segments,
        extras,
        key,
    } = request;
    // A token with a shell variable goes into the URL as a marker (letters and digits,
    // which no encoding changes), replaced by the variable once the URL is quoted.
    let variables: Vec<Option<String>> = segments
        .iter()
        .map(|segment| log.shell_segment(segment))
        .collect();
    let marked: Vec<String> = segments
        .iter()
        .zip(&variables)
        .enumerate()
        .map(|(i, (segment, variable))| match variable {
            Some(_) => format!("curlvariable{i}marker"),
            None => (*segment).to_owned(),
        })
        .collect();
    let marked: Vec<&str> = marked.iter().map(String::as_str).collect();
    let mut url = url(&marked);
    if !extras.query.is_empty() {
        url.query_pairs_mut().extend_pairs(extras.query);
    }
    // Inside double quotes, only `\`, `"`, `$` and a backquote need escaping.
    let mut quoted = url
        .as_str()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$")
        .replace('`', "\\`");
    for (i, variable) in variables.iter().enumerate() {
        if let Some(variable) = variable {
            quoted = quoted.replace(&format!("curlvariable{i}marker"), variable);
        }
    }
    // -g: brackets and braces in a URL are sent as they are, not read as ranges.
    let mut out = format!("curl -sS -i -g -X {method} \"{quoted}\"");
    let mut expressions: Vec<&str> = variables.iter().flatten().map(String::as_str).collect();
    if extras.body.is_some() {
        out.push_str(" -H 'Content-Type: application/json'");
    }
    let (key, bearer) = key.parts();
    match key {
        KeyHeader::Absent | KeyHeader::Bearer(_) | KeyHeader::WithBearer(..) => {}
        KeyHeader::Key(key) => {
            let expression = key_names
                .iter()
                .find(|(known, _)| known == key)
                .map_or("$FREDDY_API_KEY", |(_, expression)| expression.as_str());
            expressions.push(expression);
            out.push_str(&format!(" -H \"X-API-Key: {expression}\""));
        }
        // curl drops a header given with no value; `Name;` sends it empty.
        KeyHeader::Value("") => out.push_str(" -H 'X-API-Key;'"),
        KeyHeader::Value(value) => {
            let header = format!("X-API-Key: {value}");
            out.push_str(&format!(
                " -H {}",
                shell_quote(redactor.redact(&header).as_bytes())
            ));
        }
        KeyHeader::Bytes(bytes) => {
            let mut header = b"X-API-Key: ".to_vec();
            header.extend_from_slice(bytes);
            out.push_str(&format!(
                " -H {}",
                shell_quote(&redactor.redact_bytes(&header))
            ));
        }
    }
    if let Some(token) = bearer {
        let header = format!("Authorization: Bearer {token}");
        out.push_str(&format!(
            " -H {}",
            shell_quote(redactor.redact(&header).as_bytes())
        ));
    }
    if let Some(body) = extras.body {
        out.push_str(&format!(
            " --data-raw {}",
            shell_quote(body.to_string().as_bytes())
        ));
    }
    guarded(&out, &expressions)
}

/// `command`, refusing to run unless every shell variable `expressions` read is set and not
/// empty: pasted into a shell without them, a reproduction would send another request (no key,
/// or no token) and "reproduce" a different answer. bash names each missing variable and runs
/// nothing.
fn guarded(command: &str, expressions: &[&str]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for expression in expressions {
        for (i, _) in expression.match_indices('$') {
            let name: &str = expression[i + 1..]
                .trim_start_matches('{')
                .split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                .next()
                .unwrap_or_default();
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return command.to_owned();
    }
    let checks: Vec<String> = names
        .iter()
        .map(|name| format!("\"${{{name}:?set it to {}}}\"", variable_meaning(name)))
        .collect();
    format!(": {} && {command}", checks.join(" "))
}

/// What a reproduction's shell variable must hold.
fn variable_meaning(name: &str) -> String {
    match name {
        "FREDDY_API_KEY" => "the API key of the recipient".to_owned(),
        "FREDDY_SHARER_API_KEY" => "the API key of the sharer".to_owned(),
        other => match other.strip_prefix("SHARE_TOKEN_") {
            Some(state) => format!("the {} token of the fixtures", state.to_ascii_lowercase()),
            None => "the value the run used".to_owned(),
        },
    }
}

/// `text` quoted for a POSIX shell: single quotes, or `$'…'` with escapes when it holds bytes
/// a single-quoted string cannot show.
pub(crate) fn shell_quote(bytes: &[u8]) -> String {
    let printable = bytes.iter().all(|b| (0x20..0x7f).contains(b));
    if printable {
        let text = String::from_utf8_lossy(bytes);
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for &b in bytes {
        match b {
            b'\'' => out.push_str(r"\'"),
            b'\\' => out.push_str(r"\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    out
}
