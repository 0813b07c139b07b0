//! The judging of verdicts, and results built by hand for the renderers' tests.

use super::*;

pub(crate) fn catalogue() -> Catalogue {
    let clause = |id: &str, level: &str| {
        format!(
            "[[clause]]\nid = \"{id}\"\nlevel = \"{level}\"\nmark = \"doc\"\nsource = \"s\"\ndoc = \"d\"\ncheck = \"c\"\n"
        )
    };
    Catalogue::parse(
        &[
            clause("A", "MUST"),
            clause("B", "SHOULD"),
            clause("C", "MUST"),
        ]
        .concat(),
    )
    .unwrap()
}

pub(crate) fn result(line: usize, clause: &str, outcome: Outcome) -> ScenarioResult {
    ScenarioResult {
        id: ScenarioId {
            feature: "features/x.feature".into(),
            line,
        },
        name: format!("scenario {line}"),
        clauses: vec![clause.into()],
        advisory: clause == "B",
        outcome,
        sources: vec!["[doc] \"d\" (s)".into()],
        notes: vec![],
        steps: vec![],
        exchanges: vec![],
        reproduce: vec![],
        known: None,
        duration: Duration::ZERO,
        repetitions: None,
    }
}

pub(crate) fn failed() -> Outcome {
    Outcome::Failed {
        step: "Then x".into(),
        location: "features/x.feature:3".into(),
        message: "expected: a\nactual:   b".into(),
        cause: Cause::Check,
    }
}

pub(crate) fn untestable() -> Outcome {
    Outcome::NotTestable {
        reason: "no fixture".into(),
        case: None,
    }
}

pub(crate) fn report(mode: Mode, results: Vec<ScenarioResult>) -> Report {
    let info = RunInfo {
        mode,
        target: "http://h".into(),
        target_description: None,
        tls_verified: true,
        allow_flaky: false,
        strict: false,
        started_at: SystemTime::UNIX_EPOCH,
        duration: Duration::ZERO,
    };
    Report::new(
        info,
        Judgement::new(&catalogue(), results),
        Outputs::default(),
        Recording::default(),
    )
}

#[test]
fn verdicts_combine_scenarios() {
    let run = report(
        Mode::Run,
        vec![
            result(1, "A", Outcome::Passed),
            result(2, "A", untestable()),
            result(3, "B", failed()),
        ],
    );
    assert_eq!(run.verdict("A"), Some(Verdict::NotTestable));
    assert_eq!(run.verdict("B"), Some(Verdict::AdvisoryFail));
    assert_eq!(run.verdict("C"), None);
    assert_eq!(run.verdicts.unselected, vec!["C".to_owned()]);
    assert!(
        run.passed(),
        "advisory failures and partly tested clauses do not fail a run"
    );

    let run = report(
        Mode::Run,
        vec![result(1, "A", failed()), result(2, "A", Outcome::Passed)],
    );
    assert_eq!(run.verdict("A"), Some(Verdict::Fail));
    assert_eq!(run.blockers(), [Blocker::Failed("A".into())]);
    assert_eq!(run.clause("A").map(|c| (c.passed, c.ran)), Some((1, 2)));
}

#[test]
fn a_must_clause_none_of_whose_scenarios_ran_fails_a_run() {
    let run = report(Mode::Run, vec![result(1, "A", untestable())]);
    assert_eq!(run.verdict("A"), Some(Verdict::NotTestable));
    assert_eq!(
        run.blockers(),
        [Blocker::NoneRan {
            id: "A".into(),
            why: "no fixture".into()
        }]
    );
}

#[test]
fn certify_needs_every_must_clause_tested_and_passed() {
    let all = vec![
        result(1, "A", Outcome::Passed),
        result(2, "C", Outcome::Passed),
        result(3, "B", failed()),
    ];
    assert!(report(Mode::Certify, all).passed());

    let mut runner_failure = result(9, "A", failed());
    runner_failure.clauses.clear();
    let broken = report(
        Mode::Run,
        vec![
            result(1, "A", Outcome::Passed),
            result(2, "C", Outcome::Passed),
            runner_failure,
        ],
    );
    assert!(
        !broken.passed(),
        "a failure of the runner itself fails the run"
    );

    let partly = report(
        Mode::Certify,
        vec![
            result(1, "A", Outcome::Passed),
            result(2, "A", untestable()),
            result(3, "C", Outcome::Passed),
        ],
    );
    assert_eq!(partly.blockers(), [Blocker::Untested("A".into())]);

    let missing = report(Mode::Certify, vec![result(1, "A", Outcome::Passed)]);
    assert_eq!(missing.blockers(), [Blocker::NotRun("C".into())]);
}

#[test]
fn a_verdict_that_changes_between_repetitions_is_flaky_and_fails_the_run() {
    let mut flaky = result(1, "A", failed());
    flaky.repetitions = Some(Repetitions {
        passed: 13,
        runs: 20,
    });
    let mut steady = result(2, "C", Outcome::Passed);
    steady.repetitions = Some(Repetitions {
        passed: 20,
        runs: 20,
    });
    let run = report(Mode::Run, vec![flaky, steady]);
    assert_eq!(run.verdict("A"), Some(Verdict::Flaky));
    assert_eq!(run.verdict("C"), Some(Verdict::Pass));
    assert_eq!(run.blockers(), [Blocker::Flaky("A".into())]);
    let mut allowed = run.clone();
    allowed.run.allow_flaky = true;
    assert!(allowed.passed());
}

#[test]
fn a_strict_run_fails_on_any_should_clause_that_does_not_pass() {
    for (outcome, verdict) in [
        (failed(), Verdict::AdvisoryFail),
        (untestable(), Verdict::NotTestable),
    ] {
        let results = vec![
            result(1, "A", Outcome::Passed),
            result(2, "B", outcome),
            result(3, "C", Outcome::Passed),
        ];
        let mut run = report(Mode::Run, results);
        assert!(run.passed(), "advice does not fail a run");
        run.run.strict = true;
        assert_eq!(
            run.blockers(),
            [Blocker::Advisory {
                id: "B".into(),
                verdict
            }]
        );
    }
    let mut clean = report(
        Mode::Run,
        vec![
            result(1, "A", Outcome::Passed),
            result(2, "B", Outcome::Passed),
        ],
    );
    clean.run.strict = true;
    assert!(clean.passed(), "{:?}", clean.blockers());
}

fn judged(results: Vec<ScenarioResult>, known: &str, today: time::Date) -> Report {
    let list = crate::known::KnownFailures::parse(known, "known.toml").unwrap();
    let mut run = report(Mode::Run, vec![]);
    run.verdicts = Judgement::judge(
        &catalogue(),
        results,
        Some(KnownOn {
            list: &list,
            today,
            strict: false,
        }),
    );
    run
}

const ENTRY_A: &str = "[[known]]\nclause = \"A\"\nreason = \"T-1\"\nuntil = \"2027-03-01\"\n";

#[test]
fn a_listed_failing_must_clause_is_a_known_failure_until_its_date() {
    let before = time::macros::date!(2027 - 03 - 01);
    let run = judged(vec![result(1, "A", failed())], ENTRY_A, before);
    assert_eq!(run.verdict("A"), Some(Verdict::KnownFailure));
    assert_eq!(run.scenarios()[0].verdict(), Verdict::KnownFailure);
    assert!(run.passed(), "{:?}", run.blockers());
    assert_eq!(run.verdicts.known[0].status, KnownStatus::Excused);

    let after = time::macros::date!(2027 - 03 - 02);
    let run = judged(vec![result(1, "A", failed())], ENTRY_A, after);
    assert_eq!(run.verdict("A"), Some(Verdict::Fail));
    assert_eq!(
        run.blockers(),
        [
            Blocker::Failed("A".into()),
            Blocker::KnownExpired {
                clause: "A".into(),
                until: "2027-03-01".into(),
                file: "known.toml".into()
            }
        ]
    );
    let passing = judged(vec![result(1, "A", Outcome::Passed)], ENTRY_A, after);
    assert!(
        !passing.passed(),
        "an expired entry fails the run even when its clause passes"
    );
}

#[test]
fn known_failures_excuse_only_what_they_name() {
    let today = time::macros::date!(2027 - 01 - 01);
    let run = judged(
        vec![result(1, "A", Outcome::Passed), result(2, "C", failed())],
        ENTRY_A,
        today,
    );
    assert_eq!(run.verdict("C"), Some(Verdict::Fail), "C is not listed");
    assert_eq!(run.verdicts.known[0].status, KnownStatus::Fixed);
    assert_eq!(run.blockers(), [Blocker::Failed("C".into())]);

    let unknown = "[[known]]\nclause = \"NOPE\"\nreason = \"r\"\nuntil = \"2027-03-01\"\n";
    let run = judged(vec![result(1, "A", Outcome::Passed)], unknown, today);
    assert_eq!(
        run.blockers(),
        [Blocker::KnownUnknown {
            clause: "NOPE".into(),
            file: "known.toml".into()
        }]
    );

    let should = "[[known]]\nclause = \"B\"\nreason = \"r\"\nuntil = \"2027-03-01\"\n";
    let run = judged(vec![result(1, "B", failed())], should, today);
    assert_eq!(run.verdict("B"), Some(Verdict::AdvisoryFail));
    assert_eq!(run.verdicts.known[0].status, KnownStatus::Advisory);

    let mut both = result(1, "A", failed());
    both.clauses.push("C".into());
    let run = judged(vec![both], ENTRY_A, today);
    assert_eq!(run.verdict("A"), Some(Verdict::KnownFailure));
    assert_eq!(run.verdict("C"), Some(Verdict::Fail));
    assert_eq!(run.scenarios()[0].verdict(), Verdict::Fail);

    let run = judged(vec![result(1, "C", Outcome::Passed)], ENTRY_A, today);
    assert_eq!(run.verdicts.known[0].status, KnownStatus::NotRun);
    let run = judged(vec![result(1, "A", untestable())], ENTRY_A, today);
    assert_eq!(run.verdicts.known[0].status, KnownStatus::Unsettled);
}
