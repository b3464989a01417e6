//! The ledger's use cases, each in its own transaction: accrue an amount (cap applied), claw a
//! voided registration's earnings back, release or cancel held amounts, close a period into
//! statements, move a statement through finance's workflow, add an adjustment, save a program.
//! The rules are `crate::domain::ledger`'s; the rows are `crate::store`'s.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::ledger::{
    AccountingMonth, AccrualPlan, HeldFacts, Money, Settlement, StatementAction, StatementStatus,
    apply_cap, is_held, settle,
};
use crate::store::entries::{self, NewEntry};
use crate::store::held::{self, NewHeld};
use crate::store::statements::{self, StatusChange};
use crate::store::{
    IncentiveLine, LedgerLine, StatementRecord, Store, StoreError, WriteTx, programs,
};

/// Accrues one planned amount in `tx`: the program's cap is applied against the dealer's total
/// for the program and period (locked), then the amount is written as an entry, or held until the
/// registration is verified. Returns the line as the dealer sees it.
pub async fn accrue(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    registration_id: Uuid,
    service_event_id: Option<Uuid>,
    plan: &AccrualPlan,
    at: DateTime<Utc>,
) -> Result<IncentiveLine, StoreError> {
    let period = plan.period.to_string();
    let mut capped = apply_cap(None, 0, plan.amount_minor);
    if plan.cap_minor.is_some() {
        let total = entries::lock_accrual_total(tx, dealer_id, &plan.program_id, &period).await?;
        capped = apply_cap(plan.cap_minor, total, plan.amount_minor);
        entries::add_to_accrual_total(
            tx,
            dealer_id,
            &plan.program_id,
            &period,
            capped.amount_minor,
        )
        .await?;
    }
    let reason = capped.reduced.then_some("capped");
    let held = is_held(plan.held || plan.needs_proof, capped.amount_minor);
    if held {
        held::insert_held(
            tx,
            &NewHeld {
                registration_id,
                dealer_id,
                currency: &plan.currency,
                amount_minor: capped.amount_minor,
                kind: plan.kind,
                period: &period,
                program_id: &plan.program_id,
                program_version: plan.program_version,
                rule_id: &plan.rule_id,
                release_after: plan.release_after,
                clawback_until: plan.clawback_until,
                reason,
                needs_verification: plan.held,
                needs_proof: plan.needs_proof,
                created_at: at,
            },
        )
        .await?;
    } else {
        entries::insert_entry(
            tx,
            &NewEntry {
                dealer_id,
                currency: &plan.currency,
                amount_minor: capped.amount_minor,
                kind: plan.kind,
                period: &period,
                registration_id: Some(registration_id),
                service_event_id,
                program_id: Some(&plan.program_id),
                program_version: Some(plan.program_version),
                rule_id: Some(&plan.rule_id),
                reason,
                clawback_until: Some(plan.clawback_until),
                ..NewEntry::new(at)
            },
        )
        .await?;
    }
    Ok(IncentiveLine {
        program_id: plan.program_id.clone(),
        program_version: plan.program_version,
        rule_id: plan.rule_id.clone(),
        kind: plan.kind.to_owned(),
        amount_minor: capped.amount_minor,
        currency: plan.currency.clone(),
        held,
        needs_proof: held && plan.needs_proof,
        reason: reason.map(str::to_owned),
    })
}

/// A voided registration gives back, in `period`, every amount it earned whose clawback window is
/// still open (one reversing entry each), and its held amounts are cancelled.
pub async fn claw_back(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    registration_id: Uuid,
    period: AccountingMonth,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let earned = entries::reversible_earnings(tx, registration_id, now).await?;
    reverse(
        tx,
        dealer_id,
        registration_id,
        period,
        &earned,
        "voided",
        now,
    )
    .await
}

/// A corrected registration's earnings, reversed in `period` (one entry each, naming `why`) and its
/// held amounts cancelled, before it accrues again from the corrected facts.
pub async fn reverse_earnings(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    registration_id: Uuid,
    period: AccountingMonth,
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let earned = entries::standing_earnings(tx, registration_id).await?;
    reverse(tx, dealer_id, registration_id, period, &earned, why, now).await
}

/// One reversing `clawback` entry per earned amount (`"{why}: reverses {kind}"`), then the
/// registration's held amounts cancelled.
async fn reverse(
    tx: &mut WriteTx,
    dealer_id: Uuid,
    registration_id: Uuid,
    period: AccountingMonth,
    earned: &[entries::EarnedRow],
    why: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let period = period.to_string();
    for e in earned {
        let reason = format!("{why}: reverses {}", e.kind);
        entries::insert_entry(
            tx,
            &NewEntry {
                dealer_id,
                currency: &e.currency,
                amount_minor: -e.amount_minor,
                kind: "clawback",
                period: &period,
                registration_id: Some(registration_id),
                program_id: e.program_id.as_deref(),
                program_version: e.program_version,
                rule_id: e.rule_id.as_deref(),
                reverses: Some(e.id),
                reason: Some(&reason),
                ..NewEntry::new(now)
            },
        )
        .await?;
    }
    held::cancel_held(tx, registration_id, now).await
}

/// Turns a registration's held amounts into ledger entries in `period`, each with `reason`: those
/// waiting for the customer's confirmation when `verification_done`, those waiting for a proof of
/// purchase when one is attached. Returns how many.
pub async fn release_held(
    store: &Store,
    registration_id: Uuid,
    period: AccountingMonth,
    reason: &str,
    verification_done: bool,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let period = period.to_string();
    let mut tx = store.begin_write().await?;
    let held = held::releasable_of(&mut tx, registration_id, verification_done).await?;
    for h in &held {
        let entry_id = Uuid::now_v7();
        entries::insert_entry(
            &mut tx,
            &NewEntry {
                id: entry_id,
                dealer_id: h.dealer_id,
                currency: &h.currency,
                amount_minor: h.amount_minor,
                kind: &h.kind,
                period: &period,
                registration_id: Some(registration_id),
                program_id: Some(&h.program_id),
                program_version: Some(h.program_version),
                rule_id: Some(&h.rule_id),
                reason: Some(reason),
                clawback_until: h.clawback_until,
                ..NewEntry::new(now)
            },
        )
        .await?;
        held::mark_released(&mut tx, h.id, entry_id, now).await?;
    }
    tx.commit().await?;
    Ok(held.len())
}

/// Settles held amounts as `domain::ledger::settle` decides. Returns (released, cancelled)
/// registrations.
pub async fn settle_held(
    store: &Store,
    period: AccountingMonth,
    now: DateTime<Utc>,
) -> Result<(usize, usize), StoreError> {
    let (mut released, mut cancelled) = (0, 0);
    for c in store.settle_candidates(now).await? {
        let facts = HeldFacts {
            registration_active: c.status == "active",
            verified: c.verified_at.is_some(),
            confirmation: c.outcome,
            release_due: c.release_due,
        };
        match settle(&facts) {
            Settlement::Cancel => {
                let mut tx = store.begin_write().await?;
                held::cancel_held(&mut tx, c.registration_id, now).await?;
                tx.commit().await?;
                cancelled += 1;
            }
            Settlement::Release(reason) => {
                release_held(store, c.registration_id, period, reason, true, now).await?;
                released += 1;
            }
            Settlement::Wait => {}
        }
    }
    Ok((released, cancelled))
}

/// Closes `period`: one statement per dealer and currency from every entry of this or an earlier
/// period that is on no statement yet. Closing a closed period changes nothing. Returns whether
/// this call closed it, and the period's statements.
pub async fn close_period(
    store: &Store,
    period: AccountingMonth,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(bool, Vec<StatementRecord>), StoreError> {
    let key = period.to_string();
    let mut tx = store.begin_write().await?;
    let closed_now = statements::insert_closed_period(&mut tx, &key, actor, now).await?;
    if closed_now {
        for group in statements::open_groups(&mut tx, &key).await? {
            let id = Uuid::now_v7();
            statements::insert_statement(&mut tx, id, &group, &key, now).await?;
            let detail = Money::new(group.total_minor, &group.currency).to_string();
            entries::audit(
                &mut tx,
                actor,
                "statement.created",
                "statement",
                &id.to_string(),
                Some(&detail),
                now,
            )
            .await?;
        }
        entries::audit(&mut tx, actor, "period.closed", "period", &key, None, now).await?;
    }
    tx.commit().await?;
    let statements = store.statements(Some(&key), None, None).await?;
    Ok((closed_now, statements))
}

/// Why a statement's workflow step was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("no such statement")]
    NotFound,
    /// Not allowed from the current status.
    #[error("a statement in status {status} cannot be {}", action.past_tense())]
    Refused {
        status: String,
        action: StatementAction,
    },
    /// The four-eyes rule: the approver may not pay, nor approve their own adjustment.
    #[error("{}", match .0 {
        crate::domain::account::FourEyes::ApproverPays => "the person who approved this statement cannot also mark it paid; another person must",
        crate::domain::account::FourEyes::OwnAdjustment => "this statement contains an adjustment you entered; another approver must approve it",
    })]
    FourEyes(crate::domain::account::FourEyes),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Applies finance's `action` to a statement if its current status allows it, with its audit row.
pub async fn transition_statement(
    store: &Store,
    id: Uuid,
    action: StatementAction,
    note: Option<&str>,
    actor: Uuid,
    now: DateTime<Utc>,
) -> Result<StatementRecord, TransitionError> {
    let mut tx = store.begin_write().await?;
    let Some(raw) = statements::lock_statement_status(&mut tx, id).await? else {
        return Err(TransitionError::NotFound);
    };
    let status = StatementStatus::parse(&raw)
        .ok_or_else(|| StoreError::Corrupt(format!("statement {id} status")))?;
    let Some(next) = status.after(action) else {
        return Err(TransitionError::Refused {
            status: raw,
            action,
        });
    };
    // Four eyes: read under the statement's lock, so a concurrent approval is seen.
    match action {
        StatementAction::Approve => {
            let authors = statements::adjustment_authors(&mut tx, id).await?;
            crate::domain::account::may_approve(actor, &authors)
                .map_err(TransitionError::FourEyes)?;
        }
        StatementAction::Pay => {
            let approver = statements::approved_by(&mut tx, id).await?;
            crate::domain::account::may_pay(actor, approver).map_err(TransitionError::FourEyes)?;
        }
        StatementAction::Hold | StatementAction::Release => {}
    }
    let change = StatusChange {
        from: status.as_str(),
        to: next.as_str(),
        hold_reason: (next == StatementStatus::OnHold).then_some(note).flatten(),
        clear_hold_reason: next == StatementStatus::PendingReview,
        payment_reference: (next == StatementStatus::Paid).then_some(note).flatten(),
        approved: next == StatementStatus::Approved,
        paid: next == StatementStatus::Paid,
    };
    statements::update_statement_status(&mut tx, id, &change, now).await?;
    let detail = format!(
        "{} -> {}{}",
        status.as_str(),
        next.as_str(),
        note.map(|n| format!(": {n}")).unwrap_or_default()
    );
    entries::audit(
        &mut tx,
        Some(actor),
        &format!("statement.{}", action.as_str()),
        "statement",
        &id.to_string(),
        Some(&detail),
        now,
    )
    .await?;
    tx.commit().await?;
    store.statement(id).await?.ok_or(TransitionError::NotFound)
}

/// A manual ledger entry by finance.
#[derive(Debug, Clone)]
pub struct NewAdjustment<'a> {
    pub dealer_id: Uuid,
    pub currency: &'a str,
    pub amount_minor: i64,
    pub period: AccountingMonth,
    pub reason: &'a str,
    pub actor: Uuid,
}

/// Adds finance's adjustment, with its audit row.
pub async fn add_adjustment(
    store: &Store,
    adjustment: &NewAdjustment<'_>,
    now: DateTime<Utc>,
) -> Result<LedgerLine, StoreError> {
    let id = Uuid::now_v7();
    let period = adjustment.period.to_string();
    let mut tx = store.begin_write().await?;
    entries::insert_entry(
        &mut tx,
        &NewEntry {
            id,
            dealer_id: adjustment.dealer_id,
            currency: adjustment.currency,
            amount_minor: adjustment.amount_minor,
            kind: "adjustment",
            period: &period,
            reason: Some(adjustment.reason),
            actor: Some(adjustment.actor),
            ..NewEntry::new(now)
        },
    )
    .await?;
    let detail = Money::new(adjustment.amount_minor, adjustment.currency).to_string();
    entries::audit(
        &mut tx,
        Some(adjustment.actor),
        "adjustment.added",
        "ledger_entry",
        &id.to_string(),
        Some(&detail),
        now,
    )
    .await?;
    tx.commit().await?;
    store.ledger_line(id).await
}

/// Saves a program definition as a new version when it differs from the current one; returns
/// the current version and whether it was created now.
pub async fn save_program(
    store: &Store,
    id: &str,
    definition: &str,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(i32, bool), StoreError> {
    let mut tx = store.begin_write().await?;
    let current = programs::current_version(&mut tx, id).await?;
    if let Some((version, existing)) = &current
        && existing == definition
    {
        return Ok((*version, false));
    }
    let version = current.map_or(1, |(v, _)| v + 1);
    programs::insert_version(&mut tx, id, version, definition, actor, now).await?;
    let detail = format!("version {version}");
    entries::audit(
        &mut tx,
        actor,
        "program.saved",
        "program",
        id,
        Some(&detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((version, true))
}
