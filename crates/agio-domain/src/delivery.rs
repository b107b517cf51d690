//! How an action is being carried out, beside the results its indicators measure: its
//! milestones (planned and actual dates) and its financial progress (how much of each budget
//! line is committed and paid). Physical and financial progress are kept apart, as the
//! cohesion-policy monitoring does: spending money is not reaching results.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::edit::{FieldProblem, Reader};
use crate::MilestoneStatus;

/// A milestone of an action, as its lead organisation records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Milestone {
    pub id: String,
    pub action_id: String,
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: MilestoneEdit,
    /// Edit version: a change names it and is refused (409) if someone saved since.
    pub version: i64,
    pub is_demo: bool,
}

/// What a referent writes of a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MilestoneEdit {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub planned_date: String,
    /// When it was reached (`YYYY-MM-DD`): given exactly when the status is `reached`.
    pub actual_date: Option<String>,
    pub status: MilestoneStatus,
    pub note: String,
}

impl MilestoneEdit {
    /// Reads a milestone on `today` (`YYYY-MM-DD`): it cannot have been reached later.
    pub fn read(r: &mut Reader, today: &str) -> Option<MilestoneEdit> {
        let title = r.line("title");
        let planned_date = required_date(r, "planned_date");
        let actual_date = r.opt_date("actual_date");
        if actual_date.as_deref().is_some_and(|d| d > today) {
            r.fail("actual_date", FieldProblem::InTheFuture);
        }
        let status = r.code::<MilestoneStatus>("status");
        match (status, &actual_date) {
            (Some(MilestoneStatus::Reached), None) if !r.failed("actual_date") => {
                r.fail("actual_date", FieldProblem::Required)
            }
            (Some(MilestoneStatus::Planned | MilestoneStatus::Cancelled), Some(_)) => {
                r.fail("actual_date", FieldProblem::OnlyWhenReached)
            }
            _ => {}
        }
        let note = r.opt_line("note").unwrap_or_default();
        Some(MilestoneEdit { title, planned_date: planned_date?, actual_date, status: status?, note })
    }

    /// Where the milestone stands on `today` (`YYYY-MM-DD`).
    pub fn state(&self, today: &str) -> MilestoneState {
        match self.status {
            MilestoneStatus::Cancelled => MilestoneState::Cancelled,
            MilestoneStatus::Reached => match &self.actual_date {
                Some(actual) if actual.as_str() > self.planned_date.as_str() => MilestoneState::ReachedLate,
                _ => MilestoneState::Reached,
            },
            MilestoneStatus::Planned if self.planned_date.as_str() < today => MilestoneState::Overdue,
            MilestoneStatus::Planned => MilestoneState::Upcoming,
        }
    }
}

fn required_date(r: &mut Reader, field: &str) -> Option<String> {
    let date = r.opt_date(field);
    if date.is_none() && !r.failed(field) {
        r.fail(field, FieldProblem::Required);
    }
    date
}

/// Where a milestone stands: its status, read against its planned date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneState {
    /// Planned, its date still ahead.
    Upcoming,
    /// Planned, its date gone by without it being reached.
    Overdue,
    Reached,
    /// Reached after its planned date.
    ReachedLate,
    Cancelled,
}

impl MilestoneState {
    pub fn label_key(self) -> &'static str {
        match self {
            MilestoneState::Upcoming => "milestone_state.upcoming",
            MilestoneState::Overdue => "milestone_state.overdue",
            MilestoneState::Reached => "milestone_state.reached",
            MilestoneState::ReachedLate => "milestone_state.reached_late",
            MilestoneState::Cancelled => "milestone_state.cancelled",
        }
    }
}

/// How much of one budget line is committed and paid, as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SpendingEdit {
    /// Euro cents committed (impegnato): at most the line's amount.
    pub committed_cents: i64,
    /// Euro cents paid (pagato): at most what is committed.
    pub paid_cents: i64,
    /// The date the figures are at (`YYYY-MM-DD`), not after today.
    pub as_of: String,
}

impl SpendingEdit {
    /// Reads the figures of a line of `budget_cents`, on `today`.
    pub fn read(r: &mut Reader, budget_cents: i64, today: &str) -> Option<SpendingEdit> {
        let committed = r.euros("committed");
        let paid = r.euros("paid");
        let as_of = required_date(r, "as_of");
        if as_of.as_deref().is_some_and(|d| d > today) {
            r.fail("as_of", FieldProblem::InTheFuture);
        }
        if committed.is_some_and(|c| c > budget_cents) {
            r.fail("committed", FieldProblem::AboveBudget);
        }
        if let (Some(committed), Some(paid)) = (committed, paid) {
            if paid > committed {
                r.fail("paid", FieldProblem::PaidAboveCommitted);
            }
        }
        Some(SpendingEdit { committed_cents: committed?, paid_cents: paid?, as_of: as_of? })
    }
}

/// Budget, committed and paid, summed over lines, actions or agendas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Financial {
    pub budget_cents: i64,
    pub committed_cents: i64,
    pub paid_cents: i64,
}

impl Financial {
    /// One line: its amount and what is recorded of it (nothing yet: zero).
    pub fn of_line(budget_cents: i64, spending: Option<&SpendingEdit>) -> Financial {
        Financial {
            budget_cents,
            committed_cents: spending.map_or(0, |s| s.committed_cents),
            paid_cents: spending.map_or(0, |s| s.paid_cents),
        }
    }

    /// Committed as a percentage of the budget (one decimal), none without a budget.
    pub fn committed_share(&self) -> Option<Decimal> {
        share(self.committed_cents, self.budget_cents)
    }

    /// Paid as a percentage of the budget (one decimal), none without a budget.
    pub fn paid_share(&self) -> Option<Decimal> {
        share(self.paid_cents, self.budget_cents)
    }
}

impl std::ops::Add for Financial {
    type Output = Financial;
    fn add(self, other: Financial) -> Financial {
        Financial {
            budget_cents: self.budget_cents + other.budget_cents,
            committed_cents: self.committed_cents + other.committed_cents,
            paid_cents: self.paid_cents + other.paid_cents,
        }
    }
}

impl std::iter::Sum for Financial {
    fn sum<I: Iterator<Item = Financial>>(iter: I) -> Financial {
        iter.fold(Financial::default(), |sum, f| sum + f)
    }
}

fn share(part: i64, whole: i64) -> Option<Decimal> {
    (whole > 0).then(|| (Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole)).round_dp(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read<T>(pairs: &[(&str, &str)], f: impl FnOnce(&mut Reader) -> Option<T>) -> Result<T, Vec<String>> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let input = move |name: &str| map.get(name).cloned();
        let mut r = Reader::new(&input);
        let value = f(&mut r);
        r.conclude(value).map_err(|errors| errors.into_iter().map(|e| e.field).collect())
    }

    fn milestone(pairs: &[(&str, &str)]) -> Result<MilestoneEdit, Vec<String>> {
        read(pairs, |r| MilestoneEdit::read(r, "2026-12-04"))
    }

    #[test]
    fn a_reached_milestone_needs_its_date_and_only_it_has_one() {
        let base = [("title", "Sportello aperto"), ("planned_date", "2026-03-31")];
        let reached = milestone(&[base[0], base[1], ("status", "reached"), ("actual_date", "2026-04-10")]).unwrap();
        assert_eq!(reached.actual_date.as_deref(), Some("2026-04-10"));
        assert_eq!(milestone(&[base[0], base[1], ("status", "reached")]).unwrap_err(), ["actual_date"]);
        let planned_with_date = milestone(&[base[0], base[1], ("status", "planned"), ("actual_date", "2026-04-10")]);
        assert_eq!(planned_with_date.unwrap_err(), ["actual_date"]);
        assert_eq!(milestone(&[base[0], ("status", "planned")]).unwrap_err(), ["planned_date"]);
        let tomorrow = milestone(&[base[0], base[1], ("status", "reached"), ("actual_date", "2026-12-05")]);
        assert_eq!(tomorrow.unwrap_err(), ["actual_date"], "not reached yet");
        assert_eq!(milestone(&[base[0], base[1], ("status", "done")]).unwrap_err(), ["status"]);
    }

    #[test]
    fn a_milestone_is_overdue_once_its_date_passes_unreached() {
        let m = |status, actual: Option<&str>| MilestoneEdit {
            title: "x".into(),
            planned_date: "2026-03-31".into(),
            actual_date: actual.map(String::from),
            status,
            note: String::new(),
        };
        assert_eq!(m(MilestoneStatus::Planned, None).state("2026-03-31"), MilestoneState::Upcoming);
        assert_eq!(m(MilestoneStatus::Planned, None).state("2026-04-01"), MilestoneState::Overdue);
        assert_eq!(m(MilestoneStatus::Reached, Some("2026-03-30")).state("2027-01-01"), MilestoneState::Reached);
        assert_eq!(m(MilestoneStatus::Reached, Some("2026-04-02")).state("2027-01-01"), MilestoneState::ReachedLate);
        assert_eq!(m(MilestoneStatus::Cancelled, None).state("2027-01-01"), MilestoneState::Cancelled);
    }

    #[test]
    fn spending_stays_within_the_line_and_paid_within_committed() {
        let spend = |pairs: &[(&str, &str)]| read(pairs, |r| SpendingEdit::read(r, 1_000_000, "2026-12-04"));
        let ok = spend(&[("committed", "8.000,50"), ("paid", "2000"), ("as_of", "2026-11-30")]).unwrap();
        assert_eq!((ok.committed_cents, ok.paid_cents), (800_050, 200_000));
        assert_eq!(
            spend(&[("committed", "10.000,01"), ("paid", "0"), ("as_of", "2026-11-30")]).unwrap_err(),
            ["committed"]
        );
        assert_eq!(spend(&[("committed", "100"), ("paid", "200"), ("as_of", "2026-11-30")]).unwrap_err(), ["paid"]);
        assert_eq!(spend(&[("committed", "100"), ("paid", "0"), ("as_of", "2026-12-05")]).unwrap_err(), ["as_of"]);
        assert_eq!(spend(&[("committed", "cento"), ("paid", "0")]).unwrap_err(), ["committed", "as_of"]);
    }

    #[test]
    fn shares_are_of_the_budget_and_sums_add_up() {
        let lines = [
            Financial::of_line(300_000, None),
            Financial { budget_cents: 100_000, committed_cents: 100_000, paid_cents: 50_000 },
        ];
        let total: Financial = lines.into_iter().sum();
        assert_eq!(total, Financial { budget_cents: 400_000, committed_cents: 100_000, paid_cents: 50_000 });
        assert_eq!(total.committed_share(), Some(Decimal::new(250, 1)));
        assert_eq!(total.paid_share(), Some(Decimal::new(125, 1)));
        assert_eq!(Financial::default().paid_share(), None);
    }
}
