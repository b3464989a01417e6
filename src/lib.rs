//! warrantyd: dealer registrations, customer reminders in the dealer's name, incentives and scorecards.
//!
//! A guided tour: `config` (settings) → `app` (wiring, listener, shutdown) → `http` (routes, auth,
//! errors, OpenAPI) → `workflows` (use cases, each owning its transaction) → `domain` (pure rules) → `store` (SQL rows).

pub mod app;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv_safe;
pub mod demo;
pub mod domain;

pub mod files;
pub mod http;

pub mod jobs;
pub mod keys;
pub mod mail;
pub mod ops;
pub mod proof_files;
pub mod registration_csv;
pub mod sms;

pub mod store;
pub mod telemetry;
pub mod telemetry_metrics;
pub mod templating;
pub mod tokens;
pub mod workflows;
