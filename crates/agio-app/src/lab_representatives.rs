//! Organisations' representatives in a Community Lab: a participant asks to take part for an
//! organisation; the agenda's coordinators confirm or refuse; a confirmed representative may
//! propose ideas for the organisation (`lab::IdeaEditor`), and the idea names it.

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::Reader;
use agio_domain::lab::{Process, Representation, RepresentationEdit};
use agio_domain::RepresentationStatus;
use agio_store::{Actor, Choosable, Saved, WriteTx};

use crate::editors::Editor;
use crate::{require, Context, Error};

/// The organisations `person` represents in the process (confirmed): (slug, name).
pub async fn represented(
    ctx: &impl Context,
    process_id: &str,
    person_id: &str,
) -> Result<Vec<(String, String)>, Error> {
    Ok(ctx
        .store()
        .lab_representations_of(process_id, person_id)
        .await?
        .into_iter()
        .filter(|r| r.status == RepresentationStatus::Confirmed)
        .map(|r| (r.organization_slug, r.organization))
        .collect())
}

/// Every request of the process, for its coordinators.
pub async fn requests(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
) -> Result<(AgendaFacts, Process, Vec<Representation>), Error> {
    let (facts, process) = crate::lab::process(ctx, who, slug).await?;
    require(who, Operation::Moderate, &Target::Agenda(&facts))?;
    let requests = ctx.store().lab_representations(&process.id).await?;
    Ok((facts, process, requests))
}

/// Confirms or refuses request `id`, as read at `version`.
pub async fn decide(
    ctx: &impl Context,
    who: Option<&Principal>,
    actor: &Actor,
    slug: &str,
    id: &str,
    version: i64,
    status: RepresentationStatus,
) -> Result<Representation, Error> {
    let (_, _, requests) = requests(ctx, who, slug).await?;
    let request = requests.into_iter().find(|r| r.id == id).ok_or(Error::NotFound)?;
    let mut w = ctx.store().begin_write(actor).await?;
    match w.decide_representation(&request, status, version).await? {
        Saved::Done { .. } => w.commit().await?,
        Saved::Stale { .. } => return Err(Error::Conflict("the request was decided meanwhile".into())),
    }
    ctx.after_write().await?;
    Ok(Representation { status, ..request })
}

/// A participant's request to take part for an organisation.
pub struct RepresentationEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub process: Process,
    /// The organisations one may still ask for (not asked before): (slug, name).
    pub organizations: Vec<(String, String)>,
    /// What the person asked before, and where it stands.
    pub asked: Vec<Representation>,
    person: Option<String>,
    blank: RepresentationEdit,
}

impl RepresentationEditor {
    pub async fn load(ctx: &impl Context, who: Option<&Principal>, slug: &str) -> Result<RepresentationEditor, Error> {
        let (facts, process) = crate::lab::process(ctx, who, slug).await?;
        let asked = match who {
            Some(p) => ctx.store().lab_representations_of(&process.id, &p.person_id).await?,
            None => Vec::new(),
        };
        let organizations = ctx
            .store()
            .choices(Choosable::Organizations)
            .await?
            .into_iter()
            .filter(|(slug, _)| !asked.iter().any(|a| a.organization_slug == *slug))
            .collect();
        let blank = RepresentationEdit { organization: String::new(), role: String::new() };
        let person = who.map(|p| p.person_id.clone());
        Ok(RepresentationEditor { slug: slug.into(), facts, process, organizations, asked, person, blank })
    }
}

impl Editor for RepresentationEditor {
    type Fields = RepresentationEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Participate, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<RepresentationEdit> {
        let slugs: Vec<String> = self.organizations.iter().map(|(slug, _)| slug.clone()).collect();
        RepresentationEdit::read(reader, &slugs)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &RepresentationEdit,
        _version: i64,
    ) -> agio_store::Result<Saved<RepresentationEdit>> {
        let person = self.person.as_deref().unwrap_or_default();
        w.request_representation(&self.process.id, person, fields).await?;
        Ok(Saved::Done { version: 1 })
    }

    fn current(&self) -> (&RepresentationEdit, i64) {
        (&self.blank, 0)
    }
}
