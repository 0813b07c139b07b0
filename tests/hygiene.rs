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
    assert_eq!((must, should), (20, 11));
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
    let scenario = |tags: &str, description: &str, step: &str| {
        format!("Feature: x\n  {tags}\n  Scenario: A fact\n    {description}\n\n    {step}\n")
    };
    let doc = "[doc] \"Returns `201 Created` with the new library edge.\" (save-shared-track.md)";
    let untagged = with_feature(&scenario("", doc, "Given no API key"));
    assert!(untagged.contains("names no clause"), "{untagged}");
    let unknown = with_feature(&scenario("@clause:NOPE", doc, "Given no API key"));
    assert!(unknown.contains("NOPE"), "{unknown}");
    let level = with_feature(&scenario("@clause:SAVE-REPEAT", doc, "Given no API key"));
    assert!(level.contains("@should"), "{level}");
    let snapshot = with_feature(&scenario(
        "@clause:ERR-SNAPSHOT",
        doc,
        "Then the envelope matches the snapshot \"nope\"",
    ));
    assert!(snapshot.contains("\"nope\""), "{snapshot}");

    // Provenance: every scenario says what it rests on, and a MUST rests on [doc] only.
    let bare = with_feature(&scenario(
        "@clause:SAVE-201-CREATED",
        "",
        "Given no API key",
    ));
    assert!(bare.contains("quote the doc sentence"), "{bare}");
    for weak in ["[ex] an example", "[inferred] a guess"] {
        let err = with_feature(&scenario(
            "@clause:SAVE-201-CREATED",
            &format!("{doc}\n    {weak}"),
            "Given no API key",
        ));
        assert!(err.contains("[doc] facts only"), "{err}");
    }
    // Free text and the example's text are never a MUST.
    let text = with_feature(&scenario(
        "@clause:SAVE-404-UNKNOWN",
        doc,
        "Then the error message is \"This share link is no longer available.\"",
    ));
    assert!(text.contains("free text"), "{text}");
    let example = with_feature(&scenario(
        "@clause:ERR-SNAPSHOT",
        doc,
        "Then the envelope matches the snapshot \"example-404-unavailable\"",
    ));
    assert!(example.contains("only a SHOULD scenario"), "{example}");
    // Steps that read around the first save need the tag that makes the run read it.
    let untagged_library = with_feature(&scenario(
        "@clause:SAVE-LIBRARY-ADDED",
        doc,
        "Then the saved track is in the recipient's library",
    ));
    assert!(untagged_library.contains("@library"), "{untagged_library}");

    let without_catalogue: Vec<_> = base
        .iter()
        .filter(|f| f.path != "features/clauses.toml")
        .cloned()
        .collect();
    assert!(Suite::from_files(without_catalogue).is_err());

    // A MUST clause that rests on an example is refused by the catalogue itself.
    let weakened: Vec<_> = base
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if f.path == "features/clauses.toml" {
                f.text = f.text.replacen("mark = \"doc\"", "mark = \"ex\"", 1);
            }
            f
        })
        .collect();
    let err = Suite::from_files(weakened)
        .map(drop)
        .unwrap_err()
        .to_string();
    assert!(err.contains("only [doc] facts"), "{err}");
}

#[test]
fn every_scenario_quotes_what_it_rests_on() {
    let suite = Suite::embedded().unwrap();
    for sc in suite.scenarios() {
        let description = sc.scenario.description.as_deref().unwrap_or_default();
        let marks = share_conformance::suite::provenance_marks(description);
        assert!(!marks.is_empty(), "{}: no provenance line", sc.location());
        // What is quoted comes from a page, and says which; an inference need not.
        for line in description
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("[doc]") || l.starts_with("[ex]"))
        {
            assert!(
                line.contains(".md)"),
                "{}: a [doc] or [ex] line names its page in parentheses: {line}",
                sc.location()
            );
        }
    }
}
