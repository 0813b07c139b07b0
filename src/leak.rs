//! The leak scan: after a run, every artifact it wrote and everything it printed are read back
//! and searched for each secret in its plain, percent-encoded and base64 forms.
//!
//! Every output already passes through the redactor, so a hit means a path that bypassed it:
//! the run fails with its own message, and a leaking file is removed rather than left behind.

use std::fmt;
use std::path::PathBuf;

use crate::secret::{Form, Redactor};

/// A secret found where it must not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leak {
    /// Where: a file path, or `console output`.
    pub place: String,
    /// In which form.
    pub form: Form,
    /// Whether the file was removed.
    pub removed: bool,
}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "LEAK: a key appears ({} form) in {}{}: treat the key as exposed and rotate it",
            self.form,
            self.place,
            if self.removed {
                ", which was removed"
            } else {
                ""
            }
        )
    }
}

/// Searches `files` and `console` for every secret `redactor` knows; removes leaking files.
pub fn scan(redactor: &Redactor, files: &[PathBuf], console: &str) -> Vec<Leak> {
    let mut leaks = Vec::new();
    for path in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        if let Some(form) = redactor.find(&String::from_utf8_lossy(&bytes)) {
            let removed = std::fs::remove_file(path).is_ok();
            leaks.push(Leak {
                place: path.display().to_string(),
                form,
                removed,
            });
        }
    }
    if let Some(form) = redactor.find(console) {
        leaks.push(Leak {
            place: "console output".into(),
            form,
            removed: false,
        });
    }
    leaks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ApiKey;

    #[test]
    fn finds_a_key_that_bypassed_redaction_and_removes_the_file() {
        let key = ApiKey::new("ak_LeakScanCanary123").unwrap();
        let redactor = Redactor::new([&key]);
        let dir = std::env::temp_dir().join(format!("leak-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let clean = dir.join("clean.xml");
        let dirty = dir.join("dirty.json");
        std::fs::write(&clean, "<testsuites/>").unwrap();
        std::fs::write(&dirty, "{\"echo\":\"ak_LeakScanCanary123\"}").unwrap();
        let leaks = scan(&redactor, &[clean.clone(), dirty.clone()], "all *** here");
        assert_eq!(leaks.len(), 1, "{leaks:?}");
        assert_eq!(leaks[0].form, Form::Plain);
        assert!(leaks[0].removed && !dirty.exists() && clean.exists());
        assert!(leaks[0].to_string().contains("rotate"));

        let console = scan(&redactor, &[], "sent ak_LeakScanCanary123%21");
        assert_eq!(console[0].place, "console output");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
