//! What the editors' readers (`agio_domain::edit::Reader`) take in a body's free-text fields,
//! said in the served document as patterns and lengths, so that a client generated from it
//! never sends a value the server refuses for a rule the document keeps quiet about: a line
//! takes no control character and at most [`LINE_MAX`] characters, a text keeps its line
//! breaks and tabs, a date is `YYYY-MM-DD`; both ends are trimmed, and an optional field left
//! blank is no value. Keys of other records, codes and amounts are left to their own schemas.

use agio_domain::edit::{LINE_MAX, TEXT_MAX};
use serde_json::{json, Value};

/// The control characters (Unicode Cc), which no line takes.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// The control characters a text refuses: those of a line but tab and line breaks.
const TEXT_CONTROL: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";
/// What the readers trim from both ends (Rust's `trim`: Unicode White_Space).
const SPACE: &str = r"\t\n\u000b\u000c\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// A character that is not blank: `\S` reads differently in the regular expressions of
/// different languages (ECMA's `\s` leaves out U+0085 and takes in U+FEFF), this class not.
fn not_blank() -> String {
    format!("[^{SPACE}]")
}

/// A date the readers take (`is_date`: 1900 to 2100), from the 1st to the 28th: a pattern
/// cannot count a month's days, and a schema that took the 30th of February would promise too much.
const DATE: &str = r"(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";

/// How a reader takes a field.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// One line (`line`, `opt_line`): required when the reader refuses it blank.
    Line {
        required: bool,
    },
    /// Several lines (`text`); `lines`: at least that many non-blank ones.
    Text {
        lines: usize,
    },
    Date,
    Time,
    /// An `http(s)` address with a host and no space (`opt_url`).
    Url,
    /// A Codice Unico di Progetto: 15 letters or digits.
    Cup,
    /// A partita IVA (11 digits) or a codice fiscale (16 letters or digits).
    TaxCode,
    /// Dates, one per line.
    Dates,
    /// A code of letters, digits, `.` and `-`, at most 20 (a framework's item).
    Code,
    /// A Decidim process's slug: letters, digits, `-` and `_`.
    Slug,
}

/// How the reader of body `body` takes its field `field` (by the readers in `agio_domain`;
/// a field of a new body that none of these names keeps the schema its annotations give).
fn reading(body: &str, field: &str) -> Option<Reading> {
    use Reading::*;
    Some(match (body, field) {
        ("FrameworkItemChange", "code") => Code,
        ("SourceChange", "process_slug") => Slug,
        ("BudgetLineChange" | "BudgetLineCreation", "description") => Line { required: false },
        ("ResultChange" | "ResultEdit", "description") => Line { required: true },
        ("StatusChange", "note") | ("PactChange", "object") | ("PactReportChange", "text") => Text { lines: 1 },
        ("PactChange", "parties") => Text { lines: 2 },
        (_, "title" | "name" | "provider" | "unit" | "edition" | "holder" | "code" | "process_slug") => {
            Line { required: true }
        }
        (
            _,
            "comment" | "good" | "place" | "source" | "legal_basis" | "format" | "update_frequency" | "zone_plan_ref"
            | "role_description",
        ) => Line { required: false },
        (
            _,
            "description" | "context" | "vision" | "contents" | "used_by" | "minutes" | "decisions" | "commitments"
            | "answer_note" | "agenda" | "note",
        ) => Text { lines: 0 },
        (_, "date" | "starts_on" | "ends_on" | "start_date" | "end_date") => Date,
        (_, "starts" | "ends") => Time,
        (_, "website" | "url" | "source_url" | "online_url" | "instance_url") => Url,
        (_, "cup") => Cup,
        (_, "tax_code") => TaxCode,
        (_, "reporting_dates") => Dates,
        _ => return None,
    })
}

/// The pattern a whole value of `reading` matches, blanks at both ends included (the
/// readers count a value's length once trimmed, so the pattern bounds what it keeps); an
/// optional value may be blank.
fn pattern(reading: Reading, required: bool) -> String {
    let optional = |core: &str| format!("^[{SPACE}]*({core}){}[{SPACE}]*$", if required { "" } else { "?" });
    // What the reader keeps: from its first character that is not blank, at most `max`.
    let kept = |control: &str, max: usize| format!("[^{control}{SPACE}][^{control}]{{0,{}}}", max - 1);
    match reading {
        Reading::Line { required: false } => optional(&kept(CONTROL, LINE_MAX)),
        Reading::Line { required: true } => format!("^[{SPACE}]*{}[{SPACE}]*$", kept(CONTROL, LINE_MAX)),
        // A text's length is left to `maxLength` (a bound of 20,000 is too big a pattern for
        // many engines), which also counts the blanks around it that the reader trims; `lines`
        // lines with something on them, among any.
        Reading::Text { lines } => {
            let any = format!("[^{TEXT_CONTROL}]*");
            let line = format!("{any}[^{TEXT_CONTROL}{SPACE}]{any}");
            let kept = if lines == 0 { any } else { vec![line; lines].join("\n") };
            format!("^[{SPACE}]*{kept}[{SPACE}]*$")
        }
        Reading::Date => optional(DATE),
        Reading::Time => optional("([01]?[0-9]|2[0-3])[:.][0-5]?[0-9]"),
        // At most LINE_MAX characters, the scheme's included.
        Reading::Url => {
            // `letters`: the scheme's letters, each either case.
            let address = |scheme: &str, letters: usize| {
                let rest = LINE_MAX - letters - "://".len() - 1;
                format!("{scheme}://[^{SPACE}{CONTROL}/][^{SPACE}{CONTROL}]{{0,{rest}}}")
            };
            optional(&format!("{}|{}", address("[Hh][Tt][Tt][Pp][Ss]", 5), address("[Hh][Tt][Tt][Pp]", 4)))
        }
        Reading::Cup => optional("[A-Za-z0-9]{15}"),
        Reading::TaxCode => optional("[0-9]{11}|[A-Za-z0-9]{16}"),
        // Between the dates, only the blanks a text takes.
        Reading::Dates => optional(&format!("{DATE}([{ITEM_SPACE}]*\n[{ITEM_SPACE}\n]*{DATE})*")),
        // Read as required lines.
        Reading::Code => format!("^[{SPACE}]*[A-Za-z0-9.-]{{1,20}}[{SPACE}]*$"),
        Reading::Slug => format!("^[{SPACE}]*[A-Za-z0-9_-]{{1,{LINE_MAX}}}[{SPACE}]*$"),
    }
}

/// What a string's schema says of a field read as `reading`.
fn constraints(reading: Reading, required: bool) -> serde_json::Map<String, Value> {
    let mut constraints = serde_json::Map::new();
    constraints.insert("pattern".into(), json!(pattern(reading, required)));
    if let Reading::Text { .. } = reading {
        constraints.insert("maxLength".into(), json!(TEXT_MAX));
    }
    constraints
}

/// The whole numbers the readers take in a body's field (`opt_year`, `opt_whole`, `cents`).
fn range(field: &str) -> Option<(i64, i64)> {
    Some(match field {
        "baseline_year" | "target_year" | "period_start" | "period_end" => (1900, 2100),
        "weight" => (0, 100),
        "vote_points" => (1, agio_domain::lab::MAX_VOTE_POINTS),
        "capacity" => (1, 100_000),
        "amount_cents" => (0, 99_999_999_999_999),
        "version" => (i64::MIN, i64::MAX),
        _ => return None,
    })
}

/// The blanks around an item of a list sent as an array: joined one per line, the items make a
/// text, inside which the blanks that are control characters are refused.
const ITEM_SPACE: &str = r"\t\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// What a number given as a number or as text may be, by its field (`read_decimal`,
/// `opt_number`, `euros`): the text's pattern (a plain form the readers never misread) and
/// the number's bounds.
fn number(field: &str) -> Option<Value> {
    let text = |digits: usize, decimals: usize, sign: &str| {
        format!("^[{SPACE}]*({sign}[0-9]{{1,{digits}}}([.,][0-9]{{1,{decimals}}})?)?[{SPACE}]*$")
    };
    // Hundredths: a float's binary digits never reach the readers' limit of decimals.
    Some(match field {
        "value" | "baseline_value" | "target_value" => {
            json!({ "pattern": text(12, 2, "-?"), "minimum": -1e12, "maximum": 1e12, "multipleOf": 0.01 })
        }
        // A percentage's parts: none below zero, and something to divide by (a text of zeros
        // is left to the reader's 422).
        "numerator" => json!({ "pattern": text(12, 2, ""), "minimum": 0, "maximum": 1e12, "multipleOf": 0.01 }),
        "denominator" => {
            json!({ "pattern": text(12, 2, ""), "exclusiveMinimum": 0, "maximum": 1e12, "multipleOf": 0.01 })
        }
        // Euros: rounded to the cent, whatever the decimals. As text, at most two decimals:
        // after a dot, three digits are thousands (`1.234` is 1,234 euros).
        "amount" => json!({ "pattern": text(11, 2, ""), "minimum": 0, "exclusiveMaximum": 1e12 }),
        // One of the five levels of digitalisation, 0 to 4.
        "digital_level" => {
            json!({ "pattern": format!("^[{SPACE}]*[0-4][{SPACE}]*$"), "minimum": 0, "maximum": 4, "multipleOf": 1 })
        }
        // Kilometres to the nearest point of digital facilitation.
        "facilitation_km" => json!({ "minimum": 1, "maximum": 50 }),
        _ => return None,
    })
}

/// Fields that the reader of `body` refuses left out, blank or null, besides its required
/// lines and texts: codes of a closed set, keys of records, yes-or-no answers, lists that
/// must name something, a date a record cannot go without.
fn given(body: &str, field: &str) -> bool {
    matches!(
        (body, field),
        ("NewAgenda", "territory")
            | ("UnionEdit" | "UnionChange", "district" | "members")
            | ("ActionCreation" | "ActionChange", "term" | "status")
            | ("ActionCreation", "objective")
            | ("NewIndicator", "result")
            | ("NewIndicator" | "IndicatorChange", "direction")
            | ("ResultEdit" | "ResultChange", "kind")
            | ("AssetEdit" | "AssetChange", "kind" | "status")
            | ("NewOrganization" | "OrganizationChange", "org_type")
            | ("NewPartner", "organization")
            | ("NewPartner" | "PartnerChange", "role")
            | ("BudgetLineCreation" | "BudgetLineChange", "funding_source")
            | ("NewAssetLink", "asset")
            | ("StatusChange" | "ProfileChange" | "PactChange", "status")
            | ("ProfileChange", "facilitation_km")
            | ("InternalServiceChange", "target_groups" | "life_stages" | "channels" | "digital_level")
            | ("NewAgenda" | "AgendaChange", "period_start" | "period_end")
            | ("DatabaseChange", "personal_data" | "special_categories" | "access")
            | ("MeetingChange", "kind" | "date")
            | ("PactReportChange", "date")
            | ("ProcessChange", "vote_method")
            | ("AnswerChange", "answer")
            | ("PhaseChange", "active_phase")
            | ("SourceChange", "instance_url")
    )
}

/// The rules between fields of `body` that a schema can say: one of two fields given, a field
/// required by another's value (`anyOf`, `if`/`then`), as an addition to the body's schema;
/// `whole`: the body gives the whole record (POST, PUT), not a few fields (PATCH).
fn between_fields(body: &str, whole: bool) -> Option<Value> {
    let something = json!({ "type": "string", "pattern": not_blank() });
    let number_or_something = json!({ "anyOf": [{ "type": "number" }, something] });
    let either = |a: &str, a_schema: Value, b: &str, b_schema: Value| {
        json!({ "anyOf": [
            { "required": [a], "properties": { a: a_schema } },
            { "required": [b], "properties": { b: b_schema } },
        ] })
    };
    let when = |field: &str, value: Value, then: Value| json!({ "if": { "required": [field], "properties": { field: { "const": value } } }, "then": then });
    // Cents taken away leave the euros to say the amount, whatever else the record holds.
    let cents_emptied = when(
        "amount_cents",
        Value::Null,
        json!({ "required": ["amount"], "properties": { "amount": { "not": { "type": "null" } } } }),
    );
    if !whole {
        return match body {
            "BudgetLineCreation" | "BudgetLineChange" => Some(cents_emptied),
            // Given together, they agree; a change of one alone is held against the other's saved value.
            "DatabaseChange" => Some(when(
                "special_categories",
                json!(true),
                json!({ "properties": { "personal_data": { "enum": [true, null] } } }),
            )),
            _ => None,
        };
    }
    Some(match body {
        // An amount in euros as people write it, or in whole cents as the API answers it.
        "BudgetLineCreation" | "BudgetLineChange" => {
            json!({ "allOf": [either("amount", number_or_something, "amount_cents", json!({ "type": "integer" })), cents_emptied] })
        }
        // A value, or a percentage's two parts (which one, the indicator's unit says).
        "MeasurementChange" => json!({ "anyOf": [
            { "required": ["value"], "properties": { "value": number_or_something } },
            { "required": ["numerator", "denominator"],
              "properties": { "numerator": number_or_something, "denominator": number_or_something } },
        ] }),
        // A meeting is somewhere: a place, or a link to join online.
        "MeetingChange" => either("place", something.clone(), "online_url", something.clone()),
        // Special categories (GDPR art. 9) are personal data.
        "DatabaseChange" => when(
            "special_categories",
            json!(true),
            json!({ "required": ["personal_data"], "properties": { "personal_data": { "const": true } } }),
        ),
        "ProcessChange" => when(
            "vote_method",
            json!("points"),
            json!({ "required": ["vote_points"], "properties": { "vote_points": { "type": "integer" } } }),
        ),
        "AnswerChange" => json!({ "allOf": [
            when("answer", json!("accepted"), json!({ "required": ["action_code"], "properties": { "action_code": something } })),
            when("answer", json!("merged"), json!({ "required": ["merged_into"], "properties": { "merged_into": number_or_something } })),
            when("answer", json!("rejected"), json!({ "required": ["answer_note"], "properties": { "answer_note": something } })),
        ] }),
        _ => return None,
    })
}

/// A property that must hold something: a string that is not blank, a list with an item.
fn something_in(property: &mut Value) {
    let types = match &property["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(types) => types.iter().filter_map(|t| t.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    };
    if types.iter().any(|t| t == "string") && property.get("enum").is_none() && property.get("pattern").is_none() {
        property["pattern"] = json!(not_blank());
    }
    if types.iter().any(|t| t == "array") {
        property["minItems"] = json!(1);
        property["items"]["pattern"] = json!(not_blank());
    }
}

/// The schema of a property that also takes `null`.
fn nullable(property: &mut Value) {
    match property.get("type").cloned() {
        Some(Value::String(t)) if t != "null" => property["type"] = json!([t, "null"]),
        Some(Value::Array(mut types)) if !types.contains(&json!("null")) => {
            types.push(json!("null"));
            property["type"] = json!(types);
        }
        Some(_) => {}
        None if property
            .get("oneOf")
            .is_some_and(|o| o.as_array().is_some_and(|o| o.contains(&json!({ "type": "null" })))) => {}
        None => *property = json!({ "oneOf": [property.clone(), { "type": "null" }] }),
    }
}

/// The schema of a property with `null` taken out of it (what its reader refuses).
fn without_null(property: &mut Value) {
    if let Some(types) = property.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            property["type"] = only.clone();
        }
    }
    if let Some(options) = property.get_mut("oneOf").and_then(Value::as_array_mut) {
        options.retain(|o| o.get("type") != Some(&json!("null")));
        if let [only] = options.clone().as_slice() {
            *property = only.clone();
        }
    }
}

/// The document `doc` with each request body's fields declared as their readers take them.
/// `decidim_hosts`: the Decidim instances this platform may read from.
pub fn declared(mut doc: Value, decidim_hosts: &[String]) -> Value {
    let mut required_of: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut versioned = std::collections::HashSet::new();
    for body in body_names(&doc) {
        let Some(properties) =
            doc.pointer_mut(&format!("/components/schemas/{body}/properties")).and_then(Value::as_object_mut)
        else {
            continue;
        };
        if properties.contains_key("version") {
            versioned.insert(body.clone());
        }
        let mut required = Vec::new();
        for (field, property) in properties.iter_mut() {
            if let Some((min, max)) = range(field).filter(|_| is_whole(property)) {
                property["minimum"] = json!(min);
                property["maximum"] = json!(max);
            }
            if let (Some(Value::Object(rules)), Some(property)) = (number(field), property.as_object_mut()) {
                property.extend(rules);
            }
            if property.get("pattern") == Some(&json!(r"\S")) {
                property["pattern"] = json!(not_blank());
            }
            // A list may also come as text, one item per line: the text's rule, and each item a line.
            let listed = is_list_or_text(property);
            let reading = reading(&body, field)
                .filter(|r| is_text(property) || listed && matches!(r, Reading::Text { .. } | Reading::Dates));
            let required_text = matches!(
                reading,
                Some(Reading::Line { required: true } | Reading::Text { lines: 1.. } | Reading::Code | Reading::Slug)
            );
            let given = given(&body, field);
            if let (Some(reading), Some(property)) = (reading, property.as_object_mut()) {
                // The patterns bound a line's trimmed length: a `maxLength` would count blanks.
                property.remove("maxLength");
                property.extend(constraints(reading, given));
                if listed {
                    let (least, core) = match reading {
                        // A blank line is no date: left out.
                        Reading::Dates => (0, format!("({DATE})?")),
                        Reading::Text { lines } => {
                            (lines, format!("[^{CONTROL}{SPACE}]([^{CONTROL}]*[^{CONTROL}{SPACE}])?"))
                        }
                        _ => (0, String::from(".*")),
                    };
                    let item = format!("^[{ITEM_SPACE}]*({core})[{ITEM_SPACE}]*$");
                    property.insert("items".into(), json!({ "type": "string", "pattern": item }));
                    if least > 0 {
                        property.insert("minItems".into(), json!(least));
                    }
                }
            } else if given {
                something_in(property);
            }
            if (body.as_str(), field.as_str()) == ("SourceChange", "instance_url") {
                let hosts: Vec<String> = decidim_hosts.iter().map(|h| h.replace('.', "\\.")).collect();
                let url = format!("[Hh][Tt][Tt][Pp][Ss]?://({})(/[^{SPACE}{CONTROL}]{{0,200}})?", hosts.join("|"));
                property["pattern"] = json!(format!("^[{SPACE}]*{url}[{SPACE}]*$"));
                if hosts.is_empty() {
                    // No instance may be read from: no address is taken.
                    property["not"] = json!({});
                }
            }
            if required_text || given {
                without_null(property);
            }
            if required_text || given {
                required.push(field.clone());
            } else if field != "version" {
                // Null is no value, as leaving the field out (a change empties it).
                nullable(property);
            }
        }
        // The component requires no more than its reader does (a text its reader takes as empty
        // when left out is not required), and the version a change starts from.
        if let Some(listed) =
            doc.pointer_mut(&format!("/components/schemas/{body}/required")).and_then(Value::as_array_mut)
        {
            listed.retain(|f| f == "version" || required.iter().any(|r| f == r));
        }
        required_of.insert(body, required);
    }
    // The Piano di Zona's title and years come in its query, beside its CSV file.
    let plan = "/paths/~1api~1v1~1profiles~1{slug}~1zone-plan/put/parameters";
    for parameter in doc.pointer_mut(plan).and_then(Value::as_array_mut).into_iter().flatten() {
        let year = format!("^[{SPACE}]*(19[0-9]{{2}}|20[0-9]{{2}}|2100)[{SPACE}]*$");
        match parameter["name"].as_str() {
            Some("title") => parameter["schema"]["pattern"] = json!(pattern(Reading::Line { required: true }, true)),
            Some("period_start" | "period_end") => parameter["schema"]["pattern"] = json!(year),
            _ => {}
        }
    }
    // A period in a path, as `Period::parse` reads it: any other answers 404.
    let period = period_pattern();
    let operations = doc.get_mut("paths").and_then(Value::as_object_mut).into_iter().flat_map(|p| p.values_mut());
    for operation in operations.filter_map(Value::as_object_mut).flat_map(|o| o.values_mut()) {
        let parameters = operation.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten();
        for parameter in parameters.filter(|p| p["name"] == "period" && p["in"] == "path") {
            parameter["schema"]["pattern"] = json!(period);
        }
    }
    // A POST or a PUT gives every field its reader requires; a change (PUT, PATCH) the version
    // it starts from.
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    for (method, operation) in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.iter_mut()) {
        let Some(schema) = operation.pointer_mut("/requestBody/content/application~1json/schema") else { continue };
        let Some(body) = body_name(schema) else { continue };
        let whole = method == "post" || method == "put";
        let mut required: Vec<String> =
            if whole { required_of.get(&body).cloned().unwrap_or_default() } else { vec![] };
        let changes = (method == "put" || method == "patch") && versioned.contains(&body);
        if changes {
            required.push("version".into());
        }
        let rules = between_fields(&body, whole);
        if required.is_empty() && rules.is_none() {
            continue;
        }
        if schema.get("allOf").is_none() {
            *schema = json!({ "allOf": [schema.clone()] });
        }
        let mut all: Vec<Value> = schema["required"].as_array().cloned().unwrap_or_default();
        for field in required.into_iter().map(Value::String) {
            if !all.contains(&field) {
                all.push(field);
            }
        }
        schema["required"] = json!(all);
        if changes {
            schema["properties"]["version"] = json!({ "type": "integer", "format": "int64" });
        }
        if let (Some(rules), Some(parts)) = (rules, schema["allOf"].as_array_mut()) {
            parts.push(rules);
        }
    }
    doc
}

/// The periods `Period::parse` takes: a year, a quarter (Q or T, for trimestre) or a semester.
fn period_pattern() -> String {
    format!(r"^[{SPACE}]*\+?0*(19[0-9]{{2}}|20[0-9]{{2}}|2100)(-([QqTt]\+?0*[1-4]|[Ss]\+?0*[12]))?[{SPACE}]*$")
}

/// The component that an operation's request body schema names (itself, or its first part).
fn body_name(schema: &Value) -> Option<String> {
    let reference = schema.pointer("/allOf/0/$ref").or_else(|| schema.get("$ref"))?.as_str()?;
    reference.strip_prefix("#/components/schemas/").map(String::from)
}

/// Every component that is an operation's request body.
fn body_names(doc: &Value) -> std::collections::BTreeSet<String> {
    doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|o| o.values()))
        .filter_map(|operation| operation.pointer("/requestBody/content/application~1json/schema"))
        .filter_map(body_name)
        .collect()
}

/// Whether a property is a whole number (or null).
fn is_whole(property: &Value) -> bool {
    match &property["type"] {
        Value::String(t) => t == "integer",
        Value::Array(types) => types.iter().any(|t| t == "integer"),
        _ => false,
    }
}

/// Whether a property is a list of strings that may also be sent as text, one per line.
fn is_list_or_text(property: &Value) -> bool {
    property["type"].as_array().is_some_and(|t| t.contains(&json!("array")) && t.contains(&json!("string")))
}

/// Whether a property is a plain string (or null): not a list, not a code of a closed set.
fn is_text(property: &Value) -> bool {
    let string = match &property["type"] {
        Value::String(t) => t == "string",
        Value::Array(types) => types.iter().any(|t| t == "string") && !types.iter().any(|t| t == "array"),
        _ => false,
    };
    string && property.get("enum").is_none() && property.get("format").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use agio_domain::edit::Reader;

    /// Whether the served pattern (compiled as the server's own validator compiles it) takes
    /// `value` for `reading`.
    fn schema_takes(reading: Reading, value: &str) -> bool {
        let mut schema = constraints(reading, false);
        schema.insert("type".into(), json!("string"));
        let schema = Value::Object(schema);
        jsonschema::validator_for(&schema).expect("the pattern compiles").is_valid(&json!(value))
    }

    /// Whether the reader that `reading` stands for takes `value`.
    fn reader_takes(reading: Reading, value: &str) -> bool {
        let input = |_: &str| Some(value.to_string());
        let mut r = Reader::new(&input);
        let lines = |text: String| text.lines().filter(|l| !l.trim().is_empty()).count();
        match reading {
            Reading::Line { required: true } => drop(r.line("f")),
            Reading::Line { required: false } => drop(r.opt_line("f")),
            Reading::Text { lines: needed } => {
                let text = r.text("f");
                if lines(text) < needed {
                    return false;
                }
            }
            Reading::Date => drop(r.opt_date("f")),
            Reading::Time => drop(r.opt_time("f")),
            Reading::Url => drop(r.opt_url("f")),
            Reading::Cup => {
                let cup = r.opt_line("f").unwrap_or_default();
                return r.errors.is_empty()
                    && (cup.is_empty() || cup.len() == 15 && cup.bytes().all(|b| b.is_ascii_alphanumeric()));
            }
            Reading::TaxCode => drop(r.opt_tax_code("f")),
            Reading::Code | Reading::Slug => {
                // The real readers, with what else they need: only the field's own problems count.
                let input = |name: &str| match name {
                    "f" | "code" | "process_slug" => Some(value.to_string()),
                    "instance_url" => Some("https://partecipa.example".to_string()),
                    _ => Some("T".to_string()),
                };
                let mut r = Reader::new(&input);
                let field = if reading == Reading::Code {
                    agio_domain::edit::FrameworkTargetEdit::read(&mut r, &[]);
                    "code"
                } else {
                    agio_domain::decidim::DecidimSourceEdit::read(&mut r, &["partecipa.example".to_string()]);
                    "process_slug"
                };
                return !r.errors.iter().any(|e| e.field == field);
            }
            Reading::Dates => {
                let text = r.text("f");
                return r.errors.is_empty()
                    && text.lines().map(str::trim).filter(|l| !l.is_empty()).all(agio_domain::edit::is_date);
            }
        }
        r.errors.is_empty()
    }

    /// A period's pattern takes exactly what `Period::parse` takes.
    #[test]
    fn the_period_pattern_agrees_with_the_parser() {
        let schema = json!({ "type": "string", "pattern": period_pattern() });
        let validator = jsonschema::validator_for(&schema).expect("the pattern compiles");
        let corpus = [
            "2025",
            "2025-Q1",
            "2025-q4",
            "2025-T2",
            "2025-S2",
            "2025-s1",
            " 2025-Q1 ",
            "2025-Q01",
            "2025-Q+1",
            "1900",
            "2100",
            "1899",
            "2101",
            "2025-Q5",
            "2025-Q0",
            "2025-S3",
            "2025-X1",
            "2025-",
            "2025-Q",
            "abc",
            "",
            "2025-Q1x",
            "2025-Q-1",
            "25-Q1",
            "+2025",
            "02025-S1",
            "+-2025",
            "2025-QQ1",
            "2025-Q\u{0085}",
        ];
        for value in corpus {
            let parsed = agio_domain::monitoring::Period::parse(value).is_some();
            assert_eq!(validator.is_valid(&json!(value)), parsed, "{value:?}: the parser says {parsed}");
        }
    }

    /// Each pattern takes exactly what its reader takes, over values near every edge.
    #[test]
    fn patterns_agree_with_the_readers() {
        let long = |n: usize| "x".repeat(n);
        let lengths = [
            format!("          {}", long(LINE_MAX)),
            long(LINE_MAX + 1),
            format!("{} {}", long(150), long(150)),
            long(TEXT_MAX + 1),
            // Addresses of 300 and 301 characters, with either scheme.
            format!("http://c.example/{}", long(LINE_MAX - 17)),
            format!("http://c.example/{}", long(LINE_MAX - 16)),
            format!("https://c.example/{}", long(LINE_MAX - 18)),
            format!("https://c.example/{}", long(LINE_MAX - 17)),
        ];
        let corpus = [
            "",
            " ",
            "\u{a0}\n",
            "Casa della comunità",
            "  Titolo  ",
            "\tTitolo\n",
            "Due\nrighe",
            "a\u{1}b",
            "a\u{85}b",
            "\u{85}a",
            "Primo\r\n\tsecondo",
            "a\u{7}",
            "Comune\n ASP \n",
            "Comune\n \n",
            "2027-02-13",
            " 2027-02-13 ",
            "13/02/2027",
            "2027-13-01",
            "9.30",
            "09:05",
            "24:00",
            "9:60",
            "HTTPS://comune.example/x",
            "https:///x",
            "ftp://comune.example",
            "https://a b",
            "e31b22000050006",
            "E31B2200005000",
            "01234567890",
            "0123456789",
            "RSSMRA80A01H501U",
            "0408-11-28",
            "2101-01-01",
            "A1.2-b",
            "a_b",
            "processo-2027",
            "A1.2-b-c-d-e-f-g-h-i-j",
            "2027-03-28\n 2027-06-28\n",
            "2027-03-28 2027-06-28",
            "\u{2028}x\u{3000}",
        ];
        let corpus: Vec<&str> = corpus.into_iter().chain(lengths.iter().map(String::as_str)).collect();
        let readings = [
            Reading::Line { required: true },
            Reading::Line { required: false },
            Reading::Text { lines: 0 },
            Reading::Text { lines: 1 },
            Reading::Text { lines: 2 },
            Reading::Date,
            Reading::Time,
            Reading::Url,
            Reading::Cup,
            Reading::TaxCode,
            Reading::Dates,
            Reading::Code,
            Reading::Slug,
        ];
        let disagreements: Vec<String> = readings
            .iter()
            .flat_map(|&reading| corpus.iter().map(move |&value| (reading, value)))
            .filter(|&(reading, value)| schema_takes(reading, value) != reader_takes(reading, value))
            .map(|(reading, value)| {
                let shown: String = value.chars().take(40).collect();
                format!(
                    "{reading:?} {shown:?} ({} chars): reader {}",
                    value.chars().count(),
                    reader_takes(reading, value)
                )
            })
            .collect();
        assert!(disagreements.is_empty(), "{disagreements:#?}");
    }
}
