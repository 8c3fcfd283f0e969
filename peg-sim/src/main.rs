//! `peg-sim run SCENARIO.toml [--seeds N] [--out DIR] [--ablate psm|transmuter|rate|expansion]
//! [--days D] [--check-every N] [--threads T]`, `peg-sim compare DIR... [--out FILE]`,
//! `peg-sim gallery [--scenarios DIR] [--out DIR] [--seeds N] [--days D] [--ablate-all]`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use peg_sim::{report, run_and_report, scenario::Scenario};

const USAGE: &str = "usage:
  peg-sim run SCENARIO.toml [--seeds N] [--out DIR] [--ablate psm|transmuter|rate|expansion]
                            [--days D] [--check-every N] [--threads T]
  peg-sim compare DIR... [--out FILE.md]
  peg-sim gallery [--scenarios DIR] [--out DIR] [--seeds N] [--days D] [--check-every N]
                  [--ablate-all | --ablate-on NAME,NAME]";

struct Args {
    positional: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

impl Args {
    fn parse(raw: &[String]) -> Self {
        let mut positional = Vec::new();
        let mut options = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            let a = &raw[i];
            if let Some(name) = a.strip_prefix("--") {
                let flag = matches!(name, "ablate-all");
                let value = (!flag).then(|| raw.get(i + 1).cloned()).flatten();
                if value.is_some() {
                    i += 1;
                }
                options.push((name.to_owned(), value));
            } else {
                positional.push(a.clone());
            }
            i += 1;
        }
        Self {
            positional,
            options,
        }
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
    fn has(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }
    fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.get(name) {
            Some(v) => v
                .parse()
                .map_err(|_| anyhow::anyhow!("--{name}: not a number: {v}")),
            None => Ok(default),
        }
    }
}

fn threads(args: &Args) -> Result<usize> {
    let default = std::thread::available_parallelism().map_or(2, |n| n.get());
    args.num("threads", default)
}

fn load(path: &Path, args: &Args) -> Result<Scenario> {
    let mut sc = Scenario::load(path)?;
    if let Some(days) = args.get("days") {
        sc.days = days.parse().context("--days")?;
    }
    sc.check_every = args.num("check-every", sc.check_every)?.max(1);
    Ok(sc)
}

fn print_summary(dir: &Path, first: &peg_sim::sim::RunResult, s: &peg_sim::metrics::Summary) {
    println!(
        "{}: {} seed(s), wall {:.1} s, {:.0} tx/s (first seed: {} tx + {} views in {:.1} s stepping, {:.1} s setup) -> {}",
        report::label(&s.scenario, &s.ablation),
        s.seeds,
        s.wall_seconds,
        s.tx_per_second,
        first.txs,
        first.views,
        first.wall_seconds,
        first.setup_seconds,
        dir.join("report.md").display()
    );
    if let Some(f) = &first.failure {
        println!(
            "  INVARIANT FAILED at step {} ({:.1} h): {}",
            f.step, f.t_hours, f.message
        );
    }
    print!("{}", report::metrics_table(s));
}

fn main() -> Result<()> {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = raw.split_first() else {
        bail!("{USAGE}");
    };
    let args = Args::parse(rest);
    match command.as_str() {
        "run" => {
            let [path] = args.positional.as_slice() else {
                bail!("{USAGE}");
            };
            let sc = load(Path::new(path), &args)?;
            let out = PathBuf::from(args.get("out").unwrap_or("target/peg-sim"));
            let ablation = args.get("ablate").map(str::parse).transpose()?;
            let seeds = args.num("seeds", 1usize)?;
            let (dir, first, summary) =
                run_and_report(&sc, seeds, ablation, threads(&args)?, &out)?;
            print_summary(&dir, &first, &summary);
            if first.failure.is_some() {
                std::process::exit(2);
            }
        }
        "compare" => {
            if args.positional.is_empty() {
                bail!("{USAGE}");
            }
            let dirs: Vec<&Path> = args.positional.iter().map(Path::new).collect();
            let out = PathBuf::from(args.get("out").unwrap_or("target/peg-sim/compare.md"));
            if let Some(parent) = out.parent() {
                std::fs::create_dir_all(parent)?;
            }
            print!("{}", report::compare(&dirs, &out)?);
            println!("-> {}", out.display());
        }
        "gallery" => gallery(&args)?,
        _ => bail!("{USAGE}"),
    }
    Ok(())
}

/// Runs every scenario of a folder (and ablations), writes a comparison.
fn gallery(args: &Args) -> Result<()> {
    let folder = PathBuf::from(args.get("scenarios").unwrap_or("peg-sim/scenarios"));
    let out = PathBuf::from(args.get("out").unwrap_or("target/peg-sim/gallery"));
    let seeds = args.num("seeds", 1usize)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .with_context(|| folder.display().to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let ablate_on: Vec<String> = if args.has("ablate-all") {
        files
            .iter()
            .filter_map(|f| f.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect()
    } else {
        args.get("ablate-on")
            .map(|s| s.split(',').map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let started = std::time::Instant::now();
    let mut baseline = Vec::new();
    let mut failures = 0;
    for file in &files {
        let sc = load(file, args)?;
        let (dir, first, summary) = run_and_report(&sc, seeds, None, threads(args)?, &out)?;
        print_summary(&dir, &first, &summary);
        failures += usize::from(first.failure.is_some());
        baseline.push(dir.clone());
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
        if stem.is_some_and(|s| ablate_on.contains(&s)) {
            let mut group = vec![dir];
            for ablation in ["psm", "transmuter", "rate", "expansion"] {
                let (dir, first, summary) =
                    run_and_report(&sc, seeds, Some(ablation.parse()?), threads(args)?, &out)?;
                print_summary(&dir, &first, &summary);
                group.push(dir);
            }
            let refs: Vec<&Path> = group.iter().map(PathBuf::as_path).collect();
            report::compare(&refs, &out.join(format!("ablations-{}.md", sc.name)))?;
        }
    }
    let refs: Vec<&Path> = baseline.iter().map(PathBuf::as_path).collect();
    report::compare(&refs, &out.join("standard.md"))?;
    println!(
        "gallery: {} scenarios, {} seed(s) each, {:.1} s wall, {} invariant failure(s) -> {}",
        files.len(),
        seeds,
        started.elapsed().as_secs_f64(),
        failures,
        out.join("standard.md").display()
    );
    Ok(())
}
