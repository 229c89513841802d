//! The `santisuk` binary itself: subcommands, their output and exit codes, bad arguments, and a graceful
//! shutdown on SIGTERM. Runs against SQLite and PostgreSQL.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use santisuk_projections::users::user_by_token;
use santisuk_store::Db;

const BIN: &str = env!("CARGO_BIN_EXE_santisuk");

/// Where a test's data lives: a temporary SQLite folder, or a fresh PostgreSQL database.
enum Store {
    Sqlite(tempfile::TempDir),
    Postgres(String, #[allow(dead_code)] santisuk_store::testing::DropDatabase),
}

impl Store {
    async fn new(postgres: bool) -> Store {
        if postgres {
            let (url, guard) = santisuk_store::testing::fresh_database().await;
            Store::Postgres(url, guard)
        } else {
            Store::Sqlite(tempfile::tempdir().expect("temp dir"))
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args).env_remove("DATABASE_URL").env("SANTISUK_LOG", "warn");
        match self {
            Store::Sqlite(dir) => cmd.env("SANTISUK_DATA_DIR", dir.path()),
            Store::Postgres(url, _) => cmd.env("DATABASE_URL", url),
        };
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run santisuk")
    }

    async fn db(&self) -> Db {
        match self {
            Store::Sqlite(dir) => Db::open_sqlite(dir.path()).await.expect("open"),
            Store::Postgres(url, _) => Db::open_postgres(url, 2).await.expect("connect"),
        }
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn user_add_prints_a_working_token_as_its_last_line(postgres: bool) {
    let store = Store::new(postgres).await;
    let out = store.run(&["user", "add", "somchai", "--role", "staff"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let token = stdout.lines().last().expect("a last line").trim().to_owned();
    assert!(token.starts_with("sst_"), "{stdout}");
    let user = user_by_token(&store.db().await, &token).await.unwrap().expect("the token authenticates");
    assert_eq!((user.name.as_str(), user.role.as_str()), ("somchai", "staff"));
    // Only a hash is stored.
    let db = store.db().await;
    let stored: Vec<String> = santisuk_store::on_db!(&db, p => sqlx::query_scalar("SELECT token_sha256 FROM users WHERE token_sha256 IS NOT NULL").fetch_all(p).await.unwrap());
    assert!(!stored.iter().any(|s| s.contains(&token[4..])));

    let again = store.run(&["user", "add", "somchai", "--role", "staff"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
}

async fn bad_arguments_fail_clearly_and_write_nothing(postgres: bool) {
    let store = Store::new(postgres).await;
    let bad_role = store.run(&["user", "add", "x", "--role", "superuser"]);
    assert_eq!(bad_role.status.code(), Some(2));
    assert!(text(&bad_role.stderr).contains("invalid value 'superuser'"), "{}", text(&bad_role.stderr));
    let bad_name = store.run(&["user", "add", "has space", "--role", "staff"]);
    assert!(!bad_name.status.success());
    assert!(text(&bad_name.stderr).contains("user name must be"), "{}", text(&bad_name.stderr));
    let no_area = store.run(&["user", "add", "somsak", "--role", "coordinator"]);
    assert!(!no_area.status.success());
    assert!(text(&no_area.stderr).contains("a coordinator needs at least one area"), "{}", text(&no_area.stderr));
    let unknown_area = store.run(&["user", "add", "somsak", "--role", "coordinator", "--area", "NOWHERE-1"]);
    assert!(!unknown_area.status.success());
    assert!(text(&unknown_area.stderr).contains("no area"), "{}", text(&unknown_area.stderr));
    let missing = store.run(&["user", "add"]);
    assert_eq!(missing.status.code(), Some(2));
    let unknown = store.run(&["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(2));
    for out in [&bad_role, &bad_name, &no_area, &unknown_area, &missing, &unknown] {
        assert!(!text(&out.stderr).contains("panicked"));
    }
    let ok = store.run(&["migrate"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let db = store.db().await;
    assert_eq!(santisuk_projections::users::count_users(&db).await.unwrap(), 0);
}

async fn migrate_and_rebuild_run_and_report(postgres: bool) {
    let store = Store::new(postgres).await;
    let out = store.run(&["migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("migrations applied"));
    let out = store.run(&["projections", "rebuild"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("rebuilt read_model from 13 events"),
        "the 13 seeded categories: {}",
        text(&out.stdout)
    );
    let db = store.db().await;
    assert_eq!(santisuk_projections::read_model::list_categories(&db).await.unwrap().len(), 13);
}

async fn serve_prints_the_url_and_first_token_then_stops_on_sigterm(postgres: bool) {
    let store = Store::new(postgres).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = store
        .command(&["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        use std::io::BufRead;
        // Read to the end: closing the pipe early would make the server's next print fail.
        std::io::BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>()
    });
    // Wait for the port, then ask it something.
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server listens");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "a SIGTERM is a clean stop: {exit:?}");
    let lines = lines.join().unwrap();
    assert!(lines[0].contains(&format!("http://127.0.0.1:{port}")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("API token:    sst_")), "first start prints the admin token: {lines:?}");
    let password = lines
        .iter()
        .find_map(|l| l.split("sign in as  admin  with the password  ").nth(1))
        .unwrap_or_else(|| panic!("first start prints the admin's web password: {lines:?}"))
        .trim()
        .to_owned();
    let account = santisuk_projections::web::account_by_name(&store.db().await, "admin").await.unwrap().expect("admin");
    assert!(santisuk_app::password::verify(password, account.password_hash).await, "the printed password signs in");
}

/// Runs `santisuk` with `input` on standard input.
fn run_with_input(store: &Store, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child =
        store.command(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

async fn passwords_are_read_from_standard_input_and_checked(postgres: bool) {
    let store = Store::new(postgres).await;
    assert!(store.run(&["migrate"]).status.success());
    let short = run_with_input(&store, &["user", "add", "somying", "--role", "staff", "--password-stdin"], "short\n");
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 10 characters"), "{}", text(&short.stderr));
    let db = store.db().await;
    assert!(santisuk_projections::web::account_by_name(&db, "somying").await.unwrap().is_none(), "no half-made user");
    let out =
        run_with_input(&store, &["user", "add", "somying", "--role", "staff", "--password-stdin"], "ปัตตานี-ยะลา-นราฯ\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).lines().last().unwrap().starts_with("sst_"), "the token is still the last line");
    let stored = santisuk_projections::web::account_by_name(&db, "somying").await.unwrap().unwrap().password_hash;
    assert!(santisuk_app::password::verify("ปัตตานี-ยะลา-นราฯ".into(), stored.clone()).await);
    assert!(!stored.unwrap().contains("ปัตตานี"), "only a hash is stored");
    let reset = run_with_input(&store, &["user", "password", "somying", "--password-stdin"], "another-long-one\n");
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    let stored = santisuk_projections::web::account_by_name(&db, "somying").await.unwrap().unwrap().password_hash;
    assert!(santisuk_app::password::verify("another-long-one".into(), stored.clone()).await);
    assert!(!santisuk_app::password::verify("ปัตตานี-ยะลา-นราฯ".into(), stored).await);
    let nobody = run_with_input(&store, &["user", "password", "nobody", "--password-stdin"], "another-long-one\n");
    assert!(!nobody.status.success());
    assert!(text(&nobody.stderr).contains("no active user called"), "{}", text(&nobody.stderr));
    let empty = run_with_input(&store, &["user", "password", "somying", "--password-stdin"], "");
    assert!(!empty.status.success());
    assert!(text(&empty.stderr).contains("no password on standard input"), "{}", text(&empty.stderr));
}

async fn a_bad_database_url_is_a_clear_error(postgres: bool) {
    let _ = postgres;
    let out = Command::new(BIN).args(["migrate"]).env("DATABASE_URL", "mysql://nope").output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("DATABASE_URL must start with postgres://"), "{}", text(&out.stderr));
    let out =
        Command::new(BIN).args(["migrate"]).env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/x").output().unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("cannot connect to PostgreSQL"), "{}", text(&out.stderr));
}

macro_rules! both {
    ($($name:ident),*) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::$name(false).await } )* }
        mod postgres { $( #[tokio::test] async fn $name() { super::$name(true).await } )* }
    };
}

both!(
    user_add_prints_a_working_token_as_its_last_line,
    bad_arguments_fail_clearly_and_write_nothing,
    migrate_and_rebuild_run_and_report,
    serve_prints_the_url_and_first_token_then_stops_on_sigterm,
    passwords_are_read_from_standard_input_and_checked,
    a_bad_database_url_is_a_clear_error
);
