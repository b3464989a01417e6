//! `warrantyd reminders preview`: the messages a registration's reminders would send, rendered
//! as they would be sent now, without sending anything.

use anyhow::Context;
use uuid::Uuid;

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;

pub async fn preview(config: Config, registration: &str) -> anyhow::Result<()> {
    let (store, sender) = app::offline_sender(config).await?;
    let registration_id = match registration.parse::<Uuid>() {
        Ok(id) => id,
        Err(_) => {
            let serial =
                crate::domain::contact::SerialNumber::parse(registration).map_err(|(_, m)| {
                    anyhow::anyhow!(
                        "{registration:?} is neither a registration id nor a serial number: {m}"
                    )
                })?;
            store
                .serial_owner(serial.as_str())
                .await?
                .with_context(|| format!("no registration of serial {}", serial.as_str()))?
                .registration_id
        }
    };
    let ids = store.reminder_ids(registration_id).await?;
    anyhow::ensure!(
        !ids.is_empty(),
        "no registration {registration_id} (or it has no reminders)"
    );
    for id in ids {
        let Some(ctx) = store.send_context(id).await? else {
            continue;
        };
        println!(
            "==== {} #{} by {} ({}) ====",
            ctx.kind, ctx.occurrence, ctx.channel, id
        );
        if ctx.channel == "sms" {
            match &ctx.customer_phone {
                Some(phone) => {
                    let text = sender.render_text(&ctx).map_err(anyhow::Error::msg)?;
                    let cost = crate::domain::sms::segments(&text);
                    println!("To: {phone}");
                    println!(
                        "Segments: {} ({}, {} {})",
                        cost.count,
                        cost.encoding.as_str(),
                        cost.units,
                        if cost.encoding == crate::domain::sms::Encoding::Gsm7 {
                            "septets"
                        } else {
                            "UTF-16 units"
                        }
                    );
                    println!();
                    println!("{text}");
                    println!();
                }
                None => println!("(no phone number: nothing would be sent)"),
            }
            continue;
        }
        match ctx.customer_email.as_deref().map(str::parse) {
            Some(Ok(to)) => {
                let (_, _, raw) = sender
                    .render(&ctx, to, SystemClock.now())
                    .map_err(anyhow::Error::msg)?;
                println!("{}", String::from_utf8_lossy(&raw));
            }
            _ => println!("(no email address: nothing would be sent)"),
        }
    }
    store.close().await;
    Ok(())
}
