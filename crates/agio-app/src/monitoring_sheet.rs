//! The monitoring spreadsheet: an agenda's indicators and values exported as XLSX or CSV in a
//! layout that is also the import template (one row per indicator and period), and read back —
//! every problem named by sheet, row and column, nothing saved unless every row is right, and
//! what would change shown before it is.

use std::io::Cursor;

use agio_domain::access::{Operation, Principal, Target};
use agio_domain::edit::{FieldProblem, Reader};
use agio_domain::monitoring::{
    decimal_of, is_percentage, read_decimal, status_after_edit, Measurement, MeasurementEdit, Period, MAX_SCALE,
};
use agio_store::{EntityRef, Saved, Store, WriteTx};
use calamine::{DataRef, Reader as _, Xlsx};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::monitoring::locate_all;
use crate::{require, Error};

/// The sheet's name, in the workbook and in the messages.
pub const SHEET: &str = "Valori";

/// The template's columns, in order. Values, parts, note and source are read back; the others
/// say which indicator and period a row is, or are there for people to read.
pub const COLUMNS: [&str; 13] = [
    "id_indicatore",
    "azione",
    "indicatore",
    "unita",
    "partenza",
    "obiettivo",
    "periodo",
    "valore",
    "numeratore",
    "denominatore",
    "nota",
    "fonte",
    "stato",
];
const ID: usize = 0;
const PERIOD: usize = 6;
const VALUE: usize = 7;
const NUMERATOR: usize = 8;
const DENOMINATOR: usize = 9;
const NOTE: usize = 10;
const SOURCE: usize = 11;

/// The largest file read, and the most rows: an agenda has some hundreds.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;
/// What the parts of an XLSX may unpack to, at most (a small file may claim gigabytes).
const MAX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;
/// The most problems reported: past these, the file is far from the template anyway.
const MAX_PROBLEMS: usize = 200;

/// One row of the sheet as exported.
pub struct SheetRow {
    pub cells: [String; 13],
    /// Which cells are numbers (written as numbers in XLSX).
    pub numbers: [Option<f64>; 13],
}

fn shown(value: Option<Decimal>) -> String {
    value.map(|v| v.normalize().to_string()).unwrap_or_default()
}

fn number(value: Option<Decimal>) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    value.and_then(|v| v.to_f64())
}

/// The rows of the agenda's template: every indicator whose values `who` enters (all of them
/// for a coordinator) × every period of the agenda's years, with the values stored (whatever
/// their status).
pub async fn export(store: &Store, who: Option<&Principal>, slug: &str) -> Result<(String, Vec<SheetRow>), Error> {
    let (all, title) = locate_all(store, who, slug).await?;
    let reviews =
        all.first().is_some_and(|(at, _)| require(who, Operation::Review, &Target::Agenda(&at.facts)).is_ok());
    let enters_any = all.iter().any(|(at, _)| require(who, Operation::EditResults, &at.target()).is_ok());
    if !reviews && !enters_any {
        return Err(Error::Forbidden);
    }
    let mut rows = Vec::new();
    let mine = all.iter().filter(|(at, _)| require(who, Operation::EditResults, &at.target()).is_ok());
    for (at, values) in mine {
        let i = at.indicator();
        for period in at.periods() {
            let code = period.code();
            let stored = values.iter().find(|m| m.period == code);
            let fields = stored.map(|m| &m.fields);
            let baseline = i.baseline_value.and_then(decimal_of);
            let target = i.target_value.and_then(decimal_of);
            let cells = [
                i.id.clone(),
                at.row.action_code.clone(),
                i.name.clone(),
                i.unit.clone(),
                shown(baseline),
                shown(target),
                code.clone(),
                shown(fields.map(|f| f.value)),
                shown(fields.and_then(|f| f.numerator)),
                shown(fields.and_then(|f| f.denominator)),
                fields.map(|f| f.note.clone()).unwrap_or_default(),
                fields.map(|f| f.source.clone()).unwrap_or_default(),
                stored.map(|m| m.status.code().to_string()).unwrap_or_default(),
            ];
            let mut numbers = [None; 13];
            numbers[4] = number(baseline);
            numbers[5] = number(target);
            numbers[VALUE] = number(fields.map(|f| f.value));
            numbers[NUMERATOR] = number(fields.and_then(|f| f.numerator));
            numbers[DENOMINATOR] = number(fields.and_then(|f| f.denominator));
            rows.push(SheetRow { cells, numbers });
        }
    }
    Ok((title, rows))
}

/// The rows as an XLSX workbook: one sheet, a bold frozen header, numbers as numbers.
pub fn xlsx(rows: &[SheetRow]) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("writing the workbook: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET).map_err(failed)?;
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold).map_err(failed)?;
        sheet.set_column_width(c as u16, if c == 2 { 50 } else { 14 }).map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, text) in row.cells.iter().enumerate() {
            match row.numbers[c] {
                Some(n) => sheet.write_number(r, c as u16, n).map_err(failed)?,
                None if text.is_empty() => continue,
                None => sheet.write_string(r, c as u16, text).map_err(failed)?,
            };
        }
    }
    book.save_to_buffer().map_err(failed)
}

/// The rows as CSV: UTF-8, comma-separated, decimals with a dot.
pub fn csv(rows: &[SheetRow]) -> Result<Vec<u8>, Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    out.write_record(COLUMNS).map_err(failed)?;
    for row in rows {
        out.write_record(&row.cells).map_err(failed)?;
    }
    out.into_inner().map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

/// A cell read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) => n.to_string(),
        }
    }
}

/// A row read back: its number in the sheet (the header is row 1) and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    pub line: usize,
    pub cells: Vec<Cell>,
}

/// A problem at a place of the file: the sheet, the row (from 1, the header included) and the
/// column (from 0) when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellError {
    pub sheet: String,
    pub row: usize,
    pub column: Option<usize>,
    pub problem: FileProblem,
}

/// What is wrong at a place of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileProblem {
    /// A field's problem (the same as a form's).
    Field {
        problem: FieldProblem,
    },
    /// Not an XLSX workbook or a CSV file we can read.
    Unreadable,
    TooLarge,
    NoSheet,
    /// The header is not the template's: this column should be `expected`.
    Header {
        expected: String,
    },
    Formula,
    Merged,
    /// A date where a number or text is expected.
    Date,
    TooManyRows,
    /// Not an indicator of this agenda.
    UnknownIndicator,
    /// An indicator of an action whose values this person does not enter.
    NotYours,
}

fn at(row: usize, column: Option<usize>, problem: FileProblem) -> CellError {
    CellError { sheet: SHEET.to_string(), row, column, problem }
}

fn field(row: usize, column: usize, problem: FieldProblem) -> CellError {
    at(row, Some(column), FileProblem::Field { problem })
}

/// The header row must be the template's; a missing or renamed column is named.
fn check_header(cells: &[Cell]) -> Vec<CellError> {
    COLUMNS
        .iter()
        .enumerate()
        .filter(|(c, name)| cells.get(*c).map(Cell::text).as_deref() != Some(**name))
        .map(|(c, name)| at(1, Some(c), FileProblem::Header { expected: name.to_string() }))
        .chain(
            (COLUMNS.len()..cells.len())
                .filter(|c| cells[*c] != Cell::Empty)
                .map(|c| at(1, Some(c), FileProblem::Header { expected: String::new() })),
        )
        .collect()
}

/// Reads an XLSX workbook's sheet `Valori`: formulas, merged cells and dates are refused where
/// they are; the header must be the template's.
pub fn read_xlsx(bytes: Vec<u8>) -> Result<Vec<RawRow>, Vec<CellError>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(vec![at(0, None, FileProblem::TooLarge)]);
    }
    if unpacked_size(&bytes).is_none_or(|size| size > MAX_UNPACKED_BYTES) {
        return Err(vec![at(0, None, FileProblem::Unreadable)]);
    }
    let unreadable = |_| vec![at(0, None, FileProblem::Unreadable)];
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    // The template's sheet; or the only sheet of a workbook saved anew (a CSV opened and saved
    // as XLSX names its sheet after the file).
    let names = book.sheet_names();
    let sheet = match names.iter().find(|s| *s == SHEET) {
        Some(name) => name.clone(),
        None if names.len() == 1 => names[0].clone(),
        None => return Err(vec![at(0, None, FileProblem::NoSheet)]),
    };
    let at = |row: usize, column: Option<usize>, problem| CellError { sheet: sheet.clone(), row, column, problem };
    let mut errors = Vec::new();
    for merged in book.merge_cells_by_sheet_name(&sheet).map_err(unreadable)?.into_iter().take(MAX_PROBLEMS) {
        errors.push(at(merged.start.0 as usize + 1, Some(merged.start.1 as usize), FileProblem::Merged));
    }
    let mut rows: Vec<RawRow> = Vec::new();
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(unreadable)?;
    while let Some(cell) = cells.next_cell_with_formula_metadata().map_err(unreadable)? {
        let (r, c) = (cell.pos.0 as usize, cell.pos.1 as usize);
        if errors.len() >= MAX_PROBLEMS {
            break;
        }
        if r > MAX_ROWS {
            errors.push(at(r + 1, None, FileProblem::TooManyRows));
            break;
        }
        // Past the template's columns (a cell far to the right would make every row as wide).
        if c >= COLUMNS.len() {
            errors.push(at(r + 1, Some(c), FileProblem::Header { expected: String::new() }));
            continue;
        }
        if cell.formula.is_some() {
            errors.push(at(r + 1, Some(c), FileProblem::Formula));
            continue;
        }
        let value = match cell.value {
            DataRef::Empty => continue,
            DataRef::SharedString(s) => Cell::Text(s.to_string()),
            DataRef::String(s) => Cell::Text(s),
            DataRef::Float(n) => Cell::Number(n),
            DataRef::Int(n) => Cell::Number(n as f64),
            DataRef::Bool(b) => Cell::Text(b.to_string()),
            DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
                errors.push(at(r + 1, Some(c), FileProblem::Date));
                continue;
            }
            DataRef::Error(_) => {
                errors.push(at(r + 1, Some(c), FileProblem::Field { problem: FieldProblem::NotANumber }));
                continue;
            }
        };
        if rows.last().is_none_or(|row| row.line != r + 1) {
            rows.push(RawRow { line: r + 1, cells: Vec::new() });
        }
        let row = rows.last_mut().expect("pushed above");
        if row.cells.len() <= c {
            row.cells.resize(c + 1, Cell::Empty);
        }
        row.cells[c] = value;
    }
    drop(cells);
    with_header(rows, errors, &sheet)
}

/// The sum of what a zip's parts claim to unpack to; None when it is no zip.
fn unpacked_size(bytes: &[u8]) -> Option<u64> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut total = 0u64;
    for i in 0..archive.len() {
        total = total.saturating_add(archive.by_index_raw(i).ok()?.size());
    }
    Some(total)
}

/// Checks the header (the first row, which must be row 1) and returns the rows under it.
fn with_header(mut rows: Vec<RawRow>, mut errors: Vec<CellError>, sheet: &str) -> Result<Vec<RawRow>, Vec<CellError>> {
    let header = |problems: Vec<CellError>| problems.into_iter().map(|e| CellError { sheet: sheet.to_string(), ..e });
    match rows.first() {
        Some(first) if first.line == 1 => errors.extend(header(check_header(&first.cells))),
        _ => errors.extend(header(vec![at(1, Some(0), FileProblem::Header { expected: COLUMNS[0].to_string() })])),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    rows.remove(0);
    Ok(rows)
}

/// Reads a CSV file: UTF-8 (a file in another encoding is refused, not guessed), with commas or
/// semicolons (what Italian spreadsheet programs write).
pub fn read_csv(bytes: &[u8]) -> Result<Vec<RawRow>, Vec<CellError>> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(vec![at(0, None, FileProblem::TooLarge)]);
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| vec![at(0, None, FileProblem::Field { problem: FieldProblem::NotUtf8 })])?;
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| vec![at(i + 1, None, FileProblem::Unreadable)])?;
        if i > MAX_ROWS {
            return Err(vec![at(i + 1, None, FileProblem::TooManyRows)]);
        }
        let cells: Vec<Cell> =
            record.iter().map(|v| if v.trim().is_empty() { Cell::Empty } else { Cell::Text(v.to_string()) }).collect();
        if cells.iter().any(|c| *c != Cell::Empty) {
            rows.push(RawRow { line: i + 1, cells });
        }
    }
    with_header(rows, Vec::new(), SHEET)
}

/// One value the import writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub indicator_id: String,
    /// "A01 — name", for people.
    pub label: String,
    pub period: String,
    /// What is stored now (None: a new value).
    pub before: Option<Measurement>,
    pub after: MeasurementEdit,
}

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Rows whose values are already stored as they are.
    pub unchanged: usize,
    /// Rows without a value (periods not measured yet).
    pub empty: usize,
}

/// A number cell: a spreadsheet's number (exact to the values' places), or text as people write it.
fn decimal_cell(cell: &Cell) -> Result<Option<Decimal>, FieldProblem> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(n) => {
            Decimal::from_f64(*n).map(|d| Some(d.round_dp(MAX_SCALE).normalize())).ok_or(FieldProblem::NotANumber)
        }
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        // A spreadsheet program writes a plain decimal point (its CSV and text cells never group
        // thousands), so `1.234` from a file is one point two three four.
        Cell::Text(t) if is_plain_decimal(t.trim()) => {
            t.trim().parse::<Decimal>().map(|d| Some(d.normalize())).map_err(|_| FieldProblem::NotANumber)
        }
        Cell::Text(t) => read_decimal(t).map(Some),
    }
}

/// `-1234.5`: digits, at most one dot, nothing else.
fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty() && !fraction.is_empty() && (whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
}

/// Checks every row against the agenda as `who` may change it; `progress` hears how many rows
/// are done. The plan, or every problem of the file.
pub async fn plan(
    store: &Store,
    who: Option<&Principal>,
    slug: &str,
    rows: &[RawRow],
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Result<Plan, Vec<CellError>>, Error> {
    let (all, _) = locate_all(store, who, slug).await?;
    let mut errors = Vec::new();
    let mut plan = Plan::default();
    let mut seen: std::collections::HashMap<(String, String), usize> = Default::default();
    for (n, row) in rows.iter().enumerate() {
        if n % 500 == 0 {
            progress(n);
        }
        let cell = |c: usize| row.cells.get(c).cloned().unwrap_or(Cell::Empty);
        let id = cell(ID).text();
        let Some((at_indicator, values)) = all.iter().find(|(at, _)| at.indicator().id == id) else {
            errors.push(at(row.line, Some(ID), FileProblem::UnknownIndicator));
            continue;
        };
        let Some(period) = at_indicator.period(&cell(PERIOD).text()) else {
            let periods = at_indicator.periods();
            let code = |p: Option<&Period>| p.map(Period::code).unwrap_or_default();
            let problem = FieldProblem::NotAPeriod { first: code(periods.first()), last: code(periods.last()) };
            errors.push(field(row.line, PERIOD, problem));
            continue;
        };
        let key = (id.clone(), period.code());
        if let Some(first) = seen.insert(key, row.line) {
            errors.push(field(row.line, PERIOD, FieldProblem::Duplicate { row: first }));
            continue;
        }
        let percentage = is_percentage(&at_indicator.indicator().unit);
        let given = [VALUE, NUMERATOR, DENOMINATOR, NOTE, SOURCE].iter().any(|c| cell(*c) != Cell::Empty);
        if !given {
            plan.empty += 1;
            continue;
        }
        // A row with values must be of an action whose values this person enters.
        if require(who, Operation::EditResults, &at_indicator.target()).is_err() {
            errors.push(at(row.line, Some(ID), FileProblem::NotYours));
            continue;
        }
        // The row's values, read as a form reads them: the same rules, the same messages.
        let mut numbers = std::collections::HashMap::new();
        let mut bad = false;
        for (c, name) in [(VALUE, "value"), (NUMERATOR, "numerator"), (DENOMINATOR, "denominator")] {
            match decimal_cell(&cell(c)) {
                Ok(Some(v)) => {
                    // Handed to the form's reader with the decimal comma, which it never doubts.
                    numbers.insert(name, v.to_string().replace('.', ","));
                }
                Ok(None) => {}
                Err(problem) => {
                    errors.push(field(row.line, c, problem));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        let (note, source) = (cell(NOTE).text(), cell(SOURCE).text());
        let input = |name: &str| match name {
            "note" => Some(note.clone()),
            "source" => Some(source.clone()),
            other => numbers.get(other).cloned(),
        };
        let mut reader = Reader::new(&input);
        let read = MeasurementEdit::read(&mut reader, percentage);
        let edit = match reader.conclude(read) {
            Ok(edit) => edit,
            Err(problems) => {
                for p in problems {
                    let column = match p.field.as_str() {
                        "numerator" => NUMERATOR,
                        "denominator" => DENOMINATOR,
                        "note" => NOTE,
                        "source" => SOURCE,
                        _ => VALUE,
                    };
                    errors.push(field(row.line, column, p.problem));
                }
                continue;
            }
        };
        let before = values.iter().find(|m| m.period == period.code()).cloned();
        if before.as_ref().is_some_and(|m| m.fields == edit) {
            plan.unchanged += 1;
            continue;
        }

        plan.changes.push(Change {
            indicator_id: id,
            label: at_indicator.label(),
            period: period.code(),
            before,
            after: edit,
        });
    }
    progress(rows.len());
    Ok(if errors.is_empty() { Ok(plan) } else { Err(errors) })
}

/// Whether `who` still enters the values of every change of `plan` (rights may have changed
/// since the file was read).
pub async fn still_allowed(store: &Store, who: Option<&Principal>, slug: &str, plan: &Plan) -> Result<bool, Error> {
    let (all, _) = locate_all(store, who, slug).await?;
    Ok(plan.changes.iter().all(|change| {
        all.iter().any(|(at, _)| {
            at.indicator().id == change.indicator_id && require(who, Operation::EditResults, &at.target()).is_ok()
        })
    }))
}

/// Writes every change of `plan` in one transaction `w`, each against the version it was read
/// at; false (nothing to commit) when any value changed since the preview.
pub async fn apply(w: &mut WriteTx, plan: &Plan) -> agio_store::Result<bool> {
    for change in &plan.changes {
        let entity = EntityRef { kind: "indicator", id: &change.indicator_id, label: &change.label };
        let status = status_after_edit(change.before.as_ref().map(|m| m.status));
        let version = change.before.as_ref().map_or(0, |m| m.version);
        let saved = w.save_measurement(entity, &change.period, change.before.as_ref(), &change.after, status, version);
        match saved.await {
            Ok(Saved::Done { .. }) => {}
            Ok(Saved::Stale { .. }) => return Ok(false),
            // A new value someone entered for the same period since the preview.
            Err(e) if e.violation().is_some() => return Ok(false),
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}
