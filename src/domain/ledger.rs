//! The ledger's values and decisions: exact money in minor units, accounting months, the statement
//! workflow, the per-dealer cap, and how a held amount is settled. The workflows in
//! `crate::workflows::ledger` apply these inside their transactions; nothing here performs IO.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;

/// ISO 4217 currencies whose minor unit is not 1/100.
const EXPONENTS: [(&str, u32); 12] = [
    ("BHD", 3),
    ("CLP", 0),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("UGX", 0),
    ("VND", 0),
    ("XOF", 0),
];

pub fn currency_exponent(currency: &str) -> u32 {
    EXPONENTS
        .iter()
        .find(|(c, _)| *c == currency)
        .map_or(2, |(_, e)| *e)
}

/// `1234` EUR → `12.34`; `-5` → `-0.05`; JPY `1234` → `1234`.
pub fn format_minor(amount: i64, currency: &str) -> String {
    let exponent = currency_exponent(currency);
    if exponent == 0 {
        return amount.to_string();
    }
    let scale = 10i64.pow(exponent);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = exponent as usize
    )
}

pub fn parse_currency(raw: &str) -> Result<String, (&'static str, String)> {
    let code = raw.trim();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code.to_owned())
    } else {
        Err((
            "invalid_currency",
            "must be an ISO 4217 code such as EUR".into(),
        ))
    }
}

/// An amount of one currency, in its minor unit (cents for EUR, yen for JPY).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

impl Money {
    pub fn new(minor: i64, currency: &str) -> Self {
        Self {
            minor,
            currency: currency.to_owned(),
        }
    }
}

impl fmt::Display for Money {
    /// `12.34 EUR`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_minor(self.minor, &self.currency),
            self.currency
        )
    }
}

/// A calendar month of the manufacturer's books (`YYYY-MM`): amounts accrue in one, statements
/// close one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountingMonth {
    /// Its first day.
    first: NaiveDate,
}

impl AccountingMonth {
    /// `YYYY-MM`, from the year 2000 on.
    pub fn parse(raw: &str) -> Option<Self> {
        let first = NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d").ok()?;
        (raw.len() == 7 && first.year() >= 2000).then_some(Self { first })
    }

    /// The month an instant falls in, in the manufacturer's time zone.
    pub fn of(at: DateTime<Utc>, tz: Tz) -> Self {
        let local = at.with_timezone(&tz).date_naive();
        Self {
            first: local.with_day(1).expect("day 1 exists"),
        }
    }

    /// The month's first day, and the next month's.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        (self.first, self.next().first)
    }

    pub fn next(self) -> Self {
        Self {
            first: self
                .first
                .checked_add_months(chrono::Months::new(1))
                .expect("in range"),
        }
    }

    pub fn previous(self) -> Self {
        Self {
            first: self
                .first
                .checked_sub_months(chrono::Months::new(1))
                .expect("in range"),
        }
    }
}

impl fmt::Display for AccountingMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// Where a statement is in finance's workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementStatus {
    PendingReview,
    Approved,
    OnHold,
    Paid,
}

impl StatementStatus {
    pub const ALL: [Self; 4] = [
        Self::PendingReview,
        Self::Approved,
        Self::OnHold,
        Self::Paid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingReview => "pending_review",
            Self::Approved => "approved",
            Self::OnHold => "on_hold",
            Self::Paid => "paid",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The workflow: `pending_review` → `approved` → `paid`; `pending_review` or `approved` →
    /// `on_hold` (with a reason) → back to `pending_review`. Paid statements never change.
    pub fn after(self, action: StatementAction) -> Option<Self> {
        use StatementAction as A;
        match (self, action) {
            (Self::PendingReview, A::Approve) => Some(Self::Approved),
            (Self::PendingReview | Self::Approved, A::Hold) => Some(Self::OnHold),
            (Self::OnHold, A::Release) => Some(Self::PendingReview),
            (Self::Approved, A::Pay) => Some(Self::Paid),
            _ => None,
        }
    }

    /// Counted as owed to the dealer (approved, or already paid).
    pub fn is_payable(self) -> bool {
        matches!(self, Self::Approved | Self::Paid)
    }
}

/// What finance does to a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementAction {
    Approve,
    Hold,
    Release,
    Pay,
}

impl StatementAction {
    pub const ALL: [Self; 4] = [Self::Approve, Self::Hold, Self::Release, Self::Pay];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Hold => "hold",
            Self::Release => "release",
            Self::Pay => "pay",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }

    /// As in "a statement … cannot be approved".
    pub fn past_tense(self) -> &'static str {
        match self {
            Self::Approve => "approved",
            Self::Hold => "put on hold",
            Self::Release => "released",
            Self::Pay => "marked paid",
        }
    }

    /// Holding needs a reason and paying a payment reference.
    pub fn needs_note(self) -> bool {
        matches!(self, Self::Hold | Self::Pay)
    }
}

/// An amount to accrue for a registration or a visit, before the cap.
#[derive(Debug, Clone)]
pub struct AccrualPlan {
    pub program_id: String,
    pub program_version: i32,
    pub rule_id: String,
    pub kind: &'static str,
    pub currency: String,
    pub amount_minor: i64,
    /// Held until the customer confirms (or `release_after` with the confirmation delivered).
    pub held: bool,
    /// Held until a proof of purchase is attached.
    pub needs_proof: bool,
    pub release_after: DateTime<Utc>,
    pub cap_minor: Option<i64>,
    pub clawback_until: DateTime<Utc>,
    pub period: AccountingMonth,
}

/// What the cap leaves of an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capped {
    pub amount_minor: i64,
    /// The cap reduced it (the line says `capped`).
    pub reduced: bool,
}

/// A program's cap per dealer and period: of `amount`, only what keeps the dealer's total for the
/// program and period (`total`, before this amount) within `cap` is earned; never less than zero.
pub fn apply_cap(cap: Option<i64>, total: i64, amount: i64) -> Capped {
    let Some(cap) = cap else {
        return Capped {
            amount_minor: amount,
            reduced: false,
        };
    };
    let allowed = (cap - total).clamp(0, amount.max(0));
    Capped {
        amount_minor: allowed.min(amount),
        reduced: allowed < amount,
    }
}

/// Whether an amount becomes a held line (waiting for verification) or an entry now.
pub fn is_held(plan_held: bool, amount_after_cap: i64) -> bool {
    plan_held && amount_after_cap > 0
}

/// The facts that settle a registration's held amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldFacts {
    pub registration_active: bool,
    pub verified: bool,
    /// The confirmation message's outcome (`sent`, `bounced`, `no_email`, ...), if any.
    pub confirmation: Option<String>,
    /// The verification days have passed.
    pub release_due: bool,
}

/// What happens to held amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// Into the ledger, with this reason on each entry.
    Release(&'static str),
    Cancel,
    /// Not yet.
    Wait,
}

/// Held amounts are cancelled when the registration is voided or its confirmation bounced
/// (unless the customer verified); released when the customer verified, or when the verification
/// days passed with the confirmation delivered (or with no email channel to confirm through).
pub fn settle(facts: &HeldFacts) -> Settlement {
    let confirmation = facts.confirmation.as_deref();
    if !facts.registration_active || (!facts.verified && confirmation == Some("bounced")) {
        Settlement::Cancel
    } else if facts.verified {
        Settlement::Release("verified")
    } else if !facts.release_due {
        Settlement::Wait
    } else {
        match confirmation {
            Some("sent") => Settlement::Release("confirmation_delivered"),
            Some("no_email") => Settlement::Release("no_email_channel"),
            _ => Settlement::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_formatted_with_the_currencys_minor_unit() {
        assert_eq!(format_minor(1234, "EUR"), "12.34");
        assert_eq!(format_minor(-5, "EUR"), "-0.05");
        assert_eq!(format_minor(1234, "JPY"), "1234");
        assert_eq!(format_minor(1234, "KWD"), "1.234");
        assert_eq!(format_minor(i64::MIN + 1, "EUR"), "-92233720368547758.07");
        assert_eq!(Money::new(250, "EUR").to_string(), "2.50 EUR");
    }

    #[test]
    fn accounting_months() {
        let m = |s| AccountingMonth::parse(s);
        assert_eq!(
            m("2026-11").map(|m| m.to_string()).as_deref(),
            Some("2026-11")
        );
        assert!(m("2026-13").is_none() && m("26-11").is_none() && m("2026-1").is_none());
        assert!(m("1999-12").is_none());
        assert_eq!(m("2027-01").unwrap().previous().to_string(), "2026-12");
        assert_eq!(m("2026-12").unwrap().next().to_string(), "2027-01");
        assert_eq!(
            AccountingMonth::of(
                "2026-11-30T23:30:00Z".parse().unwrap(),
                "Europe/Paris".parse().unwrap()
            )
            .to_string(),
            "2026-12"
        );
        assert!(m("2026-02").unwrap() < m("2026-10").unwrap());
        let (first, next) = m("2028-02").unwrap().days();
        assert_eq!(
            (first.to_string(), next.to_string()),
            ("2028-02-01".into(), "2028-03-01".into())
        );
    }

    #[test]
    fn statement_workflow() {
        use StatementAction as A;
        use StatementStatus as S;
        assert_eq!(S::PendingReview.after(A::Approve), Some(S::Approved));
        assert_eq!(S::Approved.after(A::Pay), Some(S::Paid));
        assert_eq!(S::PendingReview.after(A::Pay), None);
        assert_eq!(S::Paid.after(A::Hold), None);
        assert_eq!(S::OnHold.after(A::Release), Some(S::PendingReview));
        assert_eq!(S::Approved.after(A::Hold), Some(S::OnHold));
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        for a in A::ALL {
            assert_eq!(A::parse(a.as_str()), Some(a));
        }
        assert_eq!(S::parse("Paid"), None);
    }

    #[test]
    fn the_cap_keeps_the_total_within_it_and_never_goes_negative() {
        assert_eq!(
            apply_cap(None, 10_000, 500),
            Capped {
                amount_minor: 500,
                reduced: false
            }
        );
        assert_eq!(
            apply_cap(Some(1000), 0, 500),
            Capped {
                amount_minor: 500,
                reduced: false
            }
        );
        assert_eq!(
            apply_cap(Some(1000), 700, 500),
            Capped {
                amount_minor: 300,
                reduced: true
            }
        );
        assert_eq!(
            apply_cap(Some(1000), 1000, 500),
            Capped {
                amount_minor: 0,
                reduced: true
            }
        );
        assert_eq!(
            apply_cap(Some(1000), 1500, 500),
            Capped {
                amount_minor: 0,
                reduced: true
            }
        );
        assert!(is_held(true, 1) && !is_held(true, 0) && !is_held(false, 5));
    }

    #[test]
    fn held_amounts_settle_by_verification_delivery_bounce_or_void() {
        let facts = |active, verified, confirmation: Option<&str>, due| HeldFacts {
            registration_active: active,
            verified,
            confirmation: confirmation.map(str::to_owned),
            release_due: due,
        };
        assert_eq!(
            settle(&facts(false, true, Some("sent"), true)),
            Settlement::Cancel
        );
        assert_eq!(
            settle(&facts(true, false, Some("bounced"), false)),
            Settlement::Cancel
        );
        assert_eq!(
            settle(&facts(true, true, Some("bounced"), false)),
            Settlement::Release("verified")
        );
        assert_eq!(
            settle(&facts(true, true, None, false)),
            Settlement::Release("verified")
        );
        assert_eq!(
            settle(&facts(true, false, Some("sent"), false)),
            Settlement::Wait
        );
        assert_eq!(
            settle(&facts(true, false, Some("sent"), true)),
            Settlement::Release("confirmation_delivered")
        );
        assert_eq!(
            settle(&facts(true, false, Some("no_email"), true)),
            Settlement::Release("no_email_channel")
        );
        assert_eq!(settle(&facts(true, false, None, true)), Settlement::Wait);
        assert_eq!(
            settle(&facts(true, false, Some("failed"), true)),
            Settlement::Wait
        );
    }
}
