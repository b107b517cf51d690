//! Monitoring: the values measured for indicators, period by period, with their workflow; and
//! the coordinators' judgement of how an action is doing. Each change is recorded against the
//! indicator (so its history and its agenda's show it), with the period it is about.

use agio_domain::document::Document;
use agio_domain::model::Indicator;
use agio_domain::monitoring::{Measurement, MeasurementEdit, PlannedIndicator, StandingOverride};
use agio_domain::MeasurementStatus;
use rust_decimal::Decimal;
use sqlx::any::AnyRow;

use super::{Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, flag, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store, StoreError};

/// The plan's actions: (name, expression).
const ACTION_COLUMNS: &[(&str, &str)] = &[
    ("agenda_id", "x.agenda_id"),
    ("objective_code", "o.code"),
    ("objective_title", "o.title"),
    ("objective_position", "o.position"),
    ("action_id", "x.id"),
    ("action_code", "x.code"),
    ("action_title", "x.title"),
    ("action_status", "x.status"),
    ("action_position", "x.position"),
    ("start_date", "x.start_date"),
    ("end_date", "x.end_date"),
];

/// The plan's indicators, each with its action: (name, expression).
const INDICATOR_COLUMNS: &[(&str, &str)] = &[
    ("action_id", "r.action_id"),
    ("result_position", "r.position"),
    ("id", "i.id"),
    ("position", "i.position"),
    ("name", "i.name"),
    ("unit", "i.unit"),
    ("baseline_value", "i.baseline_value"),
    ("baseline_year", "i.baseline_year"),
    ("target_value", "i.target_value"),
    ("target_year", "i.target_year"),
    ("direction", "i.direction"),
    ("frequency", "i.frequency"),
    ("weight", "i.weight"),
];

/// The plan's titles that only an agenda's own page reads from the plan.
const TITLES: [&str; 2] = ["objective_title", "action_title"];

/// The plan's live actions (the indicators' statement joins their results to these).
const PLAN_ACTIONS: &str =
    " FROM actions x JOIN objectives o ON o.id = x.objective_id JOIN agendas a ON a.id = x.agenda_id \
     WHERE x.archived_at IS NULL AND o.archived_at IS NULL";

/// An action of the plan, as the database writes it in JSON. The region's plan leaves out the
/// objectives' and actions' titles: its page shows none, and its open data takes them from the
/// agenda itself.
#[derive(serde::Deserialize)]
struct ActionRow {
    agenda_id: String,
    objective_code: String,
    #[serde(default)]
    objective_title: String,
    objective_position: i64,
    action_id: String,
    action_code: String,
    #[serde(default)]
    action_title: String,
    action_status: String,
    action_position: i64,
    start_date: Option<String>,
    end_date: Option<String>,
    #[serde(default)]
    lead_organization: Option<String>,
}

/// An indicator of the plan. Its name and unit stay in the region's plan (the open data's
/// `indicatori`).
#[derive(serde::Deserialize)]
struct IndicatorRow {
    action_id: String,
    result_position: i64,
    id: String,
    position: i64,
    name: String,
    unit: String,
    direction: String,
    frequency: String,
    weight: i64,
    baseline_value: Option<f64>,
    baseline_year: Option<i64>,
    target_value: Option<f64>,
    target_year: Option<i64>,
}

fn parsed<T: std::str::FromStr>(name: &str, text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| StoreError::InvalidData(format!("column {name}: {e}")))
}

impl IndicatorRow {
    fn indicator(self) -> Result<Indicator> {
        Ok(Indicator {
            id: self.id,
            name: self.name,
            unit: self.unit,
            baseline_value: self.baseline_value,
            baseline_year: self.baseline_year,
            target_value: self.target_value,
            target_year: self.target_year,
            direction: parsed("direction", &self.direction)?,
            frequency: parsed("frequency", &self.frequency)?,
            weight: self.weight,
        })
    }
}

impl ActionRow {
    /// The plan's row for `indicator` of this action (None: the action has none).
    fn planned(&self, indicator: Option<Indicator>) -> Result<PlannedIndicator> {
        Ok(PlannedIndicator {
            indicator,
            action_id: self.action_id.clone(),
            action_code: self.action_code.clone(),
            action_title: self.action_title.clone(),
            action_status: parsed("action_status", &self.action_status)?,
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            lead_organization: self.lead_organization.clone(),
            objective_code: self.objective_code.clone(),
            objective_title: self.objective_title.clone(),
        })
    }
}

/// The live actions the public reads: of agendas not in draft that have no approved version.
const UNVERSIONED: &str = "a.status <> 'draft' AND x.archived_at IS NULL \
     AND NOT EXISTS (SELECT 1 FROM agenda_versions v WHERE v.agenda_id = a.id)";

const MEASUREMENT: &str = "SELECT m.id, m.indicator_id, m.period, m.value, m.numerator, m.denominator, m.note, \
     m.source, m.status, m.review_note, m.version, m.updated_at, m.is_demo FROM measurements m";

/// The measurements of one agenda's indicators (bound next).
const OF_AGENDA: &str = " JOIN indicators i ON i.id = m.indicator_id JOIN expected_results r ON r.id = i.result_id \
     JOIN actions x ON x.id = r.action_id WHERE x.agenda_id = ";

fn decimal(r: &AnyRow, name: &str) -> Result<Option<Decimal>> {
    match col::<Option<String>>(r, name)? {
        Some(text) => text.parse().map(Some).map_err(|e| StoreError::InvalidData(format!("column {name}: {e}"))),
        None => Ok(None),
    }
}

fn measurement(r: &AnyRow) -> Result<Measurement> {
    Ok(from_row!(r, Measurement {
        id, indicator_id, period, review_note, version, updated_at;
        fields: MeasurementEdit {
            value: code(r, "value")?,
            numerator: decimal(r, "numerator")?,
            denominator: decimal(r, "denominator")?,
            note: col(r, "note")?,
            source: col(r, "source")?,
        },
        status: code(r, "status")?,
        is_demo: flag(r, "is_demo")?,
    }))
}

/// A measurement as its form edits it.
pub fn measurement_for_edit(m: &Measurement) -> Editable<MeasurementEdit> {
    Editable { id: m.id.clone(), label: m.period.clone(), version: m.version, fields: m.fields.clone() }
}

/// A value as the audit log keeps it: its fields beside its period and status.
fn flat(period: &str, edit: &MeasurementEdit, status: MeasurementStatus) -> serde_json::Value {
    let mut json = serde_json::to_value(edit).unwrap_or_default();
    if let Some(fields) = json.as_object_mut() {
        fields.insert("period".into(), period.into());
        fields.insert("status".into(), status.code().into());
    }
    json
}

fn text(value: Option<Decimal>) -> Option<String> {
    value.map(|v| v.normalize().to_string())
}

impl Store {
    /// Every indicator of the agenda's actions (or of every agenda not in draft, for the
    /// region), with its action and objective, in the plan's order (an action without
    /// indicators once, with none); and the agenda of each.
    pub async fn monitoring_plan(&self, agenda_id: Option<&str>) -> Result<Vec<(String, PlannedIndicator)>> {
        let mut action_columns = ACTION_COLUMNS.to_vec();
        let mut actions = Sql::new(PLAN_ACTIONS);
        let mut indicators = Sql::new(
            " FROM indicators i JOIN expected_results r ON r.id = i.result_id JOIN actions x ON x.id = r.action_id \
             JOIN objectives o ON o.id = x.objective_id JOIN agendas a ON a.id = x.agenda_id \
             WHERE x.archived_at IS NULL AND o.archived_at IS NULL",
        );
        match agenda_id {
            // Who leads each action decides who enters its values, on the agenda's own page.
            Some(id) => {
                action_columns.push((
                    "lead_organization",
                    "(SELECT ao.organization_id FROM action_organizations ao WHERE ao.action_id = x.id \
                     AND ao.role = 'lead')",
                ));
                actions.push(" AND x.agenda_id = ").bind(id);
                indicators.push(" AND x.agenda_id = ").bind(id);
            }
            None => {
                action_columns.retain(|(name, _)| !TITLES.contains(name));
                actions.push(" AND a.status <> 'draft'");
                indicators.push(" AND a.status <> 'draft'");
            }
        };
        // Actions and indicators apart, each read as one JSON value (thousands of rows for the
        // region): one row per indicator would repeat its action's columns in each.
        let (mut actions, indicators): (Vec<ActionRow>, Vec<IndicatorRow>) =
            tokio::try_join!(actions.json_rows(self, &action_columns), indicators.json_rows(self, INDICATOR_COLUMNS),)?;
        actions.sort_by(|a, b| {
            a.agenda_id
                .cmp(&b.agenda_id)
                .then_with(|| (a.objective_position, a.action_position).cmp(&(b.objective_position, b.action_position)))
        });
        let mut of_action: std::collections::HashMap<String, Vec<IndicatorRow>> = Default::default();
        for row in indicators {
            of_action.entry(row.action_id.clone()).or_default().push(row);
        }
        let mut plan = Vec::with_capacity(actions.len() + of_action.values().map(Vec::len).sum::<usize>());
        for action in actions {
            let mut indicators = of_action.remove(&action.action_id).unwrap_or_default();
            if indicators.is_empty() {
                plan.push((action.agenda_id.clone(), action.planned(None)?));
                continue;
            }
            indicators.sort_by_key(|i| (i.result_position, i.position));
            for indicator in indicators {
                plan.push((action.agenda_id.clone(), action.planned(Some(indicator.indicator()?))?));
            }
        }
        Ok(plan)
    }

    /// The measurements of the agenda's indicators (all statuses; the application decides who
    /// sees which), or only approved ones of every agenda (`None`, for the region).
    pub async fn measurements(&self, agenda_id: Option<&str>) -> Result<Vec<Measurement>> {
        let mut sql = Sql::new(MEASUREMENT);
        match agenda_id {
            Some(id) => sql.push(OF_AGENDA).bind(id),
            None => sql.push(" WHERE m.status = 'approved'"),
        };
        sql.map_all(&self.pool, measurement).await
    }

    /// Each indicator's latest approved value (what its progress is worked out from), with how
    /// many approved values it has: the region's figures, without reading every value.
    pub async fn latest_approved(&self) -> Result<Vec<(Measurement, i64)>> {
        /// A latest value, as the database writes it in JSON.
        #[derive(serde::Deserialize)]
        struct Latest {
            indicator_id: String,
            period: String,
            value: String,
            numerator: Option<String>,
            denominator: Option<String>,
            n: i64,
        }
        // Kept by triggers as the values change (migration 0036): one row per indicator.
        let columns = [
            ("indicator_id", "l.indicator_id"),
            ("period", "l.period"),
            ("value", "l.value"),
            ("numerator", "l.numerator"),
            ("denominator", "l.denominator"),
            ("n", "l.approved"),
        ];
        let sql = Sql::new(" FROM indicator_latest l");
        let decimal = |name: &str, text: Option<String>| text.map(|t| parsed::<Decimal>(name, &t)).transpose();
        let rows: Vec<Latest> = sql.json_rows(self, &columns).await?;
        rows.into_iter()
            .map(|row| {
                let fields = MeasurementEdit {
                    value: parsed("value", &row.value)?,
                    numerator: decimal("numerator", row.numerator)?,
                    denominator: decimal("denominator", row.denominator)?,
                    note: String::new(),
                    source: String::new(),
                };
                let measurement = Measurement {
                    id: String::new(),
                    indicator_id: row.indicator_id,
                    period: row.period,
                    fields,
                    status: MeasurementStatus::Approved,
                    review_note: String::new(),
                    version: 0,
                    updated_at: String::new(),
                    is_demo: false,
                };
                Ok((measurement, row.n))
            })
            .collect()
    }

    /// The measurement of one indicator for one period.
    pub async fn measurement(&self, indicator_id: &str, period: &str) -> Result<Option<Measurement>> {
        let mut sql = Sql::new(&format!("{MEASUREMENT} WHERE m.indicator_id = "));
        sql.bind(indicator_id).push(" AND m.period = ").bind(period);
        sql.map_optional(&self.pool, measurement).await
    }

    /// The coordinators' judgements of the agenda's actions (of every agenda: None), by action id.
    pub async fn standing_overrides(&self, agenda_id: Option<&str>) -> Result<Vec<(String, StandingOverride)>> {
        let mut sql = Sql::new(
            "SELECT s.action_id, s.standing, s.reason FROM action_standings s JOIN actions x ON x.id = s.action_id",
        );
        if let Some(id) = agenda_id {
            sql.push(" WHERE x.agenda_id = ").bind(id);
        }
        sql.map_all(&self.pool, |r| {
            Ok((col(r, "action_id")?, StandingOverride { standing: code(r, "standing")?, reason: col(r, "reason")? }))
        })
        .await
    }
}

/// A file and the measurement it proves.
fn evidence_row(r: &AnyRow) -> Result<(String, Document)> {
    let document = from_row!(r, Document { id, name, content_type, size, created_at });
    Ok((col(r, "measurement_id")?, document))
}

impl Store {
    /// The files of the agenda's measurements: (measurement id, file), oldest first.
    pub async fn evidence_of_agenda(&self, agenda_id: &str) -> Result<Vec<(String, Document)>> {
        let mut sql = Sql::new(
            "SELECT e.measurement_id, e.id, e.name, e.content_type, e.size, e.created_at FROM measurement_evidence e \
             JOIN measurements m ON m.id = e.measurement_id",
        );
        sql.push(OF_AGENDA).bind(agenda_id).push(" ORDER BY e.created_at, e.name");
        sql.map_all(&self.pool, evidence_row).await
    }

    /// A file of a measurement, with its bytes.
    pub async fn evidence_file(&self, measurement_id: &str, id: &str) -> Result<Option<(Document, Vec<u8>)>> {
        let mut sql = Sql::new(
            "SELECT id, name, content_type, size, created_at, data FROM measurement_evidence WHERE measurement_id = ",
        );
        sql.bind(measurement_id).push(" AND id = ").bind(id);
        sql.map_optional(&self.pool, |r| {
            Ok((from_row!(r, Document { id, name, content_type, size, created_at }), col::<Vec<u8>>(r, "data")?))
        })
        .await
    }
}

impl WriteTx {
    /// Attaches a file (its name made safe, its type) to a measurement; recorded against the
    /// indicator with the period.
    pub async fn add_evidence(
        &mut self,
        indicator: EntityRef<'_>,
        measurement: &Measurement,
        name: &str,
        content_type: &str,
        data: Vec<u8>,
    ) -> Result<String> {
        let id = new_id();
        let size = data.len() as i64;
        let insert = Sql::insert(
            "measurement_evidence",
            columns![
                "id" => id.clone(), "measurement_id" => measurement.id.clone(), "name" => name,
                "content_type" => content_type, "size" => size, "data" => data, "created_at" => now(),
            ],
        );
        self.run(vec![insert]).await?;
        let after = serde_json::json!({ "period": measurement.period, "document": name });
        self.record(indicator, "add_evidence", None, Some(&after), "").await?;
        Ok(id)
    }

    /// Removes a file of a measurement; false when it has no such file.
    pub async fn remove_evidence(
        &mut self,
        indicator: EntityRef<'_>,
        measurement: &Measurement,
        file: &Document,
    ) -> Result<bool> {
        let mut gone = Sql::new("DELETE FROM measurement_evidence WHERE measurement_id = ");
        gone.bind(measurement.id.clone()).push(" AND id = ").bind(file.id.clone());
        if gone.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let before = serde_json::json!({ "period": measurement.period, "document": file.name });
        self.record(indicator, "remove_evidence", Some(&before), None, "").await?;
        Ok(true)
    }
}

/// An agenda the region monitors: every one not in draft, with its district.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoredAgenda {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub district_slug: String,
    pub district_name: String,
    pub is_demo: bool,
}

/// How many public actions use a digital asset, or carry a term of a vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Reuse {
    pub slug: String,
    pub name: String,
    pub actions: i64,
}

impl Store {
    /// The agendas not in draft, by title, with the district each plans for (itself, or the
    /// district containing the union or comune).
    pub async fn monitored_agendas(&self) -> Result<Vec<MonitoredAgenda>> {
        let sql = Sql::new(
            "SELECT a.id, a.slug, a.title, a.is_demo, \
             CASE WHEN t.kind = 'district' THEN t.slug ELSE tp.slug END AS district_slug, \
             CASE WHEN t.kind = 'district' THEN t.name ELSE tp.name END AS district_name \
             FROM agendas a JOIN territories t ON t.id = a.territory_id LEFT JOIN territories tp ON tp.id = t.parent_id \
             WHERE a.status <> 'draft' ORDER BY a.title",
        );
        sql.map_all(&self.pool, |r| {
            Ok(MonitoredAgenda {
                id: col(r, "id")?,
                slug: col(r, "slug")?,
                title: col(r, "title")?,
                district_slug: col::<Option<String>>(r, "district_slug")?.unwrap_or_default(),
                district_name: col::<Option<String>>(r, "district_name")?.unwrap_or_default(),
                is_demo: flag(r, "is_demo")?,
            })
        })
        .await
    }

    /// How many actions of public agendas without an approved version (read live) use each
    /// digital asset. (Those of approved agendas are counted from their version.)
    pub async fn reused_assets_unversioned(&self) -> Result<Vec<Reuse>> {
        let sql = Sql::new(&format!(
            "SELECT d.slug, d.name, CAST(COUNT(*) AS BIGINT) AS actions FROM action_assets aa \
             JOIN digital_assets d ON d.id = aa.asset_id JOIN actions x ON x.id = aa.action_id \
             JOIN agendas a ON a.id = x.agenda_id WHERE {UNVERSIONED} GROUP BY d.slug, d.name"
        ));
        sql.map_all(&self.pool, |r| {
            Ok(Reuse { slug: col(r, "slug")?, name: col(r, "name")?, actions: col(r, "actions")? })
        })
        .await
    }

    /// How many actions of public agendas without an approved version carry each term of
    /// `vocabulary` (code, count).
    pub async fn terms_covered_unversioned(&self, vocabulary: agio_domain::Vocabulary) -> Result<Vec<(String, i64)>> {
        let mut sql = Sql::new(&format!(
            "SELECT t.code, CAST(COUNT(*) AS BIGINT) AS actions FROM action_terms t JOIN actions x ON x.id = t.action_id \
             JOIN agendas a ON a.id = x.agenda_id WHERE {UNVERSIONED} AND t.vocabulary = "
        ));
        sql.bind(vocabulary.code()).push(" GROUP BY t.code");
        sql.map_all(&self.pool, |r| Ok((col(r, "code")?, col(r, "actions")?))).await
    }
}

impl WriteTx {
    /// Writes the value of `indicator` (its id and a readable name) for `period`: a new
    /// measurement when `before` is None (at version 1), otherwise a change of it guarded by
    /// `expected_version`, which puts it to `status`.
    pub async fn save_measurement(
        &mut self,
        indicator: EntityRef<'_>,
        period: &str,
        before: Option<&Measurement>,
        edit: &MeasurementEdit,
        status: MeasurementStatus,
        expected_version: i64,
    ) -> Result<Saved<MeasurementEdit>> {
        let values = columns![
            "value" => edit.value.normalize().to_string(), "numerator" => text(edit.numerator),
            "denominator" => text(edit.denominator), "note" => edit.note.clone(), "source" => edit.source.clone(),
            "status" => status.code(),
        ];
        let after = flat(period, edit, status);
        let Some(before) = before else {
            let at = now();
            let mut values = values;
            values.extend(columns![
                "id" => new_id(), "indicator_id" => indicator.id, "period" => period, "review_note" => "",
                "version" => 1i64, "is_demo" => 0i64, "created_at" => at.clone(), "updated_at" => at,
            ]);
            self.run(vec![Sql::insert("measurements", values)]).await?;
            self.record(indicator, "measure", None, Some(&after), "").await?;
            return Ok(Saved::Done { version: 1 });
        };
        let stored = measurement_for_edit(before);
        let before_json = flat(period, &stored.fields, before.status);
        let audit = Audit { records: vec![(indicator, "measure")], before: before_json, after, note: "" };
        let guard = Guard { table: "measurements", id: &before.id, expected: expected_version };
        self.versioned_row_update(guard, stored.fields, values, audit).await
    }

    /// Moves a measurement to `status` (`operation`: `submit_measurement`,
    /// `approve_measurement`, `return_measurement`), with the coordinator's comment when
    /// returning; guarded by its version.
    pub async fn review_measurement(
        &mut self,
        indicator: EntityRef<'_>,
        measurement: &Measurement,
        operation: &'static str,
        status: MeasurementStatus,
        comment: &str,
        expected_version: i64,
    ) -> Result<Saved<MeasurementStatus>> {
        let mut values = columns!["status" => status.code()];
        if status != MeasurementStatus::Submitted {
            values.extend(columns!["review_note" => comment]);
        }
        let update = Sql::update("measurements", values, &measurement.id);
        let before = serde_json::json!({ "period": measurement.period, "status": measurement.status.code() });
        let after = serde_json::json!({ "period": measurement.period, "status": status.code() });
        let audit = Audit { records: vec![(indicator, operation)], before, after, note: comment };
        let guard = Guard { table: "measurements", id: &measurement.id, expected: expected_version };
        self.versioned_update(guard, measurement.status, vec![update], audit).await
    }

    /// Sets (or, with None, drops) a coordinator's judgement of how `action` is doing.
    pub async fn set_standing(&mut self, action: EntityRef<'_>, judged: Option<&StandingOverride>) -> Result<()> {
        let mut before = Sql::new("SELECT standing, reason FROM action_standings WHERE action_id = ");
        before.bind(action.id);
        let before = before
            .map_optional(&mut *self.tx, |r| {
                Ok(StandingOverride { standing: code(r, "standing")?, reason: col(r, "reason")? })
            })
            .await?;
        let mut gone = Sql::new("DELETE FROM action_standings WHERE action_id = ");
        gone.bind(action.id);
        let mut statements = vec![gone];
        if let Some(judged) = judged {
            statements.push(Sql::insert(
                "action_standings",
                columns![
                    "action_id" => action.id, "standing" => judged.standing.code(), "reason" => judged.reason.clone(),
                    "set_by" => self.actor().person_id.clone().unwrap_or_else(|| self.actor().channel.code().into()), "set_at" => now(),
                ],
            ));
        }
        self.run(statements).await?;
        let json = |s: Option<&StandingOverride>| {
            s.map(|s| serde_json::json!({ "standing": s.standing.code(), "reason": s.reason }))
        };
        self.record(action, "judge_standing", json(before.as_ref()).as_ref(), json(judged).as_ref(), "").await
    }
}
