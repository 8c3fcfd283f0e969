//! CI-scale run of two standard scenarios (a few simulated days each): the
//! outputs exist and the metrics are sane.

use std::path::{Path, PathBuf};

use peg_sim::{run_and_report, scenario::Scenario};

fn scenario(name: &str, days: f64) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    let mut sc = Scenario::load(&path).expect("the shipped scenario parses");
    sc.days = days;
    sc
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/peg-sim-ci");
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn assert_outputs(dir: &Path) {
    for file in [
        "series.csv",
        "summary.json",
        "report.md",
        "price.png",
        "supply.png",
        "liquidity.png",
        "rates.png",
    ] {
        let path = dir.join(file);
        let len = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .len();
        assert!(len > 100, "{} is {len} bytes", path.display());
    }
    let png = std::fs::read(dir.join("price.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let report = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(report.contains("![Pool price"), "{report}");
    assert!(report.contains("| time within ±1% |"), "{report}");
}

#[test]
fn calm_and_sell_shock_short_runs_hold_the_peg() {
    let out = out_dir();

    // Calm, 2 days: the peg holds within ±1% at least 95% of the time.
    let calm = scenario("calm", 2.0);
    let (dir, first, summary) = run_and_report(&calm, 1, None, 1, &out).expect("calm run");
    assert_outputs(&dir);
    assert!(first.failure.is_none(), "{:?}", first.failure);
    let rows = std::fs::read_to_string(dir.join("series.csv"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows as u64, 1 + 2 * 86_400 / first.step_seconds);
    let m = &summary.runs[0];
    assert!(m.within_1pct >= 0.95, "calm within ±1%: {}", m.within_1pct);
    assert!(m.max_deviation < 0.02, "calm deviation {}", m.max_deviation);
    assert_eq!(m.bad_debt, 0.0);
    assert!(first.txs > 200, "agents acted: {} transactions", first.txs);

    // 20% sell shock moved to hour 12, 1.5 days: the arbitrageurs sell to
    // the PSM (its free assets fall) and keep the price within ±2% most of
    // the time.
    let mut shock = scenario("sell-shock-20", 1.5);
    shock.shocks[0].at_hours = 12.0;
    let (dir, first, summary) = run_and_report(&shock, 1, None, 1, &out).expect("shock run");
    assert_outputs(&dir);
    assert!(first.failure.is_none(), "{:?}", first.failure);
    let m = &summary.runs[0];
    assert!(m.min_price < 1.0, "the shock moved the price: {m:?}");
    assert!(m.within_2pct >= 0.9, "{m:?}");
    assert!(
        m.psm_drawdown > 0.05,
        "the PSM paid the arbitrageurs: {m:?}"
    );
}
