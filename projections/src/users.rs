//! Users, their areas and API tokens, as one row per user (`users`) derived from `User` events and written
//! in the same statement as them ([`UserTable`]): a grant or a revocation holds from the moment its
//! command commits, whatever the projection runner's lag. Tokens are 256 random bits shown once; only
//! their SHA-256 is stored (in the `TokenIssued` event and the user's row).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;
pub use santisuk_domain::user::Role;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::changes::Changes;
use santisuk_domain::user::UserEvent;
use santisuk_store::append::{InlineTable, RowValues, SqlValue};
use santisuk_store::bind_row;
use santisuk_store::db::{Backend, Db, DbTx, values_placeholders, values_placeholders_from};
use santisuk_store::error::StoreError;
use santisuk_store::{on_db, on_tx};

/// An authenticated user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The areas a coordinator works in (empty for other roles).
    pub areas: Vec<String>,
    /// The restricted categories whose cases a staff member or an auditor may read (empty for other roles).
    pub categories: Vec<String>,
}

/// A user as administrators list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub areas: Vec<String>,
    /// The restricted categories granted (staff and auditors).
    pub categories: Vec<String>,
    pub created_at: String,
}

/// A new API token: shown to the person once, never stored in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn generate() -> Token {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Token(format!("sst_{}", hex::encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: hex SHA-256 of the token.
    pub fn sha256(&self) -> String {
        token_hash(&self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn parse_role(name: &str, role: &str) -> Result<Role, StoreError> {
    Role::parse(role).ok_or_else(|| StoreError::corrupt(format!("user {name} has unknown role {role}")))
}

/// The active user a bearer token belongs to, if any.
pub async fn user_by_token(db: &Db, token: &str) -> Result<Option<User>, StoreError> {
    user_by_hash(db, &token_hash(token)).await
}

async fn user_by_hash(db: &Db, hash: &str) -> Result<Option<User>, StoreError> {
    let row: Option<(String, String, String, String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name, role, areas, categories FROM users WHERE token_sha256 = $1 AND active")
        .bind(hash).fetch_optional(p).await?);
    row.map(|(id, name, role, areas, categories)| user(id, name, &role, &areas, &categories)).transpose()
}

/// A user from its row's columns; a coordinator's areas only (other roles see every area), and the
/// restricted categories of staff and auditors only (an admin reads every case; a coordinator the ones
/// they raised).
pub(crate) fn user(id: String, name: String, role: &str, areas: &str, categories: &str) -> Result<User, StoreError> {
    let role = parse_role(&name, role)?;
    let areas = if role == Role::Coordinator { split_areas(areas) } else { Vec::new() };
    let categories = if matches!(role, Role::Staff | Role::Auditor) { split_areas(categories) } else { Vec::new() };
    Ok(User { id, name, role, areas, categories })
}

/// The areas column (and the categories column): ids joined by commas (area ids and category codes hold no
/// comma), sorted.
fn split_areas(column: &str) -> Vec<String> {
    let mut areas: Vec<String> = column.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect();
    areas.sort();
    areas.dedup();
    areas
}

/// How long a cached token lookup may be used when no local change was seen: the bound on how long a
/// token revoked through *another* instance keeps working here (the revocation itself is in the user's row
/// from its commit; only this instance's cache can be behind).
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);

/// Bounds the memory of the cache (it is cleared when full): one entry per active token.
const TOKEN_CACHE_MAX: usize = 10_000;

/// Bearer token → user, so that a request does not cost a database lookup when the same client sent one
/// within the last [`TOKEN_CACHE_TTL`]. Correctness: a command on a user writes the user's row in the same
/// statement as its events, and this process drops every entry before that command answers (and after
/// any runner batch that applied a `User` event), so a revocation through this instance holds for the
/// very next request, and through another instance within [`TOKEN_CACHE_TTL`], whatever the projection
/// runner's lag. Unknown tokens are never cached (a client guessing tokens cannot fill it, and a new
/// token works at once).
#[derive(Debug, Clone)]
pub struct TokenCache {
    entries: Arc<Mutex<HashMap<String, Cached>>>,
    /// Bumped after every command on a user, every runner batch that applied a `User` event, and a rebuild.
    changes: Changes,
}

/// A cached lookup: the user, when it was asked for, and the users' generation ([`Changes::users`]) at that
/// moment.
type Cached = (User, Instant, u64);

impl TokenCache {
    /// An empty cache whose entries `changes` outdates (shared with the [`crate::read_model::ReadModel`]).
    pub fn new(changes: Changes) -> TokenCache {
        TokenCache { entries: Arc::default(), changes }
    }

    /// [`user_by_token`], answered from the cache while its entry is fresh.
    pub async fn user(&self, db: &Db, token: &str) -> Result<Option<User>, StoreError> {
        let hash = token_hash(token);
        // Both read before the lookup: a change committed while it runs leaves a stale entry that is
        // already outdated by the bump that follows the commit.
        let generation = self.changes.users();
        let asked = Instant::now();
        if let Some((user, at, g)) = self.lock().get(&hash) {
            if *g == generation && at.elapsed() < TOKEN_CACHE_TTL {
                return Ok(Some(user.clone()));
            }
        }
        let user = user_by_hash(db, &hash).await?;
        let mut entries = self.lock();
        match &user {
            Some(u) => {
                if entries.len() >= TOKEN_CACHE_MAX {
                    entries.clear();
                }
                entries.insert(hash, (u.clone(), asked, generation));
            }
            None => {
                entries.remove(&hash);
            }
        }
        Ok(user)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        // A panic while holding the lock cannot leave the map inconsistent (single inserts and removes).
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

const USER_ROW: &str = "id, name, role, active, areas, categories, created_at";

type UserColumns = (String, String, String, bool, String, String, String);

fn user_row((id, name, role, active, areas, categories, created_at): UserColumns) -> UserRow {
    UserRow { id, name, role, active, areas: split_areas(&areas), categories: split_areas(&categories), created_at }
}

/// Every user, by name.
pub async fn list_users(db: &Db) -> Result<Vec<UserRow>, StoreError> {
    let rows: Vec<UserColumns> = on_db!(db, p => sqlx::query_as(
        &format!("SELECT {USER_ROW} FROM users ORDER BY name")).fetch_all(p).await?);
    Ok(rows.into_iter().map(user_row).collect())
}

pub async fn get_user(db: &Db, id: &str) -> Result<Option<UserRow>, StoreError> {
    let row: Option<UserColumns> = on_db!(db, p => sqlx::query_as(
        &format!("SELECT {USER_ROW} FROM users WHERE id = $1")).bind(id).fetch_optional(p).await?);
    Ok(row.map(user_row))
}

pub async fn count_users(db: &Db) -> Result<i64, StoreError> {
    Ok(on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(p).await?))
}

// --- the user's row, folded from its events -----------------------------------------------------------

/// A user's row as its events make it: the command that appends them writes it in the same statement
/// ([`UserTable`]), and the runner (in a rebuild, or after a writer without the inline write) folds it with
/// the same function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// Sorted, no duplicates.
    pub areas: Vec<String>,
    /// The restricted categories granted; sorted, no duplicates.
    pub categories: Vec<String>,
    /// The hash of the user's current token (a new token replaces the old one).
    pub token_sha256: Option<String>,
    /// The sequence of the last event folded in.
    pub version: i64,
}

impl UserRecord {
    /// Folds one event into the row (`None` before the user's creation, and for any other event then: a
    /// user's history begins with `UserCreated`).
    pub fn fold(row: Option<UserRecord>, id: &str, event: &UserEvent, sequence: i64) -> Option<UserRecord> {
        let mut row = match (row, event) {
            (_, UserEvent::UserCreated { name, role, areas }) => UserRecord {
                id: id.to_owned(),
                name: name.as_str().to_owned(),
                role: *role,
                active: true,
                areas: sorted(areas),
                categories: Vec::new(),
                token_sha256: None,
                version: sequence,
            },
            (None, _) => return None,
            (Some(row), _) => row,
        };
        match event {
            UserEvent::UserCreated { .. } => {}
            UserEvent::UserAreasChanged { areas } => row.areas = sorted(areas),
            UserEvent::TokenIssued { token_sha256 } => row.token_sha256 = Some(token_sha256.clone()),
            UserEvent::UserDeactivated {} => row.active = false,
            // The hash lives in `web_accounts`, outside the log.
            UserEvent::PasswordSet {} => {}
            UserEvent::RestrictedCategoriesGranted { categories } => {
                let mut codes: Vec<String> = categories.iter().map(ToString::to_string).collect();
                codes.sort();
                codes.dedup();
                row.categories = codes;
            }
        }
        row.version = sequence;
        Some(row)
    }

    /// The row's columns in [`UserTable`]'s order (the writer binds the position after them).
    pub fn values(&self) -> RowValues {
        vec![
            SqlValue::Text(self.id.clone()),
            SqlValue::Text(self.name.clone()),
            SqlValue::Text(self.role.as_str().to_owned()),
            SqlValue::Bool(self.active),
            SqlValue::Text(self.areas.join(",")),
            SqlValue::Text(self.categories.join(",")),
            SqlValue::OptText(self.token_sha256.clone()),
            SqlValue::Int(self.version),
        ]
    }
}

fn sorted(areas: &[santisuk_domain::values::AreaId]) -> Vec<String> {
    let mut areas: Vec<String> = areas.iter().map(ToString::to_string).collect();
    areas.sort();
    areas.dedup();
    areas
}

/// The columns a row binds, then its position; `created_at` is the recorded time of the user's first event.
const USER_COLUMNS: &str = "id, name, role, active, areas, categories, token_sha256, version, last_position";

/// The guard keeps a row from moving backwards whoever writes it (a command and a runner batch may meet).
const USER_UPSERT_SET: &str = "ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role, \
     active = excluded.active, areas = excluded.areas, categories = excluded.categories, \
     token_sha256 = excluded.token_sha256, \
     version = excluded.version, last_position = excluded.last_position WHERE users.version < excluded.version";

/// The recorded time of a user's first event, as `created_at` is stored (the events table's own text).
fn created_at(backend: Backend, from: &str, id: &str) -> String {
    let at = match backend {
        Backend::Postgres => "to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
        Backend::Sqlite => "CAST(recorded_at AS TEXT)",
    };
    format!("(SELECT {at} FROM {from} WHERE aggregate_type = 'User' AND aggregate_id = {id} AND sequence = 1)")
}

/// The users as the store's inline table: a command on a user writes the user's row ([`UserRecord::values`])
/// in the same statement as its events, so the token, the role, the areas and deactivation hold on every
/// instance from the moment the command commits.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserTable;

impl InlineTable for UserTable {
    fn aggregate_type(&self) -> &'static str {
        "User"
    }

    fn columns(&self) -> usize {
        8
    }

    fn upsert_sql(&self, backend: Backend, rows: usize) -> String {
        let values = values_placeholders(backend, rows, self.columns() + 1);
        // SQLite names a VALUES list's columns column1, column2, …; the subquery renames them.
        let named = "SELECT column1 AS id, column2 AS name, column3 AS role, column4 AS active, column5 AS areas, \
                     column6 AS categories, column7 AS token_sha256, column8 AS version, column9 AS last_position";
        let created = created_at(backend, "events", "v.id");
        format!(
            "INSERT INTO users ({USER_COLUMNS}, created_at) SELECT v.*, {created} FROM ({named} FROM (VALUES {values}) AS w) AS v \
             WHERE true {USER_UPSERT_SET}"
        )
    }

    /// Users hold no numbers: `numbers` is never given for them.
    fn grouped_upsert_sql(&self, first: usize, rows: usize, _numbers: Option<&str>) -> String {
        let values = values_placeholders_from(Backend::Postgres, first, rows, self.columns());
        let folded = USER_COLUMNS.trim_end_matches(", last_position");
        // The first event may be in this very statement (`e`), whose rows the table `events` does not show yet.
        let created = format!(
            "COALESCE({}, {})",
            created_at(Backend::Postgres, "e", "v.id"),
            created_at(Backend::Postgres, "events", "v.id")
        );
        format!(
            "INSERT INTO users ({USER_COLUMNS}, created_at) SELECT v.*, e.position, {created} \
             FROM (VALUES {values}) AS v({folded}), e \
             WHERE e.aggregate_type = 'User' AND e.aggregate_id = v.id AND e.sequence = v.version {USER_UPSERT_SET}"
        )
    }
}

/// A user's stored row: id, name, role, active, areas, categories, token hash, version.
type StoredUser = (String, String, String, bool, String, String, Option<String>, i64);

/// Folds a runner batch's events of one user into its stored row and writes it if it moved.
pub(crate) async fn project(tx: &mut DbTx, id: &str, events: &[(&UserEvent, i64, i64)]) -> Result<(), StoreError> {
    let stored: Option<StoredUser> = on_tx!(tx, t => sqlx::query_as(
        "SELECT id, name, role, active, areas, categories, token_sha256, version FROM users WHERE id = $1")
        .bind(id).fetch_optional(&mut **t).await?);
    let mut row = stored
        .map(|(id, name, role, active, areas, categories, token_sha256, version)| {
            Ok::<_, StoreError>(UserRecord {
                role: parse_role(&name, &role)?,
                id,
                name,
                active,
                areas: split_areas(&areas),
                categories: split_areas(&categories),
                token_sha256,
                version,
            })
        })
        .transpose()?;
    let before = row.as_ref().map(|r| r.version);
    let mut position = 0;
    for (event, sequence, at) in events {
        if row.as_ref().is_some_and(|r| r.version >= *sequence) {
            continue;
        }
        row = UserRecord::fold(row, id, event, *sequence);
        position = *at;
    }
    let Some(row) = row.filter(|r| Some(r.version) != before) else { return Ok(()) };
    let sql = UserTable.upsert_sql(tx.backend(), 1);
    let values = row.values();
    on_tx!(tx, t => bind_row!(sqlx::query(&sql), values).bind(position).execute(&mut **t).await.map(|_| ())?);
    Ok(())
}
