//! What people may change, and the rules a change must meet.
//!
//! Forms and API bodies are both read through [`Reader`], field by field, so that they accept
//! and refuse exactly the same things and report every invalid field at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    ActionStatus, ActionTerm, AgendaStatus, AssetKind, AssetStatus, Direction, Frequency, PartnerRole, ResultKind,
    UnknownCode,
};

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum FieldProblem {
    Required,
    TooLong {
        max: usize,
    },
    /// Line breaks, NUL or other control characters where one line of text is expected.
    ControlCharacters,
    NotOneOf {
        allowed: Vec<String>,
    },
    NotADate,
    NotANumber,
    NotAYear,
    /// A number outside the range the field allows.
    OutOfRange {
        min: String,
        max: String,
    },
    EndBeforeStart,
    /// The save started from an older version than the one stored.
    Stale,
    /// A JSON value of the wrong type (an array or object, or a boolean where text is expected).
    WrongType,
    /// A JSON field that is not one of the record's.
    Unknown,
    /// Not a web address (http:// or https://).
    NotAUrl,
    /// Not an Italian codice fiscale (16 characters) or partita IVA (11 digits).
    NotATaxCode,
    /// Not an email address.
    NotAnEmail,
    /// Not an amount of euros (at least 0).
    NotAnAmount,
    /// The organisation already takes part in the action.
    AlreadyTakingPart,
    /// The action already has its lead organisation (there is one at most).
    SecondLead,
    /// The digital asset is already linked to the action.
    AlreadyLinked,
    /// Names of places that are not comuni, unions or districts of the region.
    UnknownPlaces {
        names: Vec<String>,
    },
    /// Comuni of a union that are not in the union's district.
    OutsideDistrict {
        names: Vec<String>,
    },
    /// Comuni of a union that already belong to another union (a comune is in one at most).
    InAnotherUnion {
        names: Vec<String>,
    },
    /// Lines (numbered from 1) that are not a closure: a date or a period, then the reason.
    NotClosures {
        lines: Vec<usize>,
    },
    /// Lines (numbered from 1) that are not opening hours: days, then times.
    NotHours {
        lines: Vec<usize>,
    },
    /// A file that is not UTF-8 text.
    NotUtf8,
    /// A column the template has and the file lacks.
    MissingColumn,
    /// A value already given on another row (numbered from 1, the header included).
    Duplicate {
        row: usize,
    },
    /// Special categories of personal data in a database said to hold no personal data.
    SpecialWithoutPersonal,
    /// A code with characters other than letters, digits, `.` and `-`, or longer than 20.
    BadCode,
    /// A code another item of the same list already has.
    Taken,
    /// Not a time of day (hh:mm).
    NotATime,
    /// A web address on a host this platform may not call.
    HostNotAllowed {
        allowed: Vec<String>,
    },
    /// A number whose one dot could separate thousands or decimals (`1.234`).
    AmbiguousNumber,
    /// A number that must be greater than zero.
    NotPositive,
    /// A percentage's numerator greater than its denominator.
    NumeratorAboveDenominator,
    /// Not one of the periods an indicator is measured in, between the first and the last.
    NotAPeriod {
        first: String,
        last: String,
    },
    /// A date that only a reached milestone has.
    OnlyWhenReached,
    /// A date after today, where figures can only be as of a past day.
    InTheFuture,
    /// More committed than the budget line's amount.
    AboveBudget,
    /// More paid than committed.
    PaidAboveCommitted,
    /// A budget line's amount below what is already committed on it.
    BelowCommitted,
    /// A status the record cannot move to from the one it has: `allowed` are those it can.
    NotAMoveFromHere {
        allowed: Vec<String>,
    },
    /// A change of one field that disagrees with another field's saved value (an end before
    /// the saved start): the two are changed together.
    AgainstSaved {
        with: String,
    },
}

impl FieldProblem {
    /// The field whose value a rule between two fields holds `field`'s against (an end
    /// against its start), when `self` is such a rule's problem.
    pub fn partner(&self, field: &str) -> Option<&'static str> {
        match (self, field) {
            (FieldProblem::EndBeforeStart, "period_end") => Some("period_start"),
            (FieldProblem::EndBeforeStart, "end_date") => Some("start_date"),
            (FieldProblem::EndBeforeStart, "ends_on") => Some("starts_on"),
            (FieldProblem::EndBeforeStart, "ends") => Some("starts"),
            (FieldProblem::EndBeforeStart, "target_year") => Some("baseline_year"),
            (FieldProblem::SpecialWithoutPersonal, "special_categories") => Some("personal_data"),
            _ => None,
        }
    }

    /// Whether the value clashes with the record's present state or its neighbours' (already
    /// there, taken, below what is spent, not a move from here, a period outside its agenda's
    /// span) rather than being wrong in
    /// itself: the same request may succeed once the state changes. The API answers 409.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            FieldProblem::AlreadyTakingPart
                | FieldProblem::SecondLead
                | FieldProblem::AlreadyLinked
                | FieldProblem::Taken
                | FieldProblem::InAnotherUnion { .. }
                | FieldProblem::BelowCommitted
                | FieldProblem::NotAMoveFromHere { .. }
                | FieldProblem::NotAPeriod { .. }
                | FieldProblem::AgainstSaved { .. }
        )
    }

    /// The i18n key of the message (arguments come from the variant).
    pub fn label_key(&self) -> &'static str {
        match self {
            FieldProblem::Required => "field.required",
            FieldProblem::TooLong { .. } => "field.too_long",
            FieldProblem::ControlCharacters => "field.control",
            FieldProblem::NotOneOf { .. } => "field.not_one_of",
            FieldProblem::NotADate => "field.not_a_date",
            FieldProblem::NotANumber => "field.not_a_number",
            FieldProblem::NotAYear => "field.not_a_year",
            FieldProblem::OutOfRange { .. } => "field.out_of_range",
            FieldProblem::EndBeforeStart => "field.end_before_start",
            FieldProblem::Stale => "field.stale",
            FieldProblem::WrongType => "field.wrong_type",
            FieldProblem::Unknown => "field.unknown",
            FieldProblem::NotAUrl => "field.not_a_url",
            FieldProblem::NotATaxCode => "field.not_a_tax_code",
            FieldProblem::NotAnEmail => "field.not_an_email",
            FieldProblem::NotAnAmount => "field.not_an_amount",
            FieldProblem::AlreadyTakingPart => "field.already_taking_part",
            FieldProblem::SecondLead => "field.second_lead",
            FieldProblem::AlreadyLinked => "field.already_linked",
            FieldProblem::UnknownPlaces { .. } => "field.unknown_places",
            FieldProblem::OutsideDistrict { .. } => "field.outside_district",
            FieldProblem::InAnotherUnion { .. } => "field.in_another_union",
            FieldProblem::NotClosures { .. } => "field.not_closures",
            FieldProblem::NotHours { .. } => "field.not_hours",
            FieldProblem::NotUtf8 => "field.not_utf8",
            FieldProblem::MissingColumn => "field.missing_column",
            FieldProblem::Duplicate { .. } => "field.duplicate",
            FieldProblem::SpecialWithoutPersonal => "field.special_without_personal",
            FieldProblem::BadCode => "field.bad_code",
            FieldProblem::Taken => "field.taken",
            FieldProblem::NotATime => "field.not_a_time",
            FieldProblem::HostNotAllowed { .. } => "field.host_not_allowed",
            FieldProblem::AmbiguousNumber => "field.ambiguous_number",
            FieldProblem::NotPositive => "field.not_positive",
            FieldProblem::NumeratorAboveDenominator => "field.numerator_above_denominator",
            FieldProblem::NotAPeriod { .. } => "field.not_a_period",
            FieldProblem::OnlyWhenReached => "field.only_when_reached",
            FieldProblem::InTheFuture => "field.in_the_future",
            FieldProblem::AboveBudget => "field.above_budget",
            FieldProblem::PaidAboveCommitted => "field.paid_above_committed",
            FieldProblem::BelowCommitted => "field.below_committed",
            FieldProblem::NotAMoveFromHere { .. } => "field.not_a_move_from_here",
            FieldProblem::AgainstSaved { .. } => "field.against_saved",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub problem: FieldProblem,
}

pub const LINE_MAX: usize = 300;
pub const TEXT_MAX: usize = 20_000;

/// Reads typed values out of named text inputs, collecting every problem.
pub struct Reader<'a> {
    input: &'a (dyn Fn(&str) -> Option<String> + Sync),
    pub errors: Vec<FieldError>,
    /// Problems found before reading (an API body against its schema): they refuse the record
    /// as the reader's own do, and give way to the reader's message on the same field.
    found_before: Vec<FieldError>,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a (dyn Fn(&str) -> Option<String> + Sync)) -> Self {
        Reader { input, errors: Vec::new(), found_before: Vec::new() }
    }

    /// A reader that also refuses for `problems`, found before reading.
    pub fn with_problems(mut self, problems: Vec<FieldError>) -> Self {
        self.found_before = problems;
        self
    }

    /// Every problem: the reader's, then those found before on fields the reader did not fault.
    fn all_errors(self) -> Vec<FieldError> {
        let mut errors = self.errors;
        for problem in self.found_before {
            if !errors.iter().any(|e| e.field == problem.field) {
                errors.push(problem);
            }
        }
        errors
    }

    pub fn fail(&mut self, field: &str, problem: FieldProblem) {
        self.errors.push(FieldError { field: field.to_string(), problem });
    }

    /// The trimmed value, None when absent or blank.
    fn raw(&self, field: &str) -> Option<String> {
        (self.input)(field).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }

    /// The value, or None after reporting `problem`: every check ends the same way.
    fn or_report<T>(&mut self, field: &str, value: Option<T>, problem: FieldProblem) -> Option<T> {
        if value.is_none() {
            self.fail(field, problem);
        }
        value
    }

    /// The trimmed value of a field that must be given.
    fn required(&mut self, field: &str) -> Option<String> {
        let value = self.raw(field);
        self.or_report(field, value, FieldProblem::Required)
    }

    /// The value when it is one of `allowed`.
    fn one_of(&mut self, field: &str, value: String, allowed: &[String]) -> Option<String> {
        if allowed.contains(&value) {
            Some(value)
        } else {
            self.fail(field, FieldProblem::NotOneOf { allowed: allowed.to_vec() });
            None
        }
    }

    /// Reports `end_field` when both ends are given and the end comes before the start.
    pub fn in_order<T: PartialOrd>(&mut self, start: &Option<T>, end: &Option<T>, end_field: &str) {
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                self.fail(end_field, FieldProblem::EndBeforeStart);
            }
        }
    }

    fn checked(&mut self, field: &str, value: String, max: usize, multiline: bool) -> Option<String> {
        let bad_control = |c: char| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'));
        if value.chars().any(bad_control) {
            self.fail(field, FieldProblem::ControlCharacters);
            None
        } else if value.chars().count() > max {
            self.fail(field, FieldProblem::TooLong { max });
            None
        } else {
            Some(value)
        }
    }

    /// A required line of text.
    pub fn line(&mut self, field: &str) -> String {
        self.required(field).and_then(|v| self.checked(field, v, LINE_MAX, false)).unwrap_or_default()
    }

    pub fn opt_line(&mut self, field: &str) -> Option<String> {
        let v = self.raw(field)?;
        self.checked(field, v, LINE_MAX, false)
    }

    /// A long text (Markdown), possibly empty.
    pub fn text(&mut self, field: &str) -> String {
        match self.raw(field) {
            Some(v) => self.checked(field, v.replace("\r\n", "\n"), TEXT_MAX, true).unwrap_or_default(),
            None => String::new(),
        }
    }

    /// A required code of a closed set.
    pub fn code<T: std::str::FromStr<Err = UnknownCode>>(&mut self, field: &str) -> Option<T> {
        match self.required(field)?.parse::<T>() {
            Ok(code) => Some(code),
            Err(e) => {
                self.fail(field, FieldProblem::NotOneOf { allowed: e.allowed.iter().map(|s| s.to_string()).collect() });
                None
            }
        }
    }

    /// Codes among `allowed`, one per line or separated by commas (a form's ticked boxes, an
    /// API's array); each once, in the order given. Unknown ones are an error naming the allowed.
    pub fn codes(&mut self, field: &str, allowed: &[String], required: bool) -> Vec<String> {
        let text = self.raw(field).unwrap_or_default();
        let mut codes: Vec<String> = Vec::new();
        for code in text.split(['\n', ',']).map(str::trim).filter(|c| !c.is_empty()) {
            if !allowed.iter().any(|a| a == code) {
                self.fail(field, FieldProblem::NotOneOf { allowed: allowed.to_vec() });
                return Vec::new();
            }
            if !codes.iter().any(|c| c == code) {
                codes.push(code.to_string());
            }
        }
        if required && codes.is_empty() {
            self.fail(field, FieldProblem::Required);
        }
        codes
    }

    /// A required yes or no: a form's `yes`/`no`, or JSON's `true`/`false`.
    pub fn yes_no(&mut self, field: &str) -> Option<bool> {
        match self.required(field)?.as_str() {
            "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            _ => {
                self.fail(field, FieldProblem::NotOneOf { allowed: vec!["yes".into(), "no".into()] });
                None
            }
        }
    }

    /// A required choice among `allowed` codes (a controlled vocabulary).
    pub fn choice(&mut self, field: &str, allowed: &[String]) -> Option<String> {
        let v = self.required(field)?;
        self.one_of(field, v, allowed)
    }

    /// An optional choice among `allowed`.
    pub fn opt_choice(&mut self, field: &str, allowed: &[String]) -> Option<String> {
        let v = self.raw(field)?;
        self.one_of(field, v, allowed)
    }

    /// An optional whole number within `range`.
    pub fn opt_whole(&mut self, field: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
        let n = self.raw(field)?.parse::<i64>().ok();
        let n = self.or_report(field, n, FieldProblem::NotANumber)?;
        if range.contains(&n) {
            return Some(n);
        }
        let (min, max) = (range.start().to_string(), range.end().to_string());
        self.fail(field, FieldProblem::OutOfRange { min, max });
        None
    }

    /// Whether `field` already has a problem reported.
    pub fn failed(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// An optional web address.
    pub fn opt_url(&mut self, field: &str) -> Option<String> {
        let v = self.opt_line(field)?;
        let lower = v.to_ascii_lowercase();
        let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or("");
        let url = !host.is_empty() && !host.starts_with('/') && !v.chars().any(char::is_whitespace);
        self.or_report(field, url.then_some(v), FieldProblem::NotAUrl)
    }

    /// An optional codice fiscale or partita IVA, stored uppercase.
    pub fn opt_tax_code(&mut self, field: &str) -> Option<String> {
        let v = self.opt_line(field)?.to_uppercase();
        let partita_iva = v.len() == 11 && v.bytes().all(|b| b.is_ascii_digit());
        let codice_fiscale = v.len() == 16 && v.bytes().all(|b| b.is_ascii_alphanumeric());
        self.or_report(field, (partita_iva || codice_fiscale).then_some(v), FieldProblem::NotATaxCode)
    }

    /// A required amount in euros, as people write it (1.234,56 or 1234.56 or 1234), in cents.
    pub fn euros(&mut self, field: &str) -> Option<i64> {
        let raw = self.required(field)?;
        let plain: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '€').collect();
        // Italian: a comma for decimals, dots between thousands (2.000 is two thousand).
        let thousands = |s: &str| {
            let groups: Vec<&str> = s.split('.').collect();
            groups.len() > 1
                && (1..=3).contains(&groups[0].len())
                && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
                && groups[1..].iter().all(|g| g.len() == 3)
        };
        let normal =
            if plain.contains(',') || thousands(&plain) { plain.replace('.', "").replace(',', ".") } else { plain };
        let euros = normal.parse::<f64>().ok().filter(|v| v.is_finite() && (0.0..1e12).contains(v));
        self.or_report(field, euros.map(|v| (v * 100.0).round() as i64), FieldProblem::NotAnAmount)
    }

    /// Whether a field was given (not blank).
    pub fn given(&self, field: &str) -> bool {
        self.raw(field).is_some()
    }

    /// Whether the form has the field at all, even empty.
    pub fn present(&self, field: &str) -> bool {
        (self.input)(field).is_some()
    }

    /// A field of lines, each read by `read` and written back in its usual form by `line`;
    /// None when the form does not have the field or a line is wrong (`problem` names them).
    pub fn lines_of<T>(
        &mut self,
        field: &str,
        read: fn(&str) -> Result<Vec<T>, Vec<usize>>,
        line: fn(&T) -> String,
        problem: fn(Vec<usize>) -> FieldProblem,
    ) -> Option<String> {
        if !self.present(field) {
            return None;
        }
        match read(&self.text(field)) {
            Ok(values) => Some(values.iter().map(line).collect::<Vec<_>>().join("\n")),
            Err(lines) => {
                self.fail(field, problem(lines));
                None
            }
        }
    }

    /// A required amount in whole euro cents (at least 0).
    pub fn cents(&mut self, field: &str) -> Option<i64> {
        let cents = self.required(field)?.parse::<i64>().ok().filter(|c| (0..100_000_000_000_000).contains(c));
        self.or_report(field, cents, FieldProblem::NotAnAmount)
    }

    /// An optional date, `YYYY-MM-DD` (what `<input type=date>` sends).
    pub fn opt_date(&mut self, field: &str) -> Option<String> {
        let v = self.raw(field)?;
        self.or_report(field, is_date(&v).then_some(v), FieldProblem::NotADate)
    }

    /// An optional time of day, `hh:mm` (24 hours); `9.30` and `9:30` are read as `09:30`.
    pub fn opt_time(&mut self, field: &str) -> Option<String> {
        let v = self.raw(field)?;
        let time = v.replace('.', ":").split_once(':').and_then(|(h, m)| {
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (h < 24 && m < 60 && v.len() <= 5).then(|| format!("{h:02}:{m:02}"))
        });
        self.or_report(field, time, FieldProblem::NotATime)
    }

    /// An optional decimal number; the Italian decimal comma is accepted.
    pub fn opt_number(&mut self, field: &str) -> Option<f64> {
        let n = self.raw(field)?.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite() && n.abs() < 1e15);
        self.or_report(field, n, FieldProblem::NotANumber)
    }

    pub fn opt_year(&mut self, field: &str) -> Option<i64> {
        let year = self.raw(field)?.parse::<i64>().ok().filter(|y| (1900..=2100).contains(y));
        self.or_report(field, year, FieldProblem::NotAYear)
    }

    /// The version the editor started from (a hidden field); missing or garbled means 0,
    /// which never matches, so the save is treated as stale rather than blindly applied.
    pub fn version(&mut self) -> i64 {
        self.raw("version").and_then(|v| v.parse().ok()).unwrap_or(0)
    }

    /// What a record's `read` gave (it gives None only after reporting why), or every problem.
    pub fn conclude<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        let errors = self.all_errors();
        match (value, errors.is_empty()) {
            (Some(value), true) => Ok(value),
            // A read that gave nothing without saying why: still a refusal, never a half value.
            (None, true) => Err(vec![FieldError { field: String::new(), problem: FieldProblem::Required }]),
            (_, false) => Err(errors),
        }
    }

    /// The value when every field was valid, all the problems otherwise.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        let errors = self.all_errors();
        if errors.is_empty() {
            Ok(value())
        } else {
            Err(errors)
        }
    }
}

pub fn is_date(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return false };
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    match (num(y, 4), num(m, 2), num(d, 2)) {
        (Some(y), Some(m), Some(d)) => {
            let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
            let days = match m {
                1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                4 | 6 | 9 | 11 => 30,
                2 if leap => 29,
                2 => 28,
                _ => return false,
            };
            (1900..=2100).contains(&y) && (1..=days).contains(&d)
        }
        _ => false,
    }
}

/// The editable fields of an action (its partners, budget and results have their own forms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionEdit {
    pub title: String,
    /// Markdown.
    pub description: String,
    pub term: ActionTerm,
    pub status: ActionStatus,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub zone_plan_ref: Option<String>,
}

impl ActionEdit {
    pub fn read(r: &mut Reader) -> Option<ActionEdit> {
        let title = r.line("title");
        let description = r.text("description");
        let term = r.code("term");
        let status = r.code("status");
        let start_date = r.opt_date("start_date");
        let end_date = r.opt_date("end_date");
        let zone_plan_ref = r.opt_line("zone_plan_ref");
        r.in_order(&start_date, &end_date, "end_date");
        Some(ActionEdit { title, description, term: term?, status: status?, start_date, end_date, zone_plan_ref })
    }
}

/// The editable fields of an agenda (its status moves through the workflow instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgendaEdit {
    #[schema(min_length = 1, pattern = r"\S")]
    pub title: String,
    #[schema(minimum = 1900, maximum = 2100)]
    pub period_start: i64,
    #[schema(minimum = 1900, maximum = 2100)]
    pub period_end: i64,
    /// Markdown.
    #[serde(default)]
    pub vision: String,
    /// Markdown.
    #[serde(default)]
    pub context: String,
}

impl AgendaEdit {
    pub fn read(r: &mut Reader) -> Option<AgendaEdit> {
        let title = r.line("title");
        let start = r.opt_year("period_start");
        let end = r.opt_year("period_end");
        for (field, value) in [("period_start", start), ("period_end", end)] {
            if value.is_none() && !r.errors.iter().any(|e| e.field == field) {
                r.fail(field, FieldProblem::Required);
            }
        }
        r.in_order(&start, &end, "period_end");
        let vision = r.text("vision");
        let context = r.text("context");
        Some(AgendaEdit { title, period_start: start?, period_end: end?, vision, context })
    }
}

/// The editable fields of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorEdit {
    pub name: String,
    pub unit: String,
    pub baseline_value: Option<f64>,
    pub baseline_year: Option<i64>,
    pub target_value: Option<f64>,
    pub target_year: Option<i64>,
    pub direction: Direction,
    /// How often it is measured (each quarter when not said).
    #[serde(default = "quarterly")]
    pub frequency: Frequency,
    /// Its weight in its action's progress, 0–100 (1 when not said; 0 leaves it out).
    #[serde(default = "one")]
    pub weight: i64,
}

fn quarterly() -> Frequency {
    Frequency::Quarter
}

fn one() -> i64 {
    1
}

impl IndicatorEdit {
    pub fn read(r: &mut Reader) -> Option<IndicatorEdit> {
        let name = r.line("name");
        let unit = r.line("unit");
        let baseline_value = r.opt_number("baseline_value");
        let baseline_year = r.opt_year("baseline_year");
        let target_value = r.opt_number("target_value");
        let target_year = r.opt_year("target_year");
        r.in_order(&baseline_year, &target_year, "target_year");
        let direction = r.code("direction");
        let frequency = if r.given("frequency") { r.code("frequency") } else { Some(Frequency::Quarter) };
        let weight = if r.given("weight") { r.opt_whole("weight", 0..=100) } else { Some(1) };
        Some(IndicatorEdit {
            name,
            unit,
            baseline_value,
            baseline_year,
            target_value,
            target_year,
            direction: direction?,
            frequency: frequency?,
            weight: weight?,
        })
    }
}

/// The editable fields of an organisation's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OrganizationEdit {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// An `organization_type` vocabulary code.
    #[schema(min_length = 1, pattern = r"\S")]
    pub org_type: String,
    /// Codice fiscale or partita IVA.
    pub tax_code: Option<String>,
    #[serde(default)]
    pub description: String,
    pub website: Option<String>,
}

impl OrganizationEdit {
    /// `org_types`: the codes of the `organization_type` vocabulary.
    pub fn read(r: &mut Reader, org_types: &[String]) -> Option<OrganizationEdit> {
        let name = r.line("name");
        let org_type = r.choice("org_type", org_types);
        let tax_code = r.opt_tax_code("tax_code");
        let description = r.text("description");
        let website = r.opt_url("website");
        Some(OrganizationEdit { name, org_type: org_type?, tax_code, description, website })
    }
}

/// The fields of a shared objective of an agenda (a new one gets its code from the agenda: O1, O2, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObjectiveEdit {
    pub title: String,
    /// Markdown.
    pub description: String,
}

impl ObjectiveEdit {
    pub fn read(r: &mut Reader) -> Option<ObjectiveEdit> {
        Some(ObjectiveEdit { title: r.line("title"), description: r.text("description") })
    }
}

/// The gaps of the district's profile that an objective or an action addresses, by key
/// (`agio_app::profile::Gap`): offered from the profile, so only its gaps are accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GapsEdit {
    pub gaps: Vec<String>,
}

impl GapsEdit {
    pub fn read(r: &mut Reader, offered: &[String]) -> Option<GapsEdit> {
        Some(GapsEdit { gaps: r.codes("gaps", offered, false) })
    }
}

/// The framework targets an objective serves, by key `{framework}:{code}` (`sdg:10.2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TargetsEdit {
    pub targets: Vec<String>,
}

impl TargetsEdit {
    pub fn read(r: &mut Reader, offered: &[String]) -> Option<TargetsEdit> {
        Some(TargetsEdit { targets: r.codes("targets", offered, false) })
    }
}

/// What the regional administrator edits of a framework: its name, its edition, its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FrameworkEdit {
    pub name: String,
    /// Which edition the items follow ("Data Valley Bene Comune 2020-2025").
    pub edition: String,
    pub source_url: Option<String>,
}

impl FrameworkEdit {
    pub fn read(r: &mut Reader) -> Option<FrameworkEdit> {
        let name = r.line("name");
        let edition = r.line("edition");
        let source_url = r.opt_url("source_url");
        Some(FrameworkEdit { name, edition, source_url })
    }
}

/// An item of a framework: a challenge, a mission, a component, an investment, a goal, a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FrameworkTargetEdit {
    /// Unique in its framework (`10.2`, `M1C1-I1.7`): letters, digits, `.` and `-`.
    pub code: String,
    /// The code of the item it belongs to (a goal, a mission), if any.
    pub parent_code: Option<String>,
    pub title: String,
}

impl FrameworkTargetEdit {
    /// `others`: the codes of the framework's other items (its possible parents).
    pub fn read(r: &mut Reader, others: &[String]) -> Option<FrameworkTargetEdit> {
        let code = r.line("code");
        let good = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
        if !code.is_empty() && (code.len() > 20 || !code.chars().all(good)) {
            r.fail("code", FieldProblem::BadCode);
        } else if others.contains(&code) {
            r.fail("code", FieldProblem::Taken);
        }
        let parent_code = match r.opt_line("parent_code") {
            Some(parent) => r.one_of("parent_code", parent, others),
            None => None,
        };
        let title = r.line("title");
        Some(FrameworkTargetEdit { code, parent_code, title })
    }
}

/// A new action of an agenda (its code is given by the agenda: A01, A02, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewAction {
    /// The code of one of the agenda's objectives.
    pub objective: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub term: ActionTerm,
    pub status: ActionStatus,
    /// The slug of the organisation leading the action, if chosen yet.
    pub lead: Option<String>,
}

impl NewAction {
    /// `objectives`: the agenda's objective codes; `organizations`: the slugs that may lead.
    pub fn read(r: &mut Reader, objectives: &[String], organizations: &[String]) -> Option<NewAction> {
        let objective = r.choice("objective", objectives);
        let title = r.line("title");
        let description = r.text("description");
        let term = r.code("term");
        let status = r.code("status");
        let lead = r.opt_line("lead").and_then(|slug| r.one_of("lead", slug, organizations));
        Some(NewAction { objective: objective?, title, description, term: term?, status: status?, lead })
    }
}

/// An organisation joining an action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewPartner {
    /// The organisation's slug.
    #[schema(min_length = 1, pattern = r"\S")]
    pub organization: String,
    pub role: PartnerRole,
    /// What it brings to the action.
    #[serde(default)]
    pub role_description: String,
}

impl NewPartner {
    /// `organizations`: the slugs that may join; `taking_part`: those already in; `has_lead`:
    /// whether the action already has its lead (there is one at most).
    pub fn read(
        r: &mut Reader,
        organizations: &[String],
        taking_part: &[String],
        has_lead: bool,
    ) -> Option<NewPartner> {
        let organization = r.choice("organization", organizations);
        if organization.as_ref().is_some_and(|o| taking_part.contains(o)) {
            r.fail("organization", FieldProblem::AlreadyTakingPart);
        }
        // Its role is read as when it is corrected in place.
        let PartnerEdit { role, role_description } = PartnerEdit::read(r, has_lead)?;
        Some(NewPartner { organization: organization?, role, role_description })
    }
}

/// What an organisation does in an action: its role and contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PartnerEdit {
    pub role: PartnerRole,
    /// What it brings to the action.
    pub role_description: String,
}

impl PartnerEdit {
    /// `other_lead`: whether another organisation already leads the action.
    pub fn read(r: &mut Reader, other_lead: bool) -> Option<PartnerEdit> {
        let role = r.code::<PartnerRole>("role");
        if role == Some(PartnerRole::Lead) && other_lead {
            r.fail("role", FieldProblem::SecondLead);
        }
        let role_description = r.opt_line("role_description").unwrap_or_default();
        Some(PartnerEdit { role: role?, role_description })
    }
}

/// A line of an action's budget (new or edited).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BudgetLineEdit {
    /// A `funding_source` vocabulary code.
    pub funding_source: String,
    /// Euro cents.
    pub amount_cents: i64,
    /// Codice Unico di Progetto (15 characters), when there is one.
    pub cup: Option<String>,
    pub description: String,
}

impl BudgetLineEdit {
    /// The amount comes as euros written by people (`amount`: the forms), or as whole cents
    /// (`amount_cents`: what the API answers, so a PATCH can send back what it read).
    pub fn read(r: &mut Reader, sources: &[String]) -> Option<BudgetLineEdit> {
        let funding_source = r.choice("funding_source", sources);
        // Both given: the euros count, but the cents must still be an amount.
        let cents = r.given("amount_cents").then(|| r.cents("amount_cents"));
        let amount_cents = match cents {
            Some(cents) if !r.given("amount") => cents,
            _ => r.euros("amount"),
        };
        let cup = r.opt_line("cup").map(|c| c.to_uppercase());
        if cup.as_ref().is_some_and(|c| c.len() != 15 || !c.bytes().all(|b| b.is_ascii_alphanumeric())) {
            r.fail("cup", FieldProblem::NotOneOf { allowed: vec!["15 caratteri alfanumerici".into()] });
        }
        let description = r.opt_line("description").unwrap_or_default();
        Some(BudgetLineEdit { funding_source: funding_source?, amount_cents: amount_cents?, cup, description })
    }
}

/// The fields of an expected result of an action (its indicators are added to it one by one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResultEdit {
    pub kind: ResultKind,
    #[schema(min_length = 1, pattern = r"\S")]
    pub description: String,
}

impl ResultEdit {
    pub fn read(r: &mut Reader) -> Option<ResultEdit> {
        let kind = r.code("kind");
        let description = r.line("description");
        Some(ResultEdit { kind: kind?, description })
    }
}

/// A new indicator, measuring one of the action's expected results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewIndicator {
    /// The id of the expected result it measures.
    pub result: String,
    #[serde(flatten)]
    pub indicator: IndicatorEdit,
}

impl NewIndicator {
    /// `results`: the ids of the action's expected results.
    pub fn read(r: &mut Reader, results: &[String]) -> Option<NewIndicator> {
        let result = r.choice("result", results);
        let indicator = IndicatorEdit::read(r);
        Some(NewIndicator { result: result?, indicator: indicator? })
    }
}

/// A digital asset an action uses or builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewAssetLink {
    /// The asset's slug.
    #[schema(min_length = 1, pattern = r"\S")]
    pub asset: String,
}

impl NewAssetLink {
    /// `assets`: the slugs that may be linked; `linked`: those already linked.
    pub fn read(r: &mut Reader, assets: &[String], linked: &[String]) -> Option<NewAssetLink> {
        let asset = r.choice("asset", assets);
        if asset.as_ref().is_some_and(|a| linked.contains(a)) {
            r.fail("asset", FieldProblem::AlreadyLinked);
        }
        Some(NewAssetLink { asset: asset? })
    }
}

/// Resolves one name of a place to the ISTAT codes of the comuni it stands for: a comune
/// (by name or code) stands for itself, a union or district for all its comuni.
pub type PlaceResolver<'a> = &'a (dyn Fn(&str) -> Option<Vec<String>> + Sync);

impl Reader<'_> {
    /// A list of comuni written one per line or separated by commas or semicolons, by name or
    /// ISTAT code, a district or union standing for all its comuni. Returns the ISTAT codes,
    /// each once, in order; every name not recognised is reported.
    pub fn comuni(&mut self, field: &str, resolve: PlaceResolver, required: bool) -> Vec<String> {
        let text = self.raw(field).unwrap_or_default();
        let mut codes: Vec<String> = Vec::new();
        let mut unknown = Vec::new();
        for name in text.split(['\n', ',', ';']).map(str::trim).filter(|n| !n.is_empty()) {
            match resolve(name) {
                Some(found) => codes.extend(found.into_iter().filter(|c| !codes.contains(c)).collect::<Vec<_>>()),
                None => unknown.push(name.chars().take(60).collect::<String>()),
            }
        }
        if !unknown.is_empty() {
            self.fail(field, FieldProblem::UnknownPlaces { names: unknown });
        } else if required && codes.is_empty() {
            self.fail(field, FieldProblem::Required);
        }
        codes
    }
}

/// The editable fields of a digital asset, with the comuni it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AssetEdit {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    pub kind: AssetKind,
    /// Who runs it.
    #[schema(min_length = 1, pattern = r"\S")]
    pub provider: String,
    /// Markdown.
    #[serde(default)]
    pub description: String,
    /// `retired` archives it: it stays linked to the actions that used it.
    pub status: AssetStatus,
    pub url: Option<String>,
    /// ISTAT codes of the comuni it covers (names, and districts or unions standing for their
    /// comuni, are accepted too).
    #[serde(default)]
    pub coverage: Vec<String>,
}

impl AssetEdit {
    pub fn read(r: &mut Reader, resolve: PlaceResolver) -> Option<AssetEdit> {
        let name = r.line("name");
        let kind = r.code("kind");
        let provider = r.line("provider");
        let description = r.text("description");
        let status = r.code("status");
        let url = r.opt_url("url");
        let coverage = r.comuni("coverage", resolve, false);
        Some(AssetEdit { name, kind: kind?, provider, description, status: status?, url, coverage })
    }
}

/// The editable fields of a union of comuni.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UnionEdit {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// The slug of the social-health district it belongs to.
    #[schema(min_length = 1, pattern = r"\S")]
    pub district: String,
    /// ISTAT codes of its comuni (names are accepted too).
    pub members: Vec<String>,
}

impl UnionEdit {
    /// `districts`: the slugs of the districts.
    pub fn read(r: &mut Reader, districts: &[String], resolve: PlaceResolver) -> Option<UnionEdit> {
        let name = r.line("name");
        let district = r.choice("district", districts);
        let members = r.comuni("members", resolve, true);
        Some(UnionEdit { name, district: district?, members })
    }
}

/// A new agenda: the territory it plans for, and its first fields. It starts as a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewAgenda {
    /// The slug of its territory (a district, usually).
    pub territory: String,
    #[serde(flatten)]
    pub agenda: AgendaEdit,
}

impl NewAgenda {
    /// `territories`: the slugs the creator may plan for.
    pub fn read(r: &mut Reader, territories: &[String]) -> Option<NewAgenda> {
        let territory = r.choice("territory", territories);
        let agenda = AgendaEdit::read(r);
        Some(NewAgenda { territory: territory?, agenda: agenda? })
    }
}

/// A new organisation: its profile and, when known, where it is based.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NewOrganization {
    #[serde(flatten)]
    pub profile: OrganizationEdit,
    /// Where it is based: the slug, name or code of a comune, union or district.
    pub territory: Option<String>,
}

impl NewOrganization {
    /// `find_place` gives the slug of the territory a name, slug or code stands for.
    pub fn read(
        r: &mut Reader,
        org_types: &[String],
        find_place: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Option<NewOrganization> {
        let profile = OrganizationEdit::read(r, org_types);
        let territory = match r.opt_line("territory") {
            Some(name) => match find_place(&name) {
                Some(slug) => Some(slug),
                None => {
                    r.fail("territory", FieldProblem::UnknownPlaces { names: vec![name] });
                    None
                }
            },
            None => None,
        };
        Some(NewOrganization { profile: profile?, territory })
    }
}

/// The moves of the agenda workflow: bozza → in consultazione → approvata → archiviata, and
/// back from consultazione to bozza. An approved agenda may be approved again: each approval
/// publishes a new immutable version (the yearly update of a plan, say), so that what its
/// partners change after the first approval reaches the public when the coordinator decides.
pub fn can_move(from: AgendaStatus, to: AgendaStatus) -> bool {
    use AgendaStatus::*;
    matches!(
        (from, to),
        (Draft, Consultation)
            | (Consultation, Draft)
            | (Consultation, Approved)
            | (Approved, Approved)
            | (Approved, Archived)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read<T>(pairs: &[(&str, &str)], f: impl Fn(&mut Reader) -> Option<T>) -> Result<T, Vec<FieldError>> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let input = move |name: &str| map.get(name).cloned();
        let mut r = Reader::new(&input);
        let value = f(&mut r);
        r.conclude(value)
    }

    #[test]
    fn an_action_reports_every_bad_field_at_once() {
        let errors = read(
            &[
                ("title", "  "),
                ("term", "long"),
                ("status", "planned"),
                ("start_date", "2026-02-30"),
                ("zone_plan_ref", "a\nb"),
            ],
            ActionEdit::read,
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "term", "start_date", "zone_plan_ref"]);
        assert_eq!(errors[1].problem, FieldProblem::NotOneOf { allowed: vec!["short".into(), "medium".into()] });
    }

    #[test]
    fn an_action_keeps_markdown_and_checks_dates_in_order() {
        let ok = read(
            &[
                ("title", "Punto digitale"),
                ("description", "**uno**\r\ndue"),
                ("term", "short"),
                ("status", "planned"),
                ("start_date", "2024-02-29"),
            ],
            ActionEdit::read,
        )
        .unwrap();
        assert_eq!(ok.description, "**uno**\ndue");
        let errors = read(
            &[
                ("title", "x"),
                ("term", "short"),
                ("status", "planned"),
                ("start_date", "2026-05-01"),
                ("end_date", "2026-04-01"),
            ],
            ActionEdit::read,
        )
        .unwrap_err();
        assert_eq!(errors, [FieldError { field: "end_date".into(), problem: FieldProblem::EndBeforeStart }]);
    }

    #[test]
    fn indicators_accept_the_decimal_comma() {
        let ok = read(
            &[("name", "Persone formate"), ("unit", "persone"), ("baseline_value", "12,5"), ("direction", "increase")],
            IndicatorEdit::read,
        )
        .unwrap();
        assert_eq!(ok.baseline_value, Some(12.5));
        let errors =
            read(&[("name", "x"), ("unit", "y"), ("target_value", "tanti"), ("direction", "up")], IndicatorEdit::read)
                .unwrap_err();
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn organisations_check_codes_and_addresses() {
        let types = vec!["aps".to_string(), "comune".to_string()];
        let ok = read(
            &[
                ("name", "Ponti"),
                ("org_type", "aps"),
                ("tax_code", "01234567890"),
                ("website", "https://ponti.example"),
            ],
            |r| OrganizationEdit::read(r, &types),
        )
        .unwrap();
        assert_eq!(ok.tax_code.as_deref(), Some("01234567890"));
        let errors = read(
            &[("name", "Ponti"), ("org_type", "spa"), ("tax_code", "123"), ("website", "javascript:alert(1)")],
            |r| OrganizationEdit::read(r, &types),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["org_type", "tax_code", "website"]);
    }

    #[test]
    fn amounts_are_read_as_people_write_them() {
        let sources = vec!["fse".to_string()];
        for (typed, cents) in [("1.234,56", 123_456), ("1234.5", 123_450), ("€ 2.000", 200_000), ("2000", 200_000)] {
            let line =
                read(&[("funding_source", "fse"), ("amount", typed)], |r| BudgetLineEdit::read(r, &sources)).unwrap();
            assert_eq!(line.amount_cents, cents, "{typed}");
        }
        let errors =
            read(&[("funding_source", "fse"), ("amount", "-3"), ("cup", "abc")], |r| BudgetLineEdit::read(r, &sources))
                .unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["amount", "cup"]);
    }

    #[test]
    fn an_action_has_one_lead_and_each_organisation_once() {
        let orgs = vec!["a".to_string(), "b".to_string()];
        let errors =
            read(&[("organization", "a"), ("role", "lead")], |r| NewPartner::read(r, &orgs, &["a".into()], true))
                .unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["organization", "role"]);
        assert!(read(&[("organization", "b"), ("role", "partner")], |r| NewPartner::read(
            r,
            &orgs,
            &["a".into()],
            true
        ))
        .is_ok());
    }

    #[test]
    fn a_missing_value_is_required_and_a_wrong_one_says_why() {
        let input = |name: &str| ["12x", "1800", "", "x"].get(name.parse::<usize>().ok()?).map(|v| v.to_string());
        let mut r = Reader::new(&input);
        assert_eq!((r.cents("0"), r.opt_year("1"), r.cents("2"), r.opt_year("2")), (None, None, None, None));
        assert_eq!((r.choice("3", &["y".into()]), r.line("4")), (None, String::new()));
        let problems: Vec<_> = r.errors.iter().map(|e| (e.field.as_str(), e.problem.label_key())).collect();
        assert_eq!(
            problems,
            [
                ("0", "field.not_an_amount"),
                ("1", "field.not_a_year"),
                ("2", "field.required"),
                ("3", "field.not_one_of"),
                ("4", "field.required")
            ]
        );
    }

    #[test]
    fn the_workflow_moves_one_step_at_a_time() {
        use AgendaStatus::*;
        assert!(can_move(Draft, Consultation) && can_move(Consultation, Draft) && can_move(Consultation, Approved));
        assert!(can_move(Approved, Archived) && can_move(Approved, Approved));
        assert!(!can_move(Draft, Approved) && !can_move(Archived, Draft) && !can_move(Approved, Draft));
    }
}

/// The texts of a directory service a referent keeps up to date, in Italian and (optionally)
/// English, and its digital level. The rest of the HSDS document (places, hours, taxonomy)
/// comes through an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceEdit {
    pub name: String,
    pub summary: Option<String>,
    pub description: String,
    pub eligibility: String,
    /// One step per line.
    pub application_process: String,
    pub online: Option<String>,
    pub in_person: Option<String>,
    pub fees: Option<String>,
    /// 0 information only … 4 fully online including payment.
    pub digital_level: String,
    pub email: Option<String>,
    /// Closures, one per line ([`Closure::line`]); None leaves them as they are.
    #[serde(default)]
    pub closures: Option<String>,
    /// Weekly opening hours, one per line ([`WeeklyHours::line`]), for a service at one place
    /// whose hours lines can say (see `agio_directory::editing`); None leaves them as they are.
    #[serde(default)]
    pub hours: Option<String>,
    pub name_en: Option<String>,
    pub summary_en: Option<String>,
    pub description_en: Option<String>,
    pub eligibility_en: Option<String>,
    pub application_process_en: Option<String>,
    pub online_en: Option<String>,
    pub in_person_en: Option<String>,
    pub fees_en: Option<String>,
}

/// The digital levels a service can have.
pub const DIGITAL_LEVELS: [&str; 5] = ["0", "1", "2", "3", "4"];

impl ServiceEdit {
    pub fn read(r: &mut Reader) -> Option<ServiceEdit> {
        let levels: Vec<String> = DIGITAL_LEVELS.iter().map(|l| l.to_string()).collect();
        let opt_text = |r: &mut Reader, field: &str| Some(r.text(field)).filter(|t| !t.trim().is_empty());
        let name = r.line("name");
        let summary = r.opt_line("summary");
        let description = r.text("description");
        if description.trim().is_empty() {
            r.fail("description", FieldProblem::Required);
        }
        let eligibility = r.text("eligibility");
        let application_process = r.text("application_process");
        let online = opt_text(r, "online");
        let in_person = opt_text(r, "in_person");
        let fees = r.opt_line("fees");
        let digital_level = r.choice("digital_level", &levels);
        let email = r.opt_line("email");
        if email.as_deref().is_some_and(|e| !e.contains('@') || e.contains(char::is_whitespace)) {
            r.fail("email", FieldProblem::NotAnEmail);
        }
        let hours =
            r.lines_of("hours", WeeklyHours::read_lines, WeeklyHours::line, |lines| FieldProblem::NotHours { lines });
        let closures =
            r.lines_of("closures", Closure::read_lines, Closure::line, |lines| FieldProblem::NotClosures { lines });
        Some(ServiceEdit {
            name,
            summary,
            description,
            eligibility,
            application_process,
            online,
            in_person,
            fees,
            digital_level: digital_level?,
            email,
            closures,
            hours,
            name_en: r.opt_line("name_en"),
            summary_en: r.opt_line("summary_en"),
            description_en: opt_text(r, "description_en"),
            eligibility_en: opt_text(r, "eligibility_en"),
            application_process_en: opt_text(r, "application_process_en"),
            online_en: opt_text(r, "online_en"),
            in_person_en: opt_text(r, "in_person_en"),
            fees_en: r.opt_line("fees_en"),
        })
    }
}

/// A period when a service is closed (summer, a move), as a referent writes it: one date or
/// two, `GG/MM/AAAA` (or `AAAA-MM-GG`), then the reason if any:
/// `01/08/2026 - 31/08/2026 Ferie estive`.
/// In a service document, `agio_closures` lists them as `{"from", "to", "reason"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// Inclusive, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Closure {
    /// Every non-empty line as a closure, or the numbers (from 1) of the lines that are not.
    pub fn read_lines(text: &str) -> Result<Vec<Closure>, Vec<usize>> {
        read_lines(text, |line| Closure::read(line).map(|c| vec![c]))
    }

    fn read(line: &str) -> Option<Closure> {
        // "01/08/2026 - 31/08/2026", "01/08/2026-31/08/2026", "01/08/2026 al 31/08/2026".
        let spaced = line.replacen('–', " - ", 1);
        let mut words = spaced.split_whitespace().peekable();
        let first = words.next()?;
        let (from, mut to) = match first.split_once('-').filter(|_| first.contains('/')) {
            Some((from, to)) => (date(from)?, Some(date(to)?)),
            None => (date(first)?, None),
        };
        if to.is_none() && words.peek().is_some_and(|w| matches!(*w, "-" | "al" | "to")) {
            words.next();
            to = Some(date(words.next()?)?);
        }
        let to = to.unwrap_or_else(|| from.clone());
        if to < from {
            return None;
        }
        Some(Closure { from, to, reason: trailing_note(words) })
    }

    /// The closure as a line of the form: dates as Italians write them.
    pub fn line(&self) -> String {
        let italian = |iso: &str| match iso.splitn(3, '-').collect::<Vec<_>>().as_slice() {
            [y, m, d] => format!("{d}/{m}/{y}"),
            _ => iso.to_string(),
        };
        let dates = if self.from == self.to {
            italian(&self.from)
        } else {
            format!("{} - {}", italian(&self.from), italian(&self.to))
        };
        with_note(dates, self.reason.as_deref())
    }
}

/// Each non-empty line read into values, or the numbers (from 1) of the lines that are not.
fn read_lines<T>(text: &str, read: impl Fn(&str) -> Option<Vec<T>>) -> Result<Vec<T>, Vec<usize>> {
    let mut values = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        match line.trim() {
            "" => {}
            line => match read(line) {
                Some(read) => values.extend(read),
                None => bad.push(n + 1),
            },
        }
    }
    if bad.is_empty() {
        Ok(values)
    } else {
        Err(bad)
    }
}

/// The words that end a closure or hours line: its reason or note, without the `:` or `-`
/// people put before it.
fn trailing_note<'a>(words: impl Iterator<Item = &'a str>) -> Option<String> {
    let note = words.collect::<Vec<_>>().join(" ");
    Some(note.trim_start_matches([':', '-', ' ']).trim().to_string()).filter(|n| !n.is_empty())
}

/// A closure or hours line written back, its reason or note at the end.
fn with_note(line: String, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{line} {note}"),
        None => line,
    }
}

/// Weekly opening hours as a referent writes them: the days, one or more times, then a note if
/// any: `lun, mer, ven 8:30-12:30`, `lun-ven 9-12.30, 15-18 solo su appuntamento`,
/// `da lunedì a venerdì 9:00-13:00`. One line may hold several times: each is one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyHours {
    /// HSDS day codes, Monday first: `MO`, `WE`, `FR`.
    pub days: Vec<&'static str>,
    /// `HH:MM`.
    pub opens: String,
    pub closes: String,
    pub note: Option<String>,
}

/// HSDS day codes, Monday first, and how Italians and English speakers shorten the days.
const DAYS: [(&str, &str, &str); 7] = [
    ("MO", "lun", "mon"),
    ("TU", "mar", "tue"),
    ("WE", "mer", "wed"),
    ("TH", "gio", "thu"),
    ("FR", "ven", "fri"),
    ("SA", "sab", "sat"),
    ("SU", "dom", "sun"),
];

impl WeeklyHours {
    pub fn read_lines(text: &str) -> Result<Vec<WeeklyHours>, Vec<usize>> {
        read_lines(text, WeeklyHours::read)
    }

    fn read(line: &str) -> Option<Vec<WeeklyHours>> {
        let line = line.replace(" - ", "-").replace(" – ", "-").replace('–', "-");
        let words: Vec<&str> = line.split_whitespace().collect();
        let first_time = words.iter().position(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
        let days = days(&words[..first_time])?;
        let mut times = Vec::new();
        let mut rest = words[first_time..].iter().peekable();
        while let Some(word) = rest.peek() {
            if matches!(**word, "e" | "and") {
                rest.next();
                continue;
            }
            let Some(range) = time_range(word.trim_end_matches([',', ';'])) else { break };
            times.push(range);
            rest.next();
        }
        let note = trailing_note(rest.copied());
        if times.is_empty() {
            return None;
        }
        let hours = times.into_iter().map(|(opens, closes)| WeeklyHours {
            days: days.clone(),
            opens,
            closes,
            note: note.clone(),
        });
        Some(hours.collect())
    }

    /// The hours as a line of the form: `lun-ven 09:00-12:30`, `lun, mer, ven 08:30-12:30`.
    pub fn line(&self) -> String {
        let index = |code: &str| DAYS.iter().position(|(c, _, _)| *c == code).unwrap_or_default();
        let numbers: Vec<usize> = self.days.iter().map(|d| index(d)).collect();
        let consecutive = numbers.windows(2).all(|w| w[1] == w[0] + 1);
        let days = match (numbers.first(), numbers.last()) {
            (Some(&first), Some(&last)) if consecutive && numbers.len() >= 3 => {
                format!("{}-{}", DAYS[first].1, DAYS[last].1)
            }
            _ => numbers.iter().map(|&n| DAYS[n].1).collect::<Vec<_>>().join(", "),
        };
        with_note(format!("{days} {}-{}", self.opens, self.closes), self.note.as_deref())
    }

    /// An HSDS weekly schedule as hours (None when `byday` names something else than days;
    /// without `byday`, every day). Times may carry seconds (`08:30:00`).
    pub fn from_hsds(
        byday: Option<&str>,
        opens_at: &str,
        closes_at: &str,
        description: Option<&str>,
    ) -> Option<WeeklyHours> {
        let days = match byday {
            None => DAYS.iter().map(|(code, _, _)| *code).collect(),
            Some(list) => list
                .split(',')
                .map(|code| DAYS.iter().find(|(c, _, _)| *c == code.trim()).map(|(c, _, _)| *c))
                .collect::<Option<Vec<_>>>()?,
        };
        let minutes = |t: &str| match t.strip_suffix(":00").filter(|t| t.len() == 5) {
            Some(short) => Some(short.to_string()),
            None => (t.len() == 5).then(|| t.to_string()),
        };
        let (opens, closes) = time_range(&format!("{}-{}", minutes(opens_at)?, minutes(closes_at)?))?;
        let note = description.map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
        Some(WeeklyHours { days, opens, closes, note })
    }

    /// The days as HSDS `byday`.
    pub fn byday(&self) -> String {
        self.days.join(",")
    }
}

/// The days a line names: lists (`lun, mer`), ranges (`lun-ven`, `da lunedì a venerdì`).
fn days(words: &[&str]) -> Option<Vec<&'static str>> {
    let day = |word: &str| {
        let folded: String = word.to_lowercase().chars().take(3).collect();
        DAYS.iter().position(|(code, it, en)| folded == *it || folded == *en || word.eq_ignore_ascii_case(code))
    };
    let mut chosen = [false; 7];
    let mut range_from: Option<usize> = None;
    for word in words.iter().flat_map(|w| w.split(',')).filter(|w| !w.is_empty()) {
        match word.to_lowercase().as_str() {
            "e" | "and" | "da" | "dal" | "from" => continue,
            "a" | "al" | "to" => {
                range_from = Some(chosen.iter().rposition(|c| *c)?);
                continue;
            }
            _ => {}
        }
        let (first, last) = match word.split_once('-') {
            Some((a, b)) => (day(a)?, day(b)?),
            None => {
                let d = day(word)?;
                (range_from.take().unwrap_or(d), d)
            }
        };
        if last < first {
            return None;
        }
        chosen[first..=last].iter_mut().for_each(|c| *c = true);
    }
    let days: Vec<&'static str> = (0..7).filter(|&i| chosen[i]).map(|i| DAYS[i].0).collect();
    (!days.is_empty()).then_some(days)
}

/// `9-12.30`, `08:30-12:30`: opening and closing as `HH:MM`, closing after opening.
fn time_range(word: &str) -> Option<(String, String)> {
    let (opens, closes) = word.split_once('-')?;
    let time = |t: &str| {
        let (h, m) = t.split_once([':', '.']).unwrap_or((t, "00"));
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && !t.is_empty()).then(|| format!("{h:02}:{m:02}"))
    };
    let (opens, closes) = (time(opens)?, time(closes)?);
    (opens < closes).then_some((opens, closes))
}

/// `GG/MM/AAAA` (day and month may have one digit) or `AAAA-MM-GG`, as `YYYY-MM-DD`.
fn date(text: &str) -> Option<String> {
    let text = text.trim_end_matches([':', ',']);
    let iso = match text.split('/').collect::<Vec<_>>().as_slice() {
        [d, m, y] => format!("{y}-{m:0>2}-{d:0>2}"),
        _ => text.to_string(),
    };
    is_date(&iso).then_some(iso)
}

#[cfg(test)]
mod closure_tests {
    use super::Closure;

    fn one(line: &str) -> (String, String, Option<String>) {
        let c = Closure::read_lines(line).unwrap().remove(0);
        (c.from, c.to, c.reason)
    }

    #[test]
    fn periods_are_read_as_people_write_them() {
        let summer = ("2026-08-01".to_string(), "2026-08-31".to_string(), Some("Ferie estive".to_string()));
        for line in [
            "01/08/2026 - 31/08/2026 Ferie estive",
            "1/8/2026-31/8/2026 Ferie estive",
            "01/08/2026 al 31/08/2026: Ferie estive",
            "01/08/2026 – 31/08/2026 - Ferie estive",
            "2026-08-01 - 2026-08-31 Ferie estive",
        ] {
            assert_eq!(one(line), summer, "{line}");
        }
        assert_eq!(one("24/12/2026"), ("2026-12-24".into(), "2026-12-24".into(), None));
        assert_eq!(
            Closure::read_lines("01/08/2026 - 31/08/2026 Ferie estive").unwrap()[0].line(),
            "01/08/2026 - 31/08/2026 Ferie estive"
        );
        assert_eq!(Closure::read_lines("24/12/2026").unwrap()[0].line(), "24/12/2026");
    }

    #[test]
    fn lines_that_are_not_closures_are_named() {
        let text = "01/08/2026 - 31/08/2026 Ferie\n\nagosto\n31/02/2026\n31/08/2026 - 01/08/2026";
        assert_eq!(Closure::read_lines(text), Err(vec![3, 4, 5]));
        assert_eq!(Closure::read_lines("  \n"), Ok(vec![]));
    }
}

#[cfg(test)]
mod hours_tests {
    use super::WeeklyHours;

    fn lines(text: &str) -> Vec<String> {
        WeeklyHours::read_lines(text).unwrap().iter().map(WeeklyHours::line).collect()
    }

    #[test]
    fn hours_are_read_as_people_write_them() {
        assert_eq!(lines("lun, mer, ven 8:30-12:30"), ["lun, mer, ven 08:30-12:30"]);
        assert_eq!(
            lines("lun-ven 9-12.30, 15-18 solo su appuntamento"),
            ["lun-ven 09:00-12:30 solo su appuntamento", "lun-ven 15:00-18:00 solo su appuntamento"]
        );
        assert_eq!(lines("da lunedì a venerdì 9:00 - 13:00"), ["lun-ven 09:00-13:00"]);
        assert_eq!(lines("martedì e giovedì 14:30–17:30"), ["mar, gio 14:30-17:30"]);
        assert_eq!(lines("Sat 9-12"), ["sab 09:00-12:00"]);
        let hsds = WeeklyHours::from_hsds(Some("MO,WE"), "08:30:00", "12:30", Some("Su appuntamento")).unwrap();
        assert_eq!(hsds.line(), "lun, mer 08:30-12:30 Su appuntamento");
        assert_eq!(WeeklyHours::from_hsds(None, "09:00", "12:00", None).unwrap().line(), "lun-dom 09:00-12:00");
        assert_eq!(WeeklyHours::from_hsds(Some("1MO"), "09:00", "12:00", None), None);
        let hours = WeeklyHours::read_lines("lun, mar 9-12").unwrap();
        assert_eq!((hours[0].byday(), hours[0].opens.as_str()), ("MO,TU".to_string(), "09:00"));
        // A line written back reads the same.
        for line in ["lun-ven 09:00-12:30", "lun, mer, ven 08:30-12:30 Chiuso ad agosto", "dom 10:00-12:00"] {
            assert_eq!(lines(line), [line]);
        }
    }

    #[test]
    fn lines_that_are_not_hours_are_named() {
        let text = "lun 9-12\nmattina\nlun 12-9\nven-lun 9-12\nlun 25:00-26:00\nogni giorno 9-12";
        assert_eq!(WeeklyHours::read_lines(text), Err(vec![2, 3, 4, 5, 6]));
    }
}

/// The editable fields of a territory's digital-welfare profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProfileEdit {
    /// `published` makes it public.
    pub status: crate::ProfileStatus,
    /// A comune is at risk of digital exclusion when its nearest point of digital facilitation
    /// is farther than this many kilometres (from its centre, as the crow flies).
    pub facilitation_km: f64,
}

/// The distance a new profile starts from, in kilometres.
pub const DEFAULT_FACILITATION_KM: f64 = 10.0;

/// The distances a person may choose for "too far from a point of digital facilitation".
pub const FACILITATION_KM: std::ops::RangeInclusive<f64> = 1.0..=50.0;

impl ProfileEdit {
    pub fn read(r: &mut Reader) -> Option<ProfileEdit> {
        let status = r.code("status");
        let km = r.opt_number("facilitation_km");
        let facilitation_km = match km {
            Some(km) if FACILITATION_KM.contains(&km) => Some(km),
            Some(_) => {
                let (min, max) = (FACILITATION_KM.start().to_string(), FACILITATION_KM.end().to_string());
                r.fail("facilitation_km", FieldProblem::OutOfRange { min, max });
                None
            }
            None if !r.errors.iter().any(|e| e.field == "facilitation_km") => {
                r.fail("facilitation_km", FieldProblem::Required);
                None
            }
            None => None,
        };
        Some(ProfileEdit { status: status?, facilitation_km: facilitation_km? })
    }
}

/// A service or procedure of the territory that the public directory does not hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InternalServiceEdit {
    pub name: String,
    /// Markdown.
    pub description: String,
    /// 0 no information online … 4 fully online including payment (see `docs/profile.md`).
    pub digital_level: i64,
    /// Vocabulary codes (`target_group`, `life_stage`, `need`).
    pub target_groups: Vec<String>,
    pub life_stages: Vec<String>,
    pub needs: Vec<String>,
    /// `ServiceChannel` codes.
    pub channels: Vec<String>,
    /// `NationalPlatform` codes.
    pub platforms: Vec<String>,
}

/// The vocabularies an internal service is described with, by code.
pub struct ServiceTerms<'a> {
    pub target_groups: &'a [String],
    pub life_stages: &'a [String],
    pub needs: &'a [String],
}

impl InternalServiceEdit {
    pub fn read(r: &mut Reader, terms: &ServiceTerms) -> Option<InternalServiceEdit> {
        let levels: Vec<String> = (0..=4).map(|l: i64| l.to_string()).collect();
        let codes = |all: &[&str]| all.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let name = r.line("name");
        let description = r.text("description");
        let digital_level = r.choice("digital_level", &levels).and_then(|l| l.parse().ok());
        let target_groups = r.codes("target_groups", terms.target_groups, true);
        let life_stages = r.codes("life_stages", terms.life_stages, true);
        let needs = r.codes("needs", terms.needs, false);
        let channels = r.codes("channels", &codes(crate::ServiceChannel::CODES), true);
        let platforms = r.codes("platforms", &codes(crate::NationalPlatform::CODES), false);
        Some(InternalServiceEdit {
            name,
            description,
            digital_level: digital_level?,
            target_groups,
            life_stages,
            needs,
            channels,
            platforms,
        })
    }
}

/// An essential database a district's services rely on (what it holds, never the data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DatabaseEdit {
    pub name: String,
    /// Who holds it (an organisation's name).
    pub holder: String,
    /// What it contains, in words.
    pub contents: String,
    pub personal_data: bool,
    /// Special categories of personal data under GDPR art. 9 (health, ethnic origin, …).
    pub special_categories: bool,
    pub legal_basis: String,
    pub format: String,
    pub update_frequency: String,
    pub access: crate::DatabaseAccess,
    /// The services that use it, by name, one per line.
    pub used_by: String,
}

impl DatabaseEdit {
    pub fn read(r: &mut Reader) -> Option<DatabaseEdit> {
        let name = r.line("name");
        let holder = r.line("holder");
        let contents = r.text("contents");
        let personal_data = r.yes_no("personal_data");
        let special_categories = r.yes_no("special_categories");
        let legal_basis = r.opt_line("legal_basis").unwrap_or_default();
        let format = r.opt_line("format").unwrap_or_default();
        let update_frequency = r.opt_line("update_frequency").unwrap_or_default();
        let access = r.code("access");
        let used_by = r.text("used_by");
        if special_categories == Some(true) && personal_data == Some(false) {
            r.fail("special_categories", FieldProblem::SpecialWithoutPersonal);
        }
        Some(DatabaseEdit {
            name,
            holder,
            contents,
            personal_data: personal_data?,
            special_categories: special_categories?,
            legal_basis,
            format,
            update_frequency,
            access: access?,
            used_by,
        })
    }
}
