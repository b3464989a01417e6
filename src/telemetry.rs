//! Structured logging with `tracing`: human-readable text or JSON lines. Log ids and codes, never
//! emails, phone numbers, names or keys.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Starts logging; `quiet` (commands an operator runs at a terminal) defaults to warnings only.
pub fn init(format: LogFormat, quiet: bool) {
    let default = if quiet {
        "warn"
    } else {
        "info,sqlx=warn,tower_http=info"
    };
    let filter =
        EnvFilter::try_from_env("WARRANTYD_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // Colour codes only for a person at a terminal, never into a log file or journal.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
