//! The library's tests through its public API, against real servers on loopback sockets: the
//! verdicts a vendor can defend, the runner's guarantees, TLS, and the library as a vendor
//! uses it. One test binary; what they share is in `support`.

mod library;
mod panic_hook;
mod quiet;
mod runner;
mod support;
mod tls;
mod verdicts;
