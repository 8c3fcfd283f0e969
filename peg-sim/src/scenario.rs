//! Scenario files (TOML). Every field has a default, so a scenario states
//! only what differs; units are in each field's documentation. Token amounts
//! are whole tokens (alAsset or the reference asset, both ≈ 1 USD), times are
//! hours from the start of the run unless a name says otherwise.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// A whole scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Short name (file names, report titles).
    pub name: String,
    /// One paragraph shown at the top of the report.
    pub description: String,
    /// Simulated duration `[days]`.
    pub days: f64,
    /// Time step `[seconds]`; 0 = the oracle's sample interval.
    pub step_seconds: u64,
    /// Seed of the agents' random choices (run `i` of `--seeds N` uses `seed + i`).
    pub seed: u64,
    /// Check the SUITE §9 invariants every this many steps `[steps]` (1 = every step).
    pub check_every: u64,
    /// Suite parameter overrides: any table of `deploy/devnet.toml`
    /// (`[suite.vault]`, `[suite.oracle]`, ...), merged over the devnet profile.
    pub suite: toml::Table,
    /// The market outside the suite.
    pub market: Market,
    /// Borrowers (Vault users).
    pub borrowers: Borrowers,
    /// Arbitrageurs (pool vs PSM, pool vs Transmuter).
    pub arbitrageurs: Arbitrageurs,
    /// Noise traders in the pool.
    pub noise: Noise,
    /// Holders who sell into the pool when the peg weakens.
    pub panic: Panic,
    /// Liquidators.
    pub liquidators: Liquidators,
    /// Keepers (oracle sampling, epochs, accrual, harvest).
    pub keepers: Keepers,
    /// Liquidity providers of the pool.
    pub lps: Lps,
    /// Shocks at given times.
    pub shocks: Vec<Shock>,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            name: "unnamed".into(),
            description: String::new(),
            days: 30.0,
            step_seconds: 0,
            seed: 1,
            check_every: 1,
            suite: toml::Table::new(),
            market: Market::default(),
            borrowers: Borrowers::default(),
            arbitrageurs: Arbitrageurs::default(),
            noise: Noise::default(),
            panic: Panic::default(),
            liquidators: Liquidators::default(),
            keepers: Keepers::default(),
            lps: Lps::default(),
            shocks: Vec::new(),
        }
    }
}

/// The market outside the suite.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Market {
    /// Yield of the collateral's yield token `[bps per year]`, paid by a
    /// keeper once a day as a donation of the asset to the ERC-4626.
    pub collateral_apy_bps: u64,
    /// Yield of the PSM's vault `[bps per year]`, paid daily the same way.
    pub psm_vault_apy_bps: u64,
}

impl Default for Market {
    fn default() -> Self {
        Self {
            collateral_apy_bps: 500,
            psm_vault_apy_bps: 300,
        }
    }
}

/// Borrowers: each deposits all its collateral shares and keeps its LTV near
/// a target by borrowing (and selling part of what it borrows) or repaying.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Borrowers {
    /// How many `[count]`.
    pub count: usize,
    /// Reference asset each receives `[whole asset]`; half is deposited in
    /// the collateral's ERC-4626 for shares, half is kept.
    pub capital: f64,
    /// Target loan-to-value `[bps]`.
    pub target_ltv_bps: u64,
    /// Spread of the targets across borrowers `[bps]` (uniform ± this).
    pub target_spread_bps: u64,
    /// No action while the LTV is within target ± this `[bps]`.
    pub band_bps: u64,
    /// Share of newly borrowed alAsset sold into the pool at once `[bps]`.
    pub sell_share_bps: u64,
    /// How often a borrower reconsiders `[times per day]`.
    pub actions_per_day: f64,
    /// Below `1 − this` a borrower buys discounted alAsset in the pool to
    /// repay debt `[bps]`; 0 = never.
    pub discount_repay_bps: u64,
    /// Share of its kept asset a borrower spends on a discount repay `[bps]`.
    pub discount_repay_share_bps: u64,
    /// Cost a borrower attaches to free (redeemable) debt `[bps per year]`:
    /// the expected loss of being redeemed (yield forgone, fee) when the
    /// Transmuter queue is empty; it scales with `1 + 10 × queue / free debt`.
    pub redemption_aversion_bps: u64,
    /// Switch between free and paid debt only when the difference of their
    /// costs exceeds this `[bps per year]`.
    pub switch_hysteresis_bps: u64,
    /// Share of borrowers starting on free debt `[bps]`.
    pub initial_free_share_bps: u64,
}

impl Default for Borrowers {
    fn default() -> Self {
        Self {
            count: 8,
            capital: 200_000.0,
            target_ltv_bps: 5_000,
            target_spread_bps: 1_000,
            band_bps: 500,
            sell_share_bps: 3_000,
            actions_per_day: 2.0,
            discount_repay_bps: 100,
            discount_repay_share_bps: 2_000,
            redemption_aversion_bps: 150,
            switch_hysteresis_bps: 100,
            initial_free_share_bps: 5_000,
        }
    }
}

/// Arbitrageurs with limited capital.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Arbitrageurs {
    /// How many `[count]`.
    pub count: usize,
    /// Reference asset each receives `[whole asset]` (half of it arrives as
    /// collateral shares, which they redeem at once).
    pub capital: f64,
    /// Act only when the pool is off the PSM price by more than the pool fee
    /// plus this `[bps]`.
    pub min_edge_bps: u64,
    /// Trade pool vs PSM.
    pub use_psm: bool,
    /// Trade pool vs Transmuter (buy below peg, deposit for a term).
    pub use_transmuter: bool,
    /// Minimum Transmuter implied APR `[bps per year]` (their cost of capital).
    pub hurdle_apr_bps: u64,
    /// Largest share of its asset an arbitrageur locks in the Transmuter `[bps]`.
    pub transmuter_share_bps: u64,
    /// Chance that an arbitrageur looks at the market in a step `[bps]`.
    pub attention_bps: u64,
}

impl Default for Arbitrageurs {
    fn default() -> Self {
        Self {
            count: 2,
            capital: 200_000.0,
            min_edge_bps: 10,
            use_psm: true,
            use_transmuter: true,
            hurdle_apr_bps: 800,
            transmuter_share_bps: 5_000,
            attention_bps: 8_000,
        }
    }
}

/// Noise traders: random buys and sells in the pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Noise {
    /// How many `[count]`.
    pub count: usize,
    /// Reference asset each receives `[whole asset]`; half is turned into
    /// alAsset through the PSM at the start.
    pub capital: f64,
    /// Trades per trader `[per day]`.
    pub trades_per_day: f64,
    /// Mean trade size (exponentially distributed) `[whole tokens]`.
    pub mean_size: f64,
}

impl Default for Noise {
    fn default() -> Self {
        Self {
            count: 4,
            capital: 100_000.0,
            trades_per_day: 12.0,
            mean_size: 2_000.0,
        }
    }
}

/// Panic sellers: holders of alAsset who dump it when the peg weakens.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Panic {
    /// How many `[count]`.
    pub count: usize,
    /// alAsset each holds, bought through the PSM at the start `[whole alAsset]`.
    pub holdings: f64,
    /// They sell when the pool price is below this `[price, 1.0 = peg]`.
    pub trigger_price: f64,
    /// Share of their remaining balance sold per step while triggered `[bps]`.
    pub sell_share_bps: u64,
    /// Sell to the PSM (1:1, while it has liquidity) instead of the pool.
    pub use_psm: bool,
}

impl Default for Panic {
    fn default() -> Self {
        Self {
            count: 2,
            holdings: 50_000.0,
            trigger_price: 0.985,
            sell_share_bps: 1_000,
            use_psm: false,
        }
    }
}

/// Liquidators: repay the close-factor share of unhealthy accounts.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Liquidators {
    /// How many `[count]`.
    pub count: usize,
    /// alAsset each holds, bought through the PSM at the start `[whole alAsset]`.
    pub holdings: f64,
}

impl Default for Liquidators {
    fn default() -> Self {
        Self {
            count: 1,
            holdings: 300_000.0,
        }
    }
}

/// Keepers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Keepers {
    /// `sample()` every step and `advanceEpoch()` when an epoch ends.
    pub oracle: bool,
    /// `Vault.accrue()` (RateController update) every this many hours; 0 = never.
    pub accrue_hours: f64,
    /// `Psm.harvest()` every this many days; 0 = never.
    pub harvest_days: f64,
}

impl Default for Keepers {
    fn default() -> Self {
        Self {
            oracle: true,
            accrue_hours: 6.0,
            harvest_days: 7.0,
        }
    }
}

/// Liquidity providers (the pool is seeded by the deploy tool; LPs may
/// withdraw part of it when the peg breaks).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Lps {
    /// Extra liquidity added at the start, at 1.00, per side `[whole tokens]`.
    pub extra_liquidity: f64,
    /// Below this pool price the LP withdraws `flight_share_bps` of its
    /// liquidity once `[price]`; 0 = never.
    pub flight_price: f64,
    /// Share of its LP tokens withdrawn on flight `[bps]`.
    pub flight_share_bps: u64,
}

impl Default for Lps {
    fn default() -> Self {
        Self {
            extra_liquidity: 0.0,
            flight_price: 0.0,
            flight_share_bps: 5_000,
        }
    }
}

/// A shock. (Unknown keys are not rejected here: serde cannot combine
/// `flatten` with `deny_unknown_fields`.)
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Shock {
    /// What happens.
    #[serde(flatten)]
    pub kind: ShockKind,
    /// Start `[hours from the start]`.
    pub at_hours: f64,
    /// Duration `[hours]`; 0 = all at once (one step).
    #[serde(default)]
    pub over_hours: f64,
}

/// The kinds of shock.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShockKind {
    /// An outside seller (bought its alAsset earlier through the PSM) sells
    /// `amount` alAsset into the pool, evenly over the duration.
    Sell {
        /// `[whole alAsset]`.
        amount: f64,
    },
    /// Borrowers raise their target LTV by `extra_ltv_bps` and sell
    /// `sell_share_bps` of what they borrow, for the duration.
    BorrowBoom {
        /// `[bps]` added to every borrower's target LTV.
        extra_ltv_bps: u64,
        /// Share sold into the pool during the boom `[bps]`.
        sell_share_bps: u64,
    },
    /// The collateral's yield token loses `loss_bps` of its value at once.
    CollateralLoss {
        /// `[bps]`.
        loss_bps: u64,
    },
    /// Holders sell `amount` alAsset to the PSM (bought beforehand in the
    /// pool at market prices) evenly over the duration, as long as it pays.
    PsmRun {
        /// `[whole alAsset]`.
        amount: f64,
    },
    /// The collateral's yield becomes `apy_bps` from then on.
    YieldChange {
        /// `[bps per year]`.
        apy_bps: u64,
    },
    /// No keeper acts for the duration (no sample, epoch, accrual, harvest).
    KeeperOutage,
}

impl ShockKind {
    /// Short label for plots and tables.
    pub fn label(&self) -> String {
        match self {
            Self::Sell { amount } => format!("sell {amount:.0}"),
            Self::BorrowBoom { extra_ltv_bps, .. } => {
                format!("borrow boom +{extra_ltv_bps} bps LTV")
            }
            Self::CollateralLoss { loss_bps } => format!("collateral loss {loss_bps} bps"),
            Self::PsmRun { amount } => format!("PSM run {amount:.0}"),
            Self::YieldChange { apy_bps } => format!("yield → {apy_bps} bps"),
            Self::KeeperOutage => "keeper outage".into(),
        }
    }
}

/// Mechanisms that `--ablate` switches off through configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ablation {
    /// PSM: minter ceiling 0 (no buys) and no agent sells to it.
    Psm,
    /// Transmuter: deposit cap 0.
    Transmuter,
    /// Rate controller: the paid rate is pinned to its floor (`max = min`).
    Rate,
    /// Expansion: `max_expansion_rate_bps = 0`.
    Expansion,
}

impl std::str::FromStr for Ablation {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "psm" => Self::Psm,
            "transmuter" => Self::Transmuter,
            "rate" => Self::Rate,
            "expansion" => Self::Expansion,
            other => bail!("unknown ablation {other:?} (psm|transmuter|rate|expansion)"),
        })
    }
}

impl std::fmt::Display for Ablation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Psm => "psm",
            Self::Transmuter => "transmuter",
            Self::Rate => "rate",
            Self::Expansion => "expansion",
        })
    }
}

fn merge(base: &mut toml::Table, over: &toml::Table) {
    for (key, value) in over {
        match (base.get_mut(key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

impl Scenario {
    /// Reads a scenario file.
    ///
    /// # Errors
    /// Unreadable file, bad TOML, unknown fields.
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("in {}", path.display()))
    }

    /// Parses a scenario.
    ///
    /// # Errors
    /// Bad TOML, unknown fields, invalid values.
    pub fn parse(text: &str) -> Result<Self> {
        let scenario: Self = toml::from_str(text)?;
        if scenario.days.is_nan() || scenario.days <= 0.0 {
            bail!("days must be positive");
        }
        if scenario.check_every == 0 {
            bail!("check_every must be at least 1");
        }
        scenario.config(None)?;
        Ok(scenario)
    }

    /// The suite's deployment configuration: the devnet profile, the
    /// scenario's `[suite]` overrides, then the ablation.
    ///
    /// # Errors
    /// Overrides that do not form a valid configuration.
    pub fn config(&self, ablation: Option<Ablation>) -> Result<deploy::Config> {
        let mut table: toml::Table = toml::from_str(&deploy::Config::devnet_default().to_toml())?;
        merge(&mut table, &self.suite);
        let mut config: deploy::Config = table.try_into().context("[suite] overrides")?;
        match ablation {
            Some(Ablation::Transmuter) => config.transmuter.deposit_cap = "0".into(),
            Some(Ablation::Rate) => {
                config.rate_controller.max_apr_bps = config.rate_controller.min_apr_bps;
            }
            Some(Ablation::Expansion) => config.oracle.max_expansion_rate_bps = 0,
            // The PSM seeds the pool at deployment: its ceiling is set to 0
            // after the deployment (see `sim`).
            Some(Ablation::Psm) | None => {}
        }
        config.check().map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(config)
    }
}
