//! Registrations as CSV: the columns a batch or an import accepts, reading and checking the header,
//! turning each row into a `RegistrationRequest`, and naming errors by CSV column. Shared by the
//! batch endpoint (`crate::http::registrations::batch`) and `warrantyd import` (`crate::ops`);
//! knows nothing of HTTP: structural problems are a `CsvError`, which each caller reports its way.

use crate::domain::FieldError;
use crate::domain::registration::{ConsentRequest, CustomerRequest, RegistrationRequest};

/// The most rows one batch may carry (JSON or CSV).
pub const MAX_BATCH_ROWS: usize = 1000;

/// The CSV columns of a batch, in any order; unknown columns are refused.
pub const CSV_COLUMNS: [&str; 16] = [
    "serial_number",
    "sku",
    "purchase_date",
    "delivered_on",
    "installed_on",
    "external_ref",
    "customer_name",
    "customer_email",
    "customer_phone",
    "customer_locale",
    "customer_time_zone",
    "customer_country",
    "customer_postal_code",
    "consent_service_reminders",
    "consent_marketing",
    "consent_manufacturer_marketing",
];

/// Columns `warrantyd export registrations` writes beside the registration's own, which a batch
/// or an import accepts and ignores, so that an export imports again.
pub const EXPORT_ONLY_COLUMNS: [&str; 5] = [
    "id",
    "dealer_code",
    "warranty_expires_on",
    "status",
    "created_at",
];

/// Why a whole CSV batch is refused (a bad value refuses only its row, as field errors).
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The CSV cannot be read (over HTTP: 400 `malformed`).
    #[error("{0}")]
    Malformed(String),
    /// Unknown or repeated columns, no rows or too many (over HTTP: 422 `validation`).
    #[error("validation failed")]
    Validation(Vec<FieldError>),
}

impl CsvError {
    fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }
}

/// Refuses an empty batch and one over `MAX_BATCH_ROWS`.
pub fn check_row_count(n: usize) -> Result<(), CsvError> {
    match n {
        0 => Err(CsvError::field("rows", "empty", "the batch has no rows")),
        n if n > MAX_BATCH_ROWS => Err(CsvError::field(
            "rows",
            "too_many_rows",
            format!("at most {MAX_BATCH_ROWS} rows per batch, got {n}"),
        )),
        _ => Ok(()),
    }
}

/// Parses a CSV batch; structural problems (header, row count) refuse the whole batch, a bad value
/// only its row.
pub fn parse_csv(
    body: &[u8],
) -> Result<Vec<Result<RegistrationRequest, Vec<FieldError>>>, CsvError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body); // spreadsheet BOM
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(body);
    let header = csv_header(&mut reader)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        if rows.len() >= MAX_BATCH_ROWS {
            return Err(CsvError::field(
                "rows",
                "too_many_rows",
                format!("at most {MAX_BATCH_ROWS} rows per batch"),
            ));
        }
        rows.push(csv_row(&header, record));
    }
    check_row_count(rows.len())?;
    Ok(rows)
}

/// Reads and checks the header row: known columns (see `CSV_COLUMNS`), each at most once.
pub fn csv_header<R: std::io::Read>(reader: &mut csv::Reader<R>) -> Result<Vec<String>, CsvError> {
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| CsvError::Malformed(format!("the CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let mut errors = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if !CSV_COLUMNS.contains(&name.as_str()) && !EXPORT_ONLY_COLUMNS.contains(&name.as_str()) {
            errors.push(FieldError::new(
                format!("columns[{i}]"),
                "unknown_column",
                format!("unknown column {name:?}"),
            ));
        } else if header[..i].contains(name) {
            errors.push(FieldError::new(
                format!("columns[{i}]"),
                "duplicate_column",
                format!("column {name:?} appears twice"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(header)
    } else {
        Err(CsvError::Validation(errors))
    }
}

/// One CSV row as a registration request (errors name the CSV columns).
pub fn csv_row(
    header: &[String],
    record: csv::Result<csv::StringRecord>,
) -> Result<RegistrationRequest, Vec<FieldError>> {
    let record = record.map_err(|e| {
        vec![FieldError::new(
            "row",
            "unreadable",
            format!("the row cannot be read: {e}"),
        )]
    })?;
    if record.len() != header.len() {
        return Err(vec![FieldError::new(
            "row",
            "wrong_column_count",
            format!("has {} values for {} columns", record.len(), header.len()),
        )]);
    }
    let unstorable: Vec<FieldError> = header
        .iter()
        .zip(record.iter())
        .filter(|(_, value)| value.contains('\0'))
        .map(|(name, _)| FieldError::new(name, "invalid_text", "must not contain a NUL character"))
        .collect();
    if !unstorable.is_empty() {
        return Err(unstorable);
    }
    let get = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            // An exported cell neutralized against spreadsheet formulas imports as it was.
            .map(|i| crate::csv_safe::restore(&record[i]).to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut errors = Vec::new();
    let mut flag = |name: &str| match get(name).map(|v| v.to_ascii_lowercase()) {
        None => None,
        Some(v) if matches!(v.as_str(), "true" | "yes" | "y" | "1") => Some(true),
        Some(v) if matches!(v.as_str(), "false" | "no" | "n" | "0") => Some(false),
        Some(_) => {
            errors.push(FieldError::new(
                name,
                "invalid_boolean",
                "must be true or false",
            ));
            None
        }
    };
    let consent = ConsentRequest {
        surveys: None,
        safety_only: None,
        service_reminders: flag("consent_service_reminders"),
        marketing: flag("consent_marketing"),
        manufacturer_marketing: flag("consent_manufacturer_marketing"),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RegistrationRequest {
        serial_number: get("serial_number"),
        sku: get("sku"),
        purchase_date: get("purchase_date"),
        delivered_on: get("delivered_on"),
        installed_on: get("installed_on"),
        external_ref: get("external_ref"),
        customer: Some(CustomerRequest {
            preferred_channel: None,
            name: get("customer_name"),
            email: get("customer_email"),
            phone: get("customer_phone"),
            locale: get("customer_locale"),
            time_zone: get("customer_time_zone"),
            country: get("customer_country"),
            postal_code: get("customer_postal_code"),
        }),
        consent: Some(consent),
    })
}

/// JSON paths of registration fields as CSV column names.
pub fn csv_field_name(field: &str) -> String {
    field
        .replace("customer.", "customer_")
        .replace("consent.", "consent_")
}
