//! The Piano di Zona of a district: its intervention sheets read from a CSV file (the template
//! in `docs/profile.md`), all or nothing, every problem named by row and column; and which
//! agenda actions carry each sheet forward.

use agio_domain::edit::{FieldError, FieldProblem, Reader};
use agio_domain::model::Term;
use agio_domain::SheetStatus;

/// The columns of the template, in order.
pub const COLUMNS: [&str; 6] = ["numero", "titolo", "area", "destinatari", "budget", "stato"];

pub use agio_domain::model::ZonePlanSheet as Sheet;

/// A problem of the file: its row (the header is row 1) and column, or the whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub row: Option<usize>,
    pub column: Option<String>,
    pub problem: FieldProblem,
}

/// What a person may write in `stato`: the Italian words, or the codes.
fn status_code(cell: &str) -> String {
    match cell.trim().to_lowercase().replace(' ', "_").as_str() {
        "pianificata" | "prevista" => "planned".into(),
        "in_corso" | "avviata" => "in_progress".into(),
        "conclusa" | "completata" => "completed".into(),
        "sospesa" => "suspended".into(),
        other => other.to_string(),
    }
}

/// `destinatari`: codes or Italian labels, separated by `;`, as codes one per line.
fn group_codes(cell: &str, groups: &[Term]) -> String {
    cell.split([';', ','])
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(|g| {
            groups
                .iter()
                .find(|t| t.code == g || t.label_it.eq_ignore_ascii_case(g) || t.label_en.eq_ignore_ascii_case(g))
                .map(|t| t.code.clone())
                .unwrap_or_else(|| g.to_string())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads the sheets of a CSV file (UTF-8, comma or semicolon separated, the template's header).
pub fn read_sheets(bytes: &[u8], groups: &[Term]) -> Result<Vec<Sheet>, Vec<RowProblem>> {
    let whole = |problem: FieldProblem| vec![RowProblem { row: None, column: None, problem }];
    let text = std::str::from_utf8(bytes).map_err(|_| whole(FieldProblem::NotUtf8))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' };
    let mut csv = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match csv.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Err(_) => return Err(whole(FieldProblem::NotUtf8)),
    };
    let missing: Vec<RowProblem> = COLUMNS
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .map(|c| RowProblem { row: Some(1), column: Some(c.to_string()), problem: FieldProblem::MissingColumn })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let group_list: Vec<String> = groups.iter().map(|t| t.code.clone()).collect();
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in csv.records().enumerate() {
        let row = i + 2;
        let Ok(record) = record else {
            problems.push(RowProblem { row: Some(row), column: None, problem: FieldProblem::WrongType });
            continue;
        };
        let cell = |name: &str| header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::trim);
        let input = |name: &str| -> Option<String> {
            let value = cell(name)?;
            match name {
                "stato" => Some(status_code(value)),
                "destinatari" => Some(group_codes(value, groups)),
                _ => Some(value.to_string()),
            }
            .filter(|v| !v.is_empty())
        };
        let mut r = Reader::new(&input);
        let number = r.line("numero");
        let title = r.line("titolo");
        let area = r.opt_line("area").unwrap_or_default();
        let target_groups = r.codes("destinatari", &group_list, false);
        let budget_cents = if r.given("budget") { r.euros("budget") } else { None };
        let status = r.code::<SheetStatus>("stato");
        if let Some(first) = sheets.iter().position(|s| s.number == number).filter(|_| !number.is_empty()) {
            r.fail("numero", FieldProblem::Duplicate { row: first + 2 });
        }
        let errors: Vec<FieldError> = std::mem::take(&mut r.errors);
        if !errors.is_empty() {
            problems.extend(errors.into_iter().map(|e| RowProblem {
                row: Some(row),
                column: Some(e.field),
                problem: e.problem,
            }));
            // Keep the number, so that a later duplicate still names this row.
            sheets.push(Sheet { number, title, area, target_groups, budget_cents, status: SheetStatus::Planned });
            continue;
        }
        if let Some(status) = status {
            sheets.push(Sheet { number, title, area, target_groups, budget_cents, status });
        }
    }
    if sheets.is_empty() && problems.is_empty() {
        return Err(whole(FieldProblem::Required));
    }
    if problems.is_empty() {
        Ok(sheets)
    } else {
        Err(problems)
    }
}

/// The sheets as the template writes them (semicolons, Italian statuses and amounts): what a
/// planning office downloads, changes in a spreadsheet and imports again.
pub fn write_sheets(sheets: &[Sheet]) -> String {
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_writer(Vec::new());
    let euros = |cents: i64| {
        let units = (cents / 100).to_string();
        let mut grouped = String::new();
        for (i, digit) in units.chars().enumerate() {
            if i > 0 && (units.len() - i).is_multiple_of(3) {
                grouped.push('.');
            }
            grouped.push(digit);
        }
        format!("{grouped},{:02}", cents % 100)
    };
    let status = |s: SheetStatus| match s {
        SheetStatus::Planned => "pianificata",
        SheetStatus::InProgress => "in corso",
        SheetStatus::Completed => "conclusa",
        SheetStatus::Suspended => "sospesa",
    };
    // Writing into memory cannot fail.
    let _ = out.write_record(COLUMNS);
    for sheet in sheets {
        let budget = sheet.budget_cents.map(euros).unwrap_or_default();
        let groups = sheet.target_groups.join(", ");
        let _ = out.write_record([&sheet.number, &sheet.title, &sheet.area, &groups, &budget, status(sheet.status)]);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The sheet number an action's reference names: "16", "Scheda 16", "Scheda 16 – Welfare …".
pub fn sheet_number(reference: &str) -> Option<String> {
    let rest = reference.trim();
    let rest = rest.strip_prefix("Scheda").or_else(|| rest.strip_prefix("scheda")).unwrap_or(rest).trim_start();
    let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let number = number.trim_end_matches('.');
    (!number.is_empty()).then(|| number.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_written_out_reads_back_the_same() {
        let groups = [Term {
            code: "caregivers".into(),
            label_it: "Caregiver familiari".into(),
            label_en: "Family caregivers".into(),
        }];
        let sheets = vec![
            Sheet {
                number: "2".into(),
                title: "Domiciliarità; caregiver".into(),
                area: "Anziani".into(),
                target_groups: vec!["caregivers".into()],
                budget_cents: Some(123_456_789),
                status: SheetStatus::InProgress,
            },
            Sheet {
                number: "16.1".into(),
                title: "Comunità".into(),
                area: String::new(),
                target_groups: vec![],
                budget_cents: None,
                status: SheetStatus::Suspended,
            },
        ];
        let text = write_sheets(&sheets);
        assert!(text.contains("1.234.567,89;in corso"), "{text}");
        assert_eq!(read_sheets(text.as_bytes(), &groups).unwrap(), sheets);
    }

    fn groups() -> Vec<Term> {
        vec![Term {
            code: "caregivers".into(),
            label_it: "Caregiver familiari".into(),
            label_en: "Family caregivers".into(),
        }]
    }

    #[test]
    fn a_template_file_reads_whole() {
        let csv = "\u{feff}numero;titolo;area;destinatari;budget;stato\n\
                   16;Welfare di comunità;Anziani;Caregiver familiari;12.500,00;in corso\n\
                   2;Domiciliarità;;caregivers;;pianificata\n";
        let sheets = read_sheets(csv.as_bytes(), &groups()).unwrap();
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].number, "16");
        assert_eq!(sheets[0].target_groups, ["caregivers"]);
        assert_eq!(sheets[0].budget_cents, Some(1_250_000));
        assert_eq!(sheets[0].status, SheetStatus::InProgress);
        assert_eq!((sheets[1].budget_cents, sheets[1].status), (None, SheetStatus::Planned));
    }

    #[test]
    fn every_problem_is_named_by_row_and_column() {
        let csv = "numero,titolo,area,destinatari,budget,stato\n\
                   1,,,nessuno,molto,forse\n\
                   2,Due,,,,conclusa\n\
                   2,Ancora due,,,,conclusa\n";
        let problems = read_sheets(csv.as_bytes(), &groups()).unwrap_err();
        let at = |row: usize, column: &str| {
            problems.iter().find(|p| p.row == Some(row) && p.column.as_deref() == Some(column)).map(|p| &p.problem)
        };
        assert_eq!(at(2, "titolo"), Some(&FieldProblem::Required));
        assert!(matches!(at(2, "destinatari"), Some(FieldProblem::NotOneOf { .. })));
        assert_eq!(at(2, "budget"), Some(&FieldProblem::NotAnAmount));
        assert!(matches!(at(2, "stato"), Some(FieldProblem::NotOneOf { .. })));
        assert_eq!(at(4, "numero"), Some(&FieldProblem::Duplicate { row: 3 }));
        assert!(at(3, "numero").is_none());
    }

    #[test]
    fn a_missing_column_or_another_encoding_is_said_at_once() {
        let missing = read_sheets(b"numero,titolo\n1,Uno\n", &groups()).unwrap_err();
        let columns: Vec<_> = missing.iter().filter_map(|p| p.column.as_deref()).collect();
        assert_eq!(columns, ["area", "destinatari", "budget", "stato"]);
        assert!(missing.iter().all(|p| p.problem == FieldProblem::MissingColumn && p.row == Some(1)));
        let latin1 = b"numero,titolo,area,destinatari,budget,stato\n1,Attivit\xe0,,,,conclusa\n";
        assert_eq!(read_sheets(latin1, &groups()).unwrap_err()[0].problem, FieldProblem::NotUtf8);
    }

    #[test]
    fn an_action_s_reference_names_its_sheet() {
        assert_eq!(sheet_number("Scheda 16 – Welfare di comunità").as_deref(), Some("16"));
        assert_eq!(sheet_number("3.2").as_deref(), Some("3.2"));
        assert_eq!(sheet_number("scheda 7.").as_deref(), Some("7"));
        assert_eq!(sheet_number("Welfare"), None);
        assert_eq!(sheet_number(""), None);
    }
}

/// Why an import was refused: the plan's fields, and the file's rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refused {
    pub fields: Vec<FieldError>,
    pub rows: Vec<RowProblem>,
}

/// Replaces a district's Piano di Zona with the plan's `title`, `period_start` and
/// `period_end` (read from `input`) and the sheets of `file`: all or nothing, every problem
/// named. `actor` is who imports it (a form, the API).
pub async fn replace(
    ctx: &impl crate::Context,
    actor: &agio_store::Actor,
    of: &crate::editors::ProfileOf,
    input: &(dyn Fn(&str) -> Option<String> + Sync),
    file: &[u8],
) -> Result<Result<(), Refused>, crate::Error> {
    let profile_id = of.profile_id.clone().ok_or(crate::Error::NotFound)?;
    let mut r = Reader::new(input);
    let title = r.line("title");
    let (start, end) = (r.opt_year("period_start"), r.opt_year("period_end"));
    for (field, year) in [("period_start", start), ("period_end", end)] {
        if year.is_none() && !r.errors.iter().any(|e| e.field == field) {
            r.fail(field, FieldProblem::Required);
        }
    }
    r.in_order(&start, &end, "period_end");
    let mut refused = Refused { fields: r.errors, rows: Vec::new() };
    let sheets = read_sheets(file, &ctx.vocabularies().target_group).unwrap_or_else(|rows| {
        refused.rows = rows;
        Vec::new()
    });
    let (Some(start), Some(end), true) = (start, end, refused == Refused::default()) else {
        return Ok(Err(refused));
    };
    let plan = agio_store::NewZonePlan { title: &title, period_start: start, period_end: end, sheets: &sheets };
    let mut w = ctx.store().begin_write(actor).await?;
    w.replace_zone_plan(&profile_id, &of.territory.name, &plan).await?;
    w.commit().await?;
    ctx.after_write().await?;
    Ok(Ok(()))
}
