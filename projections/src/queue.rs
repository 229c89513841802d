//! The web app's issue queue: the issue list with a choice of order, numbered pages and the total count.
//!
//! The API's list pages by cursor, newest first (stable under concurrent inserts, right for scripts). People
//! want to sort by due date and jump to page 3 of 12 and see "124 issues", so the queue pages by offset:
//! a few thousand issues per area set, where an offset costs nothing worth a cursor's complexity.

use crate::read_model::{ISSUE_COLUMNS_I, IssueFilter, IssueRow, filter_sql, rank_sql};
use santisuk_store::db::Db;
use santisuk_store::error::StoreError;
use santisuk_store::on_db;

/// The orders the queue offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QueueSort {
    /// Escalated open problems first, highest level first (issue #17 §2: an overdue problem is escalated
    /// at its deadline), then newest raised first (the default; the API's own order when nothing is
    /// escalated).
    #[default]
    Urgent,
    /// Newest raised first (the API's order).
    Newest,
    Oldest,
    /// Earliest due date first; issues without one last.
    Due,
    /// Most recently changed first.
    Changed,
}

impl QueueSort {
    pub const ALL: [QueueSort; 5] =
        [QueueSort::Urgent, QueueSort::Newest, QueueSort::Oldest, QueueSort::Due, QueueSort::Changed];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueSort::Urgent => "urgent",
            QueueSort::Newest => "newest",
            QueueSort::Oldest => "oldest",
            QueueSort::Due => "due",
            QueueSort::Changed => "changed",
        }
    }

    pub fn parse(text: &str) -> Option<QueueSort> {
        QueueSort::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Every order ends on `id` so that pages never overlap or skip a row between equal keys.
    fn order_by(self) -> &'static str {
        match self {
            // Closed problems keep their level but need nobody now: they sort as level 0.
            QueueSort::Urgent => {
                "(CASE WHEN i.status = 'closed' THEN 0 ELSE i.escalation_level END) DESC, i.raised_at DESC, i.id DESC"
            }
            QueueSort::Newest => "i.raised_at DESC, i.id DESC",
            QueueSort::Oldest => "i.raised_at ASC, i.id ASC",
            // `due_on IS NULL` sorts false (0) before true (1) on both backends: dated issues first.
            QueueSort::Due => "(i.due_on IS NULL), i.due_on ASC, i.raised_at ASC, i.id ASC",
            QueueSort::Changed => "i.last_position DESC, i.id DESC",
        }
    }
}

/// One page of the queue and how many issues match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePage {
    pub rows: Vec<IssueRow>,
    pub total: i64,
}

/// Rows `offset .. offset + limit` of the issues matching `filter`, in `sort` order, and the total.
pub async fn page(
    db: &Db,
    filter: &IssueFilter,
    sort: QueueSort,
    offset: i64,
    limit: i64,
) -> Result<QueuePage, StoreError> {
    let mut binds = Vec::new();
    let clauses = filter_sql(filter, &mut binds);
    let from = format!("FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE 1 = 1{clauses}");
    let count_sql = format!("SELECT COUNT(*) {from}");
    // A search puts the best matches first, in `sort` order among equals (its values bind after the
    // filter's, so the count query binds the filter's only).
    let mut row_binds = binds.clone();
    let rank = rank_sql(filter, &mut row_binds).map(|r| format!("{r} DESC, ")).unwrap_or_default();
    let rows_sql = format!(
        "SELECT {ISSUE_COLUMNS_I} {from} ORDER BY {rank}{} LIMIT {} OFFSET {}",
        sort.order_by(),
        limit.max(0),
        offset.max(0)
    );
    let total: i64 = on_db!(db, p => {
        let mut q = sqlx::query_scalar(&count_sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_one(p).await?
    });
    let rows: Vec<IssueRow> = on_db!(db, p => {
        let mut q = sqlx::query_as(&rows_sql);
        for b in &row_binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    Ok(QueuePage { rows, total })
}

/// The `limit` assignees with the most issues among those `areas` allows (suggestions for the queue's
/// assignee filter), most used first.
pub async fn assignees(
    db: &Db,
    areas: Option<&[String]>,
    hidden: Option<&crate::read_model::Restriction>,
    limit: i64,
) -> Result<Vec<String>, StoreError> {
    let filter =
        IssueFilter { areas: areas.map(<[String]>::to_vec), hidden: hidden.cloned(), ..IssueFilter::default() };
    let mut binds = Vec::new();
    let clauses = filter_sql(&filter, &mut binds);
    let sql = format!(
        "SELECT i.assignee FROM issues i LEFT JOIN areas a ON a.id = i.area_id \
         WHERE i.assignee IS NOT NULL{clauses} GROUP BY i.assignee ORDER BY COUNT(*) DESC, i.assignee LIMIT {}",
        limit.max(0)
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_scalar(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    }))
}

/// The issues raised at a forum, by title, but those restricted now that `hidden`'s reader may not read.
pub async fn issues_of_forum(
    db: &Db,
    forum_id: &str,
    hidden: Option<&crate::read_model::Restriction>,
) -> Result<Vec<IssueRow>, StoreError> {
    let filter = IssueFilter { hidden: hidden.cloned(), ..IssueFilter::default() };
    let mut binds = vec![forum_id.to_owned()];
    let clauses = filter_sql(&filter, &mut binds);
    let sql = format!(
        "SELECT {ISSUE_COLUMNS_I} FROM issues i LEFT JOIN areas a ON a.id = i.area_id \
         WHERE i.forum_id = $1{clauses} ORDER BY i.title, i.id"
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    }))
}

/// The Bangkok date of the earliest raise among the issues `areas` allows (the first fiscal year a
/// period picker offers), from the list's index instead of a scan.
pub async fn first_raised_on(
    db: &Db,
    areas: Option<&[String]>,
    hidden: Option<&crate::read_model::Restriction>,
) -> Result<Option<String>, StoreError> {
    let filter =
        IssueFilter { areas: areas.map(<[String]>::to_vec), hidden: hidden.cloned(), ..IssueFilter::default() };
    let mut binds = Vec::new();
    let clauses = filter_sql(&filter, &mut binds);
    let sql = format!(
        "SELECT i.raised_on FROM issues i LEFT JOIN areas a ON a.id = i.area_id WHERE 1 = 1{clauses} \
         ORDER BY i.raised_at, i.id LIMIT 1"
    );
    Ok(on_db!(db, p => {
        let mut q = sqlx::query_scalar(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_optional(p).await?
    }))
}
