//! The suite's own tests: its files, its loader's refusals, the schemas against their vectors,
//! and the snapshots against the reference server.

mod hygiene;
mod schemas;
mod snapshots;
