//! The `santisuk` binary: `serve` (default), `migrate`, `projections rebuild`, `user add`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use santisuk_http::config::{ServeConfig, StorageConfig};
use santisuk_http::state::{AppState, now, seed_categories};
use santisuk_projections::read_model::ReadModel;
use santisuk_projections::runner::Runner;
use santisuk_projections::users::{self, Role};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "santisuk", version, about = "Tracker for problems raised at listening forums (เวทีรับฟังปัญหา)")]
struct Cli {
    #[command(flatten)]
    storage: StorageConfig,
    #[command(flatten)]
    serve: ServeConfig,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and seed the standard categories, then exit.
    Migrate,
    /// Maintain the read models.
    Projections {
        #[command(subcommand)]
        action: ProjectionsAction,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
}

#[derive(Debug, Subcommand)]
enum ProjectionsAction {
    /// Empty every read model and replay all events from position 0.
    Rebuild,
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Create a user; prints a new API token as the last line.
    Add {
        name: String,
        #[arg(long, value_parser = ["admin", "staff", "coordinator", "auditor"])]
        role: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("SANTISUK_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let db = cli.storage.open().await.context("opening the database")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run_server(cli.storage, cli.serve, db).await,
        Command::Migrate => {
            db.migrate().await.context("migrating")?;
            seed_categories(&db).await.context("seeding categories")?;
            println!("migrations applied ({})", cli.storage.describe());
            Ok(())
        }
        Command::Projections { action: ProjectionsAction::Rebuild } => {
            db.migrate().await.context("migrating")?;
            let started = std::time::Instant::now();
            let n = Runner::new(db.clone(), ReadModel).rebuild().await.context("rebuilding the read model")?;
            println!("rebuilt read_model from {n} events in {:.2?}", started.elapsed());
            Ok(())
        }
        Command::User { action: UserAction::Add { name, role } } => {
            db.migrate().await.context("migrating")?;
            let role = Role::parse(&role).context("unknown role")?;
            let (user, token) = users::add_user(&db, &name, role, now()).await?;
            println!("created user {} ({}) with role {}", user.name, user.id, user.role);
            println!("API token (shown once; send as `Authorization: Bearer <token>`):");
            println!("{}", token.expose());
            Ok(())
        }
    }
}

async fn run_server(storage: StorageConfig, serve: ServeConfig, db: santisuk_projections::Db) -> anyhow::Result<()> {
    let state = AppState::prepare(db.clone()).await.context("preparing the database")?;
    let first_token = if users::count_users(&db).await? == 0 {
        Some(users::add_user(&db, "admin", Role::Admin, now()).await?.1)
    } else {
        None
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let runner = state.spawn_runner(async move {
        let mut rx = stop_rx;
        let _ = rx.wait_for(|stop| *stop).await;
    });
    let listener =
        tokio::net::TcpListener::bind(serve.bind).await.with_context(|| format!("binding {}", serve.bind))?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("Santisuk is running at {url}  (data: {})", storage.describe());
    println!("API documentation: {url}/api/openapi.json");
    if let Some(token) = first_token {
        println!();
        println!("First start: created the administrator `admin`. Its API token (shown once, keep it safe):");
        println!("  {}", token.expose());
        println!("Try:  curl -H 'Authorization: Bearer {}' {url}/api/categories", token.expose());
        println!("More users:  santisuk user add <name> --role admin|staff|coordinator|auditor");
    }
    axum::serve(listener, santisuk_http::app(state)).with_graceful_shutdown(shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    let _ = runner.await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
