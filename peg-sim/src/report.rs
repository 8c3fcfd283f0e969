//! Outputs: CSV series, PNG plots, Markdown reports, `summary.json`, and the
//! side-by-side comparison.

use std::{fmt::Write as _, path::Path};

use anyhow::{Context, Result};

use crate::{
    metrics::{self, recoveries, Summary},
    plot::Chart,
    scenario::Scenario,
    sim::RunResult,
};

/// The plots of a run: file name, title, series names.
pub const PLOTS: [(&str, &str, &[&str]); 4] = [
    (
        "price.png",
        "Pool price and epoch TWAP (band ±1%)",
        &["pool price", "epoch TWAP"],
    ),
    (
        "supply.png",
        "Supply and debt",
        &["supply", "free debt", "paid debt", "bad debt"],
    ),
    (
        "liquidity.png",
        "PSM free assets and Transmuter queue",
        &["PSM free assets", "Transmuter queue"],
    ),
    (
        "rates.png",
        "Paid rate and Transmuter implied APR",
        &["paid rate APR", "implied APR"],
    ),
];

const COLOURS: [&str; 5] = ["blue", "orange", "green", "purple", "brown"];

/// Writes the CSV time series.
///
/// # Errors
/// I/O.
pub fn write_csv(r: &RunResult, path: &Path) -> Result<()> {
    let mut s = String::from(
        "t_hours,pool_price,epoch_twap,oracle_state,supply,free_debt,paid_debt,bad_debt,psm_free_assets,psm_buy_fee_bps,transmuter_queue,implied_apr,paid_rate_apr,backing,earmarked_shares,reserves_income,expansion_minted\n",
    );
    for x in &r.rows {
        let _ = writeln!(
            s,
            "{:.4},{:.6},{:.6},{},{:.2},{:.2},{:.2},{:.2},{:.2},{},{:.2},{:.6},{:.6},{:.6},{:.2},{:.2},{:.2}",
            x.t_hours,
            x.pool_price,
            x.epoch_twap,
            x.oracle_state,
            x.supply,
            x.free_debt,
            x.paid_debt,
            x.bad_debt,
            x.psm_free,
            x.psm_buy_fee_bps,
            x.queue,
            x.implied_apr,
            x.paid_apr,
            x.backing,
            x.earmarked,
            x.reserves,
            x.expansion
        );
    }
    std::fs::write(path, s).with_context(|| path.display().to_string())
}

/// Renders the four plots into `dir`.
///
/// # Errors
/// I/O.
pub fn write_plots(r: &RunResult, dir: &Path) -> Result<()> {
    let x: Vec<f64> = r.rows.iter().map(|row| row.t_hours).collect();
    let col = |f: fn(&crate::sim::Row) -> f64| -> Vec<f64> { r.rows.iter().map(f).collect() };
    let price = col(|row| row.pool_price);
    // The TWAP is 0 until the first epoch closes.
    let twap: Vec<f64> = r
        .rows
        .iter()
        .map(|row| {
            if row.epoch_twap > 0.0 {
                row.epoch_twap
            } else {
                f64::NAN
            }
        })
        .collect();
    let supply = col(|row| row.supply);
    let free = col(|row| row.free_debt);
    let paid = col(|row| row.paid_debt);
    let bad = col(|row| row.bad_debt);
    let psm = col(|row| row.psm_free);
    let queue = col(|row| row.queue);
    let rate = col(|row| row.paid_apr);
    let apr = col(|row| row.implied_apr.min(1.0));
    let shocks: Vec<(f64, f64)> = r.shocks.iter().map(|s| (s.0, s.1)).collect();
    let charts = [
        Chart {
            x: &x,
            series: vec![&price, &twap],
            hlines: vec![0.99, 1.0, 1.01],
            shocks: shocks.clone(),
            include: vec![0.98, 1.02],
        },
        Chart {
            x: &x,
            series: vec![&supply, &free, &paid, &bad],
            hlines: vec![],
            shocks: shocks.clone(),
            include: vec![0.0],
        },
        Chart {
            x: &x,
            series: vec![&psm, &queue],
            hlines: vec![],
            shocks: shocks.clone(),
            include: vec![0.0],
        },
        Chart {
            x: &x,
            series: vec![&rate, &apr],
            hlines: vec![],
            shocks,
            include: vec![0.0],
        },
    ];
    for (chart, (file, _, _)) in charts.iter().zip(PLOTS) {
        chart.render(&dir.join(file), 720, 220)?;
    }
    Ok(())
}

/// A run's label: the scenario name, plus `-no-<mechanism>` for an ablation.
pub fn label(scenario: &str, ablation: &str) -> String {
    if ablation == "none" {
        scenario.to_owned()
    } else {
        format!("{scenario}-no-{ablation}")
    }
}

/// Writes everything for a scenario's runs into `dir`: the first seed's
/// CSV and plots, `summary.json` and `report.md`.
///
/// # Errors
/// I/O.
pub fn write_run(sc: &Scenario, first: &RunResult, summary: &Summary, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    write_csv(first, &dir.join("series.csv"))?;
    write_plots(first, dir)?;
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(summary)?,
    )?;
    let mut md = String::new();
    let title = label(&sc.name, &summary.ablation);
    let _ = writeln!(md, "# Peg simulation: {title}\n");
    if !sc.description.is_empty() {
        let _ = writeln!(md, "{}\n", sc.description.trim());
    }
    if summary.ablation != "none" {
        let _ = writeln!(
            md,
            "**Ablation:** the {} mechanism is switched off (see peg-sim/README.md).\n",
            summary.ablation
        );
    }
    let _ = writeln!(
        md,
        "{} days, step {} s, {} seed(s) from {}; first seed: {} transactions ({} reverted by the protocol), {} views, {} invariant checks, {:.1} s stepping ({:.0} tx/s, {:.0} calls/s), {:.1} s deployment and setup.\n",
        sc.days,
        first.step_seconds,
        summary.seeds,
        first.seed,
        first.txs,
        first.reverted,
        first.views,
        first.checks,
        first.wall_seconds,
        first.txs as f64 / first.wall_seconds.max(1e-9),
        (first.txs + first.views) as f64 / first.wall_seconds.max(1e-9),
        first.setup_seconds
    );
    match &first.failure {
        Some(f) => {
            let _ = writeln!(
                md,
                "**INVARIANT FAILED** at step {} ({:.1} h): {}\n",
                f.step, f.t_hours, f.message
            );
        }
        None => {
            let _ = writeln!(
                md,
                "SUITE §9 invariants: held at every check of the first seed.\n"
            );
        }
    }
    if !sc.shocks.is_empty() {
        let _ = writeln!(
            md,
            "| shock | from (h) | to (h) | back within ±1% after (h) |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|");
        for (s, rec) in first.shocks.iter().zip(recoveries(first)) {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.1} | {} |",
                s.2,
                s.0,
                s.1,
                rec.map_or("not by the end".into(), |h| format!("{h:.1}"))
            );
        }
        md.push('\n');
    }
    md.push_str(&metrics_table(summary));
    md.push('\n');
    for (file, title, names) in PLOTS {
        let legend: Vec<String> = names
            .iter()
            .zip(COLOURS)
            .map(|(n, c)| format!("{n} ({c})"))
            .collect();
        let _ = writeln!(
            md,
            "**{title}** — {}; shocks in red.\n\n![{title}]({file})\n",
            legend.join(", ")
        );
    }
    std::fs::write(dir.join("report.md"), md)?;
    Ok(())
}

/// The metrics table (one column for one seed, p5 / median / p95 for more).
pub fn metrics_table(summary: &Summary) -> String {
    let mut md = String::new();
    if summary.seeds <= 1 {
        let _ = writeln!(md, "| metric | value |\n|---|---:|");
        for (name, kind, _, p50, _) in summary.table() {
            let _ = writeln!(md, "| {name} | {} |", metrics::fmt(kind, p50));
        }
    } else {
        let _ = writeln!(md, "| metric | p5 | median | p95 |\n|---|---:|---:|---:|");
        for (name, kind, p5, p50, p95) in summary.table() {
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} |",
                metrics::fmt(kind, p5),
                metrics::fmt(kind, p50),
                metrics::fmt(kind, p95)
            );
        }
    }
    md
}

/// Puts the runs in `dirs` (each with a `summary.json`) side by side: the
/// median of each metric per run, and each run's price plot.
///
/// # Errors
/// A missing or unreadable `summary.json`.
pub fn compare(dirs: &[&Path], out: &Path) -> Result<String> {
    let mut summaries = Vec::new();
    for d in dirs {
        let path = d.join("summary.json");
        let text = std::fs::read_to_string(&path).with_context(|| path.display().to_string())?;
        let s: Summary = serde_json::from_str(&text)?;
        summaries.push((d, s));
    }
    let mut md = String::new();
    let _ = write!(md, "| metric (median over seeds) |");
    for (_, s) in &summaries {
        let _ = write!(md, " {} |", label(&s.scenario, &s.ablation));
    }
    let _ = write!(md, "\n|---|");
    for _ in &summaries {
        md.push_str("---:|");
    }
    md.push('\n');
    let tables: Vec<_> = summaries.iter().map(|(_, s)| s.table()).collect();
    if let Some(first) = tables.first() {
        for (i, &(name, kind, ..)) in first.iter().enumerate() {
            let _ = write!(md, "| {name} |");
            for t in &tables {
                let _ = write!(
                    md,
                    " {} |",
                    t.get(i).map_or("—".into(), |x| metrics::fmt(kind, x.3))
                );
            }
            md.push('\n');
        }
    }
    let _ = write!(md, "| seeds |");
    for (_, s) in &summaries {
        let _ = write!(md, " {} |", s.seeds);
    }
    md.push('\n');
    let base = out.parent().unwrap_or(Path::new("."));
    let mut plots = String::new();
    for (d, s) in &summaries {
        let rel = relative(d, base);
        let _ = writeln!(
            plots,
            "\n**{}** ([report]({rel}/report.md))\n\n![{}]({rel}/price.png)",
            label(&s.scenario, &s.ablation),
            label(&s.scenario, &s.ablation)
        );
    }
    let full = format!("# Comparison\n\n{md}{plots}\n");
    std::fs::write(out, &full)?;
    Ok(md)
}

fn relative(path: &Path, base: &Path) -> String {
    let (p, b) = (
        std::fs::canonicalize(path).unwrap_or(path.to_path_buf()),
        std::fs::canonicalize(base).unwrap_or(base.to_path_buf()),
    );
    p.strip_prefix(&b)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}
