//! The `santisuk` binary: `serve` (default), `migrate`, `projections rebuild`, `user add`, `user password`,
//! `audit verify`, `demo`, `import`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use santisuk_http::config::{ServeConfig, StorageConfig};
use std::collections::HashMap;
use std::fmt::Display;
use std::io::{IsTerminal, Write};

use santisuk_app::admin;
use santisuk_app::audit::{DIGEST_FORMAT, Digest};
use santisuk_app::caller::Role;
use santisuk_app::users::{create_user, store_password};
use santisuk_http::state::AppState;
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
    /// Copy the embedded (SQLite) database to a new file, consistent and safe while the server runs
    /// (`VACUUM INTO`). On PostgreSQL, use pg_dump or a base backup (see the README's Operations).
    Backup {
        /// The file to write; it must not exist yet.
        to: std::path::PathBuf,
    },
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
    /// Check the tamper-evident ledger.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Personal data: erase a person's or a problem's, export a person's (the data-subject access request),
    /// apply the retention rule, rotate the master key.
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
    /// Import a spreadsheet of forum problems kept before Santisuk (.xlsx or .csv): prints the report as JSON
    /// (how the columns were mapped, every row's problems and notes). Writes only when every row is valid;
    /// importing the same file again creates nothing twice. Exit status 0: done (or a clean dry run);
    /// 1: rows with problems or a file refused (nothing written).
    Import {
        /// The .xlsx or .csv file.
        file: std::path::PathBuf,
        /// Check and report only; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The user the import is recorded as (an admin or staff member).
        #[arg(long = "as", value_name = "USER", default_value = "admin")]
        user: String,
        /// The sheet to read (default: the first with a header row Santisuk recognises).
        #[arg(long)]
        sheet: Option<String>,
        /// A CSV's encoding when it is not UTF-8: windows-874 (TIS-620).
        #[arg(long)]
        encoding: Option<String>,
    },
    /// Fill an empty database with a year of demo forums and issues in 40 demo areas (DEMO-01…), with demo
    /// users. Refuses a database that already has areas or issues.
    Demo {
        /// Seeds the generator: the same seed on the same day gives the same data.
        #[arg(long, default_value_t = santisuk_app::demo::DemoOptions::DEFAULT_SEED)]
        seed: u64,
        /// About how many issues to raise over the year (at least one per area).
        #[arg(long, value_name = "N", default_value_t = santisuk_app::demo::DemoOptions::DEFAULT_ISSUES)]
        issues: usize,
    },
}

#[derive(Debug, Subcommand)]
enum AuditAction {
    /// Recompute the hash chain from the events and compare it with the ledger (and a digest). Prints a
    /// JSON report; exits 0 when intact, 1 when not, 2 on bad arguments.
    Verify {
        /// A digest handed out earlier by GET /api/audit/digest, as <position>:<64 hex digits>.
        #[arg(long, value_name = "POSITION:HEX", value_parser = parse_digest)]
        digest: Option<Digest>,
    },
}

/// Clap reports this error and exits with status 2.
fn parse_digest(text: &str) -> Result<Digest, String> {
    Digest::parse(text).ok_or_else(|| {
        format!("a digest is {}, as GET /api/audit/digest hands it out (e.g. 42:{})", DIGEST_FORMAT, "0".repeat(64))
    })
}

#[derive(Debug, Subcommand)]
enum PrivacyAction {
    /// Erases a person's record and the free text of every problem they raised (a person record's id), or
    /// one problem's free text (an issue id or case number), by destroying the keys it was sealed under.
    Erase {
        #[arg(long)]
        subject: String,
        /// Why: recorded in the history (no personal data here).
        #[arg(long)]
        legal_basis: String,
    },
    /// Prints, as JSON, everything held about a person: the record and each problem they raised.
    Export {
        #[arg(long)]
        subject: String,
    },
    /// Erases the complainants whose every problem has been closed for at least this many months.
    Retention {
        #[arg(long)]
        months: u32,
        /// Only list who would be erased.
        #[arg(long)]
        dry_run: bool,
    },
    /// Re-wraps every data key with a new master key, written (mode 0600) to this file, which must not
    /// exist. The events are not touched. Restart the server with the new file; the old key opens nothing.
    RotateKey {
        #[arg(long)]
        new_key_file: std::path::PathBuf,
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
        /// An area a coordinator works in (repeat for several); required for coordinators.
        #[arg(long = "area", value_name = "AREA_ID")]
        areas: Vec<String>,
        /// Also set a web password, read from the first line of standard input (10–256 characters).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set (or reset) a user's web password, read from the first line of standard input. Ends the user's
    /// web sessions.
    Password {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("SANTISUK_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    // Verifying the ledger reads the log as stored and needs no master key.
    let db = match &cli.command {
        Some(Command::Audit { .. }) => cli.storage.open_without_key().await,
        _ => cli.storage.open().await,
    }
    .context("opening the database")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => run_server(cli.storage, cli.serve, db).await,
        Command::Migrate => {
            admin::migrate(&db).await.context("migrating")?;
            say(format_args!("migrations applied ({})", cli.storage.describe()));
            Ok(())
        }
        Command::Backup { to } => {
            admin::backup(&db, &to).await.context("backing up")?;
            say(format_args!("backed up {} to {}", cli.storage.describe(), to.display()));
            Ok(())
        }
        Command::Projections { action: ProjectionsAction::Rebuild } => {
            let started = std::time::Instant::now();
            let n = admin::rebuild_read_model(&db).await.context("rebuilding the read model")?;
            say(format_args!("rebuilt read_model from {n} events in {:.2?}", started.elapsed()));
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify { digest } } => {
            // Read-only: no migration, so a role that may only SELECT can run it.
            let started = std::time::Instant::now();
            // Exit codes: 0 intact, 1 tampered, 2 bad arguments (clap), 3 could not verify (e.g. database down),
            // so a script never mistakes an outage for tampering or the reverse.
            let report = match admin::verify_ledger(&db, digest.as_ref()).await {
                Ok(report) => report,
                Err(e) => {
                    tracing::error!(error = %e, "could not verify the ledger");
                    let _ = writeln!(std::io::stderr(), "Error: could not verify the ledger: {e}");
                    std::process::exit(3);
                }
            };
            say(serde_json::to_string_pretty(&report)?);
            tracing::info!(checked = report.checked, elapsed = ?started.elapsed(), "verification finished");
            if !report.ok {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::User { action: UserAction::Password { name, password_stdin: _ } } => {
            let password = read_password()?;
            let state = AppState::prepare(db).await.context("preparing the database")?;
            state.spawn_runner(std::future::pending());
            admin::set_password_by_name(&state, &name, password, actor("cli")).await?;
            say(format_args!("password set for {}; their web sessions have ended", name.trim()));
            Ok(())
        }
        Command::User { action: UserAction::Add { name, role, areas, password_stdin } } => {
            // Read before anything is written: a missing password must not leave a user half-made.
            let password = if password_stdin { Some(read_password()?) } else { None };
            if let Some(p) = &password {
                santisuk_app::password::check(p)?;
            }
            let state = AppState::prepare(db).await.context("preparing the database")?;
            // The command waits for its projection (the token must work as soon as it is printed).
            state.spawn_runner(std::future::pending());
            let role = Role::parse(&role).context("unknown role")?;
            let (user, token) = create_user(&state, &name, role, &areas, actor("cli")).await?;
            let scope = if user.areas.is_empty() { String::new() } else { format!(" in {}", user.areas.join(", ")) };
            say(format_args!("created user {} ({}) with role {}{scope}", user.name, user.id, user.role));
            if let Some(p) = password {
                store_password(&state, &user.id, p, actor("cli")).await?;
                say("web password set");
            }
            say("API token (shown once; send as `Authorization: Bearer <token>`):");
            say(token.expose());
            Ok(())
        }
        Command::Privacy { action } => privacy(&cli.storage, db, action).await,
        Command::Import { file, dry_run, user, sheet, encoding } => {
            import(db, file, dry_run, &user, sheet, encoding).await
        }
        Command::Demo { seed, issues } => {
            let state = AppState::prepare(db.clone()).await.context("preparing the database")?;
            let projections = Projections::start(&state);
            let started = std::time::Instant::now();
            let report = santisuk_app::demo::fill(&state, santisuk_app::demo::DemoOptions { seed, issues }).await?;
            demo_passwords(&state, &report).await?;
            print_demo_report(&report, started.elapsed(), &cli.storage);
            projections.close(&db).await;
            Ok(())
        }
    }
}

async fn import(
    db: santisuk_app::Db,
    path: std::path::PathBuf,
    dry_run: bool,
    user: &str,
    sheet: Option<String>,
    encoding: Option<String>,
) -> anyhow::Result<()> {
    use santisuk_app::import::{ImportFile, MAX_FILE_BYTES};
    let size = std::fs::metadata(&path).with_context(|| format!("reading {}", path.display()))?.len();
    // Refused before it is read into memory: the same limit as over the API.
    anyhow::ensure!(
        size <= MAX_FILE_BYTES as u64,
        "{} is over {} MiB: split it into several files",
        path.display(),
        MAX_FILE_BYTES / (1024 * 1024)
    );
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let state = AppState::prepare(db.clone()).await.context("preparing the database")?;
    let projections = Projections::start(&state);
    let result = async {
        let caller = santisuk_app::import::caller_named(&state, user).await?;
        santisuk_app::import::import(&state, &caller, ImportFile { name, bytes, sheet, encoding }, dry_run).await
    }
    .await;
    let code = match result {
        Ok(report) => {
            say(serde_json::to_string_pretty(&report)?);
            let c = &report.counts;
            let _ = writeln!(
                std::io::stderr(),
                "{}: {} rows, {} valid, {} with problems, {} new, {} already imported, {} Buddhist-Era dates converted; \
                 {} problems created, {} events written",
                if dry_run { "dry run" } else { "import" },
                c.rows,
                c.valid,
                c.invalid,
                c.new,
                c.already_imported,
                c.buddhist_era_dates,
                c.created,
                c.events_written
            );
            i32::from(dry_run && c.invalid > 0)
        }
        Err(e) => {
            let (code, message) = e.code_and_message();
            let _ = writeln!(std::io::stderr(), "Error ({code}): {message}");
            1
        }
    };
    projections.close(&db).await;
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}

async fn privacy(storage: &StorageConfig, db: santisuk_app::Db, action: PrivacyAction) -> anyhow::Result<()> {
    let state = AppState::prepare(db.clone()).await.context("preparing the database")?;
    let projections = Projections::start(&state);
    match action {
        PrivacyAction::Erase { subject, legal_basis } => {
            let basis = santisuk_app::privacy::legal_basis(&legal_basis)?;
            let report = santisuk_app::privacy::erase_as(&state, actor("cli"), "cli", &subject, basis).await?;
            say(serde_json::to_string_pretty(&report)?);
        }
        PrivacyAction::Export { subject } => {
            let export = santisuk_app::privacy::export_subject_as(&state, &subject).await?;
            say(serde_json::to_string_pretty(&export)?);
        }
        PrivacyAction::Retention { months, dry_run: true } => {
            let due = santisuk_app::privacy::due_for_retention(&state, months, santisuk_http::state::now()).await?;
            say(serde_json::to_string_pretty(&serde_json::json!({ "would_erase": due }))?);
        }
        PrivacyAction::Retention { months, dry_run: false } => {
            let done = santisuk_app::privacy::apply_retention(&state, months).await?;
            say(serde_json::to_string_pretty(&done)?);
        }
        PrivacyAction::RotateKey { new_key_file } => {
            let new = santisuk_app::privacy::MasterKey::generate();
            santisuk_http::config::write_key_file(&new_key_file, &new)?;
            let n = santisuk_app::privacy::rotate_master_key(&state, &new).await?;
            say(format_args!(
                "re-wrapped {n} data keys with the new master key {} (written to {}). Start the server with \
                 SANTISUK_MASTER_KEY_FILE={} (or move it over {}); the old key no longer opens this database: \
                 destroy it and its backups",
                new.id(),
                new_key_file.display(),
                new_key_file.display(),
                storage.master_key_place()
            ));
        }
    }
    projections.close(&db).await;
    Ok(())
}

/// The projections a one-shot command runs beside it, stopped and waited for before the pool closes: a
/// turn still running when the pool closed failed, and each projection logged a "closed pool" error at exit.
struct Projections {
    stop: tokio::sync::oneshot::Sender<()>,
    stopped: tokio::task::JoinHandle<()>,
}

impl Projections {
    fn start(state: &AppState) -> Projections {
        let (stop, rx) = tokio::sync::oneshot::channel();
        let stopped = state.spawn_runner(async move {
            let _ = rx.await;
        });
        Projections { stop, stopped }
    }

    /// Stops the projections (each ends the turn it is in), then closes the pool.
    async fn close(self, db: &santisuk_app::Db) {
        let _ = self.stop.send(());
        let _ = self.stopped.await;
        db.close().await;
    }
}

fn print_demo_report(r: &santisuk_app::demo::DemoReport, took: std::time::Duration, storage: &StorageConfig) {
    let counts = |m: &std::collections::BTreeMap<&str, usize>| {
        m.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
    };
    say(format_args!(
        "demo data written in {took:.1?} ({}): {} areas, {} forums, {} issues, {} events",
        storage.describe(),
        r.areas,
        r.forums,
        r.issues,
        r.events
    ));
    say(format_args!("  by status:  {}", counts(&r.by_status)));
    say(format_args!("  closed as:  {}", counts(&r.by_outcome)));
    say(format_args!("  overdue (open, past due): {}; reopened at least once: {}", r.overdue, r.reopened));
    let small: Vec<String> = r.small_areas.iter().map(|(a, n)| format!("{a} ({n})")).collect();
    say(format_args!("  areas with fewer than 10 issues: {}", small.join(", ")));
    if !r.projected {
        say("  (the read model is still catching up; it finishes when `santisuk serve` starts)");
    }
    say("");
    say("Demo users and their API tokens (shown once; send as `Authorization: Bearer <token>`):");
    for u in &r.users {
        let areas = if u.areas.is_empty() { "all areas".to_owned() } else { u.areas.join(" ") };
        say(format_args!("  {:<14} {:<12} {:<40} {}", u.name, u.role.as_str(), areas, u.token.expose()));
    }
    say(format_args!("Every demo user signs in to the web app with the password  {DEMO_PASSWORD}"));
}

/// The web password of every demo user: demo data is invented and marked as such, and a newcomer should be
/// able to look around as a coordinator, staff or auditor without any setup.
const DEMO_PASSWORD: &str = "santisuk-demo";

async fn demo_passwords(state: &AppState, report: &santisuk_app::demo::DemoReport) -> anyhow::Result<()> {
    for u in &report.users {
        admin::set_password_by_name(state, &u.name, DEMO_PASSWORD.to_owned(), actor("demo"))
            .await
            .with_context(|| format!("setting demo user {}'s password", u.name))?;
    }
    Ok(())
}

async fn run_server(storage: StorageConfig, serve: ServeConfig, db: santisuk_app::Db) -> anyhow::Result<()> {
    let state = AppState::prepare_with(db.clone(), serve.limits.max_pending_commands)
        .await
        .context("preparing the database")?;
    state.set_small_cell_threshold(serve.small_cell_threshold);
    state.notifier.configure(santisuk_app::notifications::NotifyConfig {
        smtp_url: serve.notify.smtp_url.clone(),
        mail_from: serve.notify.mail_from.clone(),
        public_url: serve.notify.public_url.clone().unwrap_or_else(|| format!("http://{}", serve.bind)),
        listen: vec![serve.bind],
    });
    state.attachment_policy.set(serve.attachment_max_bytes, serve.attachment_keep_metadata);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let runner = state.spawn_service(async move {
        let mut rx = stop_rx;
        let _ = rx.wait_for(|stop| *stop).await;
    });
    if serve.demo {
        match santisuk_app::demo::fill(&state, santisuk_app::demo::DemoOptions::default()).await {
            Ok(report) => {
                demo_passwords(&state, &report).await?;
                say(format_args!(
                    "Demo data: {} areas, {} forums, {} issues. Demo users (demo-staff, demo-auditor, demo-coord-01…) \
                     sign in with the password  {DEMO_PASSWORD}",
                    report.areas, report.forums, report.issues
                ));
            }
            Err(santisuk_app::demo::DemoError::NotEmpty { .. }) => {
                tracing::info!("--demo: the database already has data; no demo data added");
            }
            Err(e) => return Err(e.into()),
        }
    }
    // An administrator is created whenever there is none (a new database, or one filled by `demo`), so
    // there is always a way in.
    if let Some(months) = serve.retention_months {
        let state = state.clone();
        tokio::spawn(async move {
            loop {
                match santisuk_app::privacy::apply_retention(&state, months).await {
                    Ok(done) if !done.is_empty() => tracing::info!(erased = done.len(), months, "retention applied"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "the retention rule could not be applied"),
                }
                tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            }
        });
    }
    let first_login = admin::ensure_admin(&state, actor("system")).await?;
    let shutdown = shutdown_signal()?;
    let listener =
        tokio::net::TcpListener::bind(serve.bind).await.with_context(|| format!("binding {}", serve.bind))?;
    let url = format!("http://{}", listener.local_addr()?);
    say(format_args!("Santisuk is running at {url}  (data: {})", storage.describe()));
    say(format_args!("API documentation: {url}/api/openapi.json"));
    if let Some((token, password)) = first_login {
        say("");
        say("First start: created the administrator `admin` (shown once, keep them safe):");
        say(format_args!("  web sign-in:  open {url} and sign in as  admin  with the password  {password}"));
        say(format_args!("  API token:    {}", token.expose()));
        say(format_args!("Try:  curl -H 'Authorization: Bearer {}' {url}/api/categories", token.expose()));
        say(
            "More users:  santisuk user add <name> --role admin|staff|coordinator|auditor [--area ID] --password-stdin",
        );
    }
    let app = santisuk_http::app_with(state, &serve.limits).map_err(anyhow::Error::msg)?;
    // With the peer's address: the access log, the sign-in throttle and the limits key on it.
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await?;
    let _ = stop_tx.send(true);
    let _ = runner.await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// The first line of standard input, without its line ending (`echo 'secret' | santisuk user password …`).
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input (pipe it in: --password-stdin)");
    Ok(password)
}

/// The event metadata of a change made by the binary itself rather than by a signed-in user.
fn actor(name: &str) -> HashMap<String, String> {
    HashMap::from([("actor".to_owned(), name.to_owned())])
}

/// Prints a line of the command's intended output; a closed pipe (`| head -1`) is not an error.
fn say(line: impl Display) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when the future is
/// first polled: called before the port is bound, a stop sent as soon as the port answers is a clean stop
/// rather than the default action (death by the signal).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
        let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down");
        })
    }
}
