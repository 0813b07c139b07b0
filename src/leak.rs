//! The leak scan: after a run, every artifact it wrote and everything it printed are read back
//! and searched for each secret in every form the redactor masks, and, wider than the
//! redactor, for any eight of a key's letters and digits in a row.
//!
//! Every output already passes through the redactor, so a hit means a path that bypassed it
//! or an encoding it does not know: the run fails with its own message, and a leaking file is
//! removed rather than left behind.

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
            "LEAK: a key appears in {} ({}){}: treat the key as exposed and rotate it",
            self.place,
            self.form,
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
        if let Some(form) = redactor.scan(&String::from_utf8_lossy(&bytes)) {
            let removed = std::fs::remove_file(path).is_ok();
            leaks.push(Leak {
                place: path.display().to_string(),
                form,
                removed,
            });
        }
    }
    if let Some(form) = redactor.scan(console) {
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

        // Wider than the whole forms: eight letters and digits of the key in a row, in any
        // case, in what an output holds. The redactor masks them (here the key upper-cased,
        // which neither the key nor its case swapped has in any eight in a row), so only a
        // path that bypassed it leaves them for the scan to find.
        let key = ApiKey::new("ak_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S").unwrap();
        let redactor = Redactor::new([&key]);
        let upper = "AK_A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8S";
        let masked = redactor.redact(upper);
        assert!(
            !masked.contains("A1B2C3D4") && masked.contains("***"),
            "{masked}"
        );
        assert!(scan(&redactor, &[], &masked).is_empty(), "{masked}");
        let found = scan(&redactor, &[], upper);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].form, Form::Fragment);
        // Letters alone, though masked, are no evidence the scan fails a run on.
        let letters = ApiKey::new("ak_VendorRecipientKeyZq9").unwrap();
        let letters = Redactor::new([&letters]);
        assert!(letters.redact("at vendorrecipient.example").contains("***"));
        assert!(scan(&letters, &[], "at vendorrecipient.example").is_empty());
        // Its first or last characters are masked, but for fewer than eight in a row.
        let first = redactor.redact("sent ak_A1b2C3d4E5f6G7h8I9j0 then");
        assert!(
            !first.contains("A1b2C3d4") && first.contains("***"),
            "{first}"
        );
        let last = redactor.redact("sent M3n4O5p6Q7r8S then");
        assert!(!last.contains("M3n4O5p6") && last.contains("***"), "{last}");
        assert!(scan(&redactor, &[], "ak_A1b2C3d and nothing more").is_empty());
        // A key made of words has no fragments: the words elsewhere are no leak.
        let wordy = ApiKey::new("ak_vendorrecipient0000000000000000000000").unwrap();
        let wordy = Redactor::new([&wordy]);
        assert!(scan(&wordy, &[], "with the recipient's key, shr_00000000").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
