//! Issue #17 §3 and §6 reads over the issue rows: an original's duplicates, and the problems a forum asks
//! the community about. Each query adds its own condition to the one issue filter ([`filter_sql`]), so the
//! caller's areas and the restricted cases they may not read are left out exactly as in every other list.

use chrono::NaiveDate;

use crate::read_model::{ISSUE_COLUMNS_I, IssueFilter, IssueRow, filter_sql};
use crate::stats::bangkok_midnight;
use santisuk_store::db::Reader;
use santisuk_store::error::StoreError;
use santisuk_store::on_reader;

/// Runs `SELECT <issue columns> FROM issues i LEFT JOIN areas a … WHERE <condition> <filter> ORDER BY …`,
/// with the condition's values first.
async fn select(
    reader: Reader<'_>,
    condition: &str,
    values: Vec<String>,
    filter: &IssueFilter,
    order: &str,
) -> Result<Vec<IssueRow>, StoreError> {
    let mut binds = values;
    let filter = filter_sql(filter, &mut binds);
    let sql = format!(
        "SELECT {ISSUE_COLUMNS_I} FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE {condition}{filter} ORDER BY {order}"
    );
    Ok(on_reader!(reader, p => {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    }))
}

/// The problems marked duplicates of `original` that `filter`'s reader may see, in the order they were raised.
pub async fn duplicates_of<'r>(
    reader: impl Into<Reader<'r>>,
    original: &str,
    filter: &IssueFilter,
) -> Result<Vec<IssueRow>, StoreError> {
    select(reader.into(), "i.duplicate_of = $1", vec![original.to_owned()], filter, "i.raised_at, i.id").await
}

/// How many problems are marked duplicates of `original`, whoever may see them: a fact the rules need
/// (a problem with duplicates cannot become one), never shown.
pub async fn count_duplicates_of<'r>(reader: impl Into<Reader<'r>>, original: &str) -> Result<i64, StoreError> {
    Ok(on_reader!(reader.into(), p => sqlx::query_scalar("SELECT COUNT(*) FROM issues WHERE duplicate_of = $1")
        .bind(original).fetch_one(p).await?))
}

/// The day of the last forum of `area` held before `day`, if any.
pub async fn previous_forum_day<'r>(
    reader: impl Into<Reader<'r>>,
    area: &str,
    day: NaiveDate,
) -> Result<Option<NaiveDate>, StoreError> {
    let last: Option<String> = on_reader!(reader.into(), p => sqlx::query_scalar(
        "SELECT MAX(held_on) FROM forums WHERE area_id = $1 AND held_on < $2")
        .bind(area).bind(day.to_string()).fetch_one(p).await?);
    last.map(|d| d.parse().map_err(|e| StoreError::corrupt(format!("forum day {d:?}: {e}")))).transpose()
}

/// The problems a forum of `area` held on `day` asks the community about, closed ones first by their
/// closure: those closed (and not marked duplicates) from the day of the previous forum of the area
/// (`since`; every earlier one when there was none) to the end of the forum's day, those still waiting
/// from an earlier forum that did not ask (`not_asked`), and those given a verdict at this forum
/// (`forum`; a disputed one is open again, and is listed with its verdict). The day of the previous forum
/// is included: a problem closed that day may have been closed after it (asked twice rather than never).
pub async fn for_verdicts<'r>(
    reader: impl Into<Reader<'r>>,
    forum: &str,
    area: &str,
    day: NaiveDate,
    since: Option<NaiveDate>,
    filter: &IssueFilter,
) -> Result<Vec<IssueRow>, StoreError> {
    let end = bangkok_midnight(day.succ_opt().unwrap_or(day));
    let start = since.map(bangkok_midnight).unwrap_or_default();
    let condition = "i.area_id = $1 AND i.duplicate_of IS NULL AND (i.verdict_forum_id = $2 \
         OR (i.status = 'closed' AND i.closed_at < $3 AND (i.closed_at >= $4 OR i.verdict = 'not_asked')))";
    let values = vec![area.to_owned(), forum.to_owned(), end, start];
    select(reader.into(), condition, values, filter, "i.closed_at, i.id").await
}
