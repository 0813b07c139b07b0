//! Cucumber JSON (the format of cucumber-jvm's `json` plugin that Allure, the Jenkins cucumber
//! plugin and similar viewers read): features, their scenarios (`elements`), their steps, each
//! with a status and a duration in nanoseconds.
//!
//! Statuses: `passed`, `failed`, `skipped` (not reached), `undefined`; a NOT-TESTABLE step is
//! `skipped` with its reason as the error message, so viewers never count it as passed. A
//! KNOWN-FAILURE keeps its failed step, tagged `@known-failure` and its message saying so.

use serde_json::{Value, json};

use crate::report::{Judgement, ScenarioResult, StepStatus};
use crate::suite::{Suite, feature_path};

/// The run's scenarios as Cucumber JSON.
pub(crate) fn render(verdicts: &Judgement, suite: &Suite) -> String {
    let by_feature = verdicts.by_feature();
    let features: Vec<Value> = by_feature
        .into_iter()
        .map(|(path, scenarios)| {
            let feature = suite.features().iter().find(|f| feature_path(f) == path);
            let name = feature.map_or(path, |f| f.name.as_str());
            let feature_id = slug(name);
            json!({
                "uri": path,
                "id": feature_id,
                "keyword": feature.map_or("Feature", |f| f.keyword.as_str()),
                "name": name,
                "description": feature.and_then(|f| f.description.clone()).unwrap_or_default(),
                "line": feature.map_or(1, |f| f.position.line),
                "tags": tags(feature.map(|f| f.tags.as_slice()).unwrap_or_default()),
                "elements": scenarios.iter().map(|s| element(&feature_id, s)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&Value::Array(features)).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

fn element(feature_id: &str, scenario: &ScenarioResult) -> Value {
    let mut tags: Vec<String> = scenario
        .clauses
        .iter()
        .map(|c| format!("clause:{c}"))
        .collect();
    if scenario.advisory {
        tags.push("should".into());
    }
    if scenario.known.is_some() {
        tags.push("known-failure".into());
    }
    json!({
        "id": format!("{feature_id};{}", slug(&scenario.name)),
        "keyword": "Scenario",
        "name": scenario.name,
        "description": "",
        "line": scenario.id.line,
        "type": "scenario",
        "tags": tags.iter().map(|t| json!({ "name": format!("@{t}") })).collect::<Vec<_>>(),
        "steps": scenario.steps.iter().map(|step| {
            let status = match step.status {
                StepStatus::Passed => "passed",
                StepStatus::Failed => "failed",
                StepStatus::NotTestable | StepStatus::Skipped => "skipped",
                StepStatus::Undefined => "undefined",
            };
            let mut result = json!({
                "status": status,
                "duration": u64::try_from(step.duration.as_nanos()).unwrap_or(u64::MAX),
            });
            if let Some(message) = &step.message {
                let prefix = match (&scenario.known, step.status) {
                    (_, StepStatus::NotTestable) => "NOT-TESTABLE: ".to_owned(),
                    (Some(known), StepStatus::Failed) => format!("KNOWN-FAILURE ({known}): "),
                    _ => String::new(),
                };
                result["error_message"] = Value::from(format!("{prefix}{message}"));
            }
            json!({
                "keyword": step.keyword,
                "name": step.text,
                "line": step.line,
                "result": result,
            })
        }).collect::<Vec<_>>(),
    })
}

fn tags(tags: &[String]) -> Vec<Value> {
    tags.iter()
        .map(|t| json!({ "name": format!("@{t}") }))
        .collect()
}

/// `saving-a-shared-track`: lower case, runs of other characters as one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Saving a shared track"), "saving-a-shared-track");
        assert_eq!(
            slug("The 401 envelope's type: ok!"),
            "the-401-envelope-s-type-ok"
        );
    }
}
