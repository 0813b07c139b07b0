//! Why a run, or what it needs, could not be made: typed, and in the harness's own words.
//! The command line adds the names of its flags.

use std::fmt;
use std::path::PathBuf;

use crate::secret::InvalidKey;

/// An error of the library.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The base URL is not one the harness can run against.
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A string that cannot be an API key.
    Key(InvalidKey),
    /// A fixtures file that cannot be read, or fixtures that do not parse.
    Fixtures {
        /// The file, if they came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        reason: String,
    },
    /// A tag expression that does not parse.
    Tags {
        /// The expression as given.
        expression: String,
        /// Why it does not parse.
        reason: String,
    },
    /// CA certificates that cannot be used.
    Certificates {
        /// The file, if they came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        reason: String,
    },
    /// A key would travel over plain http to a host other than this machine.
    PlainHttp {
        /// The host.
        host: String,
    },
    /// The suite does not load: a feature, schema or snapshot is wrong.
    Suite(String),
    /// The filters select no scenario, so the run would prove nothing.
    NothingSelected {
        /// The filters, described.
        filters: Vec<String>,
        /// The tags the suite has, besides `@clause:<ID>`.
        tags: Vec<String>,
    },
    /// The target did not answer at all.
    Unreachable {
        /// The base URL.
        url: String,
        /// Why, causes chained.
        cause: String,
    },
    /// Making fixtures through the API failed.
    Provisioning(ProvisionError),
    /// A report file could not be written.
    Artifact {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file that is not a share-conformance certificate or report.
    NotACertificate {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A run setting that cannot work (a zero timeout, no concurrency).
    Setting {
        /// The setting: `timeout`, `concurrency`, `repeat`.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be set up.
    Setup(String),
    /// A known-failures file that cannot be read or does not parse, or known failures
    /// where none are allowed (a certification).
    KnownFailures {
        /// The file, if it came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BaseUrl { url, reason } => write!(f, "the base URL {url:?} {reason}"),
            Self::Key(reason) => write!(f, "{reason}"),
            Self::Fixtures {
                path: Some(path),
                reason,
            } => write!(f, "fixtures file {}: {reason}", path.display()),
            Self::Fixtures { path: None, reason } => write!(f, "fixtures: {reason}"),
            Self::Tags { expression, reason } => {
                write!(f, "{expression:?} is not a tag expression: {reason}")
            }
            Self::Certificates {
                path: Some(path),
                reason,
            } => write!(f, "CA certificates {}: {reason}", path.display()),
            Self::Certificates { path: None, reason } => write!(f, "CA certificates: {reason}"),
            Self::PlainHttp { host } => write!(
                f,
                "refusing to send an API key over plain http to {host}: anyone on the path could read it"
            ),
            Self::Suite(reason) => write!(f, "the suite does not load: {reason}"),
            Self::NothingSelected { filters, tags } => write!(
                f,
                "{} selects no scenario, so the run would prove nothing\nhint: tags in the suite are @clause:<ID> and {}",
                filters.join(" with "),
                tags.iter()
                    .map(|t| format!("@{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Unreachable { url, cause } => {
                write!(f, "the target {url} is unreachable: {cause}")
            }
            Self::Provisioning(e) => write!(f, "{e}"),
            Self::Artifact { path, reason } => {
                write!(f, "cannot write {}: {reason}", path.display())
            }
            Self::NotACertificate { path, reason } => write!(f, "{}: {reason}", path.display()),
            Self::Setting { name, reason } => write!(f, "the {name} {reason}"),
            Self::Setup(reason) => f.write_str(reason),
            Self::KnownFailures {
                path: Some(path),
                reason,
            } => write!(f, "known failures {}: {reason}", path.display()),
            Self::KnownFailures { path: None, reason } => write!(f, "known failures: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<InvalidKey> for Error {
    fn from(e: InvalidKey) -> Self {
        Self::Key(e)
    }
}

impl From<ProvisionError> for Error {
    fn from(e: ProvisionError) -> Self {
        Self::Provisioning(e)
    }
}

/// A provisioning step the target refused or could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionError {
    /// What was being made: `the live share`.
    pub step: String,
    /// The request: `POST /v1/music/org_1/tracks/mtrack_2/share`.
    pub request: String,
    /// What came back: status and error code, or why nothing did.
    pub answer: String,
    /// What to check.
    pub hint: &'static str,
}

impl fmt::Display for ProvisionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "provisioning {} failed: {} answered {}\nhint: {}",
            self.step, self.request, self.answer, self.hint
        )
    }
}

impl std::error::Error for ProvisionError {}
