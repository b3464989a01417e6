//! Subcommands (see `Command`): serve (the default), migrate, key, program, close-period,
//! check-templates, reminders, status, import, export, customer, demo, and the hidden bench.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::app::{self, Role};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::mail::templates::Renderer;

mod keys;
mod people;
mod preview;
mod programs;

use keys::KeyCommand;
use programs::ProgramCommand;

#[derive(Debug, Parser)]
#[command(
    name = "warrantyd",
    version,
    about = "Dealer registrations, reminders in the dealer's name, incentives and scorecards"
)]
pub struct Cli {
    /// TOML configuration file (settings also come from WARRANTYD_* variables, which win).
    #[arg(long, env = "WARRANTYD_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API and the background workers (the default command).
    Serve {
        #[arg(long, value_enum, default_value = "all")]
        role: Role,
        /// Overrides WARRANTYD_LISTEN; port 0 picks a free port. With `--role worker`, serves only
        /// /healthz, /readyz and /metrics, and only when given.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// People who use the web pages.
    #[command(subcommand)]
    Person(people::PersonCommand),
    /// Manage incentive programs.
    #[command(subcommand)]
    Program(ProgramCommand),
    /// Queue depth, the oldest due reminder, reminders by status, failures by reason.
    Status,
    /// Bulk back-fill.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Customer data.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Close a period (YYYY-MM) into statements, as finance would (idempotent).
    ClosePeriod { period: String },
    /// Render every email template in every language, and every page, with sample data; fail on
    /// any error.
    CheckTemplates,
    /// Reminder tools.
    #[command(subcommand)]
    Reminders(RemindersCommand),
    /// Seed a demo dealer and products into the database, print a dealer key and a ready-to-paste
    /// curl command, then serve.
    Demo {
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Measurements from inside the engine, for bench/run (built with the `bench` feature).
    #[cfg(feature = "bench")]
    #[command(subcommand, hide = true)]
    Bench(crate::bench::BenchCommand),
}

#[derive(Debug, Subcommand)]
enum RemindersCommand {
    /// Print the messages a registration's reminders would send (as they would be sent now).
    Preview {
        /// A registration id, or the unit's serial number.
        registration: String,
    },
    /// Put failed reminders back in the queue (hard bounces stay failed).
    Retry {
        /// Required: the reminders to retry are the failed ones.
        #[arg(long, required = true)]
        failed: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Register units from a CSV file (the batch endpoint's columns), streamed through the same
    /// validation and transaction as the API; rerunning skips rows already stored.
    Registrations {
        file: PathBuf,
        #[arg(long)]
        dealer: String,
        /// Where bad rows are reported (CSV: row, field, code, message).
        #[arg(long, default_value = "import-errors.csv")]
        errors: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Every registration to standard output.
    Registrations {
        #[arg(long, value_parser = ["csv", "jsonl"], default_value = "csv")]
        format: String,
        /// Only this dealer's.
        #[arg(long)]
        dealer: Option<String>,
        /// What the export is for: `marketing` leaves out the contacts (name, email, phone, postal
        /// code) of customers who did not agree to the manufacturer's marketing.
        #[arg(long, value_parser = ["all", "marketing"], default_value = "all")]
        purpose: String,
    },
}

#[derive(Debug, Subcommand)]
enum CustomerCommand {
    /// Erase a person's personal data: every record of them at every dealer, found by one record's
    /// id, an email or a phone (registrations, ledger and statements stay consistent), and their
    /// emails in the outbox.
    Erase {
        #[arg(long, conflicts_with_all = ["email", "phone"], required_unless_present_any = ["email", "phone"])]
        id: Option<Uuid>,
        #[arg(long)]
        email: Option<String>,
        /// E.164, e.g. +33612345678.
        #[arg(long)]
        phone: Option<String>,
    },
}

/// `import` found rows it could not store: exit status 3 (the rows that could are stored; the error
/// report lists the others).
#[derive(Debug, thiserror::Error)]
#[error("{0} rows were rejected")]
pub struct RowsRejected(pub u64);

/// Commands that work on an existing database: they refuse to create one where none is.
fn needs_existing_database(command: &Command) -> bool {
    !matches!(
        command,
        Command::Serve { .. } | Command::Migrate | Command::Demo { .. } | Command::CheckTemplates
    ) || is_bench(command)
}

impl Cli {
    pub async fn run(self) -> ExitCode {
        let config = match Config::load(self.config.as_deref()) {
            Ok(config) => config,
            Err(e) => {
                eprintln!("warrantyd: configuration error: {e}");
                return ExitCode::from(2);
            }
        };
        let quiet = matches!(
            self.command,
            Some(
                Command::Import(_)
                    | Command::Export(_)
                    | Command::Status
                    | Command::Customer(_)
                    | Command::Reminders(_)
            )
        );
        crate::telemetry::init(config.log_format, quiet);
        let command = self.command.unwrap_or(Command::Serve {
            role: Role::All,
            listen: None,
        });
        if !matches!(command, Command::Serve { .. } | Command::Demo { .. }) {
            // Commands whose output goes to a pipe (`| head`) end quietly when it closes, as
            // other command-line tools do. Servers keep ignoring SIGPIPE (their sockets).
            reset_sigpipe();
        }
        if needs_existing_database(&command)
            && let Err(e) = app::database_exists(&config)
        {
            eprintln!("warrantyd: {e:#}");
            return ExitCode::FAILURE;
        }
        match command.run(config).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.downcast_ref::<RowsRejected>().is_some() => {
                eprintln!("warrantyd: {e}");
                ExitCode::from(3)
            }
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "failed");
                eprintln!("warrantyd: {e:#}");
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(unix)]
fn reset_sigpipe() {
    // SAFETY: signal(2) with SIG_DFL changes the process-wide disposition and touches no Rust
    // state; nothing in this process relies on SIGPIPE being ignored for these commands.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn reset_sigpipe() {}

impl Command {
    async fn run(self, config: Config) -> anyhow::Result<()> {
        match self {
            Self::Serve { role, listen } => {
                app::run(config, role, listen, app::shutdown_signal()).await
            }
            Self::Migrate => {
                let store = app::open_store(&config).await?;
                store.close().await;
                println!("migrations applied");
                Ok(())
            }
            Self::Key(command) => command.run(config).await,
            Self::Person(command) => command.run(config).await,
            Self::Program(command) => command.run(config).await,
            Self::ClosePeriod { period } => {
                let period = crate::domain::ledger::AccountingMonth::parse(&period)
                    .context("the period must be YYYY-MM")?;
                let store = app::open_store(&config).await?;
                let (closed_now, statements) =
                    crate::workflows::ledger::close_period(&store, period, None, SystemClock.now())
                        .await?;
                println!(
                    "period {period}: {} ({} statements)",
                    if closed_now {
                        "closed"
                    } else {
                        "already closed"
                    },
                    statements.len()
                );
                store.close().await;
                Ok(())
            }
            Self::CheckTemplates => {
                let budget = config.settings().sms.segment_budget;
                let texts = crate::sms::templates::TextRenderer::new()
                    .check_all(budget)
                    .map_err(anyhow::Error::msg)?;
                for (name, cost) in &texts {
                    println!(
                        "sms {name}: {} segment{} ({}, {} units; budget {budget})",
                        cost.count,
                        if cost.count == 1 { "" } else { "s" },
                        cost.encoding.as_str(),
                        cost.units
                    );
                }
                let count = Renderer::new().check_all().map_err(anyhow::Error::msg)?
                    + crate::http::pages::Pages::new()
                        .check_all()
                        .map_err(anyhow::Error::msg)?
                    + texts.len();
                println!("{count} templates rendered without error");
                Ok(())
            }
            Self::Reminders(RemindersCommand::Preview { registration }) => {
                preview::preview(config, &registration).await
            }
            Self::Reminders(RemindersCommand::Retry { .. }) => {
                let store = app::open_store(&config).await?;
                let count = store.retry_failed(SystemClock.now()).await?;
                println!("{count} failed reminders queued again");
                store.close().await;
                Ok(())
            }
            Self::Status => {
                let store = app::open_store(&config).await?;
                print!("{}", crate::ops::status(&store, SystemClock.now()).await?);
                store.close().await;
                Ok(())
            }
            Self::Import(ImportCommand::Registrations {
                file,
                dealer,
                errors,
            }) => {
                let store = app::open_store(&config).await?;
                let state = app::state(config, store.clone(), Arc::new(SystemClock))?;
                let record = store
                    .dealer_by_code(&dealer)
                    .await?
                    .with_context(|| format!("no dealer {dealer:?}"))?;
                let context = crate::workflows::DealerContext::from(record);
                let summary =
                    crate::ops::import_registrations(&state.intake, &context, &file, &errors)
                        .await?;
                println!(
                    "{} rows: {} created, {} already stored, {} rejected (see {})",
                    summary.rows,
                    summary.created,
                    summary.already_stored,
                    summary.rejected,
                    errors.display()
                );
                store.close().await;
                if summary.rejected > 0 {
                    return Err(RowsRejected(summary.rejected).into());
                }
                Ok(())
            }
            Self::Export(ExportCommand::Registrations {
                format,
                dealer,
                purpose,
            }) => {
                let store = app::open_store(&config).await?;
                let dealer_id = match dealer {
                    Some(code) => Some(
                        store
                            .dealer_by_code(&code)
                            .await?
                            .with_context(|| format!("no dealer {code:?}"))?
                            .id,
                    ),
                    None => None,
                };
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::new(stdout.lock());
                let count = crate::ops::export_registrations(
                    &store,
                    dealer_id,
                    format == "jsonl",
                    purpose == "marketing",
                    &mut out,
                )
                .await?;
                std::io::Write::flush(&mut out)?;
                eprintln!("{count} registrations exported");
                store.close().await;
                Ok(())
            }
            Self::Customer(CustomerCommand::Erase { id, email, phone }) => {
                let who = match id {
                    Some(id) => crate::workflows::erasure::PersonId::Record(id),
                    None => {
                        let email = email
                            .map(|e| crate::domain::contact::Email::parse(&e))
                            .transpose()
                            .map_err(|(_, m)| anyhow::anyhow!("--email {m}"))?;
                        let phone = phone
                            .map(|p| crate::domain::contact::Phone::parse(&p))
                            .transpose()
                            .map_err(|(_, m)| anyhow::anyhow!("--phone {m}"))?;
                        crate::workflows::erasure::PersonId::Contact {
                            email: email.map(|e| e.as_str().to_owned()),
                            phone: phone.map(|p| p.as_str().to_owned()),
                        }
                    }
                };
                let store = app::open_store(&config).await?;
                let files = crate::proof_files::ProofFiles::from_config(&config)?;
                let erased = crate::workflows::erasure::erase(
                    &store,
                    &files,
                    &config.outbox_dir,
                    &config.sms_outbox_dir,
                    &who,
                    None,
                    SystemClock.now(),
                )
                .await?;
                store.close().await;
                let erased = erased.context("no customer matches")?;
                for id in &erased.customer_ids {
                    println!("customer {id} erased");
                }
                println!("{} outbox files removed", erased.outbox_files_removed);
                Ok(())
            }
            Self::Demo { listen } => crate::demo::run(config, listen).await,
            #[cfg(feature = "bench")]
            Self::Bench(command) => command.run(config).await,
        }
    }
}

#[cfg(feature = "bench")]
fn is_bench(command: &Command) -> bool {
    matches!(command, Command::Bench(_))
}

#[cfg(not(feature = "bench"))]
fn is_bench(_: &Command) -> bool {
    false
}
