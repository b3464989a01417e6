//! Who may report a service visit on a unit: the dealer that sold it, or a dealer the manufacturer
//! authorized to service others' units (anywhere, or within a territory and/or for an allow-list
//! of selling dealers). Also the thresholds that make a servicer's pattern worth a fraud signal.

use serde::{Deserialize, Serialize};

use super::contact::{Country, parse_postal_code};
use super::field::Errors;

/// A dealer's authorization to service units other dealers sold. Every list that is not empty must
/// match; all empty means any unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicingArea {
    /// ISO 3166-1 alpha-2 codes of the customers' countries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    /// Postal code prefixes of the customers' addresses (upper case, spaces kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub postal_prefixes: Vec<String>,
    /// Codes of the selling dealers whose units it may service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selling_dealers: Vec<String>,
}

/// What is known of a unit when a visit is reported: who sold it and where its customer lives.
#[derive(Debug, Clone, Copy)]
pub struct UnitSeller<'a> {
    pub dealer_code: &'a str,
    pub country: Option<&'a str>,
    pub postal_code: Option<&'a str>,
}

impl ServicingArea {
    /// Parses an admin's request; errors are named under `field`.
    pub fn parse(
        field: &str,
        countries: &[String],
        postal_prefixes: &[String],
        selling_dealers: &[String],
        e: &mut Errors,
    ) -> Option<Self> {
        let before = e.0.len();
        let mut area = Self::default();
        for (i, c) in countries.iter().enumerate() {
            if let Some(c) = e.take(&format!("{field}.countries[{i}]"), Country::parse(c)) {
                area.countries.push(c.as_str().to_owned());
            }
        }
        for (i, p) in postal_prefixes.iter().enumerate() {
            if let Some(p) = e.take(
                &format!("{field}.postal_prefixes[{i}]"),
                parse_postal_code(p),
            ) {
                area.postal_prefixes.push(p);
            }
        }
        for (i, code) in selling_dealers.iter().enumerate() {
            let code = code.trim();
            if code.is_empty()
                || code.len() > 32
                || !code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                e.push(
                    format!("{field}.selling_dealers[{i}]"),
                    "invalid_code",
                    "must be 1 to 32 letters, digits, '-' or '_'",
                );
            } else {
                area.selling_dealers.push(code.to_owned());
            }
        }
        (e.0.len() == before).then_some(area)
    }

    /// Whether this authorization covers a unit sold by another dealer.
    pub fn covers(&self, unit: &UnitSeller<'_>) -> bool {
        let country = self.countries.is_empty()
            || unit
                .country
                .is_some_and(|c| self.countries.iter().any(|x| x.eq_ignore_ascii_case(c)));
        let postal = self.postal_prefixes.is_empty()
            || unit.postal_code.is_some_and(|p| {
                let p = p.to_ascii_uppercase();
                self.postal_prefixes
                    .iter()
                    .any(|x| p.starts_with(x.as_str()))
            });
        let seller = self.selling_dealers.is_empty()
            || self.selling_dealers.iter().any(|x| x == unit.dealer_code);
        country && postal && seller
    }
}

/// Whether `servicer` may report a visit on a unit `seller` sold.
pub fn may_service(
    servicer_is_seller: bool,
    authorization: Option<&ServicingArea>,
    unit: &UnitSeller<'_>,
) -> bool {
    servicer_is_seller || authorization.is_some_and(|area| area.covers(unit))
}

/// A visit reported this soon after a reminder was sent for a unit, by a servicer that never
/// reported a visit on it before, is worth a look (a servicer feeding the seller credits).
pub const VISIT_RIGHT_AFTER_REMINDER_HOURS: i64 = 48;

#[cfg(test)]
mod tests {
    use super::*;

    fn unit<'a>(
        code: &'a str,
        country: Option<&'a str>,
        postal: Option<&'a str>,
    ) -> UnitSeller<'a> {
        UnitSeller {
            dealer_code: code,
            country,
            postal_code: postal,
        }
    }

    #[test]
    fn the_seller_always_may_and_nobody_else_without_an_authorization() {
        let u = unit("A", Some("FR"), Some("75011"));
        assert!(may_service(true, None, &u));
        assert!(!may_service(false, None, &u));
        assert!(may_service(false, Some(&ServicingArea::default()), &u));
    }

    #[test]
    fn a_territory_and_an_allow_list_must_all_match() {
        let area = ServicingArea {
            countries: vec!["FR".into()],
            postal_prefixes: vec!["75".into(), "92".into()],
            selling_dealers: vec!["A".into()],
        };
        assert!(area.covers(&unit("A", Some("FR"), Some("75011"))));
        assert!(!area.covers(&unit("A", Some("FR"), Some("69001"))));
        assert!(!area.covers(&unit("A", Some("DE"), Some("75011"))));
        assert!(!area.covers(&unit("B", Some("FR"), Some("75011"))));
        assert!(
            !area.covers(&unit("A", None, None)),
            "an unknown place is outside a territory"
        );
    }

    #[test]
    fn requests_are_checked_field_by_field() {
        let mut e = Errors::default();
        let area = ServicingArea::parse(
            "authorized_servicer",
            &["fr".into(), "XX".into()],
            &["75".into()],
            &["A B".into()],
            &mut e,
        );
        assert!(area.is_none());
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "authorized_servicer.countries[1]",
                "authorized_servicer.selling_dealers[0]"
            ]
        );
    }
}
