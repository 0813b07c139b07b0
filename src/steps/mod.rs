//! The World and the step definitions: the small interpreter the feature files run on.
//!
//! One module per domain concept: [`request`] (who asks, with which token, and the save
//! itself), [`status`] (status line and content type), [`edge`] (the library edge),
//! [`envelope`] (error envelopes and snapshots), [`view`] (the public view of a share).
//!
//! A step fails by returning a [`Failure`] from [`crate::checks`], whose text lines up what was
//! expected against what the target answered. A step that needs a fixture the target did not provide does not fail:
//! it raises [`NotTestable`], and the scenario's verdict is NOT-TESTABLE, never passed.

mod edge;
mod envelope;
mod request;
mod status;
mod view;

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::OnceCell;

use crate::checks::Failure;
use crate::fixtures::{Fixtures, ShareState};
use crate::http::{Exchange, HttpClient, TransportError};
use crate::secret::ApiKey;
use crate::suite::Suite;

/// What every scenario of one run shares: the target, its fixtures and the suite.
pub struct Context {
    pub(crate) http: HttpClient,
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) fixtures: Fixtures,
    pub(crate) suite: Arc<Suite>,
    /// The run's first save of the live token with the recipient's key. A successful save
    /// changes the target, and the docs leave open what a repeat answers, so every scenario
    /// that examines "the" save examines this one; only "saved again" sends another.
    first_live_save: OnceCell<Result<Arc<Exchange>, TransportError>>,
}

impl Context {
    /// A context for one run.
    pub fn new(
        http: HttpClient,
        api_key: Option<ApiKey>,
        fixtures: Fixtures,
        suite: Arc<Suite>,
    ) -> Self {
        Self {
            http,
            api_key,
            fixtures,
            suite,
            first_live_save: OnceCell::new(),
        }
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

/// Which `X-API-Key` the next request carries.
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
}

impl KeyChoice {
    fn describe(&self) -> &'static str {
        match self {
            Self::Unset => "no key chosen",
            Self::Recipient => "the recipient's key",
            Self::Absent => "no X-API-Key header",
            Self::Empty => "an empty X-API-Key header",
            Self::Unknown(_) => "an unknown key",
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

/// The state of one scenario.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct ConformanceWorld {
    ctx: Option<Arc<Context>>,
    key: KeyChoice,
    token: Option<Token>,
    /// The response the `Then` steps examine.
    response: Option<Arc<Exchange>>,
    /// The first save, when the scenario also saved "again".
    first_save: Option<Arc<Exchange>>,
    /// Responses the scenario collected to compare with each other.
    collected: Vec<Arc<Exchange>>,
    /// The public view recorded before a save.
    view_before: Option<Value>,
    /// Observations reported with the verdict (what a repeat save answered, …).
    pub(crate) notes: Vec<String>,
}

impl ConformanceWorld {
    fn new() -> Self {
        Self {
            ctx: None,
            key: KeyChoice::Unset,
            token: None,
            response: None,
            first_save: None,
            collected: Vec::new(),
            view_before: None,
            notes: Vec::new(),
        }
    }

    /// Gives the scenario its run's context (the runner's `before` hook).
    pub(crate) fn attach(&mut self, ctx: Arc<Context>) {
        self.ctx = Some(ctx);
    }

    fn ctx(&self) -> Result<Arc<Context>, Failure> {
        self.ctx.clone().ok_or_else(|| {
            Failure::new("the scenario runs without a target context (a harness bug)")
        })
    }

    fn response(&self) -> Result<&Exchange, Failure> {
        self.response.as_deref().ok_or_else(|| {
            Failure::new("no request was made before this step (a suite bug: add a When step)")
        })
    }
}

impl fmt::Debug for ConformanceWorld {
    // cucumber prints the World on failures at higher verbosity: only labels and statuses,
    // never the key or a token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConformanceWorld")
            .field("key", &self.key.describe())
            .field("token", &self.token.as_ref().map(|t| t.label.as_str()))
            .field("response", &self.response)
            .field("collected", &self.collected)
            .finish_non_exhaustive()
    }
}

/// What a step returns.
type StepResult = Result<(), Failure>;

/// Raised (as a panic payload, which cucumber catches) by a step that cannot run because the
/// target's configuration lacks something: the scenario is NOT-TESTABLE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotTestable(pub String);

fn not_testable(reason: impl Into<String>) -> ! {
    std::panic::panic_any(NotTestable(reason.into()))
}
