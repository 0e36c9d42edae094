//! The oauth-sandbox binary: read the configuration, build the state, serve.

use clap::Parser;
use oauth_sandbox::{
    build_state, clock::SystemClock, config::Config, router, spawn_collector, spawn_watch,
    telemetry,
};
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc: the request path allocates many small, short-lived buffers, and mimalloc serves
/// them measurably faster than the system allocator (see ARCHITECTURE.md, "Performance").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    telemetry::init(&config.log);
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oauth-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let (state, startup) = build_state(&config, Arc::new(SystemClock)).await?;
    for (source, applied) in &startup.seeded {
        tracing::info!(
            source = %source,
            clients = applied.clients,
            users = applied.users,
            policies = applied.policies,
            trusted_issuers = applied.trusted_issuers,
            keys = applied.keys,
            "seed applied"
        );
    }
    if let Some(password) = &startup.generated_admin_password {
        // Printed once, to the terminal, on purpose; never through the log.
        println!(
            "\n  Admin account created. Username: admin  Password: {}\n  It is shown only now; set --admin-password to choose your own.\n",
            password.expose()
        );
    }
    if config.mock {
        tracing::warn!(
            "MOCK MODE: the control API under /mock/ mints tokens, injects faults and moves the clock; never use this server for real"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(addr = %config.addr, issuer = %state.issuer, "oauth-sandbox listening");
    let db = state.db.clone();
    let collector = spawn_collector(
        state.clone(),
        std::time::Duration::from_secs(config.collect_every_seconds),
    );
    // Keys another node of this issuer rotated or retired, and what its throttle blocked.
    let watch = spawn_watch(state.clone());
    // Connection addresses key the failure throttle (security::throttle).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    // Every batch is its own statement, so stopping between two loses nothing.
    collector.abort();
    watch.abort();
    let _ = collector.await;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
