//! Reminder planning: which reminders a registration gets and when each is due, evaluated in the
//! customer's time zone against the deployment's send window.
//!
//! The send window is a 6-field `cron` expression (sec min hour day month weekday). Each tick opens
//! a one-hour sending slot: with the default `0 0 9-17 * * Mon-Fri` mail goes out on weekdays from
//! 09:00 to 17:59 local time. A reminder's due instant is the first tick at or after local midnight of
//! its nominal date. Catch-up policy for registrations entered late: a step whose nominal date is more
//! than `catch_up_days` in the past is recorded as `skipped` (never sent, no flood of stale mail); a
//! more recent one is due at the next open slot.

use std::str::FromStr;

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::catalog::Period;

pub const DEFAULT_SEND_WINDOW: &str = "0 0 9-17 * * Mon-Fri";

/// A local date on which nothing is sent: every year (`12-25`) or once (`2027-05-08`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuietDay {
    Yearly { month: u32, day: u32 },
    Once(NaiveDate),
}

impl QuietDay {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("quiet day {raw:?} must be MM-DD or YYYY-MM-DD");
        if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            return Ok(Self::Once(date));
        }
        let (m, d) = raw.split_once('-').ok_or_else(bad)?;
        let (month, day) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        // 2000 is a leap year, so 02-29 is accepted.
        NaiveDate::from_ymd_opt(2000, month, day).ok_or_else(bad)?;
        Ok(Self::Yearly { month, day })
    }

    pub fn matches(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        match *self {
            Self::Yearly { month, day } => date.month() == month && date.day() == day,
            Self::Once(d) => d == date,
        }
    }
}

/// The hours in which reminders may be sent, in the recipient's local time, minus quiet days.
#[derive(Debug, Clone)]
pub struct SendWindow {
    schedule: cron::Schedule,
    expression: String,
    quiet_days: Vec<QuietDay>,
}

impl SendWindow {
    pub fn parse(expression: &str) -> Result<Self, String> {
        let fields = expression.split_whitespace().count();
        if fields != 6 {
            return Err(format!(
                "send window {expression:?} must have 6 fields (sec min hour day month weekday), it has {fields}"
            ));
        }
        let schedule = cron::Schedule::from_str(expression)
            .map_err(|e| format!("send window {expression:?}: {e}"))?;
        // A window that never opens would silently hold every reminder forever.
        if schedule.after(&Utc::now()).next().is_none() {
            return Err(format!("send window {expression:?} never opens"));
        }
        Ok(Self {
            schedule,
            expression: expression.to_owned(),
            quiet_days: Vec::new(),
        })
    }

    pub fn with_quiet_days(mut self, quiet_days: Vec<QuietDay>) -> Self {
        self.quiet_days = quiet_days;
        self
    }

    /// A dealer's own window (a cron expression) with this window's quiet days, or this window when
    /// the dealer has none (or an invalid one).
    pub fn overridden_by(&self, dealer_window: Option<&str>) -> SendWindow {
        match dealer_window.map(SendWindow::parse) {
            Some(Ok(window)) => window.with_quiet_days(self.quiet_days.clone()),
            _ => self.clone(),
        }
    }

    pub fn quiet_days(&self) -> &[QuietDay] {
        &self.quiet_days
    }

    fn is_quiet(&self, date: NaiveDate) -> bool {
        self.quiet_days.iter().any(|q| q.matches(date))
    }

    pub fn expression(&self) -> &str {
        &self.expression
    }

    /// The first tick at or after `at`, in zone `tz`, that is not on a quiet day.
    pub fn first_tick_at_or_after(&self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&tz) - Duration::seconds(1);
        // Bounded: quiet days cannot hide every tick of a valid window.
        self.schedule
            .after(&local)
            .take(20_000)
            .find(|t| !self.is_quiet(t.date_naive()))
            .map(|t| t.with_timezone(&Utc))
    }

    /// Whether a slot is open at `at`: a tick happened within the last hour.
    pub fn is_open(&self, at: DateTime<Utc>, tz: Tz) -> bool {
        self.first_tick_at_or_after(at - Duration::minutes(59) - Duration::seconds(59), tz)
            .is_some_and(|tick| tick <= at)
    }

    /// `at` itself when a slot is open, otherwise the next tick.
    pub fn next_open(&self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        if self.is_open(at, tz) {
            Some(at)
        } else {
            self.first_tick_at_or_after(at, tz)
        }
    }

    /// The first tick on or after local midnight of `date` (DST-correct: on a day that starts at
    /// 01:00 because midnight does not exist, the day starts at its first existing instant).
    pub fn first_tick_on_or_after_date(&self, date: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
        let start = start_of_day(date, tz)?;
        self.first_tick_at_or_after(start, tz)
    }
}

fn start_of_day(date: NaiveDate, tz: Tz) -> Option<DateTime<Utc>> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    (0..=3)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + Duration::hours(h)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReminderKind {
    RegistrationConfirmation,
    ServiceDue,
    WarrantyExpiring,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RegistrationConfirmation => "registration_confirmation",
            Self::ServiceDue => "service_due",
            Self::WarrantyExpiring => "warranty_expiring",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlannedStatus {
    Pending,
    /// Too far in the past when the registration arrived (see the catch-up policy).
    Skipped,
}

impl PlannedStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedReminder {
    pub kind: ReminderKind,
    /// 0 for one-off kinds, the 1-based plan step for `service_due`.
    pub occurrence: u32,
    pub nominal_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub status: PlannedStatus,
}

pub struct PlanInput<'a> {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub warranty_starts_on: NaiveDate,
    pub warranty_expires_on: NaiveDate,
    pub service_plan: &'a [Period],
    pub expiry_notice_days: u32,
    pub catch_up_days: u32,
    pub window: &'a SendWindow,
}

/// The reminders of one registration: a confirmation as soon as a slot is open, one `service_due`
/// per service-plan step, and a `warranty_expiring` notice `expiry_notice_days` before the end.
pub fn plan_reminders(input: &PlanInput<'_>) -> Vec<PlannedReminder> {
    let PlanInput {
        now, tz, window, ..
    } = *input;
    let today = now.with_timezone(&tz).date_naive();
    let oldest_kept = today
        .checked_sub_days(Days::new(u64::from(input.catch_up_days)))
        .unwrap_or(today);
    let far_future = now + Duration::days(400);
    let next_open = window.next_open(now, tz).unwrap_or(far_future);

    let mut plan = vec![PlannedReminder {
        kind: ReminderKind::RegistrationConfirmation,
        occurrence: 0,
        nominal_date: today,
        due_at: next_open,
        status: PlannedStatus::Pending,
    }];
    let mut dated = |kind, occurrence, nominal_date: NaiveDate| {
        let (due_at, status) = if nominal_date < oldest_kept {
            (
                start_of_day(nominal_date, tz).unwrap_or(now),
                PlannedStatus::Skipped,
            )
        } else {
            let due = window
                .first_tick_on_or_after_date(nominal_date, tz)
                .unwrap_or(far_future);
            (
                if due < now { next_open } else { due },
                PlannedStatus::Pending,
            )
        };
        plan.push(PlannedReminder {
            kind,
            occurrence,
            nominal_date,
            due_at,
            status,
        });
    };
    for (step, period) in input.service_plan.iter().enumerate() {
        if let Some(date) = period.after(input.warranty_starts_on) {
            dated(ReminderKind::ServiceDue, step as u32 + 1, date);
        }
    }
    if let Some(notice) = input
        .warranty_expires_on
        .checked_sub_days(Days::new(u64::from(input.expiry_notice_days)))
        && notice > input.warranty_starts_on
    {
        dated(ReminderKind::WarrantyExpiring, 0, notice);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn window() -> SendWindow {
        SendWindow::parse(DEFAULT_SEND_WINDOW).unwrap()
    }

    #[test]
    fn window_ticks_follow_local_time_across_dst() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // Friday before the spring change: 09:00 CET = 08:00 UTC.
        assert_eq!(
            window().first_tick_on_or_after_date("2027-03-26".parse().unwrap(), paris),
            Some(utc("2027-03-26T08:00:00Z"))
        );
        // Sunday 28 March 2027 is the change; the next weekday slot is Monday 09:00 CEST = 07:00 UTC.
        assert_eq!(
            window().first_tick_on_or_after_date("2027-03-28".parse().unwrap(), paris),
            Some(utc("2027-03-29T07:00:00Z"))
        );
    }

    #[test]
    fn window_is_open_for_an_hour_after_each_tick() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let w = window();
        assert!(w.is_open(utc("2027-03-29T07:30:00Z"), paris)); // Monday 09:30 local
        assert!(w.is_open(utc("2027-03-29T15:59:00Z"), paris)); // 17:59 local
        assert!(!w.is_open(utc("2027-03-29T16:00:01Z"), paris)); // 18:00 local
        assert!(!w.is_open(utc("2027-03-27T10:00:00Z"), paris)); // Saturday
        assert_eq!(
            w.next_open(utc("2027-03-27T10:00:00Z"), paris),
            Some(utc("2027-03-29T07:00:00Z"))
        );
    }

    #[test]
    fn a_day_without_midnight_still_starts() {
        // Chile moves from 00:00 to 01:00 in September: midnight does not exist that day.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let every_hour = SendWindow::parse("0 0 * * * *").unwrap();
        let tick = every_hour
            .first_tick_on_or_after_date("2026-09-06".parse().unwrap(), santiago)
            .unwrap();
        assert_eq!(
            tick.with_timezone(&santiago).date_naive().to_string(),
            "2026-09-06"
        );
    }

    #[test]
    fn plan_has_confirmation_service_steps_and_expiry_notice() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let plan_periods = [
            Period::parse("P6M").unwrap(),
            Period::parse("P12M").unwrap(),
        ];
        let w = window();
        let plan = plan_reminders(&PlanInput {
            now: utc("2026-11-27T10:00:00Z"), // Friday 11:00 in Paris: open
            tz: paris,
            warranty_starts_on: "2026-11-20".parse().unwrap(),
            warranty_expires_on: "2028-11-19".parse().unwrap(),
            service_plan: &plan_periods,
            expiry_notice_days: 30,
            catch_up_days: 30,
            window: &w,
        });
        let summary: Vec<_> = plan
            .iter()
            .map(|r| {
                (
                    r.kind.as_str(),
                    r.occurrence,
                    r.due_at.to_rfc3339(),
                    r.status,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "registration_confirmation",
                    0,
                    "2026-11-27T10:00:00+00:00".to_owned(),
                    PlannedStatus::Pending
                ),
                // 2027-05-20 is a Thursday, summer time: 09:00 CEST.
                (
                    "service_due",
                    1,
                    "2027-05-20T07:00:00+00:00".to_owned(),
                    PlannedStatus::Pending
                ),
                // 2027-11-20 is a Saturday: Monday 22nd, 09:00 CET.
                (
                    "service_due",
                    2,
                    "2027-11-22T08:00:00+00:00".to_owned(),
                    PlannedStatus::Pending
                ),
                // 2028-10-20 is a Friday.
                (
                    "warranty_expiring",
                    0,
                    "2028-10-20T07:00:00+00:00".to_owned(),
                    PlannedStatus::Pending
                ),
            ]
        );
    }

    #[test]
    fn late_registrations_catch_up_without_flooding() {
        let tz: Tz = "UTC".parse().unwrap();
        let plan_periods = [
            Period::parse("P1M").unwrap(),
            Period::parse("P3M").unwrap(),
            Period::parse("P12M").unwrap(),
        ];
        let w = window();
        let plan = plan_reminders(&PlanInput {
            now: utc("2026-11-28T12:00:00Z"), // Saturday: closed
            tz,
            warranty_starts_on: "2026-08-10".parse().unwrap(),
            warranty_expires_on: "2027-08-09".parse().unwrap(),
            service_plan: &plan_periods,
            expiry_notice_days: 30,
            catch_up_days: 30,
            window: &w,
        });
        let steps: Vec<_> = plan
            .iter()
            .filter(|r| r.kind == ReminderKind::ServiceDue)
            .map(|r| (r.status, r.due_at))
            .collect();
        assert_eq!(steps[0].0, PlannedStatus::Skipped); // 2026-09-10: 79 days late
        assert_eq!(
            steps[1],
            (PlannedStatus::Pending, utc("2026-11-30T09:00:00Z"))
        ); // 2026-11-10: next open slot
        assert_eq!(
            steps[2],
            (PlannedStatus::Pending, utc("2027-08-10T09:00:00Z"))
        );
    }

    #[test]
    fn quiet_days_are_skipped_in_local_time() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let w = window().with_quiet_days(vec![
            QuietDay::parse("12-25").unwrap(),
            QuietDay::parse("2026-12-28").unwrap(),
        ]);
        // Friday 25 December is a holiday and Monday 28 a one-off closure: Tuesday 29 at 09:00.
        assert_eq!(
            w.first_tick_on_or_after_date("2026-12-25".parse().unwrap(), paris),
            Some(utc("2026-12-29T08:00:00Z"))
        );
        assert!(!w.is_open(utc("2026-12-25T09:30:00Z"), paris));
        assert!(QuietDay::parse("13-01").is_err());
        assert!(QuietDay::parse("xmas").is_err());
    }

    #[test]
    fn bad_windows_are_refused() {
        assert!(SendWindow::parse("0 9-17 * * Mon-Fri").is_err());
        assert!(SendWindow::parse("0 0 25 * * *").is_err());
        assert!(SendWindow::parse("nonsense").is_err());
    }
}
