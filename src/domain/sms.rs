//! Rules of the SMS channel, without IO: which channels a message goes by, how many segments a
//! text costs (GSM-7 or UCS-2), what an inbound text asks (STOP, START, HELP), and the quiet hours
//! of a country.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

/// A channel a message goes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "email" => Some(Self::Email),
            "sms" => Some(Self::Sms),
            _ => None,
        }
    }
}

/// Which channels a dealer's (or a product's) messages go by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelPolicy {
    /// The customer's preferred channel if they have it; else email when there is one, SMS
    /// otherwise.
    #[default]
    Auto,
    EmailOnly,
    SmsOnly,
    /// Every channel the customer has.
    Both,
}

pub const CHANNEL_POLICIES: [&str; 4] = ["auto", "email", "sms", "both"];

impl ChannelPolicy {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "auto" => Some(Self::Auto),
            "email" => Some(Self::EmailOnly),
            "sms" => Some(Self::SmsOnly),
            "both" => Some(Self::Both),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::EmailOnly => "email",
            Self::SmsOnly => "sms",
            Self::Both => "both",
        }
    }

    /// The dealer's policy when it set one, else the product's, else `Auto`.
    pub fn of(dealer: Option<&str>, product: Option<&str>) -> Self {
        dealer
            .and_then(Self::parse)
            .or_else(|| product.and_then(Self::parse))
            .unwrap_or_default()
    }
}

/// How a customer can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    pub email: bool,
    pub phone: bool,
    pub preferred: Option<Channel>,
}

impl Reach {
    fn has(self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Sms => self.phone,
        }
    }
}

/// The channels one planned message goes by: never empty (a message no channel reaches is planned
/// by email, and skipped as `no_email` when it is due, so the plan shows why nothing was sent).
pub fn channels(policy: ChannelPolicy, reach: Reach) -> Vec<Channel> {
    let mut chosen = match policy {
        ChannelPolicy::Both => [Channel::Email, Channel::Sms]
            .into_iter()
            .filter(|c| reach.has(*c))
            .collect(),
        ChannelPolicy::EmailOnly => vec![Channel::Email],
        ChannelPolicy::SmsOnly => vec![Channel::Sms],
        ChannelPolicy::Auto => {
            let first = reach
                .preferred
                .filter(|c| reach.has(*c))
                .or_else(|| reach.email.then_some(Channel::Email))
                .or_else(|| reach.phone.then_some(Channel::Sms));
            first.into_iter().collect()
        }
    };
    if chosen.is_empty() {
        chosen.push(Channel::Email);
    }
    chosen
}

/// Why a number is on the SMS suppression list.
pub const STOPPED: &str = "stop";
pub const PROVIDER_OPT_OUT: &str = "provider_opt_out";
pub const UNDELIVERABLE: &str = "undeliverable";

/// A suppression that is the recipient's own opt-out (reported as `unsubscribed`), not a number
/// that cannot take texts (reported as `suppressed`).
pub fn is_opt_out(reason: &str) -> bool {
    reason == STOPPED || reason == PROVIDER_OPT_OUT
}

/// How a text is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 03.38 default alphabet: 160 septets in one message, 153 per part when split.
    Gsm7,
    /// Anything else: 70 UTF-16 code units in one message, 67 per part when split.
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gsm7 => "GSM-7",
            Self::Ucs2 => "UCS-2",
        }
    }
}

/// What a text costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2).
    pub units: usize,
    /// Messages billed (1 for an empty text).
    pub count: usize,
}

/// The GSM 03.38 basic character set (one septet each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table (an escape septet plus one: two septets each).
const GSM7_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Septets a character takes in GSM-7, `None` when it has none.
fn gsm7_cost(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Segments of `text`: GSM-7 when every character has a septet, else UCS-2. Parts are filled
/// without splitting an escaped character or a surrogate pair across two parts.
pub fn segments(text: &str) -> Segments {
    let gsm: Option<Vec<usize>> = text.chars().map(gsm7_cost).collect();
    let (encoding, costs, single, part) = match gsm {
        Some(costs) => (Encoding::Gsm7, costs, 160, 153),
        None => (
            Encoding::Ucs2,
            text.chars().map(char::len_utf16).collect(),
            70,
            67,
        ),
    };
    let units: usize = costs.iter().sum();
    let count = if units <= single {
        1
    } else {
        let (mut parts, mut used) = (1, 0);
        for cost in costs {
            if used + cost > part {
                parts += 1;
                used = 0;
            }
            used += cost;
        }
        parts
    };
    Segments {
        encoding,
        units,
        count,
    }
}

/// `text` with the characters GSM-7 lacks replaced by their nearest letter in it where there is
/// one (ê → e, ç → c, ’ → ', « » → ", … → ...), as providers' "smart encoding" does: a French
/// month or a dealer's name does not turn a one-part text into a three-part UCS-2 one. What has
/// no such letter (other scripts, emoji) stays, and the text is UCS-2.
pub fn fold_to_gsm(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if gsm7_cost(c).is_some() {
            out.push(c);
            continue;
        }
        let folded = match c {
            'á' | 'â' | 'ã' | 'ā' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ā' | 'Ą' => "A",
            'ç' | 'ć' | 'č' => "c",
            'Ć' | 'Č' => "C",
            'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'È' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
            'í' | 'î' | 'ï' | 'ī' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' => "I",
            'ó' | 'ô' | 'õ' | 'ō' | 'ő' | 'œ' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ő' | 'Œ' => "O",
            'ú' | 'û' | 'ū' | 'ű' | 'ů' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ū' | 'Ű' | 'Ů' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' | 'Ÿ' => "Y",
            'ł' => "l",
            'Ł' => "L",
            'ń' | 'ň' => "n",
            'ř' => "r",
            'ś' | 'š' => "s",
            'Ś' | 'Š' => "S",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            '‘' | '’' | '‚' | '′' | '`' | '´' => "'",
            '“' | '”' | '„' | '«' | '»' | '″' => "\"",
            '–' | '—' | '‐' | '‑' | '−' => "-",
            '…' => "...",
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\t' => " ",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(folded);
    }
    out
}

/// What an inbound text asks, by the carriers' keywords (the whole message, any case): Twilio's
/// default opt-out and opt-in words, and French ARRET / AIDE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// Stop texting me.
    Stop,
    /// Text me again.
    Start,
    /// Who is this?
    Help,
}

impl Keyword {
    pub fn of(body: &str) -> Option<Self> {
        let word = body
            .trim()
            .trim_end_matches(['.', '!', '?'])
            .trim()
            .to_uppercase();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "REVOKE"
            | "OPTOUT" | "ARRET" | "ARRÊT" => Some(Self::Stop),
            "START" | "UNSTOP" | "YES" => Some(Self::Start),
            "HELP" | "INFO" | "AIDE" => Some(Self::Help),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stop => "stop",
            Self::Start => "start",
            Self::Help => "help",
        }
    }
}

/// Hours of the night in which no text goes to a country's numbers, in the recipient's time zone:
/// `CC HH:MM-HH:MM` (e.g. `FR 20:00-08:00`: from 20:00 to 08:00 the next morning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuietHours {
    pub country: String,
    pub from: NaiveTime,
    pub until: NaiveTime,
}

impl QuietHours {
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("sms_quiet_hours {s:?}: expected \"CC HH:MM-HH:MM\", e.g. \"FR 20:00-08:00\"")
        };
        let (country, hours) = s.trim().split_once(' ').ok_or_else(bad)?;
        let (from, until) = hours.trim().split_once('-').ok_or_else(bad)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let country = country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(bad());
        }
        Ok(Self {
            country,
            from: time(from)?,
            until: time(until)?,
        })
    }

    fn covers(&self, t: NaiveTime) -> bool {
        if self.from <= self.until {
            t >= self.from && t < self.until
        } else {
            t >= self.from || t < self.until
        }
    }
}

/// When a text to a number of `country` may go, if `now` falls in that country's quiet hours (in
/// the recipient's time zone `tz`): the end of those hours.
pub fn quiet_until(
    rules: &[QuietHours],
    country: Option<&str>,
    tz: Tz,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let country = country?.to_ascii_uppercase();
    let rule = rules.iter().find(|r| r.country == country)?;
    let local = now.with_timezone(&tz);
    if !rule.covers(local.time()) {
        return None;
    }
    let mut day = local.date_naive();
    if local.time() >= rule.until {
        day = day.succ_opt()?;
    }
    // The first instant at or after `until` that exists locally (a DST gap moves it on).
    (0..4).find_map(|h| {
        day.and_time(rule.until + Duration::hours(h))
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_follow_the_policy_and_what_the_customer_has() {
        let both = Reach {
            email: true,
            phone: true,
            preferred: None,
        };
        let phone_only = Reach {
            email: false,
            phone: true,
            preferred: None,
        };
        use Channel::*;
        assert_eq!(channels(ChannelPolicy::Auto, both), [Email]);
        assert_eq!(channels(ChannelPolicy::Auto, phone_only), [Sms]);
        let prefers_sms = Reach {
            preferred: Some(Sms),
            ..both
        };
        assert_eq!(channels(ChannelPolicy::Auto, prefers_sms), [Sms]);
        let prefers_sms_without_phone = Reach {
            phone: false,
            preferred: Some(Sms),
            ..both
        };
        assert_eq!(
            channels(ChannelPolicy::Auto, prefers_sms_without_phone),
            [Email]
        );
        assert_eq!(channels(ChannelPolicy::Both, both), [Email, Sms]);
        assert_eq!(channels(ChannelPolicy::Both, phone_only), [Sms]);
        assert_eq!(channels(ChannelPolicy::EmailOnly, phone_only), [Email]);
        assert_eq!(channels(ChannelPolicy::SmsOnly, both), [Sms]);
        assert_eq!(channels(ChannelPolicy::Auto, Reach::default()), [Email]);
        assert_eq!(
            ChannelPolicy::of(Some("sms"), Some("email")),
            ChannelPolicy::SmsOnly
        );
        assert_eq!(ChannelPolicy::of(None, Some("both")), ChannelPolicy::Both);
        assert_eq!(ChannelPolicy::of(None, None), ChannelPolicy::Auto);
    }

    #[test]
    fn gsm7_texts_count_septets_and_split_at_153() {
        let s = segments(&"a".repeat(160));
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Gsm7, 160, 1));
        assert_eq!(segments(&"a".repeat(161)).count, 2);
        assert_eq!(segments(&"a".repeat(306)).count, 2);
        assert_eq!(segments(&"a".repeat(307)).count, 3);
        // Extension characters take two septets...
        let euro = segments(&"€".repeat(80));
        assert_eq!(
            (euro.encoding, euro.units, euro.count),
            (Encoding::Gsm7, 160, 1)
        );
        assert_eq!(segments(&"€".repeat(81)).count, 2);
        // ...and are never split across parts: 152 septets, then an escape pair moves on.
        let straddle = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        assert_eq!(segments(&straddle).units, 306);
        assert_eq!(segments(&straddle).count, 3);
        // French accents of the default alphabet stay GSM-7.
        assert_eq!(
            segments("Révision à prévoir, où ? Ça va.").encoding,
            Encoding::Gsm7
        );
    }

    #[test]
    fn anything_else_is_ucs2_in_utf16_units() {
        let s = segments("Rappel : entretien prêt");
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Ucs2, 23, 1));
        assert_eq!(segments(&"ê".repeat(70)).count, 1);
        assert_eq!(segments(&"ê".repeat(71)).count, 2);
        assert_eq!(segments(&"ê".repeat(134)).count, 2);
        assert_eq!(segments(&"ê".repeat(135)).count, 3);
        // A character outside the BMP is two code units, never split across parts.
        let emoji = segments(&"🔧".repeat(35));
        assert_eq!((emoji.units, emoji.count), (70, 1));
        let straddle = format!("{}🔧{}", "ê".repeat(66), "ê".repeat(66));
        assert_eq!(segments(&straddle).units, 134);
        assert_eq!(segments(&straddle).count, 3);
        // The curly apostrophe is not in the GSM alphabet.
        assert_eq!(segments("l’entretien").encoding, Encoding::Ucs2);
    }

    #[test]
    fn folding_keeps_french_in_gsm7_and_leaves_other_scripts() {
        let folded = fold_to_gsm("Hôtel « Lefèvre » – 15 août, l’été…");
        assert_eq!(folded, "Hotel \" Lefèvre \" - 15 aout, l'été...");
        assert_eq!(segments(&folded).encoding, Encoding::Gsm7);
        let greek = fold_to_gsm("Συνεργείο Αθήνα");
        assert_eq!(segments(&greek).encoding, Encoding::Ucs2);
    }

    #[test]
    fn keywords_are_the_whole_message_in_any_case() {
        for stop in [
            "STOP",
            "stop",
            " Stop. ",
            "STOPALL",
            "unsubscribe",
            "Cancel",
            "END",
            "quit",
            "ARRET",
            "Arrêt",
        ] {
            assert_eq!(Keyword::of(stop), Some(Keyword::Stop), "{stop}");
        }
        for start in ["START", "unstop", "Yes"] {
            assert_eq!(Keyword::of(start), Some(Keyword::Start), "{start}");
        }
        assert_eq!(Keyword::of("help"), Some(Keyword::Help));
        assert_eq!(Keyword::of("please stop"), None);
        assert_eq!(Keyword::of("stopped"), None);
    }

    #[test]
    fn quiet_hours_defer_to_the_morning_in_the_recipients_zone() {
        let rules = [QuietHours::parse("FR 20:00-08:00").unwrap()];
        let paris = chrono_tz::Europe::Paris;
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // 21:30 in Paris (winter, UTC+1): until 08:00 the next morning.
        assert_eq!(
            quiet_until(&rules, Some("FR"), paris, at("2027-01-12T20:30:00Z")),
            Some(at("2027-01-13T07:00:00Z"))
        );
        // 06:00 in Paris: until 08:00 the same morning.
        assert_eq!(
            quiet_until(&rules, Some("fr"), paris, at("2027-01-13T05:00:00Z")),
            Some(at("2027-01-13T07:00:00Z"))
        );
        assert_eq!(
            quiet_until(&rules, Some("FR"), paris, at("2027-01-13T09:00:00Z")),
            None
        );
        assert_eq!(
            quiet_until(&rules, Some("GB"), paris, at("2027-01-12T20:30:00Z")),
            None
        );
        assert_eq!(
            quiet_until(&rules, None, paris, at("2027-01-12T20:30:00Z")),
            None
        );
        assert!(QuietHours::parse("France 20-8").is_err());
        assert!(QuietHours::parse("FR 25:00-08:00").is_err());
    }
}
