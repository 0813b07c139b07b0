//! Replay: a recorded run's exchanges answer its requests again, so that a re-grade opens no
//! connection.

use std::collections::HashMap;
use std::sync::Mutex;

use super::RecordedExchange;

/// A recorded run's exchanges, answering requests again: the n-th request a scope sends with
/// a label gets the n-th recorded answer to it.
pub(crate) struct Replay {
    by_request: HashMap<(String, String), Vec<RecordedExchange>>,
    taken: Mutex<HashMap<(String, String), usize>>,
    /// Requests the recording held no answer to, and recorded requests that differ from the
    /// ones sent again: `scope: label (why)`.
    problems: Mutex<Vec<String>>,
}

/// Where exchanges made while provisioning are recorded: a re-grade does not provision, so
/// they are not asked for again.
pub(crate) const PROVISION_SCOPE: &str = "provision";

impl Replay {
    pub(crate) fn new(exchanges: &[RecordedExchange]) -> Self {
        let mut by_request: HashMap<(String, String), Vec<RecordedExchange>> = HashMap::new();
        for exchange in exchanges {
            by_request
                .entry((exchange.scope.clone(), exchange.label.clone()))
                .or_default()
                .push(exchange.clone());
        }
        Self {
            by_request,
            taken: Mutex::default(),
            problems: Mutex::default(),
        }
    }

    /// The recorded answer to the next request `label` from `scope`, if there is one and it
    /// was recorded for the request `sent` (the same method, path, query and body); otherwise
    /// what is wrong.
    pub(crate) fn take(&self, sent: &RecordedExchange) -> Result<RecordedExchange, String> {
        let key = (sent.scope.clone(), sent.label.clone());
        let found = {
            let mut taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
            let n = taken.entry(key.clone()).or_default();
            let found = self
                .by_request
                .get(&key)
                .and_then(|all| all.get(*n))
                .cloned();
            *n += 1;
            found
        };
        let problem = match &found {
            None => Some("the recording holds no answer to it".to_owned()),
            Some(recorded) if recorded.method != sent.method || recorded.path != sent.path => {
                Some(format!(
                    "recorded as {} {}, sent again as {} {}",
                    recorded.method, recorded.path, sent.method, sent.path
                ))
            }
            Some(recorded) if recorded.query != sent.query => {
                Some("its recorded query differs from the one sent again".to_owned())
            }
            Some(recorded) if recorded.request_body.is_some() != sent.request_body.is_some() => {
                Some("its recorded body differs from the one sent again".to_owned())
            }
            // Where the request has nothing made up at random (no token or credential the
            // harness invents anew each run, which a re-grade names by its placeholder), its
            // command is the recorded one, character for character.
            Some(recorded)
                if recorded.request_headers == sent.request_headers
                    && !sent.curl.contains("%7B")
                    && recorded.curl != sent.curl =>
            {
                Some(format!(
                    "its recorded command is not the one it gives: {}",
                    sent.curl
                ))
            }
            Some(_) => None,
        };
        match (problem, found) {
            (None, Some(found)) => Ok(found),
            (problem, _) => {
                let problem = problem.unwrap_or_default();
                self.problems
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(format!("{}: {} ({problem})", sent.scope, sent.label));
                Err(problem)
            }
        }
    }

    /// What the re-grade found wrong with the recording: requests it lacks or that differ.
    pub(crate) fn problems(&self) -> Vec<String> {
        self.problems
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Recorded exchanges no request asked for (provisioning's apart): a recording whose
    /// settings were edited to leave scenarios out, or one made by another suite.
    pub(crate) fn unused(&self) -> usize {
        let taken = self.taken.lock().unwrap_or_else(|p| p.into_inner());
        self.by_request
            .iter()
            .filter(|((scope, _), _)| scope != PROVISION_SCOPE)
            .map(|(key, all)| {
                all.len()
                    .saturating_sub(taken.get(key).copied().unwrap_or(0))
            })
            .sum()
    }
}
