//! The README's CI recipe, run as written, run after run: against a server that lists a
//! track per save, and against one where a later run cannot see its save and accepts that
//! case by name.

use std::path::Path;

use share_conformance::Fixtures;

use crate::ci::read;
use crate::support::*;

/// The README's CI recipe (the shell block between its `ci-recipe` markers), as written.
fn readme_recipe() -> String {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"));
    let block = readme
        .split("<!-- ci-recipe:begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- ci-recipe:end -->").next())
        .expect("the README marks its CI recipe");
    let script = block
        .split("```sh")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the recipe is a sh block");
    assert!(
        script.contains("share-conformance doctor") && script.contains("share-conformance run"),
        "doctor, then run: {script}"
    );
    script.to_owned()
}

/// Runs the README's recipe in `dir` against `serve`, as a CI job's shell would (`bash -e`,
/// the variables from its secret store): its output, and whether it succeeded.
fn run_readme_recipe(serve: &Serve, dir: &Path, extra_run_flags: &str) -> (bool, String) {
    let mut script = readme_recipe();
    if !extra_run_flags.is_empty() {
        script = script.replace(
            "share-conformance run ",
            &format!("share-conformance run {extra_run_flags} "),
        );
    }
    let seeded = serve.seeded();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let output = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-c", &script])
        .current_dir(dir)
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin_dir.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("STAGING_URL", &serve.url)
        .env("SHARER_ORG", serve.flag("--organization"))
        .env("SHARED_TRACK", serve.flag("--track"))
        .env("FREDDY_API_KEY", seeded.api_key.clone().unwrap().expose())
        .env("FREDDY_SHARER_API_KEY", serve.flag("--sharer-api-key"))
        .output()
        .expect("bash runs");
    let (stdout, stderr) = text(&output);
    (output.status.success(), format!("{stdout}{stderr}"))
}

/// What the recipe keeps static: every token but the live one, and the recipient's org.
fn static_staging(serve: &Serve, name: &str) -> ScratchDir {
    let seeded = serve.seeded();
    let dir = ScratchDir::new(name);
    std::fs::create_dir_all(dir.join("ci")).unwrap();
    let mut staging = Fixtures {
        tokens: seeded.tokens.clone(),
        recipient: seeded.recipient.clone(),
        ..Default::default()
    };
    staging.tokens.live = None;
    std::fs::write(dir.join("ci/staging.toml"), staging.to_toml()).unwrap();
    dir
}

/// Three runs of the README's recipe in a row, with the same recipient and track, against a
/// server that lists a track once per save (newest save first): every run passes, each with
/// its own fresh share revoked at its end, and nothing is NOT-TESTABLE but the delete
/// lifecycle the recipe leaves out.
#[test]
fn the_readme_ci_recipe_passes_run_after_run_against_a_server_that_lists_a_track_per_save() {
    let serve = Serve::start("ci-recipe", &["--variant", "entry-per-save"]);
    let dir = static_staging(&serve, "ci-recipe");
    for round in 1..=3 {
        let (passed, log) = run_readme_recipe(&serve, dir.path(), "");
        assert!(passed, "round {round}:\n{log}");
        assert!(log.contains("provisioned live: share mslink_"), "{log}");
        assert!(log.contains("result: PASS"), "{log}");
        assert!(!log.contains("NOT-TESTABLE  "), "round {round}: {log}");
        for clause in [
            "SAVE-LIBRARY-ADDED",
            "SAVE-AFTER-REVOKE",
            "SAVE-REVOKE-KEEPS-COPY",
        ] {
            assert_eq!(
                verdict_line(&log, clause),
                [clause, "MUST", "PASS"],
                "round {round}: {log}"
            );
        }
        assert!(
            log.contains("not selected by --tags: SAVE-DELETE-EMPTIES-LIBRARY, SAVE-AFTER-DELETE"),
            "{log}"
        );
        if round > 1 {
            // The track is in the library from the run before: said, not failed.
            assert!(log.contains("! live share: its track"), "{log}");
        }
    }
    assert!(dir.join("conformance.xml").exists() && dir.join("conformance.md.json").exists());
}

/// Against a server that lists a track once and keeps a re-saved one where it was, the
/// recipe's second run cannot see what its save added: NOT-TESTABLE in the `listed-once` case,
/// which fails it, and which the book's `[[untestable]]` entry accepts by name (and nothing
/// else: the run still fails on a real defect). `certify` never takes the entry.
#[test]
fn the_readme_ci_recipe_can_accept_by_name_what_a_later_run_cannot_see() {
    let serve = Serve::start("ci-recipe-kept", &["--variant", "kept-in-place"]);
    let dir = static_staging(&serve, "ci-recipe-kept");
    let (passed, log) = run_readme_recipe(&serve, dir.path(), "");
    assert!(passed, "the first run sees the track arrive: {log}");
    let (passed, log) = run_readme_recipe(&serve, dir.path(), "");
    assert!(!passed, "{log}");
    assert_eq!(
        verdict_line(&log, "SAVE-LIBRARY-ADDED"),
        ["SAVE-LIBRARY-ADDED", "MUST", "NOT-TESTABLE"],
        "{log}"
    );
    assert!(
        log.contains("none of its scenarios could run: [listed-once]"),
        "{log}"
    );
    assert!(log.contains("0 failed"), "nothing else is wrong: {log}");

    // The book's entry, as written there.
    let book = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../book/src/ci-gates.md"));
    let entry = book
        .split("```toml\n[[untestable]]")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the book shows an [[untestable]] entry");
    let entry = format!("[[untestable]]{entry}").replace("2027-03-01", "2099-12-31");
    std::fs::write(dir.join("accepted.toml"), &entry).unwrap();
    let (passed, log) = run_readme_recipe(&serve, dir.path(), "--known-failures accepted.toml");
    assert!(passed, "{log}");
    assert!(
        log.contains("accepted: SAVE-LIBRARY-ADDED is NOT-TESTABLE (listed-once), accepted by accepted.toml until 2099-12-31"),
        "{log}"
    );
    assert_eq!(
        verdict_line(&log, "SAVE-LIBRARY-ADDED"),
        ["SAVE-LIBRARY-ADDED", "MUST", "NOT-TESTABLE"],
        "accepted is never passed: {log}"
    );

    // Expired, it accepts nothing.
    std::fs::write(
        dir.join("expired.toml"),
        entry.replace("2099-12-31", "2020-01-01"),
    )
    .unwrap();
    let (passed, log) = run_readme_recipe(&serve, dir.path(), "--known-failures expired.toml");
    assert!(!passed, "{log}");
    assert!(log.contains("expired"), "{log}");

    // A certificate takes no such file.
    let output = harness(&[
        "certify",
        "--base-url",
        &serve.url,
        "--known-failures",
        &dir.join("accepted.toml").display().to_string(),
        "--report",
        &dir.join("cert.md").display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{:?}", text(&output));
}
