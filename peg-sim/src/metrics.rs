//! The metrics of a run (issue 20's list) and their percentiles over seeds.

use serde::{Deserialize, Serialize};

use crate::sim::RunResult;

/// Metrics of one run. Shares are fractions (0.95 = 95%), amounts whole tokens.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Share of steps with the pool price within ±1% of the peg.
    pub within_1pct: f64,
    /// Share of steps within ±2%.
    pub within_2pct: f64,
    /// Share of completed epochs in Maintain.
    pub maintain_epochs: f64,
    /// Largest |pool price − 1|.
    pub max_deviation: f64,
    /// Lowest pool price.
    pub min_price: f64,
    /// Longest time from a shock's start until the price is back within ±1%
    /// `[hours]` (0 if it never left; the run's remaining time if it never returned).
    pub worst_recovery_hours: f64,
    /// Shocks after which the price had not returned within ±1% by the end.
    pub unrecovered_shocks: usize,
    /// Bad debt at the end.
    pub bad_debt: f64,
    /// Largest fall of the PSM's free assets from their running peak, as a
    /// share of that peak.
    pub psm_drawdown: f64,
    /// Largest Transmuter queue.
    pub peak_queue: f64,
    /// Treasury income over the run.
    pub reserves_earned: f64,
    /// Successful liquidations.
    pub liquidations: f64,
    /// 1 if a SUITE §9 invariant failed, else 0.
    pub invariant_failed: f64,
}

/// Per-shock recovery times `[hours]`: `None` if the price never came back
/// within ±1% after leaving it.
pub fn recoveries(r: &RunResult) -> Vec<Option<f64>> {
    r.shocks
        .iter()
        .map(|&(start, _, _)| {
            let after = r.rows.iter().filter(|row| row.t_hours >= start);
            let mut left = false;
            for row in after {
                let inside = (row.pool_price - 1.0).abs() <= 0.01;
                if !inside {
                    left = true;
                } else if left {
                    return Some(row.t_hours - start);
                }
            }
            if left {
                None
            } else {
                Some(0.0)
            }
        })
        .collect()
}

impl Metrics {
    /// Computes the metrics of `r`.
    pub fn of(r: &RunResult) -> Self {
        let n = r.rows.len().max(1) as f64;
        let share = |band: f64| {
            r.rows
                .iter()
                .filter(|row| (row.pool_price - 1.0).abs() <= band)
                .count() as f64
                / n
        };
        let end = r.rows.last().map_or(0.0, |row| row.t_hours);
        let rec = recoveries(r);
        let worst = rec
            .iter()
            .zip(&r.shocks)
            .map(|(x, s)| x.unwrap_or(end - s.0))
            .fold(0.0, f64::max);
        let mut peak: f64 = 0.0;
        let mut drawdown: f64 = 0.0;
        for row in &r.rows {
            peak = peak.max(row.psm_free);
            if peak > 0.0 {
                drawdown = drawdown.max((peak - row.psm_free) / peak);
            }
        }
        let states = &r.epoch_states;
        Self {
            within_1pct: share(0.01),
            within_2pct: share(0.02),
            maintain_epochs: if states.is_empty() {
                0.0
            } else {
                states.iter().filter(|&&s| s == 0).count() as f64 / states.len() as f64
            },
            max_deviation: r
                .rows
                .iter()
                .map(|row| (row.pool_price - 1.0).abs())
                .fold(0.0, f64::max),
            min_price: r
                .rows
                .iter()
                .map(|row| row.pool_price)
                .fold(f64::INFINITY, f64::min),
            worst_recovery_hours: worst,
            unrecovered_shocks: rec.iter().filter(|x| x.is_none()).count(),
            bad_debt: r.rows.last().map_or(0.0, |row| row.bad_debt),
            psm_drawdown: drawdown,
            peak_queue: r.rows.iter().map(|row| row.queue).fold(0.0, f64::max),
            reserves_earned: r.rows.last().map_or(0.0, |row| row.reserves),
            liquidations: r.liquidations as f64,
            invariant_failed: if r.failure.is_some() { 1.0 } else { 0.0 },
        }
    }

    /// `(name, unit hint, value)` of every metric, in table order.
    pub fn fields(&self) -> Vec<(&'static str, Kind, f64)> {
        vec![
            ("time within ±1%", Kind::Pct, self.within_1pct),
            ("time within ±2%", Kind::Pct, self.within_2pct),
            ("epochs in Maintain", Kind::Pct, self.maintain_epochs),
            ("largest deviation", Kind::Pct, self.max_deviation),
            ("lowest price", Kind::Price, self.min_price),
            (
                "worst recovery to ±1% (h)",
                Kind::Num,
                self.worst_recovery_hours,
            ),
            (
                "shocks not recovered",
                Kind::Num,
                self.unrecovered_shocks as f64,
            ),
            ("bad debt", Kind::Amount, self.bad_debt),
            ("PSM drawdown", Kind::Pct, self.psm_drawdown),
            ("peak Transmuter queue", Kind::Amount, self.peak_queue),
            ("reserves earned", Kind::Amount, self.reserves_earned),
            ("liquidations", Kind::Num, self.liquidations),
            ("invariant failed", Kind::Num, self.invariant_failed),
        ]
    }
}

/// How to print a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A share, printed as a percentage.
    Pct,
    /// A price.
    Price,
    /// A plain number.
    Num,
    /// A token amount.
    Amount,
}

/// Formats `v` as `kind`.
pub fn fmt(kind: Kind, v: f64) -> String {
    match kind {
        Kind::Pct => format!("{:.2}%", v * 100.0),
        Kind::Price => format!("{v:.4}"),
        Kind::Num => {
            if v.fract().abs() < 1e-9 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        }
        Kind::Amount => format!("{v:.0}"),
    }
}

/// The `q`-quantile of `values` (linear interpolation; `q` in 0..=1).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = q * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// Metrics over seeds: for each metric, its 5th, 50th and 95th percentile.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Ablation label ("none" for the baseline).
    pub ablation: String,
    /// Number of seeds.
    pub seeds: usize,
    /// Per-seed metrics.
    pub runs: Vec<Metrics>,
    /// Transactions per second (all runs, stepping only).
    pub tx_per_second: f64,
    /// Wall time of all runs `[s]`.
    pub wall_seconds: f64,
}

impl Summary {
    /// `(name, kind, p5, p50, p95)` rows.
    pub fn table(&self) -> Vec<(&'static str, Kind, f64, f64, f64)> {
        let Some(first) = self.runs.first() else {
            return Vec::new();
        };
        first
            .fields()
            .iter()
            .enumerate()
            .map(|(i, &(name, kind, _))| {
                let values: Vec<f64> = self.runs.iter().map(|m| m.fields()[i].2).collect();
                (
                    name,
                    kind,
                    quantile(&values, 0.05),
                    quantile(&values, 0.5),
                    quantile(&values, 0.95),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
    }
}
