//! `--repeat N`: one result per scenario out of several runs of it.

use crate::report::{Outcome, Repetitions, ScenarioResult};

/// One scenario result per scenario out of several repetitions: a scenario that passed every
/// time is a pass, one that never passed keeps its first failure, and one whose outcome
/// changed carries its count of passes (it is FLAKY). A single repetition is left as it is.
pub(crate) fn combine(mut repetitions: Vec<Vec<ScenarioResult>>) -> Vec<ScenarioResult> {
    if repetitions.len() <= 1 {
        return repetitions.pop().unwrap_or_default();
    }
    let runs = repetitions.len();
    let mut combined: Vec<ScenarioResult> = Vec::new();
    for result in repetitions.into_iter().flatten() {
        let passed = usize::from(result.outcome == Outcome::Passed);
        match combined.iter_mut().find(|c| c.id == result.id) {
            None => combined.push(ScenarioResult {
                repetitions: Some(Repetitions { passed, runs }),
                ..result
            }),
            Some(existing) => {
                let counts = existing
                    .repetitions
                    .get_or_insert(Repetitions { passed: 0, runs });
                counts.passed += passed;
                // Keep the first failure: it is what a reader needs to see.
                if existing.outcome == Outcome::Passed && result.outcome != Outcome::Passed {
                    let counts = *counts;
                    *existing = ScenarioResult {
                        repetitions: Some(counts),
                        ..result
                    };
                }
            }
        }
    }
    combined
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Verdict;
    use crate::report::tests::{failed, result};

    #[test]
    fn a_scenario_whose_outcome_changes_is_flaky_and_keeps_its_first_failure() {
        let first = vec![result(1, "A", Outcome::Passed), result(2, "C", failed())];
        let second = vec![result(1, "A", failed()), result(2, "C", failed())];
        let third = vec![result(1, "A", Outcome::Passed), result(2, "C", failed())];
        let combined = combine(vec![first, second, third]);
        assert_eq!(combined.len(), 2);
        let a = &combined[0];
        assert_eq!(a.repetitions, Some(Repetitions { passed: 2, runs: 3 }));
        assert_eq!(a.verdict(), Verdict::Flaky);
        assert_eq!(a.outcome, failed(), "the failure is what a reader needs");
        let c = &combined[1];
        assert_eq!(c.repetitions, Some(Repetitions { passed: 0, runs: 3 }));
        assert_eq!(c.verdict(), Verdict::Fail);
    }

    #[test]
    fn one_repetition_is_left_as_it_is() {
        let once = combine(vec![vec![result(1, "A", Outcome::Passed)]]);
        assert_eq!(once[0].repetitions, None);
        assert!(combine(Vec::new()).is_empty());
    }
}
