//! Admin endpoints, one file per resource: `dealers` (profiles and servicing authorization),
//! `keys` (API keys), `products` (the catalog) and `people` (a person across dealers, and
//! erasure). Incentive programs are in `crate::http::programs`.
//!
//! This module holds what several of them share: the check of dealer and program codes.

pub mod dealers;
pub mod keys;
pub mod people;
pub mod products;

use crate::http::error::ApiError;

/// Dealer and program codes (`domain::catalog_input::check_code`), as a problem document.
pub fn check_code(field: &str, code: &str) -> Result<(), ApiError> {
    crate::domain::catalog_input::check_code(field, code).map_err(|e| ApiError::Validation(vec![e]))
}
