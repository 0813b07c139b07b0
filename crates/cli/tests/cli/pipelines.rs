//! The GitHub Action (`action.yml`) and the GitLab CI template, run as their CI systems would
//! run them, against `serve` processes: every shell step with GitHub's `bash -eo pipefail`, its
//! `env:` mapping and its `if:`, outputs, `GITHUB_PATH` and the step summary carried from step
//! to step. The cache is primed with this build's binary, as a pipeline's second run finds it,
//! so nothing is compiled here. `.ci/run` validates both YAML files against their schemas with
//! `action-validator`; this proves that what they run works.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

use crate::support::*;

/// The repository's root, where `action.yml` is.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// What one run of the composite action did.
struct ActionRun {
    /// Each step's name, whether it ran, and its exit code.
    steps: Vec<(String, bool, Option<i32>)>,
    /// Everything the steps printed, in order.
    log: String,
    /// `steps.<id>.outputs.<name>`.
    outputs: BTreeMap<String, String>,
    /// What the steps wrote to `GITHUB_STEP_SUMMARY`.
    summary: String,
    /// Whether the job would be red.
    failed: bool,
}

impl ActionRun {
    fn step(&self, name: &str) -> (bool, Option<i32>) {
        self.steps
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, ran, code)| (*ran, *code))
            .unwrap_or_else(|| panic!("no step {name}: {:?}", self.steps))
    }
}

/// Runs `action.yml` in `workdir` with `inputs`, as GitHub's runner would.
fn run_action(workdir: &Path, inputs: &[(&str, &str)]) -> ActionRun {
    let action = yaml(&root().join("action.yml"));
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    for (name, spec) in action["inputs"].as_mapping().expect("inputs") {
        values.insert(format!("inputs.{}", string(name)), string(&spec["default"]));
    }
    for (name, value) in inputs {
        let key = format!("inputs.{name}");
        assert!(values.contains_key(&key), "the action has no input {name}");
        values.insert(key, (*value).to_owned());
    }
    values.insert(
        "github.action_path".into(),
        root().canonicalize().unwrap().display().to_string(),
    );
    let home = workdir.join("home");
    let runner = workdir.join("runner");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&runner).unwrap();
    let (output_file, path_file, summary_file) = (
        runner.join("output"),
        runner.join("path"),
        runner.join("summary"),
    );
    std::fs::write(&path_file, "").unwrap();
    std::fs::write(&summary_file, "").unwrap();
    let expand = |text: &str, values: &BTreeMap<String, String>| -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("a closed expression") + start;
            let expression = rest[start + 3..end].trim();
            out.push_str(
                values
                    .get(expression)
                    .map(String::as_str)
                    .unwrap_or_else(|| {
                        assert!(
                            expression.starts_with("steps."),
                            "an expression this runner does not know: {expression}"
                        );
                        ""
                    }),
            );
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    };
    let mut run = ActionRun {
        steps: Vec::new(),
        log: String::new(),
        outputs: BTreeMap::new(),
        summary: String::new(),
        failed: false,
    };
    for step in action["runs"]["steps"].as_sequence().expect("steps") {
        let name = string(&step["name"]);
        let id = step["id"].as_str().map(str::to_owned);
        let condition = step["if"].as_str().map(str::to_owned);
        let runs = match condition.as_deref() {
            Some("always()") => true,
            Some(condition) => {
                let (left, right, equal) = match condition.split_once(" == ") {
                    Some((l, r)) => (l, r, true),
                    None => {
                        let (l, r) = condition.split_once(" != ").unwrap_or_else(|| {
                            panic!("an `if:` this runner does not know: {condition}")
                        });
                        (l, r, false)
                    }
                };
                let left = values.get(left.trim()).cloned().unwrap_or_default();
                let right = right.trim().trim_matches('\'');
                !run.failed && ((left == right) == equal)
            }
            None => !run.failed,
        };
        if !runs {
            run.steps.push((name, false, None));
            continue;
        }
        let mut step_outputs = Vec::new();
        let code = if let Some(uses) = step["uses"].as_str() {
            assert!(
                uses.starts_with("actions/cache@"),
                "an action this runner does not know: {uses}"
            );
            // The cache: a hit when the path exists (primed below, as a second run finds it).
            let path = expand(&string(&step["with"]["path"]), &values);
            step_outputs.push((
                "cache-hit".to_owned(),
                Path::new(&path).is_dir().to_string(),
            ));
            0
        } else {
            let script = string(&step["run"]);
            assert_eq!(
                step["shell"].as_str(),
                Some("bash"),
                "{name}: a shell is required"
            );
            assert!(
                !script.contains("${{"),
                "{name}: expressions go through env:, never into the script"
            );
            let extra_path = std::fs::read_to_string(&path_file).unwrap();
            let mut path: Vec<String> = extra_path.lines().rev().map(str::to_owned).collect();
            path.push(std::env::var("PATH").unwrap_or_default());
            std::fs::write(&output_file, "").unwrap();
            let mut command = Command::new("bash");
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
                .current_dir(workdir)
                .env_clear()
                .env("PATH", path.join(":"))
                .env("HOME", &home)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_STEP_SUMMARY", &summary_file);
            if let Some(env) = step["env"].as_mapping() {
                for (key, value) in env {
                    command.env(string(key), expand(&string(value), &values));
                }
            }
            let output = command.output().expect("bash runs");
            let (stdout, stderr) = text(&output);
            run.log.push_str(&format!("== {name}\n{stdout}{stderr}"));
            for line in std::fs::read_to_string(&output_file).unwrap().lines() {
                let (key, value) = line.split_once('=').expect("name=value");
                step_outputs.push((key.to_owned(), value.to_owned()));
            }
            output.status.code().unwrap_or(-1)
        };
        if let Some(id) = &id {
            for (key, value) in step_outputs {
                values.insert(format!("steps.{id}.outputs.{key}"), value.clone());
                run.outputs.insert(format!("{id}.{key}"), value);
            }
        }
        if id.as_deref() == Some("where") {
            // Prime the cache with this build: nothing is compiled by the test.
            let bin = Path::new(&values["steps.where.outputs.root"]).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::os::unix::fs::symlink(BIN, bin.join("share-conformance")).unwrap();
        }
        run.failed |= code != 0;
        run.steps.push((name, true, Some(code)));
    }
    run.summary = std::fs::read_to_string(&summary_file).unwrap();
    run
}

#[test]
fn the_github_action_runs_doctor_then_the_suite_and_leaves_its_reports() {
    let serve = Serve::start("action-pass", &[]);
    let dir = ScratchDir::new("action-pass");
    let fixtures = serve.fixtures.display().to_string();
    let run = run_action(
        dir.path(),
        &[
            ("base-url", &serve.url),
            ("fixtures", &fixtures),
            ("strict", "true"),
            ("provision", "all"),
            ("sharer-api-key", serve.flag("--sharer-api-key")),
            ("organization", serve.flag("--organization")),
            ("track", serve.flag("--track")),
            ("disposable-track", serve.flag("--disposable-track")),
            ("collection", serve.flag("--collection")),
        ],
    );
    assert!(!run.failed, "{:?}\n{}", run.steps, run.log);
    assert_eq!(
        run.step("Install share-conformance"),
        (false, None),
        "a cache hit installs nothing"
    );
    assert_eq!(run.step("Doctor"), (true, Some(0)), "{}", run.log);
    assert!(
        run.log.contains("share-conformance 0.1.0 (suite sha256:"),
        "{}",
        run.log
    );
    assert!(
        run.log
            .contains("result: a run against this target can be meaningful")
    );
    assert!(
        run.log
            .contains("(strict: a SHOULD clause that does not pass fails the run)")
    );
    assert_eq!(run.outputs["run.exit-code"], "0");
    assert_eq!(run.outputs["run.report-json"], "share-conformance.md.json");
    for file in [
        "share-conformance.xml",
        "share-conformance.html",
        "share-conformance.md",
        "share-conformance.md.json",
    ] {
        assert!(dir.join(file).is_file(), "{file} was not written");
    }
    assert!(
        run.summary
            .starts_with("# Conformance report: Save a shared track")
            && run.summary.contains("**Result: PASS**"),
        "{}",
        run.summary
    );
    let key = run.outputs["where.key"].clone();
    assert!(
        key.starts_with("share-conformance-Linux-") && key.contains("-source-"),
        "{key}"
    );
}

#[test]
fn the_github_action_fails_the_job_with_the_run_s_exit_code_after_writing_the_summary() {
    let serve = Serve::start("action-fail", &["--fault", "revoked-410"]);
    let dir = ScratchDir::new("action-fail");
    let fixtures = serve.fixtures.display().to_string();
    let run = run_action(
        dir.path(),
        &[("base-url", &serve.url), ("fixtures", &fixtures)],
    );
    assert!(run.failed, "{}", run.log);
    assert_eq!(run.outputs["run.exit-code"], "1");
    assert_eq!(
        run.step("Run the suite"),
        (true, Some(0)),
        "the summary still comes"
    );
    assert_eq!(run.step("Step summary"), (true, Some(0)));
    assert_eq!(run.step("Verdict"), (true, Some(1)), "{}", run.log);
    assert!(run.summary.contains("**Result: FAIL**"), "{}", run.summary);
    assert!(
        run.summary.contains("SAVE-404-REVOKED failed"),
        "{}",
        run.summary
    );

    // A doctor that finds the run would mislead stops the gate before the run.
    let dir = ScratchDir::new("action-doctor");
    let run = run_action(
        dir.path(),
        &[
            ("base-url", &serve.url),
            ("api-key", "ak_not_the_recipient_key"),
        ],
    );
    assert!(run.failed);
    assert_eq!(run.step("Doctor"), (true, Some(1)), "{}", run.log);
    assert_eq!(run.step("Run the suite"), (false, None));
    assert_eq!(run.step("Verdict"), (true, Some(1)));
    assert!(run.log.contains("the suite did not run"), "{}", run.log);
    assert!(!run.log.contains("ak_not_the_recipient_key"), "{}", run.log);
}

/// The GitLab template's script, line by line as GitLab's shell runs it.
fn run_gitlab_template(workdir: &Path, target: &str, tags: &str, run_args: &str) -> (bool, String) {
    let template = yaml(&root().join("ci/gitlab/share-conformance.gitlab-ci.yml"));
    let job = &template[".share-conformance"];
    let cache_root = workdir.join(".share-conformance");
    std::fs::create_dir_all(cache_root.join("bin")).unwrap();
    std::os::unix::fs::symlink(BIN, cache_root.join("bin/share-conformance")).unwrap();
    let script: Vec<String> = job["script"]
        .as_sequence()
        .expect("a script")
        .iter()
        .map(string)
        .collect();
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-e", "-c", &script.join("\n")])
        .current_dir(workdir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CI_PROJECT_DIR", workdir);
    for (key, value) in job["variables"].as_mapping().expect("variables") {
        let value = string(value).replace("$CI_PROJECT_DIR", &workdir.display().to_string());
        command.env(string(key), value);
    }
    command
        .env("SHARE_CONFORMANCE_TARGET", target)
        .env("SHARE_CONFORMANCE_TAGS", tags)
        .env("SHARE_CONFORMANCE_RUN_ARGS", run_args);
    let output = command.output().expect("bash runs");
    let (stdout, stderr) = text(&output);
    (output.status.success(), format!("{stdout}{stderr}"))
}

#[test]
fn the_gitlab_template_installs_once_then_gates_and_leaves_its_artifacts() {
    let serve = Serve::start("gitlab", &["--fault", "constant-trace-id"]);
    let dir = ScratchDir::new("gitlab");
    let target = |serve: &Serve| {
        format!(
            "--base-url {} --fixtures {} {}",
            serve.url,
            serve.fixtures.display(),
            serve.provision_flags.join(" ")
        )
    };
    let (passed, log) = run_gitlab_template(dir.path(), &target(&serve), "", "");
    assert!(passed, "an advisory defect passes a gate: {log}");
    assert!(
        log.contains("result: a run against this target can be meaningful"),
        "{log}"
    );
    let template = yaml(&root().join("ci/gitlab/share-conformance.gitlab-ci.yml"));
    for artifact in template[".share-conformance"]["artifacts"]["paths"]
        .as_sequence()
        .unwrap()
    {
        let path = string(artifact);
        assert!(dir.join(&path).is_file(), "{path} was not written: {log}");
    }
    assert_eq!(
        string(&template[".share-conformance"]["artifacts"]["reports"]["junit"]),
        "share-conformance.xml"
    );

    // A fresh server (the first run's save of the track would leave this one nothing to
    // see), the delete lifecycle left out by a tag expression with spaces in it: --strict
    // fails the job on the SHOULD clause, and on nothing else.
    let serve = Serve::start("gitlab-strict", &["--fault", "constant-trace-id"]);
    let dir = ScratchDir::new("gitlab-strict");
    let live_only = format!(
        "--base-url {} --fixtures {} --provision live --sharer-api-key {} --organization {} --track {}",
        serve.url,
        serve.fixtures.display(),
        serve.flag("--sharer-api-key"),
        serve.flag("--organization"),
        serve.flag("--track"),
    );
    let (passed, log) =
        run_gitlab_template(dir.path(), &live_only, "not @delete-lifecycle", "--strict");
    assert!(
        !passed,
        "--strict fails the job on the SHOULD clause: {log}"
    );
    assert!(
        log.contains("fails because: ERR-TRACE-ID-UNIQUE (SHOULD)"),
        "{log}"
    );
    assert!(
        log.contains("not selected by --tags: SAVE-DELETE-EMPTIES-LIBRARY, SAVE-AFTER-DELETE"),
        "{log}"
    );
    assert_eq!(
        log.matches("fails because:").count(),
        1,
        "nothing else fails: {log}"
    );
}

#[test]
fn every_pinned_version_and_address_is_the_package_s() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let repository = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .expect("the repository")
        .trim_matches('"');
    let slug = repository.trim_start_matches("https://github.com/");
    let version = env!("CARGO_PKG_VERSION");
    let template =
        std::fs::read_to_string(root().join("ci/gitlab/share-conformance.gitlab-ci.yml")).unwrap();
    assert!(template.contains(&format!("SHARE_CONFORMANCE_VERSION: \"{version}\"")));
    assert!(template.contains(&format!("SHARE_CONFORMANCE_GIT: \"{repository}\"")));
    assert!(template.contains(&format!("{slug}/v{version}/ci/gitlab/")));
    let workflow = std::fs::read_to_string(root().join("ci/github/conformance-gate.yml")).unwrap();
    assert!(
        workflow.contains(&format!("uses: {slug}@v{version}")),
        "{workflow}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("{slug}@v{version}")),
        "the README's action"
    );
    assert!(readme.contains(repository), "the README's git install");
}

/// The library's package carries its suite and the docs pages its clauses cite, and leaves
/// out what is only this repository's (the book, CI, the action).
#[test]
fn the_library_s_package_carries_its_suite() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "package",
            "--list",
            "--allow-dirty",
            "--offline",
            "-p",
            "share-conformance",
        ])
        .current_dir(root())
        .output()
        .expect("cargo runs");
    let (listing, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let files: Vec<&str> = listing.lines().collect();
    for (path, _) in share_conformance::suite::EMBEDDED {
        assert!(files.contains(path), "{path} is not packaged:\n{listing}");
    }
    for cited in [
        "docs/save-shared-track.md",
        "docs/related-endpoints.md",
        "build.rs",
    ] {
        assert!(files.contains(&cited), "{cited} is not packaged");
    }
    for kept_out in ["action.yml", "book/", ".ci/", "ci/"] {
        assert!(
            !files.iter().any(|f| f.starts_with(kept_out)),
            "{kept_out} is packaged"
        );
    }
}
