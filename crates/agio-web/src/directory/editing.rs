//! A service's edit page (`/servizi/{slug}/modifica`), on the flow of `kit::edit_page`.

use agio_app::editors::ServiceEditor;
use axum::Router;

use crate::kit::edit_page::{edit_route, loads_from_path, EditPage};
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::state::AppState;

impl EditPage for ServiceEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let levels = agio_domain::edit::DIGITAL_LEVELS
            .iter()
            .map(|l| (l.to_string(), c.label(&format!("digital_level.{l}")).to_string()))
            .collect();
        let form = form
            .field("name", c.t("service_edit.name"), Kind::Line, true)
            .field("summary", c.t("service_edit.summary"), Kind::Line, false)
            .hint(c.t("service_edit.summary_hint"))
            .field("description", c.t("service.what"), Kind::Text, true)
            .field("eligibility", c.t("service.for_whom"), Kind::Text, false)
            .field("application_process", c.t("service.steps"), Kind::Text, false)
            .hint(c.t("service_edit.steps_hint"))
            .field("online", c.t("service_edit.online"), Kind::Text, false)
            .field("in_person", c.t("service_edit.in_person"), Kind::Text, false)
            .field("fees", c.t("service.costs"), Kind::Line, false)
            .field("digital_level", c.t("service.digital_level"), Kind::Select(levels), true)
            .field("email", c.t("service.email"), Kind::Email, false);
        // Weekly hours only where a line can say them all (one place, plain weekly openings).
        let form = match agio_directory::editing::editable_hours(&self.stored.document) {
            Some(_) => {
                form.field("hours", c.t("service_edit.hours"), Kind::Text, false).hint(c.t("service_edit.hours_hint"))
            }
            None => form,
        };
        form.field("closures", c.t("service_edit.closures"), Kind::Text, false)
            .hint(c.t("service_edit.closures_hint"))
            .field("name_en", c.t("service_edit.name_en"), Kind::Line, false)
            .hint(c.t("service_edit.english_hint"))
            .field("summary_en", c.t("service_edit.summary_en"), Kind::Line, false)
            .field("description_en", c.t("service_edit.description_en"), Kind::Text, false)
            .field("eligibility_en", c.t("service_edit.eligibility_en"), Kind::Text, false)
            .field("application_process_en", c.t("service_edit.steps_en"), Kind::Text, false)
            .field("online_en", c.t("service_edit.online_en"), Kind::Text, false)
            .field("in_person_en", c.t("service_edit.in_person_en"), Kind::Text, false)
            .field("fees_en", c.t("service_edit.fees_en"), Kind::Line, false)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("service_edit.title", &[("name", &self.fields.name)])
    }

    fn record(&self) -> &str {
        &self.fields.name
    }

    fn done(&self) -> String {
        format!("/servizi/{}", self.stored.slug)
    }

    fn here(&self) -> String {
        format!("/servizi/{}/modifica", self.stored.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("services", "services.title", "/servizi")
    }
}

loads_from_path! {
    ServiceEditor(slug);
}

pub fn router() -> Router<AppState> {
    Router::new().route("/servizi/{slug}/modifica", edit_route::<ServiceEditor>())
}
