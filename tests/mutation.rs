//! The suite proves its power in both directions: against the clean reference server every
//! clause passes; against each fault of the catalogue the fault's declared clauses fail (the
//! run fails, unless the fault is advisory); against each conforming variant every MUST clause
//! passes and exactly the declared SHOULD clauses report the choice. Prints the matrix and the
//! score (`cargo test --test mutation -- --nocapture`, or `share-conformance faults --matrix`
//! and `share-conformance variants --matrix`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use share_conformance::clauses::Level;
use share_conformance::mutation::{Matrix, Subject, run_matrix};
use share_conformance::reference::faults::{CATALOGUE, Fault, FaultKind};
use share_conformance::reference::variants::{CATALOGUE as VARIANTS, Variant};
use share_conformance::suite::Suite;

fn explain(matrix: &Matrix) -> String {
    let outputs: Vec<String> = matrix
        .faults
        .iter()
        .chain(&matrix.variants)
        .chain(std::iter::once(&matrix.clean))
        .filter(|run| {
            let label = run.subject.label();
            matrix.problems().iter().any(|p| p.starts_with(&label))
                || run.subject == Subject::Clean && !run.not_passed.is_empty()
        })
        .map(|run| format!("--- run against {}:\n{}", run.subject.label(), run.output))
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
    // The timeout bounds the slow-save fault's runs; every other answer is immediate.
    let matrix = run_matrix(suite, &faults, &variants, Duration::from_secs(2), 8).await;
    println!("{}", matrix.render());
    assert!(matrix.problems().is_empty(), "{}", explain(&matrix));
    assert_eq!(matrix.caught(), faults.len());
    assert_eq!(matrix.conforming(), variants.len());
    // The clean baseline passes as a whole: every clause, and the run.
    assert!(matrix.clean.run_passed && matrix.clean.not_passed.is_empty());
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
    for clause in suite.catalogue().iter() {
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
            suite.catalogue().get(id).is_some(),
            "a fault names {id}, which is not a clause"
        );
    }
    for info in CATALOGUE {
        let levels: BTreeSet<Level> = info
            .clauses
            .iter()
            .filter_map(|c| suite.catalogue().get(c).map(|c| c.level))
            .collect();
        assert_eq!(
            levels.len(),
            1,
            "{} mixes MUST and SHOULD clauses: a fault either fails the run or is advisory",
            info.name
        );
    }
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
            let level = suite.catalogue().get(clause).map(|c| c.level);
            assert_eq!(
                level,
                Some(Level::Should),
                "{} declares {clause}: a variant may only trip SHOULD clauses",
                info.name
            );
        }
    }
}
