//! The texts of a service document as a form edits them ([`ServiceEdit`]), and back: the form
//! reads the Italian fields and their English translations, the days closed and, for a service
//! at one place, its weekly hours; saving writes them into the document, leaving everything
//! else (places, taxonomy, other languages) as it was.

use agio_domain::edit::{Closure, ServiceEdit, WeeklyHours};
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
fn closures_text(document: &Value) -> String {
    let closures: Vec<Closure> =
        document.get("agio_closures").and_then(|c| serde_json::from_value(c.clone()).ok()).unwrap_or_default();
    closures.iter().map(Closure::line).collect::<Vec<_>>().join("\n")
}

/// HSDS schedule fields a line of hours says; a schedule with any other (dates of validity,
/// another rhythm) is not edited in the form, so that nothing is lost.
const HOURS_FIELDS: [&str; 8] =
    ["id", "freq", "byday", "opens_at", "closes_at", "description", "service_id", "service_at_location_id"];

/// The weekly hours of the service's only place, when the form can edit them: the service has
/// no schedules of its own and each of the place's is a plain weekly opening.
pub fn editable_hours(document: &Value) -> Option<Vec<WeeklyHours>> {
    let places = document.get("service_at_locations").and_then(Value::as_array)?;
    let [place] = places.as_slice() else { return None };
    if document.get("schedules").and_then(Value::as_array).is_some_and(|s| !s.is_empty()) {
        return None;
    }
    let schedules = place.get("schedules").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    schedules
        .iter()
        .map(|schedule| {
            let o = schedule.as_object()?;
            if o.iter().any(|(k, v)| !v.is_null() && !HOURS_FIELDS.contains(&k.as_str())) {
                return None;
            }
            if !matches!(o.get("freq").and_then(Value::as_str), None | Some("WEEKLY")) {
                return None;
            }
            let field = |name: &str| o.get(name).and_then(Value::as_str);
            WeeklyHours::from_hsds(field("byday"), field("opens_at")?, field("closes_at")?, field("description"))
        })
        .collect()
}

/// The place's schedules for the edited hours (ids kept by position), and its English notes
/// kept where the Italian note did not change.
fn apply_hours(o: &mut Map<String, Value>, hours: Vec<WeeklyHours>) {
    let Some(Value::Array(places)) = o.get_mut("service_at_locations") else { return };
    let Some(place) = places.first_mut().and_then(Value::as_object_mut) else { return };
    let old: Vec<Value> = place.get("schedules").and_then(Value::as_array).cloned().unwrap_or_default();
    let place_id = place.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
    let schedules: Vec<Value> = hours
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let id = old.get(i).and_then(|s| s.get("id")).and_then(Value::as_str).map(str::to_string);
            let mut schedule = json!({
                "id": id.unwrap_or_else(|| crate::ids::stable_id(&["schedule", &place_id, &i.to_string()])),
                "freq": "WEEKLY",
                "byday": h.byday(),
                "opens_at": h.opens,
                "closes_at": h.closes,
            });
            if let Some(note) = &h.note {
                schedule["description"] = json!(note);
            }
            schedule
        })
        .collect();
    // The English note of schedule i still translates it when its Italian note is the same.
    let note_kept = |i: usize| {
        let old_note = old.get(i).and_then(|s| s.get("description")).and_then(Value::as_str);
        old_note.is_some() && old_note == hours.get(i).and_then(|h| h.note.as_deref())
    };
    place.insert("schedules".into(), Value::Array(schedules));
    for (_, translation) in o.get_mut("agio_translations").and_then(Value::as_object_mut).into_iter().flatten() {
        if let Some(fields) = translation.as_object_mut() {
            fields.retain(|field, _| {
                let index = field
                    .strip_prefix("service_at_locations.0.schedules.")
                    .and_then(|r| r.strip_suffix(".description"));
                index.and_then(|i| i.parse::<usize>().ok()).is_none_or(note_kept)
            });
        }
    }
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
        closures: Some(closures_text(document)),
        hours: editable_hours(document).map(|hours| hours.iter().map(WeeklyHours::line).collect::<Vec<_>>().join("\n")),
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
pub fn apply_edit(document_before: &Value, edit: &ServiceEdit, now: &str) -> Value {
    let mut document = document_before.clone();
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
    if let Some(text) = &edit.closures {
        // The form's reader has checked every line.
        match Closure::read_lines(text).unwrap_or_default() {
            closures if closures.is_empty() => o.remove("agio_closures"),
            closures => o.insert("agio_closures".into(), json!(closures)),
        };
    }
    if let (Some(text), Some(current)) = (&edit.hours, editable_hours(document_before)) {
        // The form's reader has checked every line. Hours left as they were stay untouched.
        let edited = WeeklyHours::read_lines(text).unwrap_or_default();
        if edited != current {
            apply_hours(o, edited);
        }
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
        assert_eq!(edit.closures.as_deref(), Some(""));
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

    #[test]
    fn weekly_hours_of_a_service_at_one_place_are_edited_and_the_rest_kept() {
        let schedule = |id: &str, byday: &str, note: &str| json!({ "id": id, "freq": "WEEKLY", "byday": byday, "opens_at": "08:30", "closes_at": "12:30", "description": note });
        let document = json!({
            "id": "x", "name": "Sportello", "description": "Ti ascoltiamo",
            "service_at_locations": [{ "id": "p", "schedules": [schedule("s0", "MO,WE,FR", "Chiuso ad agosto"), schedule("s1", "TU", "Chiuso ad agosto")] }],
            "agio_translations": { "en": {
                "service_at_locations.0.schedules.0.description": "Closed in August",
                "service_at_locations.0.schedules.1.description": "Closed in August",
            } },
        });
        let mut edit = edit_of(&document);
        assert_eq!(
            edit.hours.as_deref(),
            Some("lun, mer, ven 08:30-12:30 Chiuso ad agosto\nmar 08:30-12:30 Chiuso ad agosto")
        );
        edit.hours = Some("lun-ven 9-13 Chiuso ad agosto\nmar 15-18 solo su appuntamento\nsab 9-12".into());
        let after = apply_edit(&document, &edit, "2026-11-27T10:00:00Z");
        let schedules = after["service_at_locations"][0]["schedules"].as_array().unwrap();
        assert_eq!(schedules.len(), 3);
        assert_eq!(
            schedules[0],
            json!({ "id": "s0", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "13:00", "description": "Chiuso ad agosto" })
        );
        assert_eq!(
            (schedules[1]["id"].as_str(), schedules[1]["description"].as_str()),
            (Some("s1"), Some("solo su appuntamento"))
        );
        assert!(schedules[2]["id"].as_str().is_some_and(|id| id.len() == 36), "a new schedule gets an id");
        let en = &after["agio_translations"]["en"];
        assert_eq!(en["service_at_locations.0.schedules.0.description"], "Closed in August", "the note did not change");
        assert!(
            en.get("service_at_locations.0.schedules.1.description").is_none(),
            "the note changed: its translation goes"
        );
        assert_eq!(
            edit_of(&after).hours,
            edit.hours.map(|h| WeeklyHours::read_lines(&h)
                .unwrap()
                .iter()
                .map(WeeklyHours::line)
                .collect::<Vec<_>>()
                .join("\n"))
        );

        // A form without the fields leaves hours and closures as they are.
        let mut closed = after.clone();
        closed["agio_closures"] = json!([{ "from": "2026-08-01", "to": "2026-08-21" }]);
        let without = ServiceEdit { hours: None, closures: None, ..edit_of(&closed) };
        let kept = apply_edit(&closed, &without, "now");
        assert_eq!(
            (&kept["service_at_locations"], &kept["agio_closures"]),
            (&closed["service_at_locations"], &closed["agio_closures"])
        );

        // Hours the form cannot say are not offered, and a save leaves them alone.
        let mut dated = document.clone();
        dated["service_at_locations"][0]["schedules"][0]["valid_to"] = json!("2026-12-31");
        let mut two_places = document.clone();
        two_places["service_at_locations"] = json!([{ "id": "p" }, { "id": "q" }]);
        for document in [dated, two_places] {
            assert!(editable_hours(&document).is_none());
            let mut edit = edit_of(&document);
            assert_eq!(edit.hours, None, "not offered");
            edit.hours = Some("lun 9-12".into());
            assert_eq!(apply_edit(&document, &edit, "now")["service_at_locations"], document["service_at_locations"]);
        }
    }
}
