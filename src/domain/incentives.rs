//! Incentive programs and their rules: which amounts a registration earns. Money, accounting
//! months and the ledger's decisions are in `ledger`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::field::{Errors, FieldError, clean_text};
use super::ledger::{MAX_AMOUNT_MINOR, parse_currency};

/// An incentive program as an admin defines it. Each change is stored as a new version; entries
/// name the version that produced them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramDefinition {
    #[schema(example = "Registration bonus 2027")]
    pub name: String,
    /// ISO 4217, e.g. `EUR`.
    #[schema(example = "EUR")]
    pub currency: String,
    /// Purchases from this date on qualify.
    pub valid_from: NaiveDate,
    /// Purchases up to this date qualify (open-ended when absent).
    pub valid_to: Option<NaiveDate>,
    /// The most one dealer can earn from this program per period, in minor units.
    pub cap_per_dealer_per_period_minor: Option<i64>,
    /// A registration voided within this many days of being registered gives its amounts back.
    #[serde(default = "default_clawback_days")]
    pub clawback_days: u32,
    pub rules: Vec<Rule>,
}

fn default_clawback_days() -> u32 {
    90
}

fn default_on_time_days() -> u32 {
    30
}

fn default_verification_days() -> u32 {
    14
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable within the program, e.g. `mowers`.
    pub id: String,
    /// Matches one sku...
    pub sku: Option<String>,
    /// ...or every product of a category.
    pub category: Option<String>,
    /// Earned per registration, in minor units.
    pub registration_minor: i64,
    /// Extra when the registration arrives within `on_time_days` of the purchase.
    #[serde(default)]
    pub on_time_bonus_minor: i64,
    #[serde(default = "default_on_time_days")]
    pub on_time_days: u32,
    /// Earned when a service visit is attributed to the dealer.
    #[serde(default)]
    pub service_attribution_minor: i64,
    /// Hold the amounts until the customer confirms the registration (or `verification_days` pass
    /// with the confirmation delivered and not bounced).
    #[serde(default)]
    pub hold_until_verified: bool,
    #[serde(default = "default_verification_days")]
    pub verification_days: u32,
    /// Hold the amounts until a proof of purchase is attached (by the owner or the dealer); with
    /// `hold_until_verified` too, both must be met.
    #[serde(default)]
    pub requires_proof: bool,
    /// Only registrations that came through these channels (`dealer_api`, `dealer_counter`,
    /// `owner_qr`, `owner_web`) earn under this rule; absent: every channel. A program can so pay
    /// owners' self-registrations (credited to the dealer whose QR code they used) differently.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<Vec<String>>,
}

/// The channels a registration can arrive through.
pub const CHANNELS: [&str; 4] = ["dealer_api", "dealer_counter", "owner_qr", "owner_web"];

impl ProgramDefinition {
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut e = Errors::default();
        e.take("name", clean_text(&self.name, 200));
        e.take("currency", parse_currency(&self.currency));
        if self.valid_to.is_some_and(|to| to < self.valid_from) {
            e.push(
                "valid_to",
                "before_valid_from",
                "must not be before valid_from",
            );
        }
        if self
            .cap_per_dealer_per_period_minor
            .is_some_and(|c| !(0..=MAX_AMOUNT_MINOR).contains(&c))
        {
            e.push(
                "cap_per_dealer_per_period_minor",
                "out_of_range",
                "must be from 0 to 100,000,000,000",
            );
        }
        if self.clawback_days > 3650 {
            e.push("clawback_days", "out_of_range", "must be at most 3650");
        }
        if self.rules.is_empty() || self.rules.len() > 100 {
            e.push("rules", "count", "give 1 to 100 rules");
        }
        for (i, rule) in self.rules.iter().enumerate() {
            let f = |name: &str| format!("rules[{i}].{name}");
            if let Some(channels) = &rule.channels
                && (channels.is_empty() || channels.iter().any(|c| !CHANNELS.contains(&c.as_str())))
            {
                e.push(
                    f("channels"),
                    "invalid_channel",
                    "give one or more of dealer_api, dealer_counter, owner_qr, owner_web",
                );
            }
            let id_ok = !rule.id.is_empty()
                && rule.id.len() <= 64
                && rule
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c));
            if !id_ok {
                e.push(
                    f("id"),
                    "invalid_id",
                    "must be 1 to 64 letters, digits, '-' or '_'",
                );
            } else if self.rules[..i].iter().any(|r| r.id == rule.id) {
                e.push(f("id"), "duplicate", "rule ids must be unique in a program");
            }
            if rule.sku.is_some() == rule.category.is_some() {
                e.push(
                    f("sku"),
                    "match_required",
                    "give exactly one of sku and category",
                );
            }
            for (name, amount) in [
                ("registration_minor", rule.registration_minor),
                ("on_time_bonus_minor", rule.on_time_bonus_minor),
                ("service_attribution_minor", rule.service_attribution_minor),
            ] {
                if !(0..=MAX_AMOUNT_MINOR).contains(&amount) {
                    e.push(
                        f(name),
                        "out_of_range",
                        "must be from 0 to 100,000,000,000 minor units",
                    );
                }
            }
            if rule.on_time_days > 3650 || rule.verification_days > 365 {
                e.push(
                    f("on_time_days"),
                    "out_of_range",
                    "on_time_days at most 3650, verification_days at most 365",
                );
            }
        }
        if e.is_empty() { Ok(()) } else { Err(e.0) }
    }

    pub fn covers(&self, purchase_date: NaiveDate) -> bool {
        purchase_date >= self.valid_from && self.valid_to.is_none_or(|to| purchase_date <= to)
    }
}

/// One amount a registration earns from one rule, before caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earning {
    pub rule_id: String,
    /// `registration` or `on_time_bonus`.
    pub kind: &'static str,
    pub amount_minor: i64,
    /// Held until the customer confirms (or the verification days pass).
    pub held: bool,
    /// Held until a proof of purchase is attached.
    pub needs_proof: bool,
    pub verification_days: u32,
}

/// What a registration earns under one program version.
pub fn earnings(
    program: &ProgramDefinition,
    sku: &str,
    category: &str,
    channel: &str,
    purchase_date: NaiveDate,
    registered_on: NaiveDate,
) -> Vec<Earning> {
    if !program.covers(purchase_date) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for rule in &program.rules {
        let matches =
            rule.sku.as_deref() == Some(sku) || rule.category.as_deref() == Some(category);
        let channel_ok = rule
            .channels
            .as_ref()
            .is_none_or(|channels| channels.iter().any(|c| c == channel));
        if !matches || !channel_ok {
            continue;
        }
        let mut earn = |kind, amount_minor| {
            if amount_minor > 0 {
                out.push(Earning {
                    rule_id: rule.id.clone(),
                    kind,
                    amount_minor,
                    held: rule.hold_until_verified,
                    needs_proof: rule.requires_proof,
                    verification_days: rule.verification_days,
                });
            }
        };
        earn("registration", rule.registration_minor);
        let on_time = (registered_on - purchase_date).num_days() <= i64::from(rule.on_time_days);
        if on_time {
            earn("on_time_bonus", rule.on_time_bonus_minor);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program() -> ProgramDefinition {
        serde_json::from_value(serde_json::json!({
            "name": "P", "currency": "EUR", "valid_from": "2026-01-01", "valid_to": "2026-12-31",
            "rules": [
                {"id": "mowers", "sku": "MOWER-500", "registration_minor": 1500, "on_time_bonus_minor": 500, "on_time_days": 10},
                {"id": "garden", "category": "garden", "registration_minor": 200, "hold_until_verified": true}
            ]
        }))
        .unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn matching_rules_earn_with_an_on_time_bonus() {
        let e = earnings(
            &program(),
            "MOWER-500",
            "garden",
            "dealer_api",
            d("2026-11-20"),
            d("2026-11-27"),
        );
        let summary: Vec<_> = e
            .iter()
            .map(|e| (e.rule_id.as_str(), e.kind, e.amount_minor, e.held))
            .collect();
        assert_eq!(
            summary,
            [
                ("mowers", "registration", 1500, false),
                ("mowers", "on_time_bonus", 500, false),
                ("garden", "registration", 200, true)
            ]
        );
        let late = earnings(
            &program(),
            "MOWER-500",
            "garden",
            "dealer_api",
            d("2026-11-01"),
            d("2026-11-27"),
        );
        assert!(late.iter().all(|e| e.kind == "registration"));
        assert!(
            earnings(
                &program(),
                "MOWER-500",
                "garden",
                "dealer_api",
                d("2025-12-31"),
                d("2026-01-02")
            )
            .is_empty()
        );
        assert!(
            earnings(
                &program(),
                "KETTLE",
                "kitchen",
                "dealer_api",
                d("2026-11-20"),
                d("2026-11-27")
            )
            .is_empty()
        );
    }

    #[test]
    fn a_rule_may_pay_only_some_channels() {
        let program: ProgramDefinition = serde_json::from_value(serde_json::json!({
            "name": "P", "currency": "EUR", "valid_from": "2026-01-01",
            "rules": [
                {"id": "dealers", "category": "garden", "registration_minor": 1000, "channels": ["dealer_api", "dealer_counter"]},
                {"id": "owners", "category": "garden", "registration_minor": 400, "channels": ["owner_qr"]}
            ]
        }))
        .unwrap();
        assert!(program.validate().is_ok());
        let paid = |channel| {
            earnings(
                &program,
                "M",
                "garden",
                channel,
                d("2026-11-20"),
                d("2026-11-21"),
            )
            .iter()
            .map(|e| (e.rule_id.clone(), e.amount_minor))
            .collect::<Vec<_>>()
        };
        assert_eq!(paid("dealer_counter"), [("dealers".to_owned(), 1000)]);
        assert_eq!(paid("owner_qr"), [("owners".to_owned(), 400)]);
        let mut bad = program.clone();
        bad.rules[0].channels = Some(vec!["fax".into()]);
        assert!(bad.validate().is_err(), "an unknown channel is refused");
    }

    #[test]
    fn programs_are_validated() {
        assert!(program().validate().is_ok());
        let mut bad = program();
        bad.currency = "euro".into();
        bad.rules[1].sku = Some("X".into());
        bad.rules[0].registration_minor = -1;
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["currency", "rules[0].registration_minor", "rules[1].sku"]
        );
    }
}
