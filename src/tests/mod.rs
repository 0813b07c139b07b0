//! The suite's own tests, above every layer: its files against the step definitions, its
//! loader's refusals, the schemas against their vectors, and the snapshots against the
//! reference server.

mod hygiene;
mod schemas;
mod snapshots;
