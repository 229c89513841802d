//! Test support (feature `testing`): PostgreSQL for tests, a fresh database per test on a running
//! server, or on a throwaway cluster started from the installed binaries when none answers.

use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;

/// Drops the test database when the test ends (also when it panics).
#[derive(Debug)]
pub struct DropDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; use a thread with its own runtime to do async work.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async move {
                if let Ok(mut conn) = PgConnectOptions::from_str(&admin_url).expect("url").connect().await {
                    use sqlx::Executor;
                    let _ = conn.execute(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str()).await;
                }
            });
        })
        .join();
    }
}

/// The server URL the tests use (a maintenance database on it).
fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let configured = std::env::var("SANTISUK_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        if server_answers(&configured) {
            return configured;
        }
        start_throwaway_cluster().unwrap_or_else(|why| {
            panic!(
                "PostgreSQL tests need a server. None answers at {configured} and {why}.\n\
                 Either start PostgreSQL there (or set SANTISUK_TEST_PG to a server URL), or install the \
                 PostgreSQL server binaries (Debian: apt-get install postgresql) so the tests can start a \
                 throwaway cluster."
            )
        })
    })
}

fn server_answers(url: &str) -> bool {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let Ok(opts) = PgConnectOptions::from_str(&url) else { return false };
            matches!(tokio::time::timeout(Duration::from_secs(3), opts.connect()).await, Ok(Ok(_)))
        })
    })
    .join()
    .unwrap_or(false)
}

/// An installed PostgreSQL program (`pg_dump`, `pg_restore`, `initdb`…): on the `PATH`, or the newest
/// under `/usr/lib/postgresql/*/bin` (Debian's layout).
pub fn binary(name: &str) -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).find(|f| f.is_file()))
        .unwrap_or_default();
    from_path.or_else(|| {
        let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(name)))
            .filter(|p| p.is_file())
            .collect();
        found.sort();
        found.pop()
    })
}

/// initdb + pg_ctl in a temporary folder, on a free port. A small watchdog shell process stops the
/// cluster (`pg_ctl stop -m immediate`) and removes the folder once this test process has exited.
fn start_throwaway_cluster() -> Result<String, String> {
    start_cluster(&format!("santisuk-pg-{}", std::process::id())).map(|(url, _)| url)
}

/// A database on a cluster of its own, started for this call: for a test that stalls, stops or restarts
/// PostgreSQL (holding a transaction open on the shared cluster would stall every test database on it).
/// The cluster is stopped and removed when the test process exits.
pub async fn private_database() -> (String, DropDatabase) {
    let cluster = private_cluster().await;
    (cluster.url.clone(), cluster.database)
}

/// A database on a cluster of its own that the test may stop and start again (an immediate stop looks
/// like a crash to clients: connections drop, nothing is flushed politely).
#[derive(Debug)]
pub struct PrivateCluster {
    /// The test database's URL.
    pub url: String,
    ctl: Ctl,
    database: DropDatabase,
}

impl PrivateCluster {
    /// `pg_ctl stop -m immediate`.
    pub fn stop_immediately(&self) {
        self.ctl.run(&["-D", &self.ctl.data, "stop", "-m", "immediate"]).expect("pg_ctl stop");
    }

    /// Starts the stopped cluster again on the same port, and waits until it accepts connections.
    pub fn start(&self) {
        self.ctl
            .run(&["-D", &self.ctl.data, "-o", &self.ctl.opts, "-l", &self.ctl.log, "-w", "start"])
            .expect("pg_ctl start");
    }
}

pub async fn private_cluster() -> PrivateCluster {
    let folder = format!("santisuk-pg-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let (admin_url, ctl) = tokio::task::spawn_blocking(move || start_cluster(&folder))
        .await
        .expect("cluster start task")
        .unwrap_or_else(|why| panic!("a private PostgreSQL cluster could not be started: {why}"));
    let (url, database) = database_on(admin_url).await;
    PrivateCluster { url, ctl, database }
}

/// How to run `pg_ctl` on one cluster (as the `postgres` user when we are root: PostgreSQL refuses root).
#[derive(Debug)]
struct Ctl {
    pg_ctl: PathBuf,
    as_root: bool,
    data: String,
    opts: String,
    log: String,
}

impl Ctl {
    fn run(&self, args: &[&str]) -> Result<(), String> {
        run_as_postgres(self.as_root, &self.pg_ctl, args)
    }
}

fn run_as_postgres(as_root: bool, program: &PathBuf, args: &[&str]) -> Result<(), String> {
    let mut cmd = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    let out = cmd.args(args).output().map_err(|e| e.to_string())?;
    if out.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
}

fn start_cluster(folder: &str) -> Result<(String, Ctl), String> {
    let initdb = binary("initdb").ok_or("no initdb binary was found")?;
    let pg_ctl = binary("pg_ctl").ok_or("no pg_ctl binary was found")?;
    let dir = std::env::temp_dir().join(folder);
    let data = dir.join("data");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let as_root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let run = |program: &PathBuf, args: &[&str]| run_as_postgres(as_root, program, args);
    if as_root {
        let _ = Command::new("chown").args(["-R", "postgres"]).arg(&dir).status();
    }
    let data_s = data.to_string_lossy().into_owned();
    run(&initdb, &["-D", &data_s, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        .map_err(|e| format!("initdb failed: {e}"))?;
    let opts = format!("-p {port} -c listen_addresses=127.0.0.1 -k {}", dir.to_string_lossy());
    let log = dir.join("log").to_string_lossy().into_owned();
    run(&pg_ctl, &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"])
        .map_err(|e| format!("pg_ctl start failed: {e}"))?;
    let stop = if as_root {
        format!("runuser -u postgres -- {} -D {data_s} stop -m immediate", pg_ctl.display())
    } else {
        format!("{} -D {data_s} stop -m immediate", pg_ctl.display())
    };
    let watchdog = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    let _ = Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let ctl = Ctl { pg_ctl, as_root, data: data_s, opts, log };
    Ok((format!("postgres://postgres@127.0.0.1:{port}/postgres"), ctl))
}

/// Creates an empty database for one test and returns its URL and the guard that drops it.
pub async fn fresh_database() -> (String, DropDatabase) {
    database_on(server_url().to_owned()).await
}

async fn database_on(admin_url: String) -> (String, DropDatabase) {
    let name = format!("santisuk_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = PgConnectOptions::from_str(&admin_url).expect("url").connect().await.expect("connect to PostgreSQL");
    use sqlx::Executor;
    conn.execute(format!("CREATE DATABASE \"{name}\"").as_str()).await.expect("create test database");
    let mut url = url_for(&admin_url, &name);
    if url.is_empty() {
        url = admin_url.clone();
    }
    (url.clone(), DropDatabase { url, admin_url, name })
}

fn url_for(admin_url: &str, name: &str) -> String {
    match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => String::new(),
    }
}
