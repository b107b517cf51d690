//! The geometry of the monitoring charts, drawn as SVG by the templates: each chart is hidden
//! from screen readers and a table beside it gives the same figures.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

pub(crate) use crate::profile::page::Bar;

/// Bars of percentages (the profile's bar chart, `profile/charts.html`), one per row: a full
/// bar is 100%.
pub(crate) fn bars(rows: impl IntoIterator<Item = (String, Option<Decimal>, String)>) -> Vec<Bar> {
    rows.into_iter()
        .enumerate()
        .map(|(i, (label, value, shown))| Bar {
            label,
            y: i * 28,
            width: (value.map(agio_domain::monitoring::whole_percent).unwrap_or(0) * 240 / 100).to_string(),
            value: shown,
        })
        .collect()
}

/// A time series with its baseline and target lines, in a 480 × 220 box.
pub(crate) struct Series {
    /// The polyline's points, "x,y x,y …".
    pub points: String,
    /// Each point: (x, y).
    pub dots: Vec<(i64, i64)>,
    /// Where the target and the baseline fall, when they are known.
    pub target_y: Option<i64>,
    pub baseline_y: Option<i64>,
    /// The periods' labels along the bottom: (x, text); every other one when there are many.
    pub ticks: Vec<(i64, String)>,
    /// The highest and lowest values of the scale, as shown.
    pub top: String,
    pub bottom: String,
}

const LEFT: i64 = 60;
const RIGHT: i64 = 470;
const TOP: i64 = 10;
const BOTTOM: i64 = 180;

/// `values`: one per period in order (None where nothing is approved), with the periods' labels.
pub(crate) fn series(
    values: &[(String, Option<Decimal>)],
    baseline: Option<Decimal>,
    target: Option<Decimal>,
    shown: impl Fn(Decimal) -> String,
) -> Series {
    let known = values.iter().filter_map(|(_, v)| *v).chain(baseline).chain(target);
    let (low, high) = known.fold((None::<Decimal>, None::<Decimal>), |(lo, hi), v| {
        (Some(lo.map_or(v, |l| l.min(v))), Some(hi.map_or(v, |h| h.max(v))))
    });
    let (low, high) = match (low, high) {
        (Some(l), Some(h)) if h > l => (l.min(Decimal::ZERO), h),
        (Some(l), _) => (l.min(Decimal::ZERO), l.max(Decimal::ZERO) + Decimal::ONE),
        _ => (Decimal::ZERO, Decimal::ONE),
    };
    let y = |v: Decimal| -> i64 {
        let share = ((v - low) / (high - low)).to_f64().unwrap_or(0.0);
        BOTTOM - (share * (BOTTOM - TOP) as f64).round() as i64
    };
    let step = if values.len() > 1 { (RIGHT - LEFT) / (values.len() as i64 - 1) } else { 0 };
    let x = |i: usize| LEFT + step * i as i64;
    let dots: Vec<(i64, i64)> = values.iter().enumerate().filter_map(|(i, (_, v))| v.map(|v| (x(i), y(v)))).collect();
    let every = if values.len() > 8 { 2 } else { 1 };
    Series {
        points: dots.iter().map(|(x, y)| format!("{x},{y}")).collect::<Vec<_>>().join(" "),
        target_y: target.map(y),
        baseline_y: baseline.map(y),
        ticks: values
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, (label, _))| (x(i), label.clone()))
            .collect(),
        top: shown(high),
        bottom: shown(low),
        dots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_puts_the_target_at_the_top_and_zero_at_the_bottom() {
        let values = vec![("T1".to_string(), Some(Decimal::from(5))), ("T2".to_string(), None)];
        let s = series(&values, Some(Decimal::ZERO), Some(Decimal::from(10)), |v| v.to_string());
        assert_eq!((s.target_y, s.baseline_y), (Some(TOP), Some(BOTTOM)));
        assert_eq!(s.dots, vec![(LEFT, (TOP + BOTTOM) / 2)]);
        assert_eq!(s.ticks.len(), 2);
    }

    #[test]
    fn bars_are_as_long_as_their_share() {
        let b = bars([("a".to_string(), Some(Decimal::from(50)), "50%".to_string())]);
        assert_eq!(b[0].width, "120");
    }
}
