//! The owner's door, first part: a dealer's QR code opens a self-registration form (on the
//! owner's phone, in the browser's language) that registers the unit exactly as the API does —
//! same validation, one transaction, reminders, incentives — credited to that dealer, with the
//! channel `owner_qr`; the owner confirms by the link emailed to them. Units have public
//! addresses (GS1 Digital Link `/01/{GTIN}/21/{serial}`, or `/unit/{sku}/{serial}`) that say only
//! the product and whether it is registered. Dealers print their QR codes; admins print units'.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;

use super::AppState;
use super::session::{self};

mod my_data;
mod owner;
mod proof;
mod qr_codes;
mod self_registration;
mod transfer;
mod units;

pub use my_data::{owner_my_data, owner_my_data_json};
pub use owner::{owner_choices, owner_not_mine, owner_page, owner_url};
pub use proof::{owner_proof, owner_proof_upload};
pub use qr_codes::{
    dealer_qr_page, dealer_qr_png, dealer_qr_svg, unit_qr_png, unit_qr_svg, units_page,
    units_sheet_post,
};
pub use self_registration::{
    self_register, self_registered, self_registration_form, self_registration_url,
};
pub use transfer::{
    owner_transfer, owner_transfer_dispute, owner_transfer_stop, send_offer, transfer_accept,
    transfer_done, transfer_form,
};
pub use units::{unit_by_gtin, unit_by_sku, unit_register, unit_register_form};

pub(super) fn base(state: &AppState) -> &str {
    state.config.public_url.trim_end_matches('/')
}

/// A plain page saying the code cannot be used: nothing about why, nothing about any dealer.
pub(super) fn unusable(state: &AppState, headers: &HeaderMap) -> Response {
    session::public_page(
        state,
        headers,
        StatusCode::NOT_FOUND,
        "owner/unusable.html.j2",
        context! {},
    )
}
