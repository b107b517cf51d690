//! How a change reads in a history: each stored field under the label its form gives it, each
//! value as the record's page shows it (statuses by name, dates and decimals the Italian way),
//! and the bookkeeping (versions, slugs, sources, internal ids) left out.

use agio_domain::{
    ActionStatus, ActionTerm, AgendaStatus, AssetKind, AssetStatus, Direction, Frequency, NationalPlatform,
    PartnerRole, ProfileStatus, ResultKind, Role, ServiceChannel, TokenScope,
};
use serde_json::Value;

use crate::kit::i18n::{date, decimal, euros, Lang};

/// What the history says of a stored field.
#[derive(Debug, PartialEq, Eq)]
pub enum Label {
    /// Shown under this catalogue key.
    Key(&'static str),
    /// Bookkeeping: not shown.
    Hidden,
    /// Not in the table below: shown by its stored name (a test keeps this from happening).
    Unknown,
}

/// The label of `field` in a record of `entity` (an audit entity type).
pub fn label(entity: &str, field: &str) -> Label {
    Label::Key(match (entity, field) {
        // A measured value's source is what the referent wrote, not bookkeeping.
        ("indicator", "source") => "monitoring.source",
        (
            _,
            "version" | "slug" | "source" | "id" | "is_demo" | "created_at" | "has_password" | "agenda_id"
            | "organization_id" | "territory_id" | "position" | "token_id" | "result" | "subject",
        ) => return Label::Hidden,
        ("person", "person_id" | "last_used_at" | "revoked_at") => return Label::Hidden,
        // The directory's own bookkeeping: demo flag, stored translations, HSDS time stamp.
        ("service", "agio_demo" | "agio_translations" | "agio_language" | "last_modified") => return Label::Hidden,
        ("agenda" | "objective", "title") => "agenda.title_field",
        ("agenda", "status") => "agenda.status",
        ("agenda", "vision") => "agenda.vision",
        ("agenda", "context") => "agenda.context",
        ("agenda", "period_start") => "agenda.period_start",
        ("agenda", "period_end") => "agenda.period_end",
        ("agenda", "territory") => "agenda.territory",
        ("action", "title") => "action.title_field",
        ("action", "status") => "action.status",
        ("action", "term") => "action.term",
        ("action", "start_date") => "action.start",
        ("action", "end_date") => "action.end",
        ("action", "zone_plan_ref") => "action.zone_plan_ref",
        ("action" | "objective", "description") => "action.description",
        ("action" | "objective", "gaps") => "gap.field",
        ("objective", "targets") => "frameworks.targets_field",
        ("framework", "name") => "frameworks.name",
        ("framework", "edition") => "frameworks.edition",
        ("framework", "source_url") => "frameworks.source",
        ("framework_item", "parent_code") => "frameworks.parent",
        ("framework_item", "title") => "frameworks.item",
        ("action", "lead") => "action.lead",
        ("action", "objective") => "action.objective",
        ("action", "organization") => "organization.name",
        ("action", "role_description") => "action.contribution",
        ("action", "amount" | "amount_cents") => "action.amount",
        ("action", "role") => "action.role",
        ("action", "kind") => "parts.result_kind",
        ("action", "funding_source") => "parts.funding_source",
        ("action", "cup") => "parts.cup",
        ("action", "asset") => "parts.asset",
        (_, "code") => "action.code",
        ("action" | "indicator", "name") => "indicator.name",
        ("action" | "indicator", "unit") => "indicator.unit",
        ("action" | "indicator", "baseline_value") => "indicator.baseline_value",
        ("action" | "indicator", "baseline_year") => "indicator.baseline_year",
        ("action" | "indicator", "target_value") => "indicator.target_value",
        ("action" | "indicator", "target_year") => "indicator.target_year",
        ("action" | "indicator", "direction") => "indicator.direction",
        ("action" | "indicator", "frequency") => "indicator.frequency",
        ("indicator", "period") => "monitoring.period",
        ("indicator", "value") => "monitoring.value",
        ("indicator", "numerator") => "monitoring.numerator",
        ("indicator", "denominator") => "monitoring.denominator",
        ("indicator", "note") => "monitoring.note",
        ("indicator", "status") => "monitoring.status",
        ("action", "standing") => "monitoring.standing",
        ("agenda", "measurements") => "monitoring.imported",
        ("action", "reason") => "monitoring.reason",
        ("action", "milestone") => "delivery.milestone",
        ("action", "planned_date") => "delivery.planned_date",
        ("action", "actual_date") => "delivery.actual_date",
        ("action", "milestone_status") => "delivery.status",
        ("action", "milestone_note") => "delivery.note",
        ("action", "budget_line") => "parts.funding_source",
        ("action", "committed_cents") => "delivery.committed",
        ("action", "paid_cents") => "delivery.paid",
        ("action", "as_of") => "delivery.as_of",
        ("action" | "indicator", "weight") => "indicator.weight",
        ("action" | "indicator", "indicator" | "indicators") => "parts.indicators_tool",
        ("organization", "name") => "organization.name_field",
        ("organization", "description") => "organization.description",
        ("organization", "org_type") => "organization.type",
        ("organization", "tax_code") => "organization.tax_code",
        ("organization", "territory") => "organization.based_in",
        ("organization", "website") => "organization.website",
        ("asset", "name") => "asset.name_field",
        ("asset", "description") => "asset.description",
        ("asset", "kind") => "asset.kind",
        ("asset", "status") => "asset.status",
        ("asset", "provider") => "asset.provider",
        ("asset", "url") => "asset.url",
        ("asset", "coverage") => "asset.comuni",
        ("territory", "name") => "union.name",
        ("territory", "district") => "union.district",
        ("territory", "members") => "union.members",
        ("person" | "invitation", "name") => "account.name",
        ("person" | "invitation", "email") => "account.email",
        ("person" | "invitation", "role") => "invite.role",
        ("person" | "invitation", "organization_name" | "organization") => "account.organization",
        ("person" | "invitation", "agenda") => "invite.agenda",
        ("person" | "invitation", "territory") => "invite.territory",
        ("person", "issuer") => "history.identity_provider",
        ("person", "notifications_off") => "notifications.title",
        ("person", "password_sign_in") => "account.password_title",
        ("person", "scope") => "tokens.scope",
        ("person", "expires_at") => "tokens.expires",
        ("profile", "status") => "profile.status",
        ("profile", "facilitation_km") => "profile.facilitation_km",
        ("profile", "name") => "profile.service_name",
        ("profile", "description") => "profile.service_description",
        ("profile", "digital_level") => "profile.level",
        ("profile", "target_groups") => "profile.group",
        ("profile", "life_stages") => "profile.stages",
        ("profile", "needs") => "profile.needs",
        ("profile", "channels") => "profile.channels",
        ("profile", "platforms") => "profile.platforms",
        ("profile", "holder") => "database.holder",
        ("profile", "contents") => "database.contents",
        ("profile", "personal_data") => "database.personal_data",
        ("profile", "special_categories") => "database.special_categories",
        ("profile", "legal_basis") => "database.legal_basis",
        ("profile", "format") => "database.format_field",
        ("profile", "update_frequency") => "database.update_frequency",
        ("profile", "access") => "database.access",
        ("profile", "used_by") => "database.used_by",
        ("profile", "title") => "zone_plan.field.title",
        ("profile", "period_start") => "zone_plan.field.period_start",
        ("profile", "period_end") => "zone_plan.field.period_end",
        ("profile", "sheets") => "zone_plan.caption",
        ("lab_process", "title") => "lab.process_title",
        ("lab_process", "description") => "lab.description",
        ("lab_process", "vote_method") => "lab.vote_method",
        ("lab_process", "vote_points") => "lab.vote_points",
        ("lab_process", "active_phase") => "lab.active_phase",
        ("lab_process", "admitted") => "lab.admitted",
        ("lab_meeting", "kind") => "lab.meeting_kind",
        ("lab_meeting", "title") => "lab.meeting_title",
        ("lab_meeting", "date") => "lab.meeting_date",
        ("lab_meeting", "starts") => "lab.meeting_starts",
        ("lab_meeting", "ends") => "lab.meeting_ends",
        ("lab_meeting", "place") => "lab.place",
        ("lab_meeting", "online_url") => "lab.online",
        ("lab_meeting", "agenda") => "lab.meeting_agenda",
        ("lab_meeting", "capacity") => "lab.capacity",
        ("lab_meeting", "minutes") => "lab.minutes",
        ("lab_meeting", "decisions") => "lab.decisions",
        ("lab_meeting", "members") => "lab.members",
        ("lab_meeting", "ideas") => "lab.ideas_discussed",
        ("lab_meeting", "attended") => "lab.attended",
        ("lab_meeting", "document") => "lab.documents",
        ("indicator", "document") => "evidence.link",
        ("lab_representative", "organization") => "lab.represent_organization",
        ("lab_representative", "role") => "lab.represent_role",
        ("lab_representative", "status") => "lab.represent_status",
        ("idea", "on_behalf_of") => "lab.on_behalf_of",
        ("decidim_source", "instance_url") => "decidim.instance_url",
        ("decidim_source", "process_slug") => "decidim.process_slug",
        ("decidim_source", "new") => "decidim.new",
        ("decidim_source", "updated") => "decidim.updated",
        ("decidim_source", "unchanged") => "decidim.unchanged",
        ("decidim_source", "removed") => "decidim.removed",
        ("decidim_source", "missing_fields") => "decidim.missing_fields",
        ("lab_pact", "title") => "lab.pact_title",
        ("lab_pact", "object") => "lab.pact_object",
        ("lab_pact", "good") => "lab.pact_good",
        ("lab_pact", "parties") => "lab.pact_parties",
        ("lab_pact", "commitments") => "lab.pact_commitments",
        ("lab_pact", "starts_on") => "lab.starts_on",
        ("lab_pact", "ends_on") => "lab.ends_on",
        ("lab_pact", "reporting_dates") => "lab.pact_reporting_dates",
        ("lab_pact", "status") => "lab.pact_status",
        ("lab_pact", "action_code") => "lab.pact_action",
        ("lab_pact", "date") => "lab.report_date",
        ("lab_pact", "text") => "lab.report_text",
        ("lab_phase", "starts_on") => "lab.starts_on",
        ("lab_phase", "ends_on") => "lab.ends_on",
        ("lab_phase", "description") => "lab.phase_description",
        ("idea", "title") => "lab.idea_title",
        ("idea", "body") => "lab.idea_body",
        ("idea_comment", "body") => "lab.your_comment",
        ("idea", "gap_key") => "lab.idea_gap",
        ("idea", "comune") => "lab.idea_comune",
        ("idea", "target_groups") => "vocabulary.target_group",
        ("idea", "life_stages") => "vocabulary.life_stage",
        ("idea", "answer") => "lab.answer",
        ("idea", "answer_note") => "lab.answer_note",
        ("idea", "action_code") => "lab.answer_action",
        ("idea", "merged_into") => "lab.answer_merged",
        ("idea" | "idea_comment", "state") => "lab.state",
        ("idea" | "idea_comment", "hidden_reason") => "lab.hide_reason",
        ("service", "name") => "service_edit.name",
        ("service", "description") => "service.what",
        ("service", "email") => "service.email",
        ("service", "summary" | "agio_summary") => "service_edit.summary",
        ("service", "eligibility" | "eligibility_description") => "service.for_whom",
        ("service", "application_process") => "service.steps",
        ("service", "online") => "service_edit.online",
        ("service", "in_person") => "service_edit.in_person",
        ("service", "agio_access") => "service.how",
        ("service", "fees" | "fees_description" | "cost_options") => "service.costs",
        ("service", "digital_level" | "agio_digital_level") => "service.digital_level",
        ("service", "closures") => "service_edit.closures",
        ("service", "hours") => "service_edit.hours",
        ("service", "name_en") => "service_edit.name_en",
        ("service", "summary_en") => "service_edit.summary_en",
        ("service", "description_en") => "service_edit.description_en",
        ("service", "eligibility_en") => "service_edit.eligibility_en",
        ("service", "application_process_en") => "service_edit.steps_en",
        ("service", "online_en") => "service_edit.online_en",
        ("service", "in_person_en") => "service_edit.in_person_en",
        ("service", "fees_en") => "service_edit.fees_en",
        ("service", "agio_action") => "service.action",
        ("service", "agio_assets") => "parts.assets_tool",
        ("service", "languages") => "service.languages",
        ("service", "interpretation_services") => "service.interpretation",
        ("service", "organization") => "service.organization",
        ("service", "phones") => "service.phone",
        ("service", "required_documents") => "service.documents",
        ("service", "service_areas") => "service.areas",
        ("service", "service_at_locations") => "service.places",
        ("service", "attributes") => "service.classification",
        ("service", "status") => "service.status",
        ("service", "url") => "service.website",
        _ => return Label::Unknown,
    })
}

/// A stored value as the record's page shows it, in `lang`.
pub fn shown(entity: &str, field: &str, value: Option<&Value>, lang: Lang) -> String {
    let c = lang.catalogue();
    let coded = |code: &str| -> Option<String> {
        let key = match (entity, field) {
            ("agenda", "status") => code.parse::<AgendaStatus>().ok()?.label_key(),
            ("action", "status") => code.parse::<ActionStatus>().ok()?.label_key(),
            ("action", "role") => code.parse::<PartnerRole>().ok()?.label_key(),
            ("action", "kind") => code.parse::<ResultKind>().ok()?.label_key(),
            ("person", "scope") => code.parse::<TokenScope>().ok()?.label_key(),
            ("profile", "status") => code.parse::<ProfileStatus>().ok()?.label_key(),
            ("profile", "channels") => code.parse::<ServiceChannel>().ok()?.label_key(),
            ("profile", "platforms") => code.parse::<NationalPlatform>().ok()?.label_key(),
            ("profile", "access") => code.parse::<agio_domain::DatabaseAccess>().ok()?.label_key(),
            (_, "term") => code.parse::<ActionTerm>().ok()?.label_key(),
            (_, "direction") => code.parse::<Direction>().ok()?.label_key(),
            (_, "frequency") => code.parse::<Frequency>().ok()?.label_key(),
            ("asset", "kind") => code.parse::<AssetKind>().ok()?.label_key(),
            ("asset", "status") => code.parse::<AssetStatus>().ok()?.label_key(),
            (_, "role") => code.parse::<Role>().ok()?.label_key(),
            ("lab_process", "vote_method") => code.parse::<agio_domain::VoteMethod>().ok()?.label_key(),
            ("lab_process", "active_phase") => code.parse::<agio_domain::PhaseKind>().ok()?.label_key(),
            ("idea", "answer") => code.parse::<agio_domain::IdeaAnswer>().ok()?.label_key(),
            ("idea" | "idea_comment", "state") => code.parse::<agio_domain::IdeaState>().ok()?.label_key(),
            ("lab_meeting", "kind") => code.parse::<agio_domain::MeetingKind>().ok()?.label_key(),
            ("lab_pact", "status") => code.parse::<agio_domain::PactStatus>().ok()?.label_key(),
            ("lab_representative", "status") => code.parse::<agio_domain::RepresentationStatus>().ok()?.label_key(),
            ("indicator", "status") => code.parse::<agio_domain::MeasurementStatus>().ok()?.label_key(),
            ("action", "standing") => code.parse::<agio_domain::Standing>().ok()?.label_key(),
            ("action", "milestone_status") => code.parse::<agio_domain::MilestoneStatus>().ok()?.label_key(),
            ("indicator", "period") => {
                let p = agio_domain::monitoring::Period::parse(code)?;
                return Some(c.fmt(p.label_key(), &[("n", &p.index.to_string()), ("year", &p.year.to_string())]));
            }
            ("indicator", "value" | "numerator" | "denominator") => {
                let value = code.parse::<rust_decimal::Decimal>().ok()?;
                return Some(agio_domain::monitoring::format_decimal(value, lang == Lang::It));
            }
            _ => return None,
        };
        Some(c.label(&key).to_string())
    };
    match value {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) if s.is_empty() => "—".to_string(),
        Some(Value::String(s)) => coded(s).unwrap_or_else(|| if is_date(s) { date(lang, s) } else { s.clone() }),
        Some(Value::Bool(b)) => c.t(if *b { "history.yes" } else { "history.no" }).to_string(),
        Some(Value::Number(n)) if field.ends_with("_cents") => n.as_i64().map(|v| euros(lang, v)).unwrap_or_default(),
        // Years stay as they are written; other numbers take the language's decimal comma.
        Some(Value::Number(n)) if field.ends_with("_year") || field.starts_with("period_") => n.to_string(),
        Some(Value::Number(n)) => n.as_f64().map(|v| decimal(lang, v)).unwrap_or_else(|| n.to_string()),
        Some(Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|v| shown(entity, field, Some(v), lang)).collect();
            if items.is_empty() {
                "—".to_string()
            } else {
                items.join(", ")
            }
        }
        Some(Value::Object(map)) => map
            .iter()
            .filter(|(k, _)| label(entity, k) != Label::Hidden)
            .map(|(k, v)| shown(entity, k, Some(v), lang))
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

/// `YYYY-MM-DD`, alone or starting a timestamp.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    (s.len() == 10 || (s.len() > 10 && b[10] == b'T'))
        && b[4] == b'-'
        && b[7] == b'-'
        && s[..10].bytes().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_on_the_page() {
        let it = Lang::It;
        assert_eq!(shown("agenda", "status", Some(&json!("approved")), it), "Approvata");
        assert_eq!(shown("action", "start_date", Some(&json!("2025-03-01")), it), "01/03/2025");
        assert_eq!(shown("indicator", "target_value", Some(&json!(150.5)), it), "150,5");
        assert_eq!(shown("indicator", "target_year", Some(&json!(2026)), it), "2026");
        assert_eq!(shown("action", "zone_plan_ref", Some(&json!("")), it), "—");
        assert_eq!(shown("indicator", "direction", Some(&json!("increase")), Lang::En), "Higher is better");
        assert_eq!(shown("action", "amount_cents", Some(&json!(1_250_050)), it), "€ 12.500,50");
        assert_eq!(shown("action", "role", Some(&json!("lead")), it), it.catalogue().label("partner_role.lead"));
        assert_eq!(shown("action", "kind", Some(&json!("outcome")), it), it.catalogue().label("result_kind.outcome"));
    }

    #[test]
    fn bookkeeping_is_left_out_and_form_fields_are_labelled() {
        assert_eq!(label("agenda", "version"), Label::Hidden);
        assert_eq!(label("agenda", "slug"), Label::Hidden);
        assert_eq!(label("indicator", "target_value"), Label::Key("indicator.target_value"));
        assert_eq!(label("agenda", "nonsense"), Label::Unknown);
        assert_eq!(label("person", "password_sign_in"), Label::Key("account.password_title"));
    }

    #[test]
    fn every_label_is_in_both_catalogues() {
        let fields = [
            "title",
            "status",
            "vision",
            "context",
            "period_start",
            "period_end",
            "territory",
            "term",
            "start_date",
            "end_date",
            "zone_plan_ref",
            "description",
            "lead",
            "objective",
            "organization",
            "role_description",
            "amount",
            "funding_source",
            "cup",
            "asset",
            "code",
            "name",
            "unit",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "direction",
            "frequency",
            "weight",
            "period",
            "value",
            "numerator",
            "denominator",
            "note",
            "standing",
            "reason",
            "measurements",
            "indicator",
            "org_type",
            "tax_code",
            "website",
            "kind",
            "provider",
            "url",
            "coverage",
            "district",
            "members",
            "email",
            "role",
            "organization_name",
            "agenda",
            "issuer",
            "amount_cents",
            "scope",
            "expires_at",
            "summary",
            "agio_summary",
            "eligibility",
            "eligibility_description",
            "application_process",
            "online",
            "in_person",
            "agio_access",
            "fees",
            "fees_description",
            "cost_options",
            "digital_level",
            "agio_digital_level",
            "closures",
            "hours",
            "name_en",
            "summary_en",
            "description_en",
            "eligibility_en",
            "application_process_en",
            "online_en",
            "in_person_en",
            "fees_en",
            "agio_action",
            "agio_assets",
            "languages",
            "interpretation_services",
            "phones",
            "required_documents",
            "service_areas",
            "service_at_locations",
            "attributes",
            "facilitation_km",
            "target_groups",
            "life_stages",
            "needs",
            "channels",
            "platforms",
            "holder",
            "contents",
            "personal_data",
            "special_categories",
            "legal_basis",
            "format",
            "update_frequency",
            "access",
            "used_by",
            "sheets",
        ];
        let entities = [
            "agenda",
            "objective",
            "action",
            "indicator",
            "organization",
            "asset",
            "territory",
            "person",
            "service",
            "profile",
        ];
        for lang in [Lang::It, Lang::En] {
            for entity in entities {
                for field in fields {
                    if let Label::Key(key) = label(entity, field) {
                        assert_ne!(lang.catalogue().t(key), key, "{lang:?}: no text for {key}");
                    }
                }
            }
        }
    }
}
