//! Case numbers (`PTN-2569-00123`): gapless per province and Buddhist-Era year, allocated by the store.
//!
//! A raise carries a placeholder of its series ([`santisuk_domain::values::CaseNumber::to_allocate`]); the
//! store allocates the number in the transaction that appends the raise, under a lock per series, as one
//! past the highest stored in the issue rows' unique index (`santisuk_store::append::Numbered`), and writes
//! it into the `IssueRaised` event and the row. Instances sharing one database wait a moment for
//! each other instead of taking the same number, and a raise that fails rolls its number back with it, so
//! the series is always 1..=n. The unique index stays as a safety net. What is left in the application is
//! which series an area's problems are numbered in: [`CaseNumbers`].

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use santisuk_domain::geo::province_prefix;
use santisuk_store::{Db, StoreError};

/// The province prefix of each area (areas never move: `AreaRegistered` is their only event). Owned by the
/// application state.
#[derive(Debug, Default)]
pub struct CaseNumbers {
    prefixes: Mutex<HashMap<String, &'static str>>,
}

impl CaseNumbers {
    /// The letters of the case numbers of `area`'s problems.
    pub async fn prefix(&self, db: &Db, area: &str) -> Result<&'static str, StoreError> {
        if let Some(p) = self.prefixes.lock().unwrap_or_else(PoisonError::into_inner).get(area) {
            return Ok(p);
        }
        // The log, not the read model: an area registered a moment ago may not be projected yet.
        let history = santisuk_store::events::aggregate_history(db, "Area", area).await?;
        let province = history
            .first()
            .and_then(|e| e.payload["AreaRegistered"]["province_code"].as_str().map(str::to_owned))
            .ok_or_else(|| StoreError::corrupt(format!("area {area} has no AreaRegistered event")))?;
        let prefix = province_prefix(&province);
        self.prefixes.lock().unwrap_or_else(PoisonError::into_inner).insert(area.to_owned(), prefix);
        Ok(prefix)
    }
}
