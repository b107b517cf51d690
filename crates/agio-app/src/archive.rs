//! Archiving and restoring: an objective or action leaves its agenda's plan, an organisation or
//! a union leaves the lists; each keeps its page, its links and its history, and can be
//! restored. Shared by the forms (`pages::archive`) and the API's DELETE.

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::model::Organization;
use agio_store::{Actor, Archivable, EntityRef, UnionDetail};

use crate::Context;
use crate::{require, Error};

/// Whose rule decides: the agenda's coordinators, or the Region.
enum Guard {
    Agenda(AgendaFacts),
    Action(AgendaFacts, Option<String>),
    Organization(String),
    Region,
}

/// One record that can be archived, found from its address.
pub struct Archiving {
    pub what: Archivable,
    pub id: String,
    pub label: String,
    /// The record's page (where a restore leads), or its agenda's for an objective.
    pub page: String,
    pub archived_at: Option<String>,
    guard: Guard,
}

impl Archiving {
    /// The action `code` of agenda `slug`.
    pub async fn action(state: &impl Context, slug: &str, code: &str) -> Result<Archiving, Error> {
        let facts = state.store().agenda_facts(slug).await?.ok_or(Error::NotFound)?;
        let (stored, lead) = state.store().action_for_edit(slug, code).await?.ok_or(Error::NotFound)?;
        let action = state.store().action(slug, code).await?.ok_or(Error::NotFound)?;
        Ok(Archiving {
            what: Archivable::Action,
            id: stored.id,
            label: stored.label,
            page: format!("/agende/{slug}/azioni/{code}"),
            archived_at: action.archived_at,
            guard: Guard::Action(facts, lead),
        })
    }

    /// The objective `code` of agenda `slug`.
    pub async fn objective(state: &impl Context, slug: &str, code: &str) -> Result<Archiving, Error> {
        let facts = state.store().agenda_facts(slug).await?.ok_or(Error::NotFound)?;
        let objective = state.store().objective(slug, code).await?.ok_or(Error::NotFound)?;
        Ok(Archiving {
            what: Archivable::Objective,
            id: objective.id,
            label: format!("{} {}", objective.code, objective.title),
            page: format!("/agende/{slug}/archivio"),
            archived_at: objective.archived_at,
            guard: Guard::Agenda(facts),
        })
    }

    pub async fn organization(state: &impl Context, slug: &str) -> Result<Archiving, Error> {
        let organization = state.store().organization(slug).await?.ok_or(Error::NotFound)?;
        Ok(Archiving::of_organization(&organization))
    }

    /// An organisation already read (its page has it).
    pub fn of_organization(organization: &Organization) -> Archiving {
        Archiving {
            what: Archivable::Organization,
            id: organization.id.clone(),
            label: organization.name.clone(),
            page: format!("/soggetti/{}", organization.slug),
            archived_at: organization.archived_at.clone(),
            guard: Guard::Organization(organization.id.clone()),
        }
    }

    pub async fn union(state: &impl Context, slug: &str) -> Result<Archiving, Error> {
        let d = state.store().union_detail(slug).await?.ok_or(Error::NotFound)?;
        Ok(Archiving::of_union(&d))
    }

    /// A union already read (its page has it).
    pub fn of_union(d: &UnionDetail) -> Archiving {
        Archiving {
            what: Archivable::Union,
            id: d.union.id.clone(),
            label: d.union.name.clone(),
            page: format!("/territori/unioni/{}", d.union.slug),
            archived_at: d.archived_at.clone(),
            guard: Guard::Region,
        }
    }

    /// Asks the authorisation module (403, or 404 where existence must not leak).
    pub fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        let target = match &self.guard {
            Guard::Agenda(facts) => Target::Agenda(facts),
            Guard::Action(facts, lead) => Target::Action(facts, lead.as_deref()),
            Guard::Organization(id) => Target::Organization(id),
            Guard::Region => Target::Region,
        };
        require(who, Operation::Archive, &target)
    }

    /// Archives (`archive`) or restores the record, with a note; 404 if it already is.
    pub async fn set(&self, state: &impl Context, actor: &Actor, archive: bool, note: &str) -> Result<(), Error> {
        let mut w = state.store().begin_write(actor).await?;
        let entity = EntityRef { kind: "", id: &self.id, label: &self.label };
        if !w.set_archived(self.what, entity, archive, note).await? {
            return Err(Error::NotFound);
        }
        w.commit().await?;
        state.after_write().await?;
        Ok(())
    }
}
