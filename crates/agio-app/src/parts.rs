//! The lists inside an action — organisations taking part, budget lines, expected results,
//! indicators, digital assets — and how one line is added or removed. Shared by the forms
//! (`pages::parts`) and the write API, so that both check and record exactly the same things.

use agio_domain::access::Operation;
use agio_domain::edit::{
    BudgetLineEdit, FieldError, FieldProblem, NewAssetLink, NewIndicator, NewPartner, Reader, ResultEdit,
};
use agio_domain::model::Action;
use agio_domain::PartnerRole;
use agio_store::{Actor, Choosable};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::editors::{ActionEditor, Created};
use crate::Context;
use crate::{require, Error};

/// One of an action's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    Partners,
    BudgetLines,
    Results,
    Indicators,
    Assets,
}

impl Part {
    pub const ALL: &'static [Part] =
        &[Part::Partners, Part::BudgetLines, Part::Results, Part::Indicators, Part::Assets];

    /// The path segment of its page (`/agende/{slug}/azioni/{code}/{segment}`).
    pub fn segment(self) -> &'static str {
        match self {
            Part::Partners => "soggetti",
            Part::BudgetLines => "budget",
            Part::Results => "risultati",
            Part::Indicators => "indicatori",
            Part::Assets => "asset",
        }
    }

    /// Results and indicators are the referents' reporting; the rest is the action's plan.
    pub fn operation(self) -> Operation {
        match self {
            Part::Results | Part::Indicators => Operation::EditResults,
            _ => Operation::Edit,
        }
    }
}

/// A line read and checked, ready to add.
enum NewLine {
    Partner(NewPartner),
    Budget(BudgetLineEdit),
    Result(ResultEdit),
    Indicator(NewIndicator),
    Asset(NewAssetLink),
}

/// An action being changed list by list, with what its forms offer to choose from.
pub struct PartsEditor {
    pub action: ActionEditor,
    pub detail: Action,
    /// Every organisation and every digital asset (slug, name).
    organizations: Vec<(String, String)>,
    assets: Vec<(String, String)>,
}

impl PartsEditor {
    /// Loads the action, answering 403/404 unless `who` may change `part`.
    pub async fn load(
        state: &impl Context,
        who: Option<&agio_domain::access::Principal>,
        slug: &str,
        code: &str,
        part: Part,
    ) -> Result<PartsEditor, Error> {
        let action = ActionEditor::load(state, slug, code).await?;
        require(who, part.operation(), &action.target())?;
        let detail = state.store().action(slug, code).await?.ok_or(Error::NotFound)?;
        let organizations = state.store().choices(Choosable::Organizations).await?;
        let assets = state.store().choices(Choosable::Assets).await?;
        Ok(PartsEditor { action, detail, organizations, assets })
    }

    /// The options of the select that names what a new line is about (`None` for budget lines).
    pub fn choices(&self, part: Part) -> Option<Vec<(String, String)>> {
        let not_in = |all: &[(String, String)], taken: &[&str]| {
            all.iter().filter(|(slug, _)| !taken.contains(&slug.as_str())).cloned().collect()
        };
        match part {
            Part::Partners => {
                let taking_part: Vec<&str> =
                    self.detail.partners.iter().map(|p| p.organization.slug.as_str()).collect();
                Some(not_in(&self.organizations, &taking_part))
            }
            Part::Assets => {
                let linked: Vec<&str> = self.detail.assets.iter().map(|a| a.slug.as_str()).collect();
                Some(not_in(&self.assets, &linked))
            }
            Part::Indicators => {
                Some(self.detail.results.iter().map(|r| (r.id.clone(), r.description.clone())).collect())
            }
            Part::BudgetLines | Part::Results => None,
        }
    }

    /// Reads a new line and adds it; returns its id (or the slug it links), or every invalid field.
    pub async fn add(
        &self,
        state: &impl Context,
        actor: &Actor,
        part: Part,
        mut reader: Reader<'_>,
    ) -> Result<Created, Error> {
        let slugs = |all: &[(String, String)]| all.iter().map(|(slug, _)| slug.clone()).collect::<Vec<_>>();
        let r = &mut reader;
        let read = match part {
            Part::Partners => {
                let taking_part: Vec<String> =
                    self.detail.partners.iter().map(|p| p.organization.slug.clone()).collect();
                let has_lead = self.detail.partners.iter().any(|p| p.role == PartnerRole::Lead);
                NewPartner::read(r, &slugs(&self.organizations), &taking_part, has_lead).map(NewLine::Partner)
            }
            Part::BudgetLines => {
                let sources: Vec<String> = state.vocabularies().funding_source.iter().map(|t| t.code.clone()).collect();
                BudgetLineEdit::read(r, &sources).map(NewLine::Budget)
            }
            Part::Results => ResultEdit::read(r).map(NewLine::Result),
            Part::Indicators => {
                let results: Vec<String> = self.detail.results.iter().map(|r| r.id.clone()).collect();
                NewIndicator::read(r, &results).map(NewLine::Indicator)
            }
            Part::Assets => {
                let linked: Vec<String> = self.detail.assets.iter().map(|a| a.slug.clone()).collect();
                NewAssetLink::read(r, &slugs(&self.assets), &linked).map(NewLine::Asset)
            }
        };
        let new = match reader.conclude(read) {
            Ok(new) => new,
            Err(errors) => return Ok(Err(errors)),
        };
        let key = match &new {
            NewLine::Partner(partner) => partner.organization.clone(),
            NewLine::Asset(link) => link.asset.clone(),
            _ => String::new(),
        };
        match self.write(state, actor, new).await {
            Ok(added) => {
                state.after_write().await?;
                Ok(Ok(added))
            }
            // A concurrent request added the same line after this one was checked: what is
            // stored now says which field is at fault.
            Err(Error::Conflict(_)) => self.clash(state, part, &key).await.map(Err),
            Err(e) => Err(e),
        }
    }

    async fn write(&self, state: &impl Context, actor: &Actor, new: NewLine) -> Result<String, Error> {
        // The organisation or asset a line names is read before the write begins: a write
        // transaction holds its connection, and a read through the pool while the other writers
        // hold theirs, waiting for the write lock, could find none free.
        let named_id = match &new {
            NewLine::Partner(new) => state.store().organization(&new.organization).await?.map(|o| o.id),
            NewLine::Asset(new) => state.store().asset(&new.asset).await?.map(|a| a.id),
            _ => None,
        };
        let named_id = || named_id.clone().ok_or(Error::NotFound);
        let mut w = state.store().begin_write(actor).await?;
        let entity = self.action.entity();
        let added = match new {
            NewLine::Partner(new) => {
                w.add_partner(&entity, &named_id()?, &new).await?;
                new.organization
            }
            NewLine::Budget(new) => w.add_budget_line(&entity, &new).await?,
            NewLine::Result(new) => w.add_result(&entity, &new).await?,
            NewLine::Indicator(new) => w.add_indicator(&entity, &new.result, &new.indicator).await?,
            NewLine::Asset(new) => {
                w.link_asset(&entity, &named_id()?, &new.asset).await?;
                new.asset
            }
        };
        w.commit().await?;
        Ok(added)
    }

    /// The field errors of a line refused by the database, named from the action as stored now.
    /// `key`: the organisation or asset the line was about.
    async fn clash(&self, state: &impl Context, part: Part, key: &str) -> Result<Vec<FieldError>, Error> {
        let (slug, code) = (&self.action.slug, &self.action.code);
        let now = state.store().action(slug, code).await?.ok_or(Error::NotFound)?;
        let error = |field: &str, problem| vec![FieldError { field: field.to_string(), problem }];
        Ok(match part {
            Part::Partners if now.partners.iter().any(|p| p.organization.slug == key) => {
                error("organization", FieldProblem::AlreadyTakingPart)
            }
            Part::Partners => error("role", FieldProblem::SecondLead),
            Part::Assets => error("asset", FieldProblem::AlreadyLinked),
            _ => return Err(Error::Conflict(format!("a line of {slug}/{code} clashed"))),
        })
    }

    /// Removes one line, named by its id (or the slug of the organisation or asset); 404 if
    /// the action has no such line.
    pub async fn remove(&self, state: &impl Context, actor: &Actor, part: Part, item: &str) -> Result<(), Error> {
        // Read before the write begins, as in `write`.
        let named_id = match part {
            Part::Partners => state.store().organization(item).await?.map(|o| o.id),
            Part::Assets => state.store().asset(item).await?.map(|a| a.id),
            _ => None,
        };
        let mut w = state.store().begin_write(actor).await?;
        let entity = self.action.entity();
        let removed = match (part, named_id) {
            (Part::Partners, Some(id)) => w.remove_partner(&entity, &id, item).await?,
            (Part::Assets, Some(id)) => w.unlink_asset(&entity, &id, item).await?,
            (Part::Partners | Part::Assets, None) => false,
            (Part::BudgetLines, _) => w.remove_budget_line(&entity, item).await?,
            (Part::Results, _) => w.remove_result(&entity, item).await?,
            (Part::Indicators, _) => w.remove_indicator(&entity, item).await?,
        };
        if !removed {
            return Err(Error::NotFound);
        }
        w.commit().await?;
        state.after_write().await?;
        Ok(())
    }
}
