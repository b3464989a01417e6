//! The reminder holdout: a share of registrations gets no service reminders, so that the lift
//! reminders bring can be measured against it. The choice is made from the registration's id, so
//! it is deterministic and recorded, not random at read time.

use uuid::Uuid;

use super::plan::{PlannedReminder, PlannedStatus, ReminderKind};

/// Whether a registration falls in the holdout (`share` from 0 to 1).
pub fn in_holdout(id: Uuid, share: f64) -> bool {
    use sha2::Digest;
    if share <= 0.0 {
        return false;
    }
    let digest = sha2::Sha256::digest(id.as_bytes());
    let value = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
    (value as f64 / u64::MAX as f64) < share
}

/// The plan as it is stored: in the holdout, the confirmation and the warranty notice stay but
/// service reminders are skipped; sorted in the order reads return it (due time, kind, step).
pub fn finish_plan(plan: &mut [PlannedReminder], holdout: bool) {
    if holdout {
        for p in plan
            .iter_mut()
            .filter(|p| p.kind == ReminderKind::ServiceDue)
        {
            p.status = PlannedStatus::Skipped;
        }
    }
    plan.sort_by(|a, b| {
        (a.due_at, a.kind.as_str(), a.occurrence).cmp(&(b.due_at, b.kind.as_str(), b.occurrence))
    });
}

/// Why a step planned as skipped will not be sent: `holdout`, or `past_due` (its date had passed
/// beyond the catch-up period at registration).
pub fn skip_reason(p: &PlannedReminder, holdout: bool) -> Option<&'static str> {
    (p.status == PlannedStatus::Skipped).then_some(
        if holdout && p.kind == ReminderKind::ServiceDue {
            "holdout"
        } else {
            "past_due"
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holdout_share_is_respected_and_stable() {
        let ids: Vec<Uuid> = (0..10_000u128).map(Uuid::from_u128).collect();
        assert!(ids.iter().all(|id| !in_holdout(*id, 0.0)));
        assert!(ids.iter().all(|id| in_holdout(*id, 1.0)));
        let held = ids.iter().filter(|id| in_holdout(**id, 0.1)).count();
        assert!((800..1200).contains(&held), "{held} of 10000 at 10 %");
        assert_eq!(in_holdout(ids[42], 0.5), in_holdout(ids[42], 0.5));
    }

    #[test]
    fn the_holdout_keeps_the_confirmation_and_skips_service_reminders() {
        let at = |h: u32| {
            "2027-01-01T00:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                + chrono::Duration::hours(i64::from(h))
        };
        let step = |kind, occurrence, h, status| PlannedReminder {
            kind,
            occurrence,
            nominal_date: at(h).date_naive(),
            due_at: at(h),
            status,
        };
        let mut plan = vec![
            step(ReminderKind::ServiceDue, 1, 5, PlannedStatus::Pending),
            step(
                ReminderKind::RegistrationConfirmation,
                0,
                0,
                PlannedStatus::Pending,
            ),
            step(ReminderKind::ServiceDue, 2, 9, PlannedStatus::Pending),
        ];
        finish_plan(&mut plan, true);
        let got: Vec<_> = plan
            .iter()
            .map(|p| (p.kind, p.status, skip_reason(p, true)))
            .collect();
        assert_eq!(
            got,
            [
                (
                    ReminderKind::RegistrationConfirmation,
                    PlannedStatus::Pending,
                    None
                ),
                (
                    ReminderKind::ServiceDue,
                    PlannedStatus::Skipped,
                    Some("holdout")
                ),
                (
                    ReminderKind::ServiceDue,
                    PlannedStatus::Skipped,
                    Some("holdout")
                ),
            ]
        );
    }
}
