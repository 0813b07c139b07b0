//! The run's log of exchanges, written by the transport as each request is answered, with
//! every share token named by what it is.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::RecordedExchange;

/// What a share token is called in the recording, and in a `curl` command.
#[derive(Debug, Clone)]
struct TokenName {
    value: String,
    /// `{live token}`.
    placeholder: String,
    /// What a command writes for it inside double quotes: `${SHARE_TOKEN_LIVE}` for a fixture
    /// token (a capability, never printed), a shell expression of that for a token made from
    /// one; `None` for a token the harness made up at random, which a command carries as it is.
    variable: Option<String>,
}

/// The exchanges of one run as they happen, shared by every client of the run, and what
/// each share token is called in them.
#[derive(Clone)]
pub(crate) struct ExchangeLog {
    started: Instant,
    exchanges: Arc<Mutex<Vec<RecordedExchange>>>,
    tokens: Arc<Mutex<Vec<TokenName>>>,
}

impl Default for ExchangeLog {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            exchanges: Arc::default(),
            tokens: Arc::default(),
        }
    }
}

impl ExchangeLog {
    /// Names a fixture token (`live`): `{live token}` in the recording, `${SHARE_TOKEN_LIVE}`
    /// in a command.
    pub(crate) fn name_fixture_token(&self, value: &str, state: &str) {
        self.name(
            value,
            &format!("{state} token"),
            Some(format!("${{{}}}", token_variable(state))),
        );
    }

    /// Names a token made from a fixture token (the live one with a character changed): it
    /// gives that token away, so a command writes it as `expression` of the fixture token's
    /// variable, and the recording as `{label}`.
    pub(crate) fn name_derived_token(&self, value: &str, label: &str, expression: String) {
        self.name(value, label, Some(expression));
    }

    /// Names a token the harness made up (`unknown token`): `{unknown token}` in the
    /// recording; a command carries it as it is.
    pub(crate) fn name_made_up_token(&self, value: &str, label: &str) {
        self.name(value, label, None);
    }

    fn name(&self, value: &str, label: &str, variable: Option<String>) {
        if value.is_empty() {
            return;
        }
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        if tokens.iter().any(|t| t.value == value) {
            return;
        }
        // The token as a URL carries it too, when that differs (a space, a non-ASCII letter).
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        for form in [value.to_owned(), encoded] {
            if !tokens.iter().any(|t| t.value == form) {
                tokens.push(TokenName {
                    value: form,
                    placeholder: format!("{{{label}}}"),
                    variable: variable.clone(),
                });
            }
        }
        // Longest first, so a token that contains another is named whole.
        tokens.sort_by_key(|t| std::cmp::Reverse(t.value.len()));
    }

    /// `text` with every named token replaced by its placeholder.
    pub(crate) fn name_tokens(&self, text: &str) -> String {
        self.name_where(text, |_| true)
    }

    /// `text` with every named token that is a capability (a fixture token, or one made from
    /// it) replaced by its placeholder; tokens made up at random stay, so a command still
    /// sends them.
    fn name_capabilities(&self, text: &str) -> String {
        self.name_where(text, |t| t.variable.is_some())
    }

    fn name_where(&self, text: &str, keep: impl Fn(&TokenName) -> bool) -> String {
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = text.to_owned();
        for token in tokens.iter().filter(|t| keep(t)) {
            if out.contains(&token.value) {
                out = out.replace(&token.value, &token.placeholder);
            }
        }
        out
    }

    /// A path segment in a command: a fixture token as its variable, anything else as it is.
    pub(crate) fn shell_segment(&self, segment: &str) -> Option<String> {
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens
            .iter()
            .find(|t| t.value == segment)
            .and_then(|t| t.variable.clone())
    }

    /// Milliseconds since the run started.
    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Adds `exchange` (its id set here) and returns its id.
    pub(crate) fn push(&self, mut exchange: RecordedExchange) -> usize {
        let mut exchanges = self.exchanges.lock().unwrap_or_else(|p| p.into_inner());
        exchange.id = exchanges.len();
        exchanges.push(exchange);
        exchanges.len() - 1
    }

    /// The ids of the exchanges so far for which `keep` holds.
    pub(crate) fn ids_where(&self, keep: impl Fn(&RecordedExchange) -> bool) -> Vec<usize> {
        self.exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|e| keep(e))
            .map(|e| e.id)
            .collect()
    }

    /// The `curl` commands of these exchanges, in order.
    pub(crate) fn commands(&self, ids: &[usize]) -> Vec<String> {
        let exchanges = self.exchanges.lock().unwrap_or_else(|p| p.into_inner());
        ids.iter()
            .filter_map(|id| exchanges.get(*id))
            .map(|e| e.curl.clone())
            .collect()
    }

    /// Every exchange so far, in the order they were sent, every token named (again: a
    /// token named after its exchange was recorded, one provisioning minted say, is named
    /// here).
    pub(crate) fn exchanges(&self) -> Vec<RecordedExchange> {
        let mut exchanges = self
            .exchanges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for e in &mut exchanges {
            e.label = self.name_tokens(&e.label);
            e.path = self.name_tokens(&e.path);
            e.curl = self.name_capabilities(&e.curl);
            for (_, value) in &mut e.query {
                *value = self.name_tokens(value);
            }
            for (_, value) in &mut e.request_headers {
                *value = self.name_tokens(value);
            }
            if let Some(body) = &e.request_body {
                let text = self.name_tokens(&body.to_string());
                e.request_body = serde_json::from_str(&text).ok().or(e.request_body.take());
            }
            if let Some(response) = &mut e.response {
                for (_, value) in &mut response.headers {
                    *value = self.name_tokens(value);
                }
                if !response.body_base64 {
                    response.body = self.name_tokens(&response.body);
                }
            }
            if let Some(why) = &e.no_response {
                e.no_response = Some(self.name_tokens(why));
            }
        }
        exchanges
    }
}

/// `SHARE_TOKEN_LIVE`: the shell variable a command reads a fixture token from.
pub(crate) fn token_variable(state: &str) -> String {
    format!("SHARE_TOKEN_{}", state.to_ascii_uppercase())
}
