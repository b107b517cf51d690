//! `/agende/{slug}/obiettivi/{code}/lacune` and `/agende/{slug}/azioni/{code}/lacune`: the gaps
//! of the district's profile an objective or an action addresses, chosen among those the
//! profile found (`agio_app::gaps`); and the agenda and action pages' account of them.

use agio_app::gaps::{ActionGapsEditor, Addressing, GapsEditor, ObjectiveGapsEditor};
use agio_app::profile::{Gap, GapKind};
use agio_domain::model::ActionSummary;
use agio_store::{Addresser, AgendaDetail};
use axum::Router;

use crate::kit::edit_page::{edit_route, loads_from_path, EditPage};
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{number, Catalogue, Lang};
use crate::kit::state::AppState;
use crate::profile::page::gap_label;

impl<K: Addressing> EditPage for GapsEditor<K> {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let choices = self.offered.iter().map(|g| (g.key.clone(), gap_label(&self.needs, lang, g))).collect();
        form.field("gaps", c.t("gap.field"), Kind::Choices(choices), false).hint(c.t("gap.hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("gap.edit_title", &[("record", &self.stored.label)])
    }

    fn intro(&self, c: &Catalogue) -> String {
        match self.profile {
            Some(_) => c.t("gap.intro").to_string(),
            None => c.t("gap.no_profile").to_string(),
        }
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        match self.of() {
            Addresser::Objective => format!("/agende/{}#obj-{}", self.slug, self.code),
            Addresser::Action => format!("/agende/{}/azioni/{}", self.slug, self.code),
        }
    }

    fn here(&self) -> String {
        let segment = match self.of() {
            Addresser::Objective => "obiettivi",
            Addresser::Action => "azioni",
        };
        format!("/agende/{}/{segment}/{}/lacune", self.slug, self.code)
    }
}

loads_from_path! {
    ObjectiveGapsEditor(slug, code);
    ActionGapsEditor(slug, code);
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/obiettivi/{code}/lacune", edit_route::<ObjectiveGapsEditor>())
        .route("/agende/{slug}/azioni/{code}/lacune", edit_route::<ActionGapsEditor>())
}

/// The published profile of an agenda's district: (district slug, district name, gaps of its
/// latest version), as `Store::agenda_page` reads it.
type DistrictGaps = (String, String, Vec<Gap>);

/// The agenda page's account of its district's profile.
pub struct AgendaGaps {
    pub lead: String,
    pub profile_href: String,
    /// Each gap the agenda addresses, with (address, "O1 — title") of what addresses it.
    pub addressed: Vec<(String, Vec<(String, String)>)>,
    pub open: Vec<String>,
}

/// The gaps of the agenda's district that its objectives and actions address, and those still
/// open; none when the district has no published profile.
pub(crate) fn of_agenda(
    state: &AppState,
    lang: Lang,
    district: Option<&DistrictGaps>,
    d: &AgendaDetail,
) -> Option<AgendaGaps> {
    let (district_slug, district, gaps) = district?;
    let slug = &d.agenda.slug;
    let mut ours: Vec<(&Vec<String>, String, String)> = Vec::new();
    for o in &d.objectives {
        let objective = &o.objective;
        ours.push((
            &objective.gaps,
            format!("/agende/{slug}#obj-{}", objective.code),
            format!("{} — {}", objective.code, objective.title),
        ));
        ours.extend(o.actions.iter().map(|x: &ActionSummary| {
            (&x.gaps, format!("/agende/{slug}/azioni/{}", x.code), format!("{} — {}", x.code, x.title))
        }));
    }
    let (mut addressed, mut open) = (Vec::new(), Vec::new());
    for gap in gaps {
        let label = gap_label(&state.vocabularies.need, lang, gap);
        let by: Vec<(String, String)> = ours
            .iter()
            .filter(|(gaps, _, _)| gaps.contains(&gap.key))
            .map(|(_, h, n)| (h.clone(), n.clone()))
            .collect();
        match by.is_empty() {
            true => open.push(label),
            false => addressed.push((label, by)),
        }
    }
    let c = lang.catalogue();
    Some(AgendaGaps {
        lead: c.fmt("gap.agenda_lead", &[("district", district)]),
        profile_href: format!("/territori/{district_slug}/profilo"),
        addressed,
        open,
    })
}

/// The action page's account of the gaps it addresses.
pub struct ActionGaps {
    pub profile_href: String,
    pub addressed: Vec<String>,
    /// When it makes a service digital: the lead paragraph and the comuni at risk (name, people).
    pub at_risk: Option<(String, Vec<(String, i64)>)>,
}

/// The gaps an action addresses; and, when one is a service still offline, the comuni of the
/// district where people risk being left out of it. None when it addresses none.
pub(crate) fn of_action(
    state: &AppState,
    lang: Lang,
    district: Option<&DistrictGaps>,
    gaps: &[String],
) -> Option<ActionGaps> {
    if gaps.is_empty() {
        return None;
    }
    let (district_slug, _, current) = district?;
    let named: Vec<Gap> = gaps
        .iter()
        .map(|key| {
            current.iter().find(|g| &g.key == key).cloned().unwrap_or_else(|| agio_app::profile::closed_gap(key))
        })
        .collect();
    let digitalises = named.iter().any(|g| g.kind == GapKind::LowLevelService);
    let at_risk = digitalises.then(|| {
        let comuni: Vec<(String, i64)> = current
            .iter()
            .filter(|g| g.kind == GapKind::ComuneAtRisk)
            .map(|g| (g.subject.clone(), g.population.unwrap_or(0)))
            .collect();
        let people = number(lang, comuni.iter().map(|(_, people)| people).sum());
        (lang.catalogue().fmt("gap.at_risk_lead", &[("people", &people)]), comuni)
    });
    Some(ActionGaps {
        profile_href: format!("/territori/{district_slug}/profilo"),
        addressed: named.iter().map(|g| gap_label(&state.vocabularies.need, lang, g)).collect(),
        at_risk,
    })
}
