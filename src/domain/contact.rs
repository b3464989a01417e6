//! Identifiers and contact details typed at the counter: serial numbers, emails, E.164 phones,
//! BCP 47 locales, IANA time zones and ISO 3166-1 countries, each normalized when parsed.

use std::str::FromStr;

type ParseResult<T> = Result<T, (&'static str, String)>;

/// A manufacturer serial number: case and separators (spaces, `-`, `.`, `/`) do not matter, so
/// `ab-12 34` and `AB1234` are the same unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SerialNumber {
    normalized: String,
    /// As the dealer typed it (trimmed, runs of blanks as one space): what people are shown.
    typed: String,
}

impl SerialNumber {
    pub fn parse(raw: &str) -> ParseResult<Self> {
        let normalized: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.' | '/' | '\t'))
            .flat_map(char::to_uppercase)
            .collect();
        if normalized.is_empty() {
            return Err(("required", "must not be empty".into()));
        }
        if !normalized.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err((
                "invalid_serial",
                "may contain only letters A-Z, digits and the separators space, '-', '.', '/'"
                    .into(),
            ));
        }
        if !(4..=40).contains(&normalized.len()) {
            return Err((
                "invalid_serial",
                "must have 4 to 40 letters or digits".into(),
            ));
        }
        let typed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Self { normalized, typed })
    }

    /// The normalized form: what identifies the unit.
    pub fn as_str(&self) -> &str {
        &self.normalized
    }

    /// As typed, for display.
    pub fn as_typed(&self) -> &str {
        &self.typed
    }
}

/// An email address (RFC 5321/5322 syntax), with the domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> ParseResult<Self> {
        let raw = raw.trim();
        let invalid = || {
            (
                "invalid_email",
                "must be an email address such as name@example.com".to_owned(),
            )
        };
        if raw.len() > 254 || raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid());
        }
        let parsed = email_address::EmailAddress::from_str(raw).map_err(|_| invalid())?;
        // Display names ("Name <a@b>") and bare local domains are not addresses to store.
        let (local, domain) = (parsed.local_part(), parsed.domain());
        if parsed.as_str() != raw || !domain.contains('.') || domain.starts_with('[') {
            return Err(invalid());
        }
        // Only what every mail server and our message builder take: a dot-atom local part (no
        // quoted strings such as "john..doe", no empty or doubled dots, ASCII only).
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
        if !local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atext))
        {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Replaces every email address in a text (an SMTP reply quoting the recipient, say) by
/// `[address]`, so that what is kept about a delivery holds no personal data.
pub fn redact_addresses(text: &str) -> String {
    let stop = |c: char| c.is_whitespace() || "<>\"'(),;:[]".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let start = rest[..at].rfind(stop).map_or(0, |i| i + 1);
        let end = rest[at..].find(stop).map_or(rest.len(), |i| at + i);
        out.push_str(&rest[..start]);
        out.push_str("[address]");
        rest = &rest[end..];
    }
    out.push_str(rest);
    redact_numbers(&out)
}

/// `text` with every run of seven digits or more (a phone number, with its `+`) replaced by
/// `[number]`: SMS providers quote the number they refused.
fn redact_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if digits >= 7 {
            out.push_str("[number]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && run.is_empty()) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A phone number in E.164 form: `+`, a country code not starting with 0, at most 15 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> ParseResult<Self> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        let digits = compact.strip_prefix('+');
        match digits {
            Some(d)
                if (8..=15).contains(&d.len())
                    && d.chars().all(|c| c.is_ascii_digit())
                    && !d.starts_with('0') =>
            {
                Ok(Self(compact))
            }
            _ => Err((
                "invalid_phone",
                "must be in E.164 form, e.g. +33612345678".into(),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A BCP 47 language tag in canonical form (`fr-CA`, `en`, `pt-BR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale(String);

impl Locale {
    pub fn parse(raw: &str) -> ParseResult<Self> {
        let invalid = || {
            (
                "invalid_locale",
                "must be a BCP 47 language tag such as en, fr-CA".to_owned(),
            )
        };
        let tag = language_tags::LanguageTag::parse(raw.trim()).map_err(|_| invalid())?;
        let tag = tag.canonicalize().map_err(|_| invalid())?;
        if tag.primary_language().len() > 3 || tag.as_str().len() > 35 {
            return Err(invalid());
        }
        Ok(Self(tag.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone (`Europe/Paris`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub chrono_tz::Tz);

impl TimeZone {
    pub fn parse(raw: &str) -> ParseResult<Self> {
        chrono_tz::Tz::from_str(raw.trim()).map(Self).map_err(|_| {
            (
                "invalid_time_zone",
                "must be an IANA time zone such as Europe/Paris".into(),
            )
        })
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// A stored zone name (validated on the way in). One that no longer parses (a zone removed
    /// from the tz database) counts as UTC: the one way every reader of a stored zone treats it.
    pub fn stored(raw: &str) -> chrono_tz::Tz {
        Self::parse(raw).map_or(chrono_tz::UTC, |tz| tz.0)
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country(String);

impl Country {
    pub fn parse(raw: &str) -> ParseResult<Self> {
        let code = raw.trim().to_ascii_uppercase();
        match celes::Country::from_alpha2(&code) {
            Ok(_) if code.len() == 2 => Ok(Self(code)),
            _ => Err((
                "invalid_country",
                "must be an ISO 3166-1 alpha-2 code such as FR".into(),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A postal code: letters, digits, spaces and hyphens, at most 16 characters.
pub fn parse_postal_code(raw: &str) -> ParseResult<String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty()
        || code.len() > 16
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err((
            "invalid_postal_code",
            "must be 1 to 16 letters, digits, spaces or hyphens".into(),
        ));
    }
    Ok(code)
}

/// An https (or http for local testing) URL such as a dealer's booking page.
pub fn parse_web_url(raw: &str) -> ParseResult<String> {
    let url = raw.trim();
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2000
        && !url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '<' | '>'));
    if ok && url.split("://").nth(1).is_some_and(|rest| !rest.is_empty()) {
        Ok(url.to_owned())
    } else {
        Err(("invalid_url", "must be an absolute http(s) URL".into()))
    }
}

/// Where a reminder's booking link leads: the dealer's booking URL with the unit and the campaign
/// filled in, so the dealer's page can prefill them. A URL with `{serial}`, `{sku}` or
/// `{campaign}` placeholders gets them replaced (percent-encoded); any other gets `serial`,
/// `product` and `campaign` query parameters added to those it has.
pub fn booking_link(template: &str, serial: &str, sku: &str, campaign: &str) -> String {
    let encode = |v: &str| form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    if ["{serial}", "{sku}", "{campaign}"]
        .iter()
        .any(|p| template.contains(p))
    {
        return template
            .replace("{serial}", &encode(serial))
            .replace("{sku}", &encode(sku))
            .replace("{campaign}", &encode(campaign));
    }
    match url::Url::parse(template) {
        Ok(mut url) => {
            url.query_pairs_mut()
                .append_pair("serial", serial)
                .append_pair("product", sku)
                .append_pair("campaign", campaign);
            url.into()
        }
        Err(_) => template.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_links_carry_the_unit_and_the_campaign() {
        assert_eq!(
            booking_link(
                "https://dealer.example/book?lang=fr",
                "MW 500/7",
                "MOWER-500",
                "service_due-1"
            ),
            "https://dealer.example/book?lang=fr&serial=MW+500%2F7&product=MOWER-500&campaign=service_due-1"
        );
        assert_eq!(
            booking_link(
                "https://dealer.example/rdv/{sku}?sn={serial}",
                "A&B",
                "X Y",
                "c"
            ),
            "https://dealer.example/rdv/X+Y?sn=A%26B"
        );
    }

    #[test]
    fn only_dot_atom_addresses_are_accepted() {
        for bad in [
            "\"john..doe\"@example.com",
            "\"<svg/onload=alert(1)>\"@example.com",
            "john..doe@example.com",
            ".john@example.com",
            "jöhn@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "o'neill@example.com",
            "a+tag@example.co.uk",
            "x_y.z@sub.example.org",
        ] {
            assert!(Email::parse(good).is_ok(), "{good:?} refused");
        }
    }

    #[test]
    fn addresses_in_smtp_replies_are_redacted() {
        assert_eq!(
            redact_addresses("550 5.1.1 <Jo.Doe+x@Example.com>: Recipient address rejected"),
            "550 5.1.1 <[address]>: Recipient address rejected"
        );
        assert_eq!(
            redact_addresses("a@b.c and d@e.f"),
            "[address] and [address]"
        );
        assert_eq!(redact_addresses("451 try later"), "451 try later");
        assert_eq!(
            redact_addresses("21211: The 'To' number +15551234567 (or 5551234567) is not valid"),
            "21211: The 'To' number [number] (or [number]) is not valid"
        );
    }

    #[test]
    fn serials_ignore_case_and_separators() {
        assert_eq!(
            SerialNumber::parse(" ab-12 34/x ").unwrap().as_str(),
            "AB1234X"
        );
        assert!(SerialNumber::parse("AB_1234").is_err());
        assert!(SerialNumber::parse("A1").is_err());
        assert!(SerialNumber::parse(&"A".repeat(41)).is_err());
    }

    #[test]
    fn emails_are_checked_and_domains_lowercased() {
        assert_eq!(
            Email::parse("Jo.Doe@Example.COM").unwrap().as_str(),
            "Jo.Doe@example.com"
        );
        for bad in [
            "",
            "jo",
            "jo@",
            "@x.fr",
            "Jo <jo@x.fr>",
            "jo@localhost",
            "jo@x.fr\r\nBcc: a@b.c",
            "jo doe@x.fr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phones_must_be_e164() {
        assert_eq!(
            Phone::parse("+33 6 12 34 56 78").unwrap().as_str(),
            "+33612345678"
        );
        for bad in [
            "0612345678",
            "+0612345678",
            "+33",
            "+1234567890123456",
            "+33abc45678",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn locales_time_zones_and_countries_are_checked() {
        assert_eq!(Locale::parse("fr-ca").unwrap().as_str(), "fr-CA");
        assert!(Locale::parse("not a locale").is_err());
        assert_eq!(
            TimeZone::parse("Europe/Paris").unwrap().name(),
            "Europe/Paris"
        );
        assert!(TimeZone::parse("Mars/Olympus").is_err());
        assert_eq!(Country::parse("fr").unwrap().as_str(), "FR");
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("FRA").is_err());
    }
}
