//! The global event log for auditors (and administrators): every stored event of every aggregate, in the
//! projection order, read-only, 50 to a page; each issue's history is its page's timeline.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::i18n;
use super::layout::{self, Nav};
use super::{Web, WebError};
use crate::error::ApiError;
use crate::routes::audit::{AUDITORS, events_page};
use crate::state::AppState;

const PAGE: i64 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    after: String,
}

/// A page of the log after position `after` (the last one seen).
pub async fn page(
    State(state): State<AppState>,
    web: Web,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    web.ctx.require(AUDITORS, "read the audit log")?;
    let Query(q) = query.map_err(|_| ApiError::bad_request("bad_query", "the query could not be read"))?;
    let lang = web.lang;
    let after = Some(q.after.trim()).filter(|a| !a.is_empty());
    let (rows, next) = events_page(&state, &web.ctx, after, PAGE, Some("web")).await?;
    let content = html! {
        h1 { (i18n::EVENT_LOG.get(lang)) }
        table.stack #events {
            thead { tr {
                th.num { (i18n::POSITION.get(lang)) } th { (i18n::EVENT.get(lang)) } th { (i18n::AGGREGATE.get(lang)) }
                th { (i18n::BY.get(lang)) } th { (i18n::RECORDED.get(lang)) } th { (i18n::DATA.get(lang)) }
            } }
            tbody {
                @for e in &rows {
                    tr {
                        td.num data-label=(i18n::POSITION.get(lang)) { (e.position) }
                        td data-label=(i18n::EVENT.get(lang)) { (e.event_type) }
                        td data-label=(i18n::AGGREGATE.get(lang)) {
                            @if e.aggregate_type == "Issue" {
                                a href={ "/issues/" (e.aggregate_id) } { (e.aggregate_type) " #" (e.sequence) }
                            } @else { (e.aggregate_type) " " (e.aggregate_id) " #" (e.sequence) }
                        }
                        td data-label=(i18n::BY.get(lang)) dir="auto" { (e.meta("actor").unwrap_or_default()) }
                        td data-label=(i18n::RECORDED.get(lang)) { (i18n::stored_time(lang, &e.recorded_at)) }
                        td data-label=(i18n::DATA.get(lang)) { pre.data dir="auto" { (e.data().to_string()) } }
                    }
                }
            }
        }
        @if let Some(last) = next {
            nav.pager { a href={ "/audit?after=" (last) } rel="next" { (i18n::NEXT.get(lang)) " ›" } }
        }
    };
    Ok(layout::page(&web, Nav::Audit, i18n::NAV_AUDIT.get(lang), content).into_response())
}
