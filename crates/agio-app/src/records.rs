//! Records that stand on their own — agendas, organisations, digital assets, unions of comuni —
//! as editors (`crate::editors::Editor`): so that creating one goes through the same reading,
//! checking, authorisation and audit as editing one, on the forms and in the API alike.
//! A creator starts from blank fields at version 0 and remembers the slug it created.

use std::sync::OnceLock;

use agio_domain::access::{Operation, Principal, Target};
use agio_domain::edit::{
    AgendaEdit, AssetEdit, FieldProblem, NewAgenda, NewOrganization, OrganizationEdit, Reader, UnionEdit,
};
use agio_domain::{AssetKind, AssetStatus, TerritoryKind};
use agio_store::{Editable, Places, Saved, WriteTx};

use crate::editors::Editor;
use crate::Context;
use crate::{require, Error};

/// Where a name of a place leads, for the readers (`agio_domain::edit::PlaceResolver`).
fn resolver(places: &Places) -> impl Fn(&str) -> Option<Vec<String>> + Sync + '_ {
    |name| places.comuni_of(name)
}

/// A creator's save: remembers the new slug; nothing can be stale.
fn created<T>(slot: &OnceLock<String>, slug: String) -> Saved<T> {
    let _ = slot.set(slug);
    Saved::Done { version: 1 }
}

// --- digital assets ------------------------------------------------------------------------------

pub struct AssetEditor {
    pub slug: String,
    pub stored: Editable<AssetEdit>,
    pub places: Places,
}

impl AssetEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<AssetEditor, Error> {
        let stored = state.store().asset_for_edit(slug).await?.ok_or(Error::NotFound)?;
        Ok(AssetEditor { slug: slug.to_string(), stored, places: state.store().places().await? })
    }
}

impl Editor for AssetEditor {
    type Fields = AssetEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Asset)
    }

    fn read(&self, reader: &mut Reader) -> Option<AssetEdit> {
        AssetEdit::read(reader, &resolver(&self.places))
    }

    async fn save(&self, w: &mut WriteTx, fields: &AssetEdit, version: i64) -> agio_store::Result<Saved<AssetEdit>> {
        w.update_asset(&self.stored.id, fields, version).await
    }

    fn current(&self) -> (&AssetEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

pub struct NewAssetEditor {
    pub blank: AssetEdit,
    pub places: Places,
    pub created: OnceLock<String>,
}

impl NewAssetEditor {
    pub async fn load(state: &impl Context) -> Result<NewAssetEditor, Error> {
        let blank = AssetEdit {
            name: String::new(),
            kind: AssetKind::ServicePlatform,
            provider: String::new(),
            description: String::new(),
            status: AssetStatus::Active,
            url: None,
            coverage: Vec::new(),
        };
        Ok(NewAssetEditor { blank, places: state.store().places().await?, created: OnceLock::new() })
    }
}

impl Editor for NewAssetEditor {
    type Fields = AssetEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Create, &Target::Asset)
    }

    fn read(&self, reader: &mut Reader) -> Option<AssetEdit> {
        AssetEdit::read(reader, &resolver(&self.places))
    }

    async fn save(&self, w: &mut WriteTx, fields: &AssetEdit, _: i64) -> agio_store::Result<Saved<AssetEdit>> {
        Ok(created(&self.created, w.create_asset(fields).await?))
    }

    fn current(&self) -> (&AssetEdit, i64) {
        (&self.blank, 0)
    }
}

// --- unions of comuni (the Region keeps the map of territories) ------------------------------------

/// The districts a union may belong to (slug, name).
fn districts(places: &Places) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> =
        places.of_kind(TerritoryKind::District).map(|p| (p.slug.clone(), p.name.clone())).collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}

fn district_id(places: &Places, slug: &str) -> agio_store::Result<String> {
    places
        .of_kind(TerritoryKind::District)
        .find(|p| p.slug == slug)
        .map(|p| p.id.clone())
        .ok_or_else(|| agio_store::StoreError::InvalidData(format!("no district {slug}")))
}

pub struct UnionEditor {
    pub slug: String,
    pub stored: Editable<UnionEdit>,
    pub places: Places,
    pub districts: Vec<(String, String)>,
}

impl UnionEditor {
    pub async fn load(state: &impl Context, slug: &str) -> Result<UnionEditor, Error> {
        let stored = state.store().union_for_edit(slug).await?.ok_or(Error::NotFound)?;
        let places = state.store().places().await?;
        Ok(UnionEditor { slug: slug.to_string(), stored, districts: districts(&places), places })
    }
}

/// Reads a union; its comuni must lie in its district and in no other union. `this`: the
/// slug of the union being edited (none when creating one).
fn read_union(
    reader: &mut Reader,
    places: &Places,
    choices: &[(String, String)],
    this: Option<&str>,
) -> Option<UnionEdit> {
    let slugs: Vec<String> = choices.iter().map(|(slug, _)| slug.clone()).collect();
    let edit = UnionEdit::read(reader, &slugs, &resolver(places))?;
    let district = places.of_kind(TerritoryKind::District).find(|d| d.slug == edit.district)?;
    let comune = |code: &String| places.of_kind(TerritoryKind::Comune).find(|c| &c.code == code);
    let outside: Vec<String> = edit
        .members
        .iter()
        .filter_map(comune)
        .filter(|c| c.parent_id.as_deref() != Some(district.id.as_str()))
        .map(|c| c.name.clone())
        .collect();
    let taken: Vec<String> = places
        .of_kind(TerritoryKind::Union)
        .filter(|u| Some(u.slug.as_str()) != this)
        .flat_map(|u| u.comuni.iter().filter(|code| edit.members.contains(code)).map(move |code| (code, &u.name)))
        .filter_map(|(code, union)| comune(code).map(|c| format!("{} ({union})", c.name)))
        .collect();
    if !outside.is_empty() {
        reader.fail("members", FieldProblem::OutsideDistrict { names: outside });
    }
    if !taken.is_empty() {
        reader.fail("members", FieldProblem::InAnotherUnion { names: taken });
    }
    Some(edit)
}

impl Editor for UnionEditor {
    type Fields = UnionEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Region)
    }

    fn read(&self, reader: &mut Reader) -> Option<UnionEdit> {
        read_union(reader, &self.places, &self.districts, Some(&self.slug))
    }

    async fn save(&self, w: &mut WriteTx, fields: &UnionEdit, version: i64) -> agio_store::Result<Saved<UnionEdit>> {
        let district = district_id(&self.places, &fields.district)?;
        w.update_union(&self.stored.id, &district, fields, version).await
    }

    fn current(&self) -> (&UnionEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

pub struct NewUnionEditor {
    pub blank: UnionEdit,
    pub places: Places,
    pub districts: Vec<(String, String)>,
    pub created: OnceLock<String>,
}

impl NewUnionEditor {
    pub async fn load(state: &impl Context) -> Result<NewUnionEditor, Error> {
        let places = state.store().places().await?;
        let blank = UnionEdit { name: String::new(), district: String::new(), members: Vec::new() };
        Ok(NewUnionEditor { blank, districts: districts(&places), places, created: OnceLock::new() })
    }
}

impl Editor for NewUnionEditor {
    type Fields = UnionEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Create, &Target::Region)
    }

    fn read(&self, reader: &mut Reader) -> Option<UnionEdit> {
        read_union(reader, &self.places, &self.districts, None)
    }

    async fn save(&self, w: &mut WriteTx, fields: &UnionEdit, _: i64) -> agio_store::Result<Saved<UnionEdit>> {
        let district = district_id(&self.places, &fields.district)?;
        Ok(created(&self.created, w.create_union(&district, fields).await?))
    }

    fn current(&self) -> (&UnionEdit, i64) {
        (&self.blank, 0)
    }
}

// --- organisations -----------------------------------------------------------------------------

pub struct NewOrganizationEditor {
    pub blank: NewOrganization,
    pub org_types: Vec<agio_domain::model::Term>,
    codes: Vec<String>,
    places: Places,
    pub created: OnceLock<String>,
}

impl NewOrganizationEditor {
    pub async fn load(state: &impl Context) -> Result<NewOrganizationEditor, Error> {
        let org_types = state.vocabularies().organization_type.clone();
        let codes = org_types.iter().map(|t| t.code.clone()).collect();
        let blank = NewOrganization {
            profile: OrganizationEdit {
                name: String::new(),
                org_type: String::new(),
                tax_code: None,
                description: String::new(),
                website: None,
            },
            territory: None,
        };
        let places = state.store().places().await?;
        Ok(NewOrganizationEditor { blank, org_types, codes, places, created: OnceLock::new() })
    }
}

impl Editor for NewOrganizationEditor {
    type Fields = NewOrganization;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Create, &Target::Organization(""))
    }

    fn read(&self, reader: &mut Reader) -> Option<NewOrganization> {
        NewOrganization::read(reader, &self.codes, &|name| self.places.find(name).map(|p| p.slug.clone()))
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &NewOrganization,
        _: i64,
    ) -> agio_store::Result<Saved<NewOrganization>> {
        let territory = fields.territory.as_deref().and_then(|slug| self.places.find(slug)).map(|p| p.id.as_str());
        Ok(created(&self.created, w.create_organization(territory, fields).await?))
    }

    fn current(&self) -> (&NewOrganization, i64) {
        (&self.blank, 0)
    }
}

// --- agendas -------------------------------------------------------------------------------------

pub struct NewAgendaEditor {
    pub blank: NewAgenda,
    /// The territories the person may plan for (slug, name): districts and unions in their scope.
    pub territories: Vec<(String, String)>,
    places: Places,
    pub created: OnceLock<String>,
}

impl NewAgendaEditor {
    /// The form for `who`: it offers only the territories they may create an agenda for.
    pub async fn load(state: &impl Context, who: Option<&Principal>) -> Result<NewAgendaEditor, Error> {
        let places = state.store().places().await?;
        let mut territories: Vec<(String, String)> = places
            .of_kind(TerritoryKind::District)
            .chain(places.of_kind(TerritoryKind::Union))
            .filter(|p| require(who, Operation::Create, &Target::Territory(&places.path(p))).is_ok())
            .map(|p| (p.slug.clone(), p.name.clone()))
            .collect();
        territories.sort_by(|a, b| a.1.cmp(&b.1));
        let year = time::OffsetDateTime::now_utc().year() as i64;
        let agenda = AgendaEdit {
            title: String::new(),
            period_start: year,
            period_end: year + 2,
            vision: String::new(),
            context: String::new(),
        };
        let blank = NewAgenda { territory: territories.first().map(|t| t.0.clone()).unwrap_or_default(), agenda };
        Ok(NewAgendaEditor { blank, territories, places, created: OnceLock::new() })
    }
}

impl Editor for NewAgendaEditor {
    type Fields = NewAgenda;

    /// Allowed when there is at least one territory the person may plan for.
    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        match (who, self.territories.is_empty()) {
            (Some(_), false) => Ok(()),
            _ => Err(Error::Forbidden),
        }
    }

    fn read(&self, reader: &mut Reader) -> Option<NewAgenda> {
        let slugs: Vec<String> = self.territories.iter().map(|(slug, _)| slug.clone()).collect();
        NewAgenda::read(reader, &slugs)
    }

    async fn save(&self, w: &mut WriteTx, fields: &NewAgenda, _: i64) -> agio_store::Result<Saved<NewAgenda>> {
        let territory = self
            .places
            .find(&fields.territory)
            .ok_or_else(|| agio_store::StoreError::InvalidData(format!("no territory {}", fields.territory)))?;
        Ok(created(&self.created, w.create_agenda(&territory.id, fields).await?))
    }

    fn current(&self) -> (&NewAgenda, i64) {
        (&self.blank, 0)
    }
}
