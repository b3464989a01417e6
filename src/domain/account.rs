//! People who use the web pages: their roles, what each role may do, and the four-eyes rules of
//! finance. Pure rules; the accounts themselves live in `store::accounts`.

use uuid::Uuid;

/// A person's role. Dealer roles belong to one dealer; the others to the manufacturer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Registers units, sees the dealer's registrations, statements and scorecard.
    DealerStaff,
    /// Also voids registrations and invites the dealer's staff.
    DealerManager,
    /// Enters adjustments, holds and releases statements, marks approved statements paid.
    FinanceClerk,
    /// Also approves statements (never one with an adjustment of their own).
    FinanceApprover,
    /// Dealers, products, programs, fraud signals and people.
    Admin,
}

/// The part of the site a role works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Dealer,
    Finance,
    Admin,
}

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dealer => "dealer",
            Self::Finance => "finance",
            Self::Admin => "admin",
        }
    }

    /// Where a person of this area lands after signing in.
    pub fn home(self) -> &'static str {
        match self {
            Self::Dealer => "/dealer",
            Self::Finance => "/finance",
            Self::Admin => "/admin",
        }
    }
}

pub const ROLES: [StaffRole; 5] = [
    StaffRole::DealerStaff,
    StaffRole::DealerManager,
    StaffRole::FinanceClerk,
    StaffRole::FinanceApprover,
    StaffRole::Admin,
];

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DealerStaff => "dealer_staff",
            Self::DealerManager => "dealer_manager",
            Self::FinanceClerk => "finance_clerk",
            Self::FinanceApprover => "finance_approver",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ROLES.into_iter().find(|r| r.as_str() == s)
    }

    pub fn area(self) -> Area {
        match self {
            Self::DealerStaff | Self::DealerManager => Area::Dealer,
            Self::FinanceClerk | Self::FinanceApprover => Area::Finance,
            Self::Admin => Area::Admin,
        }
    }

    pub fn is_dealer(self) -> bool {
        self.area() == Area::Dealer
    }

    /// Whether this role may void registrations and invite the dealer's staff.
    pub fn manages_dealer(self) -> bool {
        self == Self::DealerManager
    }

    pub fn may_approve(self) -> bool {
        self == Self::FinanceApprover
    }

    /// Whether a person of this role may invite someone with `other`: admins invite anyone; a
    /// dealer manager invites the dealer's staff and managers.
    pub fn may_invite(self, other: StaffRole) -> bool {
        match self {
            Self::Admin => true,
            Self::DealerManager => other.is_dealer(),
            _ => false,
        }
    }
}

/// Why the four-eyes rule refuses a statement action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FourEyes {
    /// The person who approved the statement may not also mark it paid.
    ApproverPays,
    /// An approver may not approve a statement that contains an adjustment they entered.
    OwnAdjustment,
}

/// Approving: refused when `actor` entered one of the statement's adjustments.
pub fn may_approve(actor: Uuid, adjustment_authors: &[Uuid]) -> Result<(), FourEyes> {
    if adjustment_authors.contains(&actor) {
        Err(FourEyes::OwnAdjustment)
    } else {
        Ok(())
    }
}

/// Marking paid: refused when `actor` approved the statement.
pub fn may_pay(actor: Uuid, approved_by: Option<Uuid>) -> Result<(), FourEyes> {
    if approved_by == Some(actor) {
        Err(FourEyes::ApproverPays)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_map_to_their_area() {
        for role in ROLES {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("dealer"), None);
        assert_eq!(StaffRole::DealerManager.area(), Area::Dealer);
        assert_eq!(StaffRole::FinanceApprover.area(), Area::Finance);
    }

    #[test]
    fn a_dealer_manager_invites_only_dealer_staff() {
        assert!(StaffRole::DealerManager.may_invite(StaffRole::DealerStaff));
        assert!(!StaffRole::DealerManager.may_invite(StaffRole::Admin));
        assert!(!StaffRole::DealerStaff.may_invite(StaffRole::DealerStaff));
        assert!(StaffRole::Admin.may_invite(StaffRole::FinanceApprover));
    }

    #[test]
    fn four_eyes_refuses_the_same_person_twice() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(may_pay(a, Some(a)), Err(FourEyes::ApproverPays));
        assert_eq!(may_pay(b, Some(a)), Ok(()));
        assert_eq!(may_approve(a, &[b, a]), Err(FourEyes::OwnAdjustment));
        assert_eq!(may_approve(a, &[b]), Ok(()));
    }
}
