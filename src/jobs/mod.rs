//! Background work, registered in one place: the dispatcher (one process at a time, by lease)
//! claims due reminders and pushes one apalis task per reminder; apalis send workers (every
//! worker process) run `send::send_reminder` on each.

pub mod batch;
pub mod compose;
pub mod send;
pub mod text;
pub mod upkeep;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use apalis::prelude::{BackendExt, BoxDynError, Data, Monitor, WorkerBuilder, WorkerBuilderExt};
use futures::FutureExt;
use tokio::sync::watch;

use crate::store::{Db, REMINDER_QUEUE, ReminderTask};

pub use send::Sender;

/// How often idle send workers look for new tasks.
const WORKER_POLL: Duration = Duration::from_millis(200);
const DISPATCHER_LEASE: &str = "dispatcher";
/// How often the lease holder settles held incentives and closes ended periods.
const UPKEEP_EVERY: Duration = Duration::from_secs(30);

/// What a worker does with each task it takes.
#[derive(Clone)]
pub enum Work {
    /// Send the reminder (production).
    Send,
    /// Acknowledge the task without sending, counting it: measures the queue engine alone
    /// (`warrantyd bench queue`).
    Ack(Arc<AtomicU64>),
}

async fn handle(
    task: ReminderTask,
    sender: Data<Arc<Sender>>,
    work: Data<Work>,
) -> Result<(), BoxDynError> {
    match &*work {
        Work::Send => {
            sender.send_reminder(task.reminder_id).await?;
        }
        Work::Ack(count) => {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Runs the dispatcher and the send workers until `shutdown`, then lets in-flight sends finish.
pub async fn run(
    sender: Arc<Sender>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    run_with(sender, Work::Send, shutdown).await
}

/// [`run`], with the workers doing `work` with each task.
pub async fn run_with(
    sender: Arc<Sender>,
    work: Work,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    sender.start_batching();
    let (stop_tx, stop_rx) = watch::channel(false);
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    let dispatcher = tokio::spawn(dispatch_loop(
        sender.clone(),
        holder.clone(),
        stop_rx.clone(),
    ));

    let concurrency = sender.config.send_concurrency;
    let grace = Duration::from_secs(sender.config.send_timeout_secs + 5);
    let mut stop_rx_monitor = stop_rx.clone();
    let signal = async move {
        let _ = stop_rx_monitor.wait_for(|stop| *stop).await;
        Ok(())
    };
    let monitor = Monitor::new()
        .should_restart(|ctx, error| {
            tracing::warn!(worker = %ctx.name(), error = %error, "send worker stopped; restarting");
            true
        })
        .shutdown_timeout(grace);
    // Several apalis workers per process, each with its own fetch-and-acknowledge loop, share the
    // process's send concurrency: one worker's round trips to the queue do not stall the others.
    let workers = sender.config.queue_workers.max(1);
    let per_worker = concurrency.div_ceil(workers);
    let mut monitor = monitor;
    for index in 0..workers {
        let holder = holder.clone();
        let name = move |restarts: usize| format!("send-{holder}-{index}-{restarts}");
        let (sender, work) = (sender.clone(), work.clone());
        monitor = match &sender.store.db {
            Db::Sqlite(pool) => {
                let config = apalis_sqlite::Config::default()
                    .queue(REMINDER_QUEUE)
                    .batch_size(sender.config.worker_fetch_batch)
                    .heartbeat_interval(Duration::from_secs(5));
                let storage =
                    apalis_sqlite::SqliteStorage::<ReminderTask>::new(pool).with_config(config);
                monitor.register(move |restarts| {
                    WorkerBuilder::new(name(restarts))
                        .backend(storage.clone().poll_with_interval(WORKER_POLL))
                        .concurrency(per_worker)
                        .data(sender.clone())
                        .data(work.clone())
                        .build(handle)
                })
            }
            Db::Postgres(pool) => {
                let config = apalis_postgres::Config::default()
                    .queue(REMINDER_QUEUE)
                    .batch_size(sender.config.worker_fetch_batch)
                    .heartbeat_interval(Duration::from_secs(5))
                    .missed_heartbeats(3);
                let storage =
                    apalis_postgres::PostgresStorage::<ReminderTask>::new(pool).with_config(config);
                monitor.register(move |restarts| {
                    WorkerBuilder::new(name(restarts))
                        .backend(storage.clone().poll_with_interval(WORKER_POLL))
                        .concurrency(per_worker)
                        .data(sender.clone())
                        .data(work.clone())
                        .build(handle)
                })
            }
        };
    }
    let monitor = tokio::spawn(
        monitor
            .run_with_signal(signal)
            .map(|r| r.map_err(|e| anyhow::anyhow!("{e}"))),
    );
    tracing::info!(concurrency, workers, "workers started");
    shutdown.await;
    let _ = stop_tx.send(true);
    let _ = dispatcher.await;
    let result = monitor.await;
    sender.mailer.shutdown().await;
    tracing::info!("workers stopped");
    result?
}

/// Every interval, if this process holds the dispatcher lease, claims due reminders and queues them.
async fn dispatch_loop(sender: Arc<Sender>, holder: String, mut stop: watch::Receiver<bool>) {
    let interval = Duration::from_millis(sender.config.dispatch_interval_ms);
    let lease_for =
        chrono::Duration::milliseconds(3 * sender.config.dispatch_interval_ms as i64 + 1000);
    let mut last_upkeep: Option<std::time::Instant> = None;
    loop {
        let now = sender.clock.now();
        match sender
            .store
            .try_lease(DISPATCHER_LEASE, &holder, now, now + lease_for)
            .await
        {
            Ok(true) => {
                loop {
                    // Drain what is due in full batches before sleeping.
                    match sender.dispatch_once().await {
                        Ok(n) if n as u32 >= sender.config.dispatch_batch => continue,
                        Ok(_) => break,
                        Err(e) => {
                            tracing::warn!(error = %e, "dispatch failed");
                            break;
                        }
                    }
                }
                if last_upkeep.is_none_or(|t| t.elapsed() >= UPKEEP_EVERY) {
                    last_upkeep = Some(std::time::Instant::now());
                    if let Err(e) = sender.ledger_upkeep().await {
                        tracing::warn!(error = %e, "ledger upkeep failed");
                    }
                }
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot take the dispatcher lease"),
        }
        tokio::select! {
            _ = stop.wait_for(|stop| *stop) => break,
            () = tokio::time::sleep(interval) => {}
        }
    }
    let _ = sender.store.release_lease(DISPATCHER_LEASE, &holder).await;
}
