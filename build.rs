//! Records the git commit the binary is built from, for certificates: `-dirty` when tracked
//! files differ from it; from `.cargo_vcs_info.json` in a packaged crate (crates.io, `cargo
//! install`), which has no `.git`; `unknown` otherwise.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The commit cargo recorded when it packaged this crate: `"sha1": "…"` in
/// `.cargo_vcs_info.json`.
fn packaged_commit() -> Option<String> {
    let text = std::fs::read_to_string(".cargo_vcs_info.json").ok()?;
    let rest = text.split("\"sha1\"").nth(1)?;
    let sha: String = rest
        .trim_start_matches([' ', ':', '"'])
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (sha.len() == 40).then_some(sha)
}

/// The commit of the git checkout this crate is the root of (not of some repository above it,
/// such as a home directory kept in git).
fn checkout_commit() -> Option<String> {
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let here = std::env::current_dir().ok()?;
    if Path::new(&top).canonicalize().ok()? != here.canonicalize().ok()? {
        return None;
    }
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty())?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(format!("{commit}{}", if dirty { "-dirty" } else { "" }))
}

fn main() {
    let commit = packaged_commit()
        .or_else(checkout_commit)
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=SHARE_CONFORMANCE_COMMIT={commit}");
    println!("cargo:rerun-if-changed=build.rs");
    // A missing path would make cargo rerun this script on every build.
    for path in [".git/HEAD", ".git/index", ".cargo_vcs_info.json"] {
        if Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
