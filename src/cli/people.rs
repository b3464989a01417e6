//! `warrantyd person invite`: the first administrator (and anyone else) from the command line.
//! The invitation is emailed like any other, and its one-time sign-in link is also printed, so a
//! new deployment can be entered before its mail is set up.

use clap::Subcommand;
use uuid::Uuid;

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::account::StaffRole;
use crate::domain::contact::Email;
use crate::mail::notices::Invitation;
use crate::store::NewAccount;

#[derive(Debug, Subcommand)]
pub enum PersonCommand {
    /// Create a person's account and send (and print) their sign-in link.
    Invite {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["dealer_staff", "dealer_manager", "finance_clerk", "finance_approver", "admin"])]
        role: String,
        /// The dealer's code, for dealer roles.
        #[arg(long)]
        dealer: Option<String>,
        /// `en` or `fr`.
        #[arg(long, default_value = "en")]
        language: String,
    },
}

impl PersonCommand {
    pub async fn run(self, config: Config) -> anyhow::Result<()> {
        let Self::Invite {
            email,
            name,
            role,
            dealer,
            language,
        } = self;
        let store = app::open_store(&config).await?;
        let role =
            StaffRole::parse(&role).ok_or_else(|| anyhow::anyhow!("unknown role {role:?}"))?;
        let email = Email::parse(&email).map_err(|(_, m)| anyhow::anyhow!("email: {m}"))?;
        let dealer_id = match (role.is_dealer(), dealer) {
            (true, Some(code)) => Some(
                store
                    .dealer_by_code(&code)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no dealer {code:?}"))?
                    .id,
            ),
            (true, None) => anyhow::bail!("a dealer role needs --dealer CODE"),
            (false, Some(_)) => anyhow::bail!("--dealer is only for dealer roles"),
            (false, None) => None,
        };
        anyhow::ensure!(
            crate::templating::LANGUAGES.contains(&language.as_str()),
            "--language must be one of {:?}",
            crate::templating::LANGUAGES
        );
        let account = NewAccount {
            id: Uuid::now_v7(),
            email: email.as_str().to_lowercase(),
            name: name.trim().to_owned(),
            role: role.as_str().to_owned(),
            dealer_id,
            language,
            invited_by: None,
        };
        anyhow::ensure!(!account.name.is_empty(), "--name is empty");
        if !store.insert_account(&account, SystemClock.now()).await? {
            anyhow::bail!("{} already has an account", account.email);
        }
        let state = app::state(config, store.clone(), std::sync::Arc::new(SystemClock))?;
        let record = store
            .account(account.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the account was not stored"))?;
        let role_words = crate::http::pages::text(
            &record.language,
            &format!("role-{}", role.as_str()),
            &Default::default(),
        )
        .unwrap_or_else(|| role.as_str().to_owned());
        let link = crate::http::sign_in::send_link(
            &state,
            &record,
            None,
            Some(Invitation {
                invited_by: "warrantyd",
                role: &role_words,
                dealer: record.dealer_name.as_deref(),
            }),
        )
        .await
        .map_err(|e| anyhow::anyhow!("the invitation was not sent: {e}"))?;
        println!("{link}");
        eprintln!(
            "invited {} ({}); the link above works once, for {} days",
            record.email,
            role.as_str(),
            crate::http::sign_in::INVITATION_MINUTES / (24 * 60)
        );
        store.close().await;
        Ok(())
    }
}
