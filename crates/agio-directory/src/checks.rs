//! What an import checks beyond the HSDS JSON Schemas: that schedules parse, that AGIO's
//! extensions hold sensible values and that references point to records that exist.

use serde_json::Value;

use crate::ids::is_uuid;
use crate::schedule::{parse_date, Schedule};

/// One thing wrong in a document: where (a JSON pointer) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    fn at(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem { path: path.into(), message: message.into() }
    }
}

/// What the rest of the directory already holds, for reference checks.
pub trait Known: Sync {
    /// Whether a taxonomy term with this id exists (in AGIO's taxonomies or the same import).
    fn taxonomy_term(&self, id: &str) -> bool;
    /// Whether an organisation with this id exists.
    fn organization(&self, id: &str) -> bool;
}

/// Nothing exists besides the document itself (an empty directory).
pub struct NothingKnown;

impl Known for NothingKnown {
    fn taxonomy_term(&self, _: &str) -> bool {
        false
    }
    fn organization(&self, _: &str) -> bool {
        false
    }
}

/// Every reference is taken as found: a check without a database to look in.
pub struct EverythingKnown;

impl Known for EverythingKnown {
    fn taxonomy_term(&self, _: &str) -> bool {
        true
    }
    fn organization(&self, _: &str) -> bool {
        true
    }
}

/// The problems of one service document that the schemas do not catch.
pub fn service_problems(service: &Value, known: &dyn Known) -> Vec<Problem> {
    let mut problems = Vec::new();
    let schedules_at = |path: String, value: Option<&Value>, problems: &mut Vec<Problem>| {
        for (i, s) in value.and_then(Value::as_array).into_iter().flatten().enumerate() {
            let Ok(schedule) = serde_json::from_value::<Schedule>(s.clone()) else { continue };
            if let Err((field, reason)) = schedule.opening() {
                problems.push(Problem::at(format!("{path}/schedules/{i}/{field}"), reason));
            }
        }
    };
    schedules_at(String::new(), service.get("schedules"), &mut problems);
    for (i, sal) in array(service, "service_at_locations").enumerate() {
        schedules_at(format!("/service_at_locations/{i}"), sal.get("schedules"), &mut problems);
    }
    match (service.get("organization"), service.get("organization_id").and_then(Value::as_str)) {
        (Some(_), _) => {}
        (None, Some(id)) if known.organization(id) => {}
        (None, Some(id)) => problems.push(Problem::at("/organization_id", format!("no organisation has id {id}"))),
        (None, None) => problems.push(Problem::at("/organization", "missing: every service needs its organisation")),
    }
    for (i, a) in array(service, "attributes").enumerate() {
        let id = a.get("taxonomy_term_id").and_then(Value::as_str);
        if let Some(id) = id.filter(|id| is_uuid(id)) {
            if a.get("taxonomy_term").is_none() && !known.taxonomy_term(id) {
                problems.push(Problem::at(
                    format!("/attributes/{i}/taxonomy_term_id"),
                    format!("no taxonomy term has id {id}"),
                ));
            }
        }
    }
    match service.get("agio_digital_level") {
        None => {}
        Some(level) if level.as_u64().is_some_and(|l| l <= 4) => {}
        Some(level) => {
            problems.push(Problem::at("/agio_digital_level", format!("{level} is not a digital level from 0 to 4")))
        }
    }
    for (i, c) in array(service, "agio_closures").enumerate() {
        for field in ["from", "to"] {
            let value = c.get(field).and_then(Value::as_str).unwrap_or_default();
            if parse_date(value).is_none() {
                problems.push(Problem::at(
                    format!("/agio_closures/{i}/{field}"),
                    format!("'{value}' is not a date (YYYY-MM-DD)"),
                ));
            }
        }
    }
    problems
}

fn array<'a>(value: &'a Value, field: &str) -> impl Iterator<Item = &'a Value> {
    value.get(field).and_then(Value::as_array).into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schedules_references_and_extensions_are_checked() {
        let problems = service_problems(
            &json!({
                "organization_id": "9a1f4f2e-1f7a-4b53-9d36-8f41a3e1c001",
                "service_at_locations": [{ "schedules": [{ "opens_at": "9:00", "closes_at": "8:00" }] }],
                "attributes": [{ "taxonomy_term_id": "9a1f4f2e-1f7a-4b53-9d36-8f41a3e1c002" }],
                "agio_digital_level": 7,
                "agio_closures": [{ "from": "2026-08-01", "to": "31/08/2026" }],
            }),
            &NothingKnown,
        );
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/service_at_locations/0/schedules/0/closes_at",
                "/organization_id",
                "/attributes/0/taxonomy_term_id",
                "/agio_digital_level",
                "/agio_closures/0/to"
            ]
        );
    }
}
