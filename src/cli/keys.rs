//! `warrantyd key create|list|revoke`: API keys from the command line (the plaintext is printed
//! once; only its hash is stored).

use anyhow::Context;
use clap::Subcommand;
use uuid::Uuid;

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::keys;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a key and print it (once; only its hash is stored).
    Create {
        /// A staff key: admin or finance.
        #[arg(long, value_parser = ["admin", "finance"], required_unless_present = "dealer", conflicts_with = "dealer")]
        role: Option<String>,
        /// A key for this dealer's code.
        #[arg(long)]
        dealer: Option<String>,
        #[arg(long)]
        label: Option<String>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: Uuid },
}

impl KeyCommand {
    pub async fn run(self, config: Config) -> anyhow::Result<()> {
        let store = app::open_store(&config).await?;
        match self {
            Self::Create {
                role,
                dealer,
                label,
            } => {
                let (role, dealer) = match (role.as_deref(), dealer) {
                    (_, Some(code)) => {
                        let dealer = store
                            .dealer_by_code(&code)
                            .await?
                            .with_context(|| format!("no dealer {code:?}"))?;
                        (keys::Role::Dealer, Some(dealer))
                    }
                    (Some("finance"), None) => (keys::Role::Finance, None),
                    _ => (keys::Role::Admin, None),
                };
                let created =
                    keys::issue_key(&store, role, dealer.as_ref(), label, SystemClock.now())
                        .await?;
                println!("{}", created.plaintext);
                eprintln!(
                    "created {} key {} (shown once; store it now)",
                    role.as_str(),
                    created.stored.id
                );
            }
            Self::List => {
                let keys = store.list_keys().await?;
                if keys.is_empty() {
                    println!(
                        "no keys yet: `warrantyd key create --role admin` makes the first one"
                    );
                }
                println!(
                    "{:36}  {:12}  {:7}  {:10}  {:24}  {:16}  {:16}  state",
                    "id", "prefix", "role", "dealer", "label", "created", "last used"
                );
                let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
                    t.map_or_else(
                        || "never".to_owned(),
                        |t| t.format("%Y-%m-%d %H:%M").to_string(),
                    )
                };
                for k in keys {
                    let state = if k.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!(
                        "{:36}  {:12}  {:7}  {:10}  {:24}  {:16}  {:16}  {state}",
                        k.id.to_string(),
                        k.prefix,
                        k.role,
                        k.dealer_code.unwrap_or_default(),
                        k.label.unwrap_or_default(),
                        when(Some(k.created_at)),
                        when(k.last_used_at),
                    );
                }
            }
            Self::Revoke { id } => {
                let k = store
                    .revoke_key(id, SystemClock.now())
                    .await
                    .context("no such key")?;
                println!("revoked {}", k.id);
            }
        }
        store.close().await;
        Ok(())
    }
}
