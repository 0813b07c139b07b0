//! The schemas against their test vectors: the docs' own examples must validate, each
//! hand-made counterexample must not, and each counterexample must fail for its own reason.

use serde_json::Value;

use crate::suite::Suite;
use crate::suite::schema::{SchemaName, check_against_metaschema};

/// A repository file as JSON.
fn json_file(path: &str) -> Value {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap()
}

fn vectors(file: &str) -> (SchemaName, Value) {
    let doc = json_file(&format!("schemas/vectors/{file}"));
    let which = match doc["schema"].as_str().unwrap() {
        "library-edge.schema.json" => SchemaName::LibraryEdge,
        "error-envelope.schema.json" => SchemaName::ErrorEnvelope,
        other => panic!("{file} names unknown schema {other}"),
    };
    (which, doc)
}

fn check_vectors(file: &str) {
    let suite = Suite::embedded().unwrap();
    let (which, doc) = vectors(file);
    let valid = doc["valid"].as_array().unwrap();
    let invalid = doc["invalid"].as_array().unwrap();
    assert!(
        !valid.is_empty() && !invalid.is_empty(),
        "{file} needs both kinds of vector"
    );
    for case in valid {
        let violations = suite.schemas().violations(which, &case["instance"]);
        assert!(
            violations.is_empty(),
            "{file}: {} should validate: {violations:?}",
            case["description"]
        );
    }
    for case in invalid {
        let violations = suite.schemas().violations(which, &case["instance"]);
        assert!(
            !violations.is_empty(),
            "{file}: {} must not validate",
            case["description"]
        );
    }
}

#[test]
fn library_edge_vectors() {
    check_vectors("library-edge.json");
}

#[test]
fn error_envelope_vectors() {
    check_vectors("error-envelope.json");
}

#[test]
fn the_docs_examples_are_among_the_valid_vectors() {
    for (file, description) in [
        ("library-edge.json", "the docs' own 201 Created example"),
        (
            "error-envelope.json",
            "the docs' own 401 Unauthorized example",
        ),
        ("error-envelope.json", "the docs' own 404 Not Found example"),
    ] {
        let (_, doc) = vectors(file);
        assert!(
            doc["valid"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["description"] == description),
            "{file} lacks {description:?}"
        );
    }
}

#[test]
fn violations_name_the_field_and_the_rule() {
    let suite = Suite::embedded().unwrap();
    let (_, doc) = vectors("library-edge.json");
    let mut edge = doc["valid"][0]["instance"].clone();
    edge["source"] = "own".into();
    edge["created_at"] = "2026-06-28T12:30:00+02:00".into();
    let violations = suite.schemas().violations(SchemaName::LibraryEdge, &edge);
    let paths: Vec<&str> = violations
        .iter()
        .map(|v| v.instance_path.as_str())
        .collect();
    assert_eq!(
        paths,
        ["/created_at", "/source"],
        "sorted by instance path: {violations:?}"
    );
    assert_eq!(violations[1].value, "\"own\"", "{}", violations[1]);
    assert!(
        violations[1].to_string().contains("found \"own\""),
        "{}",
        violations[1]
    );
    assert!(
        violations[1].schema_path.contains("source"),
        "{}",
        violations[1]
    );
}

#[test]
fn every_schema_file_is_valid_against_the_metaschema() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".schema.json") {
            let schema: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            check_against_metaschema(&schema)
                .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
    assert!(
        check_against_metaschema(&serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "invalid_type"
        }))
        .is_err()
    );
}
