//! `santisuk demo`: fills an empty database with a plausible, clearly marked year of demo areas, users,
//! forums and issues, so a newcomer sees a living dashboard on the first start.
//!
//! Everything goes through the same commands and rules as real data (nothing is written behind the
//! aggregates' back), so the demo is also a test that the domain accepts a year of realistic histories.
//! The whole year is planned first from one seeded RNG and only then executed: the same seed on the same
//! day gives the same data, whatever order the concurrent area tasks happen to commit in.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use cqrs_es::Aggregate;
use futures::StreamExt;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use santisuk_domain::agency::{Agency, AgencyCommand, AgencyDetails, AgencyId, AgencyLevel, Party};
use santisuk_domain::area::{Area, RegisterArea};
use santisuk_domain::forum::{Forum, HoldForum};
use santisuk_domain::geo::{Amphoe, Geography, Tambon};
use santisuk_domain::issue::{
    AddressIssue, AssignIssue, CloseIssue, Issue, IssueAction, IssueCommand, RaiseIssue, ReopenIssue, WaitFor,
};
use santisuk_domain::routing::{RoutingRule, RoutingRuleCommand, RoutingRuleId};
use santisuk_domain::time::{bangkok, bangkok_date};
use santisuk_domain::user::{Role, UserName};
use santisuk_domain::values::{
    AmphoeCode, AreaId, Assignee, CategoryCode, ForumId, IssueStatus, Name, Outcome, TambonCode, Text, Title,
};
use santisuk_projections::users::Token;
use santisuk_store::events;
use uuid::Uuid;

use crate::command::execute;
use crate::error::AppError;
use crate::users::{create_user, user_id};
use crate::{AppState, now};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Seeds the RNG; the default is fixed so that the demo is reproducible.
    pub seed: u64,
    /// About how many issues to raise in total (every area gets at least one).
    pub issues: usize,
}

impl DemoOptions {
    pub const DEFAULT_SEED: u64 = 2570;
    /// A few thousand problems a year is today's real scale (see the design).
    pub const DEFAULT_ISSUES: usize = 2400;
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { seed: Self::DEFAULT_SEED, issues: Self::DEFAULT_ISSUES }
    }
}

/// A demo user. The token is the user's first API token, shown once: after a demo fill `santisuk serve`
/// no longer creates `admin` (the database has users), so these are the way in.
#[derive(Debug)]
pub struct DemoUser {
    pub name: String,
    pub role: Role,
    pub areas: Vec<String>,
    pub token: Token,
}

/// What the fill wrote, for the CLI to print and the tests to check.
#[derive(Debug, Default)]
pub struct DemoReport {
    pub areas: usize,
    pub forums: usize,
    pub issues: usize,
    /// Events appended by the fill (every demo command appends exactly one).
    pub events: usize,
    pub users: Vec<DemoUser>,
    /// Issues by their status at the end (`raised`, `assigned`, `addressed`, `closed`).
    pub by_status: BTreeMap<&'static str, usize>,
    /// Closed issues by outcome.
    pub by_outcome: BTreeMap<&'static str, usize>,
    /// Open issues whose due date has passed (Bangkok today).
    pub overdue: usize,
    /// Issues reopened at least once.
    pub reopened: usize,
    /// Areas with fewer than 10 issues (their rates are flagged as small samples), with their counts.
    pub small_areas: Vec<(String, usize)>,
    /// Whether the read model had caught up with every demo event when the fill returned.
    pub projected: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database already has areas or issues: demo rows must never mix with real ones.
    #[error(
        "the database is not empty ({areas} area and {issues} issue events): `santisuk demo` fills only a \
         database without areas and issues, so demo data never mixes with real data; nothing was written"
    )]
    NotEmpty { areas: i64, issues: i64 },
    /// A command was refused or could not be stored; a defect of the generator or an outage.
    #[error("demo {what}: {error}")]
    Failed { what: String, error: AppError },
}

fn failed(what: impl Into<String>) -> impl FnOnce(AppError) -> DemoError {
    move |error| DemoError::Failed { what: what.into(), error }
}

/// How many area plans run at once. SQLite takes one writer at a time anyway; a few tasks keep it busy
/// while others load and decide, and PostgreSQL gains more.
const CONCURRENT_AREAS: usize = 4;

/// The demo actor for what no single person did (registering areas, creating users).
const DEMO_ACTOR: &str = "demo";

/// Fills an empty database. `state` must come from [`AppState::prepare`] with its runner spawned (the
/// users' areas are checked against the read model).
pub async fn fill(state: &AppState, options: DemoOptions) -> Result<DemoReport, DemoError> {
    let db = &state.db;
    let areas = events::count_of_type(db, Area::TYPE).await.map_err(|e| failed("check")(e.into()))?;
    let issues = events::count_of_type(db, Issue::TYPE).await.map_err(|e| failed("check")(e.into()))?;
    if areas > 0 || issues > 0 {
        return Err(DemoError::NotEmpty { areas, issues });
    }
    let plan_now = now();
    let plan = Plan::new(options, plan_now);
    let mut report = DemoReport { areas: plan.areas.len(), ..DemoReport::default() };

    let demo_meta = HashMap::from([("actor".to_owned(), DEMO_ACTOR.to_owned())]);
    // The agencies and routing rules (issue #17) before the issues that are referred to them.
    report.events += seed_agencies(state, &demo_meta).await?;
    for area in &plan.areas {
        let command = RegisterArea {
            id: area.id.clone(),
            name_th: area.name_th.clone(),
            name_en: Some(area.name_en.clone()),
            amphoe: area.amphoe.clone(),
            tambon: Some(area.tambon.clone()),
        };
        // Through the application layer: the users created next need their areas in the read model.
        state
            .command::<Area>(area.id.to_string(), command.into(), demo_meta.clone(), None)
            .await
            .map_err(failed(format!("area {}", area.id)))?;
        report.events += 1;
    }

    let mut metadata = Vec::new();
    for user in &plan.users {
        let (_, token) = create_user(state, &user.name, user.role, &user.areas, demo_meta.clone())
            .await
            .map_err(failed(format!("user {}", user.name)))?;
        report.events += 2;
        let id = user_id(&UserName::parse(&user.name).map_err(|e| failed("user")(e.into()))?);
        metadata.push(HashMap::from([
            ("actor".to_owned(), user.name.clone()),
            ("actor_id".to_owned(), id),
            ("actor_role".to_owned(), user.role.as_str().to_owned()),
        ]));
        report.users.push(DemoUser { name: user.name.clone(), role: user.role, areas: user.areas.clone(), token });
    }

    let total = plan.areas.len();
    let metadata = &metadata;
    let mut done = 0;
    let mut results = futures::stream::iter(plan.areas.iter().map(|area| run_area(state, area, metadata)))
        .buffer_unordered(CONCURRENT_AREAS);
    while let Some(result) = results.next().await {
        let outcome = result?;
        report.forums += outcome.forums;
        report.events += outcome.events;
        report.issues += outcome.issues.len();
        for issue in &outcome.issues {
            *report.by_status.entry(issue.status.as_str()).or_default() += 1;
            if let Some(o) = issue.outcome {
                *report.by_outcome.entry(o.as_str()).or_default() += 1;
            }
            report.overdue += usize::from(issue.overdue);
            report.reopened += usize::from(issue.reopened);
        }
        if outcome.issues.len() < 10 {
            report.small_areas.push((outcome.area.clone(), outcome.issues.len()));
        }
        done += 1;
        if done % 10 == 0 || done == total {
            tracing::info!(areas = done, of = total, issues = report.issues, "demo data written");
        }
    }
    report.small_areas.sort();

    // The area tasks append without waiting for the projection (that would double the run time); wait
    // once at the end so the dashboard is complete when the command returns.
    state.runner.wake();
    state.ledger.wake();
    let head = events::head(db).await.map_err(|e| failed("wait")(e.into()))?;
    report.projected =
        state.runner.wait_for(head, Duration::from_secs(120)).await.map_err(|e| failed("wait")(e.into()))?;
    Ok(report)
}

/// The final state of one executed issue.
#[derive(Debug)]
struct IssueEnd {
    status: IssueStatus,
    outcome: Option<Outcome>,
    overdue: bool,
    reopened: bool,
}

#[derive(Debug)]
struct AreaOutcome {
    area: String,
    forums: usize,
    events: usize,
    issues: Vec<IssueEnd>,
}

/// Runs one area's forums and issues in order (each issue's commands in the order they happened).
async fn run_area(
    state: &AppState,
    area: &AreaPlan,
    metadata: &[HashMap<String, String>],
) -> Result<AreaOutcome, DemoError> {
    let db = &state.db;
    let mut out = AreaOutcome { area: area.id.to_string(), forums: 0, events: 0, issues: Vec::new() };
    for forum in &area.forums {
        let mut command = forum.command.clone();
        command.now = now();
        let id = forum.id.to_string();
        execute::<Forum>(db, &id, command.into(), metadata[forum.actor].clone(), None)
            .await
            .map_err(|e| failed(format!("forum {id} in {}", area.id))(e.into()))?;
        out.forums += 1;
        out.events += 1;
        for issue in &forum.issues {
            let id = issue.id.to_string();
            let mut last = None;
            for (actor, action) in &issue.steps {
                let command = IssueCommand { now: now(), action: action.clone() };
                let done = execute::<Issue>(db, &id, command, metadata[*actor].clone(), None)
                    .await
                    .map_err(|e| failed(format!("{} of issue {id} in {}", action.name(), area.id))(e.into()))?;
                out.events += 1;
                last = Some(done.aggregate);
            }
            let last = last.expect("every planned issue is raised");
            out.issues.push(IssueEnd {
                status: last.status().expect("a raised issue has a status"),
                outcome: last.outcome(),
                overdue: issue.overdue,
                reopened: issue.reopened,
            });
        }
        // Keep the dashboard filling while the demo runs, without a wait per command.
        state.runner.wake();
    }
    Ok(out)
}

// --- the plan ---------------------------------------------------------------------------------------------

/// Who did something: an index into the demo users' metadata.
type Actor = usize;

#[derive(Debug)]
struct UserPlan {
    name: String,
    role: Role,
    areas: Vec<String>,
}

#[derive(Debug)]
struct AreaPlan {
    id: AreaId,
    name_th: Name,
    name_en: Name,
    amphoe: AmphoeCode,
    tambon: TambonCode,
    forums: Vec<ForumPlan>,
}

#[derive(Debug)]
struct ForumPlan {
    id: ForumId,
    actor: Actor,
    command: HoldForum,
    issues: Vec<IssuePlan>,
}

#[derive(Debug)]
struct IssuePlan {
    id: Uuid,
    steps: Vec<(Actor, IssueAction)>,
    overdue: bool,
    reopened: bool,
}

#[derive(Debug)]
struct Plan {
    users: Vec<UserPlan>,
    areas: Vec<AreaPlan>,
}

/// Target areas per province, as in the real project, with the districts they are spread over.
const PROVINCES: [(&str, usize); 4] = [("94", 12), ("95", 16), ("96", 7), ("90", 5)];

/// Coordinators' areas, in area order: 3–5 each, never across a province boundary
/// (Pattani 3+4+5, Yala 4+4+3+5, Narathiwat 3+4, Songkhla 5).
const COORDINATOR_AREAS: [usize; 10] = [3, 4, 5, 4, 4, 3, 5, 3, 4, 5];

/// Fictional facilitators (one per coordinator), named as people in the region commonly are.
const FACILITATORS: [&str; 10] = [
    "นายอับดุลเลาะ มะแซ",
    "นางสาวนูรีซัน ดือราแม",
    "นายสุริยา แก้วมณี",
    "นายมะรอนิง สาแม",
    "นางซีตีฮาลีเมาะ เจ๊ะหลง",
    "นายอาหมัด ยูโซะ",
    "นางสาวกัลยา ทองคำ",
    "นายรุสลัน หะยีเต๊ะ",
    "นางฟาตีมะห์ อาแว",
    "นายสมชาย ศรีสุข",
];

/// How well areas follow issues up: a spread of good and poor areas, so the dashboard shows differences.
const AREA_QUALITY: [(f64, usize); 5] = [(0.92, 7), (0.75, 12), (0.55, 11), (0.35, 6), (0.15, 4)];

/// Areas that raise only a handful of issues, so the small-sample flag shows.
const SMALL_AREAS: usize = 3;

impl Plan {
    fn new(options: DemoOptions, plan_now: DateTime<Utc>) -> Plan {
        let mut rng = StdRng::seed_from_u64(options.seed);
        let geo = Geography::get();
        let staff = 0;
        let mut users = vec![
            UserPlan { name: "demo-staff".into(), role: Role::Staff, areas: vec![] },
            UserPlan { name: "demo-auditor".into(), role: Role::Auditor, areas: vec![] },
        ];

        // 40 areas in real districts: spread over a province's districts as evenly as they go, each in a
        // different subdistrict.
        let mut places: Vec<(&Amphoe, &Tambon)> = Vec::new();
        for (province, count) in PROVINCES {
            let mut amphoes: Vec<&Amphoe> = geo.amphoes().filter(|a| a.province_code == province).collect();
            amphoes.shuffle(&mut rng);
            let mut tambons: HashMap<&str, Vec<&Tambon>> = HashMap::new();
            for a in &amphoes {
                let mut ts: Vec<&Tambon> = geo.tambons().filter(|t| t.amphoe_code == a.code).collect();
                ts.shuffle(&mut rng);
                tambons.insert(a.code.as_str(), ts);
            }
            let mut chosen = Vec::new();
            for i in 0..count {
                let amphoe = amphoes[i % amphoes.len()];
                let tambon = tambons.get_mut(amphoe.code.as_str()).and_then(Vec::pop).expect("enough subdistricts");
                chosen.push((amphoe, tambon));
            }
            chosen.sort_by(|a, b| (&a.0.code, &a.1.code).cmp(&(&b.0.code, &b.1.code)));
            places.extend(chosen);
        }

        let mut coordinator_of = Vec::new();
        for (i, n) in COORDINATOR_AREAS.into_iter().enumerate() {
            coordinator_of.extend(std::iter::repeat_n(users.len(), n));
            let first = coordinator_of.len() - n;
            users.push(UserPlan {
                name: format!("demo-coord-{:02}", i + 1),
                role: Role::Coordinator,
                areas: (first..first + n).map(area_code).collect(),
            });
        }

        let mut quality: Vec<f64> = AREA_QUALITY.iter().flat_map(|&(q, n)| std::iter::repeat_n(q, n)).collect();
        quality.shuffle(&mut rng);
        let counts = issue_counts(&mut rng, options.issues, places.len());

        let today = bangkok_date(plan_now);
        let mut areas = Vec::new();
        for (i, (amphoe, tambon)) in places.into_iter().enumerate() {
            let place = Place { amphoe, tambon };
            let coordinator = coordinator_of[i];
            let facilitator = FACILITATORS[coordinator - 2];
            let mut forums = Vec::new();
            let sizes = forum_sizes(&mut rng, counts[i]);
            let mut days: Vec<i64> = (1..=365).collect();
            days.shuffle(&mut rng);
            let mut days: Vec<i64> = days.into_iter().take(sizes.len()).collect();
            days.sort_unstable_by(|a, b| b.cmp(a));
            for (k, (size, ago)) in sizes.into_iter().zip(days).enumerate() {
                let held_on = today - TimeDelta::days(ago);
                let id = ForumId(random_uuid(&mut rng));
                let command = HoldForum {
                    area: AreaId::parse(&area_code(i)).expect("demo area ids are valid"),
                    held_on,
                    title: Some(title(&format!("[ตัวอย่าง] เวทีรับฟังปัญหา ต.{} ครั้งที่ {}", tambon.name_th, k + 1))),
                    facilitator: Some(name(facilitator)),
                    participants: Some(rng.random_range(15..=90)),
                    participation: None,
                    now: plan_now,
                };
                let start = at_time(held_on, rng.random_range(9 * 60..=10 * 60 + 30));
                let issues = (0..size)
                    .map(|n| {
                        let raised_at = start + TimeDelta::minutes(12 * n as i64 + rng.random_range(0..10));
                        let ctx = IssueContext {
                            area: &command.area,
                            forum: id,
                            place: &place,
                            quality: quality[i],
                            coordinator,
                            staff,
                            raised_at,
                            horizon: plan_now,
                        };
                        plan_issue(&mut rng, &ctx)
                    })
                    .collect();
                forums.push(ForumPlan { id, actor: coordinator, command, issues });
            }
            areas.push(AreaPlan {
                id: AreaId::parse(&area_code(i)).expect("demo area ids are valid"),
                name_th: name(&format!("[ตัวอย่าง] ต.{} อ.{}", tambon.name_th, amphoe.name_th)),
                name_en: name(&format!("[Demo] {}, {}", tambon.name_en, amphoe.name_en)),
                amphoe: AmphoeCode::parse(&amphoe.code).expect("embedded districts are valid"),
                tambon: TambonCode::parse_in(
                    &tambon.code,
                    &AmphoeCode::parse(&amphoe.code).expect("embedded districts are valid"),
                )
                .expect("embedded subdistricts are valid"),
                forums,
            });
        }
        number_cases(&mut areas);
        Plan { users, areas }
    }
}

/// Gives every planned raise its case number, in the order the raises happened within each province and
/// year (as the server would have, had they been recorded on the day).
fn number_cases(areas: &mut [AreaPlan]) {
    let geography = santisuk_domain::geo::Geography::get();
    let mut raises: Vec<(&'static str, DateTime<Utc>, &mut RaiseIssue)> = Vec::new();
    for area in areas.iter_mut() {
        let province = geography.amphoe(area.amphoe.as_str()).map_or("", |a| a.province_code.as_str());
        let prefix = santisuk_domain::geo::province_prefix(province);
        for forum in &mut area.forums {
            for issue in &mut forum.issues {
                for (_, action) in &mut issue.steps {
                    if let IssueAction::Raise(raise) = action {
                        raises.push((prefix, raise.at, raise));
                    }
                }
            }
        }
    }
    raises.sort_by_key(|(prefix, at, _)| (*prefix, *at));
    let mut last: HashMap<(&str, i32), u32> = HashMap::new();
    for (prefix, at, raise) in raises {
        let year = santisuk_domain::time::be_year(at);
        let n = last.entry((prefix, year)).or_default();
        *n += 1;
        raise.case_number = Some(santisuk_domain::values::CaseNumber::new(prefix, year, *n));
    }
}

fn area_code(index: usize) -> String {
    format!("DEMO-{:02}", index + 1)
}

/// Issues per area: a few small areas with 3–8, the rest sharing the remainder unevenly (busy and quiet
/// areas), at least one each.
fn issue_counts(rng: &mut StdRng, target: usize, areas: usize) -> Vec<usize> {
    let mut small: Vec<usize> = (0..areas).collect();
    small.shuffle(rng);
    small.truncate(SMALL_AREAS);
    let mut counts = vec![0; areas];
    for &i in &small {
        counts[i] = rng.random_range(3..=8);
    }
    let rest = target.saturating_sub(counts.iter().sum());
    let weights: Vec<f64> =
        (0..areas).map(|i| if small.contains(&i) { 0.0 } else { rng.random_range(0.4..1.8) }).collect();
    let sum: f64 = weights.iter().sum();
    for (count, w) in counts.iter_mut().zip(&weights) {
        if *w > 0.0 {
            *count = ((rest as f64 * w / sum).round() as usize).max(1);
        }
    }
    counts
}

/// Splits an area's issues into forums of 1–6 issues each.
fn forum_sizes(rng: &mut StdRng, mut issues: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while issues > 0 {
        let n = rng.random_range(1..=6).min(issues);
        sizes.push(n);
        issues -= n;
    }
    // A year has 365 days to hold them on; a huge --issues packs more issues into each forum instead.
    while sizes.len() > 365 {
        let extra = sizes.pop().expect("non-empty");
        let i = sizes.len() % 365;
        sizes[i] += extra;
    }
    sizes
}

/// An instant on a Bangkok date, `minutes` after midnight there.
fn at_time(date: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("a time of day");
    date.and_time(time).and_local_timezone(bangkok()).single().expect("a fixed offset is unambiguous").to_utc()
}

/// An office-hours instant 1–`max_days` days (at least `min_days`) after `after`.
fn later(rng: &mut StdRng, after: DateTime<Utc>, min_days: i64, max_days: f64) -> DateTime<Utc> {
    let max = (max_days.round() as i64).max(min_days);
    let date = bangkok_date(after) + TimeDelta::days(rng.random_range(min_days.max(1)..=max));
    at_time(date, rng.random_range(8 * 60 + 30..=16 * 60 + 30))
}

fn random_uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid()
}

fn title(text: &str) -> Title {
    Title::parse(text).expect("demo titles are valid")
}

fn name(text: &str) -> Name {
    Name::parse(text).expect("demo names are valid")
}

fn text(text: &str) -> Text {
    Text::parse(text).expect("demo texts are valid")
}

/// Where an issue was raised, to fill the templates' placeholders.
#[derive(Debug)]
struct Place<'a> {
    amphoe: &'a Amphoe,
    tambon: &'a Tambon,
}

impl Place<'_> {
    fn fill(&self, template: &str, moo: u32) -> String {
        template
            .replace("{tambon}", &self.tambon.name_th)
            .replace("{amphoe}", &self.amphoe.name_th)
            .replace("{province}", &self.amphoe.province_th)
            .replace("{moo}", &format!("หมู่ที่ {moo}"))
    }
}

#[derive(Debug)]
struct IssueContext<'a> {
    area: &'a AreaId,
    forum: ForumId,
    place: &'a Place<'a>,
    /// 0–1: how likely this area follows an issue through to a resolution, and how fast.
    quality: f64,
    coordinator: Actor,
    staff: Actor,
    raised_at: DateTime<Utc>,
    /// Nothing may happen after this (the domain refuses an `at` in the future).
    horizon: DateTime<Utc>,
}

/// One issue's life: raised at the forum, then as far along as it got before today. Every step is later
/// than the one before, never after `horizon`; an assignment's due date is never before its day; an
/// issue is closed `resolved` only after an action: so the domain accepts every step.
fn plan_issue(rng: &mut StdRng, ctx: &IssueContext<'_>) -> IssuePlan {
    let category = CATEGORIES.choose_weighted(rng, |c| c.weight).expect("categories have weights");
    let moo = rng.random_range(1..=9);
    let (t, d) = category.issues.choose(rng).expect("every category has templates");
    let raised_by = rng.random_bool(0.45).then(|| name(&ctx.place.fill(GROUPS.choose(rng).expect("groups"), moo)));
    let raise = RaiseIssue {
        area: ctx.area.clone(),
        category: CategoryCode::parse(category.code).expect("seeded category codes are valid"),
        title: title(&ctx.place.fill(t, moo)),
        description: Some(text(&ctx.place.fill(d, moo))),
        forum: Some(ctx.forum),
        raised_by,
        at: ctx.raised_at,
        // Numbered once the whole plan is made (`number_cases`).
        case_number: None,
        complainant: None,
        restricted: false,
        kind: santisuk_domain::values::IssueKind::Community,
        category_kind: santisuk_domain::values::IssueKind::Community,
        source: None,
    };
    let mut life = Life {
        steps: vec![(ctx.coordinator, IssueAction::Raise(raise))],
        at: ctx.raised_at,
        horizon: ctx.horizon,
        stopped: false,
    };
    let mut plan = IssuePlan { id: random_uuid(rng), steps: Vec::new(), overdue: false, reopened: false };
    // Poor areas are slower at everything.
    let slow = 1.0 + 2.5 * (1.0 - ctx.quality);
    let success = (ctx.quality * category.ease).clamp(0.03, 0.97);
    let agency = |rng: &mut StdRng| -> Assignee {
        let a = category.agencies.choose(rng).expect("every category has agencies");
        Assignee::parse(&ctx.place.fill(a, moo)).expect("demo agencies are valid")
    };
    let who = |rng: &mut StdRng| if rng.random_bool(0.6) { ctx.staff } else { ctx.coordinator };

    let first = rng.random::<f64>();
    let mut due = None;
    if first < 0.06 {
        // Withdrawn or a duplicate, found out before anyone was assigned.
        let outcome = if rng.random_bool(0.5) { Outcome::Duplicate } else { Outcome::Withdrawn };
        let at = later(rng, life.at, 1, 14.0);
        let note = if outcome == Outcome::Duplicate { NOTE_DUPLICATE } else { NOTE_WITHDRAWN };
        life.push(ctx.coordinator, at, |at| close(outcome, note, at));
    } else if first < 0.10 {
        // Never assigned: still waiting for triage.
    } else {
        let at = later(rng, life.at, 1, 10.0 * slow);
        let d = bangkok_date(at) + TimeDelta::days(*[14, 30, 30, 45, 60, 90].choose(rng).expect("terms"));
        let assignee = agency(rng);
        let actor = who(rng);
        // Most problems are referred to a registered agency (by the routing rule where one exists); the
        // others to a person or an office named in free text, as before agencies.
        let referral = rng.random_bool(0.75).then(|| referral_for(category.code, ctx.place.amphoe));
        let referred = referral.is_some();
        if life.push(actor, at, |at| assign(assignee, referral, d, at)) {
            due = Some(d);
            if referred && rng.random_bool(0.25) {
                // The agency needs something from the village first: the ball is with the community a while.
                let at = later(rng, life.at, 1, 10.0 * slow);
                if life.push(ctx.staff, at, |at| wait(Party::Community, at)) {
                    let at = later(rng, life.at, 2, 15.0 * slow);
                    life.push(ctx.staff, at, |at| wait(Party::Agency, at));
                }
            }
        }
        if rng.random_bool(0.07) {
            // Re-assigned: the first agency sent it back.
            let at = later(rng, life.at, 3, 20.0 * slow);
            let d = bangkok_date(at) + TimeDelta::days(*[30, 45, 60].choose(rng).expect("terms"));
            let assignee = agency(rng);
            if life.push(ctx.staff, at, |at| assign(assignee, None, d, at)) {
                due = Some(d);
            }
        }
        let fate = rng.random::<f64>();
        if fate < success {
            let actions = rng.random_range(1..=3);
            for _ in 0..actions {
                let at = later(rng, life.at, 2, 20.0 * slow);
                let action = category.actions.choose(rng).expect("every category has actions");
                life.push(ctx.coordinator, at, |at| address(&ctx.place.fill(action, moo), at));
            }
            let at = later(rng, life.at, 1, 10.0 * slow);
            let actor = who(rng);
            if life.push(actor, at, |at| close(Outcome::Resolved, NOTE_RESOLVED, at)) && rng.random_bool(0.06) {
                let at = later(rng, life.at, 5, 40.0);
                if life.push(ctx.staff, at, reopen) {
                    plan.reopened = true;
                    if rng.random_bool(0.6) {
                        let at = later(rng, life.at, 3, 20.0 * slow);
                        let action = category.actions.choose(rng).expect("every category has actions");
                        life.push(ctx.coordinator, at, |at| address(&ctx.place.fill(action, moo), at));
                        let at = later(rng, life.at, 1, 10.0 * slow);
                        life.push(ctx.coordinator, at, |at| close(Outcome::Resolved, NOTE_RESOLVED, at));
                    }
                }
            }
        } else {
            let rest = rng.random::<f64>();
            if rest < 0.3 {
                if rng.random_bool(0.5) {
                    let at = later(rng, life.at, 2, 20.0 * slow);
                    let action = category.actions.choose(rng).expect("every category has actions");
                    life.push(ctx.coordinator, at, |at| address(&ctx.place.fill(action, moo), at));
                }
                let at = later(rng, life.at, 10, 60.0 * slow);
                let actor = who(rng);
                life.push(actor, at, |at| close(Outcome::Referred, NOTE_REFERRED, at));
            } else if rest < 0.5 {
                let at = later(rng, life.at, 5, 30.0 * slow);
                let action = category.actions.choose(rng).expect("every category has actions");
                life.push(ctx.coordinator, at, |at| address(&ctx.place.fill(action, moo), at));
                let at = later(rng, life.at, 20, 90.0 * slow);
                life.push(ctx.staff, at, |at| close(Outcome::Unresolved, NOTE_UNRESOLVED, at));
            } else if rng.random_bool(0.5) {
                // Stalled after one action: open, and overdue once the due date passes.
                let at = later(rng, life.at, 5, 30.0 * slow);
                let action = category.actions.choose(rng).expect("every category has actions");
                life.push(ctx.coordinator, at, |at| address(&ctx.place.fill(action, moo), at));
            }
            // Otherwise stalled right after the assignment.
        }
    }
    let closed = life.steps.iter().rev().find_map(|(_, a)| match a {
        IssueAction::Close(_) => Some(true),
        IssueAction::Reopen(_) => Some(false),
        _ => None,
    });
    plan.overdue = closed != Some(true) && due.is_some_and(|d| d < bangkok_date(ctx.horizon));
    plan.steps = life.steps;
    plan
}

/// An issue's steps so far; once one would fall after the horizon, the life stops there.
#[derive(Debug)]
struct Life {
    steps: Vec<(Actor, IssueAction)>,
    at: DateTime<Utc>,
    horizon: DateTime<Utc>,
    stopped: bool,
}

impl Life {
    /// Adds a step at `at` if the issue is still living and `at` is not in the future; says whether it did.
    fn push(&mut self, actor: Actor, at: DateTime<Utc>, step: impl FnOnce(DateTime<Utc>) -> IssueAction) -> bool {
        if self.stopped || at > self.horizon || at <= self.at {
            // Everything after a step that has not happened yet has not happened either.
            self.stopped = true;
            return false;
        }
        self.at = at;
        self.steps.push((actor, step(at)));
        true
    }
}

fn assign(assignee: Assignee, referral: Option<Referral>, due_on: NaiveDate, at: DateTime<Utc>) -> IssueAction {
    let (agency, agency_name, rule) = match referral {
        Some(r) => (Some(r.agency), Some(r.name), r.rule),
        None => (None, None, None),
    };
    // Referred to an agency: its name is the one shown (no person named).
    let assignee = if agency.is_some() { None } else { Some(assignee) };
    IssueAction::Assign(AssignIssue { assignee, agency, agency_name, rule, due_on: Some(due_on), note: None, at })
}

fn wait(party: Party, at: DateTime<Utc>) -> IssueAction {
    IssueAction::Wait(WaitFor { waiting_for: party, note: None, at })
}

// --- agencies and routing rules (issue #17) ------------------------------------------------------------------

/// Derives the demo agencies' ids from their Thai names, so the plan can refer to them before they exist.
const AGENCY_NAMESPACE: Uuid = Uuid::from_u128(0x9d0c_41aa_7e3b_4c55_8a21_63f0_b7d2_1e94);

/// The categories the demo routes to the province's highway office (infrastructure), to its provincial
/// administrative organisation (disasters and relief) and to the district office (public services); the
/// others are referred to the district office without a rule.
const ROUTED: [(&str, DemoAgency); 3] =
    [("INF", DemoAgency::Highway), ("DIS", DemoAgency::Pao), ("GOV", DemoAgency::DistrictOffice)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DemoAgency {
    DistrictOffice,
    Pao,
    Highway,
}

/// A demo referral: the agency, its Thai name, and the rule followed if any.
#[derive(Debug, Clone)]
struct Referral {
    agency: AgencyId,
    name: Assignee,
    rule: Option<RoutingRuleId>,
}

fn demo_agency(kind: DemoAgency, amphoe: &Amphoe) -> (AgencyId, String, String) {
    let (th, en) = match kind {
        DemoAgency::DistrictOffice => {
            (format!("[ตัวอย่าง] ที่ว่าการอำเภอ{}", amphoe.name_th), format!("[Demo] {} District Office", amphoe.name_en))
        }
        DemoAgency::Pao => (
            format!("[ตัวอย่าง] องค์การบริหารส่วนจังหวัด{}", amphoe.province_th),
            format!("[Demo] {} Provincial Administrative Organisation", amphoe.province_en),
        ),
        DemoAgency::Highway => (
            format!("[ตัวอย่าง] แขวงทางหลวง{}", amphoe.province_th),
            format!("[Demo] {} Highway District", amphoe.province_en),
        ),
    };
    (AgencyId(Uuid::new_v5(&AGENCY_NAMESPACE, th.as_bytes())), th, en)
}

/// Where the demo refers a problem of `category` in `amphoe`.
fn referral_for(category: &str, amphoe: &Amphoe) -> Referral {
    let routed = ROUTED.iter().find(|(c, _)| *c == category).map(|(_, k)| *k);
    let (agency, name, _) = demo_agency(routed.unwrap_or(DemoAgency::DistrictOffice), amphoe);
    let rule = routed.map(|_| {
        let category = CategoryCode::parse(category).expect("seeded category codes are valid");
        RoutingRuleId::of(&category, &AmphoeCode::parse(&amphoe.code).expect("embedded districts are valid"))
    });
    Referral { agency, name: Assignee::parse(&name).expect("demo agency names are valid"), rule }
}

/// Registers the demo agencies (a district office per district, a PAO and a highway office per province, a
/// few national departments) and the routing rules of [`ROUTED`] for every district: demo data, marked as
/// such, that an administrator changes or replaces like any other. Returns the events written.
async fn seed_agencies(state: &AppState, metadata: &HashMap<String, String>) -> Result<usize, DemoError> {
    let geo = Geography::get();
    let mut agencies: BTreeMap<AgencyId, AgencyDetails> = BTreeMap::new();
    for amphoe in geo.amphoes() {
        let code = AmphoeCode::parse(&amphoe.code).expect("embedded districts are valid");
        let province: Vec<AmphoeCode> = geo
            .amphoes()
            .filter(|a| a.province_code == amphoe.province_code)
            .map(|a| AmphoeCode::parse(&a.code).expect("embedded districts are valid"))
            .collect();
        for (kind, level, districts) in [
            (DemoAgency::DistrictOffice, AgencyLevel::Amphoe, vec![code.clone()]),
            (DemoAgency::Pao, AgencyLevel::Province, province.clone()),
            (DemoAgency::Highway, AgencyLevel::Province, province),
        ] {
            let (id, th, en) = demo_agency(kind, amphoe);
            agencies.entry(id).or_insert(AgencyDetails {
                name_th: name(&th),
                name_en: Some(name(&en)),
                level,
                districts,
                contact: Some(name("saraban@example.go.th")),
            });
        }
    }
    for (th, en) in [
        ("[ตัวอย่าง] กรมทางหลวงชนบท", "[Demo] Department of Rural Roads"),
        ("[ตัวอย่าง] กรมชลประทาน", "[Demo] Royal Irrigation Department"),
        ("[ตัวอย่าง] กรมพัฒนาชุมชน", "[Demo] Community Development Department"),
    ] {
        let id = AgencyId(Uuid::new_v5(&AGENCY_NAMESPACE, th.as_bytes()));
        let details = AgencyDetails {
            name_th: name(th),
            name_en: Some(name(en)),
            level: AgencyLevel::National,
            districts: Vec::new(),
            contact: None,
        };
        agencies.insert(id, details);
    }
    let mut events = 0;
    for (id, details) in agencies {
        execute::<Agency>(&state.db, &id.to_string(), AgencyCommand::Register(details), metadata.clone(), None)
            .await
            .map_err(|e| failed(format!("agency {id}"))(e.into()))?;
        events += 1;
    }
    for amphoe in geo.amphoes() {
        for (category, _) in ROUTED {
            let referral = referral_for(category, amphoe);
            let rule = referral.rule.expect("a routed category has a rule");
            let command = RoutingRuleCommand::Set {
                category: CategoryCode::parse(category).expect("seeded category codes are valid"),
                district: AmphoeCode::parse(&amphoe.code).expect("embedded districts are valid"),
                agency: referral.agency,
            };
            execute::<RoutingRule>(&state.db, &rule.to_string(), command, metadata.clone(), None)
                .await
                .map_err(|e| failed(format!("routing rule {rule}"))(e.into()))?;
            events += 1;
        }
    }
    Ok(events)
}

fn address(action: &str, at: DateTime<Utc>) -> IssueAction {
    IssueAction::Address(AddressIssue { action: text(action), note: None, at })
}

fn close(outcome: Outcome, note: &str, at: DateTime<Utc>) -> IssueAction {
    IssueAction::Close(CloseIssue { outcome, note: Some(text(note)), at })
}

fn reopen(at: DateTime<Utc>) -> IssueAction {
    IssueAction::Reopen(ReopenIssue { reason: text(REOPEN_REASON), at })
}

// --- what people say -----------------------------------------------------------------------------------

const NOTE_RESOLVED: &str = "ตรวจสอบกับผู้แจ้งและผู้นำชุมชนแล้ว ปัญหาได้รับการแก้ไข";
const NOTE_REFERRED: &str = "อยู่นอกอำนาจหน้าที่ของหน่วยงานในพื้นที่ ส่งต่อหน่วยงานระดับจังหวัดดำเนินการต่อ";
const NOTE_UNRESOLVED: &str = "ไม่สามารถดำเนินการได้ในปีงบประมาณนี้ เนื่องจากไม่มีงบประมาณรองรับ";
const NOTE_DUPLICATE: &str = "ซ้ำกับเรื่องที่แจ้งไว้ในเวทีครั้งก่อน ติดตามในเรื่องเดิม";
const NOTE_WITHDRAWN: &str = "ผู้แจ้งขอถอนเรื่อง เนื่องจากตกลงกันได้เองในชุมชน";
const REOPEN_REASON: &str = "ชาวบ้านแจ้งในเวทีติดตามผลว่าปัญหากลับมาเกิดขึ้นอีก";

/// Who raises issues, when the record says.
const GROUPS: [&str; 10] = [
    "กลุ่มสตรีบ้าน{tambon}",
    "ชมรมผู้สูงอายุ ต.{tambon}",
    "กลุ่มเยาวชน {moo} ต.{tambon}",
    "คณะกรรมการมัสยิดประจำ{moo}",
    "อสม. ต.{tambon}",
    "ผู้ใหญ่บ้าน{moo} ต.{tambon}",
    "กลุ่มเกษตรกรชาวสวนยาง ต.{tambon}",
    "กลุ่มประมงพื้นบ้าน ต.{tambon}",
    "สภาซูรอ ต.{tambon}",
    "ผู้นำศาสนา {moo}",
];

/// One seeded category: how often it comes up, how tractable it is (multiplies an area's quality), and
/// templates for issues (title, description), agencies and actions. `{tambon}`, `{amphoe}`, `{province}`
/// and `{moo}` are filled from the area.
#[derive(Debug)]
struct CategoryTemplates {
    code: &'static str,
    weight: u32,
    ease: f64,
    issues: &'static [(&'static str, &'static str)],
    agencies: &'static [&'static str],
    actions: &'static [&'static str],
}

const CATEGORIES: [CategoryTemplates; 13] = [
    CategoryTemplates {
        code: "LIV",
        weight: 18,
        ease: 0.7,
        issues: &[
            (
                "ราคายางพาราตกต่ำ รายได้ครัวเรือนไม่พอใช้จ่าย",
                "ชาวสวนยาง{moo} ต.{tambon} แจ้งว่าราคายางแผ่นดิบลดลงต่อเนื่อง รายได้ไม่พอค่าใช้จ่ายในครัวเรือนและค่าเล่าเรียนบุตร ขอให้ส่งเสริมอาชีพเสริมและจัดตลาดรับซื้อที่เป็นธรรม",
            ),
            (
                "เยาวชนว่างงานหลังจบการศึกษา ขอฝึกอาชีพในพื้นที่",
                "เยาวชนใน{moo} จำนวนมากไม่มีงานทำหลังจบชั้น ม.6 บางส่วนต้องไปทำงานร้านอาหารที่มาเลเซีย ขอหลักสูตรฝึกอาชีพระยะสั้นในพื้นที่ เช่น ช่างซ่อมรถจักรยานยนต์ ช่างไฟฟ้า",
            ),
            (
                "กลุ่มสตรีขอสนับสนุนอุปกรณ์ผลิตข้าวเกรียบปลา",
                "กลุ่มสตรีแม่บ้าน{moo} ผลิตข้าวเกรียบปลาขายในชุมชน ต้องการเครื่องอบและบรรจุภัณฑ์เพื่อส่งขายนอกพื้นที่ และขอคำแนะนำการขอเครื่องหมาย อย. และฮาลาล",
            ),
            (
                "ชาวประมงพื้นบ้านได้รับผลกระทบจากเรือประมงพาณิชย์รุกล้ำเขตชายฝั่ง",
                "ชาวประมงพื้นบ้านแจ้งว่ามีเรืออวนลากเข้ามาทำประมงในเขตชายฝั่งช่วงกลางคืน เครื่องมือประมงเสียหายและจับสัตว์น้ำได้น้อยลง",
            ),
        ],
        agencies: &[
            "สำนักงานพัฒนาชุมชนอำเภอ{amphoe}",
            "สำนักงานเกษตรอำเภอ{amphoe}",
            "อบต.{tambon}",
            "สำนักงานแรงงานจังหวัด{province}",
            "สำนักงานประมงจังหวัด{province}",
        ],
        actions: &[
            "ประสานสำนักงานพัฒนาฝีมือแรงงานจัดฝึกอบรมอาชีพ 5 วัน มีผู้เข้าร่วม 25 คน",
            "ลงพื้นที่สำรวจความต้องการของกลุ่มและจัดทำโครงการเสนอขอรับงบประมาณ",
            "สนับสนุนวัสดุอุปกรณ์และเชื่อมโยงตลาดจำหน่ายสินค้าชุมชน",
            "จัดประชุมหารือร่วมกับผู้นำชุมชนและหน่วยงานที่เกี่ยวข้องที่ อบต.{tambon}",
        ],
    },
    CategoryTemplates {
        code: "DRG",
        weight: 10,
        ease: 0.5,
        issues: &[
            (
                "เยาวชนมั่วสุมดื่มน้ำกระท่อมผสม (4×100) ในพื้นที่",
                "ผู้ปกครองแจ้งว่ามีกลุ่มเยาวชนมั่วสุมต้มน้ำกระท่อมผสมยาแก้ไอบริเวณสวนยางท้าย{moo} ช่วงกลางคืน ขอให้เจ้าหน้าที่ตรวจตราและจัดกิจกรรมสำหรับเยาวชน",
            ),
            (
                "ขอจัดค่ายบำบัดผู้ติดยาเสพติดโดยชุมชนเป็นฐาน (CBTx)",
                "ผู้นำศาสนาและผู้นำชุมชน ต.{tambon} ต้องการจัดค่ายบำบัดฟื้นฟูผู้ติดยาเสพติดแบบชุมชนมีส่วนร่วมโดยใช้หลักศาสนาควบคู่ ขอรับการสนับสนุนงบประมาณและบุคลากรสาธารณสุข",
            ),
            (
                "มีการลักลอบจำหน่ายยาบ้าใกล้โรงเรียน",
                "ชาวบ้านพบเห็นการซื้อขายยาบ้าบริเวณร้านน้ำชาใกล้โรงเรียนใน ต.{tambon} เกรงว่าจะแพร่ถึงนักเรียน ขอให้ตำรวจเพิ่มการตรวจตรา",
            ),
        ],
        agencies: &[
            "สถานีตำรวจภูธร{amphoe}",
            "ศูนย์อำนวยการป้องกันและปราบปรามยาเสพติดอำเภอ{amphoe}",
            "โรงพยาบาลส่งเสริมสุขภาพตำบล{tambon}",
            "ที่ว่าการอำเภอ{amphoe}",
        ],
        actions: &[
            "ตำรวจร่วมกับฝ่ายปกครองตั้งจุดตรวจและออกตรวจตราช่วงกลางคืนสัปดาห์ละ 3 ครั้ง",
            "จัดค่ายบำบัดฟื้นฟูแบบชุมชนมีส่วนร่วม มีผู้เข้ารับการบำบัด 12 คน",
            "ประชุมผู้ปกครองและผู้นำศาสนาที่มัสยิดประจำ{moo} เพื่อวางมาตรการเฝ้าระวัง",
            "ติดตามผู้ผ่านการบำบัดร่วมกับ อสม. และส่งต่อฝึกอาชีพ",
        ],
    },
    CategoryTemplates {
        code: "INF",
        weight: 18,
        ease: 0.95,
        issues: &[
            (
                "ถนนเข้าหมู่บ้านชำรุดเป็นหลุมบ่อ",
                "ถนนลาดยางสาย{moo} – ตัวตำบล{tambon} ระยะทางประมาณ 2 กิโลเมตรชำรุดเป็นหลุมบ่อ ฤดูฝนมีน้ำขัง นักเรียนที่ขี่รถจักรยานยนต์เกิดอุบัติเหตุบ่อยครั้ง",
            ),
            (
                "น้ำประปาหมู่บ้านไหลไม่สม่ำเสมอและขุ่น",
                "ระบบประปาหมู่บ้าน{moo} ผลิตน้ำไม่พอในช่วงหน้าแล้ง น้ำขุ่นมีตะกอน ชาวบ้านต้องซื้อน้ำดื่ม ขอให้ปรับปรุงระบบกรองและเจาะบ่อบาดาลเพิ่ม",
            ),
            (
                "ไฟฟ้าส่องสว่างริมทางดับหลายจุด",
                "เสาไฟส่องสว่างบนถนนเข้า{moo} ดับหลายต้นมานานกว่าสามเดือน ชาวบ้านไม่กล้าเดินไปละหมาดที่มัสยิดช่วงเช้ามืดและกลางคืน",
            ),
            (
                "ขอสร้างสะพานคอนกรีตแทนสะพานไม้ที่ผุพัง",
                "สะพานไม้ข้ามคลองที่นักเรียน{moo} ใช้เดินทางไปโรงเรียนผุพัง เสี่ยงต่ออุบัติเหตุ ขอให้ก่อสร้างสะพานคอนกรีตทดแทน",
            ),
        ],
        agencies: &[
            "อบต.{tambon}",
            "เทศบาลตำบล{tambon}",
            "องค์การบริหารส่วนจังหวัด{province}",
            "การไฟฟ้าส่วนภูมิภาคอำเภอ{amphoe}",
            "สำนักงานทรัพยากรน้ำบาดาล เขต 12",
        ],
        actions: &[
            "ลงพื้นที่สำรวจและประมาณราคาค่าซ่อมแซม",
            "ซ่อมแซมเบื้องต้นด้วยงบประมาณฉุกเฉินของ อบต.{tambon}",
            "บรรจุโครงการในแผนพัฒนาท้องถิ่นและดำเนินการจ้างผู้รับเหมาแล้วเสร็จ",
            "เปลี่ยนหลอดไฟและซ่อมระบบไฟฟ้าส่องสว่างครบทุกจุด",
        ],
    },
    CategoryTemplates {
        code: "EDU",
        weight: 8,
        ease: 0.85,
        issues: &[
            (
                "โรงเรียนขาดครูวิทยาศาสตร์และคณิตศาสตร์",
                "โรงเรียนบ้าน{tambon} มีครูไม่ครบชั้น ครูวิทยาศาสตร์ย้ายออกแล้วยังไม่มีผู้มาแทน ผู้ปกครองกังวลเรื่องผลการเรียนของบุตรหลาน",
            ),
            (
                "ขอทุนการศึกษาสำหรับเด็กกำพร้าจากเหตุการณ์ความไม่สงบ",
                "เด็กกำพร้าใน ต.{tambon} หลายคนเรียนดีแต่ครอบครัวไม่มีรายได้พอส่งเรียนต่อระดับมัธยมปลาย ขอทุนการศึกษาต่อเนื่อง",
            ),
            (
                "ค่าตอบแทนครูตาดีกาได้รับล่าช้า",
                "ครูสอนศาสนาศูนย์การศึกษาอิสลามประจำมัสยิด (ตาดีกา){moo} ได้รับค่าตอบแทนล่าช้าหลายเดือน บางคนเลิกสอน ขอให้เร่งรัดการเบิกจ่าย",
            ),
        ],
        agencies: &[
            "สำนักงานเขตพื้นที่การศึกษาประถมศึกษา{province} เขต 1",
            "ศูนย์อำนวยการบริหารจังหวัดชายแดนภาคใต้ (ศอ.บต.)",
            "ที่ว่าการอำเภอ{amphoe}",
            "อบต.{tambon}",
        ],
        actions: &[
            "ประสานเขตพื้นที่การศึกษาจัดสรรอัตราครูอัตราจ้างชั่วคราว",
            "มอบทุนการศึกษาผ่านกองทุนเพื่อความเสมอภาคทางการศึกษา",
            "เร่งรัดการเบิกจ่ายค่าตอบแทนครูตาดีกาผ่านอำเภอ",
            "จัดประชุมคณะกรรมการสถานศึกษาร่วมกับผู้ปกครอง",
        ],
    },
    CategoryTemplates {
        code: "HLT",
        weight: 8,
        ease: 0.9,
        issues: &[
            (
                "ผู้ป่วยติดเตียงขาดผู้ดูแลและอุปกรณ์การแพทย์",
                "อสม. รายงานว่ามีผู้ป่วยติดเตียงใน{moo} 4 ราย ขาดเตียงลมและผู้ดูแลที่ผ่านการอบรม ญาติต้องหยุดงานมาดูแล",
            ),
            (
                "เด็กเล็กได้รับวัคซีนไม่ครบตามเกณฑ์",
                "เด็กอายุต่ำกว่า 5 ปีใน{moo} หลายรายยังไม่ได้รับวัคซีนหัดตามเกณฑ์ ผู้ปกครองบางส่วนกังวลเรื่องฮาลาล ขอให้ผู้นำศาสนาร่วมชี้แจง",
            ),
            (
                "ผู้สูงอายุเดินทางไปโรงพยาบาลลำบาก",
                "ผู้สูงอายุ ต.{tambon} ต้องไปรับยาโรคเรื้อรังที่โรงพยาบาลอำเภอ{amphoe} ทุกเดือน ไม่มีรถโดยสารประจำทาง ขอให้มีบริการรับส่งหรือจ่ายยาที่ รพ.สต.",
            ),
            (
                "ผู้พิการยังไม่ได้ลงทะเบียนรับเบี้ยความพิการ",
                "ผู้พิการใน{moo} 3 รายยังไม่มีบัตรประจำตัวคนพิการ จึงไม่ได้รับเบี้ยความพิการ ขอให้หน่วยงานช่วยประสานการออกบัตร",
            ),
        ],
        agencies: &[
            "โรงพยาบาลส่งเสริมสุขภาพตำบล{tambon}",
            "สำนักงานสาธารณสุขอำเภอ{amphoe}",
            "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด{province}",
            "อบต.{tambon}",
        ],
        actions: &[
            "เจ้าหน้าที่ รพ.สต.{tambon} เยี่ยมบ้านและประเมินความต้องการอุปกรณ์",
            "ผู้นำศาสนาร่วมกับ รพ.สต. จัดเวทีชี้แจงเรื่องวัคซีนที่มัสยิด ฉีดวัคซีนเพิ่ม 18 ราย",
            "จัดหน่วยแพทย์เคลื่อนที่และจ่ายยาโรคเรื้อรังที่ รพ.สต. เดือนละครั้ง",
            "ประสานออกบัตรคนพิการและลงทะเบียนรับเบี้ยความพิการ",
        ],
    },
    CategoryTemplates {
        code: "SEC",
        weight: 6,
        ease: 0.65,
        issues: &[
            (
                "ขอติดตั้งกล้องวงจรปิดบริเวณทางเข้าหมู่บ้าน",
                "ชาวบ้าน{moo} ขอให้ติดตั้งกล้องวงจรปิดบริเวณทางเข้าหมู่บ้านและหน้ามัสยิด เพื่อความปลอดภัยในชีวิตและทรัพย์สิน",
            ),
            (
                "เกิดเหตุลักรถจักรยานยนต์บ่อยครั้ง",
                "ในรอบสามเดือนมีรถจักรยานยนต์ถูกลักใน ต.{tambon} อย่างน้อย 5 คัน ขอให้เพิ่มการตรวจตราช่วงกลางคืน",
            ),
            (
                "ชาวสวนยางกังวลความปลอดภัยขณะกรีดยางช่วงเช้ามืด",
                "ชาวสวนยาง{moo} ต้องออกกรีดยางตั้งแต่ตีสอง กังวลความปลอดภัยหลังมีเหตุยิงในพื้นที่ใกล้เคียง ขอให้จัดชุดรักษาความปลอดภัยหมู่บ้าน",
            ),
        ],
        agencies: &["สถานีตำรวจภูธร{amphoe}", "ที่ว่าการอำเภอ{amphoe}", "อบต.{tambon}"],
        actions: &[
            "ติดตั้งกล้องวงจรปิด 4 จุด เชื่อมต่อกับศูนย์ของ อบต.{tambon}",
            "จัดชุดรักษาความปลอดภัยหมู่บ้าน (ชรบ.) ออกตรวจตราร่วมกับตำรวจ",
            "ตำรวจเพิ่มจุดตรวจและสายตรวจช่วงกลางคืน",
        ],
    },
    CategoryTemplates {
        code: "JUS",
        weight: 4,
        ease: 0.4,
        issues: &[
            (
                "ญาติผู้ต้องขังขอความช่วยเหลือด้านกฎหมาย",
                "ญาติผู้ต้องขังคดีความมั่นคงจาก ต.{tambon} ไม่มีทนายความและไม่ทราบความคืบหน้าของคดี ขอความช่วยเหลือด้านกฎหมายและค่าเดินทางไปเยี่ยม",
            ),
            (
                "ขอความเป็นธรรมกรณีถูกเรียกตรวจค้นซ้ำหลายครั้ง",
                "ชาวบ้าน{moo} แจ้งว่าถูกเรียกตรวจค้นและเก็บข้อมูลซ้ำหลายครั้ง รู้สึกไม่ได้รับความเป็นธรรม ขอให้มีการชี้แจงและตรวจสอบ",
            ),
            (
                "ผู้ได้รับผลกระทบยังไม่ได้รับเงินเยียวยา",
                "ครอบครัวผู้ได้รับผลกระทบจากเหตุการณ์ความไม่สงบใน ต.{tambon} ยื่นเรื่องขอรับการเยียวยามานานกว่าหนึ่งปี ยังไม่ได้รับเงิน",
            ),
        ],
        agencies: &["สำนักงานยุติธรรมจังหวัด{province}", "ศูนย์อำนวยการบริหารจังหวัดชายแดนภาคใต้ (ศอ.บต.)", "ที่ว่าการอำเภอ{amphoe}"],
        actions: &[
            "ประสานกองทุนยุติธรรมจัดหาทนายความให้",
            "จัดเวทีชี้แจงร่วมระหว่างเจ้าหน้าที่กับชาวบ้าน",
            "ตรวจสอบเอกสารและเสนอคณะกรรมการพิจารณาการเยียวยา",
        ],
    },
    CategoryTemplates {
        code: "LND",
        weight: 5,
        ease: 0.3,
        issues: &[
            (
                "ที่ดินทำกินทับซ้อนเขตป่าสงวนแห่งชาติ",
                "ชาวบ้าน{moo} ทำสวนยางในที่ดินที่ถูกประกาศเป็นเขตป่าสงวนแห่งชาติทับที่ทำกินเดิม ไม่สามารถขอสินเชื่อหรือทุนปลูกแทนได้",
            ),
            (
                "ชาวบ้านไม่มีเอกสารสิทธิ์ในที่ดินที่ทำกินมานาน",
                "ครัวเรือนใน ต.{tambon} หลายครัวเรือนทำกินในที่ดินมานานกว่า 30 ปีแต่ไม่มีเอกสารสิทธิ์ ขอให้เร่งรัดการออกโฉนด",
            ),
        ],
        agencies: &["สำนักงานที่ดินจังหวัด{province}", "ที่ว่าการอำเภอ{amphoe}", "สำนักงานจัดการทรัพยากรป่าไม้ที่ 13"],
        actions: &["ลงพื้นที่รังวัดและตรวจสอบแนวเขตร่วมกับผู้นำชุมชน", "รวบรวมข้อมูลผู้ครอบครองเสนอคณะกรรมการนโยบายที่ดินแห่งชาติ"],
    },
    CategoryTemplates {
        code: "REL",
        weight: 3,
        ease: 1.0,
        issues: &[
            (
                "ขอสนับสนุนงบซ่อมแซมมัสยิดประจำหมู่บ้าน",
                "หลังคามัสยิดประจำ{moo} รั่วซึมและผนังแตกร้าว คณะกรรมการมัสยิดขอสนับสนุนงบประมาณซ่อมแซม",
            ),
            (
                "ขอให้กิจกรรมของหน่วยงานไม่ตรงกับเวลาละหมาดวันศุกร์",
                "ชาวบ้าน ต.{tambon} ขอให้หน่วยงานราชการนัดหมายกิจกรรมหลีกเลี่ยงช่วงละหมาดวันศุกร์",
            ),
            (
                "ขอสนับสนุนกิจกรรมส่งเสริมภาษามลายูถิ่น",
                "ผู้นำชุมชนขอให้มีกิจกรรมส่งเสริมการใช้ภาษามลายูถิ่นควบคู่ภาษาไทยในโรงเรียนและศูนย์พัฒนาเด็กเล็ก",
            ),
        ],
        agencies: &[
            "คณะกรรมการอิสลามประจำจังหวัด{province}",
            "ศูนย์อำนวยการบริหารจังหวัดชายแดนภาคใต้ (ศอ.บต.)",
            "ที่ว่าการอำเภอ{amphoe}",
        ],
        actions: &[
            "สนับสนุนงบประมาณซ่อมแซมมัสยิดและติดตามการก่อสร้างแล้วเสร็จ",
            "อำเภอแจ้งเวียนหน่วยงานให้หลีกเลี่ยงการนัดหมายช่วงละหมาดวันศุกร์",
            "จัดกิจกรรมเล่านิทานสองภาษาในศูนย์พัฒนาเด็กเล็ก",
        ],
    },
    CategoryTemplates {
        code: "ENV",
        weight: 5,
        ease: 0.7,
        issues: &[
            ("ขยะสะสมริมถนนและไม่มีรถเก็บขยะ", "ขยะสะสมริมถนนสายหลักของ{moo} ส่งกลิ่นเหม็น รถเก็บขยะของ อบต. เข้ามาเก็บไม่สม่ำเสมอ"),
            (
                "น้ำเสียจากลานรับซื้อน้ำยางไหลลงคลอง",
                "น้ำเสียจากลานรับซื้อน้ำยางใน ต.{tambon} ไหลลงคลอง ส่งกลิ่นเหม็นและปลาตาย ชาวบ้านใช้น้ำคลองไม่ได้",
            ),
            (
                "ชายฝั่งถูกกัดเซาะ บ้านเรือนเสี่ยงเสียหาย",
                "ชายฝั่ง{moo} ถูกคลื่นกัดเซาะเข้ามาหลายเมตรในรอบสองปี บ้านเรือนแถวหน้าเสี่ยงพังเสียหาย",
            ),
        ],
        agencies: &["อบต.{tambon}", "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัด{province}", "กรมทรัพยากรทางทะเลและชายฝั่ง"],
        actions: &[
            "จัดรถเก็บขยะเข้าเก็บสัปดาห์ละ 2 ครั้งและตั้งจุดทิ้งขยะ",
            "เก็บตัวอย่างน้ำตรวจคุณภาพและแจ้งเตือนผู้ประกอบการให้ปรับปรุงบ่อบำบัด",
            "วางแนวกระสอบทรายชั่วคราวและเสนอโครงการป้องกันการกัดเซาะ",
        ],
    },
    CategoryTemplates {
        code: "DIS",
        weight: 4,
        ease: 0.85,
        issues: &[
            ("น้ำท่วมซ้ำซากช่วงมรสุม", "ช่วงมรสุมตะวันออกเฉียงเหนือ{moo} ถูกน้ำท่วมขังนานกว่าสองสัปดาห์ทุกปี ถนนตัดขาดและสวนยางเสียหาย"),
            (
                "บ้านเรือนเสียหายจากวาตภัย ยังไม่ได้รับการช่วยเหลือ",
                "บ้านเรือนใน ต.{tambon} 7 หลังหลังคาปลิวจากพายุ ยังไม่ได้รับเงินช่วยเหลือผู้ประสบภัย",
            ),
            ("ขอขุดลอกคลองระบายน้ำก่อนฤดูฝน", "คลองระบายน้ำ{moo} ตื้นเขินและมีผักตบชวา ขอให้ขุดลอกก่อนฤดูฝน"),
        ],
        agencies: &["ป้องกันและบรรเทาสาธารณภัยจังหวัด{province}", "อบต.{tambon}", "โครงการชลประทาน{province}"],
        actions: &[
            "สำรวจความเสียหายและจ่ายเงินช่วยเหลือผู้ประสบภัยตามระเบียบ",
            "ขุดลอกคลองและกำจัดผักตบชวาแล้วเสร็จ",
            "แจกถุงยังชีพและตั้งศูนย์พักพิงชั่วคราว",
        ],
    },
    CategoryTemplates {
        code: "GOV",
        weight: 7,
        ease: 1.05,
        issues: &[
            (
                "ผู้สูงอายุยังไม่ได้รับเบี้ยยังชีพ",
                "ผู้สูงอายุใน{moo} หลายคนอายุครบ 60 ปีแล้วแต่ยังไม่ได้รับเบี้ยยังชีพ เพราะไม่ทราบขั้นตอนการลงทะเบียน",
            ),
            (
                "ขอให้มีหน่วยบริการเคลื่อนที่ทำบัตรประชาชน",
                "ชาวบ้าน ต.{tambon} ต้องเดินทางไกลไปทำบัตรประชาชนที่อำเภอ{amphoe} ขอให้มีหน่วยบริการเคลื่อนที่",
            ),
            (
                "ขอข้อมูลโครงการพัฒนาที่จะดำเนินการในตำบล",
                "ผู้นำชุมชน ต.{tambon} ขอให้หน่วยงานชี้แจงโครงการพัฒนาและงบประมาณที่จะลงในพื้นที่ปีนี้",
            ),
        ],
        agencies: &["ที่ว่าการอำเภอ{amphoe}", "อบต.{tambon}", "เทศบาลตำบล{tambon}"],
        actions: &[
            "อบต.{tambon} ลงทะเบียนผู้สูงอายุรายใหม่ที่ศาลาประชาคม",
            "อำเภอจัดหน่วยบริการเคลื่อนที่ทำบัตรประชาชนที่ศาลาประชาคม{moo}",
            "จัดเวทีชี้แจงแผนงานและงบประมาณให้ประชาชนในตำบล",
        ],
    },
    CategoryTemplates {
        code: "OTH",
        weight: 4,
        ease: 0.8,
        issues: &[
            ("ขอสนามกีฬาสำหรับเยาวชน", "เยาวชน{moo} ไม่มีพื้นที่เล่นกีฬา ขอให้ปรับปรุงลานว่างข้างโรงเรียนเป็นสนามฟุตซอล"),
            ("สุนัขจรจัดจำนวนมาก", "มีสุนัขจรจัดจำนวนมากบริเวณตลาด ต.{tambon} ไล่กัดเด็กนักเรียน ขอให้หน่วยงานควบคุมจำนวน"),
        ],
        agencies: &["อบต.{tambon}", "สำนักงานปศุสัตว์อำเภอ{amphoe}"],
        actions: &["ปรับปรุงลานกีฬาและจัดหาอุปกรณ์กีฬาให้เยาวชน", "ปศุสัตว์อำเภอฉีดวัคซีนพิษสุนัขบ้าและทำหมันสุนัขจรจัด"],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use santisuk_domain::category::SEED_CATEGORIES;
    use santisuk_domain::issue::IssueEvent;

    fn plan_now() -> DateTime<Utc> {
        "2026-11-25T13:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_templates_cover_exactly_the_seeded_categories() {
        let ours: Vec<&str> = CATEGORIES.iter().map(|c| c.code).collect();
        let seeded: Vec<&str> = SEED_CATEGORIES.iter().map(|c| c.0).collect();
        assert_eq!(ours, seeded);
    }

    #[test]
    fn the_plan_has_forty_areas_in_the_real_provinces_and_districts() {
        let plan = Plan::new(DemoOptions::default(), plan_now());
        assert_eq!(plan.areas.len(), 40);
        let per_province = |p: &str| plan.areas.iter().filter(|a| a.amphoe.province_code() == p).count();
        assert_eq!([per_province("94"), per_province("95"), per_province("96"), per_province("90")], [12, 16, 7, 5]);
        let tambons: std::collections::BTreeSet<&str> = plan.areas.iter().map(|a| a.tambon.as_str()).collect();
        assert_eq!(tambons.len(), 40, "each area in its own subdistrict");
        assert!(plan.areas.iter().all(|a| a.name_th.as_str().starts_with("[ตัวอย่าง] ")));
        assert_eq!(plan.areas[0].id.as_str(), "DEMO-01");
        let coordinators: Vec<&UserPlan> = plan.users.iter().filter(|u| u.role == Role::Coordinator).collect();
        assert_eq!(coordinators.len(), 10);
        assert!(coordinators.iter().all(|c| (3..=5).contains(&c.areas.len())));
        assert_eq!(coordinators.iter().map(|c| c.areas.len()).sum::<usize>(), 40);
    }

    /// Replays every planned issue through the aggregate's own rules, judged at the plan's instant, so a
    /// generator change that the domain would refuse fails here rather than half-way through a fill.
    #[test]
    fn every_planned_step_is_accepted_by_the_domain_in_order() {
        for seed in [1, 2, DemoOptions::DEFAULT_SEED] {
            let plan = Plan::new(DemoOptions { seed, issues: 2400 }, plan_now());
            let mut issues = 0;
            for area in &plan.areas {
                for forum in &area.forums {
                    assert!(Forum::default().decide(forum.command.clone().into()).is_ok());
                    for issue in &forum.issues {
                        issues += 1;
                        let mut aggregate = Issue::default();
                        let mut last_at = None;
                        for (_, action) in &issue.steps {
                            assert!(action.at() <= plan_now());
                            assert!(last_at.is_none_or(|t| t < action.at()), "steps in time order");
                            last_at = Some(action.at());
                            let events = aggregate
                                .decide(IssueCommand { now: plan_now(), action: action.clone() })
                                .unwrap_or_else(|e| panic!("{} refused: {e}", action.name()));
                            for e in events {
                                aggregate.apply(e);
                            }
                        }
                        assert!(matches!(issue.steps[0].1, IssueAction::Raise(_)));
                    }
                }
            }
            assert!((2300..=2500).contains(&issues), "about the requested number of issues: {issues}");
        }
    }

    #[test]
    fn the_same_seed_plans_the_same_year_and_another_seed_another() {
        let titles = |seed| {
            let plan = Plan::new(DemoOptions { seed, issues: 300 }, plan_now());
            plan.areas
                .iter()
                .flat_map(|a| a.forums.iter().flat_map(|f| f.issues.iter().map(|i| (i.id, i.steps.len()))))
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(7), titles(7));
        assert_ne!(titles(7), titles(8));
    }

    #[test]
    fn the_year_has_every_kind_of_ending() {
        let plan = Plan::new(DemoOptions::default(), plan_now());
        let mut outcomes = BTreeMap::new();
        let (mut overdue, mut reopened) = (0, 0);
        for issue in plan.areas.iter().flat_map(|a| a.forums.iter().flat_map(|f| f.issues.iter())) {
            overdue += usize::from(issue.overdue);
            reopened += usize::from(issue.reopened);
            let mut aggregate = Issue::default();
            for (_, action) in &issue.steps {
                for e in aggregate.decide(IssueCommand { now: plan_now(), action: action.clone() }).unwrap() {
                    if let IssueEvent::IssueClosed { outcome, .. } = &e {
                        *outcomes.entry(outcome.as_str()).or_insert(0) += 1;
                    }
                    aggregate.apply(e);
                }
            }
        }
        assert_eq!(outcomes.len(), 5, "{outcomes:?}");
        assert!(overdue > 50 && reopened > 5, "overdue {overdue}, reopened {reopened}");
    }
}
