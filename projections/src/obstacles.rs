//! Coordinators' obstacles per coordinator, for the progress report (issue #16): one SQL definition over
//! `issues`, run on the live tables or on the tables as of an instant ([`crate::as_of::AsOf::reader`]).

use chrono::NaiveDate;
use serde::Serialize;

use crate::stats::bangkok_midnight;
use santisuk_store::db::Reader;
use santisuk_store::error::StoreError;
use santisuk_store::on_reader;

/// One coordinator's obstacles in a period (Asia/Bangkok days, inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoordinatorObstacles {
    /// The user id of the coordinator who raised them (`issues.raised_by_user`).
    pub user_id: String,
    /// Raised in the period (`raised_on` within it).
    pub raised: i64,
    /// Closed as resolved in the period (`closed_at` within it), whenever raised.
    pub resolved: i64,
    /// Raised by the period's end and not closed (as the tables read stand).
    pub open: i64,
}

/// Obstacles per coordinator for the days `from`..=`to`, by user id; coordinators with none are absent.
pub async fn per_coordinator<'r>(
    reader: impl Into<Reader<'r>>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CoordinatorObstacles>, StoreError> {
    let (start, end) = (bangkok_midnight(from), bangkok_midnight(to.succ_opt().unwrap_or(to)));
    let sql = "SELECT i.raised_by_user AS user_id, \
         SUM(CASE WHEN i.raised_on >= $1 AND i.raised_on <= $2 THEN 1 ELSE 0 END) AS raised, \
         SUM(CASE WHEN i.status = 'closed' AND i.outcome = 'resolved' AND i.closed_at >= $3 AND i.closed_at < $4 \
             THEN 1 ELSE 0 END) AS resolved, \
         SUM(CASE WHEN i.status <> 'closed' AND i.raised_on <= $2 THEN 1 ELSE 0 END) AS open \
         FROM issues i WHERE i.kind = 'obstacle' AND i.raised_by_user IS NOT NULL \
         GROUP BY i.raised_by_user ORDER BY i.raised_by_user";
    let rows: Vec<(String, i64, i64, i64)> = on_reader!(reader.into(), p => sqlx::query_as(sql)
        .bind(from.to_string()).bind(to.to_string()).bind(&start).bind(&end).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(user_id, raised, resolved, open)| CoordinatorObstacles { user_id, raised, resolved, open })
        .filter(|r| r.raised + r.resolved + r.open > 0)
        .collect())
}
