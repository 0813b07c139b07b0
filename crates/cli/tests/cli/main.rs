//! The command line as scripts, CI gates and certifying vendors see it: exit codes, output,
//! reports, certificates, provisioning, `doctor`, hostile servers, and the key never printed.
//! Evidence: recordings re-graded, certificates checked, curl reproductions, the HTML page and
//! known failures. One test binary; what the tests share is in `support`.

mod book;
mod ci;
mod commands;
mod evidence;
mod flags;
mod hostile;
mod hostile_server;
mod html;
mod known;
mod pipelines;
mod recipe;
mod secrets;
mod support;
