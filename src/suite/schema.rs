//! JSON Schemas derived from the docs: checked against the metaschema, compiled once, offline.
//!
//! Formats are asserted (`should_validate_formats`): under draft 2020-12 a `format` is
//! otherwise only an annotation, and a `created_at` of `2026-02-30T…` would pass. The schemas
//! use one format of their own, `lenient-date-time`: a real RFC 3339 date-time whose date and
//! time may also be separated by a space, as RFC 3339 allows (the `date-time` format does not).

use std::fmt;

use anyhow::{Context as _, anyhow, bail};
use serde_json::Value;

/// The schemas a response can be checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaName {
    /// `library-edge.schema.json`: the 201 body.
    LibraryEdge,
    /// `error-envelope.schema.json`: every error body.
    ErrorEnvelope,
}

impl SchemaName {
    /// The file under `schemas/`.
    pub fn file(self) -> &'static str {
        match self {
            Self::LibraryEdge => "library-edge.schema.json",
            Self::ErrorEnvelope => "error-envelope.schema.json",
        }
    }
}

/// Base of the schemas' `$id`s; references between files resolve against it, never the network.
pub const SCHEMA_BASE: &str = "https://share-conformance.invalid/schemas/";

/// One way an instance breaks a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON pointer into the instance (`/error/status`), empty for the root.
    pub instance_path: String,
    /// JSON pointer into the schema of the keyword that failed.
    pub schema_path: String,
    /// What is wrong.
    pub message: String,
    /// The offending value, as compact JSON, cut to a readable length.
    pub value: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(
            f,
            "{at}: {}; found {} (schema {})",
            self.message, self.value, self.schema_path
        )
    }
}

/// The compiled schemas.
pub struct Schemas {
    library_edge: jsonschema::Validator,
    error_envelope: jsonschema::Validator,
}

impl fmt::Debug for Schemas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Schemas { library-edge, error-envelope }")
    }
}

impl Schemas {
    /// Parses every schema file, checks each against its metaschema and compiles the two
    /// response schemas with the others available for `$ref`.
    pub fn compile<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> anyhow::Result<Self> {
        let mut documents = Vec::new();
        for (name, text) in files {
            let value: Value = serde_json::from_str(text)
                .with_context(|| format!("schemas/{name} is not valid JSON"))?;
            check_against_metaschema(&value).with_context(|| format!("schemas/{name}"))?;
            let id = value.get("$id").and_then(Value::as_str);
            let expected_id = format!("{SCHEMA_BASE}{name}");
            if id != Some(expected_id.as_str()) {
                bail!("schemas/{name}: $id must be {expected_id:?}, found {id:?}");
            }
            documents.push((name.to_owned(), value));
        }
        let registry = documents
            .iter()
            .try_fold(jsonschema::Registry::new(), |registry, (name, value)| {
                registry.add(format!("{SCHEMA_BASE}{name}"), value.clone())
            })
            .and_then(|builder| builder.prepare())
            .map_err(|e| anyhow!("cannot index the schemas: {e}"))?;
        let build = |which: SchemaName| -> anyhow::Result<jsonschema::Validator> {
            let (_, schema) = documents
                .iter()
                .find(|(name, _)| name == which.file())
                .ok_or_else(|| anyhow!("schemas/{} is missing", which.file()))?;
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .with_format("lenient-date-time", |text: &str| {
                    crate::time::parse(text).is_ok()
                })
                .with_registry(&registry)
                .offline()
                .build(schema)
                .map_err(|e| anyhow!("schemas/{} does not compile: {e}", which.file()))
        };
        Ok(Self {
            library_edge: build(SchemaName::LibraryEdge)?,
            error_envelope: build(SchemaName::ErrorEnvelope)?,
        })
    }

    /// Every violation of `which` by `instance`, sorted so output is stable.
    pub fn violations(&self, which: SchemaName, instance: &Value) -> Vec<Violation> {
        let validator = match which {
            SchemaName::LibraryEdge => &self.library_edge,
            SchemaName::ErrorEnvelope => &self.error_envelope,
        };
        let mut out: Vec<Violation> = validator
            .iter_errors(instance)
            .map(|e| Violation {
                instance_path: e.instance_path().to_string(),
                schema_path: e.schema_path().to_string(),
                message: e.to_string(),
                value: crate::exchange::excerpt(e.instance().to_string().as_bytes()),
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// Checks a schema document against the metaschema its `$schema` names.
pub fn check_against_metaschema(schema: &Value) -> anyhow::Result<()> {
    if schema.get("$schema").and_then(Value::as_str)
        != Some("https://json-schema.org/draft/2020-12/schema")
    {
        bail!("$schema must be the draft 2020-12 metaschema");
    }
    jsonschema::meta::validate(schema)
        .map_err(|e| anyhow!("not a valid JSON Schema: {} at {}", e, e.instance_path()))
}
