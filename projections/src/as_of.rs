//! Reads as of a recorded instant, answered from the event log in memory bounded whatever its size.
//!
//! [`AsOf::build`] folds the log as it stood at the instant (cut by stored order, see
//! [`events::cut_after`]) into the very tables the live reads use, `issues`, `areas`, `categories`,
//! `forums`, `forum_organisations`, `organisations` and `organisation_areas` (the progress report's), created as temporary tables on a connection of the report's own, where they hide the shared tables of
//! the same names. The live queries (the issue list and its exports, the statistics) then run on that
//! connection unchanged ([`AsOf::reader`]): each read query has one definition, its SQL, for the live
//! answer and the answer as of any instant, so a rule (a coordinator's scope above all) cannot be on
//! one path and missing from the other. The fold reads the issues' events ordered by issue, so it holds
//! one page of events and one issue in memory; the rows go to the temporary tables, which the database
//! keeps on disk beyond its cache, and the sort of an export is the database's.
//!
//! The connection never returns to the pool: it is closed, and its temporary tables dropped, when the
//! `AsOf` is dropped. On PostgreSQL the log is read in a read-only snapshot on another connection and
//! the rows written by short statements outside it, so a long report holds back no transaction id (a
//! transaction that wrote would stall every projection until the report ends).

use chrono::{DateTime, Utc};
use santisuk_store::db::{Backend, Db, OwnConn, Reader};
use santisuk_store::error::StoreError;
use santisuk_store::events::{self, Checkpoint, StoredEvent};
use santisuk_store::{DbTx, SqlValue, bind_row, on_reader};

use crate::read_model::{
    AREA_INSERT, CATEGORY_INSERT, FORUM_INSERT, FORUM_ORGANISATION_INSERT, IssueRow, IssueTable,
    ORGANISATION_AREA_INSERT, ORGANISATION_INSERT, Snapshot,
};
use santisuk_store::append::InlineTable;

/// The read tables folded for an instant (every other table read on the connection is the shared one).
const AS_OF_TABLES: [&str; 7] =
    ["areas", "categories", "forums", "forum_organisations", "organisations", "organisation_areas", "issues"];

/// Events read per query while folding.
const PAGE: i64 = 5_000;

/// Issue rows written per statement (16 columns each: far below both backends' limits on parameters).
const ROWS_PER_INSERT: usize = 200;

/// The read tables as they stood at an instant, on a connection of their own.
#[derive(Debug)]
pub struct AsOf {
    conn: OwnConn,
}

impl AsOf {
    /// Folds the log as recorded up to `until` into temporary read tables (see the module's comment).
    pub async fn build(db: &Db, until: DateTime<Utc>) -> Result<AsOf, StoreError> {
        let mut view = AsOf { conn: db.own_connection().await? };
        view.create_tables().await?;
        let mut tx = db.begin_snapshot().await?;
        let cut = events::cut_after(&mut tx, until).await?;
        // Areas and categories are reference data (tens of rows): folded in memory, then written.
        let mut reference = Snapshot::default();
        // Forums and organisations too (the progress report's): a few forums per area and month, thousands
        // over the project's years, folded the same way.
        for aggregate_type in ["Area", "Category", "Organisation", "Forum"] {
            fold_pages(db, &mut tx, aggregate_type, cut, |e| reference.apply(e)).await?;
        }
        for area in reference.areas.values() {
            view.execute(AREA_INSERT, &area.values()).await?;
        }
        for category in reference.categories.values() {
            view.execute(CATEGORY_INSERT, &category.values()).await?;
        }
        for forum in reference.forums.values() {
            view.execute(FORUM_INSERT, &forum.values()).await?;
            for organisation in forum.organisations() {
                let pair = [SqlValue::Text(forum.id.clone()), SqlValue::Text(organisation.clone())];
                view.execute(FORUM_ORGANISATION_INSERT, &pair).await?;
            }
        }
        for organisation in reference.organisations.values() {
            view.execute(ORGANISATION_INSERT, &organisation.values()).await?;
            for area in &organisation.area_ids {
                let pair = [SqlValue::Text(organisation.id.clone()), SqlValue::Text(area.clone())];
                view.execute(ORGANISATION_AREA_INSERT, &pair).await?;
            }
        }
        // Issues one at a time: the events come ordered by issue, so an issue is complete when the next
        // one's first event arrives.
        let mut current = Snapshot::default();
        let mut done: Vec<IssueRow> = Vec::with_capacity(ROWS_PER_INSERT);
        let mut pages = Pages::new("Issue", cut);
        // Escalation is computed from the events and the clock at `until` (issue #17 §2): each finished
        // row is raised to the level the rule said was due then, whenever the escalator recorded it.
        let escalate = |row: &mut IssueRow| {
            let level = reference.categories.get(&row.category).map(|c| c.service_level()).unwrap_or_default();
            let province = reference
                .areas
                .get(&row.area_id)
                .and_then(|a| santisuk_domain::geo::Geography::get().amphoe(&a.amphoe_code))
                .map(|a| a.province_th.clone())
                .unwrap_or_default();
            row.escalate_to_due(&level, until, &province);
        };
        while let Some(page) = pages.next(db, &mut tx).await? {
            for event in &page {
                if current.issues.keys().next().is_some_and(|id| *id != event.aggregate_id) {
                    let mut rows = std::mem::take(&mut current.issues);
                    rows.values_mut().for_each(escalate);
                    done.extend(rows.into_values());
                }
                current.apply(event)?;
            }
            if done.len() >= ROWS_PER_INSERT {
                view.insert_issues(&done).await?;
                done.clear();
            }
        }
        let mut rows = current.issues;
        rows.values_mut().for_each(escalate);
        done.extend(rows.into_values());
        view.insert_issues(&done).await?;
        tx.commit().await?;
        view.finish_tables().await?;
        Ok(view)
    }

    /// Where to run a read query on the tables as they stood (see [`on_reader!`]).
    pub fn reader(&mut self) -> Reader<'_> {
        Reader::Own(&mut self.conn)
    }

    fn backend(&self) -> Backend {
        match self.conn {
            OwnConn::Sqlite(_) => Backend::Sqlite,
            OwnConn::Postgres(_) => Backend::Postgres,
        }
    }

    async fn execute(&mut self, sql: &str, values: &[SqlValue]) -> Result<(), StoreError> {
        on_reader!(self.reader(), e => bind_row!(sqlx::query(sql), values).execute(e).await.map(|_| ())?);
        Ok(())
    }

    async fn insert_issues(&mut self, rows: &[IssueRow]) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql = IssueTable.upsert_sql(self.backend(), chunk.len());
            let values: Vec<SqlValue> = chunk
                .iter()
                .flat_map(|r| {
                    let mut v = r.values();
                    v.push(SqlValue::Int(r.last_position));
                    v
                })
                .collect();
            self.execute(&sql, &values).await?;
        }
        Ok(())
    }

    /// Temporary tables shaped like the shared ones (their definitions copied from the database itself,
    /// so they cannot drift from the migrations); SQLite's indexes come once the rows are in.
    async fn create_tables(&mut self) -> Result<(), StoreError> {
        for table in AS_OF_TABLES {
            let sql = match &mut self.conn {
                OwnConn::Postgres(_) => format!("CREATE TEMP TABLE {table} (LIKE {table} INCLUDING ALL)"),
                OwnConn::Sqlite(c) => {
                    let ddl: String =
                        sqlx::query_scalar("SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = $1")
                            .bind(table)
                            .fetch_one(&mut *c)
                            .await?;
                    let (_, columns) = ddl
                        .split_once('(')
                        .ok_or_else(|| StoreError::corrupt(format!("unexpected definition of {table}: {ddl}")))?;
                    format!("CREATE TEMP TABLE {table} ({columns}")
                }
            };
            self.execute(&sql, &[]).await?;
        }
        Ok(())
    }

    /// SQLite: the shared tables' indexes on the temporary ones; PostgreSQL: statistics for the planner
    /// (temporary tables are never analysed by autovacuum).
    async fn finish_tables(&mut self) -> Result<(), StoreError> {
        let statements: Vec<String> = match &mut self.conn {
            OwnConn::Postgres(_) => AS_OF_TABLES.iter().map(|t| format!("ANALYZE {t}")).collect(),
            OwnConn::Sqlite(c) => {
                let indexes: Vec<String> = sqlx::query_scalar(
                    "SELECT sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND tbl_name IN ('areas', 'categories', 'forums', 'forum_organisations', 'organisations', \
                     'organisation_areas', 'issues')",
                )
                .fetch_all(&mut *c)
                .await?;
                indexes.iter().map(|ddl| temp_index(ddl)).collect::<Result<_, _>>()?
            }
        };
        for sql in statements {
            self.execute(&sql, &[]).await?;
        }
        Ok(())
    }
}

/// `CREATE INDEX name ON …` as `CREATE INDEX temp.name ON …` (SQLite: an index lives in its table's schema).
fn temp_index(ddl: &str) -> Result<String, StoreError> {
    let (head, rest) =
        ddl.split_once(" ON ").ok_or_else(|| StoreError::corrupt(format!("unexpected index definition: {ddl}")))?;
    let (create, name) =
        head.rsplit_once(' ').ok_or_else(|| StoreError::corrupt(format!("unexpected index definition: {ddl}")))?;
    Ok(format!("{create} temp.{name} ON {rest}"))
}

/// One issue as it stood at `until`, folded from its own events (`None`: not raised by then).
pub async fn issue(db: &Db, until: DateTime<Utc>, id: &str) -> Result<Option<IssueRow>, StoreError> {
    let mut tx = db.begin_snapshot().await?;
    let cut = events::cut_after(&mut tx, until).await?;
    let mut history = events::read_aggregate_until(&mut tx, "Issue", id, cut).await?;
    events::open(db, &mut history).await?;
    let mut folded = Snapshot::default();
    for event in &history {
        folded.apply(event)?;
    }
    let Some(mut row) = folded.issues.remove(id) else {
        tx.commit().await?;
        return Ok(None);
    };
    // Its category's service level and its area's province as they stood, for the level due then (as
    // `AsOf::build` does for every row).
    for (aggregate_type, key) in [("Category", row.category.clone()), ("Area", row.area_id.clone())] {
        for event in &events::read_aggregate_until(&mut tx, aggregate_type, &key, cut).await? {
            folded.apply(event)?;
        }
    }
    tx.commit().await?;
    let level = folded.categories.get(&row.category).map(|c| c.service_level()).unwrap_or_default();
    let province = folded
        .areas
        .get(&row.area_id)
        .and_then(|a| santisuk_domain::geo::Geography::get().amphoe(&a.amphoe_code))
        .map(|a| a.province_th.clone())
        .unwrap_or_default();
    row.escalate_to_due(&level, until, &province);
    Ok(Some(row))
}

/// The events of one aggregate type before the cut, page by page, ordered by aggregate and sequence.
struct Pages {
    aggregate_type: &'static str,
    cut: Option<Checkpoint>,
    after: (String, i64),
}

impl Pages {
    fn new(aggregate_type: &'static str, cut: Option<Checkpoint>) -> Pages {
        Pages { aggregate_type, cut, after: (String::new(), 0) }
    }

    /// The next page, its sealed texts opened with the vault of `db`.
    async fn next(&mut self, db: &Db, tx: &mut DbTx) -> Result<Option<Vec<StoredEvent>>, StoreError> {
        let mut page =
            events::read_aggregates_until(tx, self.aggregate_type, self.cut, (&self.after.0, self.after.1), PAGE)
                .await?;
        events::open(db, &mut page).await?;
        let Some(last) = page.last() else { return Ok(None) };
        self.after = (last.aggregate_id.clone(), last.sequence);
        Ok(Some(page))
    }
}

/// Applies `apply` to every event of one aggregate type before the cut.
async fn fold_pages(
    db: &Db,
    tx: &mut DbTx,
    aggregate_type: &'static str,
    cut: Option<Checkpoint>,
    mut apply: impl FnMut(&StoredEvent) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut pages = Pages::new(aggregate_type, cut);
    while let Some(page) = pages.next(db, tx).await? {
        page.iter().try_for_each(&mut apply)?;
    }
    Ok(())
}
