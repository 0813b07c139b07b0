//! Every text a run produces, from its [`Report`](crate::Report) or its parts: the console
//! ([`console`]: progress, the clause table, the summary, `assert_passed`'s message, the
//! doctor's lines), JUnit XML ([`junit`]), Cucumber JSON ([`cucumber_json`]), the
//! certificate in Markdown and JSON ([`certificate`]) and the HTML page ([`html`]). Nothing
//! else formats results.

pub mod certificate;
pub(crate) mod console;
pub(crate) mod cucumber_json;
pub(crate) mod html;
pub(crate) mod junit;
