//! The product catalog's rules: warranty length and start event, service plans as ISO 8601
//! periods, and the dealer profile fields that registrations fall back on.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The event that starts a product's warranty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WarrantyStart {
    Purchase,
    Delivery,
    Installation,
}

impl WarrantyStart {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Purchase => "purchase",
            Self::Delivery => "delivery",
            Self::Installation => "installation",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "purchase" => Some(Self::Purchase),
            "delivery" => Some(Self::Delivery),
            "installation" => Some(Self::Installation),
            _ => None,
        }
    }
}

/// Whether a product's warranty follows the unit to a new owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferPolicy {
    /// The remaining warranty carries over to every later owner.
    #[default]
    Transferable,
    /// The warranty stays with the first owner: the unit cannot be transferred.
    NotTransferable,
    /// It carries over to one later owner only.
    Once,
}

impl TransferPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transferable => "transferable",
            Self::NotTransferable => "not_transferable",
            Self::Once => "once",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "transferable" => Some(Self::Transferable),
            "not_transferable" => Some(Self::NotTransferable),
            "once" => Some(Self::Once),
            _ => None,
        }
    }

    /// Whether a unit already transferred `done` times may be transferred again.
    pub fn allows(self, done: i64) -> bool {
        match self {
            Self::Transferable => true,
            Self::NotTransferable => false,
            Self::Once => done == 0,
        }
    }
}

/// A date-based ISO 8601 period such as `P6M`, `P1Y6M`, `P2W` or `P90D` (no time part: service
/// steps are planned in days, the hour comes from the send window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub months: u32,
    pub days: u32,
}

impl Period {
    pub fn parse(raw: &str) -> Result<Self, (&'static str, String)> {
        let invalid = || {
            (
                "invalid_period",
                format!(
                    "{raw:?} is not an ISO 8601 period of years, months, weeks or days such as P6M or P1Y"
                ),
            )
        };
        let body = raw.strip_prefix('P').ok_or_else(invalid)?;
        if body.is_empty() {
            return Err(invalid());
        }
        let (mut months, mut days, mut number) = (0u32, 0u32, String::new());
        let mut last_unit = 0;
        for c in body.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let (rank, n) = match c {
                'Y' => (1, 12),
                'M' => (2, 1),
                'W' => (3, 7),
                'D' => (4, 1),
                _ => return Err(invalid()),
            };
            if number.is_empty() || number.len() > 4 || rank <= last_unit {
                return Err(invalid());
            }
            let value: u32 = number.parse().map_err(|_| invalid())?;
            if rank <= 2 {
                months += value * n
            } else {
                days += value * n
            }
            last_unit = rank;
            number.clear();
        }
        if !number.is_empty() || (months == 0 && days == 0) || months > 1200 || days > 36_600 {
            return Err(invalid());
        }
        Ok(Self { months, days })
    }

    /// The date this period after `start`; month ends clamp (31 Jan + P1M = 28/29 Feb).
    pub fn after(self, start: NaiveDate) -> Option<NaiveDate> {
        start
            .checked_add_months(Months::new(self.months))?
            .checked_add_days(Days::new(u64::from(self.days)))
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P")?;
        if self.months > 0 {
            write!(f, "{}M", self.months)?;
        }
        if self.days > 0 {
            write!(f, "{}D", self.days)?;
        }
        Ok(())
    }
}

/// What a registration needs to know about its product.
#[derive(Debug, Clone)]
pub struct ProductTerms {
    pub warranty_months: u32,
    pub warranty_start: WarrantyStart,
    pub service_plan: Vec<Period>,
    pub registration_window_days: u32,
}

/// The last day covered by a warranty of `months` starting on `start`: the day before the
/// anniversary (a 24-month warranty from 2026-03-15 covers up to and including 2028-03-14).
pub fn warranty_expires_on(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))?.pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_parse_like_iso_8601() {
        assert_eq!(Period::parse("P6M").unwrap(), Period { months: 6, days: 0 });
        assert_eq!(
            Period::parse("P1Y6M").unwrap(),
            Period {
                months: 18,
                days: 0
            }
        );
        assert_eq!(
            Period::parse("P2W").unwrap(),
            Period {
                months: 0,
                days: 14
            }
        );
        assert_eq!(
            Period::parse("P1Y2M3D").unwrap(),
            Period {
                months: 14,
                days: 3
            }
        );
        for bad in [
            "", "P", "6M", "P6", "PM", "P6M1Y", "PT6H", "P-1M", "P0M", "p6m", "P99999M",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn periods_clamp_to_month_end() {
        assert_eq!(
            Period::parse("P1M").unwrap().after(d("2027-01-31")),
            Some(d("2027-02-28"))
        );
        assert_eq!(
            Period::parse("P12M").unwrap().after(d("2028-02-29")),
            Some(d("2029-02-28"))
        );
    }

    #[test]
    fn warranty_ends_the_day_before_the_anniversary() {
        assert_eq!(
            warranty_expires_on(d("2026-03-15"), 24),
            Some(d("2028-03-14"))
        );
        assert_eq!(
            warranty_expires_on(d("2026-03-01"), 12),
            Some(d("2027-02-28"))
        );
    }
}
