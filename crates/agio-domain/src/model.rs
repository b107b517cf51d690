//! Read models: what the pages and the API show. Built by the storage layer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::codes::*;

/// A term of a controlled vocabulary, with its labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Term {
    pub code: String,
    pub label_it: String,
    pub label_en: String,
}

impl Term {
    /// The label in the given UI language (`it` or `en`).
    pub fn label(&self, lang: &str) -> &str {
        if lang == "en" {
            &self.label_en
        } else {
            &self.label_it
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VocabularyTerm {
    pub vocabulary: Vocabulary,
    #[serde(flatten)]
    pub term: Term,
    pub position: i64,
}

/// A short reference to a territory, used inside other records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TerritoryRef {
    pub code: String,
    pub slug: String,
    pub name: String,
    pub kind: TerritoryKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Territory {
    pub id: String,
    pub kind: TerritoryKind,
    /// ISTAT code for comuni (6 digits), district code (e.g. `re-guastalla`), `er` for the region.
    pub code: String,
    pub slug: String,
    pub name: String,
    pub parent: Option<TerritoryRef>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub health_authority: Option<String>,
    /// Resident population (sum of its comuni for districts and the region).
    pub population: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Number of comuni in a district or the region; 1 for a comune.
    pub comuni_count: i64,
    pub agendas_count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Agenda {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub territory: TerritoryRef,
    pub period_start: i64,
    pub period_end: i64,
    pub status: AgendaStatus,
    /// Markdown.
    pub vision: String,
    /// Markdown.
    pub context: String,
    pub is_demo: bool,
    pub objectives_count: i64,
    pub actions_count: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Edit version: a change sent through the API names it, and is refused (409) if someone
    /// saved since.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Objective {
    pub id: String,
    pub agenda_slug: String,
    pub code: String,
    pub position: i64,
    pub title: String,
    pub description: String,
    /// The gaps of the district's profile it addresses, by key (see `GapsEdit`).
    #[serde(default)]
    pub gaps: Vec<String>,
    /// The framework targets it serves, by key (see `TargetsEdit`).
    #[serde(default)]
    pub targets: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// When it was archived (out of the lists, kept with its history), or null.
    #[serde(default)]
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrganizationRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionSummary {
    pub id: String,
    pub agenda_slug: String,
    pub agenda_title: String,
    pub objective_code: String,
    pub code: String,
    pub title: String,
    pub term: ActionTerm,
    pub status: ActionStatus,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub lead: Option<OrganizationRef>,
    pub is_demo: bool,
    /// The gaps of the district's profile it addresses, by key (see `GapsEdit`).
    #[serde(default)]
    pub gaps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionPartner {
    pub organization: OrganizationRef,
    pub role: PartnerRole,
    pub role_description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BudgetLine {
    /// Empty in versions approved before lines had ids.
    #[serde(default)]
    pub id: String,
    pub funding_source: Term,
    /// Amount in euro cents, to stay exact.
    pub amount_cents: i64,
    /// Codice Unico di Progetto, when the line has one.
    pub cup: Option<String>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub baseline_value: Option<f64>,
    pub baseline_year: Option<i64>,
    pub target_value: Option<f64>,
    pub target_year: Option<i64>,
    pub direction: Direction,
    /// How often it is measured.
    #[serde(default = "crate::model::quarterly")]
    pub frequency: crate::Frequency,
    /// Its weight in its action's progress (0 leaves it out).
    #[serde(default = "crate::model::one")]
    pub weight: i64,
}

fn quarterly() -> crate::Frequency {
    crate::Frequency::Quarter
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ExpectedResult {
    pub id: String,
    pub kind: ResultKind,
    pub description: String,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssetRef {
    pub slug: String,
    pub name: String,
    pub kind: AssetKind,
}

/// The whole action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Action {
    #[serde(flatten)]
    pub summary: ActionSummary,
    pub objective_title: String,
    /// Markdown.
    pub description: String,
    /// Reference to the Piano di Zona intervention sheet.
    pub zone_plan_ref: Option<String>,
    pub partners: Vec<ActionPartner>,
    pub target_groups: Vec<Term>,
    pub life_stages: Vec<Term>,
    pub themes: Vec<Term>,
    pub budget: Vec<BudgetLine>,
    pub budget_total_cents: i64,
    pub assets: Vec<AssetRef>,
    pub results: Vec<ExpectedResult>,
    pub created_at: String,
    pub updated_at: String,
    /// Edit version of the action (its indicators included): a change sent through the API
    /// names it, and is refused (409) if someone saved since.
    pub version: i64,
    /// When it was archived (out of the lists, kept with its history), or null.
    #[serde(default)]
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Organization {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub org_type: Term,
    pub tax_code: Option<String>,
    pub territory: Option<TerritoryRef>,
    pub description: String,
    pub website: Option<String>,
    pub is_demo: bool,
    pub actions_count: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Edit version: a change sent through the API names it, and is refused (409) if someone
    /// saved since.
    pub version: i64,
    /// When it was archived (out of the lists, kept with its history), or null.
    #[serde(default)]
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DigitalAsset {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub kind: AssetKind,
    pub provider: String,
    pub description: String,
    pub status: AssetStatus,
    pub url: Option<String>,
    pub is_demo: bool,
    pub comuni_covered: i64,
    pub actions_count: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Edit version: a change sent through the API names it, and is refused (409) if someone
    /// saved since.
    pub version: i64,
}

/// Figures shown on the home page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KeyFigures {
    pub districts: i64,
    pub comuni: i64,
    pub population: i64,
    pub agendas: i64,
    pub actions: i64,
    pub organizations: i64,
    pub assets: i64,
}

/// One intervention sheet of a district's Piano di Zona.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ZonePlanSheet {
    /// As the plan numbers it ("16", "3.2").
    pub number: String,
    pub title: String,
    pub area: String,
    /// `target_group` codes.
    pub target_groups: Vec<String>,
    pub budget_cents: Option<i64>,
    pub status: crate::SheetStatus,
}

/// A regional or national framework an agenda's objectives serve (ADER, PNRR, SDGs), with its
/// items in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Framework {
    /// `ader`, `pnrr`, `sdg`.
    pub id: String,
    pub name: String,
    pub edition: String,
    pub source_url: Option<String>,
    pub version: i64,
    pub items: Vec<FrameworkItem>,
}

/// A challenge, mission, component, investment, goal or target of a framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FrameworkItem {
    pub id: String,
    pub code: String,
    /// The code of the item it belongs to (a goal, a mission), if any.
    pub parent_code: Option<String>,
    pub title: String,
    pub version: i64,
}

impl FrameworkItem {
    /// How an objective names it: `{framework}:{code}`.
    pub fn key(&self, framework: &str) -> String {
        format!("{framework}:{}", self.code)
    }
}
