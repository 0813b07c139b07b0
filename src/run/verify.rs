//! [`Certificate::verify`]: a certificate's verdicts are judged again from its own recorded
//! exchanges, offline, and compared clause by clause. It is a method of the certificate,
//! defined here because re-grading is a run: the certificate's model and loader sit below the
//! run and never reach up to it.

use std::sync::Arc;

use super::Run;
use crate::certificate::{Authenticity, Certificate, Verification};
use crate::report::Verdict;
use crate::suite::Suite;

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
