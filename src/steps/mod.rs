//! The World and the step definitions: the small interpreter the feature files run on.
//!
//! One module per domain concept: [`request`] (who asks, with which token, and the save
//! itself), [`status`] (status line and content type), [`edge`] (the library edge),
//! [`envelope`] (error envelopes, snapshots, and comparing answers), [`view`] (the public view
//! of a share), [`library`] (what reached the recipient's library), [`echo`] (what a response
//! gives back). [`bracket`] makes the run's first save of the live token, with what is read
//! before and after it.
//!
//! A step fails by returning a [`Failure`] from [`crate::checks`], whose text lines up what was
//! expected against what the target answered. A step that needs a fixture the target did not
//! provide does not fail: it raises [`NotTestable`], and the scenario's verdict is
//! NOT-TESTABLE, never passed.

mod bracket;
mod echo;
mod edge;
mod envelope;
mod library;
mod lifecycle;
mod request;
mod status;
mod view;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use time::OffsetDateTime;

pub use self::bracket::Needs;
use self::bracket::{Bracket, LibraryRead};
use self::lifecycle::Lifecycle;
use crate::checks::Failure;
use crate::exchange::{Exchange, TransportError};
use crate::fixtures::{Fixtures, ShareState};
use crate::http::HttpClient;
use crate::known::Case;
use crate::plan::LifecyclePlan;
use crate::secret::ApiKey;
use crate::suite::Suite;
use crate::suite::catalogue::{LIBRARY_TAG, RESOLVE_TAG};
use crate::twist::Twist;

/// The target's clock as the preflight saw it: what "now" means for the target's timestamps.
#[derive(Debug, Clone, Copy, Default)]
pub struct TargetClock {
    /// The target's `Date` when the run started (whole seconds), if it sent one.
    pub at_start: Option<OffsetDateTime>,
    /// How far the target's clock is ahead of the harness's (negative: behind), if known.
    pub offset: Option<time::Duration>,
}

impl TargetClock {
    /// The target's clock now, by its `Date` header if `response` has one, else by the
    /// harness's clock corrected by the preflight's offset; and how it was told.
    pub fn now(&self, response: Option<&Exchange>) -> (OffsetDateTime, &'static str) {
        if let Some(date) = response.and_then(Exchange::date) {
            return (date, "the response's Date header");
        }
        // When the answer arrived (the recorded time, when re-grading), by the harness's clock.
        let harness = response
            .and_then(|r| r.answered_at)
            .unwrap_or_else(OffsetDateTime::now_utc);
        match self.offset {
            Some(offset) => (harness + offset, "the preflight's Date header"),
            None => (
                harness,
                "the harness clock (the target sent no Date header)",
            ),
        }
    }
}

/// What a run's context is made of.
pub(crate) struct Setup {
    /// The client every request goes through.
    pub(crate) http: HttpClient,
    /// The recipient's key, if the run has it.
    pub(crate) api_key: Option<ApiKey>,
    /// The fixtures, after any provisioning.
    pub(crate) fixtures: Fixtures,
    pub(crate) suite: Arc<Suite>,
    /// What the selected scenarios read around the first save.
    pub(crate) needs: Needs,
    /// What the preflight learnt of the target's clock.
    pub(crate) clock: TargetClock,
    /// How long the target's reads may lag its writes.
    pub(crate) read_lag: Duration,
    /// The lifecycles the run can make of a save.
    pub(crate) lifecycle: LifecyclePlan,
}

/// What every scenario of one run shares: the target, its fixtures and the suite.
pub struct Context {
    pub(crate) http: HttpClient,
    /// The same client for the bracket's few requests, which never wait for the in-flight
    /// bound: they are the run's critical path.
    priority: HttpClient,
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) fixtures: Fixtures,
    pub(crate) suite: Arc<Suite>,
    pub(crate) clock: TargetClock,
    /// The recipient's key with its last character changed; the runner masks it too.
    pub(crate) near_miss_key: Option<ApiKey>,
    /// The run's first save of the live token, and what is read before and after it.
    bracket: Bracket,
    /// What becomes of a save once its link is revoked or its track deleted.
    lifecycle: Lifecycle,
    /// How long the target's reads (List saved tracks, the public resolve) may lag its writes.
    pub(crate) read_lag: Duration,
    /// Every trace_id an error answer carried in this run, with the requests that got it.
    trace_ids: Mutex<HashMap<String, Vec<String>>>,
    /// The edges the run's successful saves answered: (track_id, id), either unknown when the
    /// body did not name it.
    edges_answered: Mutex<Vec<(Option<String>, Option<String>)>>,
}

impl Context {
    /// A context for one run.
    pub(crate) fn new(setup: Setup) -> Self {
        let Setup {
            http,
            api_key,
            fixtures,
            suite,
            needs,
            clock,
            read_lag,
            lifecycle,
        } = setup;
        for state in ShareState::ALL {
            if let Some(token) = fixtures.tokens.get(state) {
                http.recorder().name_fixture_token(token, state.name());
            }
        }
        Self {
            // Masked in every output: the redactor masks each key's near miss too.
            near_miss_key: api_key.as_ref().map(crate::secret::near_miss),
            priority: http.priority(),
            http,
            api_key,
            fixtures,
            suite,
            clock,
            bracket: Bracket::new(needs),
            lifecycle: Lifecycle::new(lifecycle),
            read_lag,
            trace_ids: Mutex::default(),
            edges_answered: Mutex::default(),
        }
    }

    /// Waits `duration`, unless re-grading: a recording's answers are all there already.
    async fn pause(&self, duration: Duration) {
        if !self.http.is_replaying() {
            tokio::time::sleep(duration).await;
        }
    }

    /// A token the harness makes up (an unknown or malformed one), named `label`: `value` in a
    /// live run, named in the recording by its label; when re-grading a recording, the name
    /// it was recorded under, so that what the recorded answers echo of it is recognised.
    fn made_up_token(&self, label: &str, value: String) -> String {
        // An empty token is recorded as it is (it has nothing to name).
        if self.http.is_replaying() && !value.is_empty() {
            format!("{{{label}}}")
        } else {
            self.http.recorder().name_made_up_token(&value, label);
            value
        }
    }

    /// A token the harness makes from a fixture token (the live one twisted), named `label`:
    /// `value` in a live run, which a command writes as `expression` of the fixture token's
    /// variable and the recording as `{label}`; when re-grading, that name (the fixture token
    /// stands in by its own name, which twisting would not make the recorded one).
    fn derived_token(&self, label: &str, value: String, expression: String) -> String {
        if self.http.is_replaying() {
            format!("{{{label}}}")
        } else {
            self.http
                .recorder()
                .name_derived_token(&value, label, expression);
            value
        }
    }

    /// Records the trace_id of an error answer, to tell whether trace ids repeat.
    fn observe(&self, exchange: &Exchange) {
        let trace_id = exchange.json().ok().and_then(|body| {
            body.pointer("/error/trace_id")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        if let Some(trace_id) = trace_id {
            self.trace_ids
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(trace_id)
                .or_default()
                .push(exchange.request.clone());
        }
    }

    /// Notes the edge a successful save answered.
    fn note_save(&self, exchange: &Exchange) {
        if !exchange.status.is_success() {
            return;
        }
        let body = exchange.json().ok();
        let field = |name: &str| {
            body.as_ref()
                .and_then(|b| b.get(name)?.as_str().map(str::to_owned))
        };
        self.edges_answered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((field("track_id"), field("id")));
    }

    /// How many library entries of `track` the run's successful saves so far may have added:
    /// one per distinct edge they answered for it, and one for each whose body named no track
    /// or no edge.
    fn entries_saved_of(&self, track: &str) -> usize {
        let answered = self
            .edges_answered
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut edges: Vec<&str> = answered
            .iter()
            .filter_map(|(t, id)| (t.as_deref() == Some(track)).then_some(id.as_deref()?))
            .collect();
        edges.sort_unstable();
        edges.dedup();
        let unnamed = answered
            .iter()
            .filter(|(t, id)| t.is_none() || id.is_none())
            .count();
        edges.len() + unnamed
    }

    /// The requests whose answers carried `trace_id` so far.
    fn requests_with_trace_id(&self, trace_id: &str) -> Vec<String> {
        self.trace_ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(trace_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The shared track's id: the fixtures', else what the public view showed before the
    /// first save, else what the first save answered.
    fn live_track_id(&self, first_save: Option<&Exchange>) -> Option<String> {
        if let Some(id) = &self.fixtures.expected.track_id {
            return Some(id.clone());
        }
        if let Some(id) = self.bracket.track_id_seen_before() {
            return Some(id);
        }
        first_save
            .and_then(|e| e.json().ok())
            .and_then(|body| body.get("track_id")?.as_str().map(str::to_owned))
    }

    /// Why the run's first save of the live token looks like a repeat: the live token (or its
    /// track, for a target that keeps one edge per track) was saved before the run. `None`
    /// when nothing says so, or when the library shows the track was not saved.
    ///
    /// The evidence: an answer other than 201 ("the new library edge") together with an edge
    /// created before the run or a track already in the library; or both of those together.
    /// A library read before the first save that lacks the track rules a repeat out.
    fn saved_before_the_run(&self, first_save: &Exchange) -> Option<String> {
        let track = self.live_track_id(Some(first_save));
        let track_in_library = match (self.bracket.library_before(), &track) {
            (Some(LibraryRead::Read(library)), Some(track)) => Some(library.contains(track)),
            _ => None,
        };
        if track_in_library == Some(false) {
            return None;
        }
        let created = first_save
            .json()
            .ok()
            .and_then(|body| body.get("created_at")?.as_str().map(str::to_owned))
            .and_then(|text| crate::time::parse(&text).ok());
        let old_edge = match (created, self.clock.at_start) {
            (Some(created), Some(start)) if created < start => Some(format!(
                "the edge it answered was created at {}, before this run started ({} by the target's clock)",
                crate::time::format(created),
                crate::time::format(start)
            )),
            _ => None,
        };
        let in_library = (track_in_library == Some(true)).then(|| {
            format!(
                "the shared track {} was already in the recipient's library before the run's first save",
                track.as_deref().unwrap_or_default()
            )
        });
        let not_created = first_save.status.as_u16() != 201;
        let reasons: Vec<String> = match (not_created, old_edge, in_library) {
            (true, Some(a), Some(b)) | (false, Some(a), Some(b)) => vec![a, b],
            (true, Some(a), None) | (true, None, Some(a)) => vec![a],
            _ => return None,
        };
        let answered = if not_created {
            format!(
                "; it answered {}, not 201",
                crate::exchange::status_text(first_save.status)
            )
        } else {
            String::new()
        };
        Some(format!("{}{answered}", reasons.join(", and ")))
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("target", &self.http.base().as_str())
            .field("api_key", &self.api_key)
            .field("fixtures", &self.fixtures)
            .finish_non_exhaustive()
    }
}

/// Which credential the next request carries.
#[derive(Clone, PartialEq, Eq)]
enum KeyChoice {
    /// The scenario has not said: a suite bug, reported as such.
    Unset,
    /// The recipient's key from the target configuration.
    Recipient,
    /// No header.
    Absent,
    /// The header, empty.
    Empty,
    /// A well-formed key the target never issued.
    Unknown(String),
    /// A key that is not shaped like the documented ones, and what is wrong with it.
    Malformed(&'static str, Vec<u8>),
    /// No `X-API-Key`, and a forged `Authorization: Bearer` JWT; whether it is unsigned.
    Bearer(String, bool),
    /// The recipient's key with its last character changed (masked in every output).
    NearMiss(ApiKey),
    /// The recipient's key twisted as databases, proxies or header parsers fold, trim or cut
    /// (masked in every output).
    Twisted(Twist, ApiKey),
    /// This `X-API-Key` credential, and a forged `Authorization: Bearer` JWT beside it.
    WithBearer(Box<KeyChoice>, String),
}

impl KeyChoice {
    fn describe(&self) -> String {
        match self {
            Self::Unset => "no key chosen".into(),
            Self::Recipient => "the recipient's key".into(),
            Self::Absent => "no X-API-Key header".into(),
            Self::Empty => "an empty X-API-Key header".into(),
            Self::Unknown(_) => "an unknown key".into(),
            Self::Malformed(kind, _) => format!("a malformed key ({kind})"),
            Self::Bearer(_, false) => "a forged Bearer credential and no X-API-Key".into(),
            Self::Bearer(_, true) => {
                "an unsigned (alg none) Bearer credential and no X-API-Key".into()
            }
            Self::NearMiss(_) => "the recipient's key with its last character changed".into(),
            Self::Twisted(twist, _) => format!("the recipient's key {}", twist.words()),
            Self::WithBearer(key, _) => {
                format!("{} and a forged Bearer credential", key.describe())
            }
        }
    }
}

/// The token the next request names.
#[derive(Clone)]
struct Token {
    /// How messages name it (`live token`, `malformed token (4 KiB long)`): the token itself
    /// is a capability and stays out of reports.
    label: String,
    value: String,
    state: Option<ShareState>,
}

/// A request the scenario made and what came back.
#[derive(Clone)]
struct Sent {
    exchange: Arc<Exchange>,
    /// The token it named.
    token: Token,
    /// The credential it carried.
    key: KeyChoice,
    /// Whether this is the run's first save of the live token.
    first_save: bool,
}

/// The state of one scenario.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct ConformanceWorld {
    ctx: Option<Arc<Context>>,
    key: KeyChoice,
    token: Option<Token>,
    /// The response the `Then` steps examine.
    response: Option<Sent>,
    /// The first save, when the scenario also saved "again".
    first_save: Option<Arc<Exchange>>,
    /// Responses the scenario collected to compare with each other.
    collected: Vec<Sent>,
    /// Rounds of the collected requests sent again (each aligned with `collected`): what
    /// differs between answers to one request varies per request, not with the token's state.
    again: Vec<Vec<Sent>>,
    /// Tokens the scenario meant to collect but the fixtures lack.
    missing: Vec<ShareState>,
    /// Observations reported with the verdict (what a repeat save answered, …).
    pub(crate) notes: Vec<String>,
    /// The scenario's id: what its requests are recorded under.
    scope: String,
    /// The recorded exchanges the scenario looked at, in order.
    pub(crate) used: Vec<usize>,
}

impl ConformanceWorld {
    fn new() -> Self {
        Self {
            scope: String::new(),
            used: Vec::new(),
            ctx: None,
            key: KeyChoice::Unset,
            token: None,
            response: None,
            first_save: None,
            collected: Vec::new(),
            again: Vec::new(),
            missing: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Gives the scenario its run's context and its id (the runner's `before` hook).
    pub(crate) fn attach(&mut self, ctx: Arc<Context>, scope: String) {
        self.ctx = Some(ctx);
        self.scope = scope;
    }

    /// The recorded reads around the first save that a scenario with these tags looked at:
    /// the public views for `@resolve`, the library pages for `@library`.
    pub(crate) fn bracket_reads(&self, tags: &[&String]) -> Vec<usize> {
        let Some(ctx) = &self.ctx else {
            return Vec::new();
        };
        let resolve = tags.iter().any(|t| *t == RESOLVE_TAG);
        let library = tags.iter().any(|t| *t == LIBRARY_TAG);
        ctx.http.recorder().ids_where(|e| {
            e.scope == crate::evidence::RUN_SCOPE
                && ((resolve && e.label.contains("public resolve"))
                    || (library && e.label.contains("List saved tracks")))
        })
    }

    /// Notes that the scenario looked at `exchange`.
    fn uses(&mut self, exchange: &Exchange) {
        if let Some(id) = exchange.id
            && !self.used.contains(&id)
        {
            self.used.push(id);
        }
    }

    fn ctx(&self) -> Result<Arc<Context>, Failure> {
        self.ctx
            .clone()
            .ok_or_else(|| suite_bug("the scenario runs without a target context (a harness bug)"))
    }

    fn sent(&self) -> Result<&Sent, Failure> {
        self.response.as_ref().ok_or_else(|| {
            suite_bug("no request was made before this step (a suite bug: add a When step)")
        })
    }

    fn response(&self) -> Result<&Exchange, Failure> {
        Ok(&self.sent()?.exchange)
    }

    /// The verdict of a check on the response. A failed check on the run's first save of the
    /// live token is not blamed on the target when that token was saved before the run: the
    /// save was a repeat, which the docs leave open, so the scenario is NOT-TESTABLE.
    fn judge(&self, check: StepResult) -> StepResult {
        let Err(failure) = check else {
            return Ok(());
        };
        let (Ok(ctx), Ok(sent)) = (self.ctx(), self.sent()) else {
            return Err(failure);
        };
        if sent.exchange.status.as_u16() == 429 {
            not_testable(rate_limited(&failure));
        }
        if !sent.first_save {
            return Err(failure);
        }
        match ctx.saved_before_the_run(&sent.exchange) {
            None => Err(failure),
            Some(why) => not_testable(format!(
                "the live token seems to have been saved before this run: {why}. This save is \
                 then a repeat, which the docs leave open, so it proves nothing either way.\n\
                 remedy: give each run a live share the recipient has not saved (`--provision \
                 live` mints one per run)\nwhat the check saw:\n{failure}"
            )),
        }
    }
}

impl fmt::Debug for ConformanceWorld {
    // cucumber prints the World on failures at higher verbosity: only labels and statuses,
    // never the key or a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConformanceWorld")
            .field("key", &self.key.describe())
            .field("token", &self.token.as_ref().map(|t| t.label.as_str()))
            .field("response", &self.response.as_ref().map(|s| &s.exchange))
            .field(
                "collected",
                &self
                    .collected
                    .iter()
                    .map(|s| &s.exchange)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// What a step returns.
type StepResult = Result<(), Failure>;

/// Why a check on a rate-limited answer is NOT-TESTABLE.
pub(super) fn rate_limited(failure: &impl fmt::Display) -> String {
    format!(
        "the target answered 429 Too Many Requests, though the harness waited as its Retry-After \
         asked and tried again: the question was not answered. If it is a rate limit, lower \
         --concurrency or raise the target's limit for the recipient; if only some tokens keep \
         answering 429 while the others are answered, the 429 itself may depend on the token's \
         state, which this run cannot tell apart from a rate limit.\nwhat the check saw:\n{failure}"
    )
}

/// Raised (as a panic payload, which cucumber catches) by a step that cannot run because the
/// target's configuration lacks something: the scenario is NOT-TESTABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotTestable {
    /// Why, with the remedy.
    pub reason: String,
    /// The documented case it is, when a gate may accept it by name.
    pub case: Option<&'static str>,
}

fn not_testable(reason: impl Into<String>) -> ! {
    std::panic::panic_any(NotTestable {
        reason: reason.into(),
        case: None,
    })
}

/// Ends the step as NOT-TESTABLE in one of the documented cases a gate may accept by name.
fn not_testable_because(case: Case, reason: impl Into<String>) -> ! {
    std::panic::panic_any(NotTestable {
        reason: format!("[{}] {}", case.name(), reason.into()),
        case: Some(case.name()),
    })
}

/// Raised (as a panic payload, like [`NotTestable`]) by a step whose request got no response
/// at all: the scenario fails, and the report says it failed for want of an answer rather than
/// for what an answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoResponse(pub String);

/// The exchange, or the step ends as [`NoResponse`]; when re-grading, a request the
/// recording holds no answer to makes the scenario NOT-TESTABLE (it is never passed).
fn answered<T>(outcome: Result<T, TransportError>) -> T {
    outcome.unwrap_or_else(|e| {
        if e.unrecorded {
            not_testable(format!(
                "the recording does not answer {} ({}): it was made by a suite that did not send this request, or edited",
                e.request, e.reason
            ))
        }
        no_response(e.to_string())
    })
}

/// Ends the step as [`NoResponse`]: what was asked got no answer.
fn no_response(why: String) -> ! {
    std::panic::panic_any(NoResponse(why))
}

/// Raised (as a panic payload) by a step that finds the suite itself wrong: a step used where
/// it cannot work, or the harness in a state it should never be in. The scenario fails, and
/// its cause says it is no finding about the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SuiteBug(pub String);

/// Ends the step as a [`SuiteBug`]. It never returns; it is typed as a [`Failure`] so that it
/// reads wherever a step would return one.
fn suite_bug(what: impl Into<String>) -> Failure {
    std::panic::panic_any(SuiteBug(what.into()))
}
