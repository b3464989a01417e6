//! warrantyd: dealer registrations, customer reminders in the dealer's name, incentives and scorecards.
//!
//! A guided tour: `config` (settings) → `app` (wiring, listener, shutdown) → `http` (routes, auth,
//! errors, OpenAPI) → `intake` (registering units) → `domain` (pure rules) → `store` (SQL).

pub mod app;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod csv_safe;
pub mod domain;
pub mod erasure;
pub mod files;
pub mod http;
pub mod intake;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod ops;
pub mod store;
pub mod telemetry;
pub mod telemetry_metrics;
pub mod tokens;
pub mod visits;
