//! Wiring: connect and migrate the store, build the shared state, bind the listener (port 0 in
//! tests), serve until SIGTERM/SIGINT, then drain in-flight requests.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Secret};
use crate::http::{self, AppState};
use crate::jobs::{self, Sender};
use crate::store::{Backend, Store};
use crate::tokens::Signer;
use crate::workflows::registration::Intake;

/// Which parts of the service this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// HTTP API and background workers (the default).
    All,
    /// HTTP API only.
    Api,
    /// Background workers only.
    Worker,
}

/// Connects to the configured database and applies pending migrations.
/// For commands that work on an existing database: on SQLite, whether its file exists here.
/// Run from another directory, `./data` would silently be a new, empty database reporting zeros.
pub fn database_exists(config: &Config) -> anyhow::Result<()> {
    let url = config.database_url();
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Ok(());
    };
    let path = rest
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or("");
    if path.is_empty() || path.contains(":memory:") {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    anyhow::ensure!(
        path.exists(),
        "no database at {} (looked from {}): run this command where the service runs, set \
         WARRANTYD_DATA_DIR or DATABASE_URL to its database, or create one with `warrantyd migrate`",
        path.display(),
        std::env::current_dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    );
    Ok(())
}

pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let store = Store::connect(&config.database_url(), config.db_max_connections)
        .await
        .context("cannot connect to the database")?;
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(store)
}

/// The shared state of the API. The signing key is `config.secret_key` (resolved by `secret_key`);
/// without one (tests), a random key that lives as long as the process.
pub fn state(config: Config, store: Store, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let signer = match &config.secret_key {
        Some(key) => Signer::new(key.expose()),
        None => Signer::new(&uuid::Uuid::new_v4().to_string()),
    };
    let settings = Arc::new(config.settings());
    let intake = Intake {
        store: store.clone(),
        clock: clock.clone(),
        settings: settings.clone(),
    };
    let notices = Arc::new(crate::mail::notices::Notices::from_config(&config)?);
    let proof_files = crate::proof_files::ProofFiles::from_config(&config)?;
    Ok(AppState {
        sms: Arc::new(crate::sms::Sms::from_config(&config)?),
        texts: Arc::new(crate::sms::templates::TextRenderer::new()),
        proof_files,
        store,
        clock,
        intake,
        settings,
        limits: crate::http::limits::Limits::new(&config),
        config: Arc::new(config),
        signer,
        pages: Arc::new(crate::http::pages::Pages::new()),
        notices,
    })
}

/// The signing key: configured, or (SQLite only) generated once into the data directory.
pub fn secret_key(config: &Config, backend: Backend) -> anyhow::Result<Secret> {
    if let Some(key) = &config.secret_key {
        anyhow::ensure!(
            key.expose().len() >= 32,
            "WARRANTYD_SECRET_KEY must be at least 32 characters"
        );
        return Ok(key.clone());
    }
    anyhow::ensure!(
        backend == Backend::Sqlite,
        "WARRANTYD_SECRET_KEY is required with PostgreSQL (all processes must share it)"
    );
    let path = config.data_dir.join("secret_key");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(Secret::new(existing.trim()));
    }
    write_new_secret(&path)
}

fn write_new_secret(path: &Path) -> anyhow::Result<Secret> {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    if let Some(dir) = path.parent() {
        crate::files::create_dir_private(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(
        &mut options
            .open(path)
            .with_context(|| format!("cannot write {}", path.display()))?,
        key.as_bytes(),
    )?;
    tracing::info!(path = %path.display(), "generated a new secret key");
    Ok(Secret::new(key))
}

/// Runs the service until `shutdown` completes.
pub async fn run(
    config: Config,
    role: Role,
    listen: Option<SocketAddr>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let store = open_store(&config).await?;
    let listener = match (role, listen) {
        (Role::All | Role::Api, _) => Some(bind(listen.unwrap_or(config.listen)).await?),
        // A worker serves /healthz, /readyz and /metrics only when given an address.
        (Role::Worker, Some(addr)) => Some(bind(addr).await?),
        (Role::Worker, None) => None,
    };
    run_with(config, store, role, listener, shutdown).await
}

pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))
}

/// Runs the given role on an opened store (and, for API roles, a bound listener).
pub async fn run_with(
    mut config: Config,
    store: Store,
    role: Role,
    listener: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    config.secret_key = Some(secret_key(&config, store.backend())?);
    let state = state(config, store.clone(), Arc::new(SystemClock))?;
    // One shutdown signal, seen by the HTTP server and the workers.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = move || {
        let mut rx = stop_rx.clone();
        async move {
            let _ = rx.wait_for(|stop| *stop).await;
        }
    };
    if let Some(addr) = state.config.metrics_listen {
        let listener = bind(addr).await?;
        tracing::info!(%addr, "metrics listening");
        let router = http::metrics_router(state.clone());
        let stop = stopped();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(stop)
                .await
            {
                tracing::error!(error = %e, "metrics listener failed");
            }
        });
    }
    let workers = match role {
        Role::All | Role::Worker => {
            let mailer = Sender::mailer_from(&state.config)?;
            let mut sender = Sender::new(
                state.config.clone(),
                store.clone(),
                state.clock.clone(),
                state.signer.clone(),
                mailer,
            )?;
            // One SMS client and rate limit per process, for the worker's texts and HELP answers.
            sender.sms = state.sms.clone();
            Some(tokio::spawn(jobs::run(Arc::new(sender), stopped())))
        }
        Role::Api => None,
    };
    let served = match (role, listener) {
        (Role::All | Role::Api, Some(listener)) => serve(state, listener, stopped()).await,
        (Role::All | Role::Api, None) => Err(anyhow::anyhow!("the API role needs a listener")),
        (Role::Worker, Some(listener)) => {
            let addr = listener.local_addr()?;
            println!("warrantyd listening on http://{addr}");
            axum::serve(listener, http::ops_router(state))
                .with_graceful_shutdown(stopped())
                .await
                .map_err(anyhow::Error::from)
        }
        (Role::Worker, None) => {
            stopped().await;
            Ok(())
        }
    };
    let worked = match workers {
        Some(handle) => handle.await.map_err(anyhow::Error::from).and_then(|r| r),
        None => Ok(()),
    };
    store.close().await;
    served.and(worked)
}

/// Serves HTTP/1.1 on `listener` until `shutdown`, then lets in-flight requests finish (bounded).
/// Connections that do not send their request headers within `header_read_timeout_secs` are
/// closed, so slow clients cannot hold connections open; request bodies and handlers are bounded by
/// the request timeout.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum::extract::ConnectInfo;
    use tower::ServiceExt;

    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = ?state.store.backend(), "listening");
    // The address on stdout lets scripts and tests that asked for port 0 find the service.
    println!("warrantyd listening on http://{addr}");
    let header_timeout = std::time::Duration::from_secs(state.config.header_read_timeout_secs);
    let drain = std::time::Duration::from_secs(state.config.request_timeout_secs + 5);
    let router = http::router(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let service = router.clone().map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req
                });
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(header_timeout);
                let connection = builder.serve_connection(
                    hyper_util::rt::TokioIo::new(http::wire::ProblemOnParseError::new(stream)),
                    hyper_util::service::TowerToHyperService::new(service),
                );
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(e) = connection.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(drain) => tracing::warn!("in-flight requests did not finish in time"),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}

/// The store and a Sender that keeps its mail in memory: for tools that render or queue but
/// never deliver (`reminders preview`, `bench queue`).
pub async fn offline_sender(
    mut config: Config,
) -> anyhow::Result<(crate::store::Store, crate::jobs::Sender)> {
    let store = open_store(&config).await?;
    config.secret_key = Some(secret_key(&config, store.backend())?);
    let signer = crate::tokens::Signer::new(config.secret_key.as_ref().expect("set").expose());
    let memory = crate::mail::Mailer::Memory(Default::default());
    let sender = crate::jobs::Sender::new(
        Arc::new(config),
        store.clone(),
        Arc::new(crate::clock::SystemClock),
        signer,
        memory,
    )?;
    Ok((store, sender))
}
