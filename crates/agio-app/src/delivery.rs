//! How an action is being carried out, beside its measured results: its milestones and what
//! is committed and paid of its budget lines (`agio_domain::delivery` has the rules). The
//! referents of the action's lead organisation and the coordinators record them; everyone who
//! may see the action reads them. Shared by the pages and the API.

use std::collections::HashMap;

use agio_domain::access::{Operation, Principal};
use agio_domain::delivery::{Financial, Milestone, MilestoneEdit, MilestoneState, SpendingEdit};
use agio_domain::edit::Reader;
use agio_domain::model::BudgetLine;
use agio_domain::monitoring::ActionProgress;
use agio_domain::MilestoneStatus;
use agio_store::{Actor, Editable, EntityRef, Saved, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

use crate::editors::Editor;
use crate::monitoring::{monitoring, today, Monitoring};
use crate::{require, Context, Error};

/// A milestone and where it stands today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MilestoneView {
    #[serde(flatten)]
    pub milestone: Milestone,
    pub state: MilestoneState,
}

/// A budget line with what is committed and paid of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineSpending {
    pub line: BudgetLine,
    /// The figures recorded, none before the first.
    pub recorded: Option<SpendingEdit>,
    pub financial: Financial,
    /// The stored row (its id and version), for those who change it.
    #[serde(skip)]
    stored: Option<Editable<SpendingEdit>>,
}

/// One action's delivery as one reader sees it.
pub struct ActionDelivery {
    pub monitoring: Monitoring,
    pub action: ActionProgress,
    pub milestones: Vec<MilestoneView>,
    pub lines: Vec<LineSpending>,
    /// The lines summed.
    pub financial: Financial,
    /// The reader records milestones and spending.
    pub records: bool,
}

/// What an agenda's actions have recorded, as the reader may see them, by action id.
struct Recorded {
    milestones: HashMap<String, Vec<Milestone>>,
    lines: HashMap<String, Vec<LineSpending>>,
}

/// The milestones and budget lines of the agenda's actions in `m`: for the public, the budget
/// lines of the approved version (as its page shows them), for those who work on it the
/// working draft's.
async fn recorded(ctx: &impl Context, m: &Monitoring) -> Result<Recorded, Error> {
    let store = ctx.store();
    let mut milestones: HashMap<String, Vec<Milestone>> = HashMap::new();
    for milestone in store.milestones(&m.facts.agenda_id).await? {
        milestones.entry(milestone.action_id.clone()).or_default().push(milestone);
    }
    let budget: Vec<(String, BudgetLine)> = match store.agenda_version(&m.facts.agenda_id, None).await? {
        Some((_, snapshot)) if !m.works_on => snapshot
            .actions
            .into_iter()
            .flat_map(|a| {
                let id = a.summary.id;
                a.budget.into_iter().map(move |line| (id.clone(), line))
            })
            .collect(),
        _ => store.budget_lines_of_agenda(&m.facts.agenda_id).await?,
    };
    let mut spending: HashMap<String, Editable<SpendingEdit>> =
        store.spending(&m.facts.agenda_id).await?.into_iter().collect();
    let mut lines: HashMap<String, Vec<LineSpending>> = HashMap::new();
    for (action_id, line) in budget {
        let stored = spending.remove(&line.id);
        let financial = Financial::of_line(line.amount_cents, stored.as_ref().map(|s| &s.fields));
        let spent = LineSpending { line, recorded: stored.as_ref().map(|s| s.fields.clone()), financial, stored };
        lines.entry(action_id).or_default().push(spent);
    }
    Ok(Recorded { milestones, lines })
}

/// Each action's financial progress in the agenda, by action id, and the agenda's.
pub async fn agenda_financial(
    ctx: &impl Context,
    m: &Monitoring,
) -> Result<(HashMap<String, Financial>, Financial), Error> {
    let by_action: HashMap<String, Financial> = recorded(ctx, m)
        .await?
        .lines
        .into_iter()
        .map(|(action, lines)| (action, lines.iter().map(|l| l.financial).sum()))
        .collect();
    // The agenda's: of the actions in the tree the reader sees (not archived ones).
    let shown = m.progress.objectives.iter().flat_map(|o| &o.actions);
    let total = shown.filter_map(|a| by_action.get(&a.id)).copied().sum();
    Ok((by_action, total))
}

/// Action `code` of the agenda with its milestones and financial progress.
pub async fn delivery(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    code: &str,
) -> Result<ActionDelivery, Error> {
    let monitoring = monitoring(ctx, who, slug).await?;
    let action = monitoring.action(code)?.clone();
    let mut recorded = recorded(ctx, &monitoring).await?;
    let today = today();
    let milestones = recorded
        .milestones
        .remove(&action.id)
        .unwrap_or_default()
        .into_iter()
        .map(|milestone| MilestoneView { state: milestone.fields.state(&today), milestone })
        .collect();
    let lines = recorded.lines.remove(&action.id).unwrap_or_default();
    let financial = lines.iter().map(|l| l.financial).sum();
    let records = Monitoring::enters(who, &monitoring.facts, action.lead_organization.as_deref());
    Ok(ActionDelivery { monitoring, action, milestones, lines, financial, records })
}

impl ActionDelivery {
    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        let target =
            agio_domain::access::Target::Action(&self.monitoring.facts, self.action.lead_organization.as_deref());
        require(who, Operation::EditResults, &target)
    }

    /// The action as the audit log names it: "A1 — title".
    fn label(&self) -> String {
        format!("{} — {}", self.action.code, self.action.title)
    }

    fn entity<'a>(&'a self, label: &'a str) -> EntityRef<'a> {
        EntityRef { kind: "action", id: &self.action.id, label }
    }

    pub fn slug(&self) -> &str {
        &self.monitoring.slug
    }
}

/// A milestone of an action: a new one, or one to change.
pub struct MilestoneEditor {
    pub delivery: ActionDelivery,
    pub stored: Option<Milestone>,
    current: MilestoneEdit,
}

impl MilestoneEditor {
    /// The milestone `id` of action `code` (a new one: None); 404 when the action has none such.
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        code: &str,
        id: Option<&str>,
    ) -> Result<MilestoneEditor, Error> {
        let delivery = delivery(ctx, who, slug, code).await?;
        let stored = match id {
            Some(id) => Some(
                delivery.milestones.iter().find(|m| m.milestone.id == id).ok_or(Error::NotFound)?.milestone.clone(),
            ),
            None => None,
        };
        let current = stored.as_ref().map(|m| m.fields.clone()).unwrap_or_else(|| MilestoneEdit {
            title: String::new(),
            planned_date: String::new(),
            actual_date: None,
            status: MilestoneStatus::Planned,
            note: String::new(),
        });
        Ok(MilestoneEditor { delivery, stored, current })
    }

    /// Removes the milestone (those who record the action's delivery).
    pub async fn remove(&self, ctx: &impl Context, who: Option<&Principal>, actor: &Actor) -> Result<(), Error> {
        self.allowed(who)?;
        let milestone = self.stored.as_ref().ok_or(Error::NotFound)?;
        let label = self.delivery.label();
        let mut w = ctx.store().begin_write(actor).await?;
        w.remove_milestone(self.delivery.entity(&label), milestone).await?;
        w.commit().await?;
        ctx.after_write().await?;
        Ok(())
    }
}

impl Editor for MilestoneEditor {
    type Fields = MilestoneEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        self.delivery.allowed(who)
    }

    fn read(&self, reader: &mut Reader) -> Option<MilestoneEdit> {
        MilestoneEdit::read(reader, &today())
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &MilestoneEdit,
        version: i64,
    ) -> agio_store::Result<Saved<MilestoneEdit>> {
        let label = self.delivery.label();
        w.save_milestone(self.delivery.entity(&label), self.stored.as_ref(), fields, version).await
    }

    fn current(&self) -> (&MilestoneEdit, i64) {
        (&self.current, self.stored.as_ref().map_or(0, |m| m.version))
    }
}

/// What is committed and paid of one budget line of an action.
pub struct SpendingEditor {
    pub delivery: ActionDelivery,
    pub line: LineSpending,
    current: SpendingEdit,
}

impl SpendingEditor {
    /// Budget line `line_id` of action `code`; 404 when the action has none such.
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        code: &str,
        line_id: &str,
    ) -> Result<SpendingEditor, Error> {
        let delivery = delivery(ctx, who, slug, code).await?;
        let line = delivery.lines.iter().find(|l| l.line.id == line_id).cloned().ok_or(Error::NotFound)?;
        // A line without figures has no date yet: its form starts empty.
        let current =
            line.recorded.clone().unwrap_or(SpendingEdit { committed_cents: 0, paid_cents: 0, as_of: String::new() });
        Ok(SpendingEditor { delivery, line, current })
    }

    /// How the history names the line: its funding source, amount and CUP.
    fn line_label(&self) -> String {
        let line = &self.line.line;
        let cup = line.cup.as_deref().map(|c| format!(" (CUP {c})")).unwrap_or_default();
        format!("{}{cup}", line.funding_source.label_it)
    }

    pub fn is_new(&self) -> bool {
        self.line.stored.is_none()
    }
}

impl Editor for SpendingEditor {
    type Fields = SpendingEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        self.delivery.allowed(who)
    }

    fn read(&self, reader: &mut Reader) -> Option<SpendingEdit> {
        SpendingEdit::read(reader, self.line.line.amount_cents, &today())
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &SpendingEdit,
        version: i64,
    ) -> agio_store::Result<Saved<SpendingEdit>> {
        let label = self.delivery.label();
        let line = self.line_label();
        let entity = self.delivery.entity(&label);
        w.save_spending(entity, &self.line.line.id, &line, self.line.stored.as_ref(), fields, version).await
    }

    fn current(&self) -> (&SpendingEdit, i64) {
        (&self.current, self.line.stored.as_ref().map_or(0, |s| s.version))
    }
}
