//! Judging: scenario outcomes combined into a verdict per clause, the known failures applied
//! on the run's day. The one place a verdict is decided; the report around it is data.

use super::*;

impl Judgement {
    /// Combines scenario results into clause verdicts.
    #[cfg(test)]
    pub(crate) fn new(catalogue: &Catalogue, scenarios: Vec<ScenarioResult>) -> Self {
        Self::judge(catalogue, scenarios, None)
    }

    /// Combines scenario results into clause verdicts, a failing MUST clause that `known`
    /// excuses being KNOWN-FAILURE.
    pub(crate) fn judge(
        catalogue: &Catalogue,
        mut scenarios: Vec<ScenarioResult>,
        known: Option<KnownOn<'_>>,
    ) -> Self {
        scenarios.sort_by(|a, b| a.id.cmp(&b.id));
        for s in &mut scenarios {
            s.known = match (&s.outcome, s.advisory, known) {
                (Outcome::Failed { .. }, false, Some(known)) => known.excuse(&s.clauses),
                _ => None,
            };
        }
        let mut clauses = Vec::new();
        let mut unselected = Vec::new();
        let mut unselected_must = Vec::new();
        for clause in catalogue.iter() {
            let behind: Vec<&ScenarioResult> = scenarios
                .iter()
                .filter(|s| s.clauses.contains(&clause.id))
                .collect();
            if behind.is_empty() {
                unselected.push(clause.id.clone());
                if clause.level == Level::Must {
                    unselected_must.push(clause.id.clone());
                }
                continue;
            }
            let failed = behind.iter().any(|s| {
                matches!(
                    s.verdict(),
                    Verdict::Fail | Verdict::AdvisoryFail | Verdict::KnownFailure
                )
            });
            let excused = known.is_some_and(|k| k.list.excusing(&clause.id, k.today).is_some());
            let flaky = behind.iter().any(|s| s.is_flaky());
            let untestable = behind
                .iter()
                .any(|s| matches!(s.outcome, Outcome::NotTestable { .. }));
            let verdict = match (failed, flaky, untestable, clause.level) {
                (true, _, _, Level::Must) if excused => Verdict::KnownFailure,
                (true, _, _, Level::Must) => Verdict::Fail,
                (true, _, _, Level::Should) => Verdict::AdvisoryFail,
                (false, true, _, _) => Verdict::Flaky,
                (false, false, true, _) => Verdict::NotTestable,
                (false, false, false, _) => Verdict::Pass,
            };
            clauses.push(ClauseResult {
                id: clause.id.clone(),
                level: clause.level,
                mark: clause.mark,
                source: clause.source.clone(),
                verdict,
                scenarios: behind.iter().map(|s| s.id.clone()).collect(),
                passed: behind
                    .iter()
                    .filter(|s| s.verdict() == Verdict::Pass)
                    .count(),
                ran: behind
                    .iter()
                    .filter(|s| !matches!(s.outcome, Outcome::NotTestable { .. }))
                    .count(),
            });
        }
        let outcomes = known.map_or_else(Vec::new, |k| {
            k.list
                .entries
                .iter()
                .map(|entry| {
                    let result = clauses.iter().find(|c| c.id == entry.clause);
                    let status = match catalogue.get(&entry.clause) {
                        None => KnownStatus::UnknownClause,
                        Some(_) if !entry.active_on(k.today) => KnownStatus::Expired,
                        Some(_) if entry.case.is_some() => match result.map(|c| c.verdict) {
                            None => KnownStatus::NotRun,
                            Some(Verdict::Pass) => KnownStatus::Fixed,
                            Some(Verdict::NotTestable)
                                if untestable_only_in(
                                    &scenarios,
                                    &entry.clause,
                                    entry.case.as_deref(),
                                ) =>
                            {
                                KnownStatus::Accepted
                            }
                            Some(_) => KnownStatus::Unsettled,
                        },
                        Some(c) if c.level == Level::Should && !k.strict => KnownStatus::Advisory,
                        Some(_) => match result.map(|c| c.verdict) {
                            None => KnownStatus::NotRun,
                            // Under strictness an entry excuses a failing SHOULD clause from
                            // failing the run; its verdict stays ADVISORY-FAIL.
                            Some(Verdict::KnownFailure | Verdict::AdvisoryFail) => {
                                KnownStatus::Excused
                            }
                            Some(Verdict::Pass) => KnownStatus::Fixed,
                            Some(_) => KnownStatus::Unsettled,
                        },
                    };
                    KnownOutcome {
                        entry: entry.clone(),
                        status,
                    }
                })
                .collect()
        });
        Self {
            scenarios,
            clauses,
            unselected,
            unselected_must,
            known_file: known.map(|k| k.list.file.clone()),
            known: outcomes,
            recording_problems: Vec::new(),
            unused_exchanges: 0,
        }
    }

    /// Whether an `[[untestable]]` entry accepts clause `id` being NOT-TESTABLE in this run.
    fn accepted(&self, id: &str) -> bool {
        self.known
            .iter()
            .any(|k| k.entry.clause == id && k.status == KnownStatus::Accepted)
    }

    /// The first line of the reason the first NOT-TESTABLE scenario of clause `id` gave.
    pub(crate) fn why_not_testable(&self, id: &str) -> String {
        self.scenarios
            .iter()
            .filter(|s| s.clauses.iter().any(|c| c == id))
            .find_map(|s| match &s.outcome {
                Outcome::NotTestable { reason, .. } => reason.lines().next().map(str::to_owned),
                _ => None,
            })
            .unwrap_or_else(|| "no fixture for it".to_owned())
    }

    /// The result of clause `id`, if it was selected.
    pub fn clause(&self, id: &str) -> Option<&ClauseResult> {
        self.clauses.iter().find(|c| c.id == id)
    }

    /// The verdict word of clause `id`, `NOT-RUN` if it was not selected.
    pub(crate) fn verdict_word(&self, id: &str) -> &'static str {
        self.clause(id).map_or("NOT-RUN", |c| c.verdict.word())
    }

    /// The scenarios grouped by feature file, in file order.
    pub(crate) fn by_feature(&self) -> std::collections::BTreeMap<&str, Vec<&ScenarioResult>> {
        let mut grouped: std::collections::BTreeMap<&str, Vec<&ScenarioResult>> =
            Default::default();
        for scenario in &self.scenarios {
            grouped
                .entry(scenario.id.feature.as_str())
                .or_default()
                .push(scenario);
        }
        grouped
    }

    /// How many selected clauses have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.clauses.iter().filter(|c| c.verdict == verdict).count()
    }

    /// Why `run` with these verdicts does not pass, by its mode and tolerances; empty when it
    /// passes. Leaks are the run's outputs' business ([`Report::blockers`]).
    pub(crate) fn blockers(&self, run: &RunInfo) -> Vec<Blocker> {
        let (mode, allow_flaky) = (run.mode, run.allow_flaky);
        let mut out = Vec::new();
        if run.strict {
            for c in self.clauses.iter().filter(|c| c.level == Level::Should) {
                let excused = self
                    .known
                    .iter()
                    .any(|k| k.entry.clause == c.id && k.status == KnownStatus::Excused);
                if c.verdict != Verdict::Pass && !excused {
                    out.push(Blocker::Advisory {
                        id: c.id.clone(),
                        verdict: c.verdict,
                    });
                }
            }
        }
        for c in self.clauses.iter().filter(|c| c.level == Level::Must) {
            match (c.verdict, mode) {
                (Verdict::Fail, _) => out.push(Blocker::Failed(c.id.clone())),
                (Verdict::NotTestable, Mode::Certify) => out.push(Blocker::Untested(c.id.clone())),
                (Verdict::Flaky, _) if !allow_flaky => out.push(Blocker::Flaky(c.id.clone())),
                (Verdict::NotTestable, Mode::Run) if c.ran == 0 && !self.accepted(&c.id) => {
                    out.push(Blocker::NoneRan {
                        id: c.id.clone(),
                        why: self.why_not_testable(&c.id),
                    });
                }
                _ => {}
            }
        }
        for s in self.scenarios.iter().filter(|s| s.clauses.is_empty()) {
            // Results that stand for the runner or the parser, not a scenario.
            if let Outcome::Failed { message, .. } = &s.outcome {
                out.push(Blocker::Runner {
                    what: s.name.clone(),
                    message: message.clone(),
                });
            }
        }
        if mode == Mode::Certify {
            out.extend(self.unselected_must.iter().cloned().map(Blocker::NotRun));
        }
        out.extend(
            self.recording_problems
                .iter()
                .cloned()
                .map(Blocker::Recording),
        );
        let file = self.known_file.clone().unwrap_or_default();
        for outcome in &self.known {
            match outcome.status {
                KnownStatus::Expired => out.push(Blocker::KnownExpired {
                    clause: outcome.entry.clause.clone(),
                    until: outcome.entry.until.clone(),
                    file: file.clone(),
                }),
                KnownStatus::UnknownClause => out.push(Blocker::KnownUnknown {
                    clause: outcome.entry.clause.clone(),
                    file: file.clone(),
                }),
                _ => {}
            }
        }
        out
    }
}

/// Whether every NOT-TESTABLE scenario of `clause` is so in `case`.
fn untestable_only_in(scenarios: &[ScenarioResult], clause: &str, case: Option<&str>) -> bool {
    scenarios
        .iter()
        .filter(|s| s.clauses.iter().any(|c| c == clause))
        .all(|s| match &s.outcome {
            Outcome::NotTestable { case: found, .. } => found.as_deref() == case,
            _ => true,
        })
}
