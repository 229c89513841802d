//! End-to-end tests, one binary: every test runs on SQLite and on PostgreSQL (see `both_backends!`).

mod access;
mod admin_web;
mod agencies;
mod agencies_web;
mod app_role;
mod attachments;
mod audit;
mod audit_web;
mod bad_input;
mod cases;
mod corrections;
mod counters;
mod dashboard;
mod dates;
mod demo;
mod escalation;
mod escalation_web;
mod exports;
mod faults;
mod fuzz;
mod interop;
mod lifecycle;
mod limits;
mod matrix;
mod notifications;
mod obstacles;
// Issue #18 §1.
mod offline;
mod openapi;
mod organisations;
mod organisations_web;
mod personal;
mod personal_web;
mod progress;
mod projections;
mod restricted;
mod scope;
mod socket;
mod web;
// Issue #17 §3, §6.
mod duplicates;
mod duplicates_web;
mod verdicts;
// Issue #18 §3, §4.
mod report;
// Issue #18 §2.
mod import;
// Issue #18 §5.
mod open311;
