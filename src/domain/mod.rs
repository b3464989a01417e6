//! Pure business rules: parsing wire input into valid values, warranty dates, reminder planning and
//! send windows. Nothing here performs IO or knows about HTTP, SQL, queues or SMTP.

pub mod catalog;
pub mod contact;
pub mod field;
pub mod incentives;
pub mod plan;
pub mod registration;
pub mod scorecard;
pub mod servicing;

pub use field::FieldError;
