//! End-to-end tests, one binary: every test runs on SQLite and on PostgreSQL (see `both_backends!`).

mod bad_input;
mod lifecycle;
mod projections;
mod socket;
