//! GTINs (GS1 Global Trade Item Numbers: GTIN-8, -12, -13, -14) with their check digit, as
//! products carry them, and the GS1 Digital Link path of one unit (`/01/{GTIN-14}/21/{serial}`).

use super::field::FieldError;

/// A valid GTIN, kept as the 14 digits GS1 Digital Link uses (shorter ones padded with zeros).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gtin(String);

/// The GS1 check digit of `digits` (everything but the check digit itself).
fn check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl Gtin {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let text: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let invalid = |message: &str| FieldError::new("gtin", "invalid_gtin", message);
        if !matches!(text.len(), 8 | 12 | 13 | 14) || !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid("must be a GTIN of 8, 12, 13 or 14 digits"));
        }
        let digits: Vec<u8> = text.bytes().map(|b| b - b'0').collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        if check_digit(body) != check[0] {
            return Err(invalid(
                "the check digit does not match (a mistyped digit?)",
            ));
        }
        Ok(Self(format!("{text:0>14}")))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The path of a unit's address: GS1 Digital Link with the GTIN and the serial (AI 21), or the
/// short form `/unit/{sku}/{serial}` for a product without a GTIN. Parts are percent-encoded.
pub fn unit_path(gtin: Option<&str>, sku: &str, serial: &str) -> String {
    let enc = |s: &str| -> String {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    match gtin {
        Some(gtin) => format!("/01/{gtin}/21/{}", enc(serial)),
        None => format!("/unit/{}/{}", enc(sku), enc(serial)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_are_verified() {
        // Real GTIN-13 and GTIN-8 shapes with correct check digits.
        assert_eq!(
            Gtin::parse("4006381333931").unwrap().as_str(),
            "04006381333931"
        );
        assert_eq!(Gtin::parse("96385074").unwrap().as_str(), "00000096385074");
        assert_eq!(
            Gtin::parse("0 36000 29145 2").unwrap().as_str(),
            "00036000291452"
        );
        assert!(Gtin::parse("4006381333932").is_err(), "wrong check digit");
        assert!(Gtin::parse("40063813339").is_err(), "11 digits");
        assert!(Gtin::parse("40063813339X1").is_err());
    }

    #[test]
    fn unit_paths_follow_gs1_digital_link() {
        assert_eq!(
            unit_path(Some("04006381333931"), "P1", "AB 12/3"),
            "/01/04006381333931/21/AB%2012%2F3"
        );
        assert_eq!(unit_path(None, "MOWER-500", "SN1"), "/unit/MOWER-500/SN1");
    }
}
