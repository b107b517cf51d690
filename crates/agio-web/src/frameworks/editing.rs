//! The regional administrator's forms for a framework (`/quadri/{id}/modifica`) and its items
//! (`/quadri/{id}/voci/nuova`, `…/voci/{item}/modifica`); and the framework items an objective
//! serves (`/agende/{slug}/obiettivi/{code}/quadri`), chosen by its agenda's coordinators.

use agio_app::frameworks::{FrameworkEditor, FrameworkItemEditor, TargetsEditor};
use agio_domain::access::Principal;
use axum::Router;

use crate::kit::edit_page::{edit_route, loads_from_path, EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::state::AppState;

/// The frameworks page, where the administrator's forms belong.
const FRAMEWORKS: (&str, &str, &str) = ("territories", "frameworks.title", "/quadri");

impl EditPage for FrameworkEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("name", c.t("frameworks.name"), Kind::Line, true)
            .field("edition", c.t("frameworks.edition"), Kind::Line, true)
            .hint(c.t("frameworks.edition_hint"))
            .field("source_url", c.t("frameworks.source"), Kind::Line, false)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("frameworks.edit_title", &[("name", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/quadri#quadro-{}", self.stored.id)
    }

    fn here(&self) -> String {
        format!("/quadri/{}/modifica", self.stored.id)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        FRAMEWORKS
    }
}

/// The address of an item's form: `{item}` absent for a new one.
#[derive(serde::Deserialize)]
pub(crate) struct ItemPath {
    id: String,
    item: Option<String>,
}

impl FromPath for FrameworkItemEditor {
    type Params = ItemPath;
    async fn load(state: &AppState, _: Option<&Principal>, path: ItemPath) -> Result<Self, AppError> {
        Ok(FrameworkItemEditor::load(state, &path.id, path.item.as_deref()).await?)
    }
}

impl EditPage for FrameworkItemEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let parents = self
            .framework
            .items
            .iter()
            .filter(|i| i.id != self.stored.id)
            .map(|i| (i.code.clone(), format!("{} — {}", i.code, i.title)))
            .collect();
        form.field("code", c.t("frameworks.code"), Kind::Line, true)
            .hint(c.t("frameworks.code_hint"))
            .field("parent_code", c.t("frameworks.parent"), Kind::Select(parents), false)
            .field("title", c.t("frameworks.item"), Kind::Line, true)
    }

    fn title(&self, c: &Catalogue) -> String {
        match self.stored.id.is_empty() {
            true => c.fmt("frameworks.add_item", &[("name", &self.framework.name)]),
            false => c.fmt("frameworks.edit_title", &[("name", &self.stored.label)]),
        }
    }

    fn record(&self) -> &str {
        &self.framework.name
    }

    fn done(&self) -> String {
        format!("/quadri#quadro-{}", self.framework.id)
    }

    fn here(&self) -> String {
        match self.stored.id.is_empty() {
            true => format!("/quadri/{}/voci/nuova", self.framework.id),
            false => format!("/quadri/{}/voci/{}/modifica", self.framework.id, self.stored.id),
        }
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        FRAMEWORKS
    }
}

impl EditPage for TargetsEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("targets", c.t("frameworks.targets_field"), Kind::Choices(self.offered.clone()), false)
            .hint(c.t("frameworks.targets_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("frameworks.targets_title", &[("record", &self.stored.label)])
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("frameworks.targets_intro").to_string()
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/agende/{}#obj-{}", self.slug, self.code)
    }

    fn here(&self) -> String {
        format!("/agende/{}/obiettivi/{}/quadri", self.slug, self.code)
    }
}

loads_from_path! {
    FrameworkEditor(id);
    TargetsEditor(slug, code);
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quadri/{id}/modifica", edit_route::<FrameworkEditor>())
        .route("/quadri/{id}/voci/nuova", edit_route::<FrameworkItemEditor>())
        .route("/quadri/{id}/voci/{item}/modifica", edit_route::<FrameworkItemEditor>())
        .route("/agende/{slug}/obiettivi/{code}/quadri", edit_route::<TargetsEditor>())
}
