//! Monitoring an agenda: the values its referents measure period by period, their approval by
//! the coordinators, and the progress worked out from the approved ones up the agenda's tree
//! (`agio_domain::monitoring` has the rules). Shared by the pages, the API and the CLI.

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::{FieldProblem, Reader};
use agio_domain::monitoring::{
    agenda_progress, is_percentage, status_after_edit, AgendaProgress, Measurement, MeasurementEdit, Period,
    PlannedIndicator, Review, StandingOverride,
};
use agio_domain::{MeasurementStatus, Standing};
use agio_store::{measurement_for_edit, Editable, EntityRef, Saved, Store, WriteTx};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::editors::Editor;
use crate::{require, Context, Error};

/// The years an agenda covers, first and last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Span {
    pub first_year: i64,
    pub last_year: i64,
}

impl Span {
    /// The periods of `frequency` inside the span.
    pub fn periods(self, frequency: agio_domain::Frequency) -> Vec<Period> {
        Period::all(frequency, self.first_year as i32, self.last_year as i32)
    }
}

/// An agenda's monitoring as one reader sees it.
pub struct Monitoring {
    pub slug: String,
    pub title: String,
    pub span: Span,
    pub facts: AgendaFacts,
    pub progress: AgendaProgress,
    /// The reader approves and returns values.
    pub reviews: bool,
    /// The reader works on the agenda (enters or approves values): the spreadsheet is theirs.
    pub works_on: bool,
}

impl Monitoring {
    /// Action `code` of the tree; 404 when it has none such.
    pub fn action(&self, code: &str) -> Result<&agio_domain::monitoring::ActionProgress, Error> {
        self.progress.objectives.iter().flat_map(|o| &o.actions).find(|a| a.code == code).ok_or(Error::NotFound)
    }

    /// Whether `who` enters the values of an action led by `lead`.
    pub fn enters(who: Option<&Principal>, facts: &AgendaFacts, lead: Option<&str>) -> bool {
        require(who, Operation::EditResults, &Target::Action(facts, lead)).is_ok()
    }
}

pub(crate) fn today() -> String {
    let now = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

/// The agenda `who` may see: its facts, title and years.
async fn agenda_in_view(
    store: &Store,
    who: Option<&Principal>,
    slug: &str,
) -> Result<(AgendaFacts, String, Span), Error> {
    let facts = store.agenda_facts(slug).await?.ok_or(Error::NotFound)?;
    require(who, Operation::ReadDraft, &Target::Agenda(&facts))?;
    // The public reads an approved agenda's title and years as approved.
    if !works_on(who, &facts) {
        if let Some((_, snapshot)) = store.agenda_version(&facts.agenda_id, None).await? {
            let a = snapshot.detail.agenda;
            let span = Span { first_year: a.period_start, last_year: a.period_end };
            return Ok((facts, a.title, span));
        }
    }
    let (agenda, _) = store.agenda_for_edit(slug).await?.ok_or(Error::NotFound)?;
    let span = Span { first_year: agenda.fields.period_start, last_year: agenda.fields.period_end };
    Ok((facts, agenda.fields.title, span))
}

/// The agenda's monitoring: its tree with the values `who` may see — approved ones for
/// everyone, the others for those who enter or approve them.
pub async fn monitoring(ctx: &impl Context, who: Option<&Principal>, slug: &str) -> Result<Monitoring, Error> {
    let (facts, title, span) = agenda_in_view(ctx.store(), who, slug).await?;
    let plan = plan_in_view(ctx.store(), who, &facts).await?;
    let reviews = require(who, Operation::Review, &Target::Agenda(&facts)).is_ok();
    let measurements = ctx.store().measurements(Some(&facts.agenda_id)).await?;
    let measurements = visible(who, &facts, &plan, measurements);
    let overrides = ctx.store().standing_overrides(Some(&facts.agenda_id)).await?;
    let progress = agenda_progress(plan, measurements, &overrides, &today());
    let works_on = works_on(who, &facts);
    Ok(Monitoring { slug: slug.to_string(), title, span, facts, progress, reviews, works_on })
}

/// Whether `who` works on the agenda (reads its working draft): its coordinators and the
/// referents of the organisations leading its actions.
fn works_on(who: Option<&Principal>, facts: &AgendaFacts) -> bool {
    let private = AgendaFacts { public: false, ..facts.clone() };
    require(who, Operation::ReadDraft, &Target::Agenda(&private)).is_ok()
}

/// The plan `who` reads: the working draft for those who work on the agenda; for the others,
/// the latest approved version when there is one (changes made since are not public yet).
async fn plan_in_view(
    store: &Store,
    who: Option<&Principal>,
    facts: &AgendaFacts,
) -> Result<Vec<PlannedIndicator>, Error> {
    if !works_on(who, facts) {
        if let Some((_, snapshot)) = store.agenda_version(&facts.agenda_id, None).await? {
            return Ok(published_plan(snapshot));
        }
    }
    Ok(store.monitoring_plan(Some(&facts.agenda_id)).await?.into_iter().map(|(_, row)| row).collect())
}

/// An approved version's plan, in its order: objective, action, indicator.
fn published_plan(snapshot: agio_store::AgendaSnapshot) -> Vec<PlannedIndicator> {
    let mut plan = Vec::new();
    for objective in &snapshot.detail.objectives {
        for summary in &objective.actions {
            let Some(action) = snapshot.actions.iter().find(|a| a.summary.id == summary.id) else { continue };
            let row = PlannedIndicator {
                indicator: None,
                action_id: action.summary.id.clone(),
                action_code: action.summary.code.clone(),
                action_title: action.summary.title.clone(),
                action_status: action.summary.status,
                start_date: action.summary.start_date.clone(),
                end_date: action.summary.end_date.clone(),
                lead_organization: None,
                objective_code: objective.objective.code.clone(),
                objective_title: objective.objective.title.clone(),
            };
            let indicators: Vec<_> = action.results.iter().flat_map(|r| r.indicators.iter().cloned()).collect();
            if indicators.is_empty() {
                plan.push(row.clone());
            }
            plan.extend(indicators.into_iter().map(|i| PlannedIndicator { indicator: Some(i), ..row.clone() }));
        }
    }
    plan
}

/// Approved values, and the others of the actions whose values `who` enters or approves.
fn visible(
    who: Option<&Principal>,
    facts: &AgendaFacts,
    plan: &[PlannedIndicator],
    measurements: Vec<Measurement>,
) -> Vec<Measurement> {
    let entered_by_who: Vec<&str> = plan
        .iter()
        .filter(|row| Monitoring::enters(who, facts, row.lead_organization.as_deref()))
        .filter_map(|row| row.indicator.as_ref().map(|i| i.id.as_str()))
        .collect();
    measurements
        .into_iter()
        .filter(|m| m.status == MeasurementStatus::Approved || entered_by_who.contains(&m.indicator_id.as_str()))
        .collect()
}

/// One indicator of an agenda, with where it sits.
pub struct Located {
    pub slug: String,
    pub facts: AgendaFacts,
    pub span: Span,
    pub row: PlannedIndicator,
}

impl Located {
    pub fn indicator(&self) -> &agio_domain::model::Indicator {
        self.row.indicator.as_ref().expect("located rows have an indicator")
    }

    pub fn target(&self) -> Target<'_> {
        Target::Action(&self.facts, self.row.lead_organization.as_deref())
    }

    /// The indicator as the audit log names it: "A1.2 — name".
    pub fn label(&self) -> String {
        format!("{} — {}", self.row.action_code, self.indicator().name)
    }

    /// The periods it may have values for.
    pub fn periods(&self) -> Vec<Period> {
        self.span.periods(self.indicator().frequency)
    }

    /// `code` when it is one of [`Located::periods`].
    pub fn period(&self, code: &str) -> Option<Period> {
        Period::parse(code).filter(|p| self.periods().contains(p))
    }

    fn period_problem(&self) -> FieldProblem {
        let periods = self.periods();
        let code = |p: Option<&Period>| p.map(Period::code).unwrap_or_default();
        FieldProblem::NotAPeriod { first: code(periods.first()), last: code(periods.last()) }
    }
}

/// Indicator `indicator_id` of the agenda, visible to `who`.
pub async fn locate(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    indicator_id: &str,
) -> Result<Located, Error> {
    let (facts, _, span) = agenda_in_view(ctx.store(), who, slug).await?;
    let row = plan_in_view(ctx.store(), who, &facts)
        .await?
        .into_iter()
        .find(|row| row.indicator.as_ref().is_some_and(|i| i.id == indicator_id))
        .ok_or(Error::NotFound)?;
    Ok(Located { slug: slug.to_string(), facts, span, row })
}

/// Every indicator of the agenda's working plan with all its stored values, for those who work
/// on it (the spreadsheet's rows); and the agenda's title.
pub async fn locate_all(
    store: &Store,
    who: Option<&Principal>,
    slug: &str,
) -> Result<(Vec<(Located, Vec<Measurement>)>, String), Error> {
    let (facts, title, span) = agenda_in_view(store, who, slug).await?;
    if !works_on(who, &facts) {
        return Err(Error::Forbidden);
    }
    let mut values: std::collections::HashMap<String, Vec<Measurement>> = Default::default();
    for m in store.measurements(Some(&facts.agenda_id)).await? {
        values.entry(m.indicator_id.clone()).or_default().push(m);
    }
    let located = plan_in_view(store, who, &facts)
        .await?
        .into_iter()
        .filter_map(|row| {
            let id = row.indicator.as_ref()?.id.clone();
            let at = Located { slug: slug.to_string(), facts: facts.clone(), span, row };
            Some((at, values.remove(&id).unwrap_or_default()))
        })
        .collect();
    Ok((located, title))
}

/// The value of one indicator for one period: a new one or one to change.
pub struct MeasurementEditor {
    pub at: Located,
    /// The period as asked (checked when the value is read: a wrong one is a field error).
    pub period: String,
    pub stored: Option<Measurement>,
    editable: Editable<MeasurementEdit>,
}

impl MeasurementEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        indicator_id: &str,
        period: &str,
    ) -> Result<MeasurementEditor, Error> {
        let at = locate(ctx, who, slug, indicator_id).await?;
        // What is no period at all names no value, as an unknown indicator does; a period
        // outside the agenda's span is the form's problem (`period`).
        Period::parse(period).ok_or(Error::NotFound)?;
        let period = at.period(period).map(|p| p.code()).unwrap_or_else(|| period.to_string());
        let stored = ctx.store().measurement(indicator_id, &period).await?;
        let editable = match &stored {
            Some(m) => measurement_for_edit(m),
            None => Editable {
                id: String::new(),
                label: period.clone(),
                version: 0,
                fields: MeasurementEdit {
                    value: Decimal::ZERO,
                    numerator: None,
                    denominator: None,
                    note: String::new(),
                    source: String::new(),
                },
            },
        };
        Ok(MeasurementEditor { at, period, stored, editable })
    }

    pub fn is_new(&self) -> bool {
        self.stored.is_none()
    }

    pub fn is_percentage(&self) -> bool {
        is_percentage(&self.at.indicator().unit)
    }
}

impl Editor for MeasurementEditor {
    type Fields = MeasurementEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::EditResults, &self.at.target())
    }

    fn read(&self, reader: &mut Reader) -> Option<MeasurementEdit> {
        if self.at.period(&self.period).is_none() {
            reader.fail("period", self.at.period_problem());
        }
        MeasurementEdit::read(reader, self.is_percentage())
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &MeasurementEdit,
        version: i64,
    ) -> agio_store::Result<Saved<MeasurementEdit>> {
        let label = self.at.label();
        let entity = EntityRef { kind: "indicator", id: &self.at.indicator().id, label: &label };
        let status = status_after_edit(self.stored.as_ref().map(|m| m.status));
        w.save_measurement(entity, &self.period, self.stored.as_ref(), fields, status, version).await
    }

    fn current(&self) -> (&MeasurementEdit, i64) {
        (&self.editable.fields, self.editable.version)
    }
}

/// A comment that goes with a move of a measurement (required to return one).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct ReviewEdit {
    pub comment: String,
}

/// A move of a stored measurement along its workflow: sent by its referent, approved or
/// returned by a coordinator.
pub struct ReviewEditor {
    pub at: Located,
    pub measurement: Measurement,
    pub review: Review,
    current: ReviewEdit,
}

impl ReviewEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        indicator_id: &str,
        period: &str,
        review: Review,
    ) -> Result<ReviewEditor, Error> {
        let at = locate(ctx, who, slug, indicator_id).await?;
        let period = at.period(period).ok_or(Error::NotFound)?.code();
        let measurement = ctx.store().measurement(indicator_id, &period).await?.ok_or(Error::NotFound)?;
        let current = ReviewEdit { comment: measurement.review_note.clone() };
        Ok(ReviewEditor { at, measurement, review, current })
    }

    /// The status the move leads to; a move the workflow does not allow from here is a conflict.
    fn to(&self) -> Result<MeasurementStatus, Error> {
        self.review.from(self.measurement.status).ok_or_else(|| {
            Error::Conflict(format!(
                "a {} measurement cannot be given: {}",
                self.measurement.status,
                self.review.code()
            ))
        })
    }
}

impl Editor for ReviewEditor {
    type Fields = ReviewEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        let operation = match self.review {
            Review::Submit => Operation::EditResults,
            Review::Approve | Review::Return => Operation::Review,
        };
        require(who, operation, &self.at.target())?;
        self.to().map(|_| ())
    }

    fn read(&self, reader: &mut Reader) -> Option<ReviewEdit> {
        let comment = match self.review {
            Review::Return => reader.line("comment"),
            _ => reader.opt_line("comment").unwrap_or_default(),
        };
        Some(ReviewEdit { comment })
    }

    async fn save(&self, w: &mut WriteTx, fields: &ReviewEdit, version: i64) -> agio_store::Result<Saved<ReviewEdit>> {
        let label = self.at.label();
        let entity = EntityRef { kind: "indicator", id: &self.at.indicator().id, label: &label };
        let Ok(to) = self.to() else {
            return Ok(Saved::Stale { current: self.current.clone(), version: self.measurement.version });
        };
        let operation = match self.review {
            Review::Submit => "submit_measurement",
            Review::Approve => "approve_measurement",
            Review::Return => "return_measurement",
        };
        let saved = w.review_measurement(entity, &self.measurement, operation, to, &fields.comment, version).await?;
        Ok(match saved {
            Saved::Done { version } => Saved::Done { version },
            Saved::Stale { version, .. } => Saved::Stale { current: self.current.clone(), version },
        })
    }

    fn current(&self) -> (&ReviewEdit, i64) {
        (&self.current, self.measurement.version)
    }
}

/// A coordinator's judgement of how an action is doing, or none to leave it to the rules.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, ToSchema)]
pub struct StandingEdit {
    /// None: the rules decide.
    pub standing: Option<Standing>,
    pub reason: String,
}

/// The standing of one action of an agenda.
pub struct StandingEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub action_id: String,
    pub action_code: String,
    pub action_label: String,
    pub computed: Standing,
    current: StandingEdit,
}

impl StandingEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        action_code: &str,
    ) -> Result<StandingEditor, Error> {
        let monitoring = monitoring(ctx, who, slug).await?;
        let action = monitoring.action(action_code)?;
        let current = StandingEdit {
            standing: action.standing_reason.as_ref().map(|_| action.standing),
            reason: action.standing_reason.clone().unwrap_or_default(),
        };
        Ok(StandingEditor {
            slug: slug.to_string(),
            action_id: action.id.clone(),
            action_code: action.code.clone(),
            action_label: format!("{} — {}", action.code, action.title),
            computed: action.computed_standing,
            current,
            facts: monitoring.facts,
        })
    }
}

impl Editor for StandingEditor {
    type Fields = StandingEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Review, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<StandingEdit> {
        let standing = if reader.given("standing") { Some(reader.code::<Standing>("standing")?) } else { None };
        let reason = match standing {
            Some(_) => reader.line("reason"),
            None => reader.opt_line("reason").unwrap_or_default(),
        };
        Some(StandingEdit { standing, reason })
    }

    async fn save(&self, w: &mut WriteTx, fields: &StandingEdit, _: i64) -> agio_store::Result<Saved<StandingEdit>> {
        let entity = EntityRef { kind: "action", id: &self.action_id, label: &self.action_label };
        let judged = fields.standing.map(|standing| StandingOverride { standing, reason: fields.reason.clone() });
        w.set_standing(entity, judged.as_ref()).await?;
        Ok(Saved::Done { version: 0 })
    }

    fn current(&self) -> (&StandingEdit, i64) {
        (&self.current, 0)
    }
}

/// One agenda of the region with its progress from approved values.
pub struct AgendaRollup {
    pub agenda: agio_store::MonitoredAgenda,
    pub progress: AgendaProgress,
}

/// A district's progress: the mean of its agendas'.
pub struct DistrictRollup {
    pub slug: String,
    pub name: String,
    pub progress: Option<Decimal>,
}

/// The region as a whole: every agenda not in draft, its district, the region's progress (the
/// mean of the districts'), the approved values, the most reused assets, and how many actions
/// serve each theme and target group.
pub struct Region {
    pub agendas: Vec<AgendaRollup>,
    pub districts: Vec<DistrictRollup>,
    pub progress: Option<Decimal>,
    pub approved: usize,
    pub assets: Vec<agio_store::Reuse>,
    pub themes: Vec<(agio_domain::model::Term, i64)>,
    pub target_groups: Vec<(agio_domain::model::Term, i64)>,
}

/// How many assets the regional view lists.
pub const MOST_REUSED: i64 = 10;

/// The region's monitoring, from approved values only: the same for everyone.
pub async fn region(ctx: &impl Context) -> Result<Region, Error> {
    use agio_domain::monitoring::mean;
    use std::collections::HashMap;
    let store = ctx.store();
    // The reads do not depend on each other: on several connections at once, the page waits
    // for the longest only (the plan and the latest values take most of its time).
    let (mut agendas, plan, latest, overrides, reused, covered_themes, covered_groups, all_districts) = tokio::try_join!(
        store.monitored_agendas(),
        store.monitoring_plan(None),
        store.latest_approved(),
        store.standing_overrides(None),
        store.reused_assets_unversioned(),
        store.terms_covered_unversioned(agio_domain::Vocabulary::Theme),
        store.terms_covered_unversioned(agio_domain::Vocabulary::TargetGroup),
        store.districts(),
    )?;
    let mut plans: HashMap<String, Vec<PlannedIndicator>> = HashMap::new();
    for (agenda_id, row) in plan {
        plans.entry(agenda_id).or_default().push(row);
    }
    // The public reads an approved agenda as approved, not its working draft: its title, its
    // plan, the assets and terms of its actions. Agendas without a version are read live.
    let mut assets: HashMap<String, agio_store::Reuse> = HashMap::new();
    let mut themes: HashMap<String, i64> = HashMap::new();
    let mut target_groups: HashMap<String, i64> = HashMap::new();
    for agenda in &mut agendas {
        let Some((_, snapshot)) = store.agenda_version(&agenda.id, None).await? else { continue };
        agenda.title = snapshot.detail.agenda.title.clone();
        for action in &snapshot.actions {
            for asset in &action.assets {
                let reuse = assets.entry(asset.slug.clone()).or_insert_with(|| agio_store::Reuse {
                    slug: asset.slug.clone(),
                    name: asset.name.clone(),
                    actions: 0,
                });
                reuse.actions += 1;
            }
            for term in &action.themes {
                *themes.entry(term.code.clone()).or_default() += 1;
            }
            for term in &action.target_groups {
                *target_groups.entry(term.code.clone()).or_default() += 1;
            }
        }
        plans.insert(agenda.id.clone(), published_plan(snapshot));
    }
    for live in reused {
        assets.entry(live.slug.clone()).or_insert(agio_store::Reuse { actions: 0, ..live.clone() }).actions +=
            live.actions;
    }
    for (code, n) in covered_themes {
        *themes.entry(code).or_default() += n;
    }
    for (code, n) in covered_groups {
        *target_groups.entry(code).or_default() += n;
    }
    let mut assets: Vec<agio_store::Reuse> = assets.into_values().collect();
    assets.sort_by(|a, b| b.actions.cmp(&a.actions).then_with(|| a.name.cmp(&b.name)));
    assets.truncate(MOST_REUSED as usize);
    let agenda_of: HashMap<String, String> = plans
        .iter()
        .flat_map(|(agenda_id, rows)| {
            rows.iter().filter_map(move |row| row.indicator.as_ref().map(|i| (i.id.clone(), agenda_id.clone())))
        })
        .collect();
    // Progress needs each indicator's latest approved value only.
    let mut values: HashMap<String, Vec<Measurement>> = HashMap::new();
    let mut approved = 0;
    for (m, count) in latest {
        if let Some(agenda_id) = agenda_of.get(&m.indicator_id) {
            values.entry(agenda_id.clone()).or_default().push(m);
            approved += count as usize;
        }
    }
    let today = today();
    let rollups: Vec<AgendaRollup> = agendas
        .into_iter()
        .map(|agenda| {
            let plan = plans.remove(&agenda.id).unwrap_or_default();
            let progress = agenda_progress(plan, values.remove(&agenda.id).unwrap_or_default(), &overrides, &today);
            AgendaRollup { agenda, progress }
        })
        .collect();
    let mut districts: Vec<DistrictRollup> = Vec::new();
    for district in all_districts {
        let progress =
            mean(rollups.iter().filter(|r| r.agenda.district_slug == district.slug).map(|r| (r.progress.progress, 1)));
        districts.push(DistrictRollup { slug: district.slug, name: district.name, progress });
    }
    let progress = mean(districts.iter().map(|d| (d.progress, 1)));
    let covered = |terms: &[agio_domain::model::Term], counts: HashMap<String, i64>| {
        let mut covered: Vec<(agio_domain::model::Term, i64)> =
            terms.iter().map(|t| (t.clone(), counts.get(&t.code).copied().unwrap_or(0))).collect();
        covered.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        covered
    };
    let vocabularies = ctx.vocabularies();
    Ok(Region {
        themes: covered(&vocabularies.theme, themes),
        target_groups: covered(&vocabularies.target_group, target_groups),
        assets,
        agendas: rollups,
        districts,
        progress,
        approved,
    })
}

/// A measurement's files, as `who` may see them: those of an approved value for everyone,
/// the others for those who enter or approve it.
pub struct Evidence {
    pub editor: MeasurementEditor,
    pub measurement: Measurement,
    pub files: Vec<agio_domain::document::Document>,
    /// `who` adds and removes files.
    pub manages: bool,
}

pub async fn evidence(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    indicator_id: &str,
    period: &str,
) -> Result<Evidence, Error> {
    let editor = MeasurementEditor::load(ctx, who, slug, indicator_id, period).await?;
    editor.at.period(&editor.period).ok_or(Error::NotFound)?;
    let measurement = editor.stored.clone().ok_or(Error::NotFound)?;
    let manages = editor.allowed(who).is_ok();
    let reviews = require(who, Operation::Review, &Target::Agenda(&editor.at.facts)).is_ok();
    if measurement.status != MeasurementStatus::Approved && !manages && !reviews {
        return Err(Error::NotFound);
    }
    let files = ctx
        .store()
        .evidence_of_agenda(&editor.at.facts.agenda_id)
        .await?
        .into_iter()
        .filter(|(m, _)| *m == measurement.id)
        .map(|(_, file)| file)
        .collect();
    Ok(Evidence { editor, measurement, files, manages })
}

/// A measurement's files for one who adds and removes them (403 otherwise), and the
/// indicator's name as the audit log gives it.
async fn managed_evidence(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    indicator_id: &str,
    period: &str,
) -> Result<(Evidence, String), Error> {
    let e = evidence(ctx, who, slug, indicator_id, period).await?;
    if !e.manages {
        return Err(Error::Forbidden);
    }
    let label = e.editor.at.label();
    Ok((e, label))
}

/// Attaches a file to a measurement (those who enter its values); the file's problem when it
/// is refused.
#[allow(clippy::too_many_arguments)]
pub async fn add_evidence(
    ctx: &impl Context,
    who: Option<&Principal>,
    actor: &agio_store::Actor,
    slug: &str,
    indicator_id: &str,
    period: &str,
    file_name: &str,
    data: Vec<u8>,
) -> Result<Result<String, agio_domain::document::DocumentProblem>, Error> {
    let (e, label) = managed_evidence(ctx, who, slug, indicator_id, period).await?;
    let (name, content_type) = match agio_domain::document::checked(file_name, data.len()) {
        Ok(checked) => checked,
        Err(problem) => return Ok(Err(problem)),
    };
    let entity = EntityRef { kind: "indicator", id: &e.editor.at.indicator().id, label: &label };
    let mut w = ctx.store().begin_write(actor).await?;
    let id = w.add_evidence(entity, &e.measurement, &name, content_type, data).await?;
    w.commit().await?;
    ctx.after_write().await?;
    Ok(Ok(id))
}

/// Removes a file of a measurement (those who enter its values).
pub async fn remove_evidence(
    ctx: &impl Context,
    who: Option<&Principal>,
    actor: &agio_store::Actor,
    slug: &str,
    indicator_id: &str,
    period: &str,
    file_id: &str,
) -> Result<(), Error> {
    let (e, label) = managed_evidence(ctx, who, slug, indicator_id, period).await?;
    let file = e.files.iter().find(|f| f.id == file_id).ok_or(Error::NotFound)?;
    let entity = EntityRef { kind: "indicator", id: &e.editor.at.indicator().id, label: &label };
    let mut w = ctx.store().begin_write(actor).await?;
    if !w.remove_evidence(entity, &e.measurement, file).await? {
        return Err(Error::NotFound);
    }
    w.commit().await?;
    ctx.after_write().await?;
    Ok(())
}
