//! From profile to agenda: which gaps of the district's profile an objective or an action
//! addresses. The form offers the profile's gaps (and keeps those chosen before, even once
//! closed), so an agenda stands on what its territory found it lacks.

use std::marker::PhantomData;

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::{GapsEdit, Reader};
use agio_store::{Addresser, Editable, Saved, WriteTx};

use crate::editors::Editor;
use crate::profile::{Gap, Profile};
use crate::{require, Context, Error};

/// Which records an editor of gaps works on.
pub trait Addressing: Send + Sync + 'static {
    const OF: Addresser;
}

pub struct OfObjective;
pub struct OfAction;

impl Addressing for OfObjective {
    const OF: Addresser = Addresser::Objective;
}

impl Addressing for OfAction {
    const OF: Addresser = Addresser::Action;
}

pub type ObjectiveGapsEditor = GapsEditor<OfObjective>;
pub type ActionGapsEditor = GapsEditor<OfAction>;

/// The gaps an objective or action addresses, and those it may choose from.
pub struct GapsEditor<K: Addressing> {
    pub slug: String,
    pub code: String,
    pub facts: AgendaFacts,
    /// The organisation leading the action (its referents edit it), none for an objective.
    lead: Option<String>,
    pub stored: Editable<GapsEdit>,
    /// The district's profile, if it has one.
    pub profile: Option<Profile>,
    /// The gaps offered: the profile's, then those chosen before that are no longer gaps.
    pub offered: Vec<Gap>,
    keys: Vec<String>,
    /// The needs vocabulary, to name a need's gap.
    pub needs: Vec<agio_domain::model::Term>,
    of: PhantomData<K>,
}

impl<K: Addressing> GapsEditor<K> {
    pub async fn load(ctx: &impl Context, slug: &str, code: &str) -> Result<GapsEditor<K>, Error> {
        let facts = ctx.store().agenda_facts(slug).await?.ok_or(Error::NotFound)?;
        let lead = match K::OF {
            Addresser::Action => ctx.store().action_for_edit(slug, code).await?.ok_or(Error::NotFound)?.1,
            Addresser::Objective => None,
        };
        let stored: Editable<GapsEdit> = ctx.store().list_for_edit(K::OF, slug, code).await?.ok_or(Error::NotFound)?;
        let profile = crate::profile::of_district_containing(ctx, &facts.territory_path).await?;
        let mut offered = profile.as_ref().map(Profile::gaps).unwrap_or_default();
        for key in &stored.fields.gaps {
            if !offered.iter().any(|g| &g.key == key) {
                offered.push(crate::profile::closed_gap(key));
            }
        }
        let keys = offered.iter().map(|g| g.key.clone()).collect();
        let needs = ctx.vocabularies().need.clone();
        Ok(GapsEditor {
            slug: slug.into(),
            code: code.into(),
            facts,
            lead,
            stored,
            profile,
            offered,
            keys,
            needs,
            of: PhantomData,
        })
    }

    pub fn of(&self) -> Addresser {
        K::OF
    }
}

impl<K: Addressing> Editor for GapsEditor<K> {
    type Fields = GapsEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        let target = match K::OF {
            Addresser::Objective => Target::Agenda(&self.facts),
            Addresser::Action => Target::Action(&self.facts, self.lead.as_deref()),
        };
        require(who, Operation::Edit, &target)
    }

    fn read(&self, reader: &mut Reader) -> Option<GapsEdit> {
        GapsEdit::read(reader, &self.keys)
    }

    async fn save(&self, w: &mut WriteTx, fields: &GapsEdit, version: i64) -> agio_store::Result<Saved<GapsEdit>> {
        w.update_list(K::OF, &self.stored.id, fields, version).await
    }

    fn current(&self) -> (&GapsEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}
