//! Operator commands that work on the store directly: status, bulk import (streamed, resumable,
//! with an error report) and export. Retrying failed reminders and erasing a customer are `cli`'s
//! (through `Store::retry_failed` and `workflows::erasure`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use futures::StreamExt;

use crate::csv_safe::{Cell, SafeCsv};
use crate::domain::consent::ConsentFacts;
use crate::registration_csv::{
    CSV_COLUMNS, EXPORT_ONLY_COLUMNS, csv_field_name, csv_header, csv_row,
};
use crate::store::{Backend, ExportRow, Store};
use crate::workflows::DealerContext;
use crate::workflows::registration::{Intake, IntakeError};

/// Queue depth, the oldest due reminder, reminders by status, failures by reason.
pub async fn status(store: &Store, now: chrono::DateTime<chrono::Utc>) -> anyhow::Result<String> {
    let mut out = String::new();
    let (due, oldest) = store.queue_depth(now).await?;
    out.push_str(&format!("reminders due now: {due}\n"));
    let age = oldest.map_or_else(
        || "-".to_owned(),
        |t| format!("{} s", (now - t).num_seconds()),
    );
    out.push_str(&format!("oldest due reminder waiting: {age}\n"));
    out.push_str("reminders by status:\n");
    for (status, count) in store.reminder_status_counts().await? {
        out.push_str(&format!("  {status:<10} {count}\n"));
    }
    out.push_str("failed and skipped by reason:\n");
    for (status, reason, count) in store.failures_by_reason().await? {
        out.push_str(&format!(
            "  {status:<10} {:<22} {count}\n",
            if reason.is_empty() { "-" } else { &reason }
        ));
    }
    Ok(out)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: u64,
    pub created: u64,
    /// Already stored by this dealer (a rerun skips them): what makes imports resumable.
    pub already_stored: u64,
    pub rejected: u64,
    /// Voided registrations of an export, not imported.
    pub skipped_voided: u64,
}

/// Streams a CSV file of registrations (the batch endpoint's columns) through the same validation
/// and transaction as the API. Bad rows go to `errors` (CSV: row, field, code, message); rows already
/// registered by this dealer are skipped, so an interrupted import can simply be run again.
pub async fn import_registrations(
    intake: &Intake,
    dealer: &DealerContext,
    file: &Path,
    errors: &Path,
) -> anyhow::Result<ImportSummary> {
    let reader =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(reader));
    let header =
        csv_header(&mut csv).map_err(|e| anyhow::anyhow!("the header is not usable: {e:?}"))?;
    let mut report = SafeCsv::new(
        crate::files::create_private(errors)
            .with_context(|| format!("cannot write {}", errors.display()))?,
        false,
    );
    report.header(&["row", "field", "code", "message"])?;
    let total = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} (eta {eta})")
                .expect("valid template"),
        );
        bar
    });
    // SQLite has one writer; PostgreSQL takes several registrations at once.
    let concurrency = if intake.store.backend() == Backend::Postgres {
        8
    } else {
        1
    };
    let mut summary = ImportSummary::default();
    let status_column = header.iter().position(|h| h == "status");
    let rows = futures::stream::iter(csv.records().enumerate().map(|(i, record)| {
        let position = record.as_ref().ok().and_then(|r| r.position().cloned());
        // Rows are numbered as a spreadsheet numbers them: the header is row 1.
        let row = position.as_ref().map_or(i as u64 + 2, |p| p.line());
        let byte = position.as_ref().map_or(0, |p| p.byte());
        let voided = status_column.is_some_and(|c| {
            record
                .as_ref()
                .is_ok_and(|r| r.get(c).is_some_and(|s| s.eq_ignore_ascii_case("voided")))
        });
        (row, byte, voided, csv_row(&header, record))
    }));
    let mut results = rows
        .map(|(row, position, voided, parsed)| async move {
            let outcome = match parsed {
                _ if voided => Ok(false),
                Ok(req) => intake.register_and_commit(dealer, &req).await.map(|_| true),
                Err(errors) => Err(IntakeError::Invalid(errors)),
            };
            (row, position, outcome)
        })
        .buffered(concurrency);
    while let Some((row, position, outcome)) = results.next().await {
        summary.rows += 1;
        match outcome {
            Ok(true) => summary.created += 1,
            Ok(false) => summary.skipped_voided += 1,
            Err(IntakeError::Duplicate { own: Some(_) }) => summary.already_stored += 1,
            Err(IntakeError::Duplicate { own: None }) => {
                summary.rejected += 1;
                report.row([
                    Cell::value(row.to_string()),
                    Cell::value("serial_number"),
                    Cell::value("already_registered"),
                    Cell::value("another dealer holds this serial number"),
                ])?;
            }
            Err(IntakeError::Invalid(errors)) => {
                summary.rejected += 1;
                for e in errors {
                    report.row([
                        Cell::value(row.to_string()),
                        Cell::text(csv_field_name(&e.field)),
                        Cell::value(e.code),
                        Cell::text(e.message),
                    ])?;
                }
            }
            Err(IntakeError::Store(e)) => {
                report.flush()?;
                return Err(anyhow::anyhow!(
                    "stopped at row {row} (rerun to resume): {e}"
                ));
            }
        }
        let message = format!(
            "{} rows: {} created, {} already stored, {} rejected",
            summary.rows, summary.created, summary.already_stored, summary.rejected
        );
        match &bar {
            Some(bar) => {
                bar.set_position(position);
                bar.set_message(message);
            }
            None if summary.rows % 1000 == 0 => eprintln!("import: {message}"),
            None => {}
        }
    }
    report.flush()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(summary)
}

/// Writes every registration as CSV or JSON lines.
/// The columns of `export registrations --format csv`: every column `import` reads, and a few
/// it ignores (`import` skips voided rows), so an export imports again.
pub const EXPORT_COLUMNS: [&str; 21] = {
    // id and dealer first, the registration's own columns, then its outcome: the two lists
    // `registration_csv` keeps, in the order an operator reads them.
    let (only, own) = (EXPORT_ONLY_COLUMNS, CSV_COLUMNS);
    let mut out = [""; 21];
    out[0] = only[0];
    out[1] = only[1];
    let mut i = 0;
    while i < own.len() {
        out[2 + i] = own[i];
        i += 1;
    }
    out[18] = only[2];
    out[19] = only[3];
    out[20] = only[4];
    out
};

/// Every registration (or one dealer's) as CSV or JSON lines. `marketing`: for the manufacturer's
/// marketing, so the contacts of customers who did not agree to it are left out.
pub async fn export_registrations(
    store: &Store,
    dealer_id: Option<uuid::Uuid>,
    jsonl: bool,
    marketing: bool,
    out: &mut dyn Write,
) -> anyhow::Result<u64> {
    let in_force = |row| {
        let mut row = in_force(row);
        if marketing && row.consent_manufacturer_marketing != Some(true) {
            row.customer_name = None;
            row.customer_email = None;
            row.customer_phone = None;
            row.customer_postal_code = None;
        }
        row
    };
    if jsonl {
        Ok(store
            .export_registrations(dealer_id, |row| {
                serde_json::to_writer(&mut *out, &in_force(row))?;
                out.write_all(b"\n")
            })
            .await?)
    } else {
        let mut writer = SafeCsv::new(out, false);
        writer.header(&EXPORT_COLUMNS)?;
        let mut failed = None;
        let count = store
            .export_registrations(dealer_id, |row| {
                let row = in_force(row);
                let text = |t: Option<String>| Cell::text(t.unwrap_or_default());
                let flag = |b: Option<bool>| b.map_or("", |b| if b { "true" } else { "false" });
                writer
                    .row([
                        Cell::value(row.id.to_string()),
                        Cell::text(row.dealer_code),
                        Cell::text(row.serial_number),
                        Cell::text(row.sku),
                        Cell::value(row.purchase_date.to_string()),
                        Cell::value(row.delivered_on.map(|d| d.to_string()).unwrap_or_default()),
                        Cell::value(row.installed_on.map(|d| d.to_string()).unwrap_or_default()),
                        text(row.external_ref),
                        text(row.customer_name),
                        text(row.customer_email),
                        text(row.customer_phone),
                        Cell::text(row.customer_locale),
                        Cell::text(row.customer_time_zone),
                        text(row.customer_country),
                        text(row.customer_postal_code),
                        Cell::value(flag(row.consent_service_reminders)),
                        Cell::value(flag(row.consent_marketing)),
                        Cell::value(flag(row.consent_manufacturer_marketing)),
                        Cell::value(row.warranty_expires_on.to_string()),
                        Cell::value(row.status),
                        Cell::value(
                            row.created_at
                                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                        ),
                    ])
                    .map_err(|e| {
                        failed = Some(e.to_string());
                        std::io::Error::other("csv")
                    })
            })
            .await;
        writer.flush()?;
        if let Some(e) = failed {
            anyhow::bail!("cannot write the export: {e}");
        }
        Ok(count?)
    }
}

/// The export's consent columns: the consent in force, by `domain::consent`'s rule.
fn in_force(mut row: ExportRow) -> ExportRow {
    let current = |latest, latest_by_customer| {
        ConsentFacts {
            latest,
            latest_by_customer,
        }
        .current()
    };
    row.consent_service_reminders = current(
        row.service_reminders_latest,
        row.service_reminders_by_customer,
    );
    row.consent_marketing = current(row.marketing_latest, row.marketing_by_customer);
    row.consent_manufacturer_marketing = current(
        row.manufacturer_marketing_latest,
        row.manufacturer_marketing_by_customer,
    );
    row
}

#[cfg(test)]
mod tests {
    use super::EXPORT_COLUMNS;
    use crate::registration_csv::{CSV_COLUMNS, EXPORT_ONLY_COLUMNS};

    #[test]
    fn an_export_carries_what_import_reads_and_nothing_it_refuses() {
        assert!(
            EXPORT_COLUMNS.iter().all(|c| !c.is_empty()),
            "{EXPORT_COLUMNS:?}"
        );
        let mut unique = EXPORT_COLUMNS.to_vec();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), EXPORT_COLUMNS.len(), "{EXPORT_COLUMNS:?}");
        assert_eq!(&EXPORT_COLUMNS[..3], ["id", "dealer_code", "serial_number"]);
        assert_eq!(EXPORT_COLUMNS[20], "created_at");
        for column in EXPORT_COLUMNS {
            assert!(
                CSV_COLUMNS.contains(&column) || EXPORT_ONLY_COLUMNS.contains(&column),
                "import would refuse the exported column {column}"
            );
        }
        for column in CSV_COLUMNS {
            assert!(
                EXPORT_COLUMNS.contains(&column),
                "the export lacks {column}"
            );
        }
    }
}
