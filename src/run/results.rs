//! Recording: cucumber's events become one [`ScenarioResult`] per scenario, each printed as
//! it finishes.
//!
//! Nothing passes by accident here: an undefined step fails its scenario, a failed hook fails
//! it, and a scenario passes only when none of its steps failed or was not testable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use cucumber::event::{
    self, Cucumber as CucumberEvent, Feature as FeatureEvent, Rule as RuleEvent,
};
use cucumber::gherkin;
use cucumber::{Event, cli, parser};

use super::Progress;
use crate::evidence::ExchangeLog as Evidence;
use crate::known::KnownOn;
use crate::render::console;
use crate::report::{Cause, Outcome, ScenarioId, ScenarioResult, StepRecord, StepStatus};
use crate::steps::{ConformanceWorld, NoResponse, NotTestable, SuiteBug};
use crate::suite::catalogue::{SHOULD_TAG, clause_ids};
use crate::suite::{all_tags, feature_path, provenance_marks};

/// The recorded exchanges each scenario looked at, handed from the `after` hook to the
/// recorder, which shows how to send them again under a failure.
pub(crate) type UsedExchanges = Arc<Mutex<HashMap<ScenarioId, Vec<usize>>>>;

/// A scenario in progress.
#[derive(Default)]
struct Pending {
    started: Option<SystemTime>,
    /// Steps that started, by (background?, line).
    steps: HashMap<(bool, usize), StepTiming>,
    /// The first problem, which decides the scenario's outcome.
    problem: Option<Outcome>,
    /// The World's `Debug` at the first failure, for the highest verbosity.
    world_at_failure: Option<String>,
}

/// A step that started: when, and how and when it ended, once it did.
struct StepTiming {
    started: SystemTime,
    ended: Option<(StepStatus, SystemTime, Option<String>)>,
}

/// The run's cucumber writer: turns each scenario's events into its [`ScenarioResult`] and
/// prints its lines when it finishes. (The HTTP exchanges are logged apart, by the transport,
/// in the evidence's `ExchangeLog`.)
pub(crate) struct ResultsWriter<'p> {
    progress: &'p mut Progress,
    /// Print nothing per scenario (repetitions print a tally instead).
    quiet: bool,
    verbosity: u8,
    results: Vec<ScenarioResult>,
    pending: HashMap<ScenarioId, Pending>,
    /// The exchanges each finished scenario looked at.
    used: UsedExchanges,
    /// The run's recording, for the commands that send a failed scenario's requests again.
    evidence: Evidence,
    /// The known failures, so a scenario's line says KNOWN-FAILURE as it finishes.
    known: Option<KnownOn<'p>>,
}

impl<'p> ResultsWriter<'p> {
    pub(crate) fn new(
        progress: &'p mut Progress,
        quiet: bool,
        verbosity: u8,
        used: UsedExchanges,
        evidence: Evidence,
        known: Option<KnownOn<'p>>,
    ) -> Self {
        Self {
            progress,
            quiet,
            verbosity,
            results: Vec::new(),
            pending: HashMap::new(),
            used,
            evidence,
            known,
        }
    }

    /// The results recorded so far, in the order the scenarios finished.
    pub(crate) fn results(&self) -> &[ScenarioResult] {
        &self.results
    }
}

impl cucumber::Writer<ConformanceWorld> for ResultsWriter<'_> {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<CucumberEvent<ConformanceWorld>>>,
        _: &cli::Empty,
    ) {
        let (event, at) = match event {
            Ok(event) => (event.value, event.at),
            Err(e) => {
                // Features are parsed before the run, so this is not expected; still a failure.
                self.progress.print(&format!("FAIL  the suite: {e}\n"));
                self.results.push(ScenarioResult::of_the_runner(
                    "parser",
                    "the suite parses",
                    e.to_string(),
                ));
                return;
            }
        };
        match event {
            CucumberEvent::Feature(feature, FeatureEvent::Scenario(scenario, ev)) => {
                self.scenario_event(&feature, None, &scenario, ev.event, at);
            }
            CucumberEvent::Feature(
                feature,
                FeatureEvent::Rule(rule, RuleEvent::Scenario(scenario, ev)),
            ) => {
                self.scenario_event(&feature, Some(&rule), &scenario, ev.event, at);
            }
            _ => {}
        }
    }
}

impl ResultsWriter<'_> {
    fn scenario_event(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        event: event::Scenario<ConformanceWorld>,
        at: SystemTime,
    ) {
        let id = ScenarioId {
            feature: feature_path(feature),
            line: scenario.position.line,
        };
        if let event::Scenario::Finished = event {
            self.finish(id, feature, rule, scenario, at);
            return;
        }
        let dump_world = self.verbosity >= 2;
        let Some(pending) = self.pending.get_mut(&id) else {
            if let event::Scenario::Started = event {
                self.pending.insert(
                    id,
                    Pending {
                        started: Some(at),
                        ..Pending::default()
                    },
                );
            }
            return;
        };
        let location = |step: &gherkin::Step| format!("{}:{}", id.feature, step.position.line);
        let describe = |step: &gherkin::Step| format!("{}{}", step.keyword, step.value);
        let (step, ev, background) = match event {
            event::Scenario::Step(step, ev) => (step, ev, false),
            event::Scenario::Background(step, ev) => (step, ev, true),
            event::Scenario::Hook(which, event::Hook::Failed(_, info)) => {
                pending.problem.get_or_insert(Outcome::Failed {
                    step: format!("{which} hook"),
                    location: id.feature.clone(),
                    message: panic_text(&info),
                    cause: Cause::Setup,
                });
                return;
            }
            _ => return,
        };
        let slot = (background, step.position.line);
        let (status, message) = match ev {
            event::Step::Started => {
                pending.steps.insert(
                    slot,
                    StepTiming {
                        started: at,
                        ended: None,
                    },
                );
                return;
            }
            event::Step::Passed(..) => (StepStatus::Passed, None),
            event::Step::Skipped => {
                let message = "no step definition matches this step, so it was skipped: an undefined step fails";
                pending.problem.get_or_insert(Outcome::Failed {
                    step: describe(&step),
                    location: location(&step),
                    message: message.into(),
                    cause: Cause::Setup,
                });
                (StepStatus::Undefined, Some(message.to_owned()))
            }
            event::Step::Failed(_, _, world, error) => {
                // Only -vv prints it: a run full of failures (the fault matrix) need not format it.
                if dump_world && pending.world_at_failure.is_none() {
                    pending.world_at_failure = world.map(|w| format!("{w:?}"));
                }
                let outcome = classify(&error, &step, describe(&step), location(&step));
                let (status, message) = match &outcome {
                    Outcome::NotTestable { reason, .. } => {
                        (StepStatus::NotTestable, reason.clone())
                    }
                    Outcome::Failed { message, .. } => (StepStatus::Failed, message.clone()),
                    Outcome::Passed => (StepStatus::Passed, String::new()),
                };
                pending.problem.get_or_insert(outcome);
                (status, Some(message))
            }
        };
        let timing = pending.steps.entry(slot).or_insert(StepTiming {
            started: at,
            ended: None,
        });
        timing.ended = Some((status, at, message));
    }

    fn finish(
        &mut self,
        id: ScenarioId,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        at: SystemTime,
    ) {
        let pending = self.pending.remove(&id).unwrap_or_default();
        let background_steps = feature
            .background
            .iter()
            .chain(rule.and_then(|r| r.background.as_ref()))
            .flat_map(|b| b.steps.iter().map(|s| (true, s)));
        let steps = background_steps
            .chain(scenario.steps.iter().map(|s| (false, s)))
            .map(|(background, step)| {
                let recorded = pending.steps.get(&(background, step.position.line));
                let (status, duration, message) = match recorded {
                    Some(StepTiming {
                        started,
                        ended: Some((status, ended, message)),
                    }) => (
                        *status,
                        ended.duration_since(*started).unwrap_or_default(),
                        message.clone(),
                    ),
                    _ => (StepStatus::Skipped, Duration::ZERO, None),
                };
                StepRecord {
                    keyword: step.keyword.clone(),
                    text: step.value.clone(),
                    line: step.position.line,
                    background,
                    status,
                    duration,
                    message,
                }
            })
            .collect();
        let tags = all_tags(feature, rule, scenario);
        let exchanges = self
            .used
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id)
            .unwrap_or_default();
        // What a failure quotes of a response may hold a share token the target echoed: it
        // is named, as in the recording.
        let outcome = match pending.problem.unwrap_or(Outcome::Passed) {
            Outcome::Failed {
                step,
                location,
                message,
                cause,
            } => Outcome::Failed {
                step,
                location,
                message: self.evidence.name_tokens(&message),
                cause,
            },
            Outcome::NotTestable { reason, case } => Outcome::NotTestable {
                reason: self.evidence.name_tokens(&reason),
                case,
            },
            other => other,
        };
        let reproduce = if matches!(outcome, Outcome::Failed { .. }) {
            self.evidence.commands(&exchanges)
        } else {
            Vec::new()
        };
        let clauses: Vec<String> = clause_ids(tags.iter().copied())
            .into_iter()
            .map(str::to_owned)
            .collect();
        let advisory = tags.iter().any(|t| *t == SHOULD_TAG);
        let known = match (&outcome, advisory, self.known) {
            (Outcome::Failed { .. }, false, Some(known)) => known.excuse(&clauses),
            _ => None,
        };
        let result = ScenarioResult {
            id,
            exchanges,
            reproduce,
            known,
            name: scenario.name.clone(),
            clauses,
            advisory,
            outcome,
            sources: sources(scenario),
            notes: Vec::new(),
            steps,
            repetitions: None,
            duration: pending
                .started
                .and_then(|started| at.duration_since(started).ok())
                .unwrap_or_default(),
        };
        if !self.quiet {
            let mut lines = console::scenario_lines(&result);
            if self.verbosity >= 1 {
                lines.push_str(&console::step_lines(&result));
            }
            if self.verbosity >= 2
                && let Some(world) = &pending.world_at_failure
            {
                lines.push_str(&console::world_at_failure(world));
            }
            self.progress.print(&lines);
        }
        self.results.push(result);
    }
}

/// The lines of a scenario's description that say what it rests on.
fn sources(scenario: &gherkin::Scenario) -> Vec<String> {
    scenario
        .description
        .as_deref()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !provenance_marks(line).is_empty())
        .map(str::to_owned)
        .collect()
}

/// A failed step's outcome: NOT-TESTABLE when the step said so; otherwise a failure whose
/// cause is no response when a request got none, setup when the step found the suite itself
/// wrong or it is a `Given` or `When` step, and a check when a `Then` step's check failed.
fn classify(
    error: &event::StepError,
    step: &gherkin::Step,
    described: String,
    location: String,
) -> Outcome {
    let (message, cause) = match error {
        event::StepError::Panic(info) => {
            if let Some(NotTestable { reason, case }) = info.downcast_ref::<NotTestable>() {
                return Outcome::NotTestable {
                    reason: reason.clone(),
                    case: case.map(str::to_owned),
                };
            }
            if let Some(NoResponse(what)) = info.downcast_ref::<NoResponse>() {
                (what.clone(), Cause::NoResponse)
            } else if let Some(SuiteBug(what)) = info.downcast_ref::<SuiteBug>() {
                (what.clone(), Cause::Setup)
            } else if step.ty == gherkin::StepType::Then {
                (panic_text(info), Cause::Check)
            } else {
                (panic_text(info), Cause::Setup)
            }
        }
        other => (other.to_string(), Cause::Setup),
    };
    Outcome::Failed {
        step: described,
        location,
        message,
        cause,
    }
}

fn panic_text(info: &event::Info) -> String {
    if let Some(text) = info.downcast_ref::<String>() {
        text.clone()
    } else if let Some(text) = info.downcast_ref::<&str>() {
        (*text).to_owned()
    } else {
        "the step panicked with a value that is not text".into()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// The steps of a small feature: a Given, a When and a Then.
    fn steps() -> Vec<gherkin::Step> {
        let feature = gherkin::Feature::parse(
            "Feature: f\n  Scenario: s\n    Given a\n    When b\n    Then c\n",
            gherkin::GherkinEnv::default(),
        )
        .unwrap();
        feature.scenarios[0].steps.clone()
    }

    fn cause(payload: Box<dyn std::any::Any + Send>, step: &gherkin::Step) -> Outcome {
        let error = event::StepError::Panic(Arc::from(payload));
        classify(&error, step, "step".into(), "f:1".into())
    }

    fn cause_of(outcome: &Outcome) -> Option<Cause> {
        match outcome {
            Outcome::Failed { cause, .. } => Some(*cause),
            _ => None,
        }
    }

    #[test]
    fn a_failure_is_classified_by_what_raised_it_and_where() {
        let [given, when, then] = <[gherkin::Step; 3]>::try_from(steps()).unwrap();
        let check = cause(Box::new("expected: 201".to_owned()), &then);
        assert_eq!(cause_of(&check), Some(Cause::Check));
        let no_answer = cause(Box::new(NoResponse("timed out after 2 s".into())), &then);
        assert_eq!(
            cause_of(&no_answer),
            Some(Cause::NoResponse),
            "even in a Then step"
        );
        let bug = cause(Box::new(SuiteBug("use \"saved again\"".into())), &then);
        assert_eq!(
            cause_of(&bug),
            Some(Cause::Setup),
            "a suite bug is no finding"
        );
        let setup = cause(Box::new("no key".to_owned()), &when);
        assert_eq!(cause_of(&setup), Some(Cause::Setup));
        assert_eq!(cause_of(&cause(Box::new("x"), &given)), Some(Cause::Setup));
        let untestable = cause(
            Box::new(NotTestable {
                reason: "no fixture".into(),
                case: Some("listed-once"),
            }),
            &then,
        );
        assert_eq!(
            untestable,
            Outcome::NotTestable {
                reason: "no fixture".into(),
                case: Some("listed-once".into()),
            }
        );
        match check {
            Outcome::Failed { message, .. } => assert_eq!(message, "expected: 201"),
            other => panic!("{other:?}"),
        }
    }
}
