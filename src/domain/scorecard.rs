//! Scorecard maths: every figure of a dealer's period, computed from stored facts. The formulas are
//! documented in the README; this module is the one place they live.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// One registration created in the period, as the scorecard needs it.
#[derive(Debug, Clone)]
pub struct RegistrationFact {
    pub purchase_date: NaiveDate,
    /// The day it was registered, in the manufacturer's time zone.
    pub registered_on: NaiveDate,
    /// The product's registration window (days after purchase that count as on time).
    pub window_days: i32,
    pub has_email: bool,
    pub consented: bool,
    pub voided: bool,
}

/// Counts and sums read from the store for one dealer and period.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub registrations: Vec<RegistrationFact>,
    pub rejected: i64,
    pub duplicates: i64,
    pub reminders_sent: i64,
    /// Of those, sent within a day of their due time.
    pub reminders_sent_on_time: i64,
    /// Service and warranty reminders sent (confirmations excluded): the attribution base.
    pub service_reminders_sent: i64,
    pub bounced: i64,
    pub clicked: i64,
    pub attributed_visits: i64,
    pub currency: Option<String>,
    pub accrued_minor: i64,
    /// Earned but held until the customer confirms (or, without an email, until the
    /// verification days pass).
    pub held_minor: i64,
    pub approved_minor: i64,
    pub paid_minor: i64,
    /// Days from the period's close to approval and to payment of its statement, if it happened.
    pub days_to_approve: Option<i64>,
    pub days_to_pay: Option<i64>,
    pub statement_exists: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReminderFigures {
    pub sent: i64,
    /// Accepted by the next hop (bounces reported later make the reminder a bounce instead).
    pub delivered: i64,
    pub bounced: i64,
    pub clicked: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IncentiveFigures {
    pub currency: Option<String>,
    pub accrued_minor: i64,
    /// Earned by the period's registrations, held until the customer confirms (or, for a customer
    /// without an email address, until the program's verification days have passed).
    pub held_minor: i64,
    pub approved_minor: i64,
    pub paid_minor: i64,
}

/// The manufacturer's side of the deal.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ManufacturerFigures {
    /// Share of reminders sent within a day of their due time.
    pub reminders_on_time_rate: Option<f64>,
    /// Whether the period's statement was approved within the agreed days of the close (None: no statement yet).
    pub statement_approved_on_time: Option<bool>,
    pub statement_paid_on_time: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Attainment {
    /// `registrations`, `on_time_rate`, `contact_completeness` or `attributed_visits`.
    pub metric: String,
    pub target: f64,
    pub actual: f64,
    /// actual / target (1.0 = met).
    pub attainment: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Scorecard {
    pub dealer_code: String,
    pub period: String,
    /// Registrations created in the period and still active.
    pub registrations: i64,
    pub voided: i64,
    /// Share of the period's registrations made within the product's registration window.
    pub on_time_rate: Option<f64>,
    pub median_days_to_register: Option<f64>,
    /// Share with an email address and consent to service reminders.
    pub contact_completeness: Option<f64>,
    pub rejected_submissions: i64,
    pub duplicate_submissions: i64,
    pub reminders: ReminderFigures,
    pub attributed_visits: i64,
    /// Attributed visits per service or warranty reminder sent.
    pub attribution_rate: Option<f64>,
    pub incentives: IncentiveFigures,
    pub manufacturer: ManufacturerFigures,
    pub targets: Vec<Attainment>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    })
}

pub const METRICS: [&str; 4] = [
    "registrations",
    "on_time_rate",
    "contact_completeness",
    "attributed_visits",
];

/// Computes the scorecard. `targets` are (metric, target); `approve_within` and `pay_within` are the
/// agreed days after the close.
pub fn compute(
    dealer_code: &str,
    period: &str,
    facts: &Facts,
    targets: &[(String, f64)],
    approve_within: i64,
    pay_within: i64,
) -> Scorecard {
    let active: Vec<&RegistrationFact> = facts.registrations.iter().filter(|r| !r.voided).collect();
    let n = active.len() as i64;
    let days = |r: &RegistrationFact| (r.registered_on - r.purchase_date).num_days();
    let on_time = active
        .iter()
        .filter(|r| days(r) <= i64::from(r.window_days))
        .count() as i64;
    let complete = active.iter().filter(|r| r.has_email && r.consented).count() as i64;
    let mut delays: Vec<i64> = active.iter().map(|r| days(r)).collect();
    let on_time_rate = rate(on_time, n);
    let contact_completeness = rate(complete, n);
    let actual = |metric: &str| match metric {
        "registrations" => n as f64,
        "on_time_rate" => on_time_rate.unwrap_or(0.0),
        "contact_completeness" => contact_completeness.unwrap_or(0.0),
        _ => facts.attributed_visits as f64,
    };
    Scorecard {
        dealer_code: dealer_code.to_owned(),
        period: period.to_owned(),
        registrations: n,
        voided: facts.registrations.len() as i64 - n,
        on_time_rate,
        median_days_to_register: median(&mut delays),
        contact_completeness,
        rejected_submissions: facts.rejected,
        duplicate_submissions: facts.duplicates,
        reminders: ReminderFigures {
            sent: facts.reminders_sent,
            delivered: facts.reminders_sent,
            bounced: facts.bounced,
            clicked: facts.clicked,
        },
        attributed_visits: facts.attributed_visits,
        attribution_rate: rate(facts.attributed_visits, facts.service_reminders_sent),
        incentives: IncentiveFigures {
            currency: facts.currency.clone(),
            accrued_minor: facts.accrued_minor,
            held_minor: facts.held_minor,
            approved_minor: facts.approved_minor,
            paid_minor: facts.paid_minor,
        },
        manufacturer: ManufacturerFigures {
            reminders_on_time_rate: rate(facts.reminders_sent_on_time, facts.reminders_sent),
            statement_approved_on_time: facts
                .statement_exists
                .then(|| facts.days_to_approve.is_some_and(|d| d <= approve_within)),
            statement_paid_on_time: facts
                .statement_exists
                .then(|| facts.days_to_pay.is_some_and(|d| d <= pay_within)),
        },
        targets: targets
            .iter()
            .map(|(metric, target)| {
                let actual = actual(metric);
                Attainment {
                    metric: metric.clone(),
                    target: *target,
                    actual,
                    attainment: (*target > 0.0).then(|| actual / target),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(
        purchase: &str,
        registered: &str,
        has_email: bool,
        consented: bool,
        voided: bool,
    ) -> RegistrationFact {
        RegistrationFact {
            purchase_date: purchase.parse().unwrap(),
            registered_on: registered.parse().unwrap(),
            window_days: 30,
            has_email,
            consented,
            voided,
        }
    }

    #[test]
    fn figures_follow_their_formulas() {
        let facts = Facts {
            registrations: vec![
                reg("2026-11-01", "2026-11-05", true, true, false), // 4 days, on time, complete
                reg("2026-09-01", "2026-11-10", true, false, false), // 70 days, late
                reg("2026-11-10", "2026-11-12", false, true, false), // 2 days, phone only
                reg("2026-11-10", "2026-11-11", true, true, true),  // voided: not counted
            ],
            reminders_sent: 4,
            reminders_sent_on_time: 3,
            service_reminders_sent: 2,
            attributed_visits: 1,
            ..Facts::default()
        };
        let targets = vec![
            ("registrations".to_owned(), 6.0),
            ("on_time_rate".to_owned(), 0.5),
        ];
        let s = compute("A", "2026-11", &facts, &targets, 10, 30);
        assert_eq!((s.registrations, s.voided), (3, 1));
        assert_eq!(s.on_time_rate, Some(2.0 / 3.0));
        assert_eq!(s.median_days_to_register, Some(4.0));
        assert_eq!(s.contact_completeness, Some(1.0 / 3.0));
        assert_eq!(s.attribution_rate, Some(0.5));
        assert_eq!(s.manufacturer.reminders_on_time_rate, Some(0.75));
        assert_eq!(s.manufacturer.statement_approved_on_time, None);
        assert_eq!(s.targets[0].attainment, Some(0.5));
        assert_eq!(s.targets[1].attainment, Some((2.0 / 3.0) / 0.5));
    }

    #[test]
    fn medians_of_even_counts_average_the_middle_pair() {
        assert_eq!(median(&mut [5, 1, 3, 9]), Some(4.0));
        assert_eq!(median(&mut []), None);
    }
}
