//! The suite tested like code: what is embedded is what is in the tree, scenarios are named
//! as facts and uniquely, every step has exactly one definition, every snapshot is used, and
//! the loader refuses a suite that could pass without proving anything.

use std::collections::{BTreeSet, HashMap};

use cucumber::World as _;

use crate::steps::ConformanceWorld;
use crate::suite::catalogue::Level;
use crate::suite::{EMBEDDED, Suite, SuiteFile, provenance_marks, snapshot_named_by};

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
        "add new suite files to EMBEDDED in src/suite/mod.rs"
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
    assert!(suite.catalogue().iter().count() >= 20);
    let must = suite
        .catalogue()
        .iter()
        .filter(|c| c.level == Level::Must)
        .count();
    let should = suite.catalogue().len() - must;
    assert_eq!((must, should), (27, 10));
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
    let base: Vec<SuiteFile> = Suite::embedded().unwrap().files().to_vec();
    let with_feature = |text: &str| {
        let mut files = base.clone();
        files.push(SuiteFile {
            path: "features/extra.feature".into(),
            text: text.into(),
        });
        Suite::from_files(files).map(drop).unwrap_err().to_string()
    };
    // A scenario with `step`, and a Then step unless `step` is one.
    let scenario = |tags: &str, description: &str, step: &str| {
        let then = if step.starts_with("Then") {
            ""
        } else {
            "\n    Then the status is 401"
        };
        format!(
            "Feature: x\n  {tags}\n  Scenario: A fact\n    {description}\n\n    Given no API key\n    {step}{then}\n"
        )
    };
    let doc =
        "[doc] \"Returns `201 Created` with the new library edge.\" (docs/save-shared-track.md)";
    // A scenario with nothing to check would pass having proved nothing.
    let unchecked = with_feature(&format!(
        "Feature: x\n  @clause:SAVE-201-CREATED\n  Scenario: A fact\n    {doc}\n\n    Given the recipient's API key\n    And the live share token\n    When the share is saved\n"
    ));
    assert!(unchecked.contains("has no Then step"), "{unchecked}");
    // A clause that no scenario covers.
    let uncovered: Vec<_> = base
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if f.path == "features/clauses.toml" {
                f.text.push_str("\n[[clause]]\nid = \"SAVE-NOBODY-CHECKS-THIS\"\nlevel = \"MUST\"\nmark = \"doc\"\nsource = \"docs/save-shared-track.md\"\ndoc = \"d\"\ncheck = \"c\"\n");
            }
            f
        })
        .collect();
    let err = Suite::from_files(uncovered)
        .map(drop)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no scenario covers clause(s) SAVE-NOBODY-CHECKS-THIS"),
        "{err}"
    );
    let untagged = with_feature(&scenario("", doc, "When the share is saved"));
    assert!(untagged.contains("names no clause"), "{untagged}");
    let unknown = with_feature(&scenario("@clause:NOPE", doc, "When the share is saved"));
    assert!(unknown.contains("NOPE"), "{unknown}");
    let level = with_feature(&scenario(
        "@clause:SAVE-REPEAT",
        doc,
        "When the share is saved",
    ));
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
        "When the share is saved",
    ));
    assert!(bare.contains("quote the doc sentence"), "{bare}");
    for weak in ["[ex] an example", "[inferred] a guess"] {
        let err = with_feature(&scenario(
            "@clause:SAVE-201-CREATED",
            &format!("{doc}\n    {weak}"),
            "When the share is saved",
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
        let marks = provenance_marks(description);
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

/// The repository root.
fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The quoted text of a `[doc]` line, and the files it names (one or more, comma-separated).
fn quote_and_files(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.strip_prefix("[doc]")?.trim();
    let open = rest.rfind(" (docs/")?;
    let close = open + rest[open..].find(')')?;
    let files = rest[open + 2..close]
        .split(',')
        .map(|f| f.trim().to_owned())
        .collect();
    let quoted = rest[..open].trim();
    let text = match quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\""),
        None => quoted.to_owned(),
    };
    Some((text, files))
}

/// Every MUST rests on a sentence a reader of this repository can find: each clause names
/// files that are here, and each scenario's `[doc]` quote is in the files it names (a `…`
/// marks text left out).
#[test]
fn every_doc_quote_is_in_the_repository_and_every_source_exists() {
    let suite = Suite::embedded().unwrap();
    let read = |file: &str| {
        std::fs::read_to_string(root().join(file))
            .unwrap_or_else(|e| panic!("{file} is named as a source but cannot be read: {e}"))
    };
    for clause in suite.clauses() {
        for file in clause.source.split(',').map(str::trim) {
            assert!(
                file.starts_with("docs/"),
                "{}: source {file} is not under docs/",
                clause.id
            );
            read(file);
        }
    }
    let mut checked = 0;
    for sc in suite.scenarios() {
        let description = sc.scenario.description.as_deref().unwrap_or_default();
        for line in description
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("[doc]"))
        {
            let (quote, files) = quote_and_files(line).unwrap_or_else(|| {
                panic!(
                    "{}: a [doc] line names its docs/ file in parentheses: {line}",
                    sc.location()
                )
            });
            let text: String = files.iter().map(|f| read(f)).collect();
            let mut from = 0;
            for part in quote.split('…').map(str::trim).filter(|p| !p.is_empty()) {
                let found = text[from..].find(part).unwrap_or_else(|| {
                    panic!(
                        "{}: {part:?} is not in {} (in this order)",
                        sc.location(),
                        files.join(", ")
                    )
                });
                from += found + part.len();
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} [doc] lines checked");
}

/// Comments and docs name only files a reader of this repository can open.
#[test]
fn no_comment_points_outside_the_repository() {
    let mut sources = Vec::new();
    let mut stack: Vec<std::path::PathBuf> =
        ["src", "crates", "tests", "examples", "benches", "build.rs"]
            .iter()
            .map(|d| root().join(d))
            .collect();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            if path.ends_with("target") {
                continue;
            }
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            sources.push(path);
        }
    }
    assert!(sources.len() > 40, "{} sources", sources.len());
    let named = regex::Regex::new(r"\b([A-Za-z0-9_./-]+\.(?:md|rs))\b").unwrap();
    for path in sources {
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some(comment) = line.trim_start().strip_prefix("//") else {
                continue;
            };
            for forbidden in ["../shared", "DESIGN.md", "CRATES.md", "STYLE.md"] {
                assert!(
                    !comment.contains(forbidden),
                    "{}:{}: points outside the repository: {line}",
                    path.display(),
                    n + 1
                );
            }
            for found in named.captures_iter(comment) {
                let name = &found[1];
                // A path, an upper-case document (README.md), or a docs page; not a bare file
                // name such as `store.rs` or an example such as `cert.md`.
                let stem = name.trim_end_matches(".md");
                let document = name.contains('/')
                    || (name.ends_with(".md")
                        && (stem.chars().all(|c| c.is_ascii_uppercase() || c == '_')
                            || ["save-shared-track", "related-endpoints"].contains(&stem)));
                if !document {
                    continue;
                }
                // From the repository's root, or from the package the file belongs to.
                let package = path
                    .ancestors()
                    .find(|dir| dir.join("Cargo.toml").exists())
                    .unwrap_or(root());
                let exists = root().join(name).exists() || package.join(name).exists();
                assert!(
                    exists,
                    "{}:{}: names {name}, which is not in the repository",
                    path.display(),
                    n + 1
                );
            }
        }
    }
}
