//! The agencies and routing rules read tables (issue #17 §1): `agencies` with `agency_districts`, and
//! `routing_rules` (a rule's row is there while the rule is in force). Rows come from the `Agency` and
//! `RoutingRule` events, folded by the functions here for the projection and the as-of [`Snapshot`] alike.
//!
//! [`Snapshot`]: crate::read_model::Snapshot

use santisuk_domain::agency::AgencyEvent;
use santisuk_domain::routing::RoutingRuleEvent;
use serde::Serialize;

use santisuk_store::db::{Db, DbTx, Reader};
use santisuk_store::error::StoreError;
use santisuk_store::events::{StoredEvent, fmt_ts};
use santisuk_store::{on_db, on_reader, on_tx};

/// An agency. Also the API's `AgencyView`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = AgencyView)]
pub struct AgencyRow {
    #[schema(format = Uuid)]
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    /// `tambon`, `amphoe`, `province`, `region` or `national`.
    pub level: String,
    /// The DOPA codes of the districts it covers, sorted; empty for a regional or national agency covering all.
    pub districts: Vec<String>,
    /// How to reach it (e-mail, telephone, LINE id), as the office gives it.
    pub contact: Option<String>,
    pub registered_at: String,
}

impl AgencyRow {
    /// Whether it covers the district `amphoe_code` (one naming no district covers every district).
    pub fn covers(&self, amphoe_code: &str) -> bool {
        self.districts.is_empty() || self.districts.iter().any(|d| d == amphoe_code)
    }

    /// Folds one of its events into the row (`None` before it is registered).
    pub(crate) fn fold(row: Option<AgencyRow>, event: &StoredEvent, e: &AgencyEvent) -> Option<AgencyRow> {
        let (AgencyEvent::AgencyRegistered { name_th, name_en, level, districts, contact }
        | AgencyEvent::AgencyUpdated { name_th, name_en, level, districts, contact }) = e;
        let registered_at = match (&row, e) {
            (_, AgencyEvent::AgencyRegistered { .. }) => fmt_ts(event.recorded_at),
            (Some(r), AgencyEvent::AgencyUpdated { .. }) => r.registered_at.clone(),
            (None, AgencyEvent::AgencyUpdated { .. }) => return None,
        };
        Some(AgencyRow {
            id: event.aggregate_id.clone(),
            name_th: name_th.to_string(),
            name_en: name_en.as_ref().map(ToString::to_string),
            level: level.as_str().to_owned(),
            districts: districts.iter().map(|d| d.as_str().to_owned()).collect(),
            contact: contact.as_ref().map(ToString::to_string),
            registered_at,
        })
    }
}

/// A routing rule in force: problems of `category` in `district` go to `agency_id`. Also the API's
/// `RoutingRuleView`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
#[schema(as = RoutingRuleView)]
pub struct RoutingRuleRow {
    /// The rule's id (derived from its category and district: the same pair always has the same id).
    #[schema(format = Uuid)]
    pub id: String,
    pub category: String,
    /// The district's DOPA code.
    pub district: String,
    #[schema(format = Uuid)]
    pub agency_id: String,
    /// When it was last set.
    pub set_at: String,
}

impl RoutingRuleRow {
    /// Folds one of its events into the row (`None`: not in force).
    pub(crate) fn fold(event: &StoredEvent, e: &RoutingRuleEvent) -> Option<RoutingRuleRow> {
        match e {
            RoutingRuleEvent::RoutingRuleSet { category, district, agency } => Some(RoutingRuleRow {
                id: event.aggregate_id.clone(),
                category: category.to_string(),
                district: district.as_str().to_owned(),
                agency_id: agency.to_string(),
                set_at: fmt_ts(event.recorded_at),
            }),
            RoutingRuleEvent::RoutingRuleRemoved {} => None,
        }
    }
}

/// Writes one agency event: its row and its districts, whole.
pub(crate) async fn project_agency(tx: &mut DbTx, event: &StoredEvent, e: &AgencyEvent) -> Result<(), StoreError> {
    let id = &event.aggregate_id;
    let existing = match e {
        AgencyEvent::AgencyRegistered { .. } => None,
        AgencyEvent::AgencyUpdated { .. } => {
            let r: Option<(String,)> = on_tx!(tx, t => sqlx::query_as("SELECT registered_at FROM agencies WHERE id = $1")
                .bind(id).fetch_optional(&mut **t).await?);
            match r {
                Some((registered_at,)) => Some(AgencyRow {
                    id: id.clone(),
                    name_th: String::new(),
                    name_en: None,
                    level: String::new(),
                    districts: Vec::new(),
                    contact: None,
                    registered_at,
                }),
                None => return Ok(()),
            }
        }
    };
    let Some(row) = AgencyRow::fold(existing, event, e) else { return Ok(()) };
    on_tx!(tx, t => sqlx::query("DELETE FROM agency_districts WHERE agency_id = $1").bind(id)
        .execute(&mut **t).await.map(|_| ())?);
    on_tx!(tx, t => sqlx::query("DELETE FROM agencies WHERE id = $1").bind(id).execute(&mut **t).await.map(|_| ())?);
    insert_agency(tx, &row).await
}

async fn insert_agency(tx: &mut DbTx, row: &AgencyRow) -> Result<(), StoreError> {
    on_tx!(tx, t => sqlx::query(
        "INSERT INTO agencies (id, name_th, name_en, level, contact, registered_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&row.id).bind(&row.name_th).bind(&row.name_en).bind(&row.level).bind(&row.contact)
        .bind(&row.registered_at).execute(&mut **t).await.map(|_| ())?);
    for d in &row.districts {
        on_tx!(tx, t => sqlx::query("INSERT INTO agency_districts (agency_id, amphoe_code) VALUES ($1, $2)")
            .bind(&row.id).bind(d).execute(&mut **t).await.map(|_| ())?);
    }
    Ok(())
}

/// Writes one routing rule event: the rule's row replaced, or removed.
pub(crate) async fn project_rule(tx: &mut DbTx, event: &StoredEvent, e: &RoutingRuleEvent) -> Result<(), StoreError> {
    on_tx!(tx, t => sqlx::query("DELETE FROM routing_rules WHERE id = $1").bind(&event.aggregate_id)
        .execute(&mut **t).await.map(|_| ())?);
    if let Some(r) = RoutingRuleRow::fold(event, e) {
        on_tx!(tx, t => sqlx::query(
            "INSERT INTO routing_rules (id, category, district, agency_id, set_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&r.id).bind(&r.category).bind(&r.district).bind(&r.agency_id).bind(&r.set_at)
            .execute(&mut **t).await.map(|_| ())?);
    }
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
struct AgencyRecord {
    id: String,
    name_th: String,
    name_en: Option<String>,
    level: String,
    contact: Option<String>,
    registered_at: String,
}

/// Every agency, by Thai name, each with its districts.
pub async fn list_agencies<'r>(reader: impl Into<Reader<'r>>) -> Result<Vec<AgencyRow>, StoreError> {
    let mut reader = reader.into();
    let records: Vec<AgencyRecord> = on_reader!(reader.reborrow(), p => sqlx::query_as(
        "SELECT id, name_th, name_en, level, contact, registered_at FROM agencies ORDER BY name_th, id")
        .fetch_all(p).await?);
    let pairs: Vec<(String, String)> = on_reader!(reader, p => sqlx::query_as(
        "SELECT agency_id, amphoe_code FROM agency_districts ORDER BY agency_id, amphoe_code")
        .fetch_all(p).await?);
    Ok(with_districts(records, pairs))
}

/// One agency.
pub async fn get_agency(db: &Db, id: &str) -> Result<Option<AgencyRow>, StoreError> {
    let records: Vec<AgencyRecord> = on_db!(db, p => sqlx::query_as(
        "SELECT id, name_th, name_en, level, contact, registered_at FROM agencies WHERE id = $1")
        .bind(id).fetch_all(p).await?);
    let pairs: Vec<(String, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT agency_id, amphoe_code FROM agency_districts WHERE agency_id = $1 ORDER BY amphoe_code")
        .bind(id).fetch_all(p).await?);
    Ok(with_districts(records, pairs).pop())
}

fn with_districts(records: Vec<AgencyRecord>, pairs: Vec<(String, String)>) -> Vec<AgencyRow> {
    let mut districts: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for (agency, d) in pairs {
        districts.entry(agency).or_default().push(d);
    }
    records
        .into_iter()
        .map(|r| AgencyRow {
            districts: districts.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name_th: r.name_th,
            name_en: r.name_en,
            level: r.level,
            contact: r.contact,
            registered_at: r.registered_at,
        })
        .collect()
}

/// The rules in force, by category and district.
pub async fn list_routing_rules<'r>(reader: impl Into<Reader<'r>>) -> Result<Vec<RoutingRuleRow>, StoreError> {
    Ok(on_reader!(reader.into(), p => sqlx::query_as(
        "SELECT id, category, district, agency_id, set_at FROM routing_rules ORDER BY category, district")
        .fetch_all(p).await?))
}

/// One rule in force.
pub async fn get_routing_rule(db: &Db, id: &str) -> Result<Option<RoutingRuleRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, category, district, agency_id, set_at FROM routing_rules WHERE id = $1")
        .bind(id).fetch_optional(p).await?))
}

/// The rule in force for this category in this district, if any.
pub async fn rule_for(db: &Db, category: &str, district: &str) -> Result<Option<RoutingRuleRow>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT id, category, district, agency_id, set_at FROM routing_rules WHERE category = $1 AND district = $2")
        .bind(category).bind(district).fetch_optional(p).await?))
}
