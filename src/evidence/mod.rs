//! The evidence of a run: every exchange, recorded as it happened, so that anyone can check a
//! verdict without sending traffic again.
//!
//! Each request is recorded with its method, its path with every share token named by what it
//! is (`/v1/music/shared/{live token}/save`: a token is a capability), the headers sent (keys
//! masked), its timing and a `curl` command that sends it again (the key as
//! `"$FREDDY_API_KEY"`, fixture tokens as `${SHARE_TOKEN_LIVE}` and the like). Each response
//! is recorded with its status, headers and body up to the cap, masked like every output and
//! with the same tokens named. The report's JSON and the certificate carry the recording, and
//! `regrade` replays it: a replay answers each request with the recorded response to the
//! same request of the same scenario, and never opens a connection.
//!
//! ```no_run
//! # async fn example(target: share_conformance::Target) -> Result<(), share_conformance::Error> {
//! use share_conformance::Run;
//!
//! let report = Run::new(target).execute().await?;
//! for exchange in &report.recording().exchanges {
//!     println!("{} {}", exchange.id, exchange.curl); // keys and tokens as shell variables
//! }
//! # Ok(())
//! # }
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fixtures::{Fixtures, ShareState};
use crate::known::KnownFailures;
use crate::plan::LifecyclePlan;

mod curl;
mod log;
mod replay;

pub(crate) use curl::{Request, command as curl_command};
pub(crate) use log::{ExchangeLog, token_variable};
pub(crate) use replay::{PROVISION_SCOPE, Replay};

/// Where an exchange belongs: the run itself (the preflight, provisioning, the reads around
/// the first save and the first save), or one scenario (`features/saving.feature:17`).
pub(crate) const RUN_SCOPE: &str = "run";

/// One exchange, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedExchange {
    /// Its index in the run's recording.
    pub id: usize,
    /// `run`, or the scenario that sent it (`features/saving.feature:17`).
    pub scope: String,
    /// What was asked, as messages name it.
    pub label: String,
    /// `POST`.
    pub method: String,
    /// The path under the base URL, share tokens named: `/v1/music/shared/{live token}/save`.
    pub path: String,
    /// Query parameters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// The headers the harness set (keys masked).
    #[serde(default)]
    pub request_headers: Vec<(String, String)>,
    /// The JSON body sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<Value>,
    /// When it was sent, in milliseconds from the start of the run.
    pub sent_at_ms: u64,
    /// The wall-clock time the answer arrived (RFC 3339), for the checks that compare a
    /// timestamp with "now" when the target sent no `Date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<String>,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
    /// A shell command that sends it again.
    pub curl: String,
    /// What came back, if anything did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<RecordedResponse>,
    /// Why nothing usable came back, if nothing did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_response: Option<String>,
}

/// One response, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedResponse {
    /// The status code.
    pub status: u16,
    /// Every header, masked.
    pub headers: Vec<(String, String)>,
    /// The body up to the cap: text, or base64 when it is not UTF-8 ([`Self::body_base64`]).
    pub body: String,
    /// Whether `body` is base64.
    #[serde(default, skip_serializing_if = "is_false")]
    pub body_base64: bool,
    /// Whether the body was longer than the cap and cut.
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
    /// Whether the target echoed a key back (masked on arrival).
    #[serde(default, skip_serializing_if = "is_false")]
    pub echoed_secret: bool,
    /// Where the target carried back a credential the harness made up (`the body`, a header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub echoed_credential: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Everything a run needs to be judged again: how it was run, what the fixtures held, and
/// every exchange. The report's JSON and the certificate carry it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Recording {
    /// How the run was run.
    pub settings: RecordedSettings,
    /// What the fixtures held (tokens by state only: a token is a capability).
    pub fixtures: RecordedFixtures,
    /// Every exchange, in the order the answers arrived.
    pub exchanges: Vec<RecordedExchange>,
}

/// How a recorded run was run: what selects the same scenarios again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedSettings {
    /// The tag expression, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    /// The name filter, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_contains: Option<String>,
    /// How many times the scenarios ran.
    pub repeat: u32,
    /// Whether FLAKY MUST clauses were tolerated.
    #[serde(default)]
    pub allow_flaky: bool,
    /// Whether a SHOULD clause that did not pass failed the run.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    /// How long the target's reads were allowed to lag its writes, in milliseconds.
    pub read_lag_ms: u64,
    /// The known failures it had, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_failures: Option<KnownFailures>,
    /// The base URL's path, when it has one (`/freddy`): with the target's origin, where the
    /// `curl` commands send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
}

/// What a recorded run's fixtures held, after any provisioning.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedFixtures {
    /// The states a token was given for (`live`, `revoked`, …).
    pub tokens: Vec<String>,
    /// The shared track's id, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_id: Option<String>,
    /// The live share link's id, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_link_id: Option<String>,
    /// The recipient's organization, if named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_organization: Option<String>,
    /// Whether the run had the recipient's key (never the key).
    pub api_key: bool,
    /// The lifecycles the run could make of a save, if it provisioned: what a re-grade makes
    /// again from the recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<RecordedLifecycle>,
}

/// What a run that provisioned could do to a save after it (ids only, never a key or token).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedLifecycle {
    /// The sharer's organization.
    pub organization: String,
    /// The run's own live share, which it revoked at its end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_share: Option<String>,
    /// The disposable track the run deleted after the recipient saved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposable_track: Option<String>,
    /// That track's share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposable_share: Option<String>,
}

impl RecordedFixtures {
    /// What `fixtures` hold, the key only as present or not, and what `lifecycle` can do.
    pub(crate) fn of(fixtures: &Fixtures, api_key: bool, lifecycle: &LifecyclePlan) -> Self {
        Self {
            tokens: ShareState::ALL
                .into_iter()
                .filter(|state| fixtures.tokens.get(*state).is_some())
                .map(|state| state.name().to_owned())
                .collect(),
            track_id: fixtures.expected.track_id.clone(),
            share_link_id: fixtures.expected.share_link_id.clone(),
            recipient_organization: fixtures.recipient.organization_id.clone(),
            api_key,
            lifecycle: lifecycle.sharer.as_ref().map(|sharer| RecordedLifecycle {
                organization: sharer.organization.clone(),
                live_share: lifecycle.live_share.clone(),
                disposable_track: lifecycle.disposable.as_ref().map(|d| d.track.clone()),
                disposable_share: lifecycle.disposable.as_ref().map(|d| d.share.clone()),
            }),
        }
    }

    /// The lifecycles a re-grade makes again, the sharer's key a stand-in (never recorded,
    /// and never sent: every request is answered from the recording).
    pub(crate) fn lifecycle_stand_in(&self) -> Option<LifecyclePlan> {
        let recorded = self.lifecycle.as_ref()?;
        Some(LifecyclePlan {
            sharer: Some(crate::plan::Provision {
                sharer_key: crate::secret::ApiKey::new("ak_recorded_sharer").ok()?,
                organization: recorded.organization.clone(),
                track: None,
                disposable_track: None,
                collection: None,
                states: Vec::new(),
            }),
            live_share: recorded.live_share.clone(),
            disposable: match (&recorded.disposable_track, &recorded.disposable_share) {
                (Some(track), Some(share)) => Some(crate::plan::Disposable {
                    track: track.clone(),
                    share: share.clone(),
                }),
                _ => None,
            },
        })
    }

    /// Fixtures that stand for these when re-grading: each token is the name it was recorded
    /// under (`{live token}`), so what the recorded answers echo of it is recognised.
    pub(crate) fn stand_in(&self) -> Fixtures {
        let mut fixtures = Fixtures::default();
        for state in ShareState::ALL {
            if self.tokens.iter().any(|t| t == state.name()) {
                fixtures
                    .tokens
                    .set(state, Some(format!("{{{} token}}", state.name())));
            }
        }
        fixtures.expected.track_id = self.track_id.clone();
        fixtures.expected.share_link_id = self.share_link_id.clone();
        fixtures.recipient.organization_id = self.recipient_organization.clone();
        fixtures
    }
}

#[cfg(test)]
mod tests {
    use super::curl::shell_quote;
    use super::*;

    #[test]
    fn tokens_are_named_longest_first_and_fixture_tokens_become_variables() {
        let recorder = ExchangeLog::default();
        recorder.name_fixture_token("shr_abc", "live");
        recorder.name_made_up_token("shr_abcd", "unknown token");
        assert_eq!(
            recorder.name_tokens("/shared/shr_abcd/save and shr_abc"),
            "/shared/{unknown token}/save and {live token}"
        );
        assert_eq!(
            recorder.shell_segment("shr_abc").as_deref(),
            Some("${SHARE_TOKEN_LIVE}")
        );
        assert_eq!(recorder.shell_segment("shr_abcd"), None);
    }

    #[test]
    fn a_replay_answers_the_nth_request_with_the_nth_recording() {
        let recorded = |id, scope: &str, label: &str| RecordedExchange {
            id,
            scope: scope.into(),
            label: label.into(),
            method: "POST".into(),
            path: "/".into(),
            query: vec![],
            request_headers: vec![],
            request_body: None,
            sent_at_ms: 0,
            answered_at: None,
            elapsed_ms: 0,
            curl: String::new(),
            response: None,
            no_response: None,
        };
        let replay = Replay::new(&[
            recorded(0, "run", "a"),
            recorded(1, "s:1", "a"),
            recorded(2, "run", "a"),
            recorded(3, "s:3", "b"),
        ]);
        let take = |scope: &str, label: &str| replay.take(&recorded(9, scope, label));
        assert_eq!(take("run", "a").map(|e| e.id), Ok(0));
        assert_eq!(take("s:1", "a").map(|e| e.id), Ok(1));
        assert_eq!(take("run", "a").map(|e| e.id), Ok(2));
        assert!(take("run", "a").is_err(), "no third recording");
        assert!(take("s:2", "a").is_err());
        let mut elsewhere = recorded(9, "s:3", "b");
        elsewhere.path = "/other".into();
        assert!(
            replay.take(&elsewhere).is_err(),
            "recorded for another request"
        );
        assert_eq!(replay.problems().len(), 3, "{:?}", replay.problems());
        assert!(replay.problems()[2].contains("recorded as POST /, sent again as POST /other"));
        assert_eq!(replay.unused(), 0, "a taken recording counts as used");
        let unused = Replay::new(&[recorded(0, "run", "a"), recorded(1, PROVISION_SCOPE, "p")]);
        assert_eq!(unused.unused(), 1, "provisioning is never asked for again");
    }

    #[test]
    fn shell_quoting_keeps_every_byte() {
        assert_eq!(shell_quote(b"a b"), "'a b'");
        assert_eq!(shell_quote(b"it's"), r"'it'\''s'");
        assert_eq!(
            shell_quote("ключ".as_bytes()),
            r"$'\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87'"
        );
    }
}
