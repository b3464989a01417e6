//! A validation failure that names the offending field, reported to clients as `errors[]`.

use serde::Serialize;
use utoipa::ToSchema;

/// One rejected field: `field` is a JSON path such as `customer.email`; `code` is stable and
/// machine-readable; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// Collects every field error of one input so that a client sees all of them in one answer.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    /// Records the error of a parse result under `field` and returns the value if it parsed.
    pub fn take<T>(&mut self, field: &str, result: Result<T, (&'static str, String)>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err((code, message)) => {
                self.push(field, code, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Free text typed by people: trimmed, bounded, and free of control and bidi-override characters
/// (which could forge headers in emails or reorder text in pages).
pub fn clean_text(raw: &str, max_chars: usize) -> Result<String, (&'static str, String)> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(("required", "must not be empty".into()));
    }
    if text.chars().count() > max_chars {
        return Err((
            "too_long",
            format!("must be at most {max_chars} characters"),
        ));
    }
    if text.chars().any(is_forbidden_char) {
        return Err((
            "invalid_characters",
            "must not contain control or text-direction characters".into(),
        ));
    }
    Ok(text.to_owned())
}

fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}
