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
/// A date the readers take (`is_date`), from the 1st to the 28th: a pattern cannot count a
/// month's days, and a schema that took the 30th of February would promise too much.
const DATE: &str = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";

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
}

/// How the reader of body `body` takes its field `field` (by the readers in `agio_domain`;
/// a field of a new body that none of these names keeps the schema its annotations give).
fn reading(body: &str, field: &str) -> Option<Reading> {
    use Reading::*;
    Some(match (body, field) {
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
fn pattern(reading: Reading) -> String {
    let optional = |core: &str| format!("^[{SPACE}]*({core})?[{SPACE}]*$");
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
        Reading::Url => {
            optional(&format!("[Hh][Tt][Tt][Pp][Ss]?://[^{SPACE}{CONTROL}/][^{SPACE}{CONTROL}]{{0,{}}}", LINE_MAX - 9))
        }
        Reading::Cup => optional("[A-Za-z0-9]{15}"),
        Reading::TaxCode => optional("[0-9]{11}|[A-Za-z0-9]{16}"),
        Reading::Dates => optional(&format!("{DATE}([{SPACE}]*\n[{SPACE}]*{DATE})*")),
    }
}

/// What a string's schema says of a field read as `reading`.
fn constraints(reading: Reading) -> serde_json::Map<String, Value> {
    let mut constraints = serde_json::Map::new();
    constraints.insert("pattern".into(), json!(pattern(reading)));
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
        _ => return None,
    })
}

/// The document `doc` with each request body's free-text fields declared as their readers
/// take them.
pub fn declared(mut doc: Value) -> Value {
    let bodies: Vec<String> = doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
        .flat_map(|item| item.as_object().into_iter().flat_map(|o| o.values()))
        .filter_map(|operation| operation.pointer("/requestBody/content/application~1json/schema"))
        .filter_map(|schema| schema.pointer("/allOf/0/$ref").or_else(|| schema.get("$ref"))?.as_str())
        .filter_map(|reference| reference.strip_prefix("#/components/schemas/").map(String::from))
        .collect();
    for body in bodies {
        let Some(properties) =
            doc.pointer_mut(&format!("/components/schemas/{body}/properties")).and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (field, property) in properties.iter_mut() {
            if let Some((min, max)) = range(field).filter(|_| is_whole(property)) {
                property["minimum"] = json!(min);
                property["maximum"] = json!(max);
            }
            let Some(reading) = reading(&body, field).filter(|_| is_text(property)) else { continue };
            if let Some(property) = property.as_object_mut() {
                // The patterns bound a line's trimmed length: a `maxLength` would count blanks.
                property.remove("maxLength");
                property.extend(constraints(reading));
            }
        }
    }
    doc
}

/// Whether a property is a whole number (or null).
fn is_whole(property: &Value) -> bool {
    match &property["type"] {
        Value::String(t) => t == "integer",
        Value::Array(types) => types.iter().any(|t| t == "integer"),
        _ => false,
    }
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
        let mut schema = constraints(reading);
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
            Reading::Dates => {
                let text = r.text("f");
                return r.errors.is_empty()
                    && text.lines().map(str::trim).filter(|l| !l.is_empty()).all(agio_domain::edit::is_date);
            }
        }
        r.errors.is_empty()
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
