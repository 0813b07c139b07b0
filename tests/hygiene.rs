//! The suite tested like code: what is embedded is what is in the tree, scenarios are named
//! as facts and uniquely, every step has exactly one definition, every snapshot is used.
//! (Loading the suite already checks that every scenario names a catalogued clause, that
//! every clause is covered, and that `@should` matches the clause levels.)

use std::collections::{BTreeSet, HashMap};

use cucumber::World as _;
use share_conformance::clauses::Level;
use share_conformance::steps::ConformanceWorld;
use share_conformance::suite::{EMBEDDED, Suite, snapshot_named_by};

fn files_in(dir: &str, suffix: &str) -> BTreeSet<String> {
    std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(suffix))
        .map(|name| format!("{dir}/{name}"))
        .collect()
}

#[test]
fn every_suite_file_in_the_tree_is_embedded_and_current() {
    let on_disk: BTreeSet<String> = files_in("features", ".feature")
        .into_iter()
        .chain(files_in("features", ".toml"))
        .chain(files_in("schemas", ".schema.json"))
        .chain(files_in("snapshots", ".snap"))
        .collect();
    let embedded: BTreeSet<String> = EMBEDDED
        .iter()
        .map(|(path, _)| (*path).to_owned())
        .collect();
    assert_eq!(
        on_disk, embedded,
        "add new suite files to EMBEDDED in src/suite.rs"
    );
    for (path, text) in EMBEDDED {
        let current =
            std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert_eq!(&current, text, "{path} changed since the crate was built");
    }
}

#[test]
fn the_embedded_suite_loads_and_covers_every_clause() {
    let suite = Suite::embedded().unwrap();
    assert!(suite.catalogue().len() >= 20);
    let must = suite
        .catalogue()
        .iter()
        .filter(|c| c.level == Level::Must)
        .count();
    let should = suite.catalogue().len() - must;
    assert_eq!((must, should), (16, 4));
}

#[test]
fn scenario_names_are_unique_facts() {
    let suite = Suite::embedded().unwrap();
    let mut seen = HashMap::new();
    for sc in suite.scenarios() {
        let name = &sc.scenario.name;
        if let Some(first) = seen.insert(name.clone(), sc.location()) {
            panic!("{} repeats the name of {first}: {name}", sc.location());
        }
        let words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
        for vague in ["should", "must", "may", "verify", "check", "test"] {
            assert!(
                !words.iter().any(|w| w == vague),
                "{}: state a fact, not {vague:?}: {name}",
                sc.location()
            );
        }
        assert!(
            !name.ends_with('.'),
            "{}: no trailing period: {name}",
            sc.location()
        );
        assert!(
            !name.contains('<'),
            "{}: an unexpanded placeholder: {name}",
            sc.location()
        );
    }
}

#[test]
fn every_step_has_exactly_one_definition() {
    let suite = Suite::embedded().unwrap();
    let steps = ConformanceWorld::collection();
    for feature in suite.features() {
        let background = feature.background.iter().flat_map(|b| b.steps.iter());
        let scenario_steps = feature.scenarios.iter().flat_map(|s| s.steps.iter());
        for step in background.chain(scenario_steps) {
            let at = format!(
                "{}:{}",
                feature.path.as_ref().unwrap().display(),
                step.position.line
            );
            match steps.find(step) {
                Ok(Some(_)) => {}
                Ok(None) => panic!("{at}: no step definition matches {:?}", step.value),
                Err(e) => panic!("{at}: ambiguous step {:?}: {e}", step.value),
            }
        }
    }
}

#[test]
fn every_snapshot_is_named_by_a_step() {
    let suite = Suite::embedded().unwrap();
    let named: BTreeSet<&str> = suite
        .scenarios()
        .flat_map(|sc| sc.scenario.steps.iter())
        .filter_map(|step| snapshot_named_by(&step.value))
        .collect();
    let stored: BTreeSet<&str> = suite.snapshots().names().collect();
    assert_eq!(
        named, stored,
        "every snapshot is referenced and every reference exists"
    );
}

#[test]
fn the_loader_rejects_an_inconsistent_suite() {
    let base: Vec<share_conformance::suite::SuiteFile> =
        Suite::embedded().unwrap().files().to_vec();
    let with_feature = |text: &str| {
        let mut files = base.clone();
        files.push(share_conformance::suite::SuiteFile {
            path: "features/extra.feature".into(),
            text: text.into(),
        });
        Suite::from_files(files).map(drop).unwrap_err().to_string()
    };
    let untagged = with_feature("Feature: x\n  Scenario: A fact\n    Given no API key\n");
    assert!(untagged.contains("names no clause"), "{untagged}");
    let unknown =
        with_feature("Feature: x\n  @clause:NOPE\n  Scenario: A fact\n    Given no API key\n");
    assert!(unknown.contains("NOPE"), "{unknown}");
    let level = with_feature(
        "Feature: x\n  @clause:SAVE-REPEAT\n  Scenario: A fact\n    Given no API key\n",
    );
    assert!(level.contains("@should"), "{level}");
    let snapshot = with_feature(
        "Feature: x\n  @clause:ERR-SNAPSHOT\n  Scenario: A fact\n    Then the envelope matches the snapshot \"nope\"\n",
    );
    assert!(snapshot.contains("\"nope\""), "{snapshot}");

    let without_catalogue: Vec<_> = base
        .iter()
        .filter(|f| f.path != "features/clauses.toml")
        .cloned()
        .collect();
    assert!(Suite::from_files(without_catalogue).is_err());
}
