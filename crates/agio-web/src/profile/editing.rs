//! The forms of a profile: `/territori/{slug}/profilo/modifica` starts it, publishes it or takes
//! it back to draft, and sets the distance beyond which a comune counts as far from digital
//! facilitation; `…/servizi/nuovo` and `…/servizi/{id}/modifica` list its internal services.

use agio_app::editors::{DatabaseEditor, InternalServiceEditor, ProfileEditor, ProfileItem, ProfileItemEditor};
use agio_domain::access::Principal;
use agio_domain::model::Term;
use agio_domain::{DatabaseAccess, NationalPlatform, ProfileStatus, ServiceChannel};
use axum::Router;

use crate::kit::edit_page::{edit_route, loads_from_path, EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::state::AppState;

const TERRITORIES: (&str, &str, &str) = ("territories", "territories.title", "/territori");

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
        c.fmt("profile.edit_title", &[("name", &self.of.territory.name)])
    }

    fn intro(&self, c: &Catalogue) -> String {
        match self.stored.id.is_empty() {
            true => c.t("profile.start_intro").to_string(),
            false => c.t("edit.intro").to_string(),
        }
    }

    fn record(&self) -> &str {
        &self.of.territory.name
    }

    fn done(&self) -> String {
        format!("/territori/{}/profilo", self.of.territory.slug)
    }

    fn here(&self) -> String {
        format!("/territori/{}/profilo/modifica", self.of.territory.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        TERRITORIES
    }
}

loads_from_path! {
    ProfileEditor(slug);
}

/// (code, label) of a vocabulary, in `lang`.
fn choices(terms: &[Term], lang: Lang) -> Kind {
    Kind::Choices(terms.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())).collect())
}

/// The address of an internal service's form: `{id}` absent for a new one.
#[derive(serde::Deserialize)]
pub(crate) struct ServicePath {
    slug: String,
    id: Option<String>,
}

impl<T: ProfileItem> FromPath for ProfileItemEditor<T>
where
    ProfileItemEditor<T>: EditPage,
{
    type Params = ServicePath;
    async fn load(state: &AppState, _: Option<&Principal>, path: ServicePath) -> Result<Self, AppError> {
        Ok(ProfileItemEditor::load(state, &path.slug, path.id.as_deref()).await?)
    }
}

impl EditPage for InternalServiceEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let [groups, stages, needs] = &self.terms;
        let levels = (0..=4).map(|l| (l.to_string(), c.t(&format!("profile.level.{l}")).to_string())).collect();
        let closed = |codes: &[&str], prefix: &str| {
            Kind::Choices(
                codes.iter().map(|code| (code.to_string(), c.label(&format!("{prefix}.{code}")).to_string())).collect(),
            )
        };
        form.field("name", c.t("profile.service_name"), Kind::Line, true)
            .field("digital_level", c.t("profile.level"), Kind::Select(levels), true)
            .hint(c.t("profile.level_hint"))
            .field("target_groups", c.t("profile.group"), choices(groups, lang), true)
            .field("life_stages", c.t("profile.stages"), choices(stages, lang), true)
            .field("needs", c.t("profile.needs"), choices(needs, lang), false)
            .field("channels", c.t("profile.channels"), closed(ServiceChannel::CODES, "service_channel"), true)
            .field("platforms", c.t("profile.platforms"), closed(NationalPlatform::CODES, "platform"), false)
            .field("description", c.t("profile.service_description"), Kind::Text, false)
            .hint(c.t("edit.markdown_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        match self.stored.id.is_empty() {
            true => c.t("profile.add_service").to_string(),
            false => c.fmt("profile.edit_service", &[("name", &self.stored.label)]),
        }
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("profile.internal_intro").to_string()
    }

    fn record(&self) -> &str {
        &self.of.territory.name
    }

    fn done(&self) -> String {
        format!("/territori/{}/profilo#inventory-title", self.of.territory.slug)
    }

    fn here(&self) -> String {
        let base = format!("/territori/{}/profilo/servizi", self.of.territory.slug);
        match self.stored.id.is_empty() {
            true => format!("{base}/nuovo"),
            false => format!("{base}/{}/modifica", self.stored.id),
        }
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        TERRITORIES
    }
}

impl EditPage for DatabaseEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let yes_no =
            || Kind::Select(vec![("yes".into(), c.t("history.yes").into()), ("no".into(), c.t("history.no").into())]);
        let access =
            DatabaseAccess::ALL.iter().map(|a| (a.code().to_string(), c.label(&a.label_key()).to_string())).collect();
        form.field("name", c.t("database.name"), Kind::Line, true)
            .field("holder", c.t("database.holder"), Kind::Line, true)
            .hint(c.t("database.holder_hint"))
            .field("contents", c.t("database.contents"), Kind::Text, false)
            .hint(c.t("database.contents_hint"))
            .field("personal_data", c.t("database.personal_data"), yes_no(), true)
            .field("special_categories", c.t("database.special_categories"), yes_no(), true)
            .hint(c.t("database.special_hint"))
            .field("legal_basis", c.t("database.legal_basis"), Kind::Line, false)
            .field("format", c.t("database.format_field"), Kind::Line, false)
            .field("update_frequency", c.t("database.update_frequency"), Kind::Line, false)
            .field("access", c.t("database.access"), Kind::Select(access), true)
            .field("used_by", c.t("database.used_by"), Kind::Text, false)
            .hint(c.t("database.used_by_hint"))
    }

    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        match field {
            "personal_data" | "special_categories" => {
                record(field).map(|v| if v == "true" { "yes".into() } else { "no".into() })
            }
            _ => record(field),
        }
    }

    fn title(&self, c: &Catalogue) -> String {
        match self.stored.id.is_empty() {
            true => c.t("database.add").to_string(),
            false => c.fmt("profile.edit_service", &[("name", &self.stored.label)]),
        }
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("database.intro").to_string()
    }

    fn record(&self) -> &str {
        &self.of.territory.name
    }

    fn done(&self) -> String {
        format!("/territori/{}/profilo#basi-dati", self.of.territory.slug)
    }

    fn here(&self) -> String {
        let base = format!("/territori/{}/profilo/basi-dati", self.of.territory.slug);
        match self.stored.id.is_empty() {
            true => format!("{base}/nuova"),
            false => format!("{base}/{}/modifica", self.stored.id),
        }
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        TERRITORIES
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/territori/{slug}/profilo/modifica", edit_route::<ProfileEditor>())
        .route("/territori/{slug}/profilo/servizi/nuovo", edit_route::<InternalServiceEditor>())
        .route("/territori/{slug}/profilo/servizi/{id}/modifica", edit_route::<InternalServiceEditor>())
        .route("/territori/{slug}/profilo/basi-dati/nuova", edit_route::<DatabaseEditor>())
        .route("/territori/{slug}/profilo/basi-dati/{id}/modifica", edit_route::<DatabaseEditor>())
}
