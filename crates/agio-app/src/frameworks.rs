//! The frameworks agendas serve (the Agenda Digitale dell'Emilia-Romagna, the PNRR, the UN
//! SDGs) as data the regional administrator edits; the framework items each objective serves
//! (Consul's model: goal → target → the objective as local target); and, for each item, which
//! agendas contribute and which districts have nothing for it.

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::{FrameworkEdit, FrameworkTargetEdit, Reader, TargetsEdit};
use agio_domain::model::{Framework, FrameworkItem};
use agio_store::{Addresser, Editable, Saved, WriteTx};
use serde::Serialize;
use utoipa::ToSchema;

use crate::editors::Editor;
use crate::{require, Context, Error};

/// A framework as the regional page shows it: each item with what serves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkReport {
    #[serde(flatten)]
    pub framework: Framework,
    /// In the order of `framework.items`.
    pub contributions: Vec<Contribution>,
}

/// What serves a framework item, across the region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contribution {
    pub code: String,
    /// The public agendas whose objectives serve it, with those objectives.
    pub agendas: Vec<Contributor>,
    /// The districts with no public agenda serving it, by name.
    pub districts_without: Vec<agio_domain::model::TerritoryRef>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contributor {
    pub agenda_slug: String,
    pub agenda_title: String,
    /// Objective codes (O1, O2…).
    pub objectives: Vec<String>,
}

/// Every framework with, for each item, the agendas that serve it and the districts without.
pub async fn report(ctx: &impl Context) -> Result<Vec<FrameworkReport>, Error> {
    let store = ctx.store();
    let links = store.target_links().await?;
    let districts = store.districts().await?;
    let frameworks = store.frameworks().await?;
    Ok(frameworks
        .into_iter()
        .map(|framework| {
            let contributions = framework
                .items
                .iter()
                .map(|item| {
                    let key = item.key(&framework.id);
                    let serving: Vec<&agio_store::TargetLink> =
                        links.iter().filter(|l| l.targets.contains(&key)).collect();
                    let mut agendas: Vec<Contributor> = Vec::new();
                    for l in &serving {
                        match agendas.iter_mut().find(|a| a.agenda_slug == l.agenda_slug) {
                            Some(a) => a.objectives.push(l.code.clone()),
                            None => agendas.push(Contributor {
                                agenda_slug: l.agenda_slug.clone(),
                                agenda_title: l.agenda_title.clone(),
                                objectives: vec![l.code.clone()],
                            }),
                        }
                    }
                    let districts_without = districts
                        .iter()
                        .filter(|d| !serving.iter().any(|l| l.district_id.as_deref() == Some(d.id.as_str())))
                        .map(|d| agio_domain::model::TerritoryRef {
                            code: d.code.clone(),
                            slug: d.slug.clone(),
                            name: d.name.clone(),
                            kind: d.kind,
                        })
                        .collect();
                    Contribution { code: item.code.clone(), agendas, districts_without }
                })
                .collect();
            FrameworkReport { framework, contributions }
        })
        .collect())
}

/// An item as an objective's form offers it: "SDG 10.2 — Ridurre…".
pub fn label(framework: &Framework, item: &FrameworkItem) -> String {
    format!("{} — {}", short_key(&item.key(&framework.id)), item.title)
}

/// An item's key as a page names it: `sdg:10.2` → "SDG 10.2".
pub fn short_key(key: &str) -> String {
    match key.split_once(':') {
        Some((framework, code)) => format!("{} {code}", framework.to_uppercase()),
        None => key.to_string(),
    }
}

// --- a framework, and its items, as the regional administrator edits them --------------------

pub struct FrameworkEditor {
    pub stored: Editable<FrameworkEdit>,
}

impl FrameworkEditor {
    pub async fn load(ctx: &impl Context, id: &str) -> Result<FrameworkEditor, Error> {
        Ok(FrameworkEditor { stored: ctx.store().framework_for_edit(id).await?.ok_or(Error::NotFound)? })
    }
}

impl Editor for FrameworkEditor {
    type Fields = FrameworkEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Administer, &Target::Region)
    }

    fn read(&self, reader: &mut Reader) -> Option<FrameworkEdit> {
        FrameworkEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &FrameworkEdit,
        version: i64,
    ) -> agio_store::Result<Saved<FrameworkEdit>> {
        w.update_framework(&self.stored, fields, version).await
    }

    fn current(&self) -> (&FrameworkEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// An item of a framework, new (`stored.id` empty) or stored.
pub struct FrameworkItemEditor {
    pub framework: Framework,
    pub stored: Editable<FrameworkTargetEdit>,
    /// The codes of the framework's other items: possible parents, and taken.
    pub others: Vec<String>,
}

impl FrameworkItemEditor {
    /// Item `id` of framework `framework_id`; `None`: a new one.
    pub async fn load(ctx: &impl Context, framework_id: &str, id: Option<&str>) -> Result<FrameworkItemEditor, Error> {
        let framework =
            ctx.store().frameworks().await?.into_iter().find(|f| f.id == framework_id).ok_or(Error::NotFound)?;
        let stored = match id {
            Some(id) => ctx.store().framework_item_for_edit(framework_id, id).await?.ok_or(Error::NotFound)?,
            None => Editable {
                id: String::new(),
                label: String::new(),
                version: 0,
                fields: FrameworkTargetEdit { code: String::new(), parent_code: None, title: String::new() },
            },
        };
        let others = framework.items.iter().filter(|i| i.id != stored.id).map(|i| i.code.clone()).collect();
        Ok(FrameworkItemEditor { framework, stored, others })
    }
}

impl Editor for FrameworkItemEditor {
    type Fields = FrameworkTargetEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Administer, &Target::Region)
    }

    fn read(&self, reader: &mut Reader) -> Option<FrameworkTargetEdit> {
        FrameworkTargetEdit::read(reader, &self.others)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &FrameworkTargetEdit,
        version: i64,
    ) -> agio_store::Result<Saved<FrameworkTargetEdit>> {
        if self.stored.id.is_empty() {
            w.create_framework_item(&self.framework.id, fields).await?;
            return Ok(Saved::Done { version: 1 });
        }
        w.update_framework_item(&self.stored, fields, version).await
    }

    fn current(&self) -> (&FrameworkTargetEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- the framework items an objective serves -------------------------------------------------

pub struct TargetsEditor {
    pub slug: String,
    pub code: String,
    pub facts: AgendaFacts,
    pub stored: Editable<TargetsEdit>,
    /// Every item of every framework: (key, label), in order.
    pub offered: Vec<(String, String)>,
}

impl TargetsEditor {
    pub async fn load(ctx: &impl Context, slug: &str, code: &str) -> Result<TargetsEditor, Error> {
        let facts = ctx.store().agenda_facts(slug).await?.ok_or(Error::NotFound)?;
        let stored = ctx.store().list_for_edit(Addresser::Objective, slug, code).await?.ok_or(Error::NotFound)?;
        let offered = ctx
            .store()
            .frameworks()
            .await?
            .iter()
            .flat_map(|f| f.items.iter().map(move |i| (i.key(&f.id), label(f, i))))
            .collect();
        Ok(TargetsEditor { slug: slug.into(), code: code.into(), facts, stored, offered })
    }
}

impl Editor for TargetsEditor {
    type Fields = TargetsEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<TargetsEdit> {
        let keys: Vec<String> = self.offered.iter().map(|(k, _)| k.clone()).collect();
        TargetsEdit::read(reader, &keys)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &TargetsEdit,
        version: i64,
    ) -> agio_store::Result<Saved<TargetsEdit>> {
        w.update_list(Addresser::Objective, &self.stored.id, fields, version).await
    }

    fn current(&self) -> (&TargetsEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}
