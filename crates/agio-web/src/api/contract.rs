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
    // The vocabulary codes a body's text field takes.
    let body_codes =
        [("org_type", codes(&vocabularies.organization_type)), ("funding_source", codes(&vocabularies.funding_source))];
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut);
    for schema in schemas.into_iter().flat_map(|s| s.values_mut()) {
        for (field, codes) in &body_codes {
            let Some(property) = schema.pointer_mut(&format!("/properties/{field}")) else { continue };
            let mut allowed = codes.as_array().cloned().unwrap_or_default();
            if property["type"] == json!(["string", "null"]) {
                allowed.push(Value::Null);
            } else if property["type"] != "string" {
                continue;
            }
            property["enum"] = json!(allowed);
        }
    }
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

/// The request bodies as the document declares them, and as the server checks them: no field
/// that the record does not have; and a PUT of a change (a body with the `version` it starts
/// from) gives every field that cannot be null, since a PUT empties what it leaves out.
pub fn bodies_declared(mut doc: Value) -> Value {
    let mut bodies = std::collections::BTreeSet::new();
    let composed = doc.pointer("/components/schemas").cloned().unwrap_or_default();
    let body_refs = doc["paths"].as_object().into_iter().flat_map(|paths| paths.values()).flat_map(|item| {
        item.as_object().into_iter().flat_map(|o| o.values()).filter_map(|operation| {
            operation.pointer("/requestBody/content/application~1json/schema/$ref")?.as_str().map(String::from)
        })
    });
    let mut made_one = std::collections::BTreeSet::new();
    for reference in body_refs.collect::<Vec<_>>() {
        if let Some(schema) = reference.strip_prefix('#').and_then(|pointer| doc.pointer_mut(pointer)) {
            if flattened(schema, &composed) {
                made_one.insert(reference.trim_start_matches("#/components/schemas/").to_string());
            }
        }
    }
    let components = doc.pointer("/components/schemas").cloned().unwrap_or_default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    for (method, operation) in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.iter_mut()) {
        let Some(schema) = operation.pointer_mut("/requestBody/content/application~1json/schema") else { continue };
        let Some(name) = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) else {
            continue;
        };
        bodies.insert(name.to_string());
        let properties = components[name]["properties"].as_object().cloned().unwrap_or_default();
        if method != "put" || !properties.contains_key("version") {
            continue;
        }
        if made_one.contains(name) {
            // A composed body keeps its parts' own required fields (its readers take a text left
            // out as empty), and creates when its version is left out: a PUT changes, so needs it.
            let version = json!({ "type": "integer", "format": "int64" });
            *schema =
                json!({ "allOf": [schema.clone()], "required": ["version"], "properties": { "version": version } });
        } else {
            let required: Vec<&String> = properties.iter().filter(|(_, p)| !admits_null(p)).map(|(f, _)| f).collect();
            *schema = json!({ "allOf": [schema.clone()], "required": required });
        }
    }
    for name in &bodies {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            if schema["type"] == "object" && schema.get("additionalProperties").is_none() {
                schema["additionalProperties"] = json!(false);
            }
            lists_as_text(schema);
        }
    }
    // A new record's optional fields may be sent as null (no value), as the readers take it;
    // a change's fields say so themselves.
    let changes = |schema: &Value| schema.pointer("/properties/version").is_some();
    let mut creations: Vec<String> = Vec::new();
    for name in &bodies {
        let schema = &components[name.as_str()];
        if changes(schema) {
            continue;
        }
        creations.push(name.clone());
        let parts = schema["allOf"].as_array().into_iter().flatten();
        creations
            .extend(parts.filter_map(|p| p["$ref"].as_str()?.strip_prefix("#/components/schemas/").map(String::from)));
    }
    for name in creations {
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            optional_as_nullable(schema);
        }
    }
    doc
}

/// A body composed of parts (`allOf`: a record's fields and those of its creation or change)
/// made one object, so that it can refuse the fields none of its parts has: `additionalProperties`
/// sees only the properties written beside it.
fn flattened(schema: &mut Value, components: &Value) -> bool {
    let Some(parts) = schema.get("allOf").and_then(Value::as_array).cloned() else { return false };
    let mut properties = serde_json::Map::new();
    let mut required: Vec<Value> = Vec::new();
    for part in parts {
        let part = match part["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => components[name].clone(),
            None => part,
        };
        if part.get("allOf").is_some() || part["type"] != "object" {
            return false; // deeper compositions stay as they are
        }
        properties.extend(part["properties"].as_object().cloned().unwrap_or_default());
        required.extend(part["required"].as_array().cloned().unwrap_or_default());
    }
    let description = schema.get("description").cloned();
    *schema = json!({ "type": "object", "properties": properties });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    if let Some(description) = description {
        schema["description"] = description;
    }
    true
}

/// Lets each field that is not required be null too.
fn optional_as_nullable(schema: &mut Value) {
    for part in schema.get_mut("allOf").and_then(Value::as_array_mut).into_iter().flatten() {
        optional_as_nullable(part);
    }
    let required: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
    let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else { return };
    for (field, property) in properties.iter_mut() {
        if required.contains(&json!(field)) || admits_null(property) {
            continue;
        }
        match property["type"].clone() {
            Value::String(t) => property["type"] = json!([t, "null"]),
            Value::Array(mut types) => {
                types.push(json!("null"));
                property["type"] = json!(types);
            }
            _ => *property = json!({ "oneOf": [property.clone(), { "type": "null" }] }),
        }
    }
}

fn admits_null(schema: &Value) -> bool {
    let null = |t: &Value| t == "null";
    match &schema["type"] {
        Value::String(_) if null(&schema["type"]) => true,
        Value::Array(types) if types.iter().any(null) => true,
        _ => ["oneOf", "anyOf"].iter().any(|k| schema[k].as_array().is_some_and(|o| o.iter().any(admits_null))),
    }
}

/// A list of names may also be sent as text, one name per line, as the forms send it.
fn lists_as_text(schema: &mut Value) {
    for part in schema.get_mut("allOf").and_then(Value::as_array_mut).into_iter().flatten() {
        lists_as_text(part);
    }
    for property in schema.get_mut("properties").and_then(Value::as_object_mut).into_iter().flat_map(|p| p.values_mut())
    {
        let types = match &property["type"] {
            Value::String(t) if t == "array" => json!(["array", "string"]),
            Value::Array(t) if t.iter().any(|t| t == "array") => json!(["array", "string", "null"]),
            _ => continue,
        };
        property["type"] = types;
    }
}

/// Each operation's request body schema, compiled, and its fields' schemas (to name a range):
/// (method, path template) → body.
struct Bodies(std::collections::HashMap<(String, String), Body>);

struct Body {
    validator: jsonschema::Validator,
    fields: Value,
}

fn bodies() -> &'static Bodies {
    static BODIES: std::sync::LazyLock<Bodies> = std::sync::LazyLock::new(|| {
        let doc = bodies_declared(serde_json::to_value(super::openapi()).unwrap_or_default());
        let components = doc.get("components").cloned().unwrap_or_default();
        let mut validators = std::collections::HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else { continue };
                // The body's schema, with the components its references point into.
                let mut root = schema.clone();
                root["components"] = components.clone();
                let validator = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .build(&root)
                    .expect("the API's request body schemas compile (checked by the tests)");
                let named = schema.pointer("/allOf/0/$ref").or_else(|| schema.get("$ref")).and_then(Value::as_str);
                let fields = named
                    .and_then(|r| r.strip_prefix("#/"))
                    .and_then(|pointer| doc.pointer(&format!("/{pointer}/properties")))
                    .cloned()
                    .unwrap_or_default();
                validators.insert((method.to_uppercase(), path.clone()), Body { validator, fields });
            }
        }
        Bodies(validators)
    });
    &BODIES
}

/// What is wrong with `body` by the request schema of the operation at `method` `path`, field
/// by field (nothing when it has none).
pub fn body_problems(method: &str, path: &str, body: &Value) -> Vec<agio_domain::edit::FieldError> {
    use agio_domain::edit::{FieldError, FieldProblem};
    use jsonschema::error::ValidationErrorKind as Kind;
    let Some(Body { validator, fields }) = bodies().0.get(&(method.to_string(), path.to_string())) else {
        return Vec::new();
    };
    let mut problems: Vec<FieldError> = Vec::new();
    for error in validator.iter_errors(body) {
        let at = error.instance_path().as_str().trim_start_matches('/').split('/').next().unwrap_or("").to_string();
        // A null is no value: the editors decide whether the field may be left empty.
        if error.instance().is_null() {
            continue;
        }
        let found: Vec<(String, FieldProblem)> = match error.kind() {
            Kind::AdditionalProperties { unexpected } => {
                unexpected.iter().map(|field| (field.clone(), FieldProblem::Unknown)).collect()
            }
            // Which fields must be there is the editors' to say (a PATCH leaves most out).
            Kind::Required { .. } => Vec::new(),
            Kind::MinLength { .. } | Kind::Pattern { .. } => vec![(at, FieldProblem::Required)],
            Kind::Enum { options } => {
                let allowed = options.as_array().into_iter().flatten().filter_map(|o| o.as_str()).map(String::from);
                vec![(at, FieldProblem::NotOneOf { allowed: allowed.collect() })]
            }
            Kind::Minimum { .. } | Kind::Maximum { .. } => {
                let limit = |k: &str| fields[&at][k].as_number().map(|n| n.to_string()).unwrap_or_default();
                let problem = FieldProblem::OutOfRange { min: limit("minimum"), max: limit("maximum") };
                vec![(at, problem)]
            }
            _ => vec![(at, FieldProblem::WrongType)],
        };
        for (field, problem) in found {
            if !problems.iter().any(|p| p.field == field) {
                problems.push(FieldError { field, problem });
            }
        }
    }
    problems
}
