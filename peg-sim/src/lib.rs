//! `peg-sim`: an agent-based simulator of the alAsset's peg on the real
//! compiled contracts, deployed on the in-process devnet with the deploy
//! tool. See `peg-sim/README.md`.

pub mod metrics;
pub mod plot;
pub mod report;
pub mod scenario;
pub mod sim;

use std::{path::Path, sync::Mutex, time::Instant};

use anyhow::{anyhow, Result};

use crate::{
    metrics::{Metrics, Summary},
    scenario::{Ablation, Scenario},
    sim::RunResult,
};

/// Runs `scenario` for `seeds` seeds (`scenario.seed`, `+1`, ...) on up to
/// `threads` threads. Returns the first seed's full result and the summary.
///
/// # Errors
/// A run's deployment or backend failure.
pub fn run_seeds(
    scenario: &Scenario,
    seeds: usize,
    ablation: Option<Ablation>,
    threads: usize,
) -> Result<(RunResult, Summary)> {
    let started = Instant::now();
    let seeds = seeds.max(1);
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<(usize, Result<RunResult>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, seeds) {
            scope.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                    let i = *n;
                    *n += 1;
                    i
                };
                if i >= seeds {
                    break;
                }
                let r = sim::run(scenario, scenario.seed + i as u64, ablation);
                let r = r.map(|mut r| {
                    if i > 0 {
                        r.rows.shrink_to_fit();
                    }
                    r
                });
                results
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    let mut runs = Vec::new();
    let mut first = None;
    let (mut txs, mut wall) = (0u64, 0.0);
    for (i, r) in results {
        let r = r?;
        runs.push(Metrics::of(&r));
        txs += r.txs;
        wall += r.wall_seconds;
        if i == 0 {
            first = Some(r);
        }
    }
    let first = first.ok_or_else(|| anyhow!("no run"))?;
    let summary = Summary {
        scenario: scenario.name.clone(),
        ablation: ablation.map_or("none".into(), |a| a.to_string()),
        seeds,
        runs,
        tx_per_second: txs as f64 / wall.max(1e-9) * threads.clamp(1, seeds) as f64,
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    Ok((first, summary))
}

/// Runs and writes one scenario (with an optional ablation) under `out`;
/// returns the run's directory and summary.
///
/// # Errors
/// Run or I/O failures.
pub fn run_and_report(
    scenario: &Scenario,
    seeds: usize,
    ablation: Option<Ablation>,
    threads: usize,
    out: &Path,
) -> Result<(std::path::PathBuf, RunResult, Summary)> {
    let (first, summary) = run_seeds(scenario, seeds, ablation, threads)?;
    let dir = out.join(report::label(&scenario.name, &summary.ablation));
    report::write_run(scenario, &first, &summary, &dir)?;
    Ok((dir, first, summary))
}
