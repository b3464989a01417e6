//! `warrantyd bench …` (hidden): measurements taken from inside the engine, driven by `bench/run`.
//! Each prints one `RESULT key=value …` line on stdout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Subcommand;

use crate::app;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::jobs::{self, Work};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Drains every due reminder through the real queue path (the dispatcher's claim and push,
    /// apalis workers taking the tasks) with workers that only acknowledge; prints the time until
    /// apalis has marked `tasks` tasks done.
    Queue {
        #[arg(long)]
        tasks: u64,
    },
    /// Times `rounds` claims of `batch` due reminders (the dispatcher's own query and push) after
    /// one warm-up claim (a connection's first use prepares the statements), and prints the
    /// claim's plan first. The claimed reminders stay queued.
    Claim {
        #[arg(long, default_value_t = 500)]
        batch: i64,
        #[arg(long, default_value_t = 5)]
        rounds: u32,
    },
}

impl BenchCommand {
    pub async fn run(self, config: Config) -> anyhow::Result<()> {
        match self {
            Self::Queue { tasks } => {
                let (store, sender) = crate::app::offline_sender(config).await?;
                let sender = Arc::new(sender);
                let acked = Arc::new(AtomicU64::new(0));
                let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
                let started = Instant::now();
                let workers = tokio::spawn(jobs::run_with(
                    sender,
                    Work::Ack(acked.clone()),
                    async move {
                        let _ = stop_rx.wait_for(|stop| *stop).await;
                    },
                ));
                // The handlers count as they run; apalis records each acknowledgement after.
                while acked.load(Ordering::Relaxed) < tasks {
                    anyhow::ensure!(!workers.is_finished(), "the workers stopped early");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                while (store.queue_tasks_done().await? as u64) < tasks {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let seconds = started.elapsed().as_secs_f64();
                let _ = stop_tx.send(true);
                workers.await??;
                println!(
                    "RESULT tasks={tasks} seconds={seconds:.3} tasks_per_s={:.1}",
                    tasks as f64 / seconds
                );
                store.close().await;
            }
            Self::Claim { batch, rounds } => {
                let store = app::open_store(&config).await?;
                let clock = SystemClock;
                for line in store.explain_claim(clock.now(), batch).await? {
                    println!("{line}");
                }
                let mut times = Vec::new();
                let mut first_ms = 0.0;
                for round in 0..=rounds {
                    let now = clock.now();
                    let started = Instant::now();
                    let ids = store
                        .claim_due_reminders(now, now + chrono::Duration::minutes(5), batch)
                        .await?;
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    if round == 0 {
                        first_ms = ms;
                    } else {
                        times.push(ms);
                    }
                    anyhow::ensure!(
                        ids.len() as i64 == batch,
                        "claimed {} reminders, not {batch}: seed more due reminders",
                        ids.len()
                    );
                }
                times.sort_by(f64::total_cmp);
                println!(
                    "RESULT batch={batch} rounds={rounds} first_ms={first_ms:.2} median_ms={:.2} max_ms={:.2}",
                    times[times.len() / 2],
                    times[times.len() - 1]
                );
                store.close().await;
            }
        }
        Ok(())
    }
}
