//! The configuration's values as the code uses them: parsed once at start-up (`Settings::parse`,
//! also what `Config::load` validates with), in sections per concern. Time zones and send windows
//! are typed here, never re-parsed from strings by their users.

use chrono_tz::Tz;

use super::Config;
use crate::domain::plan::{QuietDay, SendWindow};
use crate::domain::send::Pacing;

#[derive(Debug, Clone)]
pub struct Settings {
    pub reminders: Reminders,
    pub pacing: Pacing,
    pub delivery: Delivery,
    pub ledger: Ledger,
    pub visits: Visits,
    /// Days after registering within which a dealer may correct a registration (admins always may).
    pub correction_days: i64,
    /// Days an ownership transfer's acceptance link works.
    pub transfer_link_days: i64,
    /// Days after an owner's own registration within which a dealer may claim it.
    pub claim_days: i64,
    pub sms: Sms,
}

/// Texts.
#[derive(Debug, Clone)]
pub struct Sms {
    /// Night hours per country (in the recipient's time zone).
    pub quiet_hours: Vec<crate::domain::sms::QuietHours>,
    /// Segments a template may take at most (`check-templates`).
    pub segment_budget: usize,
}

/// Planning reminders at registration.
#[derive(Debug, Clone)]
pub struct Reminders {
    /// The deployment's send window, quiet days included (a dealer's own window overrides it).
    pub window: SendWindow,
    /// The window and quiet days as configured, to notice a change (`jobs::upkeep`).
    pub window_key: String,
    pub expiry_notice_days: u32,
    pub catch_up_days: u32,
    /// Share of registrations in the reminder holdout (0 to 1).
    pub holdout_share: f64,
}

/// Retrying a delivery that failed for now.
#[derive(Debug, Clone, Copy)]
pub struct Delivery {
    pub max_attempts: u32,
    pub retry_base_secs: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Ledger {
    /// Decides which accounting month an amount accrues in.
    pub manufacturer_tz: Tz,
    pub auto_close_periods: bool,
}

/// Recording service visits.
#[derive(Debug, Clone, Copy)]
pub struct Visits {
    pub attribution_window_days: u32,
    pub fulfils_days: u32,
    pub fraud_visits_on_others_per_30_days: u32,
}

impl Settings {
    pub fn parse(c: &Config) -> Result<Self, String> {
        let quiet = c
            .quiet_days
            .iter()
            .map(|d| QuietDay::parse(d))
            .collect::<Result<Vec<_>, _>>()?;
        let window = SendWindow::parse(&c.send_window)?.with_quiet_days(quiet);
        let manufacturer_tz = c.manufacturer_time_zone.parse().map_err(|_| {
            format!(
                "manufacturer_time_zone {:?} is not an IANA time zone",
                c.manufacturer_time_zone
            )
        })?;
        if !(0.0..=1.0).contains(&c.holdout_share) {
            return Err("holdout_share must be from 0 to 1".into());
        }
        let quiet_hours = c
            .sms_quiet_hours
            .iter()
            .map(|q| crate::domain::sms::QuietHours::parse(q))
            .collect::<Result<Vec<_>, _>>()?;
        if c.sms_segment_budget == 0 {
            return Err("sms_segment_budget must be at least 1".into());
        }
        Ok(Self {
            sms: Sms {
                quiet_hours,
                segment_budget: c.sms_segment_budget as usize,
            },
            correction_days: i64::from(c.correction_days),
            transfer_link_days: i64::from(c.transfer_link_days),
            claim_days: i64::from(c.claim_days),
            reminders: Reminders {
                window,
                window_key: format!("{} | quiet {}", c.send_window, c.quiet_days.join(",")),
                expiry_notice_days: c.expiry_notice_days,
                catch_up_days: c.catch_up_days,
                holdout_share: c.holdout_share,
            },
            pacing: Pacing {
                min_spacing_days: c.min_spacing_days,
                frequency_cap_count: c.frequency_cap_count,
                frequency_cap_days: c.frequency_cap_days,
            },
            delivery: Delivery {
                max_attempts: c.max_attempts,
                retry_base_secs: c.retry_base_secs,
            },
            ledger: Ledger {
                manufacturer_tz,
                auto_close_periods: c.auto_close_periods,
            },
            visits: Visits {
                attribution_window_days: c.attribution_window_days,
                fulfils_days: c.service_fulfils_days,
                fraud_visits_on_others_per_30_days: c.fraud_visits_on_others_per_30_days,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_values_are_named() {
        let bad_tz = Config {
            manufacturer_time_zone: "Mars/Olympus".into(),
            ..Config::default()
        };
        assert!(
            Settings::parse(&bad_tz)
                .unwrap_err()
                .contains("manufacturer_time_zone")
        );
        let bad_day = Config {
            quiet_days: vec!["someday".into()],
            ..Config::default()
        };
        assert!(Settings::parse(&bad_day).is_err());
        let s = Settings::parse(&Config::default()).unwrap();
        assert_eq!(s.ledger.manufacturer_tz, chrono_tz::UTC);
    }
}
