//! Server-rendered forms: reading a posted body, and one accessible form model that every edit
//! page fills in (labels, hints, inline errors tied to their fields with `aria-describedby`,
//! an error summary that takes the focus, the user's input kept on error, and the side-by-side
//! view of a conflicting save).

use agio_domain::edit::{FieldError, FieldProblem};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::Serialize;

use crate::kit::error::AppError;
use crate::kit::i18n::Catalogue;

/// Largest form body accepted (long Markdown texts included).
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// A posted `application/x-www-form-urlencoded` body, as name/value pairs.
#[derive(Debug, Clone, Default)]
pub struct FormBody(pub Vec<(String, String)>);

impl FormBody {
    /// The value of `name`; the values of a name sent more than once (ticked check boxes), a
    /// line each, as a list is read from the API's arrays.
    pub fn get(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect();
        (!values.is_empty()).then(|| values.join("\n"))
    }

    pub fn csrf(&self) -> Option<String> {
        self.get("csrf")
    }
}

impl<S: Send + Sync> FromRequest<S> for FormBody {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<FormBody, AppError> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::UnreadableBody(format!("larger than {} KB", MAX_FORM_BYTES / 1024)))?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err(AppError::UnreadableBody(format!("larger than {} KB", MAX_FORM_BYTES / 1024)));
        }
        // Invalid UTF-8, raw or percent-encoded, is refused rather than silently replaced.
        let text = std::str::from_utf8(&bytes).map_err(|_| AppError::UnreadableBody("not UTF-8".into()))?;
        if !crate::kit::query::percent_decodes_to_utf8(text) {
            return Err(AppError::UnreadableBody("percent-encoded bytes that are not UTF-8".into()));
        }
        serde_urlencoded::from_str::<Vec<(String, String)>>(text)
            .map(FormBody)
            .map_err(|e| AppError::UnreadableBody(e.to_string()))
    }
}

/// The values of a record as form inputs: every field of its JSON form as text.
pub fn values_of(record: &impl Serialize) -> impl Fn(&str) -> Option<String> {
    let map = match serde_json::to_value(record) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    move |name: &str| match map.get(name)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        // A list of names (the comuni an asset covers, say): one per line, as a form writes it.
        serde_json::Value::Array(items) if items.iter().all(|i| i.is_string()) => {
            Some(items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join("\n"))
        }
        serde_json::Value::Number(n) => Some(number_text(n)),
        other => Some(other.to_string()),
    }
}

/// A JSON number written as the readers take it, which they cannot misread: a whole number
/// whatever its JSON form (`1989.0` is the year 1989), never an exponent, and never three
/// digits after the point (`123.456` would read as the Italian thousands `123456`).
fn number_text(n: &serde_json::Number) -> String {
    if let Some(whole) = whole(n) {
        return whole.to_string();
    }
    let mut text = n.as_f64().map_or_else(|| n.to_string(), |f| format!("{f}"));
    if text.split_once('.').is_some_and(|(_, fraction)| fraction.len() == 3) {
        text.push('0');
    }
    text
}

/// A JSON number that is a whole number, as JSON Schema's `integer` takes it (`12` or `12.0`).
pub fn whole(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
}

/// A stored amount in cents as a form field shows it: euros with a decimal comma ("1234,50"),
/// which the reader takes in either language.
pub fn cents_in_euros(cents: Option<String>) -> Option<String> {
    let cents: i64 = cents?.parse().ok()?;
    Some(format!("{},{:02}", cents / 100, cents % 100))
}

/// What kind of input a field is.
#[derive(Debug, Clone)]
pub enum Kind {
    Line,
    /// Long text in Markdown.
    Text,
    Date,
    Year,
    Number,
    Email,
    Password,
    /// A choice among (value, label).
    Select(Vec<(String, String)>),
    /// Any number of (value, label), as check boxes; the value holds the chosen ones a line each.
    Choices(Vec<(String, String)>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub kind: Kind,
    pub required: bool,
    pub value: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub autocomplete: &'static str,
}

impl Field {
    pub fn id(&self) -> String {
        format!("f-{}", self.name)
    }

    /// The ids of the hint and the error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if self.hint.is_some() {
            ids.push(format!("f-{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("f-{}-error", self.name));
        }
        ids.join(" ")
    }

    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Date => "date",
            Kind::Year | Kind::Number => "text",
            Kind::Email => "email",
            Kind::Password => "password",
            _ => "text",
        }
    }

    pub fn inputmode(&self) -> &'static str {
        match self.kind {
            Kind::Year => "numeric",
            Kind::Number => "decimal",
            _ => "",
        }
    }

    pub fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Text)
    }

    pub fn options(&self) -> &[(String, String)] {
        match &self.kind {
            Kind::Select(options) | Kind::Choices(options) => options,
            _ => &[],
        }
    }

    pub fn is_choices(&self) -> bool {
        matches!(self.kind, Kind::Choices(_))
    }

    /// Whether a check box of a `Choices` field is ticked.
    pub fn is_chosen(&self, value: &str) -> bool {
        self.value.lines().any(|line| line.trim() == value)
    }

    pub fn is_select(&self) -> bool {
        matches!(self.kind, Kind::Select(_))
    }
}

/// One line of the error summary: links to its field.
#[derive(Debug, Clone)]
pub struct SummaryItem {
    pub field_id: String,
    pub text: String,
}

/// One differing field of a conflicting save: what is stored now, what the person wrote.
#[derive(Debug, Clone)]
pub struct ConflictRow {
    pub label: String,
    pub theirs: String,
    pub yours: String,
}

#[derive(Debug, Clone)]
pub struct Form {
    pub action: String,
    pub csrf: String,
    pub submit: String,
    /// The version the edit starts from (hidden), for records under optimistic concurrency.
    pub version: Option<i64>,
    pub fields: Vec<Field>,
    pub summary: Vec<SummaryItem>,
    pub conflict: Vec<ConflictRow>,
    /// Show decimal numbers with a comma (Italian), as the hint says.
    decimal_comma: bool,
    /// Submitting destroys something (closing an account): the button looks it.
    pub destructive: bool,
}

impl Form {
    pub fn new(action: impl Into<String>, csrf: impl Into<String>, submit: impl Into<String>) -> Self {
        Form {
            action: action.into(),
            csrf: csrf.into(),
            submit: submit.into(),
            version: None,
            fields: Vec::new(),
            summary: Vec::new(),
            conflict: Vec::new(),
            decimal_comma: false,
            destructive: false,
        }
    }

    /// A form whose submission destroys something: its button is styled as such.
    pub fn destructive(mut self) -> Self {
        self.destructive = true;
        self
    }

    /// Numbers are shown as people of this language write them (12,5 in Italian).
    pub fn numbers_in(mut self, lang: crate::kit::i18n::Lang) -> Self {
        self.decimal_comma = lang == crate::kit::i18n::Lang::It;
        self
    }

    pub fn version(mut self, version: i64) -> Self {
        self.version = Some(version);
        self
    }

    pub fn field(mut self, name: &'static str, label: &str, kind: Kind, required: bool) -> Self {
        self.fields.push(Field {
            name,
            label: label.to_string(),
            kind,
            required,
            value: String::new(),
            hint: None,
            error: None,
            autocomplete: "",
        });
        self
    }

    /// A hint under the last field added.
    pub fn hint(mut self, hint: &str) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.hint = Some(hint.to_string());
        }
        self
    }

    /// An `autocomplete` token for the last field added.
    pub fn autocomplete(mut self, token: &'static str) -> Self {
        if let Some(f) = self.fields.last_mut() {
            f.autocomplete = token;
        }
        self
    }

    /// Fills every field (passwords excepted) from `source`. Stored numbers (`12.0`) are shown
    /// plainly (`12`), with the language's decimal separator; what a person typed stays as typed.
    pub fn values(mut self, source: &dyn Fn(&str) -> Option<String>) -> Self {
        for f in self.fields.iter_mut().filter(|f| !matches!(f.kind, Kind::Password)) {
            let value = source(f.name).unwrap_or_default();
            f.value = match (&f.kind, value.parse::<f64>()) {
                (Kind::Number, Ok(n)) if self.decimal_comma => n.to_string().replace('.', ","),
                (Kind::Number, Ok(n)) => n.to_string(),
                _ => value,
            };
        }
        self
    }

    /// Puts each problem next to its field and in the summary.
    pub fn errors(mut self, errors: &[FieldError], c: &Catalogue) -> Self {
        for e in errors {
            let text = problem_text(&e.problem, c);
            match self.fields.iter_mut().find(|f| f.name == e.field) {
                Some(_) => self = self.error_text(&e.field, text),
                None => self.summary.push(SummaryItem { field_id: "form-errors".into(), text }),
            }
        }
        self
    }

    /// A message of the caller's own for one field, inline and in the summary.
    pub fn error_text(mut self, field: &str, text: String) -> Self {
        if let Some(f) = self.fields.iter_mut().find(|f| f.name == field) {
            self.summary.push(SummaryItem { field_id: f.id(), text: format!("{}: {text}", f.label) });
            f.error = Some(text);
        }
        self
    }

    /// A message for the summary that belongs to no field (e.g. wrong email or password).
    pub fn message(mut self, text: impl Into<String>) -> Self {
        self.summary.push(SummaryItem { field_id: "form-errors".into(), text: text.into() });
        self
    }

    /// Someone saved first: list the fields where the stored values differ from the person's.
    pub fn conflict(mut self, theirs: &dyn Fn(&str) -> Option<String>) -> Self {
        for f in &self.fields {
            let stored = theirs(f.name).unwrap_or_default();
            if stored.trim() != f.value.trim() {
                let shown = |v: &str| match f.kind {
                    Kind::Select(ref options) => options
                        .iter()
                        .find(|(code, _)| code == v)
                        .map(|(_, l)| l.clone())
                        .unwrap_or_else(|| v.to_string()),
                    _ => v.to_string(),
                };
                self.conflict.push(ConflictRow {
                    label: f.label.clone(),
                    theirs: shown(&stored),
                    yours: shown(&f.value),
                });
            }
        }
        self
    }
}

/// The message for a problem, in the UI language.
pub fn problem_text(problem: &FieldProblem, c: &Catalogue) -> String {
    match problem {
        FieldProblem::TooLong { max } => c.fmt(problem.label_key(), &[("max", &max.to_string())]),
        FieldProblem::NotOneOf { allowed }
        | FieldProblem::HostNotAllowed { allowed }
        | FieldProblem::NotAMoveFromHere { allowed } => c.fmt(problem.label_key(), &[("allowed", &allowed.join(", "))]),
        FieldProblem::OutOfRange { min, max } => c.fmt(problem.label_key(), &[("min", min), ("max", max)]),
        FieldProblem::NotAPeriod { first, last } => c.fmt(problem.label_key(), &[("first", first), ("last", last)]),
        FieldProblem::Duplicate { row } => c.fmt(problem.label_key(), &[("row", &row.to_string())]),
        FieldProblem::AgainstSaved { with } => c.fmt(problem.label_key(), &[("with", with)]),
        FieldProblem::UnknownPlaces { names }
        | FieldProblem::OutsideDistrict { names }
        | FieldProblem::InAnotherUnion { names } => c.fmt(problem.label_key(), &[("names", &names.join(", "))]),
        FieldProblem::NotClosures { lines } | FieldProblem::NotHours { lines } => {
            let lines: Vec<String> = lines.iter().map(usize::to_string).collect();
            c.fmt(problem.label_key(), &[("lines", &lines.join(", "))])
        }
        other => c.t(other.label_key()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::i18n::Lang;

    /// A JSON number reaches the readers in a form they read back as the same number.
    #[test]
    fn json_numbers_are_written_as_the_readers_take_them() {
        let written = |json: &str| number_text(&serde_json::from_str(json).unwrap());
        assert_eq!(written("1989.0"), "1989", "a whole number is an integer");
        assert_eq!(written("1e20"), "100000000000000000000");
        assert_eq!(written("1e-7"), "0.0000001");
        assert_eq!(written("123.456"), "123.4560", "not the Italian thousands 123456");
        assert_eq!(
            agio_domain::monitoring::read_decimal(&written("123.456")).map(|d| d.to_string()),
            Ok("123.456".to_string())
        );
        assert_eq!(written("12.5"), "12.5");
    }

    #[test]
    fn errors_are_tied_to_their_fields_and_summarised() {
        let c = Lang::It.catalogue();
        let form = Form::new("/x", "t", "Salva")
            .field("title", "Titolo", Kind::Line, true)
            .hint("Breve")
            .field("start_date", "Inizio", Kind::Date, false)
            .values(&|n: &str| (n == "title").then(|| "<b>mio</b>".to_string()))
            .errors(&[FieldError { field: "start_date".into(), problem: FieldProblem::NotADate }], c);
        assert_eq!(form.fields[0].value, "<b>mio</b>", "the input is kept as typed");
        assert_eq!(form.fields[0].described_by(), "f-title-hint");
        assert_eq!(form.fields[1].described_by(), "f-start_date-error");
        assert_eq!(form.summary[0].field_id, "f-start_date");
        assert!(form.summary[0].text.starts_with("Inizio: "), "{}", form.summary[0].text);
    }

    #[test]
    fn a_conflict_lists_only_the_fields_that_differ() {
        let form = Form::new("/x", "t", "Salva")
            .field("title", "Titolo", Kind::Line, true)
            .field("status", "Stato", Kind::Select(vec![("planned".into(), "Pianificata".into())]), true)
            .values(&|n: &str| Some(if n == "title" { "Mio" } else { "planned" }.to_string()))
            .conflict(&|n: &str| Some(if n == "title" { "Loro" } else { "planned" }.to_string()));
        assert_eq!(form.conflict.len(), 1);
        assert_eq!((form.conflict[0].theirs.as_str(), form.conflict[0].yours.as_str()), ("Loro", "Mio"));
    }
}
