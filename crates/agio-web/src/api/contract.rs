//! What the annotations cannot say of the query parameters, added to the OpenAPI document as
//! it is served: the vocabularies' codes (read from the database), the rules every free-text
//! and every key parameter follows (`kit::query`), that an empty value is no filter, and the
//! 404 that a key naming nothing answers. A client generated from the document then meets no request refused for a reason
//! the document does not give.

use agio_app::Vocabularies;
use serde_json::{json, Value};

use crate::kit::query::MAX_TEXT;

/// Free text: at most [`MAX_TEXT`] characters, none of them a control character.
const TEXT: &[&str] = &["q"];
/// Keys of records (codes or slugs): what names nothing answers 404.
const KEYS: &[&str] = &["territory", "parent", "agenda", "objective", "organization", "asset", "comune", "gap"];

/// The document `doc` with its query parameters completed.
pub fn declared(mut doc: Value, vocabularies: &Vocabularies) -> Value {
    let codes = |terms: &[agio_domain::model::Term]| -> Value { terms.iter().map(|t| t.code.clone()).collect() };
    let vocabulary = |name: &str| -> Option<Value> {
        Some(match name {
            "target_group" => codes(&vocabularies.target_group),
            "life_stage" => codes(&vocabularies.life_stage),
            "theme" => codes(&vocabularies.theme),
            "type" => codes(&vocabularies.organization_type),
            _ => return None,
        })
    };
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    for operation in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.values_mut()) {
        let Some(operation) = operation.as_object_mut() else { continue };
        let mut takes_keys = false;
        for parameter in operation.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
            if parameter["in"] != "query" {
                continue;
            }
            // An empty value is no filter, as a form that leaves a field blank sends it.
            if parameter["required"] != true {
                parameter["allowEmptyValue"] = json!(true);
            }
            let name = parameter["name"].as_str().unwrap_or_default().to_string();
            let schema = &mut parameter["schema"];
            if TEXT.contains(&name.as_str()) {
                schema["maxLength"] = json!(MAX_TEXT);
                schema["pattern"] = json!("^[^\\u0000-\\u001f\\u007f-\\u009f]*$");
            } else if KEYS.contains(&name.as_str()) {
                schema["pattern"] = json!("^[A-Za-z0-9_-]{1,100}$");
                takes_keys = true;
            } else if let Some(codes) = vocabulary(&name) {
                schema["enum"] = codes;
            }
        }
        if takes_keys {
            let responses = operation.entry("responses").or_insert_with(|| json!({}));
            if responses.get("404").is_none() {
                responses["404"] = json!({
                    "description": "A key among the filters names nothing",
                    "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
                });
            }
        }
    }
    doc
}

/// Where the HSDS document points for its schemas: served here instead, under `schema/`
/// (relative to the document), from the copies `agio_hsds` embeds.
const HSDS_SCHEMAS: &str = agio_hsds::BASE;

/// The published HSDS OpenAPI document made to tell what this server does: its query
/// parameters' limits, the 400 and 404 every operation may answer, and schemas that resolve
/// here. Two faults of the published file are put right: the date-time format's name
/// (`datetime`), and the service at a location described as a service.
pub fn hsds_declared(mut doc: Value) -> Value {
    let per_page = agio_domain::paging::MAX_PER_PAGE;
    let text = json!({ "type": "string", "maxLength": MAX_TEXT, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$" });
    let uuid = json!({ "type": "string", "format": "uuid" });
    let schemas = [
        ("page", json!({ "type": "integer", "minimum": 1, "maximum": 1_000_000 })),
        ("per_page", json!({ "type": "integer", "minimum": 1, "maximum": per_page })),
        ("format", json!({ "type": "string", "enum": ["json", "ndjson"] })),
        ("search", text.clone()),
        ("postcode", text),
        ("proximity", json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 500_000 })),
        ("modified_after", json!({ "type": "string", "format": "date-time" })),
        ("organization_id", uuid.clone()),
        ("taxonomy_id", uuid.clone()),
        ("taxonomy_term_id", uuid.clone()),
    ];
    if let Some(parameters) = doc.pointer_mut("/components/parameters").and_then(Value::as_object_mut) {
        for parameter in parameters.values_mut() {
            parameter["allowEmptyValue"] = json!(true);
            let name = parameter["name"].as_str().unwrap_or_default().to_string();
            if let Some((_, schema)) = schemas.iter().find(|(n, _)| *n == name) {
                parameter["schema"] = schema.clone();
            }
        }
    }
    doc["components"]["schemas"]["Problem"] = json!({
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
            "detail": { "type": "string" }, "instance": { "type": "string" },
        },
    });
    let problem = |what: &str| {
        json!({
            "description": what,
            "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
        })
    };
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(get) = item.get_mut("get") else { continue };
            if path == "/" {
                continue;
            }
            get["responses"]["400"] = problem("A query parameter is not valid (the detail names it)");
            if path.ends_with('}') {
                get["responses"]["404"] = problem("Nothing has this id");
            } else {
                get["responses"]["404"] =
                    problem("A key among the filters names nothing (or a proximity is given without its postcode)");
                // `format=ndjson`: every item, one JSON object a line.
                get["responses"]["200"]["content"]["application/x-ndjson"] = json!({ "schema": {} });
            }
            // The parameters the published file writes in place rather than by reference.
            for parameter in get.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if parameter.get("$ref").is_some() {
                    continue;
                }
                parameter["allowEmptyValue"] = json!(true);
                if parameter["name"] == "parent_id" {
                    parameter["schema"] = uuid.clone();
                }
            }
        }
    }
    if let Some(sal) =
        doc.pointer_mut("/paths/~1service_at_locations~1{id}/get/responses/200/content/application~1json/schema")
    {
        *sal = json!({ "$ref": format!("{HSDS_SCHEMAS}service_at_location.json") });
    }
    served_here(&mut doc);
    doc
}

/// Points every `$ref` to the published schemas at this server's copies (`schema/…`, relative
/// to the document); the compiled service and organisation, which are not published as files,
/// at their uncompiled schemas, whose `$ref`s resolve beside them.
fn served_here(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                if let Some(file) = target.strip_prefix(HSDS_SCHEMAS) {
                    let file = match file {
                        "compiled/service.json" => "service.json",
                        "compiled/organization.json" => "organization.json",
                        other => other,
                    };
                    *target = format!("schema/{file}");
                }
            }
            map.values_mut().for_each(served_here);
        }
        Value::Array(items) => items.iter_mut().for_each(served_here),
        _ => {}
    }
}
