//! Pure business rules: parsing wire input into valid values, warranty dates, reminder planning and
//! send windows, the send decision, consent, attribution, the ledger's money, months, cap and
//! settlement, the statement workflow, scorecard formulas. Nothing here performs IO or knows about HTTP, SQL, queues or SMTP.

pub mod account;
pub mod attribution;
pub mod catalog;
pub mod catalog_input;
pub mod consent;
pub mod contact;
pub mod field;
pub mod gtin;
pub mod holdout;
pub mod incentives;
pub mod ledger;
pub mod outcome;
pub mod plan;
pub mod proof;
pub mod registration;
pub mod scorecard;
pub mod send;
pub mod servicing;
pub mod sms;

pub use field::FieldError;
