use super::*;
use share_conformance_reference::faults::CATALOGUE;
use share_conformance_reference::variants::CATALOGUE as VARIANTS;

// The suite proves its power in both directions: against the clean reference server
// every clause passes; against each fault of the catalogue the fault's declared clauses
// fail where its entry pins the catch (the run fails, unless the fault is advisory); against each
// conforming variant every MUST clause passes and exactly the declared SHOULD clauses
// report the choice. `share-conformance faults --matrix` prints the same.

/// The catalogues' sizes, pinned: a fault or variant that disappears is noticed.
#[test]
fn the_catalogues_hold_the_pinned_numbers_of_faults_and_variants() {
    assert_eq!(CATALOGUE.len(), 98);
    assert_eq!(VARIANTS.len(), 30);
}

/// The clause the suite's scenario `name` proves (each proves one).
fn clause_of(name: &str) -> String {
    let suite = Suite::embedded().expect("the embedded suite");
    let entry = suite
        .scenario_index()
        .into_iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no scenario is called {name:?}"));
    entry.clauses[0].clone()
}

/// `run` with one more failure, of the scenario `name` at `step`: its clause FAIL.
fn fail_at(mut run: SubjectRun, name: &str, step: &str, message: &str, cause: Cause) -> SubjectRun {
    let clause = clause_of(name);
    run.failed.insert(clause.clone());
    run.not_passed.insert(clause.clone());
    run.failures.entry(clause).or_default().push(ClauseFailure {
        scenario: "features/some.feature:1".into(),
        name: name.into(),
        step: step.into(),
        message: message.into(),
        cause,
    });
    run
}

/// A fault's run that failed at its first pinned catch, by `cause`, saying `message`.
fn failing(fault: Fault, cause: Cause, message: &str) -> SubjectRun {
    let catch = fault.info().caught[0];
    fail_at(
        SubjectRun::new(Subject::Fault(fault)),
        catch.scenario,
        catch.step,
        message,
        cause,
    )
}

#[test]
fn a_pinned_catch_is_met_by_a_check_there_and_by_no_answer_only_for_the_transport() {
    let status = Fault::Save200Not201;
    let clause = Subject::Fault(status).declared()[0];
    let checked = failing(status, Cause::Check, "expected: status 201");
    assert!(checked.failed_by_symptom(clause) && checked.missed().is_empty());
    let timed_out = failing(status, Cause::NoResponse, "timed out after 5 s");
    assert!(!timed_out.failed_by_symptom(clause));
    assert_eq!(timed_out.missed().len(), 1, "{:?}", timed_out.missed());
    assert!(timed_out.missed()[0].contains("did not fail at"));
    assert!(!failing(status, Cause::Setup, "no fixture").failed_by_symptom(clause));

    // The slow save is caught by no answer, but only one that says it timed out.
    let slow = Fault::SlowSave;
    let clause = Subject::Fault(slow).declared()[0];
    let words = slow.info().caught[0]
        .message
        .expect("a transport fault's pin has words");
    let timed_out = failing(
        slow,
        Cause::NoResponse,
        &format!("no response: {words} 5 s"),
    );
    assert!(timed_out.failed_by_symptom(clause) && timed_out.missed().is_empty());
    let refused = failing(slow, Cause::NoResponse, "no response: connection refused");
    assert!(!refused.failed_by_symptom(clause));
    assert!(!refused.missed().is_empty());
    // A check at the pinned step that does not say the pinned words is not the catch either.
    let checked = failing(slow, Cause::Check, "expected: status 201");
    assert!(!checked.failed_by_symptom(clause) && !checked.missed().is_empty());
}

#[test]
fn a_failure_elsewhere_does_not_stand_in_for_the_pinned_catch() {
    let fault = Fault::Save200Not201;
    let catch = fault.info().caught[0];
    // The declared clause fails, by a check, but at another step of the pinned scenario.
    let run = fail_at(
        SubjectRun::new(Subject::Fault(fault)),
        catch.scenario,
        "When the share is saved",
        "expected: something",
        Cause::Check,
    );
    let matrix = matrix_of(vec![run]);
    assert_eq!(matrix.caught(), 0);
    let problems = matrix.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("not caught as its catalogue entry pins it")
                && p.contains(catch.step)),
        "{problems:?}"
    );
    assert!(matrix.render().contains("MISSED"), "{}", matrix.render());
}

/// A matrix over the embedded suite's clauses holding `runs`, beside a clean run that
/// passed.
fn matrix_of(runs: Vec<SubjectRun>) -> Matrix {
    let suite = Suite::embedded().expect("the embedded suite");
    let (faults, variants) = runs
        .into_iter()
        .partition(|r| matches!(r.subject, Subject::Fault(_)));
    let mut clean = SubjectRun::new(Subject::Clean);
    clean.run_passed = true;
    clean.scenarios = suite.scenario_count();
    clean.clauses = suite.clauses().count();
    Matrix {
        columns: suite.clauses().map(|c| (c.id.clone(), c.level)).collect(),
        scenarios: suite.scenario_count(),
        clean,
        faults,
        variants,
        elapsed: Duration::ZERO,
    }
}

/// A fault's run that failed at every pinned catch by a check, each declared clause FAIL
/// (ADVISORY-FAIL when `advisory`), with the run `run_passed`.
fn caught_as_declared(fault: Fault, advisory: bool, run_passed: bool) -> SubjectRun {
    let mut run = SubjectRun::new(Subject::Fault(fault));
    for catch in fault.info().caught {
        run = fail_at(
            run,
            catch.scenario,
            catch.step,
            catch.message.unwrap_or("expected: the documented answer"),
            Cause::Check,
        );
    }
    if advisory {
        run.advisory = std::mem::take(&mut run.failed);
    }
    run.run_passed = run_passed;
    run
}

fn advisory_fault() -> Fault {
    let matrix = matrix_of(Vec::new());
    CATALOGUE
        .iter()
        .map(|f| f.fault)
        .find(|f| matrix.is_advisory(*f))
        .expect("an advisory fault")
}

#[test]
fn a_must_fault_whose_run_passes_is_not_a_catch() {
    let fault = Fault::Save200Not201;
    let caught = matrix_of(vec![caught_as_declared(fault, false, false)]);
    assert!(caught.problems().is_empty(), "{:?}", caught.problems());
    assert_eq!(caught.caught(), 1);

    let passed = matrix_of(vec![caught_as_declared(fault, false, true)]);
    let problems = passed.problems();
    assert_eq!(passed.caught(), 0);
    assert!(
        problems.iter().any(|p| p.contains("yet the run passed")),
        "{problems:?}"
    );
    assert!(passed.render().contains("MISSED"), "{}", passed.render());
}

#[test]
fn an_advisory_fault_that_fails_the_run_is_not_a_catch() {
    let fault = advisory_fault();
    let reported = matrix_of(vec![caught_as_declared(fault, true, true)]);
    assert!(reported.problems().is_empty(), "{:?}", reported.problems());

    let mut failed = caught_as_declared(fault, true, false);
    failed.failed.insert("SAVE-201-CREATED".into());
    let matrix = matrix_of(vec![failed]);
    assert_eq!(matrix.caught(), 0);
    let problems = matrix.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("advisory (SHOULD clauses only), yet the run failed")),
        "{problems:?}"
    );
}

#[test]
fn each_subject_has_its_own_fixed_seed_and_a_problem_says_how_to_serve_it_again() {
    let fault = Subject::Fault(Fault::Save200Not201);
    assert_eq!(fault.seed(), Subject::Fault(Fault::Save200Not201).seed());
    assert_ne!(fault.seed(), Subject::Fault(Fault::SourceOwn).seed());
    assert_ne!(fault.seed(), Subject::Clean.seed());
    // FNV-1a of the label: the same on every build and platform.
    assert_eq!(Subject::Clean.seed(), 0x99ee_6aaf_52d5_d79f);
    let matrix = matrix_of(vec![caught_as_declared(Fault::Save200Not201, false, true)]);
    let problems = matrix.problems();
    assert!(
        problems[0].ends_with(&format!(
            "serve it again: share-conformance serve --fault save-200-not-201 --seed {}",
            fault.seed()
        )),
        "{problems:?}"
    );
}

#[test]
fn a_fault_or_a_variant_whose_run_leaked_a_key_is_a_problem() {
    let fault = Fault::Save200Not201;
    let mut leaked = caught_as_declared(fault, false, false);
    assert!(matrix_of(vec![leaked.clone()]).problems().is_empty());
    leaked.leaks = 2;
    let matrix = matrix_of(vec![leaked]);
    assert_eq!(matrix.caught(), 0);
    assert!(
        matrix.problems()[0].contains("save-200-not-201: the run leaked a key in 2 output(s)"),
        "{:?}",
        matrix.problems()
    );

    let mut leaked = conforming(variant_with_advisories());
    leaked.leaks = 1;
    let matrix = matrix_of(vec![leaked]);
    assert_eq!(matrix.conforming(), 0);
    assert!(
        matrix.problems()[0].contains("leaked a key"),
        "{:?}",
        matrix.problems()
    );
}

#[test]
fn a_fault_whose_declared_clause_did_not_fail_is_missed() {
    let fault = Fault::Save200Not201;
    let mut run = SubjectRun::new(Subject::Fault(fault));
    run.failed.insert("ERR-ENVELOPE".into());
    run.not_passed.insert("ERR-ENVELOPE".into());
    let matrix = matrix_of(vec![run]);
    assert_eq!(matrix.caught(), 0);
    let problems = matrix.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("SAVE-201-CREATED did not fail") && p.contains("did not fail at")),
        "{problems:?}"
    );
}

/// A variant's run that passed, every declared advisory ADVISORY-FAIL.
fn conforming(variant: Variant) -> SubjectRun {
    let mut run = SubjectRun::new(Subject::Variant(variant));
    for clause in variant.info().advisories {
        run.advisory.insert((*clause).to_owned());
        run.not_passed.insert((*clause).to_owned());
    }
    run.run_passed = true;
    run
}

fn variant_with_advisories() -> Variant {
    VARIANTS
        .iter()
        .map(|v| v.variant)
        .find(|v| !v.info().advisories.is_empty())
        .expect("a variant with advisories")
}

#[test]
fn a_variant_with_a_must_failure_fails_the_matrix_even_when_the_run_exits_0() {
    let variant = variant_with_advisories();
    assert!(matrix_of(vec![conforming(variant)]).problems().is_empty());

    let mut must = conforming(variant);
    must.not_passed.insert("SAVE-201-CREATED".into());
    let matrix = matrix_of(vec![must]);
    assert_eq!(matrix.conforming(), 0);
    let problems = matrix.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("SAVE-201-CREATED did not pass")),
        "{problems:?}"
    );
    assert!(
        matrix.render().contains("FAILED BY THE SUITE"),
        "{}",
        matrix.render()
    );

    let mut exit_1 = conforming(variant);
    exit_1.run_passed = false;
    let problems = matrix_of(vec![exit_1]).problems();
    assert!(
        problems.iter().any(|p| p.contains("the run did not pass")),
        "{problems:?}"
    );
}

#[test]
fn a_declared_advisory_that_comes_out_not_testable_fails_the_matrix() {
    let variant = variant_with_advisories();
    let mut run = conforming(variant);
    run.advisory.clear();
    let matrix = matrix_of(vec![run]);
    assert_eq!(matrix.conforming(), 0);
    let problems = matrix.problems();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("of which ADVISORY-FAIL []")),
        "{problems:?}"
    );

    let mut undeclared = conforming(variant);
    undeclared.not_passed.insert("SAVE-REPEAT".into());
    undeclared.advisory.insert("SAVE-REPEAT".into());
    assert_eq!(matrix_of(vec![undeclared]).conforming(), 0);
}

fn matrix_with_clean(clean: SubjectRun) -> Matrix {
    Matrix {
        columns: vec![("A".into(), Level::Must)],
        scenarios: 3,
        clean,
        faults: Vec::new(),
        variants: Vec::new(),
        elapsed: Duration::ZERO,
    }
}

#[test]
fn the_clean_baseline_is_the_whole_run_passing() {
    let mut clean = SubjectRun::new(Subject::Clean);
    clean.run_passed = true;
    clean.scenarios = 3;
    clean.clauses = 1;
    assert!(matrix_with_clean(clean.clone()).problems().is_empty());

    let mut leaked = clean.clone();
    leaked.leaks = 1;
    let problems = matrix_with_clean(leaked).problems();
    assert!(problems[0].contains("leaked a key"), "{problems:?}");

    let mut short = clean.clone();
    short.scenarios = 2;
    let problems = matrix_with_clean(short).problems();
    assert!(
        problems[0].contains("2 scenarios of the suite's 3"),
        "{problems:?}"
    );

    let mut unjudged = clean.clone();
    unjudged.clauses = 0;
    assert!(!matrix_with_clean(unjudged).problems().is_empty());

    let mut failed = clean;
    failed.run_passed = false;
    assert!(!matrix_with_clean(failed).problems().is_empty());
}

fn explain(matrix: &Matrix) -> String {
    let outputs: Vec<String> = matrix
        .runs()
        .filter(|run| {
            let label = run.subject.label();
            matrix.problems().iter().any(|p| p.starts_with(&label))
                || run.subject == Subject::Clean && !run.not_passed.is_empty()
        })
        .map(|run| {
            let failures: Vec<String> = run
                .failures
                .iter()
                .flat_map(|(clause, failures)| {
                    failures.iter().map(move |f| {
                        format!(
                            "  {clause}: {} at {} ({})",
                            f.cause.word(),
                            f.scenario,
                            f.step
                        )
                    })
                })
                .collect();
            format!(
                "--- run against {}: {}\n{}",
                run.subject.label(),
                run.error.as_deref().unwrap_or("completed"),
                failures.join("\n")
            )
        })
        .collect();
    format!(
        "{}\n{}\n{}",
        matrix.render(),
        matrix.problems().join("\n"),
        outputs.join("\n")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_and_every_variant_passes() {
    let suite = Arc::new(Suite::embedded().unwrap());
    let faults: Vec<Fault> = CATALOGUE.iter().map(|info| info.fault).collect();
    let variants: Vec<Variant> = VARIANTS.iter().map(|info| info.variant).collect();
    // The timeout bounds the slow-save fault's run (it holds its answer for 60 s); every
    // other run allows 15 s, far beyond what load makes of an immediate answer.
    let matrix = run_matrix(suite, &faults, &variants, Duration::from_secs(5), 8).await;
    println!("{}", matrix.render());
    assert!(matrix.problems().is_empty(), "{}", explain(&matrix));
    assert_eq!(matrix.caught(), faults.len());
    assert_eq!(matrix.conforming(), variants.len());
    // The clean baseline passes as a whole: the run, every clause of the catalogue, every
    // scenario of the suite, and no leak.
    let clean = &matrix.clean;
    assert!(clean.run_passed && clean.not_passed.is_empty());
    assert_eq!(clean.clauses, Suite::embedded().unwrap().clauses().count());
    assert_eq!(clean.scenarios, Suite::embedded().unwrap().scenario_count());
    assert_eq!(clean.leaks, 0);
    // What `faults --matrix` prints (the grid and the problems) holds no key of any run's
    // server, in any form: each server is started again from its seed for its keys. And
    // every run's leak scan read every output a user's run can have: JUnit, Cucumber JSON,
    // the report in Markdown and JSON, the HTML page (and the console at -vv).
    let printed = format!("{}\n{}", matrix.render(), matrix.problems().join("\n"));
    for run in matrix.runs() {
        let server = ReferenceServer::start(run.subject.server_options())
            .await
            .expect("the server starts again");
        let seed = server.seed();
        let keys = [seed.recipient_key.expose(), seed.sharer_key.expose()]
            .map(|k| ApiKey::new(k).expect("a seeded key"));
        let redactor = share_conformance::secret::Redactor::new(&keys);
        assert!(
            !redactor.leaks(&printed),
            "{}: a key in {printed}",
            run.subject.label()
        );
        assert_eq!(
            run.outputs,
            5,
            "{}: {} outputs",
            run.subject.label(),
            run.outputs
        );
    }
}

#[test]
fn the_fault_catalogue_covers_every_must_clause_and_every_kind() {
    let suite = Suite::embedded().unwrap();
    assert!(CATALOGUE.len() >= 50, "{} faults", CATALOGUE.len());
    for kind in [
        FaultKind::Status,
        FaultKind::Body,
        FaultKind::Envelope,
        FaultKind::Semantics,
        FaultKind::Transport,
    ] {
        assert!(CATALOGUE.iter().any(|f| f.kind == kind), "no {kind} fault");
    }
    let named: BTreeSet<&str> = CATALOGUE
        .iter()
        .flat_map(|f| f.clauses.iter().copied())
        .collect();
    for clause in suite.clauses() {
        if clause.level == Level::Must {
            assert!(
                named.contains(clause.id.as_str()),
                "no fault is declared for {}",
                clause.id
            );
        }
    }
    for id in named {
        assert!(
            suite.clause(id).is_some(),
            "a fault names {id}, which is not a clause"
        );
    }
    for info in CATALOGUE {
        let levels: BTreeSet<Level> = info
            .clauses
            .iter()
            .filter_map(|c| suite.clause(c).map(|c| c.level))
            .collect();
        assert_eq!(
            levels.len(),
            1,
            "{} mixes MUST and SHOULD clauses: a fault either fails the run or is advisory",
            info.name
        );
    }
}

/// Every fault's catch is pinned where the suite must make it (a step of a scenario that
/// proves a clause the fault declares, each declared clause at least once), and every
/// scenario of the suite, SHOULD scenarios included, is some fault's pinned catch: no check
/// stands unproven in the failing direction. The matrix then holds each pin to its word.
#[test]
fn every_fault_is_pinned_to_a_step_and_every_scenario_is_some_fault_s_catch() {
    let suite = Suite::embedded().unwrap();
    let index = suite.scenario_index();
    let mut pinned: BTreeSet<&str> = BTreeSet::new();
    for info in CATALOGUE {
        let mut clauses_caught = BTreeSet::new();
        assert!(!info.caught.is_empty(), "{} pins no catch", info.name);
        for catch in info.caught {
            let scenarios: Vec<_> = index.iter().filter(|e| e.name == catch.scenario).collect();
            assert_eq!(
                scenarios.len(),
                1,
                "{} pins {:?}, which names {} scenarios of the suite",
                info.name,
                catch.scenario,
                scenarios.len()
            );
            let scenario = scenarios[0];
            assert!(
                scenario.steps.iter().any(|s| s == catch.step),
                "{} pins the step {:?}, which {:?} does not have (it has {:?})",
                info.name,
                catch.step,
                catch.scenario,
                scenario.steps
            );
            let declared: Vec<&String> = scenario
                .clauses
                .iter()
                .filter(|c| info.clauses.contains(&c.as_str()))
                .collect();
            assert!(
                !declared.is_empty(),
                "{} pins {:?}, which proves {:?}, none of the clauses it declares",
                info.name,
                catch.scenario,
                scenario.clauses
            );
            clauses_caught.extend(declared);
            if info.kind == FaultKind::Transport {
                assert!(
                    catch.message.is_some(),
                    "{}: a transport fault's pin names the words its failure says",
                    info.name
                );
            }
            pinned.insert(catch.scenario);
        }
        for clause in info.clauses {
            assert!(
                clauses_caught.iter().any(|c| c == clause),
                "{} declares {clause} but pins no catch of it",
                info.name
            );
        }
    }
    let unpinned: Vec<&str> = index
        .iter()
        .map(|e| e.name.as_str())
        .filter(|name| !pinned.contains(name))
        .collect();
    assert!(
        unpinned.is_empty(),
        "no fault pins a catch in these scenarios: {unpinned:#?}"
    );
}

#[test]
fn there_are_at_least_twelve_variants_and_they_declare_only_should_clauses() {
    let suite = Suite::embedded().unwrap();
    assert!(VARIANTS.len() >= 12, "{} variants", VARIANTS.len());
    for name in [
        "sign-in-message",
        "details-populated",
        "extra-fields",
        "view-counter",
        "repeat-save-200",
    ] {
        assert!(
            VARIANTS.iter().any(|v| v.name == name),
            "the variant {name} (a case the issue names) is missing"
        );
    }
    for info in VARIANTS {
        for clause in info.advisories {
            let level = suite.clause(clause).map(|c| c.level);
            assert_eq!(
                level,
                Some(Level::Should),
                "{} declares {clause}: a variant may only trip SHOULD clauses",
                info.name
            );
        }
    }
}
