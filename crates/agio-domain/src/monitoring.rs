//! Monitoring: the values an indicator measured period by period, how far each went from its
//! baseline to its target, and how that rolls up an agenda's tree (action → objective →
//! agenda → district → region). No I/O: the rules written here are the ones `docs/monitoring.md`
//! documents and the pages show.
//!
//! Values are exact decimals ([`Decimal`]): a sum or a mean never drifts, and a value prints
//! the way it was typed.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::edit::{FieldProblem, Reader};
use crate::model::Indicator;
use crate::{ActionStatus, Direction, Frequency, MeasurementStatus, Standing};

/// The most decimal places a measured value keeps.
pub const MAX_SCALE: u32 = 6;

// --- periods ---------------------------------------------------------------------------------

/// A quarter, a semester or a year: what one measurement covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub year: i32,
    /// 1–4 for a quarter, 1–2 for a semester, 1 for a year.
    pub index: u8,
    pub frequency: Frequency,
}

impl Period {
    fn per_year(frequency: Frequency) -> u8 {
        match frequency {
            Frequency::Quarter => 4,
            Frequency::Semester => 2,
            Frequency::Year => 1,
        }
    }

    /// `2025-Q1`, `2025-S2`, `2025`: the code in URLs, the API, files and the database, which
    /// sorts in time order within one frequency.
    pub fn code(&self) -> String {
        match self.frequency {
            Frequency::Quarter => format!("{}-Q{}", self.year, self.index),
            Frequency::Semester => format!("{}-S{}", self.year, self.index),
            Frequency::Year => self.year.to_string(),
        }
    }

    /// Reads a code of any frequency (`T` for *trimestre* is read as `Q`).
    pub fn parse(code: &str) -> Option<Period> {
        let code = code.trim().to_ascii_uppercase();
        let (year, rest) = match code.split_once('-') {
            Some((year, rest)) => (year, Some(rest)),
            None => (code.as_str(), None),
        };
        let year: i32 = year.parse().ok().filter(|y| (1900..=2100).contains(y))?;
        let (frequency, index) = match rest {
            None => (Frequency::Year, 1),
            Some(rest) => {
                let frequency = match rest.chars().next()? {
                    'Q' | 'T' => Frequency::Quarter,
                    'S' => Frequency::Semester,
                    _ => return None,
                };
                (frequency, rest[1..].parse::<u8>().ok()?)
            }
        };
        (1..=Period::per_year(frequency)).contains(&index).then_some(Period { year, index, frequency })
    }

    /// The periods of `frequency` from the first of `first_year` to the last of `last_year`.
    pub fn all(frequency: Frequency, first_year: i32, last_year: i32) -> Vec<Period> {
        (first_year..=last_year)
            .flat_map(|year| (1..=Period::per_year(frequency)).map(move |index| Period { year, index, frequency }))
            .collect()
    }

    /// The last day, `YYYY-MM-DD`.
    pub fn last_day(&self) -> String {
        let months = 12 / u32::from(Period::per_year(self.frequency));
        let month = months * u32::from(self.index);
        let day = match month {
            3 | 12 => 31,
            _ => 30,
        };
        format!("{}-{month:02}-{day:02}", self.year)
    }

    /// The i18n key of its label (`period.quarter`: "{n}º trimestre {year}").
    pub fn label_key(&self) -> &'static str {
        match self.frequency {
            Frequency::Quarter => "period.quarter",
            Frequency::Semester => "period.semester",
            Frequency::Year => "period.year",
        }
    }
}

// --- numbers as people write them ------------------------------------------------------------

/// Reads a number written the Italian way (`1.234,5`), the English way (`1,234.5` or
/// `1234.5`) or plainly (`1234`). A single dot followed by exactly three digits (`1.234`) could
/// be either a thousand and more or a little more than one: it is refused as ambiguous rather
/// than guessed. A single comma is the Italian decimal comma.
pub fn read_decimal(text: &str) -> Result<Decimal, FieldProblem> {
    let plain: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\'').collect();
    let (negative, digits) = match plain.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, plain.as_str()),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
        return Err(FieldProblem::NotANumber);
    }
    let (dots, commas) = (digits.matches('.').count(), digits.matches(',').count());
    let grouped = |s: &str, sep: char| {
        let groups: Vec<&str> = s.split(sep).collect();
        (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3)
    };
    let normal = match (dots, commas) {
        (0, 0) => digits.to_string(),
        (0, 1) => digits.replace(',', "."),
        (1, 0) => {
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            if fraction.len() == 3 && (1..=3).contains(&whole.len()) && !whole.starts_with('0') {
                return Err(FieldProblem::AmbiguousNumber);
            }
            digits.to_string()
        }
        // Several of one and none of the other: separators of thousands.
        (_, 0) if grouped(digits, '.') => digits.replace('.', ""),
        (0, _) if grouped(digits, ',') => digits.replace(',', ""),
        // Both: the last one is the decimal separator, the other groups thousands.
        _ => {
            let (last, other) = if digits.rfind(',') > digits.rfind('.') { (',', '.') } else { ('.', ',') };
            let (whole, fraction) = digits.rsplit_once(last).unwrap_or((digits, ""));
            if whole.contains(last) || !grouped(whole, other) {
                return Err(FieldProblem::NotANumber);
            }
            format!("{}.{fraction}", whole.replace(other, ""))
        }
    };
    if normal.starts_with('.') || normal.ends_with('.') {
        return Err(FieldProblem::NotANumber);
    }
    let value: Decimal = normal.parse().map_err(|_| FieldProblem::NotANumber)?;
    if value.scale() > MAX_SCALE || value.abs() >= Decimal::from(1_000_000_000_000_000i64) {
        return Err(FieldProblem::NotANumber);
    }
    Ok(if negative { -value } else { value }.normalize())
}

impl Reader<'_> {
    /// An optional measured value, as [`read_decimal`] reads it.
    pub fn opt_decimal(&mut self, field: &str) -> Option<Decimal> {
        let text = self.opt_line(field)?;
        match read_decimal(&text) {
            Ok(value) => Some(value),
            Err(problem) => {
                self.fail(field, problem);
                None
            }
        }
    }
}

/// A value written for people: Italian (`1.234,5`) or English (`1,234.5`), trailing zeros off.
pub fn format_decimal(value: Decimal, italian: bool) -> String {
    let value = value.normalize();
    let text = value.abs().to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = if italian { ('.', ',') } else { (',', '.') };
    let mut out = String::new();
    if value.is_sign_negative() && !value.is_zero() {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// A baseline or target stored as a float (indicators predate exact values), as a decimal.
pub fn decimal_of(value: f64) -> Option<Decimal> {
    Decimal::from_f64(value).map(|d| d.round_dp(MAX_SCALE).normalize())
}

// --- measurements ----------------------------------------------------------------------------

/// Whether an indicator's unit makes it a percentage: it is then measured as a numerator
/// over a denominator, so that rollups add the parts rather than average the ratios.
pub fn is_percentage(unit: &str) -> bool {
    let unit = unit.trim().to_lowercase();
    unit == "%" || unit.starts_with("% ") || unit.starts_with("percentuale")
}

/// One value of an indicator for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Measurement {
    pub id: String,
    pub indicator_id: String,
    /// The period's code: `2025-Q1`, `2025-S2`, `2025`.
    pub period: String,
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: MeasurementEdit,
    pub status: MeasurementStatus,
    /// The coordinator's comment when the value was returned.
    pub review_note: String,
    /// Edit version: a change names it and is refused (409) if someone saved since.
    pub version: i64,
    pub updated_at: String,
    pub is_demo: bool,
}

/// What a referent writes for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeasurementEdit {
    /// Exact decimal, as a string (`"1234.5"`): for a percentage, numerator / denominator × 100.
    #[schema(value_type = String, example = "1234.5")]
    pub value: Decimal,
    #[schema(value_type = Option<String>)]
    pub numerator: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub denominator: Option<Decimal>,
    /// A short qualitative note.
    pub note: String,
    /// Where the value comes from.
    pub source: String,
}

impl MeasurementEdit {
    /// A percentage is read as `numerator` and `denominator` (its `value` is worked out);
    /// anything else as `value`.
    pub fn read(r: &mut Reader, percentage: bool) -> Option<MeasurementEdit> {
        let (value, numerator, denominator) = if percentage {
            let numerator = required_decimal(r, "numerator");
            let denominator = required_decimal(r, "denominator");
            if denominator.is_some_and(|d| d <= Decimal::ZERO) {
                r.fail("denominator", FieldProblem::NotPositive);
            }
            if let (Some(n), Some(d)) = (numerator, denominator) {
                if n < Decimal::ZERO {
                    r.fail("numerator", FieldProblem::NotPositive);
                } else if n > d && d > Decimal::ZERO {
                    r.fail("numerator", FieldProblem::NumeratorAboveDenominator);
                }
            }
            let value = match (numerator, denominator) {
                (Some(n), Some(d)) if d > Decimal::ZERO => Some(percent_of(n, d)),
                _ => None,
            };
            (value, numerator, denominator)
        } else {
            (required_decimal(r, "value"), None, None)
        };
        let note = r.text("note");
        let source = r.opt_line("source").unwrap_or_default();
        Some(MeasurementEdit { value: value?, numerator, denominator, note, source })
    }
}

fn required_decimal(r: &mut Reader, field: &str) -> Option<Decimal> {
    if !r.given(field) {
        r.fail(field, FieldProblem::Required);
        return None;
    }
    r.opt_decimal(field)
}

/// numerator / denominator × 100, to [`MAX_SCALE`] places.
pub fn percent_of(numerator: Decimal, denominator: Decimal) -> Decimal {
    (numerator * Decimal::ONE_HUNDRED / denominator)
        .round_dp_with_strategy(MAX_SCALE, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Who does what to a measurement, and from which status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// The referent sends a draft (or a returned value, corrected) for approval.
    Submit,
    /// A coordinator approves what was sent: it becomes public and counts.
    Approve,
    /// A coordinator sends it back with a comment.
    Return,
}

impl Review {
    /// The status it leads to, when allowed from `from`.
    pub fn from(self, from: MeasurementStatus) -> Option<MeasurementStatus> {
        use MeasurementStatus::*;
        match (self, from) {
            (Review::Submit, Draft | Returned) => Some(Submitted),
            (Review::Approve, Submitted) => Some(Approved),
            (Review::Return, Submitted | Approved) => Some(Returned),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Review::Submit => "submit",
            Review::Approve => "approve",
            Review::Return => "return",
        }
    }
}

/// An edit of a measurement: a referent's change puts an approved or returned value back to
/// draft (an approved value changed must be approved again); a sent one stays sent.
pub fn status_after_edit(from: Option<MeasurementStatus>) -> MeasurementStatus {
    match from {
        Some(MeasurementStatus::Submitted) => MeasurementStatus::Submitted,
        _ => MeasurementStatus::Draft,
    }
}

// --- progress --------------------------------------------------------------------------------

/// How far `actual` went from `baseline` to `target`, in percent, between 0 and 100 (beyond
/// the target counts as 100, behind the baseline as 0). The direction decides which way is
/// forward: for a lower-is-better indicator the target is below the baseline and the formula
/// is the same, (actual − baseline) / (target − baseline) × 100. When the target equals the
/// baseline (keep a level), it is 100 if the level is kept and 0 if not. A missing baseline is
/// 0 for an indicator that should grow; without a target there is no progress to measure.
pub fn indicator_progress(
    baseline: Option<Decimal>,
    target: Option<Decimal>,
    actual: Decimal,
    direction: Direction,
) -> Option<Decimal> {
    let target = target?;
    let baseline = match (baseline, direction) {
        (Some(b), _) => b,
        (None, Direction::Increase) => Decimal::ZERO,
        (None, Direction::Decrease) => return None,
    };
    if target == baseline {
        let kept = match direction {
            Direction::Increase => actual >= target,
            Direction::Decrease => actual <= target,
        };
        return Some(if kept { Decimal::ONE_HUNDRED } else { Decimal::ZERO });
    }
    let share = (actual - baseline) * Decimal::ONE_HUNDRED / (target - baseline);
    Some(clamp_percent(share))
}

fn clamp_percent(value: Decimal) -> Decimal {
    value.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED).round_dp(1).normalize()
}

/// The weighted mean of what has a figure (`None` when nothing has): an action's indicators,
/// an objective's actions, an agenda's objectives. Weights are whole numbers; 0 leaves out.
pub fn mean(parts: impl IntoIterator<Item = (Option<Decimal>, i64)>) -> Option<Decimal> {
    let (mut sum, mut weights) = (Decimal::ZERO, Decimal::ZERO);
    for (value, weight) in parts {
        if let (Some(value), true) = (value, weight > 0) {
            sum += value * Decimal::from(weight);
            weights += Decimal::from(weight);
        }
    }
    (!weights.is_zero()).then(|| clamp_percent(sum / weights))
}

/// Percentage points behind schedule from which an action is at risk, and late.
pub const AT_RISK_GAP: i64 = 10;
pub const LATE_GAP: i64 = 25;

/// How an action is doing, by these rules in this order:
/// 1. completed: the action is marked completed, or its progress reached 100;
/// 2. no data: no progress yet (no approved value of an indicator with a target);
/// 3. late: its end date has passed;
/// 4. late or at risk: its progress is [`LATE_GAP`] or [`AT_RISK_GAP`] points behind the share
///    of its time already gone (from its start to its end date);
/// 5. on track otherwise (and when it has no dates to compare with).
pub fn action_standing(
    progress: Option<Decimal>,
    status: ActionStatus,
    start: Option<&str>,
    end: Option<&str>,
    today: &str,
) -> Standing {
    if status == ActionStatus::Completed || progress == Some(Decimal::ONE_HUNDRED) {
        return Standing::Completed;
    }
    let Some(progress) = progress else { return Standing::NoData };
    let Some(today) = day_number(today) else { return Standing::OnTrack };
    let end = end.and_then(day_number);
    if end.is_some_and(|end| today > end) {
        return Standing::Late;
    }
    let (Some(start), Some(end)) = (start.and_then(day_number), end) else {
        return Standing::OnTrack;
    };
    let elapsed = if end <= start { 100 } else { ((today - start).max(0) * 100) / (end - start) };
    let behind = Decimal::from(elapsed) - progress;
    if behind > Decimal::from(LATE_GAP) {
        Standing::Late
    } else if behind > Decimal::from(AT_RISK_GAP) {
        Standing::AtRisk
    } else {
        Standing::OnTrack
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the civil calendar, no time zone).
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A percentage as a whole number for drawing (bars, colours).
pub fn whole_percent(value: Decimal) -> i64 {
    value.round().to_i64().unwrap_or(0).clamp(0, 100)
}

// --- the agenda's tree ------------------------------------------------------------------------

/// An indicator with the action and objective it belongs to: one row of an agenda's plan as
/// monitoring reads it (an action without indicators is one row without one).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedIndicator {
    pub indicator: Option<Indicator>,
    pub action_id: String,
    pub action_code: String,
    pub action_title: String,
    pub action_status: ActionStatus,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// The organisation leading the action (its referents enter the values).
    pub lead_organization: Option<String>,
    pub objective_code: String,
    pub objective_title: String,
}

/// A coordinator's judgement of how an action is doing, in place of the rules' answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StandingOverride {
    pub standing: Standing,
    pub reason: String,
}

/// An indicator's values and how far it went.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorProgress {
    pub indicator: Indicator,
    /// The values its reader may see, in period order (only approved ones for the public).
    pub measurements: Vec<Measurement>,
    /// The period of the latest approved value.
    pub latest_period: Option<String>,
    /// The latest approved value.
    #[schema(value_type = Option<String>)]
    pub latest_value: Option<Decimal>,
    /// Percent of the way from baseline to target (see [`indicator_progress`]).
    #[schema(value_type = Option<String>)]
    pub progress: Option<Decimal>,
}

/// An action's indicators, its progress (their weighted mean) and its standing.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ActionProgress {
    pub id: String,
    pub code: String,
    pub title: String,
    pub status: ActionStatus,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    #[serde(skip)]
    pub lead_organization: Option<String>,
    pub indicators: Vec<IndicatorProgress>,
    #[schema(value_type = Option<String>)]
    pub progress: Option<Decimal>,
    /// What the rules say, or the coordinator's judgement when there is one.
    pub standing: Standing,
    /// What the rules say.
    pub computed_standing: Standing,
    /// The coordinator's reason, when the standing is theirs.
    pub standing_reason: Option<String>,
}

/// An objective's actions and its progress (their mean).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ObjectiveProgress {
    pub code: String,
    pub title: String,
    pub actions: Vec<ActionProgress>,
    #[schema(value_type = Option<String>)]
    pub progress: Option<Decimal>,
}

/// An agenda's objectives and its progress (their mean).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AgendaProgress {
    pub objectives: Vec<ObjectiveProgress>,
    #[schema(value_type = Option<String>)]
    pub progress: Option<Decimal>,
    /// How many actions stand where, by [`Standing`] code.
    pub standings: Vec<(Standing, i64)>,
    /// Values sent and waiting for a coordinator.
    pub waiting: i64,
}

/// Builds an agenda's tree: `plan` in its order (objective, action, indicator), `measurements`
/// those its reader may see, `overrides` by action id, `today` as `YYYY-MM-DD`.
pub fn agenda_progress(
    plan: Vec<PlannedIndicator>,
    measurements: Vec<Measurement>,
    overrides: &[(String, StandingOverride)],
    today: &str,
) -> AgendaProgress {
    let mut by_indicator: std::collections::HashMap<String, Vec<Measurement>> = Default::default();
    let waiting = measurements.iter().filter(|m| m.status == MeasurementStatus::Submitted).count() as i64;
    for m in measurements {
        by_indicator.entry(m.indicator_id.clone()).or_default().push(m);
    }
    let mut objectives: Vec<ObjectiveProgress> = Vec::new();
    for row in plan {
        if objectives.last().is_none_or(|o| o.code != row.objective_code) {
            objectives.push(ObjectiveProgress {
                code: row.objective_code.clone(),
                title: row.objective_title.clone(),
                actions: Vec::new(),
                progress: None,
            });
        }
        let objective = objectives.last_mut().expect("pushed above");
        if objective.actions.last().is_none_or(|a| a.id != row.action_id) {
            objective.actions.push(ActionProgress {
                id: row.action_id.clone(),
                code: row.action_code.clone(),
                title: row.action_title.clone(),
                status: row.action_status,
                start_date: row.start_date.clone(),
                end_date: row.end_date.clone(),
                lead_organization: row.lead_organization.clone(),
                indicators: Vec::new(),
                progress: None,
                standing: Standing::NoData,
                computed_standing: Standing::NoData,
                standing_reason: None,
            });
        }
        let Some(indicator) = row.indicator else { continue };
        // Values of another frequency (the indicator's was changed since) neither show nor count.
        let mut values: Vec<Measurement> = by_indicator.remove(&indicator.id).unwrap_or_default();
        values.retain(|m| Period::parse(&m.period).is_some_and(|p| p.frequency == indicator.frequency));
        values.sort_by(|a, b| a.period.cmp(&b.period));
        let latest = values.iter().rev().find(|m| m.status == MeasurementStatus::Approved);
        let progress = latest.and_then(|m| {
            let baseline = indicator.baseline_value.and_then(decimal_of);
            let target = indicator.target_value.and_then(decimal_of);
            indicator_progress(baseline, target, m.fields.value, indicator.direction)
        });
        let monitored = IndicatorProgress {
            latest_period: latest.map(|m| m.period.clone()),
            latest_value: latest.map(|m| m.fields.value),
            progress,
            measurements: values,
            indicator,
        };
        objective.actions.last_mut().expect("pushed above").indicators.push(monitored);
    }
    let mut counts: Vec<(Standing, i64)> = Standing::ALL.iter().map(|s| (*s, 0)).collect();
    for objective in &mut objectives {
        for action in &mut objective.actions {
            action.progress = mean(action.indicators.iter().map(|i| (i.progress, i.indicator.weight)));
            action.computed_standing = action_standing(
                action.progress,
                action.status,
                action.start_date.as_deref(),
                action.end_date.as_deref(),
                today,
            );
            action.standing = action.computed_standing;
            if let Some((_, judged)) = overrides.iter().find(|(id, _)| *id == action.id) {
                action.standing = judged.standing;
                action.standing_reason = Some(judged.reason.clone());
            }
            if let Some(count) = counts.iter_mut().find(|(s, _)| *s == action.standing) {
                count.1 += 1;
            }
        }
        objective.progress = mean(objective.actions.iter().map(|a| (a.progress, 1)));
    }
    let progress = mean(objectives.iter().map(|o| (o.progress, 1)));
    AgendaProgress { objectives, progress, standings: counts, waiting }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_are_read_as_people_write_them_and_ambiguity_is_refused() {
        for (typed, value) in [
            ("1.234,5", "1234.5"),
            ("1234.5", "1234.5"),
            ("1234,5", "1234.5"),
            ("1,234.5", "1234.5"),
            ("1.234.567", "1234567"),
            ("1,234,567", "1234567"),
            ("12", "12"),
            ("0.234", "0.234"),
            ("1,234", "1.234"),
            ("-3,5", "-3.5"),
            (" 2 000 ", "2000"),
            ("12.50", "12.5"),
        ] {
            assert_eq!(read_decimal(typed), Ok(d(value)), "{typed}");
        }
        assert_eq!(read_decimal("1.234"), Err(FieldProblem::AmbiguousNumber));
        assert_eq!(read_decimal("12.345"), Err(FieldProblem::AmbiguousNumber));
        for bad in ["", "abc", "1.2.3", "1,23,4", "1.234,5,6", "1e5", ",5", "5.", "1.0000001", "NaN"] {
            assert_eq!(read_decimal(bad), Err(FieldProblem::NotANumber), "{bad}");
        }
    }

    #[test]
    fn values_print_the_italian_way_without_drift() {
        assert_eq!(format_decimal(d("1234567.5"), true), "1.234.567,5");
        assert_eq!(format_decimal(d("1234567.5"), false), "1,234,567.5");
        assert_eq!(format_decimal(d("-0.50"), true), "-0,5");
        assert_eq!(format_decimal(d("100"), true), "100");
        let tenths: Decimal = (0..10).map(|_| d("0.1")).sum();
        assert_eq!(format_decimal(tenths, true), "1");
        assert_eq!(decimal_of(0.1), Some(d("0.1")));
    }

    #[test]
    fn periods_have_codes_that_sort_and_last_days() {
        let q = Period::parse("2025-t3").unwrap();
        assert_eq!((q.code(), q.last_day()), ("2025-Q3".to_string(), "2025-09-30".to_string()));
        assert_eq!(Period::parse("2025-S2").unwrap().last_day(), "2025-12-31");
        assert_eq!(Period::parse("2026").unwrap().frequency, Frequency::Year);
        for bad in ["2025-Q5", "2025-S3", "25", "2025-X1", "2025-Q", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        let all: Vec<String> = Period::all(Frequency::Quarter, 2025, 2026).iter().map(Period::code).collect();
        assert_eq!(all.len(), 8);
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
    }

    #[test]
    fn progress_goes_from_baseline_to_target_whichever_way_is_better() {
        let up = |b, t, a| indicator_progress(Some(d(b)), Some(d(t)), d(a), Direction::Increase);
        let down = |b, t, a| indicator_progress(Some(d(b)), Some(d(t)), d(a), Direction::Decrease);
        assert_eq!(up("10", "20", "15"), Some(d("50")));
        assert_eq!(up("10", "20", "25"), Some(d("100")));
        assert_eq!(up("10", "20", "5"), Some(d("0")));
        assert_eq!(down("40", "20", "30"), Some(d("50")));
        assert_eq!(down("40", "20", "45"), Some(d("0")));
        assert_eq!(up("0", "3", "1"), Some(d("33.3")));
        assert_eq!(down("5", "5", "4"), Some(d("100")));
        assert_eq!(up("5", "5", "4"), Some(d("0")));
        assert_eq!(indicator_progress(None, Some(d("8")), d("2"), Direction::Increase), Some(d("25")));
        assert_eq!(indicator_progress(None, Some(d("8")), d("2"), Direction::Decrease), None);
        assert_eq!(indicator_progress(Some(d("1")), None, d("2"), Direction::Increase), None);
    }

    #[test]
    fn rollups_are_weighted_means_of_what_has_a_figure() {
        assert_eq!(mean([(Some(d("50")), 1), (Some(d("100")), 3), (None, 1)]), Some(d("87.5")));
        assert_eq!(mean([(Some(d("50")), 0), (None, 2)]), None);
    }

    #[test]
    fn percentages_are_numerator_over_denominator() {
        assert_eq!(percent_of(d("1"), d("3")), d("33.333333"));
        assert!(is_percentage("%") && is_percentage("percentuale di utenti") && !is_percentage("utenti"));
    }

    #[test]
    fn standing_follows_the_documented_rules() {
        let (start, end) = (Some("2025-01-01"), Some("2026-12-31"));
        let at = |p: Option<&str>, today| action_standing(p.map(d), ActionStatus::InProgress, start, end, today);
        assert_eq!(at(Some("100"), "2025-06-01"), Standing::Completed);
        assert_eq!(at(None, "2025-06-01"), Standing::NoData);
        assert_eq!(at(Some("50"), "2026-01-01"), Standing::OnTrack);
        assert_eq!(at(Some("35"), "2026-01-01"), Standing::AtRisk);
        assert_eq!(at(Some("20"), "2026-01-01"), Standing::Late);
        assert_eq!(at(Some("90"), "2027-01-02"), Standing::Late);
        assert_eq!(
            action_standing(Some(d("10")), ActionStatus::InProgress, None, None, "2026-01-01"),
            Standing::OnTrack
        );
        assert_eq!(action_standing(None, ActionStatus::Completed, start, end, "2026-01-01"), Standing::Completed);
        assert_eq!(day_number("1970-01-02"), Some(1));
        let no_start = action_standing(Some(d("10")), ActionStatus::InProgress, None, Some("2025-01-31"), "2026-01-01");
        assert_eq!(no_start, Standing::Late);
    }

    #[test]
    fn values_of_a_former_frequency_neither_show_nor_count() {
        let indicator = Indicator {
            id: "i".into(),
            name: "n".into(),
            unit: "persone".into(),
            baseline_value: Some(0.0),
            baseline_year: None,
            target_value: Some(10.0),
            target_year: None,
            direction: Direction::Increase,
            frequency: Frequency::Year,
            weight: 1,
        };
        let row = PlannedIndicator {
            indicator: Some(indicator),
            action_id: "a".into(),
            action_code: "A01".into(),
            action_title: "t".into(),
            action_status: ActionStatus::InProgress,
            start_date: None,
            end_date: None,
            lead_organization: None,
            objective_code: "O1".into(),
            objective_title: "o".into(),
        };
        let value = |period: &str, v: &str| Measurement {
            id: period.into(),
            indicator_id: "i".into(),
            period: period.into(),
            fields: MeasurementEdit {
                value: d(v),
                numerator: None,
                denominator: None,
                note: String::new(),
                source: String::new(),
            },
            status: MeasurementStatus::Approved,
            review_note: String::new(),
            version: 1,
            updated_at: String::new(),
            is_demo: false,
        };
        let tree = agenda_progress(vec![row], vec![value("2025", "5"), value("2025-Q4", "9")], &[], "2026-01-01");
        let i = &tree.objectives[0].actions[0].indicators[0];
        assert_eq!((i.latest_period.as_deref(), i.progress), (Some("2025"), Some(d("50"))));
        assert_eq!(i.measurements.len(), 1);
    }

    #[test]
    fn a_measurement_moves_only_along_its_workflow() {
        use MeasurementStatus::*;
        assert_eq!(Review::Submit.from(Draft), Some(Submitted));
        assert_eq!(Review::Submit.from(Returned), Some(Submitted));
        assert_eq!(Review::Approve.from(Submitted), Some(Approved));
        assert_eq!(Review::Approve.from(Draft), None);
        assert_eq!(Review::Return.from(Submitted), Some(Returned));
        assert_eq!(Review::Submit.from(Approved), None);
        assert_eq!(status_after_edit(Some(Approved)), Draft);
        assert_eq!(status_after_edit(Some(Submitted)), Submitted);
    }

    #[test]
    fn a_percentage_is_read_as_its_parts() {
        let input = |name: &str| match name {
            "numerator" => Some("12".to_string()),
            "denominator" => Some("48".to_string()),
            _ => None,
        };
        let mut r = Reader::new(&input);
        let edit = MeasurementEdit::read(&mut r, true).unwrap();
        assert_eq!(edit.value, d("25"));
        let input = |name: &str| match name {
            "numerator" => Some("50".to_string()),
            "denominator" => Some("0".to_string()),
            _ => None,
        };
        let mut r = Reader::new(&input);
        assert!(MeasurementEdit::read(&mut r, true).is_none());
        assert_eq!(r.errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["denominator"]);
    }
}
