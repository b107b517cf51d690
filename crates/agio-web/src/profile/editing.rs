//! `/territori/{slug}/profilo/modifica`: publish the profile, or take it back to draft, and
//! choose the distance beyond which a comune counts as far from digital facilitation.

use axum::routing::MethodRouter;
use axum::Router;

use crate::kit::edit_page::{edit_route, loads_from_path, EditPage};
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::state::AppState;
use agio_app::editors::ProfileEditor;
use agio_domain::ProfileStatus;

impl EditPage for ProfileEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let statuses =
            ProfileStatus::ALL.iter().map(|s| (s.code().to_string(), c.label(&s.label_key()).to_string())).collect();
        form.field("status", c.t("profile.status"), Kind::Select(statuses), true)
            .hint(c.t("profile.status_hint"))
            .field("facilitation_km", c.t("profile.facilitation_km"), Kind::Number, true)
            .hint(c.t("profile.facilitation_km_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("profile.edit_title", &[("name", &self.territory.name)])
    }

    fn record(&self) -> &str {
        &self.label
    }

    fn done(&self) -> String {
        format!("/territori/{}/profilo", self.territory.slug)
    }

    fn here(&self) -> String {
        format!("/territori/{}/profilo/modifica", self.territory.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("territories", "territories.title", "/territori")
    }
}

loads_from_path! {
    ProfileEditor(slug);
}

fn route() -> MethodRouter<AppState> {
    edit_route::<ProfileEditor>()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/territori/{slug}/profilo/modifica", route())
}
