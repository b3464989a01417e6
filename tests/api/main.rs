//! One integration-test binary: every test runs through the real router against a real SQLite file
//! and a real PostgreSQL database of its own (see `helpers::spawn_app`).

mod helpers;
mod sms_provider;
mod smtp;

mod abuse;
mod admin;
mod attribution;
mod authz;
mod batch;
mod binary;
mod bounces;
mod browser;
mod claims;
mod consistency;
mod corrections;
mod crash;
mod deliverability;
mod delivery;
mod edges;
mod erasure;
mod faults;
mod fuzz;
mod hardening;
mod idempotency;
mod incentives;
mod isolation;
mod ledger_properties;
mod operations;
mod owner;
mod pages;
mod pg_restart;
mod privacy;
mod proofs;
mod purposes;
mod registrations;
mod scale;
mod servicing;
mod subject_access;
mod texts;
mod transfers;
mod validation;
