//! Which reminder a service visit is credited to, and which plan step it fulfils. A clicked
//! booking link beats a sent email; within each, the latest inside the attribution window wins;
//! a reminder is credited with one visit at most; a voided registration's reminders get none.

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

/// A sent reminder of the unit's registration not yet credited with a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub reminder_id: Uuid,
    pub sent_at: Option<DateTime<Utc>>,
    /// The latest click on its booking link inside the window.
    pub clicked_at: Option<DateTime<Utc>>,
}

/// How the visit was led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Click,
    Send,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Click => "click",
            Self::Send => "send",
        }
    }
}

/// The attribution window of a visit on `service_date`: from `days` days (plus one, for time
/// zones) before the end of the service date, up to its end (UTC).
pub fn window(service_date: NaiveDate, days: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = Utc.from_utc_datetime(
        &service_date
            .succ_opt()
            .unwrap_or(service_date)
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    );
    (end - Duration::days(i64::from(days) + 1), end)
}

/// The reminder a visit is credited to, if any. `clicked_at` of a candidate is already limited
/// to the window; its `sent_at` is checked here.
pub fn attribute(
    candidates: &[Candidate],
    registration_active: bool,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> Option<(Uuid, Via)> {
    if !registration_active {
        return None;
    }
    let clicked = candidates
        .iter()
        .filter(|c| c.clicked_at.is_some())
        .max_by_key(|c| c.clicked_at);
    let sent = candidates
        .iter()
        .filter(|c| c.sent_at.is_some_and(|t| t >= start && t < end))
        .max_by_key(|c| c.sent_at);
    match (clicked, sent) {
        (Some(c), _) => Some((c.reminder_id, Via::Click)),
        (None, Some(s)) => Some((s.reminder_id, Via::Send)),
        (None, None) => None,
    }
}

/// Service-plan steps due up to this date are fulfilled by a visit on `service_date`.
pub fn fulfils_until(service_date: NaiveDate, fulfils_days: u32) -> NaiveDate {
    service_date
        .checked_add_days(Days::new(u64::from(fulfils_days)))
        .unwrap_or(service_date)
}

/// Of the unsent service-due reminders (id, nominal date), the one a visit fulfils: the earliest
/// due up to `until` (no "your service is due" right after a service).
pub fn fulfilled(unsent: &[(Uuid, NaiveDate)], until: NaiveDate) -> Option<Uuid> {
    unsent
        .iter()
        .filter(|(_, date)| *date <= until)
        .min_by_key(|(id, date)| (*date, *id))
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn a_click_beats_a_send_and_the_latest_wins() {
        let w = window("2027-05-25".parse().unwrap(), 30);
        assert_eq!(w, (at("2027-04-25T00:00:00Z"), at("2027-05-26T00:00:00Z")));
        let sent = |n, t: &str| Candidate {
            reminder_id: id(n),
            sent_at: Some(at(t)),
            clicked_at: None,
        };
        let older_sent = sent(1, "2027-05-01T10:00:00Z");
        let newer_sent = sent(2, "2027-05-20T10:00:00Z");
        let clicked = Candidate {
            clicked_at: Some(at("2027-05-02T09:00:00Z")),
            ..sent(3, "2027-04-30T10:00:00Z")
        };
        assert_eq!(
            attribute(&[older_sent.clone(), newer_sent.clone()], true, w),
            Some((id(2), Via::Send))
        );
        assert_eq!(
            attribute(&[older_sent.clone(), newer_sent.clone(), clicked], true, w),
            Some((id(3), Via::Click))
        );
        assert_eq!(
            attribute(&[newer_sent.clone()], false, w),
            None,
            "voided: no credit"
        );
        let too_old = sent(4, "2027-04-24T23:59:59Z");
        let after = sent(5, "2027-05-26T00:00:00Z");
        assert_eq!(attribute(&[too_old, after], true, w), None);
    }

    #[test]
    fn a_visit_fulfils_the_earliest_step_due_by_its_date() {
        let until = fulfils_until("2027-05-25".parse().unwrap(), 30);
        assert_eq!(until.to_string(), "2027-06-24");
        let steps = [
            (id(1), "2027-06-20".parse().unwrap()),
            (id(2), "2027-05-01".parse().unwrap()),
            (id(3), "2027-08-01".parse().unwrap()),
        ];
        assert_eq!(fulfilled(&steps, until), Some(id(2)));
        assert_eq!(fulfilled(&steps[2..], until), None);
    }
}
