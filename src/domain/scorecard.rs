//! Scorecard maths: every figure of a dealer's period, computed from stored facts. The formulas are
//! documented in the README; this module is the one place they live.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::ledger::StatementStatus;
use super::send::is_paced;

/// One registration created in the period, as the scorecard needs it.
#[derive(Debug, Clone)]
pub struct RegistrationFact {
    pub purchase_date: NaiveDate,
    /// The day it was registered, in the manufacturer's time zone.
    pub registered_on: NaiveDate,
    /// The product's registration window (days after purchase that count as on time).
    pub window_days: i32,
    /// The customer has an email or a phone number: some channel reaches them.
    pub reachable: bool,
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

/// A registration as read for the scorecard.
#[derive(Debug, Clone)]
pub struct RegistrationRow {
    pub purchase_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub window_days: i32,
    /// The customer has an email or a phone number: some channel reaches them.
    pub reachable: bool,
    pub consented: bool,
    pub status: String,
}

/// A reminder sent in the period.
#[derive(Debug, Clone)]
pub struct SentRow {
    pub kind: String,
    pub due_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
}

/// A statement of the period.
#[derive(Debug, Clone)]
pub struct StatementRow {
    pub currency: String,
    pub total_minor: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// What the store reads for one dealer and period, as rows; `Facts::from_rows` applies the rules
/// that turn them into the scorecard's facts.
#[derive(Debug, Clone)]
pub struct ScorecardRows {
    /// The manufacturer's time zone: a registration's day is counted in it.
    pub tz: Tz,
    pub registrations: Vec<RegistrationRow>,
    /// Refused submissions per reason (`invalid`, `duplicate`).
    pub rejections: Vec<(String, i64)>,
    pub sent: Vec<SentRow>,
    pub bounced: i64,
    pub clicked: i64,
    pub attributed_visits: i64,
    /// Ledger totals of the period per currency, in currency order.
    pub accrued: Vec<(String, i64)>,
    pub statements: Vec<StatementRow>,
    /// Held amounts of the period's registrations, per currency.
    pub held: Vec<(String, i64)>,
}

/// A reminder counts as sent on time within a day of its due time.
const ON_TIME: i64 = 1;

impl Facts {
    /// The scorecard's facts: figures in one main currency (the first with ledger entries, else
    /// with a statement, else with held amounts); a reminder on time within a day of its due
    /// time; confirmations not counted as service reminders; approved amounts those of
    /// statements approved or paid (`StatementStatus::is_payable`).
    pub fn from_rows(rows: ScorecardRows) -> Self {
        let currency = rows
            .accrued
            .first()
            .map(|a| a.0.clone())
            .or_else(|| rows.statements.first().map(|s| s.currency.clone()))
            .or_else(|| rows.held.first().map(|h| h.0.clone()));
        let main = |c: &String| Some(c) == currency.as_ref();
        let statement = rows.statements.iter().find(|s| main(&s.currency));
        let count = |reason: &str| {
            rows.rejections
                .iter()
                .find(|r| r.0 == reason)
                .map_or(0, |r| r.1)
        };
        let status = |s: &StatementRow| StatementStatus::parse(&s.status);
        let tz = rows.tz;
        Facts {
            registrations: rows
                .registrations
                .iter()
                .map(|r| RegistrationFact {
                    purchase_date: r.purchase_date,
                    registered_on: r.created_at.with_timezone(&tz).date_naive(),
                    window_days: r.window_days,
                    reachable: r.reachable,
                    consented: r.consented,
                    voided: r.status == "voided",
                })
                .collect(),
            rejected: count("invalid"),
            duplicates: count("duplicate"),
            reminders_sent: rows.sent.len() as i64,
            reminders_sent_on_time: rows
                .sent
                .iter()
                .filter(|s| s.sent_at - s.due_at <= Duration::days(ON_TIME))
                .count() as i64,
            service_reminders_sent: rows.sent.iter().filter(|s| is_paced(&s.kind)).count() as i64,
            bounced: rows.bounced,
            clicked: rows.clicked,
            attributed_visits: rows.attributed_visits,
            accrued_minor: rows
                .accrued
                .iter()
                .filter(|a| main(&a.0))
                .map(|a| a.1)
                .sum(),
            held_minor: rows.held.iter().filter(|a| main(&a.0)).map(|a| a.1).sum(),
            approved_minor: rows
                .statements
                .iter()
                .filter(|s| main(&s.currency) && status(s).is_some_and(StatementStatus::is_payable))
                .map(|s| s.total_minor)
                .sum(),
            paid_minor: rows
                .statements
                .iter()
                .filter(|s| main(&s.currency) && status(s) == Some(StatementStatus::Paid))
                .map(|s| s.total_minor)
                .sum(),
            days_to_approve: statement
                .and_then(|s| s.approved_at.map(|a| (a - s.created_at).num_days())),
            days_to_pay: statement.and_then(|s| s.paid_at.map(|a| (a - s.created_at).num_days())),
            statement_exists: statement.is_some(),
            currency,
        }
    }
}

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
    let complete = active.iter().filter(|r| r.reachable && r.consented).count() as i64;
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

    #[test]
    fn rows_become_facts_in_one_main_currency() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let statement = |currency: &str, total, status: &str| StatementRow {
            currency: currency.into(),
            total_minor: total,
            status: status.into(),
            created_at: at("2026-12-01T00:00:00Z"),
            approved_at: Some(at("2026-12-03T00:00:00Z")),
            paid_at: None,
        };
        let sent = |kind: &str, late_hours| SentRow {
            kind: kind.into(),
            due_at: at("2026-11-10T09:00:00Z"),
            sent_at: at("2026-11-10T09:00:00Z") + Duration::hours(late_hours),
        };
        let facts = Facts::from_rows(ScorecardRows {
            tz: chrono_tz::Europe::Paris,
            registrations: vec![RegistrationRow {
                purchase_date: "2026-11-01".parse().unwrap(),
                created_at: at("2026-11-30T23:30:00Z"),
                window_days: 30,
                reachable: true,
                consented: true,
                status: "voided".into(),
            }],
            rejections: vec![("invalid".into(), 2), ("duplicate".into(), 1)],
            sent: vec![
                sent("registration_confirmation", 0),
                sent("service_due", 30),
            ],
            bounced: 0,
            clicked: 0,
            attributed_visits: 0,
            accrued: vec![("EUR".into(), 1500), ("USD".into(), 900)],
            statements: vec![
                statement("EUR", 1500, "approved"),
                statement("USD", 900, "paid"),
            ],
            held: vec![("EUR".into(), 200)],
        });
        assert_eq!(facts.currency.as_deref(), Some("EUR"));
        assert_eq!((facts.accrued_minor, facts.held_minor), (1500, 200));
        assert_eq!((facts.approved_minor, facts.paid_minor), (1500, 0));
        assert_eq!((facts.rejected, facts.duplicates), (2, 1));
        assert_eq!((facts.reminders_sent, facts.reminders_sent_on_time), (2, 1));
        assert_eq!(facts.service_reminders_sent, 1);
        assert_eq!(facts.days_to_approve, Some(2));
        let r = &facts.registrations[0];
        assert_eq!(
            r.registered_on.to_string(),
            "2026-12-01",
            "the manufacturer's day"
        );
        assert!(r.voided);
    }

    fn reg(
        purchase: &str,
        registered: &str,
        reachable: bool,
        consented: bool,
        voided: bool,
    ) -> RegistrationFact {
        RegistrationFact {
            purchase_date: purchase.parse().unwrap(),
            registered_on: registered.parse().unwrap(),
            window_days: 30,
            reachable,
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
