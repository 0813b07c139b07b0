//! Verifying a certificate: was it produced by this suite, and do its verdicts follow from its
//! own recorded exchanges? The second question is answered by judging the recording again,
//! offline, and comparing every clause.

use std::sync::Arc;

use super::Certificate;
use crate::report::Verdict;
use crate::run::Run;
use crate::suite::Suite;

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

impl Certificate {
    /// Whether this certificate was produced by `suite` and its verdicts follow from its own
    /// recorded exchanges (re-graded offline: no connection is opened). Authentic is not the
    /// same as certified: see [`Certificate::is_certified`].
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), share_conformance::Error> {
    /// use std::sync::Arc;
    /// use share_conformance::Suite;
    /// use share_conformance::certificate::Certificate;
    ///
    /// let certificate = Certificate::load("cert.md.json".as_ref())?;
    /// let verification = certificate.verify(Arc::new(Suite::embedded()?)).await;
    /// assert!(verification.is_authentic() && certificate.is_certified());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn verify(&self, suite: Arc<Suite>) -> Verification {
        let exchanges = self.recording.exchanges.len();
        let verification = |authenticity, known_failures, known_file| Verification {
            authenticity,
            exchanges,
            known_failures,
            known_file,
        };
        let differences = self.differences(&suite);
        if !differences.is_empty() {
            return verification(Authenticity::OtherSuite(differences), 0, None);
        }
        // A recording that cannot be judged (its settings edited into ones no run has) is
        // itself a reason to reject it.
        let regraded = match Run::regrade(self) {
            Ok(run) => run.suite(suite.clone()).execute().await,
            Err(e) => Err(e),
        };
        let report = match regraded {
            Ok(report) => report,
            Err(e) => {
                return verification(
                    Authenticity::Tampered(vec![format!("its recording cannot be re-graded: {e}")]),
                    0,
                    None,
                );
            }
        };
        let mut disagreements = self.disagreements(&report, &suite);
        let judgement = report.judgement();
        disagreements.extend(
            judgement
                .recording_problems
                .iter()
                .map(|p| format!("the recording does not answer a request of its own run: {p}")),
        );
        if judgement.unused_exchanges > 0 {
            disagreements.push(format!(
                "{} recorded exchange(s) were asked for by none of its scenarios: its settings or its exchanges were edited",
                judgement.unused_exchanges
            ));
        }
        let authenticity = if disagreements.is_empty() {
            Authenticity::Authentic
        } else {
            Authenticity::Tampered(disagreements)
        };
        verification(
            authenticity,
            report.count(Verdict::KnownFailure),
            judgement.known_file.clone(),
        )
    }

    /// Whether it states a certification that passed: its mode is `certify` and its result
    /// `CERTIFIED`. Only [`Certificate::verify`] says whether that statement is authentic.
    pub fn is_certified(&self) -> bool {
        self.mode == "certify" && self.result == "CERTIFIED"
    }
}
