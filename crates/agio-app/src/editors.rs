//! What can be edited, by whom, and how a change is read and saved — shared by the HTML forms
//! (`pages::editing`) and the write API (`api::writes`), so that both accept, refuse and
//! record exactly the same things.

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::{
    can_move, ActionEdit, AgendaEdit, BudgetLineEdit, FieldProblem, IndicatorEdit, NewAction, ObjectiveEdit,
    OrganizationEdit, PartnerEdit, Reader, ResultEdit,
};
use agio_domain::AgendaStatus;
use agio_store::{Editable, Saved, WriteTx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Context;
use crate::{require, Error};

/// One editable record: the rule that guards it, how its fields are read, how it is saved.
pub trait Editor: Send + Sync {
    type Fields: Serialize + Send + Sync;
    /// Asks the authorisation module (403, or 404 where existence must not leak).
    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error>;
    /// Reads every field, reporting every problem (the same for forms and JSON).
    fn read(&self, reader: &mut Reader) -> Option<Self::Fields>;
    fn save(
        &self,
        w: &mut WriteTx,
        fields: &Self::Fields,
        version: i64,
    ) -> impl std::future::Future<Output = agio_store::Result<Saved<Self::Fields>>> + Send;
    /// The stored fields and the version they are at.
    fn current(&self) -> (&Self::Fields, i64);
    /// Reads what `save` needs besides the fields, before the write transaction begins: a write
    /// transaction holds its connection, and a read through the pool while the other writers
    /// hold theirs, waiting for the write lock, could find none free.
    fn prepare(&self, _fields: &Self::Fields) -> impl std::future::Future<Output = agio_store::Result<()>> + Send {
        std::future::ready(Ok(()))
    }
}

pub(crate) async fn facts(state: &impl Context, slug: &str) -> Result<AgendaFacts, Error> {
    state.store().agenda_facts(slug).await?.ok_or(Error::NotFound)
}

// --- an agenda ------------------------------------------------------------------------------

pub struct AgendaEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub stored: Editable<AgendaEdit>,
    pub status: AgendaStatus,
}

impl AgendaEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<AgendaEditor, Error> {
        let facts = facts(state, slug).await?;
        let (stored, status) = state.store().agenda_for_edit(slug).await?.ok_or(Error::NotFound)?;
        Ok(AgendaEditor { slug: slug.to_string(), facts, stored, status })
    }
}

impl Editor for AgendaEditor {
    type Fields = AgendaEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<AgendaEdit> {
        AgendaEdit::read(reader)
    }

    async fn save(&self, w: &mut WriteTx, fields: &AgendaEdit, version: i64) -> agio_store::Result<Saved<AgendaEdit>> {
        w.update_agenda(&self.stored.id, fields, version).await
    }

    fn current(&self) -> (&AgendaEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- an agenda's workflow -------------------------------------------------------------------

/// A move along the agenda workflow, with the note that explains it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusMove {
    pub status: AgendaStatus,
    pub note: String,
}

pub struct StatusEditor {
    pub agenda: AgendaEditor,
    /// The status now, as a move's starting point.
    pub from: StatusMove,
    /// The number of the latest approved version, if any: an approval publishes the next one.
    pub published: Option<i64>,
    /// To take the snapshot an approval publishes.
    store: agio_store::Store,
    /// The agenda as it stands, read by `prepare` when the move approves it.
    snapshot: std::sync::Mutex<Option<agio_store::AgendaSnapshot>>,
}

impl StatusEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<StatusEditor, Error> {
        let agenda = AgendaEditor::load(state, slug).await?;
        let from = StatusMove { status: agenda.status, note: String::new() };
        let published = state.store().agenda_versions(&agenda.facts.agenda_id).await?.first().map(|v| v.number);
        Ok(StatusEditor { agenda, from, published, store: state.store().clone(), snapshot: Default::default() })
    }

    /// The number an approval would publish.
    pub fn next_version(&self) -> i64 {
        self.published.unwrap_or(0) + 1
    }

    /// The statuses the workflow allows from here.
    pub fn moves(&self) -> Vec<AgendaStatus> {
        AgendaStatus::ALL.iter().copied().filter(|to| can_move(self.from.status, *to)).collect()
    }
}

impl Editor for StatusEditor {
    type Fields = StatusMove;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::ChangeStatus, &Target::Agenda(&self.agenda.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<StatusMove> {
        let status = reader.code::<AgendaStatus>("status");
        if status.is_some_and(|to| !can_move(self.from.status, to)) {
            let allowed = self.moves().iter().map(|s| s.code().to_string()).collect();
            reader.fail("status", FieldProblem::NotAMoveFromHere { allowed });
        }
        let note = reader.text("note");
        if note.is_empty() && !reader.errors.iter().any(|e| e.field == "note") {
            reader.fail("note", FieldProblem::Required);
        }
        Some(StatusMove { status: status?, note })
    }

    async fn prepare(&self, fields: &StatusMove) -> agio_store::Result<()> {
        if fields.status == AgendaStatus::Approved {
            let snapshot = self.store.agenda_snapshot(&self.agenda.slug).await?;
            *self.snapshot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = snapshot;
        }
        Ok(())
    }

    /// Approving also publishes an immutable version: the agenda as it stands, approved.
    async fn save(&self, w: &mut WriteTx, fields: &StatusMove, version: i64) -> agio_store::Result<Saved<StatusMove>> {
        let snapshot = match fields.status {
            AgendaStatus::Approved => self.snapshot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take(),
            _ => None,
        };
        Ok(match w.move_agenda(&self.agenda.stored.id, fields.status, &fields.note, version).await? {
            Saved::Done { version } => {
                if let Some(mut snapshot) = snapshot {
                    snapshot.detail.agenda.status = AgendaStatus::Approved;
                    snapshot.detail.agenda.version = version;
                    w.record_version(&self.agenda.stored.id, &snapshot, &fields.note).await?;
                }
                Saved::Done { version }
            }
            Saved::Stale { current, version } => {
                Saved::Stale { current: StatusMove { status: current, note: String::new() }, version }
            }
        })
    }

    fn current(&self) -> (&StatusMove, i64) {
        (&self.from, self.agenda.stored.version)
    }
}

// --- an action --------------------------------------------------------------------------------

pub struct ActionEditor {
    pub slug: String,
    pub code: String,
    pub facts: AgendaFacts,
    /// The id of the organisation leading the action (its referents may edit it).
    pub lead: Option<String>,
    pub stored: Editable<ActionEdit>,
    /// The sheets of the district's Piano di Zona the action may name (and the one it names, if
    /// no longer in the plan); none when the district has no plan: any reference is taken.
    pub sheets: Vec<String>,
}

impl ActionEditor {
    pub async fn load(state: &impl Context, slug: &str, code: &str) -> Result<ActionEditor, Error> {
        let facts = facts(state, slug).await?;
        let (stored, lead) = state.store().action_for_edit(slug, code).await?.ok_or(Error::NotFound)?;
        let mut sheets = state.store().zone_plan_sheets_of_agenda(slug).await?;
        if let Some(current) = stored.fields.zone_plan_ref.as_ref().filter(|r| !sheets.contains(r)) {
            if !sheets.is_empty() {
                sheets.push(current.clone());
            }
        }
        Ok(ActionEditor { slug: slug.to_string(), code: code.to_string(), facts, lead, stored, sheets })
    }

    pub fn target(&self) -> Target<'_> {
        Target::Action(&self.facts, self.lead.as_deref())
    }

    /// The action as the audit log names it.
    pub fn entity(&self) -> agio_store::EntityRef<'_> {
        agio_store::EntityRef { kind: "action", id: &self.stored.id, label: &self.stored.label }
    }
}

impl Editor for ActionEditor {
    type Fields = ActionEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &self.target())
    }

    /// A district with a Piano di Zona: the action names one of its sheets.
    fn read(&self, reader: &mut Reader) -> Option<ActionEdit> {
        let edit = ActionEdit::read(reader)?;
        let unknown = edit.zone_plan_ref.as_ref().is_some_and(|r| !self.sheets.is_empty() && !self.sheets.contains(r));
        if unknown {
            reader.fail("zone_plan_ref", FieldProblem::NotOneOf { allowed: self.sheets.clone() });
        }
        Some(edit)
    }

    async fn save(&self, w: &mut WriteTx, fields: &ActionEdit, version: i64) -> agio_store::Result<Saved<ActionEdit>> {
        w.update_action(&self.stored.id, fields, version).await
    }

    fn current(&self) -> (&ActionEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- an indicator, or an expected result, of an action ---------------------------------------

/// An editor of one line of an action that the referents report on (an indicator, an expected
/// result): found by its id within the action, guarded by the action's rule for results, and
/// versioned by the action (a line is part of its action).
macro_rules! reported_line_editor {
    ($(#[$doc:meta])* $editor:ident { $id:ident: $fields:ident }, $for_edit:ident, $update:ident) => {
        $(#[$doc])*
        pub struct $editor {
            pub action: ActionEditor,
            pub $id: String,
            pub stored: $fields,
        }

        impl $editor {
            pub async fn load(state: &impl Context, slug: &str, code: &str, id: &str) -> Result<$editor, Error> {
                let action = ActionEditor::load(state, slug, code).await?;
                let stored = state.store().$for_edit(&action.stored.id, id).await?.ok_or(Error::NotFound)?;
                Ok($editor { action, $id: id.to_string(), stored })
            }
        }

        impl Editor for $editor {
            type Fields = $fields;

            fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
                require(who, Operation::EditResults, &self.action.target())
            }

            fn read(&self, reader: &mut Reader) -> Option<$fields> {
                $fields::read(reader)
            }

            async fn save(&self, w: &mut WriteTx, fields: &$fields, version: i64) -> agio_store::Result<Saved<$fields>> {
                w.$update(&self.action.stored.id, &self.$id, fields, version).await
            }

            fn current(&self) -> (&$fields, i64) {
                (&self.stored, self.action.stored.version)
            }
        }
    };
}

reported_line_editor!(
    /// An indicator of an action: its target and the value reached.
    IndicatorEditor { indicator_id: IndicatorEdit },
    indicator_for_edit,
    update_indicator
);
reported_line_editor!(
    /// An expected result of an action.
    ResultEditor { result_id: ResultEdit },
    result_for_edit,
    update_result
);

// --- an organisation's part in an action, and a budget line --------------------------------------

pub struct PartnerEditor {
    pub action: ActionEditor,
    pub slug: String,
    pub organization_id: String,
    pub stored: PartnerEdit,
    /// Whether another organisation leads the action (there is one lead at most).
    other_lead: bool,
}

impl PartnerEditor {
    pub async fn load(
        state: &impl Context,
        slug: &str,
        code: &str,
        organization: &str,
    ) -> Result<PartnerEditor, Error> {
        let action = ActionEditor::load(state, slug, code).await?;
        let (organization_id, stored) =
            state.store().partner_for_edit(&action.stored.id, organization).await?.ok_or(Error::NotFound)?;
        let other_lead = action.lead.as_ref().is_some_and(|lead| *lead != organization_id);
        Ok(PartnerEditor { action, slug: organization.to_string(), organization_id, stored, other_lead })
    }
}

impl Editor for PartnerEditor {
    type Fields = PartnerEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &self.action.target())
    }

    fn read(&self, reader: &mut Reader) -> Option<PartnerEdit> {
        PartnerEdit::read(reader, self.other_lead)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &PartnerEdit,
        version: i64,
    ) -> agio_store::Result<Saved<PartnerEdit>> {
        w.update_partner(&self.action.entity(), &self.organization_id, fields, version).await
    }

    /// A line of the action: the action's version guards it.
    fn current(&self) -> (&PartnerEdit, i64) {
        (&self.stored, self.action.stored.version)
    }
}

pub struct BudgetLineEditor {
    pub action: ActionEditor,
    pub line_id: String,
    pub stored: BudgetLineEdit,
    /// The `funding_source` vocabulary.
    pub sources: Vec<agio_domain::model::Term>,
    /// What is already committed on the line: its amount cannot go below it.
    pub committed_cents: i64,
}

impl BudgetLineEditor {
    pub async fn load(state: &impl Context, slug: &str, code: &str, id: &str) -> Result<BudgetLineEditor, Error> {
        let action = ActionEditor::load(state, slug, code).await?;
        let stored = state.store().budget_line_for_edit(&action.stored.id, id).await?.ok_or(Error::NotFound)?;
        let sources = state.vocabularies().funding_source.clone();
        let spending = state.store().spending(&action.facts.agenda_id).await?;
        let committed_cents =
            spending.into_iter().find(|(line, _)| line == id).map_or(0, |(_, s)| s.fields.committed_cents);
        Ok(BudgetLineEditor { action, line_id: id.to_string(), stored, sources, committed_cents })
    }
}

impl Editor for BudgetLineEditor {
    type Fields = BudgetLineEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &self.action.target())
    }

    fn read(&self, reader: &mut Reader) -> Option<BudgetLineEdit> {
        let codes: Vec<String> = self.sources.iter().map(|t| t.code.clone()).collect();
        let line = BudgetLineEdit::read(reader, &codes)?;
        if line.amount_cents < self.committed_cents {
            let field = if reader.given("amount_cents") && !reader.given("amount") { "amount_cents" } else { "amount" };
            reader.fail(field, FieldProblem::BelowCommitted);
        }
        Some(line)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &BudgetLineEdit,
        version: i64,
    ) -> agio_store::Result<Saved<BudgetLineEdit>> {
        w.update_budget_line(&self.action.entity(), &self.line_id, fields, version).await
    }

    /// A line of the action: the action's version guards it.
    fn current(&self) -> (&BudgetLineEdit, i64) {
        (&self.stored, self.action.stored.version)
    }
}

// --- a shared objective of an agenda ------------------------------------------------------------

pub struct ObjectiveEditor {
    pub slug: String,
    pub code: String,
    pub facts: AgendaFacts,
    pub stored: Editable<ObjectiveEdit>,
}

impl ObjectiveEditor {
    pub async fn load(state: &impl Context, slug: &str, code: &str) -> Result<ObjectiveEditor, Error> {
        let facts = facts(state, slug).await?;
        let stored = state.store().objective_for_edit(slug, code).await?.ok_or(Error::NotFound)?;
        Ok(ObjectiveEditor { slug: slug.to_string(), code: code.to_string(), facts, stored })
    }
}

impl Editor for ObjectiveEditor {
    type Fields = ObjectiveEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<ObjectiveEdit> {
        ObjectiveEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &ObjectiveEdit,
        version: i64,
    ) -> agio_store::Result<Saved<ObjectiveEdit>> {
        w.update_objective(&self.stored.id, fields, version).await
    }

    fn current(&self) -> (&ObjectiveEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- an organisation's profile ----------------------------------------------------------------

pub struct OrganizationEditor {
    pub slug: String,
    pub stored: Editable<OrganizationEdit>,
    /// The organisation-type vocabulary.
    pub org_types: Vec<agio_domain::model::Term>,
    codes: Vec<String>,
}

impl OrganizationEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<OrganizationEditor, Error> {
        let stored = state.store().organization_for_edit(slug).await?.ok_or(Error::NotFound)?;
        let org_types = state.vocabularies().organization_type.clone();
        let codes = org_types.iter().map(|t| t.code.clone()).collect();
        Ok(OrganizationEditor { slug: slug.to_string(), stored, org_types, codes })
    }
}

impl Editor for OrganizationEditor {
    type Fields = OrganizationEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Organization(&self.stored.id))
    }

    fn read(&self, reader: &mut Reader) -> Option<OrganizationEdit> {
        OrganizationEdit::read(reader, &self.codes)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &OrganizationEdit,
        version: i64,
    ) -> agio_store::Result<Saved<OrganizationEdit>> {
        w.update_organization(&self.stored.id, fields, version).await
    }

    fn current(&self) -> (&OrganizationEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- new objectives and actions of an agenda -------------------------------------------------

/// Adding to an agenda: what the new-objective and new-action forms (and API) offer and check.
pub struct AgendaCreator {
    pub slug: String,
    pub title: String,
    pub facts: AgendaFacts,
    /// The agenda's objectives (code, title).
    pub objectives: Vec<(String, String)>,
    /// Organisations that may lead an action (slug, name).
    pub organizations: Vec<(String, String)>,
}

/// Created, with the new record's code; or every invalid field.
pub type Created = Result<String, Vec<agio_domain::edit::FieldError>>;

impl AgendaCreator {
    pub async fn load(state: &impl Context, slug: &str) -> Result<AgendaCreator, Error> {
        let facts = facts(state, slug).await?;
        let agenda = state.store().agenda(slug).await?.ok_or(Error::NotFound)?;
        // The draft's objectives too: its coordinators add actions to it before it is published.
        let objectives =
            state.store().objectives_of_agenda(&agenda.id).await?.into_iter().map(|o| (o.code, o.title)).collect();
        // Every organisation, however many there are.
        let organizations = state.store().choices(agio_store::Choosable::Organizations).await?;
        Ok(AgendaCreator { slug: slug.to_string(), title: agenda.title, facts, objectives, organizations })
    }

    pub fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Create, &Target::Agenda(&self.facts))
    }

    pub async fn create_objective(
        &self,
        state: &impl Context,
        actor: &agio_store::Actor,
        reader: Reader<'_>,
    ) -> Result<Created, Error> {
        let mut reader = reader;
        let new = ObjectiveEdit::read(&mut reader);
        let new = match reader.conclude(new) {
            Ok(new) => new,
            Err(errors) => return Ok(Err(errors)),
        };
        let mut w = state.store().begin_write(actor).await?;
        let code = w.create_objective(&self.facts.agenda_id, &self.title, &new).await?;
        w.commit().await?;
        state.after_write().await?;
        Ok(Ok(code))
    }

    pub async fn create_action(
        &self,
        state: &impl Context,
        actor: &agio_store::Actor,
        reader: Reader<'_>,
    ) -> Result<Created, Error> {
        let mut reader = reader;
        let objectives: Vec<String> = self.objectives.iter().map(|(code, _)| code.clone()).collect();
        let organizations: Vec<String> = self.organizations.iter().map(|(slug, _)| slug.clone()).collect();
        let new = NewAction::read(&mut reader, &objectives, &organizations);
        let new = match reader.conclude(new) {
            Ok(new) => new,
            Err(errors) => return Ok(Err(errors)),
        };
        let objective = state.store().objective(&self.slug, &new.objective).await?.ok_or(Error::NotFound)?;
        let lead = match &new.lead {
            Some(slug) => Some(state.store().organization(slug).await?.ok_or(Error::NotFound)?.id),
            None => None,
        };
        let mut w = state.store().begin_write(actor).await?;
        let code = w.create_action(&self.facts.agenda_id, &objective.id, lead.as_deref(), &new).await?;
        w.commit().await?;
        state.after_write().await?;
        Ok(Ok(code))
    }
}

// --- a service of the directory ---------------------------------------------------------------

pub struct ServiceEditor {
    pub stored: agio_store::StoredService,
    /// The AGIO organisation providing it (its referents may edit it).
    pub owner: Option<String>,
    pub fields: agio_domain::edit::ServiceEdit,
}

impl ServiceEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<ServiceEditor, Error> {
        let stored = state.store().directory_service(slug).await?.filter(|s| s.slug == slug).ok_or(Error::NotFound)?;
        let organization =
            stored.document.pointer("/organization/id").and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let owner = state
            .store()
            .directory_organization_owners(std::slice::from_ref(&organization))
            .await?
            .remove(&organization)
            .flatten();
        let fields = agio_directory::editing::edit_of(&stored.document);
        Ok(ServiceEditor { stored, owner, fields })
    }
}

impl Editor for ServiceEditor {
    type Fields = agio_domain::edit::ServiceEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Services(self.owner.as_deref()))
    }

    fn read(&self, reader: &mut Reader) -> Option<Self::Fields> {
        agio_domain::edit::ServiceEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &Self::Fields,
        version: i64,
    ) -> agio_store::Result<Saved<Self::Fields>> {
        let document = agio_directory::editing::apply_edit(&self.stored.document, fields, &agio_store::now());
        match w.update_service(&document, version).await? {
            Some(version) => Ok(Saved::Done { version }),
            None => Ok(Saved::Stale { current: self.fields.clone(), version: self.stored.version }),
        }
    }

    fn current(&self) -> (&Self::Fields, i64) {
        (&self.fields, self.stored.version)
    }
}

// --- a territory's profile ------------------------------------------------------------------

/// The district a profile is of, and who may write it.
pub struct ProfileOf {
    pub territory: agio_domain::model::Territory,
    pub facts: agio_domain::access::ProfileFacts,
    /// None until the profile is started.
    pub profile_id: Option<String>,
}

impl ProfileOf {
    pub async fn load(state: &impl Context, slug: &str) -> Result<ProfileOf, Error> {
        let store = state.store();
        let territory = store.territory(slug).await?.filter(|t| t.slug == slug).ok_or(Error::NotFound)?;
        if territory.kind == agio_domain::TerritoryKind::Region {
            return Err(Error::NotFound);
        }
        let stored = store.profile(&territory.id).await?;
        let published = stored.as_ref().is_some_and(|p| p.status == agio_domain::ProfileStatus::Published);
        let facts = crate::profile::facts(store, &territory, published).await?;
        Ok(ProfileOf { territory, facts, profile_id: stored.map(|p| p.id) })
    }

    /// Whether `who` may write the profile (404 for a draft they may not see).
    pub fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Profile(&self.facts))
    }
}

/// A district's digital-welfare profile: its status and the distance that makes a comune far.
/// A district without one starts it here, as a draft.
pub struct ProfileEditor {
    pub of: ProfileOf,
    pub stored: Editable<agio_domain::edit::ProfileEdit>,
    /// The profile as it stands, which a save as published publishes as its next version.
    live: crate::profile::Profile,
    codes: crate::profile::Codes,
}

impl ProfileEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<ProfileEditor, Error> {
        let of = ProfileOf::load(state, slug).await?;
        let store = state.store();
        let (stored, profile) =
            match (store.profile_for_edit(&of.territory.id).await?, store.profile(&of.territory.id).await?) {
                (Some(stored), Some(profile)) => (stored, profile),
                _ => {
                    let fields = agio_domain::edit::ProfileEdit {
                        status: agio_domain::ProfileStatus::Draft,
                        facilitation_km: agio_domain::edit::DEFAULT_FACILITATION_KM,
                    };
                    let blank = agio_store::StoredProfile {
                        id: String::new(),
                        territory_id: of.territory.id.clone(),
                        status: fields.status,
                        facilitation_km: fields.facilitation_km,
                        is_demo: false,
                        version: 0,
                        published_at: None,
                        updated_at: String::new(),
                    };
                    (Editable { id: String::new(), label: String::new(), version: 0, fields }, blank)
                }
            };
        let codes = crate::profile::Codes::of(state);
        let live =
            crate::profile::live(store, state.directory(), of.territory.clone(), profile, &codes.measure()).await?;
        Ok(ProfileEditor { of, stored, live, codes })
    }
}

impl Editor for ProfileEditor {
    type Fields = agio_domain::edit::ProfileEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        self.of.allowed(who)
    }

    fn read(&self, reader: &mut Reader) -> Option<Self::Fields> {
        agio_domain::edit::ProfileEdit::read(reader)
    }

    /// Saving it as published publishes the profile as it stands as a new version.
    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &Self::Fields,
        version: i64,
    ) -> agio_store::Result<Saved<Self::Fields>> {
        let name = &self.of.territory.name;
        let mut live = self.live.clone();
        let saved = if self.stored.id.is_empty() {
            live.stored.id = w.create_profile(&self.of.territory.id, name, fields).await?;
            Saved::Done { version: 1 }
        } else {
            w.update_profile(&self.stored, name, fields, version).await?
        };
        if matches!(saved, Saved::Done { .. }) && fields.status == agio_domain::ProfileStatus::Published {
            crate::profile::publish(w, &live.at_distance(fields.facilitation_km, &self.codes.measure())).await?;
        }
        Ok(saved)
    }

    fn current(&self) -> (&Self::Fields, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// The vocabularies an internal service is described with: target groups, life stages, needs.
fn service_terms(state: &impl Context) -> [Vec<agio_domain::model::Term>; 3] {
    let v = state.vocabularies();
    [v.target_group.clone(), v.life_stage.clone(), v.need.clone()]
}

/// A line of one of a profile's lists (its internal services, its databases): blank, found,
/// read and saved.
pub trait ProfileItem: Sized + Clone + Serialize + Send + Sync + 'static {
    fn blank() -> Self;
    fn find(
        store: &agio_store::Store,
        profile_id: &str,
        id: &str,
    ) -> impl std::future::Future<Output = agio_store::Result<Option<Editable<Self>>>> + Send;
    /// `terms`: target groups, life stages and needs, for the lists that use them.
    fn read(reader: &mut Reader, terms: &[Vec<agio_domain::model::Term>; 3]) -> Option<Self>;
    fn create(
        w: &mut WriteTx,
        profile_id: &str,
        item: &Self,
    ) -> impl std::future::Future<Output = agio_store::Result<String>> + Send;
    fn update(
        w: &mut WriteTx,
        before: &Editable<Self>,
        profile_id: &str,
        item: &Self,
        version: i64,
    ) -> impl std::future::Future<Output = agio_store::Result<Saved<Self>>> + Send;
}

impl ProfileItem for agio_domain::edit::InternalServiceEdit {
    fn blank() -> Self {
        agio_domain::edit::InternalServiceEdit {
            name: String::new(),
            description: String::new(),
            digital_level: 0,
            target_groups: Vec::new(),
            life_stages: Vec::new(),
            needs: Vec::new(),
            channels: Vec::new(),
            platforms: Vec::new(),
        }
    }

    async fn find(store: &agio_store::Store, profile_id: &str, id: &str) -> agio_store::Result<Option<Editable<Self>>> {
        store.internal_service_for_edit(profile_id, id).await
    }

    fn read(reader: &mut Reader, terms: &[Vec<agio_domain::model::Term>; 3]) -> Option<Self> {
        let codes = |terms: &[agio_domain::model::Term]| terms.iter().map(|t| t.code.clone()).collect::<Vec<_>>();
        let [target_groups, life_stages, needs] = terms.each_ref().map(|t| codes(t));
        let terms =
            agio_domain::edit::ServiceTerms { target_groups: &target_groups, life_stages: &life_stages, needs: &needs };
        agio_domain::edit::InternalServiceEdit::read(reader, &terms)
    }

    async fn create(w: &mut WriteTx, profile_id: &str, item: &Self) -> agio_store::Result<String> {
        w.create_internal_service(profile_id, item).await
    }

    async fn update(
        w: &mut WriteTx,
        before: &Editable<Self>,
        profile_id: &str,
        item: &Self,
        version: i64,
    ) -> agio_store::Result<Saved<Self>> {
        w.update_internal_service(before, profile_id, item, version).await
    }
}

impl ProfileItem for agio_domain::edit::DatabaseEdit {
    fn blank() -> Self {
        agio_domain::edit::DatabaseEdit {
            name: String::new(),
            holder: String::new(),
            contents: String::new(),
            personal_data: true,
            special_categories: false,
            legal_basis: String::new(),
            format: String::new(),
            update_frequency: String::new(),
            access: agio_domain::DatabaseAccess::None,
            used_by: String::new(),
        }
    }

    async fn find(store: &agio_store::Store, profile_id: &str, id: &str) -> agio_store::Result<Option<Editable<Self>>> {
        store.profile_database_for_edit(profile_id, id).await
    }

    fn read(reader: &mut Reader, _: &[Vec<agio_domain::model::Term>; 3]) -> Option<Self> {
        agio_domain::edit::DatabaseEdit::read(reader)
    }

    async fn create(w: &mut WriteTx, profile_id: &str, item: &Self) -> agio_store::Result<String> {
        w.create_profile_database(profile_id, item).await
    }

    async fn update(
        w: &mut WriteTx,
        before: &Editable<Self>,
        profile_id: &str,
        item: &Self,
        version: i64,
    ) -> agio_store::Result<Saved<Self>> {
        w.update_profile_database(before, profile_id, item, version).await
    }
}

/// A line of a profile's list, new (`stored.id` empty) or stored.
pub struct ProfileItemEditor<T: ProfileItem> {
    pub of: ProfileOf,
    pub stored: Editable<T>,
    /// Target groups, life stages, needs: what the form offers.
    pub terms: [Vec<agio_domain::model::Term>; 3],
}

/// An internal service of a profile.
pub type InternalServiceEditor = ProfileItemEditor<agio_domain::edit::InternalServiceEdit>;
/// An essential database of a profile.
pub type DatabaseEditor = ProfileItemEditor<agio_domain::edit::DatabaseEdit>;

impl<T: ProfileItem> ProfileItemEditor<T> {
    /// The line `id` of the district's profile; `None`: a new one.
    pub async fn load(state: &impl Context, slug: &str, id: Option<&str>) -> Result<Self, Error> {
        let of = ProfileOf::load(state, slug).await?;
        let profile_id = of.profile_id.clone().ok_or(Error::NotFound)?;
        let stored = match id {
            Some(id) => T::find(state.store(), &profile_id, id).await?.ok_or(Error::NotFound)?,
            None => Editable { id: String::new(), label: String::new(), version: 0, fields: T::blank() },
        };
        Ok(ProfileItemEditor { of, stored, terms: service_terms(state) })
    }
}

impl<T: ProfileItem> Editor for ProfileItemEditor<T> {
    type Fields = T;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        self.of.allowed(who)
    }

    fn read(&self, reader: &mut Reader) -> Option<T> {
        T::read(reader, &self.terms)
    }

    async fn save(&self, w: &mut WriteTx, fields: &T, version: i64) -> agio_store::Result<Saved<T>> {
        let profile_id = self.of.profile_id.as_deref().unwrap_or_default();
        if self.stored.id.is_empty() {
            T::create(w, profile_id, fields).await?;
            return Ok(Saved::Done { version: 1 });
        }
        T::update(w, &self.stored, profile_id, fields, version).await
    }

    fn current(&self) -> (&T, i64) {
        (&self.stored.fields, self.stored.version)
    }
}
