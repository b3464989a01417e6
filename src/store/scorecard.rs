//! The stored rows behind scorecards, targets, the holdout's lift and fraud signals. What they
//! mean (`Facts::from_rows`) and the maths live in `domain::scorecard`; this module only reads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Result, Store, read, with_pool};
use crate::domain::scorecard::{self as domain, Facts, ScorecardRows};

/// A period as instants and dates: [start, end).
#[derive(Debug, Clone)]
pub struct PeriodBounds {
    pub period: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub first_day: NaiveDate,
    pub next_first_day: NaiveDate,
    pub tz: chrono_tz::Tz,
}

#[derive(sqlx::FromRow)]
struct RegistrationRow {
    purchase_date: NaiveDate,
    created_at: DateTime<Utc>,
    registration_window_days: i32,
    reachable: bool,
    consented: bool,
    status: String,
}

#[derive(sqlx::FromRow)]
struct SentRow {
    kind: String,
    due_at: DateTime<Utc>,
    sent_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct StatementDates {
    currency: String,
    total_minor: i64,
    status: String,
    created_at: DateTime<Utc>,
    approved_at: Option<DateTime<Utc>>,
    paid_at: Option<DateTime<Utc>>,
}

/// One signal worth an admin's look, with its evidence; nothing is acted upon automatically.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FraudSignal {
    /// `serial_held_by_other_dealer`, `burst_before_close`, `contact_reused`, `late_purchase_date`.
    pub kind: String,
    pub dealer_code: String,
    pub evidence: serde_json::Value,
}

/// Service-visit rates of registrations with reminders and of the holdout, with sample sizes.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HoldoutLift {
    pub with_reminders: i64,
    pub with_reminders_visited: i64,
    pub holdout: i64,
    pub holdout_visited: i64,
    /// Visit rate with reminders minus visit rate without (None while a group is empty).
    pub lift: Option<f64>,
}

impl Store {
    /// Everything the scorecard of one dealer and period is computed from.
    pub async fn scorecard_facts(&self, dealer_id: Uuid, p: &PeriodBounds) -> Result<Facts> {
        let registrations: Vec<RegistrationRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT g.purchase_date, g.created_at, p.registration_window_days, (c.email IS NOT NULL OR c.phone IS NOT NULL) AS reachable,
                   EXISTS (SELECT 1 FROM consent_events e WHERE e.registration_id = g.id AND e.party = 'dealer' AND e.purpose = 'service_reminders'
                           AND e.granted = $4) AS consented, g.status
                 FROM registrations g JOIN products p ON p.id = g.product_id JOIN customers c ON c.id = g.customer_id
                 WHERE g.dealer_id = $1 AND g.created_at >= $2 AND g.created_at < $3",
            )
            .bind(dealer_id)
            .bind(p.start)
            .bind(p.end)
            .bind(true)
            .fetch_all(pool)
            .await?
        });
        let rejections: Vec<(String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT reason, COUNT(*) FROM submission_rejections WHERE dealer_id = $1 AND at >= $2 AND at < $3 GROUP BY reason",
            )
            .bind(dealer_id)
            .bind(p.start)
            .bind(p.end)
            .fetch_all(pool)
            .await?
        });
        let sent: Vec<SentRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.kind, r.due_at, r.sent_at FROM reminders r JOIN registrations g ON g.id = r.registration_id
                 WHERE g.dealer_id = $1 AND r.status = 'sent' AND r.sent_at >= $2 AND r.sent_at < $3",
            )
            .bind(dealer_id)
            .bind(p.start)
            .bind(p.end)
            .fetch_all(pool)
            .await?
        });
        let (bounced, clicked, attributed): (i64, i64, i64) = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT
                   (SELECT COUNT(*) FROM reminders r JOIN registrations g ON g.id = r.registration_id
                    WHERE g.dealer_id = $1 AND r.outcome = 'bounced' AND r.updated_at >= $2 AND r.updated_at < $3),
                   (SELECT COUNT(DISTINCT c.reminder_id) FROM link_clicks c JOIN reminders r ON r.id = c.reminder_id
                    JOIN registrations g ON g.id = r.registration_id
                    WHERE g.dealer_id = $1 AND c.clicked_at >= $2 AND c.clicked_at < $3),
                   (SELECT COUNT(*) FROM service_events s WHERE s.selling_dealer_id = $1
                    AND s.attributed_reminder_id IS NOT NULL AND s.service_date >= $4 AND s.service_date < $5)",
            )
            .bind(dealer_id)
            .bind(p.start)
            .bind(p.end)
            .bind(p.first_day)
            .bind(p.next_first_day)
            .fetch_one(pool)
            .await?
        });
        let accrued: Vec<(String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT currency, CAST(SUM(amount_minor) AS BIGINT) FROM ledger_entries WHERE dealer_id = $1 AND period = $2
                 GROUP BY currency ORDER BY currency",
            )
            .bind(dealer_id)
            .bind(&p.period)
            .fetch_all(pool)
            .await?
        });
        let statements: Vec<StatementDates> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT currency, total_minor, status, created_at, approved_at, paid_at FROM statements
                 WHERE dealer_id = $1 AND period = $2 ORDER BY currency",
            )
            .bind(dealer_id)
            .bind(&p.period)
            .fetch_all(pool)
            .await?
        });

        // Amounts the period's registrations earned that still wait for the customer's confirmation.
        let held: Vec<(String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT a.currency, a.amount_minor FROM pending_accruals a JOIN registrations g ON g.id = a.registration_id
                 WHERE a.dealer_id = $1 AND a.state = 'held' AND g.created_at >= $2 AND g.created_at < $3",
            )
            .bind(dealer_id)
            .bind(p.start)
            .bind(p.end)
            .fetch_all(pool)
            .await?
        });
        Ok(Facts::from_rows(ScorecardRows {
            tz: p.tz,
            registrations: registrations
                .into_iter()
                .map(|r| domain::RegistrationRow {
                    purchase_date: r.purchase_date,
                    created_at: r.created_at,
                    window_days: r.registration_window_days,
                    reachable: r.reachable,
                    consented: r.consented,
                    status: r.status,
                })
                .collect(),
            rejections,
            sent: sent
                .into_iter()
                .map(|r| domain::SentRow {
                    kind: r.kind,
                    due_at: r.due_at,
                    sent_at: r.sent_at,
                })
                .collect(),
            bounced,
            clicked,
            attributed_visits: attributed,
            accrued,
            statements: statements
                .into_iter()
                .map(|s| domain::StatementRow {
                    currency: s.currency,
                    total_minor: s.total_minor,
                    status: s.status,
                    created_at: s.created_at,
                    approved_at: s.approved_at,
                    paid_at: s.paid_at,
                })
                .collect(),
            held,
        }))
    }

    pub async fn set_target(
        &self,
        dealer_id: Uuid,
        period: &str,
        metric: &str,
        target: f64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO dealer_targets (dealer_id, period, metric, target, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (dealer_id, period, metric) DO UPDATE SET target = excluded.target, updated_at = excluded.updated_at",
            )
            .bind(dealer_id)
            .bind(period)
            .bind(metric)
            .bind(target)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn targets(&self, dealer_id: Uuid, period: &str) -> Result<Vec<(String, f64)>> {
        read!(self, query_as, fetch_all =>
            "SELECT metric, target FROM dealer_targets WHERE dealer_id = $1 AND period = $2 ORDER BY metric";
            dealer_id, period)
    }

    /// Visit rates with and without reminders, over registrations created in [from, to).
    pub async fn holdout_lift(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HoldoutLift> {
        let rows: Vec<(bool, i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT g.holdout, COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM service_events s WHERE s.registration_id = g.id)
                   THEN 1 ELSE 0 END), 0)
                 FROM registrations g WHERE g.created_at >= $1 AND g.created_at < $2 GROUP BY g.holdout",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        let group = |holdout: bool| {
            rows.iter()
                .find(|r| r.0 == holdout)
                .map_or((0, 0), |r| (r.1, r.2))
        };
        let ((n, visited), (h, h_visited)) = (group(false), group(true));
        let rate = |v: i64, n: i64| (n > 0).then(|| v as f64 / n as f64);
        Ok(HoldoutLift {
            with_reminders: n,
            with_reminders_visited: visited,
            holdout: h,
            holdout_visited: h_visited,
            lift: rate(visited, n).zip(rate(h_visited, h)).map(|(a, b)| a - b),
        })
    }

    /// Signals for the period, each with its evidence.
    pub async fn fraud_signals(&self, p: &PeriodBounds) -> Result<Vec<FraudSignal>> {
        let mut signals = Vec::new();
        let attempts: Vec<(String, String, Option<String>, DateTime<Utc>)> = with_pool!(
            self,
            |pool| {
                sqlx::query_as(
                "SELECT f.serial_number, d.code, h.code, f.created_at FROM fraud_signals f JOIN dealers d ON d.id = f.dealer_id
                 LEFT JOIN registrations g ON g.id = f.registration_id LEFT JOIN dealers h ON h.id = g.dealer_id
                 WHERE f.kind = 'serial_held_by_other_dealer' AND f.created_at >= $1 AND f.created_at < $2 ORDER BY f.created_at",
            )
            .bind(p.start)
            .bind(p.end)
            .fetch_all(pool)
            .await?
            }
        );
        for (serial, code, holder, at) in attempts {
            signals.push(FraudSignal {
                kind: "serial_held_by_other_dealer".into(),
                dealer_code: code,
                evidence: serde_json::json!({"serial_number": serial, "held_by": holder, "at": at}),
            });
        }
        // Signals recorded with their evidence (service visits by other dealers).
        let recorded: Vec<(String, String, String)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT f.kind, d.code, f.evidence FROM fraud_signals f JOIN dealers d ON d.id = f.dealer_id
                 WHERE f.evidence IS NOT NULL AND f.created_at >= $1 AND f.created_at < $2 ORDER BY f.created_at, f.id",
            )
            .bind(p.start)
            .bind(p.end)
            .fetch_all(pool)
            .await?
        });
        for (kind, dealer_code, evidence) in recorded {
            signals.push(FraudSignal {
                kind,
                dealer_code,
                evidence: serde_json::from_str(&evidence)
                    .map_err(|_| super::StoreError::Corrupt("fraud signal evidence".into()))?,
            });
        }
        let registrations: Vec<(String, DateTime<Utc>, NaiveDate, Uuid, Option<String>)> = with_pool!(
            self,
            |pool| {
                sqlx::query_as(
                "SELECT d.code, g.created_at, g.purchase_date, g.id, c.contact_key FROM registrations g JOIN dealers d ON d.id = g.dealer_id
                 JOIN customers c ON c.id = g.customer_id WHERE g.created_at >= $1 AND g.created_at < $2 ORDER BY d.code, g.created_at",
            )
            .bind(p.start)
            .bind(p.end)
            .fetch_all(pool)
            .await?
            }
        );
        // Bursts: the last two days of the period against the daily average of the rest.
        let last_two = p
            .next_first_day
            .checked_sub_days(chrono::Days::new(2))
            .unwrap_or(p.first_day);
        let days_before = (last_two - p.first_day).num_days().max(1) as f64;
        let mut codes: Vec<&String> = registrations.iter().map(|r| &r.0).collect();
        codes.dedup();
        for code in codes {
            let mine: Vec<_> = registrations.iter().filter(|r| &r.0 == code).collect();
            let late = mine
                .iter()
                .filter(|r| r.1.with_timezone(&p.tz).date_naive() >= last_two)
                .count() as f64;
            let before = mine.len() as f64 - late;
            let daily = before / days_before;
            if late >= 5.0 && late / 2.0 >= 3.0 * daily.max(0.5) {
                signals.push(FraudSignal {
                    kind: "burst_before_close".into(),
                    dealer_code: code.clone(),
                    evidence: serde_json::json!({"last_two_days": late, "daily_average_before": daily}),
                });
            }
        }
        for (code, created_at, purchase_date, id, _) in &registrations {
            let days = (created_at.with_timezone(&p.tz).date_naive() - *purchase_date).num_days();
            if days > 180 {
                signals.push(FraudSignal {
                    kind: "late_purchase_date".into(),
                    dealer_code: code.clone(),
                    evidence: serde_json::json!({"registration_id": id, "days_after_purchase": days}),
                });
            }
        }
        // One contact behind many registrations (any dealer, any time: each dealer's record of the
        // person shares its contact key) registered again this period.
        let reused: Vec<(String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT c.contact_key, COUNT(*) FROM registrations g JOIN customers c ON c.id = g.customer_id
                 WHERE c.contact_key IS NOT NULL GROUP BY c.contact_key HAVING COUNT(*) >= 5 ORDER BY c.contact_key",
            )
            .fetch_all(pool)
            .await?
        });
        for (contact_key, count) in reused {
            let here: Vec<_> = registrations
                .iter()
                .filter(|r| r.4.as_deref() == Some(contact_key.as_str()))
                .collect();
            if let Some(first) = here.first() {
                signals.push(FraudSignal {
                    kind: "contact_reused".into(),
                    dealer_code: first.0.clone(),
                    evidence: serde_json::json!({"registration_id": first.3, "registrations": count, "this_period": here.len()}),
                });
            }
        }
        Ok(signals)
    }
}
