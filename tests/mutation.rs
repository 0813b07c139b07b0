//! The suite proves its own power: against the clean reference server every clause passes,
//! and against each fault of the catalogue the run fails with the fault's declared clauses
//! failing. Prints the fault × clause matrix and the score (`cargo test --test mutation --
//! --nocapture`, or `share-conformance faults --matrix`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use share_conformance::clauses::Level;
use share_conformance::mutation::run_matrix;
use share_conformance::reference::faults::{CATALOGUE, Fault, FaultKind};
use share_conformance::suite::Suite;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_is_caught_by_its_declared_clauses() {
    let suite = Arc::new(Suite::embedded().unwrap());
    let faults: Vec<Fault> = CATALOGUE.iter().map(|info| info.fault).collect();
    // The timeout bounds the slow-save fault's runs; every other answer is immediate.
    let matrix = run_matrix(suite, &faults, Duration::from_secs(2), 8).await;
    println!("{}", matrix.render());
    let problems = matrix.problems();
    if !problems.is_empty() {
        let outputs: Vec<String> = matrix
            .runs
            .iter()
            .chain(std::iter::once(&matrix.clean))
            .filter(|run| {
                !run.caught() && run.fault.is_some()
                    || run.fault.is_none() && !run.not_passed.is_empty()
            })
            .map(|run| format!("--- run against {:?}:\n{}", run.fault, run.output))
            .collect();
        panic!(
            "{}\n{}\n{}",
            matrix.render(),
            problems.join("\n"),
            outputs.join("\n")
        );
    }
    assert_eq!(matrix.caught(), faults.len());
}

#[test]
fn the_catalogue_has_30_faults_of_every_kind_covering_every_must_clause() {
    let suite = Suite::embedded().unwrap();
    assert!(CATALOGUE.len() >= 30, "{} faults", CATALOGUE.len());
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
    for clause in suite.catalogue().iter() {
        match clause.level {
            Level::Must => assert!(
                named.contains(clause.id.as_str()),
                "no fault is declared for {}",
                clause.id
            ),
            Level::Should => assert!(
                !named.contains(clause.id.as_str()),
                "{} is SHOULD: it cannot fail a run",
                clause.id
            ),
        }
    }
    for id in named {
        assert!(
            suite.catalogue().get(id).is_some(),
            "a fault names {id}, which is not a clause"
        );
    }
}
