//! The staff web app: Thai-first, server-rendered pages at `/` over the same application layer as the API.
//!
//! - [`session`]: sign-in, sign-out, the session cookie, CSRF tokens, throttling, the language switch;
//! - [`layout`]: the page frame and small shared pieces of HTML;
//! - [`home`]: what needs the signed-in writer first (overdue, due this week, not yet assigned);
//! - [`forums`]: recording a forum and every problem raised at it in one save;
//! - [`queue`]: the issue queue with its filters and search;
//! - [`issues`]: the issue page with its timeline and action forms;
//! - [`obstacles`]: coordinators' own obstacles: their list and the coordinator's form to raise one;
//! - [`privacy`]: the complainant's card and the administrators' erasure of personal data;
//! - [`dashboard`]: resolution rates by area and category, backlog, medians, the monthly trend;
//! - [`progress`]: the progress report of the coordinators' meeting, for the projector and for print;
//! - [`audit`]: the global event log for auditors;
//! - [`admin`]: users, target areas and categories, for administrators;
//! - [`agencies`]: agencies, routing rules, the issue page's referral, ball in court (issue #17);
//! - [`assets`]: CSS, the small script and the Sarabun font, embedded in the binary;
//! - [`i18n`]: every string in Thai and English, and Buddhist-Era dates;
//! - [`verdicts`]: duplicates (the issue page's part, marking, suggestions) and the community's verdict.
//!
//! Pages are plain HTML forms: every form works without JavaScript (the script only adds conveniences),
//! every POST carries the session's CSRF token, and every value is escaped by `maud`. Handlers stay thin:
//! they turn form fields into checked values (showing each error beside its field, in the user's language,
//! with what was typed kept) and call the functions the API calls.

pub mod admin;
pub mod agencies;
pub mod assets;
pub mod attachments;
pub mod audit;
pub mod dashboard;
pub mod escalation;
pub mod extract;
pub mod forums;
pub mod home;
pub mod i18n;
pub mod issues;
pub mod layout;
pub mod notifications;
pub mod obstacles;
pub mod organisations;
pub mod privacy;
pub mod progress;
pub mod queue;
pub mod session;
pub mod verdicts;
// Issue #18 §1: offline forum capture.
pub mod offline;
pub mod strings_offline;
// Issue #18 §3, §4.
pub mod report;
pub mod strings_report;
// Issue #18 §2.
pub mod import;
pub mod strings_import;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::error::{ApiError, AppError};
use crate::state::AppState;
pub use extract::{Posted, Web};
pub use i18n::Lang;

/// Every page and form of the web app.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::page))
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", get(session::logout_page).post(session::logout))
        .route("/lang", post(session::switch_lang))
        .route("/forums/new", get(forums::new_page))
        .route("/forums", post(forums::save))
        .route("/forums/sync", get(offline::session).post(offline::sync))
        .route("/forums/{id}", get(forums::show))
        .route("/forums/{id}/participation", post(organisations::record_participation))
        .route("/forums/{id}/organisations", post(organisations::propose))
        .route("/admin/organisations", get(organisations::page).post(organisations::register))
        .route("/admin/organisations/{id}", post(organisations::update))
        .route("/admin/organisations/{id}/approve", post(organisations::approve))
        .route("/issues", get(queue::queue))
        .route("/issues/{id}", get(issues::page))
        .route("/issues/{id}/{action}", post(issues::act))
        .route("/issues/{id}/erase", get(privacy::erase_page).post(privacy::erase))
        .route("/obstacles", get(obstacles::list).post(obstacles::raise))
        .route("/obstacles/new", get(obstacles::new_page))
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/export", get(dashboard::download))
        .route("/reports/progress", get(progress::page))
        .route("/reports/progress/export", get(progress::download))
        .route("/audit", get(audit::page))
        .route("/audit/export", get(audit::export))
        .route("/admin", get(admin::home))
        .route("/admin/users", get(admin::users_page).post(admin::create_user))
        .route("/admin/users/{id}", get(admin::user_page))
        .route("/admin/users/{id}/areas", post(admin::set_areas))
        .route("/admin/users/{id}/categories", post(admin::grant_categories))
        .route("/admin/users/{id}/password", post(admin::set_password))
        .route("/admin/users/{id}/token", post(admin::rotate_token))
        .route("/admin/users/{id}/deactivate", get(admin::deactivate_page).post(admin::deactivate))
        .route("/admin/areas", get(admin::areas_page).post(admin::register_area))
        .route("/admin/areas/reach", post(admin::reach_area))
        .route("/admin/categories", get(admin::categories_page).post(admin::add_category))
        .route("/admin/categories/{code}/restrict", post(admin::restrict_category))
        .route("/admin/agencies", get(agencies::page).post(agencies::register))
        .route("/admin/agencies/{id}", post(agencies::update))
        .route("/admin/routing", get(agencies::routing_page).post(agencies::set_rule))
        .route("/admin/routing/{id}/remove", post(agencies::remove_rule))
        .route("/reports/custody", get(agencies::custody_page))
        .route("/admin/service-levels", get(escalation::page))
        .route("/admin/service-levels/{code}", post(escalation::save))
        .route("/admin/notifications", get(notifications::page))
        .route("/admin/notifications/channels", post(notifications::add))
        .route("/admin/notifications/channels/{id}/remove", post(notifications::remove))
        .route("/admin/notifications/deliveries/{key}/retry", post(notifications::retry))
        // Issue #17 §3, §6.
        .route("/issues/{id}/duplicate", get(verdicts::mark_page).post(verdicts::mark))
        .route("/duplicates/suggest", get(verdicts::suggest_fragment))
        .route("/forums/{id}/verdicts", get(verdicts::verdicts_page).post(verdicts::record))
        // Issue #18 §3, §4.
        .route("/forums/{id}/report", get(report::report_page))
        .route("/forums/{id}/report.pdf", get(report::report_pdf))
        .route("/issues/{id}/receipt", get(report::receipt_page))
        .route("/issues/{id}/receipt.pdf", get(report::receipt_pdf))
        .merge(assets::router())
        // Error pages speak the page's language (see `extract::page_lang`).
        .layer(axum::middleware::from_fn(extract::with_page_lang))
}

/// How a page fails. Without a session a page sends the browser to sign in; every other failure is the
/// API's error shown as a page in the user's language (Thai when it is not known), with the same status.
#[derive(Debug)]
pub enum WebError {
    /// No (live) session on a page: go and sign in, then come back to `next`.
    SignIn {
        next: String,
    },
    /// A form posted without a live session or with a wrong CSRF token: refused, nothing done.
    BadForm {
        lang: Lang,
    },
    Api(ApiError),
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError::Api(e)
    }
}

impl From<santisuk_app::StoreError> for WebError {
    fn from(e: santisuk_app::StoreError) -> Self {
        WebError::Api(e.into())
    }
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> Self {
        WebError::Api(ApiError(e))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn { next } => {
                let target = format!("/login?next={}", layout::url_encode(&next));
                Redirect::to(&target).into_response()
            }
            WebError::BadForm { lang } => {
                let body = layout::bare(lang, i18n::SIGN_IN.get(lang), layout::notice_sign_in_again(lang));
                (StatusCode::FORBIDDEN, body).into_response()
            }
            WebError::Api(e) => {
                if let ApiError(AppError::Internal(detail)) = &e {
                    tracing::error!(error = %detail, "page failed");
                }
                let (status, code, message) = e.parts();
                let body = layout::error_page(extract::page_lang(), status, code, &message);
                (status, body).into_response()
            }
        }
    }
}
