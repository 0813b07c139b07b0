//! The README's and the book's runnable examples, run as a reader would run them: every shell
//! block marked `<!-- runnable -->` (optionally `<!-- runnable: exit=1 serve="--fault NAME" -->`)
//! is run with bash in an empty directory, with `share-conformance` on the PATH, against a
//! reference server started for it, whose address, keys and ids are in the variables the book
//! names (`STAGING_URL`, `FREDDY_API_KEY`, …) and whose tokens are in `staging.toml` (all of
//! them) and `ci/staging.toml` (all but the live one).

use std::path::{Path, PathBuf};
use std::process::Command;

use share_conformance::Fixtures;

use crate::support::*;

/// One runnable block: where it is, what it runs, how it must end, what `serve` gets.
#[derive(Debug)]
struct Block {
    place: String,
    script: String,
    exit: i32,
    serve: Vec<String>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README and every page of the book.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut dirs = vec![root().join("book/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("book/src") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    pages
}

/// The runnable blocks of one page.
fn blocks(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(marker) = line
            .trim()
            .strip_prefix("<!-- runnable")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let mut exit = 0;
        let mut serve = Vec::new();
        let attributes = marker.trim().trim_start_matches(':').trim();
        let mut rest = attributes;
        while !rest.is_empty() {
            if let Some(value) = rest.strip_prefix("exit=") {
                let (number, after) = value.split_once(' ').unwrap_or((value, ""));
                exit = number
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}:{}: exit={number}", i + 1));
                rest = after.trim();
            } else if let Some(value) = rest.strip_prefix("serve=\"") {
                let (flags, after) = value
                    .split_once('"')
                    .unwrap_or_else(|| panic!("{name}:{}: serve=\" is not closed", i + 1));
                serve = flags.split_whitespace().map(str::to_owned).collect();
                rest = after.trim();
            } else {
                panic!("{name}:{}: an unknown runnable attribute: {rest}", i + 1);
            }
        }
        let fence = lines.get(i + 1).map(|l| l.trim()).unwrap_or_default();
        assert!(
            fence == "```sh" || fence == "```bash",
            "{name}:{}: a runnable marker must be followed by a ```sh block, not {fence:?}",
            i + 2
        );
        let script: Vec<&str> = lines[i + 2..]
            .iter()
            .take_while(|l| l.trim() != "```")
            .copied()
            .collect();
        out.push(Block {
            place: format!("{name}:{}", i + 2),
            script: script.join("\n"),
            exit,
            serve,
        });
    }
    out
}

/// The block's commands, continuation lines joined: all but the last must succeed, the last
/// must end with the block's exit code.
fn script(block: &Block) -> String {
    let joined = block.script.replace("\\\n", " ");
    let commands: Vec<&str> = joined
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let (last, before) = commands
        .split_last()
        .expect("a runnable block runs something");
    format!("set -e\n{}\nset +e\n{last}\n", before.join("\n"))
}

/// Runs `block`: what went wrong, if its exit code is not the one it states.
fn run_block(block: &Block) -> Option<String> {
    let serve = Serve::start(
        "book",
        &block.serve.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let dir = ScratchDir::new("book-block");
    let seeded = serve.seeded();
    let mut staging = Fixtures {
        tokens: seeded.tokens.clone(),
        recipient: seeded.recipient.clone(),
        expected: seeded.expected.clone(),
        ..Default::default()
    };
    std::fs::write(dir.join("staging.toml"), staging.to_toml()).unwrap();
    staging.tokens.live = None;
    staging.expected = Default::default();
    std::fs::create_dir_all(dir.join("ci")).unwrap();
    std::fs::write(dir.join("ci/staging.toml"), staging.to_toml()).unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let recipient_key = seeded
        .api_key
        .clone()
        .expect("serve names the recipient's key");
    let output = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &script(block)])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir.path())
        .env("STAGING_URL", &serve.url)
        .env("FREDDY_API_KEY", recipient_key.expose())
        .env("FREDDY_SHARER_API_KEY", serve.flag("--sharer-api-key"))
        .env("SHARER_ORG", serve.flag("--organization"))
        .env("SHARED_TRACK", serve.flag("--track"))
        .env("DISPOSABLE_TRACK", serve.flag("--disposable-track"))
        .env("COLLECTION", serve.flag("--collection"))
        .env("RECIPIENT_ORG", serve.flag("--recipient-organization"))
        .output()
        .expect("bash runs");
    let (stdout, stderr) = text(&output);
    (output.status.code() != Some(block.exit)).then(|| {
        format!(
            "{}: the block ends with exit {:?}, not {}, here:\n{}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            block.place,
            output.status.code(),
            block.exit,
            block.script
        )
    })
}

#[test]
fn every_runnable_block_of_the_readme_and_the_book_runs_as_written() {
    let blocks: Vec<Block> = pages().iter().flat_map(|p| blocks(p)).collect();
    let readme = blocks
        .iter()
        .filter(|b| b.place.starts_with("README.md"))
        .count();
    assert!(readme >= 2, "the README shows its commands: {blocks:#?}");
    assert!(
        blocks.len() >= 10,
        "the book shows what it says: {} runnable blocks",
        blocks.len()
    );
    let failures: Vec<String> = blocks.iter().filter_map(run_block).collect();
    assert!(
        failures.is_empty(),
        "{} of {} runnable blocks do not run as written:\n\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_readme_stays_a_page_and_links_into_the_book() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines <= 200, "the README has {lines} lines");
    let summary = std::fs::read_to_string(root().join("book/src/SUMMARY.md")).unwrap();
    for line in summary.lines() {
        let Some(target) = line.split("](").nth(1).and_then(|r| r.split(')').next()) else {
            continue;
        };
        assert!(
            root().join("book/src").join(target).is_file(),
            "SUMMARY.md names {target}, which does not exist"
        );
    }
    // Every link from the README into the book names a page that exists.
    for link in readme.split("](book/src/").skip(1) {
        let page = link.split([')', '#']).next().unwrap();
        assert!(
            root().join("book/src").join(page).is_file(),
            "README links to {page}"
        );
    }
}
