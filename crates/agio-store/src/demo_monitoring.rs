//! Demo monitoring: two years of quarterly values for the demo agenda already under way
//! (Guastalla, 2025–2027), worked out from each indicator's baseline and target at a pace
//! that differs by action, so the dashboards tell a story at first sight: actions on track,
//! at risk, late and completed; the last quarter partly approved, partly waiting, one value
//! returned, one still a draft; one coordinator's judgement.

use agio_domain::monitoring::{is_percentage, percent_of, Period, StandingOverride};
use agio_domain::{Frequency, MeasurementStatus, Standing};
use rust_decimal::Decimal;

use crate::audit::{Actor, EntityRef};
use crate::read::col;
use crate::sql::{columns, Sql};
use crate::{new_id, Result, Store};

/// The agenda that gets values, and the last quarter they reach.
const AGENDA: &str = "agenda-digitale-sociale-bassa-reggiana-2025-2027";
const LAST: &str = "2026-Q4";

/// How far each action has gone compared with its plan (1: as planned).
fn pace(action: &str) -> Decimal {
    let tenths = match action {
        "A02" => 6,
        "A04" => 4,
        "A07" => 9,
        "A09" => 7,
        "A11" => 8,
        "A03" | "A06" => 11,
        _ => 10,
    };
    Decimal::new(tenths, 1)
}

/// What the last quarter's value of an action's indicators waits for.
fn last_status(action: &str, position: usize) -> (MeasurementStatus, &'static str) {
    match (action, position) {
        ("A01", _) => (MeasurementStatus::Submitted, ""),
        ("A04", 0) => (
            MeasurementStatus::Returned,
            "Il valore comprende anche i procedimenti in sperimentazione: indicare solo quelli aperti a tutti.",
        ),
        ("A07", _) => (MeasurementStatus::Draft, ""),
        _ => (MeasurementStatus::Approved, ""),
    }
}

struct Row {
    action: String,
    start: Option<String>,
    end: Option<String>,
    id: String,
    unit: String,
    baseline: Option<f64>,
    target: Option<f64>,
}

/// Months since year 0 of a `YYYY-MM-DD` date (January of year 0 is 0).
fn months(d: &str) -> i64 {
    let year: i64 = d.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    let month: i64 = d.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    year * 12 + month - 1
}

/// Share of an action's time gone at `day` (both `YYYY-MM-DD`), from 0 to 1, by months.
fn elapsed(start: &str, end: &str, day: &str) -> Decimal {
    let (s, e, d) = (months(start), months(end), months(day));
    if e <= s {
        return Decimal::ONE;
    }
    (Decimal::from((d - s).clamp(0, e - s)) / Decimal::from(e - s)).round_dp(4)
}

impl Store {
    /// Loads the demo values once (not when the agenda already has some); returns how many.
    pub async fn load_demo_monitoring(&self) -> Result<usize> {
        let mut w = self.begin_write(&Actor::import()).await?;
        let mut agenda = Sql::new("SELECT id, title FROM agendas WHERE slug = ");
        agenda.bind(AGENDA);
        let Some((agenda_id, title)) =
            agenda.map_optional(&mut *w.tx, |r| Ok((col::<String>(r, "id")?, col::<String>(r, "title")?))).await?
        else {
            return Ok(0);
        };
        let mut any = Sql::new(
            "SELECT COUNT(*) AS n FROM measurements m JOIN indicators i ON i.id = m.indicator_id \
             JOIN expected_results r ON r.id = i.result_id JOIN actions x ON x.id = r.action_id WHERE x.agenda_id = ",
        );
        any.bind(agenda_id.clone());
        if any.map_one(&mut *w.tx, |r| col::<i64>(r, "n")).await? > 0 {
            return Ok(0);
        }
        let mut rows = Sql::new(
            "SELECT x.code AS action, x.start_date, x.end_date, i.id, i.unit, i.baseline_value, i.target_value \
             FROM indicators i JOIN expected_results r ON r.id = i.result_id JOIN actions x ON x.id = r.action_id \
             WHERE x.agenda_id = ",
        );
        rows.bind(agenda_id.clone()).push(" ORDER BY x.position, r.position, i.position");
        let rows = rows
            .map_all(&mut *w.tx, |r| {
                Ok(Row {
                    action: col(r, "action")?,
                    start: col(r, "start_date")?,
                    end: col(r, "end_date")?,
                    id: col(r, "id")?,
                    unit: col(r, "unit")?,
                    baseline: col(r, "baseline_value")?,
                    target: col(r, "target_value")?,
                })
            })
            .await?;
        let last = Period::parse(LAST).expect("a valid period");
        let mut inserts = Vec::new();
        // The value the demo's evidence file proves: A01's first indicator, third quarter of 2026.
        let mut proved = None;
        let mut position_in_action = (String::new(), 0usize);
        for row in &rows {
            if position_in_action.0 != row.action {
                position_in_action = (row.action.clone(), 0);
            } else {
                position_in_action.1 += 1;
            }
            let (Some(start), Some(end), Some(target)) = (&row.start, &row.end, row.target) else { continue };
            let baseline = Decimal::try_from(row.baseline.unwrap_or(0.0)).unwrap_or_default();
            let target = Decimal::try_from(target).unwrap_or_default();
            let periods: Vec<Period> = Period::all(Frequency::Quarter, 2025, 2026)
                .into_iter()
                .filter(|p| p.last_day() >= *start && p.code() <= last.code())
                .collect();
            for period in &periods {
                let share = (elapsed(start, end, &period.last_day()) * pace(&row.action)).min(Decimal::ONE);
                let value = baseline + (target - baseline) * share;
                let (value, numerator, denominator) = if is_percentage(&row.unit) {
                    let denominator = Decimal::from(200);
                    let numerator = (value * Decimal::TWO).round();
                    (percent_of(numerator, denominator), Some(numerator.to_string()), Some(denominator.to_string()))
                } else {
                    (value.round(), None, None)
                };
                let (status, review_note) = if *period == last {
                    last_status(&row.action, position_in_action.1)
                } else {
                    (MeasurementStatus::Approved, "")
                };
                let at = format!("{}T10:00:00Z", period.last_day());
                let id = new_id();
                if row.action == "A01" && position_in_action.1 == 0 && period.code() == "2026-Q3" {
                    proved = Some(id.clone());
                }
                inserts.push(Sql::insert(
                    "measurements",
                    columns![
                        "id" => id, "indicator_id" => row.id.clone(), "period" => period.code(),
                        "value" => value.normalize().to_string(), "numerator" => numerator, "denominator" => denominator,
                        "note" => "", "source" => "Rilevazione dell'Ufficio di Piano (dato dimostrativo)",
                        "status" => status.code(), "review_note" => review_note, "version" => 1i64,
                        "is_demo" => 1i64, "created_at" => at.clone(), "updated_at" => at,
                    ],
                ));
            }
        }
        let loaded = inserts.len();
        if let Some(measurement) = proved {
            let register = "comune;punto;aperto dal\nGuastalla;Biblioteca Maldotti;2025-03-01\nGualtieri;Centro sociale;2025-05-12\n\
                            Luzzara;Biblioteca;2025-09-01\nNovellara;Biblioteca;2026-01-15\nReggiolo;Centro anziani;2026-03-02\n\
                            Poviglio;Biblioteca;2026-05-04\nBoretto;Biblioteca;2026-09-07\n";
            inserts.push(Sql::insert(
                "measurement_evidence",
                columns![
                    "id" => new_id(), "measurement_id" => measurement, "name" => "punti-attivi-2026-T3 (dimostrativo).csv",
                    "content_type" => "text/csv; charset=utf-8", "size" => register.len() as i64,
                    "data" => register.as_bytes().to_vec(), "created_at" => "2026-10-02T09:00:00Z",
                ],
            ));
        }
        w.run(inserts).await?;
        let mut judged = Sql::new("SELECT id, title FROM actions WHERE code = 'A09' AND agenda_id = ");
        judged.bind(agenda_id.clone());
        if let Some((action_id, action_title)) =
            judged.map_optional(&mut *w.tx, |r| Ok((col::<String>(r, "id")?, col::<String>(r, "title")?))).await?
        {
            let judgement = StandingOverride {
                standing: Standing::AtRisk,
                reason: "Due Comuni non hanno ancora condiviso l'elenco delle persone fragili: il piano per le \
                         ondate di calore rischia di slittare."
                    .into(),
            };
            let label = format!("A09 — {action_title}");
            w.set_standing(EntityRef { kind: "action", id: &action_id, label: &label }, Some(&judgement)).await?;
        }
        // A spreadsheet sent back with problems, as the coordinators keep it: what each row lacks.
        let problems = serde_json::json!([
            { "sheet": "Valori", "row": 12, "column": 7, "problem": { "kind": "field", "problem": { "problem": "ambiguous_number" } } },
            { "sheet": "Valori", "row": 19, "column": 7, "problem": { "kind": "formula" } },
            { "sheet": "Valori", "row": 23, "column": 6, "problem": { "kind": "field", "problem": { "problem": "not_a_period", "first": "2025-Q1", "last": "2027-Q4" } } },
        ]);
        w.run(vec![Sql::insert(
            "monitoring_imports",
            columns![
                "id" => new_id(), "agenda_id" => agenda_id.clone(), "file_name" => "valori-2026-T4-bozza.xlsx",
                "status" => "failed", "rows_total" => 24i64, "rows_done" => 24i64, "report" => problems.to_string(),
                "is_demo" => 1i64, "created_at" => "2026-10-05T09:00:00Z", "updated_at" => "2026-10-05T09:00:01Z",
            ],
        )])
        .await?;
        let delivery = demo_delivery(&mut w, &agenda_id).await?;
        w.run(delivery).await?;
        let entity = EntityRef { kind: "agenda", id: &agenda_id, label: &title };
        let after = serde_json::json!({ "source": "demo", "measurements": loaded });
        w.record(entity, "import_measurements", None, Some(&after), "").await?;
        w.commit().await?;
        Ok(loaded)
    }
}

/// The day the demo's figures are at: the end of the last quarter with approved values.
const AS_OF: &str = "2026-09-30";

/// Each action's milestones (start, halfway, end: reached or not at the action's pace, one
/// cancelled) and what is committed and paid of its budget lines at the same pace.
async fn demo_delivery(w: &mut crate::audit::WriteTx, agenda_id: &str) -> Result<Vec<Sql>> {
    let mut actions = Sql::new("SELECT id, code, start_date, end_date FROM actions WHERE agenda_id = ");
    actions.bind(agenda_id).push(" ORDER BY position");
    let actions = actions
        .map_all(&mut *w.tx, |r| {
            let dates = (col::<Option<String>>(r, "start_date")?, col::<Option<String>>(r, "end_date")?);
            Ok((col::<String>(r, "id")?, col::<String>(r, "code")?, dates))
        })
        .await?;
    let at = "2026-10-01T09:00:00Z";
    let mut inserts = Vec::new();
    for (action_id, code, dates) in actions {
        let (Some(start), Some(end)) = dates else { continue };
        let pace = pace(&code);
        let halfway = halfway(&start, &end);
        let milestones = [
            ("Avvio delle attività con i partner", start.clone(), (start.as_str() <= AS_OF).then(|| start.clone())),
            (
                "Prima verifica intermedia con l'Ufficio di Piano",
                halfway.clone(),
                (halfway.as_str() <= AS_OF && pace >= Decimal::ONE).then(|| halfway.clone()),
            ),
            (
                "Conclusione e restituzione pubblica dei risultati",
                end.clone(),
                (end.as_str() <= AS_OF && pace >= Decimal::ONE).then(|| end.clone()),
            ),
        ];
        for (title, planned, actual) in milestones {
            let status = if code == "A11" && actual.is_none() && planned == halfway {
                "cancelled"
            } else if actual.is_some() {
                "reached"
            } else {
                "planned"
            };
            let note = if status == "cancelled" {
                "Verifica accorpata a quella dell'azione A10 (dato dimostrativo)."
            } else {
                ""
            };
            inserts.push(Sql::insert(
                "milestones",
                columns![
                    "id" => new_id(), "action_id" => action_id.clone(), "title" => title, "planned_date" => planned,
                    "actual_date" => actual, "status" => status, "note" => note, "version" => 1i64,
                    "is_demo" => 1i64, "created_at" => at, "updated_at" => at,
                ],
            ));
        }
        let mut lines = Sql::new("SELECT id, amount_cents FROM budget_lines WHERE action_id = ");
        lines.bind(action_id.clone());
        let lines =
            lines.map_all(&mut *w.tx, |r| Ok((col::<String>(r, "id")?, col::<i64>(r, "amount_cents")?))).await?;
        let share = (elapsed(&start, &end, AS_OF) * pace).min(Decimal::ONE);
        for (line_id, amount) in lines {
            let committed = (Decimal::from(amount) * (share * Decimal::new(12, 1)).min(Decimal::ONE)).round();
            let paid = (committed * Decimal::new(6, 1)).round();
            let cents = |d: Decimal| i64::try_from(d).unwrap_or(0);
            inserts.push(Sql::insert(
                "budget_spending",
                columns![
                    "id" => new_id(), "budget_line_id" => line_id, "committed_cents" => cents(committed),
                    "paid_cents" => cents(paid), "as_of" => AS_OF, "version" => 1i64, "is_demo" => 1i64,
                    "updated_at" => at,
                ],
            ));
        }
    }
    Ok(inserts)
}

/// The first day of the month halfway between two dates (`YYYY-MM-DD`).
fn halfway(start: &str, end: &str) -> String {
    let middle = (months(start) + months(end)) / 2;
    format!("{:04}-{:02}-01", middle / 12, middle % 12 + 1)
}
