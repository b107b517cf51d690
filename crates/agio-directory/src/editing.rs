//! The texts of a service document as a form edits them ([`ServiceEdit`]), and back: the form
//! reads the Italian fields and their English translations; saving writes them into the
//! document, leaving everything else (places, hours, taxonomy, other languages) as it was.

use agio_domain::edit::{Closure, ServiceEdit};
use serde_json::{json, Map, Value};

fn text(document: &Value, pointer: &str) -> Option<String> {
    document.pointer(pointer).and_then(Value::as_str).map(str::to_string).filter(|t| !t.trim().is_empty())
}

fn english(document: &Value, field: &str) -> Option<String> {
    document
        .get("agio_translations")
        .and_then(|t| t.get("en"))
        .and_then(|en| en.get(field))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Steps as one per line, without the "1. " the document numbers them with.
pub fn steps(text: &str) -> String {
    text.lines()
        .map(|line| match line.trim().split_once(". ") {
            Some((n, rest)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => rest.trim(),
            _ => line.trim(),
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

fn numbered(text: &str) -> String {
    steps(text).lines().enumerate().map(|(i, s)| format!("{}. {s}", i + 1)).collect::<Vec<_>>().join("\n")
}

/// The closures of a document as the form's lines.
fn closures_text(document: &Value) -> Option<String> {
    let closures: Vec<Closure> = serde_json::from_value(document.get("agio_closures")?.clone()).ok()?;
    Some(closures.iter().map(Closure::line).collect::<Vec<_>>().join("\n")).filter(|l| !l.is_empty())
}

/// The editable texts of a document.
pub fn edit_of(document: &Value) -> ServiceEdit {
    ServiceEdit {
        name: text(document, "/name").unwrap_or_default(),
        summary: text(document, "/agio_summary"),
        description: text(document, "/description").unwrap_or_default(),
        eligibility: text(document, "/eligibility_description").unwrap_or_default(),
        application_process: steps(&text(document, "/application_process").unwrap_or_default()),
        online: text(document, "/agio_access/online"),
        in_person: text(document, "/agio_access/in_person"),
        fees: text(document, "/fees_description"),
        digital_level: document.get("agio_digital_level").and_then(Value::as_u64).unwrap_or(0).to_string(),
        email: text(document, "/email"),
        closures: closures_text(document),
        name_en: english(document, "name"),
        summary_en: english(document, "agio_summary"),
        description_en: english(document, "description"),
        eligibility_en: english(document, "eligibility_description"),
        application_process_en: english(document, "application_process").map(|t| steps(&t)),
        online_en: english(document, "agio_access.online"),
        in_person_en: english(document, "agio_access.in_person"),
        fees_en: english(document, "fees_description"),
    }
}

/// The document with the edited texts, modified now (`now`: RFC 3339).
pub fn apply_edit(document: &Value, edit: &ServiceEdit, now: &str) -> Value {
    let mut document = document.clone();
    let Some(o) = document.as_object_mut() else { return document };
    let mut set = |field: &str, value: Option<String>| match value.filter(|v| !v.trim().is_empty()) {
        Some(v) => {
            o.insert(field.to_string(), Value::String(v));
        }
        None => {
            o.remove(field);
        }
    };
    set("name", Some(edit.name.clone()));
    set("agio_summary", edit.summary.clone());
    set("description", Some(edit.description.clone()));
    set("eligibility_description", Some(edit.eligibility.clone()));
    set("application_process", Some(numbered(&edit.application_process)));
    set("fees_description", edit.fees.clone());
    set("email", edit.email.clone());
    set("last_modified", Some(now.to_string()));
    let mut access = Map::new();
    for (key, value) in [("online", &edit.online), ("in_person", &edit.in_person)] {
        if let Some(v) = value.clone().filter(|v| !v.trim().is_empty()) {
            access.insert(key.into(), Value::String(v));
        }
    }
    o.insert("agio_access".into(), Value::Object(access));
    o.insert("agio_digital_level".into(), json!(edit.digital_level.parse::<u8>().unwrap_or(0)));
    // The form's reader has checked every line.
    let closures = Closure::read_lines(edit.closures.as_deref().unwrap_or_default()).unwrap_or_default();
    if closures.is_empty() {
        o.remove("agio_closures");
    } else {
        o.insert("agio_closures".into(), json!(closures));
    }
    let translations = o.entry("agio_translations").or_insert_with(|| json!({}));
    if !translations.is_object() {
        *translations = json!({});
    }
    let en = translations.as_object_mut().expect("an object").entry("en").or_insert_with(|| json!({}));
    if !en.is_object() {
        *en = json!({});
    }
    let en = en.as_object_mut().expect("an object");
    for (field, value) in [
        ("name", &edit.name_en),
        ("agio_summary", &edit.summary_en),
        ("description", &edit.description_en),
        ("eligibility_description", &edit.eligibility_en),
        ("application_process", &edit.application_process_en.as_deref().map(numbered)),
        ("agio_access.online", &edit.online_en),
        ("agio_access.in_person", &edit.in_person_en),
        ("fees_description", &edit.fees_en),
    ] {
        match value.clone().filter(|v| !v.trim().is_empty()) {
            Some(v) => {
                en.insert(field.into(), Value::String(v));
            }
            None => {
                en.remove(field);
            }
        }
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_change_the_texts_and_keep_the_rest() {
        let document = json!({
            "id": "x", "name": "Sportello", "status": "active", "description": "Vecchio",
            "application_process": "1. Telefona\n2. Vieni",
            "service_at_locations": [{ "id": "s" }],
            "agio_translations": { "en": { "name": "Desk", "service_at_locations.0.location.name": "Town hall" } },
        });
        let mut edit = edit_of(&document);
        assert_eq!(edit.application_process, "Telefona\nVieni");
        assert_eq!(edit.name_en.as_deref(), Some("Desk"));
        edit.description = "Nuovo".into();
        edit.application_process = "Scrivi\nAspetta la risposta".into();
        edit.name_en = None;
        edit.digital_level = "3".into();
        assert_eq!(edit.closures, None);
        edit.closures = Some("01/08/2026 - 21/08/2026 Ferie estive\n24/12/2026".into());
        let after = apply_edit(&document, &edit, "2026-11-27T10:00:00Z");
        assert_eq!(
            after["agio_closures"],
            json!([{ "from": "2026-08-01", "to": "2026-08-21", "reason": "Ferie estive" }, { "from": "2026-12-24", "to": "2026-12-24" }])
        );
        assert_eq!(edit_of(&after).closures, edit.closures);
        assert_eq!(after["description"], "Nuovo");
        assert_eq!(after["application_process"], "1. Scrivi\n2. Aspetta la risposta");
        assert_eq!(after["agio_digital_level"], 3);
        assert_eq!(after["last_modified"], "2026-11-27T10:00:00Z");
        assert_eq!(after["service_at_locations"], document["service_at_locations"], "the rest is kept");
        assert!(after["agio_translations"]["en"].get("name").is_none(), "an emptied translation goes");
        assert_eq!(after["agio_translations"]["en"]["service_at_locations.0.location.name"], "Town hall");
        assert_eq!(edit_of(&after).description, "Nuovo");
    }
}
