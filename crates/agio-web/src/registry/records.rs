//! The forms of records that stand on their own: new agendas and organisations, digital assets
//! (new and edited, with the comuni they cover), unions of comuni (new and edited). The rules
//! are in `crate::records`; the flow is the edit pages' (`super::editing`).

use agio_domain::access::{Operation, Principal, Target};
use agio_domain::{AssetKind, AssetStatus};
use agio_store::Places;
use axum::Router;

use crate::kit::auth::Visitor;
use crate::kit::edit_page::{create_route, edit_route, loads_from_path, options, EditPage};
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{ToolKind, Tools};
use crate::kit::state::AppState;
use agio_app::editors::OrganizationEditor;
use agio_app::records::{AssetEditor, NewAssetEditor, NewOrganizationEditor, NewUnionEditor, UnionEditor};

/// A stored list of ISTAT codes (one per line) shown as "Name (code)" lines.
fn comuni_shown(places: &Places, stored: Option<String>) -> Option<String> {
    stored.map(|codes| places.comune_labels(codes.lines()).join("\n"))
}

fn asset_fields(form: Form, lang: Lang) -> Form {
    let c = lang.catalogue();
    form.field("name", c.t("asset.name_field"), Kind::Line, true)
        .field("kind", c.t("asset.kind"), options(AssetKind::ALL, AssetKind::code, AssetKind::label_key, c), true)
        .field("provider", c.t("asset.provider"), Kind::Line, true)
        .hint(c.t("asset.provider_hint"))
        .field(
            "status",
            c.t("asset.status"),
            options(AssetStatus::ALL, AssetStatus::code, AssetStatus::label_key, c),
            true,
        )
        .hint(c.t("asset.status_hint"))
        .field("url", c.t("asset.url"), Kind::Line, false)
        .hint(c.t("edit.url_hint"))
        .field("coverage", c.t("asset.comuni"), Kind::Text, false)
        .hint(c.t("edit.places_hint"))
        .field("description", c.t("asset.description"), Kind::Text, false)
        .hint(c.t("edit.markdown_hint"))
}

const ASSETS: (&str, &str, &str) = ("assets", "assets.title", "/asset-digitali");
const TERRITORIES: (&str, &str, &str) = ("territories", "territories.title", "/territori");

impl EditPage for AssetEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        asset_fields(form, lang)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.asset_title", &[("name", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/asset-digitali/{}", self.slug)
    }

    fn here(&self) -> String {
        format!("/asset-digitali/{}/modifica", self.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ASSETS
    }

    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        if field == "coverage" {
            comuni_shown(&self.places, record(field))
        } else {
            record(field)
        }
    }
}

impl EditPage for NewAssetEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        asset_fields(form, lang)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("create.asset_title").to_string()
    }

    fn record(&self) -> &str {
        ""
    }

    fn done(&self) -> String {
        self.created.get().map_or_else(|| "/asset-digitali".into(), |slug| format!("/asset-digitali/{slug}"))
    }

    fn here(&self) -> String {
        "/asset-digitali/nuovo".into()
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ASSETS
    }
}

fn union_fields(form: Form, lang: Lang, districts: &[(String, String)]) -> Form {
    let c = lang.catalogue();
    form.field("name", c.t("union.name"), Kind::Line, true)
        .field("district", c.t("union.district"), Kind::Select(districts.to_vec()), true)
        .field("members", c.t("union.members"), Kind::Text, true)
        .hint(c.t("edit.places_hint"))
}

impl EditPage for UnionEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        union_fields(form, lang, &self.districts)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.union_title", &[("name", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/territori/unioni/{}", self.slug)
    }

    fn here(&self) -> String {
        format!("/territori/unioni/{}/modifica", self.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        TERRITORIES
    }

    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        if field == "members" {
            comuni_shown(&self.places, record(field))
        } else {
            record(field)
        }
    }
}

impl EditPage for NewUnionEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        union_fields(form, lang, &self.districts)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("create.union_title").to_string()
    }

    fn record(&self) -> &str {
        ""
    }

    fn done(&self) -> String {
        self.created.get().map_or_else(|| "/territori".into(), |slug| format!("/territori/unioni/{slug}"))
    }

    fn here(&self) -> String {
        "/territori/unioni/nuova".into()
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        TERRITORIES
    }
}

impl EditPage for NewOrganizationEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        organization_fields(form, lang, &self.org_types)
            .field("territory", c.t("organization.based_in"), Kind::Line, false)
            .hint(c.t("organization.based_in_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("create.organization_title").to_string()
    }

    fn record(&self) -> &str {
        ""
    }

    fn done(&self) -> String {
        self.created.get().map_or_else(|| "/soggetti".into(), |slug| format!("/soggetti/{slug}"))
    }

    fn here(&self) -> String {
        "/soggetti/nuovo".into()
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("organizations", "organizations.title", "/soggetti")
    }
}

impl EditPage for OrganizationEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        organization_fields(form, lang, &self.org_types)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.organization_title", &[("name", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/soggetti/{}", self.slug)
    }

    fn here(&self) -> String {
        format!("/soggetti/{}/modifica", self.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("organizations", "organizations.title", "/soggetti")
    }
}

loads_from_path! {
    AssetEditor(slug);
    NewAssetEditor();
    UnionEditor(slug);
    NewUnionEditor();
    NewOrganizationEditor();
    OrganizationEditor(slug);
}

/// The edit links of an organisation's page, for its referents and the administrators.
pub(crate) fn organization_tools(lang: Lang, visitor: &Visitor, id: &str, slug: &str) -> Tools {
    let c = lang.catalogue();
    let mut tools = Tools::default();
    let target = Target::Organization(id);
    if visitor.may(Operation::Edit, &target) {
        tools.add(ToolKind::Main, format!("/soggetti/{slug}/modifica"), c.t("edit.edit"));
    }
    if visitor.may(Operation::ReadHistory, &target) {
        tools.add(ToolKind::Other, format!("/soggetti/{slug}/cronologia"), c.t("edit.history"));
    }
    if visitor.may(Operation::Archive, &target) {
        tools.add(ToolKind::Destructive, format!("/soggetti/{slug}/archivia"), c.t("archive.tool"));
    }
    tools
}

/// The "new …" link of a list page, for those who may create there.
pub(crate) fn list_tools(lang: Lang, visitor: &Visitor, section: &str) -> Tools {
    let c = lang.catalogue();
    let mut tools = Tools::default();
    let (allowed, href, key) = match section {
        "assets" => (visitor.may(Operation::Create, &Target::Asset), "/asset-digitali/nuovo", "create.asset_title"),
        "organizations" => {
            (visitor.may(Operation::Create, &Target::Organization("")), "/soggetti/nuovo", "create.organization_title")
        }
        "territories" => {
            (visitor.may(Operation::Create, &Target::Region), "/territori/unioni/nuova", "create.union_title")
        }
        // An agenda can be created by those with a territorial scope: the form offers theirs.
        _ => (visitor.principal().is_some_and(Principal::plans_a_territory), "/agende/nuova", "create.agenda_title"),
    };
    if allowed {
        tools.add(ToolKind::Main, href, c.t(key));
    }
    tools
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/soggetti/{slug}/modifica", edit_route::<OrganizationEditor>())
        .route("/soggetti/nuovo", create_route::<NewOrganizationEditor>())
        .route("/asset-digitali/nuovo", create_route::<NewAssetEditor>())
        .route("/asset-digitali/{slug}/modifica", edit_route::<AssetEditor>())
        .route("/territori/unioni/nuova", create_route::<NewUnionEditor>())
        .route("/territori/unioni/{slug}/modifica", edit_route::<UnionEditor>())
}

/// The fields of an organisation's profile, for editing one or creating one.
pub(crate) fn organization_fields(form: Form, lang: Lang, org_types: &[agio_domain::model::Term]) -> Form {
    let c = lang.catalogue();
    let org_types = org_types.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())).collect();
    form.field("name", c.t("organization.name_field"), Kind::Line, true)
        .field("org_type", c.t("organization.type"), Kind::Select(org_types), true)
        .field("tax_code", c.t("organization.tax_code"), Kind::Line, false)
        .hint(c.t("edit.tax_code_hint"))
        .field("website", c.t("organization.website"), Kind::Line, false)
        .hint(c.t("edit.url_hint"))
        .field("description", c.t("organization.description"), Kind::Text, false)
}
