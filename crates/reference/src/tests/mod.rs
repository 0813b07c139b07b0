//! The server through its routes: in-process with `oneshot`, and over loopback.

mod fuzz;
mod routes;
