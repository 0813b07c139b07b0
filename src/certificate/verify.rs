//! What verifying a certificate found: was it produced by this suite, and do its verdicts
//! follow from its own recorded exchanges? [`Certificate::verify`](super::Certificate::verify)
//! answers; it is defined with the run, since it judges the recording again, offline.

/// What verifying a certificate found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verification {
    /// Whether the certificate is authentic, and if not, why not.
    pub authenticity: Authenticity,
    /// How many exchanges its recording holds.
    pub exchanges: usize,
    /// How many known failures its result rests on (a run's, never a certification's).
    pub known_failures: usize,
    /// The known-failures file it names, if any.
    pub known_file: Option<String>,
}

/// Whether a certificate is what it says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Authenticity {
    /// Produced by this suite, and every recorded verdict and its result follow from its
    /// recorded exchanges.
    Authentic,
    /// Its suite files differ from this suite's: one line per difference.
    OtherSuite(Vec<String>),
    /// Its recorded verdicts, settings or exchanges disagree with a re-grade of its own
    /// recording: one line per disagreement. A hand-edited certificate lands here.
    Tampered(Vec<String>),
}

impl Verification {
    /// Whether the certificate is authentic.
    pub fn is_authentic(&self) -> bool {
        self.authenticity == Authenticity::Authentic
    }
}
