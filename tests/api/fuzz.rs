//! Hostile and random input, as property tests: parsers never panic and never accept what could
//! forge a header; CSV batches of arbitrary bytes never crash; send windows never schedule a reminder
//! outside themselves; emails built from hostile dealer and customer text carry no injected header
//! and no markup.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use warrantyd::domain::contact::{Country, Email, Locale, Phone, SerialNumber, TimeZone as Tz};
use warrantyd::domain::plan::SendWindow;

/// Text an attacker would try: line breaks, header-looking lines, bidi overrides, markup, templates.
/// Local parts as people and attackers type them: quotes, doubled dots, markup, non-ASCII.
fn address_local() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\"john..doe\"".to_owned()),
        Just("\"<svg/onload=alert(1)>\"".to_owned()),
        Just("john..doe".to_owned()),
        Just("o'neill".to_owned()),
        Just("a+b".to_owned()),
        Just("zoé".to_owned()),
        "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\"(),:;<>@\\[\\] -]{1,16}".prop_map(|s| s),
    ]
}

fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\r\nBcc: victim@evil.test".to_owned()),
        Just("\nX-Injected: yes".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("{{ 7*7 }}{% raw %}".to_owned()),
        Just("\u{202E}gnp.exe".to_owned()),
        Just("=HYPERLINK(\"http://x\")".to_owned()),
        Just("\"quoted\" <a@b.c>".to_owned()),
        "[\\PC]{0,12}".prop_map(|s| s),
        any::<String>(),
    ];
    proptest::collection::vec(pieces, 1..4).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic_and_accept_no_line_breaks(s in any::<String>()) {
        if let Ok(serial) = SerialNumber::parse(&s) {
            prop_assert!(serial.as_str().chars().all(|c| c.is_ascii_alphanumeric()));
        }
        if let Ok(email) = Email::parse(&s) {
            prop_assert!(!email.as_str().contains(['\r', '\n', ' ', '<', '>']));
        }
        if let Ok(phone) = Phone::parse(&s) {
            prop_assert!(phone.as_str().starts_with('+') && phone.as_str()[1..].chars().all(|c| c.is_ascii_digit()));
        }
        let _ = Locale::parse(&s);
        let _ = Tz::parse(&s);
        let _ = Country::parse(&s);
        let _ = warrantyd::domain::catalog::Period::parse(&s);
        let _ = SendWindow::parse(&s);
    }

    #[test]
    fn hostile_text_is_refused_or_cleaned(s in hostile()) {
        if let Ok(clean) = warrantyd::domain::field::clean_text(&s, 500) {
            let forbidden = |c: char| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c);
            prop_assert!(!clean.chars().any(forbidden), "{clean:?}");
        }
    }

    #[test]
    fn csv_batches_of_any_bytes_never_crash(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = warrantyd::registration_csv::parse_csv(&bytes);
    }

    #[test]
    fn windows_never_schedule_outside_themselves(
        hours in (0u32..24, 1u32..6),
        days in prop_oneof![Just("*"), Just("Mon-Fri"), Just("Sat,Sun"), Just("Tue")],
        at in 1_700_000_000i64..2_000_000_000,
        zone in prop_oneof![Just("Europe/Paris"), Just("America/New_York"), Just("Australia/Sydney"), Just("Asia/Kolkata"), Just("America/Santiago"), Just("UTC")],
    ) {
        let (start, len) = hours;
        let end = (start + len).min(23);
        let window = SendWindow::parse(&format!("0 0 {start}-{end} * * {days}")).unwrap();
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let at: DateTime<Utc> = Utc.timestamp_opt(at, 0).unwrap();
        let tick = window.first_tick_at_or_after(at, tz).expect("a window of every week opens again");
        prop_assert!(tick >= at);
        prop_assert!(window.is_open(tick, tz), "{tick} is not inside the window");
        let next = window.next_open(at, tz).unwrap();
        prop_assert!(next >= at && window.is_open(next, tz));
    }
}

mod emails {
    use super::*;
    use chrono::NaiveDate;
    use std::sync::Arc;
    use warrantyd::store::SendContext;

    fn context(customer: &str, dealer: &str, address: &str, product: &str) -> SendContext {
        let date = NaiveDate::from_ymd_opt(2027, 5, 20).unwrap();
        SendContext {
            reminder_id: uuid::Uuid::now_v7(),
            kind: "service_due".into(),
            occurrence: 1,
            channel: "email".into(),
            nominal_date: date,
            attempts: 0,
            registration_id: uuid::Uuid::now_v7(),
            registration_status: "active".into(),
            serial_number: "SN0001".into(),
            purchase_date: date,
            warranty_expires_on: date,
            customer_id: uuid::Uuid::now_v7(),
            customer_name: Some(customer.into()),
            customer_email: Some("customer@client.test".into()),
            customer_phone: Some("+33612345678".into()),
            customer_country: Some("FR".into()),
            customer_locale: "fr-FR".into(),
            customer_time_zone: "Europe/Paris".into(),
            customer_erased_at: None,
            product_name: product.into(),
            sku: "SKU".into(),
            dealer_name: dealer.into(),
            dealer_code: "DEALER_1".into(),
            dealer_email: Some("shop@dealer.test".into()),
            dealer_phone: Some("+33123456789".into()),
            dealer_address: Some(address.into()),
            dealer_locale: "en".into(),
            dealer_booking_url: Some("https://dealer.test/book".into()),
            dealer_send_window: None,
            dealer_sms_sender_id: None,
            consent_latest: None,
            consent_latest_by_customer: None,
            suppressed: false,
            opted_out: false,
            history: vec![],
        }
    }

    fn sender() -> warrantyd::jobs::Sender {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _guard = runtime.enter();
        // The store is never used by render(); a lazily connecting pool needs no database.
        let store = runtime
            .block_on(warrantyd::store::Store::connect("sqlite::memory:", 1))
            .unwrap();
        let config = warrantyd::config::Config {
            mail_from: "reminders@oem.test".into(),
            ..Default::default()
        };
        warrantyd::jobs::Sender::new(
            Arc::new(config),
            store,
            Arc::new(warrantyd::clock::SystemClock),
            warrantyd::tokens::Signer::new("a key for the hostile-content tests"),
            warrantyd::mail::Mailer::Memory(Default::default()),
        )
        .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// Intake and the mailer agree: every address intake accepts, the message builder sends to.
        #[test]
        fn every_address_intake_accepts_can_be_sent_to(local in address_local(), domain in prop_oneof![
            Just("example.com".to_owned()), Just("sub.example.co.uk".to_owned()), Just("exämple.de".to_owned()),
            "[a-z0-9-]{1,12}\\.[a-z]{2,6}".prop_map(|s| s),
        ]) {
            let raw = format!("{local}@{domain}");
            if let Ok(email) = warrantyd::domain::contact::Email::parse(&raw) {
                let sender = sender();
                let mut ctx = context("Camille", "Garage", "1 rue", "Mower");
                ctx.customer_email = Some(email.as_str().to_owned());
                let to: lettre::Address = email.as_str().parse()
                    .map_err(|e| TestCaseError::fail(format!("{raw:?} accepted by intake, refused by the mailer: {e}")))?;
                let (_, envelope, _) = sender.render(&ctx, to, Utc::now())
                    .map_err(|e| TestCaseError::fail(format!("{raw:?} accepted by intake, message not built: {e}")))?;
                prop_assert_eq!(envelope.to().len(), 1);
            }
        }

        #[test]
        fn hostile_names_never_reach_a_header_or_the_markup(customer in hostile(), dealer in hostile(), address in hostile(), product in hostile()) {
            let sender = sender();
            let ctx = context(&customer, &dealer, &address, &product);
            let to = "customer@client.test".parse().unwrap();
            let (_, _, raw) = sender.render(&ctx, to, Utc::now()).unwrap();
            let raw = String::from_utf8(raw).unwrap();
            let head = &raw[..raw.find("\r\n\r\n").unwrap()];
            for line in head.split("\r\n") {
                let continuation = line.starts_with(' ') || line.starts_with('\t');
                let name = line.split(':').next().unwrap_or("");
                prop_assert!(continuation || ["From", "To", "Subject", "Message-ID", "Date", "List-Unsubscribe", "List-Unsubscribe-Post",
                    "Reply-To", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "List-ID", "Feedback-ID"].contains(&name), "unexpected header line {line:?}");
            }
            let message = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
            let html = message.body_html(0).unwrap();
            prop_assert!(!html.to_lowercase().contains("<script"), "markup reached the HTML part");
            prop_assert!(message.header_raw("Bcc").is_none() && message.header_raw("X-Injected").is_none());
        }
    }
}
