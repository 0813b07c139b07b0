//! The command line as scripts, CI gates and certifying vendors see it: exit codes, output,
//! reports, certificates, provisioning, `doctor`, hostile servers, and the key never printed.
//! One test binary; what the tests share is in `support`.

mod ci;
mod commands;
mod flags;
mod hostile;
mod hostile_server;
mod secrets;
mod support;
