//! Every text a run produces, from its [`Report`](crate::Report) or its parts: the console
//! (progress, the clause table, the summary, `assert_passed`'s message, the doctor's lines,
//! a certificate's verification), JUnit XML, Cucumber JSON, the report or certificate in
//! Markdown, and the HTML page. Nothing else formats results.
//!
//! The command line prints what these functions return; a vendor's tool can print the same.
//!
//! ```
//! let suite = share_conformance::Suite::embedded()?;
//! let listing = share_conformance::render::clause_listing(&suite);
//! assert!(listing.starts_with("SAVE-"));
//! # Ok::<(), share_conformance::Error>(())
//! ```

pub(crate) mod console;
pub(crate) mod cucumber_json;
pub(crate) mod html;
pub(crate) mod junit;
pub(crate) mod markdown;

pub use console::{clause_listing, diagnosis, verification};
