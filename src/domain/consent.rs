//! Consent, one rule for every reader: per party (the dealer that captured the customer record,
//! or the manufacturer) and purpose, the latest event counts, except that a withdrawal by the
//! customer (an unsubscribe or a complaint) stands until the customer grants consent again;
//! consent a dealer captures later does not override it.

/// Whom a consent was given to. One party's grant or withdrawal never changes another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Dealer,
    Manufacturer,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dealer => "dealer",
            Self::Manufacturer => "manufacturer",
        }
    }
}

/// What a consent is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ServiceReminders,
    Marketing,
    /// Satisfaction surveys.
    Surveys,
    /// Safety notices and recalls: sent whatever else was chosen, used for nothing else.
    Safety,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ServiceReminders => "service_reminders",
            Self::Marketing => "marketing",
            Self::Surveys => "surveys",
            Self::Safety => "safety",
        }
    }
}

/// Who recorded an event (`consent_events.source`).
pub mod source {
    pub const DEALER_REGISTRATION: &str = "dealer_registration";
    pub const CUSTOMER_UNSUBSCRIBE: &str = "customer_unsubscribe";
    pub const CUSTOMER_RESUBSCRIBE: &str = "customer_resubscribe";
    pub const CUSTOMER_COMPLAINT: &str = "customer_complaint";
    /// The owner's choices on their own page.
    pub const CUSTOMER_OWNER_PAGE: &str = "customer_owner_page";
    /// A unit's new owner, accepting its transfer.
    pub const CUSTOMER_TRANSFER: &str = "customer_transfer";
    /// A text answered STOP (or the provider reported the recipient's opt-out).
    pub const CUSTOMER_SMS_STOP: &str = "customer_sms_stop";
    /// A text answered START.
    pub const CUSTOMER_SMS_START: &str = "customer_sms_start";

    /// The customer's own act (every customer source starts so).
    pub fn is_customer(source: &str) -> bool {
        source.starts_with("customer_")
    }
}

/// One consent event to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentGrant {
    pub party: Party,
    pub purpose: Purpose,
    pub granted: bool,
}

/// What the rule needs of one party's events for one purpose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsentFacts {
    /// The latest event's answer.
    pub latest: Option<bool>,
    /// The latest answer the customer gave themselves.
    pub latest_by_customer: Option<bool>,
}

impl ConsentFacts {
    /// From events in the order they happened: (granted, source).
    pub fn of<'a>(events: impl IntoIterator<Item = (bool, &'a str)>) -> Self {
        let mut facts = Self::default();
        for (granted, source) in events {
            facts.latest = Some(granted);
            if source::is_customer(source) {
                facts.latest_by_customer = Some(granted);
            }
        }
        facts
    }

    /// The consent in force: `None` when never asked.
    pub fn current(self) -> Option<bool> {
        self.latest
            .map(|granted| granted && !self.withdrawn_by_customer())
    }

    /// The customer withdrew it and has not granted it again.
    pub fn withdrawn_by_customer(self) -> bool {
        self.latest_by_customer == Some(false)
    }
}

/// A customer's current consent per party and purpose (`None`: never asked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CurrentConsent {
    pub service_reminders: Option<bool>,
    pub marketing: Option<bool>,
    pub manufacturer_marketing: Option<bool>,
    /// The manufacturer's satisfaction surveys.
    pub surveys: Option<bool>,
    /// Contact for safety messages (given with a registration for safety messages only).
    pub safety: Option<bool>,
}

impl CurrentConsent {
    /// From a customer's events in order: (party, purpose, granted, source).
    pub fn of(events: &[(String, String, bool, String)]) -> Self {
        let current = |party: Party, purpose: Purpose| {
            ConsentFacts::of(
                events
                    .iter()
                    .filter(|(w, p, _, _)| w == party.as_str() && p == purpose.as_str())
                    .map(|(_, _, granted, source)| (*granted, source.as_str())),
            )
            .current()
        };
        Self {
            service_reminders: current(Party::Dealer, Purpose::ServiceReminders),
            marketing: current(Party::Dealer, Purpose::Marketing),
            manufacturer_marketing: current(Party::Manufacturer, Purpose::Marketing),
            surveys: current(Party::Manufacturer, Purpose::Surveys),
            safety: current(Party::Manufacturer, Purpose::Safety),
        }
    }
}

/// What an unsubscribe withdraws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeScope {
    /// Service reminders from the dealer whose message carried the link (RFC 8058 one-click too).
    Sender,
    /// Service reminders and offers from that dealer.
    SenderAll,
    /// Every purpose, from every dealer that captured this person and from the manufacturer.
    All,
}

impl UnsubscribeScope {
    /// The (party, purpose) pairs withdrawn on each of the person's records.
    pub fn withdraws(self) -> &'static [(Party, Purpose)] {
        match self {
            Self::Sender => &[(Party::Dealer, Purpose::ServiceReminders)],
            Self::SenderAll => &[
                (Party::Dealer, Purpose::ServiceReminders),
                (Party::Dealer, Purpose::Marketing),
            ],
            Self::All => &[
                (Party::Dealer, Purpose::ServiceReminders),
                (Party::Dealer, Purpose::Marketing),
                (Party::Manufacturer, Purpose::Marketing),
            ],
        }
    }

    /// Whether the scope reaches every record of the person (not only the one the link is for).
    pub fn whole_person(self) -> bool {
        self == Self::All
    }
}

/// An unsubscribe records a withdrawal unless the latest event already is the customer's own
/// unsubscribe (repeating one changes nothing).
pub fn unsubscribe_records(latest: Option<(bool, &str)>) -> bool {
    !matches!(latest, Some((false, s)) if s == source::CUSTOMER_UNSUBSCRIBE)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEALER: &str = source::DEALER_REGISTRATION;

    #[test]
    fn the_latest_event_counts() {
        assert_eq!(ConsentFacts::of([]).current(), None);
        assert_eq!(ConsentFacts::of([(true, DEALER)]).current(), Some(true));
        assert_eq!(
            ConsentFacts::of([(true, DEALER), (false, DEALER)]).current(),
            Some(false)
        );
        assert_eq!(
            ConsentFacts::of([(false, DEALER), (true, DEALER)]).current(),
            Some(true)
        );
    }

    #[test]
    fn a_customer_withdrawal_stands_until_the_customer_grants_again() {
        let unsub = source::CUSTOMER_UNSUBSCRIBE;
        let withdrawn = ConsentFacts::of([(true, DEALER), (false, unsub), (true, DEALER)]);
        assert_eq!(withdrawn.current(), Some(false));
        assert!(withdrawn.withdrawn_by_customer());
        let back = ConsentFacts::of([
            (true, DEALER),
            (false, source::CUSTOMER_COMPLAINT),
            (true, source::CUSTOMER_RESUBSCRIBE),
        ]);
        assert_eq!(back.current(), Some(true));
        assert!(!back.withdrawn_by_customer());
    }

    #[test]
    fn parties_and_purposes_are_separate() {
        let events = |rows: &[(&str, &str, bool, &str)]| -> Vec<_> {
            rows.iter()
                .map(|(w, p, g, s)| (w.to_string(), p.to_string(), *g, s.to_string()))
                .collect()
        };
        let current = CurrentConsent::of(&events(&[
            ("dealer", "service_reminders", true, DEALER),
            ("dealer", "marketing", true, DEALER),
            ("manufacturer", "marketing", true, DEALER),
            (
                "manufacturer",
                "marketing",
                false,
                source::CUSTOMER_UNSUBSCRIBE,
            ),
            ("dealer", "marketing", true, DEALER),
            ("manufacturer", "surveys", true, DEALER),
            // A dealer's surveys event (none are asked for) does not touch the manufacturer's.
            ("dealer", "surveys", false, source::CUSTOMER_UNSUBSCRIBE),
            ("manufacturer", "safety", true, DEALER),
        ]));
        assert_eq!(
            current,
            CurrentConsent {
                service_reminders: Some(true),
                marketing: Some(true),
                manufacturer_marketing: Some(false),
                surveys: Some(true),
                safety: Some(true),
            }
        );
    }

    #[test]
    fn repeating_an_unsubscribe_records_nothing() {
        assert!(unsubscribe_records(None));
        assert!(unsubscribe_records(Some((true, DEALER))));
        assert!(unsubscribe_records(Some((false, DEALER))));
        assert!(unsubscribe_records(Some((
            false,
            source::CUSTOMER_COMPLAINT
        ))));
        assert!(!unsubscribe_records(Some((
            false,
            source::CUSTOMER_UNSUBSCRIBE
        ))));
        assert_eq!(UnsubscribeScope::Sender.withdraws().len(), 1);
        assert!(
            UnsubscribeScope::All.whole_person() && !UnsubscribeScope::SenderAll.whole_person()
        );
    }
}
