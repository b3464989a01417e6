//! `warrantyd program put|list`: incentive programs from a JSON file (the body of
//! PUT /v1/admin/programs/{id}), validated and saved as a new version when changed.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::incentives::ProgramDefinition;

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// Create or change a program from a JSON file (the body of PUT /v1/admin/programs/{id}).
    Put { id: String, file: PathBuf },
    /// List the current version of every program.
    List,
}

impl ProgramCommand {
    pub async fn run(self, config: Config) -> anyhow::Result<()> {
        let store = app::open_store(&config).await?;
        match self {
            Self::Put { id, file } => {
                let text = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let definition: ProgramDefinition =
                    serde_json::from_str(&text).context("not a program definition")?;
                definition.validate().map_err(|errors| {
                    anyhow::anyhow!(
                        errors
                            .iter()
                            .map(|e| format!("{}: {}", e.field, e.message))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                })?;
                let json = serde_json::to_string(&definition)?;
                let (version, changed) = crate::workflows::ledger::save_program(
                    &store,
                    &id,
                    &json,
                    None,
                    SystemClock.now(),
                )
                .await?;
                println!(
                    "program {id}: version {version}{}",
                    if changed { "" } else { " (unchanged)" }
                );
            }
            Self::List => {
                for p in store.current_programs().await? {
                    println!("{}\tv{}\t{}", p.program_id, p.version, p.definition);
                }
            }
        }
        store.close().await;
        Ok(())
    }
}
