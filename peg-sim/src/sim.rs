//! One simulation run: deploy the suite on an in-process devnet, set up the
//! agents, step time, let every agent act through the public ABI, record the
//! series and check the SUITE §9 invariants.
//!
//! Agents decide off-chain with `f64` arithmetic (they are models of people,
//! not protocol code); every amount they send is converted to base units and
//! the contracts do all the accounting.

use std::time::Instant;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use anyhow::{anyhow, Context, Result};
use deploy::{
    interfaces::{
        IAlAsset, IMockErc20, IMockErc4626, IPsm, IRateController, ITransmuter, ITwapOracle,
        IV2Pool, IVault,
    },
    Backend, BackendExt, CallError, InProcess,
};
use devnet::{Clock, Devnet, DevnetConfig};
use suite_tests::{invariants::Checker, World};

use crate::scenario::{Ablation, Scenario, ShockKind};

/// Start of the manual clock (just after an oracle epoch boundary).
const T0: u64 = 1_700_006_400;
const YEAR: f64 = 31_536_000.0;
const WAD: f64 = 1e18;
/// Pool fee of the V2 pool (0.3%).
const POOL_FEE: f64 = 0.003;

/// One row of the time series.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// Simulated time `[hours]`.
    pub t_hours: f64,
    /// Pool spot price of the alAsset in the asset.
    pub pool_price: f64,
    /// Last epoch TWAP.
    pub epoch_twap: f64,
    /// Oracle state: 0 Maintain, 1 Expansion, 2 Contraction.
    pub oracle_state: u8,
    /// alAsset total supply `[whole]`.
    pub supply: f64,
    /// Free (redeemable) debt `[whole]`.
    pub free_debt: f64,
    /// Paid debt `[whole]`.
    pub paid_debt: f64,
    /// Bad debt `[whole]`.
    pub bad_debt: f64,
    /// PSM free assets in coin `[whole]`.
    pub psm_free: f64,
    /// PSM buy fee `[bps]`.
    pub psm_buy_fee_bps: f64,
    /// Transmuter queue (total pending) `[whole]`.
    pub queue: f64,
    /// Transmuter implied APR at the pool price.
    pub implied_apr: f64,
    /// Paid-debt rate (APR).
    pub paid_apr: f64,
    /// Backing ratio (oracle's `backing()`), 1.0 = 100%.
    pub backing: f64,
    /// Earmarked collateral shares `[whole]`.
    pub earmarked: f64,
    /// Treasury income since the start `[whole ≈ USD]`.
    pub reserves: f64,
    /// Expansion-minted alAsset outstanding `[whole]`.
    pub expansion: f64,
}

/// A broken invariant.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Failure {
    /// Step index.
    pub step: u64,
    /// Time `[hours]`.
    pub t_hours: f64,
    /// The checker's message.
    pub message: String,
}

/// Result of one run.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RunResult {
    /// Scenario name.
    pub scenario: String,
    /// Ablation, if any.
    pub ablation: Option<Ablation>,
    /// Seed.
    pub seed: u64,
    /// Step `[seconds]`.
    pub step_seconds: u64,
    /// Series.
    pub rows: Vec<Row>,
    /// Shocks: start, end `[hours]` and label.
    pub shocks: Vec<(f64, f64, String)>,
    /// Epoch states from `epochHistory` (0 Maintain, 1 Expansion, 2 Contraction).
    pub epoch_states: Vec<u8>,
    /// First broken invariant (the run stopped there).
    pub failure: Option<Failure>,
    /// Transactions sent (successful + reverted).
    pub txs: u64,
    /// Reverted transactions (agents' attempts the protocol refused).
    pub reverted: u64,
    /// Views and simulations.
    pub views: u64,
    /// Liquidations that succeeded.
    pub liquidations: u64,
    /// Invariant checks run.
    pub checks: u64,
    /// Wall time of the stepping (deployment excluded) `[s]`.
    pub wall_seconds: f64,
    /// Wall time of the deployment and setup `[s]`.
    pub setup_seconds: f64,
}

/// Deterministic PRNG (splitmix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    /// Exponential with mean `mean`.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.f64()).ln()
    }
}

fn u2f(v: U256) -> f64 {
    v.saturating_to::<u128>() as f64
}

fn addr(role: u8, i: usize) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0xb0;
    bytes[1] = role;
    bytes[18] = (i >> 8) as u8;
    bytes[19] = i as u8;
    Address::from(bytes)
}

struct Borrower {
    who: Address,
    target_offset_bps: f64,
}

/// The running simulation.
struct Sim<'s, 'c> {
    b: InProcess<'c>,
    sc: &'s Scenario,
    ablation: Option<Ablation>,
    w: World,
    rng: Rng,
    seed: u64,
    step: u64,
    t: f64,
    asset_scale: f64,
    al_is_token0: bool,
    term: f64,
    liquidation_ltv_bps: u64,
    close_factor_bps: u64,
    min_debt: f64,
    borrowers: Vec<Borrower>,
    whales: Vec<Option<Address>>,
    arbs: Vec<Address>,
    noise: Vec<Address>,
    panic: Vec<Address>,
    liquidators: Vec<Address>,
    lp: Option<Address>,
    lp_fled: bool,
    collateral_apy_bps: u64,
    txs: u64,
    reverted: u64,
    views: u64,
    liquidations: u64,
    treasury0: f64,
}

/// Runs `scenario` with `seed` (and an optional ablation).
///
/// # Errors
/// Deployment or backend failures (not reverts, not invariant failures:
/// those are in the result).
pub fn run(scenario: &Scenario, seed: u64, ablation: Option<Ablation>) -> Result<RunResult> {
    let started = Instant::now();
    let config = scenario.config(ablation)?;
    let mut resolved = scenario.clone();
    if resolved.step_seconds == 0 {
        resolved.step_seconds = config.oracle.sample_interval_seconds;
    }
    let scenario = &resolved;
    let mut chain = Devnet::with_config(DevnetConfig {
        clock: Clock::Manual(T0),
        ..DevnetConfig::default()
    });
    let sc = scenario;
    let borrowers: Vec<Address> = (0..sc.borrowers.count).map(|i| addr(1, i)).collect();
    let whales: Vec<Option<Address>> = sc
        .shocks
        .iter()
        .enumerate()
        .map(|(i, s)| {
            matches!(s.kind, ShockKind::Sell { .. } | ShockKind::PsmRun { .. }).then(|| addr(2, i))
        })
        .collect();
    let arbs: Vec<Address> = (0..sc.arbitrageurs.count).map(|i| addr(3, i)).collect();
    let noise: Vec<Address> = (0..sc.noise.count).map(|i| addr(4, i)).collect();
    let panic: Vec<Address> = (0..sc.panic.count).map(|i| addr(5, i)).collect();
    let liquidators: Vec<Address> = (0..sc.liquidators.count).map(|i| addr(6, i)).collect();
    let lp = (sc.lps.extra_liquidity > 0.0 || sc.lps.flight_price > 0.0).then(|| addr(7, 0));
    let mut all: Vec<Address> = borrowers.clone();
    all.extend(whales.iter().flatten());
    all.extend(&arbs);
    all.extend(&noise);
    all.extend(&panic);
    all.extend(&liquidators);
    all.extend(lp);
    let mut b = InProcess::new(&mut chain).with_accounts(&all);
    let manifest = deploy::deploy_suite(&mut b, &config).context("deploying the suite")?;
    let suite = manifest.suite()?;
    let decimals = b.view(suite.asset, &IMockErc20::decimalsCall {})?;
    let peers = b.view(suite.twap_oracle, &ITwapOracle::peersCall {})?;
    let params = b.view(suite.vault, &IVault::parametersCall {})?;
    let term = b.view(suite.transmuter, &ITransmuter::termCall {})?;
    // Vault and Transmuter users: the invariant checker's accounts.
    let mut users: Vec<Address> = borrowers.clone();
    users.extend(whales.iter().flatten());
    users.extend(&arbs);
    users.extend(&liquidators);
    let w = World {
        suite,
        deployer: b.sender(),
        actors: users,
        asset_decimals: decimals,
    };
    let mut sim = Sim {
        b,
        sc,
        ablation,
        w,
        rng: Rng::new(seed),
        seed,
        step: 0,
        t: 0.0,
        asset_scale: 10f64.powi(i32::from(decimals)),
        al_is_token0: peers.alAssetIsToken0,
        term: term as f64,
        liquidation_ltv_bps: params.liquidationLtvBps.saturating_to(),
        close_factor_bps: params.closeFactorBps.saturating_to(),
        min_debt: u2f(params.minDebt) / WAD,
        borrowers: Vec::new(),
        whales,
        arbs,
        noise,
        panic,
        liquidators,
        lp,
        lp_fled: false,
        collateral_apy_bps: sc.market.collateral_apy_bps,
        txs: 0,
        reverted: 0,
        views: 0,
        liquidations: 0,
        treasury0: 0.0,
    };
    sim.setup(&borrowers)?;
    let setup_seconds = started.elapsed().as_secs_f64();
    sim.stepping(setup_seconds)
}

impl Sim<'_, '_> {
    fn asset_units(&self, x: f64) -> U256 {
        U256::from((x.max(0.0) * self.asset_scale) as u128)
    }
    fn coin_units(x: f64) -> U256 {
        U256::from((x.max(0.0) * WAD) as u128)
    }
    fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return> {
        self.views += 1;
        self.b
            .view(to, call)
            .map_err(|e| anyhow!("view failed: {e}"))
    }
    /// Sends; a revert is counted and returned as `None`.
    fn send<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<Option<C::Return>> {
        self.txs += 1;
        match self.b.send_from(from, to, call) {
            Ok(r) => Ok(Some(r)),
            Err(CallError::Reverted { .. }) => {
                self.reverted += 1;
                Ok(None)
            }
            Err(e) => Err(anyhow!("backend failure: {e}")),
        }
    }
    fn al_balance(&mut self, who: Address) -> Result<f64> {
        let s = self.w.suite;
        Ok(u2f(self.view(s.al_asset, &IAlAsset::balanceOfCall { account: who })?) / WAD)
    }
    fn asset_balance(&mut self, who: Address) -> Result<f64> {
        let s = self.w.suite;
        Ok(
            u2f(self.view(s.asset, &IMockErc20::balanceOfCall { account: who })?)
                / self.asset_scale,
        )
    }
    /// Pool reserves `(alAsset, asset)` in whole tokens.
    fn reserves(&mut self) -> Result<(f64, f64)> {
        let r = self.view(self.w.suite.pool, &IV2Pool::getReservesCall {})?;
        let (r0, r1) = (
            r.reserve0.to::<u128>() as f64,
            r.reserve1.to::<u128>() as f64,
        );
        Ok(if self.al_is_token0 {
            (r0 / WAD, r1 / self.asset_scale)
        } else {
            (r1 / WAD, r0 / self.asset_scale)
        })
    }
    fn price(&mut self) -> Result<f64> {
        let (ra, rb) = self.reserves()?;
        Ok(if ra > 0.0 { rb / ra } else { 0.0 })
    }
    /// Asset to put in the pool to lift the price to `target`.
    fn asset_to_reach(&mut self, target: f64) -> Result<f64> {
        let (ra, rb) = self.reserves()?;
        Ok(((ra * rb * target).sqrt() - rb).max(0.0) / (1.0 - POOL_FEE))
    }
    /// alAsset to put in the pool to push the price down to `target`.
    fn al_to_reach(&mut self, target: f64) -> Result<f64> {
        let (ra, rb) = self.reserves()?;
        Ok(((ra * rb / target).sqrt() - ra).max(0.0) / (1.0 - POOL_FEE))
    }
    fn buy_al(&mut self, who: Address, asset: f64) -> Result<bool> {
        let balance = self.asset_balance(who)?;
        let amount = self.asset_units(asset.min(balance));
        if amount.is_zero() {
            return Ok(false);
        }
        let s = self.w.suite;
        let call = IV2Pool::swapExactInCall {
            tokenIn: s.asset,
            amountIn: amount,
            minOut: U256::ZERO,
            to: who,
        };
        Ok(self.send(who, s.pool, &call)?.is_some())
    }
    fn sell_al(&mut self, who: Address, al: f64) -> Result<bool> {
        let s = self.w.suite;
        let balance = self.view(s.al_asset, &IAlAsset::balanceOfCall { account: who })?;
        let amount = Self::coin_units(al).min(balance);
        if amount.is_zero() {
            return Ok(false);
        }
        let call = IV2Pool::swapExactInCall {
            tokenIn: s.al_asset,
            amountIn: amount,
            minOut: U256::ZERO,
            to: who,
        };
        Ok(self.send(who, s.pool, &call)?.is_some())
    }
    fn psm_allowed(&self) -> bool {
        self.ablation != Some(Ablation::Psm)
    }
    fn psm_buy(&mut self, who: Address, asset: f64) -> Result<bool> {
        let balance = self.asset_balance(who)?;
        let amount = self.asset_units(asset.min(balance));
        if amount.is_zero() {
            return Ok(false);
        }
        let s = self.w.suite;
        let call = IPsm::buyCall {
            assetIn: amount,
            minCoinOut: U256::ZERO,
            recipient: who,
        };
        Ok(self.send(who, s.psm, &call)?.is_some())
    }
    /// Sells up to `al` to the PSM, within its liquidity. Returns what it sold.
    fn psm_sell(&mut self, who: Address, al: f64) -> Result<f64> {
        let s = self.w.suite;
        let free = u2f(self.view(s.psm, &IPsm::freePsmAssetsInCoinCall {})?) / WAD;
        let amount = al.min(self.al_balance(who)?).min(free * 0.999_999);
        if amount < 1e-6 {
            return Ok(0.0);
        }
        let call = IPsm::sellCall {
            coinIn: Self::coin_units(amount),
            minAssetOut: U256::ZERO,
            recipient: who,
        };
        Ok(if self.send(who, s.psm, &call)?.is_some() {
            amount
        } else {
            0.0
        })
    }

    fn setup(&mut self, borrowers: &[Address]) -> Result<()> {
        let sc = self.sc;
        let s = self.w.suite;
        let fund = |sim: &mut Self, who: &[Address], each: f64| -> Result<()> {
            if who.is_empty() || each <= 0.0 {
                return Ok(());
            }
            World::setup(&mut sim.b, s, who, each.ceil() as u64)
                .map_err(|e| anyhow!("funding agents: {e}"))?;
            sim.txs += who.len() as u64 * 9;
            Ok(())
        };
        fund(self, borrowers, sc.borrowers.capital)?;
        fund(self, &self.arbs.clone(), sc.arbitrageurs.capital)?;
        fund(self, &self.noise.clone(), sc.noise.capital)?;
        fund(self, &self.panic.clone(), 2.0 * sc.panic.holdings)?;
        fund(
            self,
            &self.liquidators.clone(),
            2.0 * sc.liquidators.holdings,
        )?;
        // Arbitrageurs work with the asset: they redeem their collateral shares.
        for who in self.arbs.clone() {
            let shares = self.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
            let call = IMockErc4626::redeemCall {
                shares,
                receiver: who,
                owner: who,
            };
            self.send(who, s.collateral, &call)?;
        }
        // Noise traders hold both sides; panic sellers and liquidators hold alAsset.
        for who in self.noise.clone() {
            let half = self.asset_balance(who)? / 2.0;
            self.psm_buy(who, half)?;
        }
        for who in self
            .panic
            .clone()
            .into_iter()
            .chain(self.liquidators.clone())
        {
            let all = self.asset_balance(who)?;
            self.psm_buy(who, all)?;
        }
        // Borrowers deposit every share and open a position at their target.
        let n = borrowers.len().max(1) as f64;
        for (i, &who) in borrowers.iter().enumerate() {
            let spread = sc.borrowers.target_spread_bps as f64;
            let offset = if n > 1.0 {
                -spread + 2.0 * spread * i as f64 / (n - 1.0)
            } else {
                0.0
            };
            self.borrowers.push(Borrower {
                who,
                target_offset_bps: offset,
            });
            let shares = self.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
            self.send(
                who,
                s.vault,
                &IVault::depositCall {
                    shares,
                    recipient: who,
                },
            )?;
            let free = (i as f64 + 0.5) / n < sc.borrowers.initial_free_share_bps as f64 / 1e4;
            if free {
                self.send(
                    who,
                    s.vault,
                    &IVault::setRedeemableCall { redeemable: true },
                )?;
            }
            let account = self.view(s.vault, &IVault::accountOfCall { account: who })?;
            let value = u2f(account.collateralValue) / WAD;
            let target = (sc.borrowers.target_ltv_bps as f64 + offset).max(0.0) / 1e4;
            let amount = Self::coin_units(value * target).min(account.maxBorrowable);
            self.send(
                who,
                s.vault,
                &IVault::borrowCall {
                    amount,
                    recipient: who,
                },
            )?;
        }
        // Shock whales: borrow their alAsset at 40% LTV now, sell it later.
        for (i, whale) in self.whales.clone().into_iter().enumerate() {
            let Some(who) = whale else { continue };
            let amount = match sc.shocks[i].kind {
                ShockKind::Sell { amount } | ShockKind::PsmRun { amount } => amount,
                _ => 0.0,
            };
            fund(self, &[who], amount * 5.0)?;
            let shares = self.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
            self.send(
                who,
                s.vault,
                &IVault::depositCall {
                    shares,
                    recipient: who,
                },
            )?;
            let borrowed = self.send(
                who,
                s.vault,
                &IVault::borrowCall {
                    amount: Self::coin_units(amount),
                    recipient: who,
                },
            )?;
            if borrowed.is_none() {
                return Err(anyhow!(
                    "shock {i}: the whale could not borrow {amount} (raise vault.debt_ceiling?)"
                ));
            }
        }
        if let Some(lp) = self.lp {
            let extra = sc.lps.extra_liquidity;
            if extra > 0.0 {
                fund(self, &[lp], 4.0 * extra)?;
                self.psm_buy(lp, extra)?;
                let (al, asset) = (Self::coin_units(extra), self.asset_units(extra));
                let (a0, a1) = if self.al_is_token0 {
                    (al, asset)
                } else {
                    (asset, al)
                };
                let call = IV2Pool::addLiquidityCall {
                    amount0: a0,
                    amount1: a1,
                    to: lp,
                };
                self.send(lp, s.pool, &call)?;
            }
        }
        if self.ablation == Some(Ablation::Psm) {
            // No more PSM buys; agents do not sell to it either.
            let call = IAlAsset::setMinterCeilingCall {
                minter: s.psm,
                ceiling: U256::ZERO,
            };
            let deployer = self.w.deployer;
            self.send(deployer, s.al_asset, &call)?
                .ok_or_else(|| anyhow!("setting the PSM ceiling to 0 failed"))?;
        }
        self.treasury0 = self.treasury_value()?;
        Ok(())
    }

    /// The treasury's (deployer's) alAsset, asset and collateral shares, in whole units.
    fn treasury_value(&mut self) -> Result<f64> {
        let s = self.w.suite;
        let who = self.w.deployer;
        let al = self.al_balance(who)?;
        let asset = self.asset_balance(who)?;
        let shares = self.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
        let value = self.view(s.collateral, &IMockErc4626::convertToAssetsCall { shares })?;
        let mut total = al + asset + u2f(value) / self.asset_scale;
        if let Some(pv) = s.psm_vault {
            let shares = self.view(pv, &IMockErc4626::balanceOfCall { account: who })?;
            let value = self.view(pv, &IMockErc4626::convertToAssetsCall { shares })?;
            total += u2f(value) / self.asset_scale;
        }
        Ok(total)
    }

    fn active(&self, kind: impl Fn(&ShockKind) -> bool) -> Vec<usize> {
        let step_h = self.step_seconds() as f64 / 3600.0;
        self.sc
            .shocks
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                kind(&s.kind)
                    && self.t + 1e-9 >= s.at_hours
                    && self.t < s.at_hours + s.over_hours.max(step_h) - 1e-9
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn step_seconds(&self) -> u64 {
        self.sc.step_seconds
    }

    fn stepping(mut self, setup_seconds: f64) -> Result<RunResult> {
        let started = Instant::now();
        let sc = self.sc;
        let s = self.w.suite;
        let step = sc.step_seconds;
        let steps = (sc.days * 86_400.0 / step as f64).round() as u64;
        let mut checker = Checker::new();
        let mut rows = Vec::with_capacity(steps as usize);
        let mut failure = None;
        let mut checks = 0;
        let mut next_accrue = 0.0;
        let mut next_harvest = sc.keepers.harvest_days * 24.0;
        let mut next_yield = 24.0;
        for i in 0..steps {
            self.step = i;
            self.b
                .increase_time(step)
                .map_err(|e| anyhow!("warp: {e}"))?;
            self.t = (i + 1) as f64 * step as f64 / 3600.0;
            let outage = !self
                .active(|k| matches!(k, ShockKind::KeeperOutage))
                .is_empty();
            // Market: yield, shocks.
            if self.t + 1e-9 >= next_yield {
                next_yield += 24.0;
                self.pay_yield()?;
            }
            for j in self.active(|k| matches!(k, ShockKind::YieldChange { .. })) {
                if let ShockKind::YieldChange { apy_bps } = sc.shocks[j].kind {
                    self.collateral_apy_bps = apy_bps;
                }
            }
            self.shocks(&mut checker)?;
            // Keepers.
            if sc.keepers.oracle && !outage {
                let r = self.send(self.w.deployer, s.twap_oracle, &ITwapOracle::sampleCall {})?;
                if r.is_none() {
                    let status = self.view(s.twap_oracle, &ITwapOracle::epochStatusCall {})?;
                    let now = self.b.timestamp().map_err(|e| anyhow!("{e}"))?;
                    if status.endsAt <= U256::from(now) {
                        let d = self.w.deployer;
                        self.send(d, s.twap_oracle, &ITwapOracle::advanceEpochCall {})?;
                        self.send(d, s.twap_oracle, &ITwapOracle::sampleCall {})?;
                    }
                }
            }
            if !outage && sc.keepers.accrue_hours > 0.0 && self.t + 1e-9 >= next_accrue {
                next_accrue = self.t + sc.keepers.accrue_hours;
                self.send(self.w.deployer, s.vault, &IVault::accrueCall {})?;
            }
            if !outage && sc.keepers.harvest_days > 0.0 && self.t + 1e-9 >= next_harvest {
                next_harvest = self.t + sc.keepers.harvest_days * 24.0;
                self.send(self.w.deployer, s.psm, &IPsm::harvestCall {})?;
            }
            // Agents, in a random order of groups; arbitrageurs (bots
            // watching every block) act last, on what the others did.
            let mut order = [0u8, 2, 3, 4, 5];
            for k in (1..order.len()).rev() {
                let j = (self.rng.next_u64() % (k as u64 + 1)) as usize;
                order.swap(k, j);
            }
            for group in order {
                match group {
                    0 => self.borrowers_act()?,
                    2 => self.noise_act()?,
                    3 => self.panic_act()?,
                    4 => self.liquidators_act()?,
                    _ => self.lps_act()?,
                }
            }
            self.arbs_act()?;
            if i % sc.check_every == 0 || i + 1 == steps {
                checks += 1;
                if let Err(v) = checker.check(&self.w, &mut self.b) {
                    failure = Some(Failure {
                        step: i,
                        t_hours: self.t,
                        message: v.0,
                    });
                }
            }
            rows.push(self.row()?);
            if failure.is_some() {
                break;
            }
        }
        let epochs = (sc.days * 4.0).ceil() as u64 + 1;
        let history = self.view(
            s.twap_oracle,
            &ITwapOracle::epochHistoryCall {
                n: U256::from(epochs),
            },
        )?;
        let step_h = step as f64 / 3600.0;
        Ok(RunResult {
            scenario: sc.name.clone(),
            ablation: self.ablation,
            seed: self.seed,
            step_seconds: step,
            rows,
            shocks: sc
                .shocks
                .iter()
                .map(|x| {
                    (
                        x.at_hours,
                        x.at_hours + x.over_hours.max(step_h),
                        x.kind.label(),
                    )
                })
                .collect(),
            epoch_states: history.states,
            failure,
            txs: self.txs,
            reverted: self.reverted,
            views: self.views,
            liquidations: self.liquidations,
            checks,
            wall_seconds: started.elapsed().as_secs_f64(),
            setup_seconds,
        })
    }

    fn pay_yield(&mut self) -> Result<()> {
        let s = self.w.suite;
        let d = self.w.deployer;
        let mut targets = vec![(s.collateral, self.collateral_apy_bps)];
        if let Some(pv) = s.psm_vault {
            targets.push((pv, self.sc.market.psm_vault_apy_bps));
        }
        for (vault, apy) in targets {
            if apy == 0 {
                continue;
            }
            let assets = self.view(vault, &IMockErc4626::totalAssetsCall {})?;
            let amount = assets * U256::from(apy) / U256::from(10_000u64 * 365);
            if !amount.is_zero() {
                self.send(d, s.asset, &IMockErc20::mintCall { to: vault, amount })?;
            }
        }
        Ok(())
    }

    fn shocks(&mut self, checker: &mut Checker) -> Result<()> {
        let sc = self.sc;
        let step_h = sc.step_seconds as f64 / 3600.0;
        let s = self.w.suite;
        for j in self.active(|_| true) {
            let shock = &sc.shocks[j];
            let first = self.t - shock.at_hours < step_h - 1e-9;
            let share = if shock.over_hours <= step_h {
                1.0
            } else {
                step_h / shock.over_hours
            };
            match shock.kind {
                ShockKind::Sell { amount } => {
                    if let Some(who) = self.whales[j] {
                        self.sell_al(who, amount * share)?;
                    }
                }
                ShockKind::PsmRun { amount } => {
                    if let Some(who) = self.whales[j] {
                        let want = amount * share;
                        let sold = if self.psm_allowed() {
                            self.psm_sell(who, want)?
                        } else {
                            0.0
                        };
                        // What the PSM cannot take is dumped in the pool.
                        if want - sold > 1.0 {
                            self.sell_al(who, want - sold)?;
                        }
                    }
                }
                ShockKind::CollateralLoss { loss_bps } if first => {
                    checker.collateral_loss_seen = true;
                    let d = self.w.deployer;
                    self.send(
                        d,
                        s.collateral,
                        &IMockErc4626::simulateLossCall {
                            bps: U256::from(loss_bps),
                        },
                    )?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn borrowers_act(&mut self) -> Result<()> {
        let sc = self.sc;
        let s = self.w.suite;
        let p_act = sc.borrowers.actions_per_day * sc.step_seconds as f64 / 86_400.0;
        let booms: Vec<(u64, u64)> = self
            .active(|k| matches!(k, ShockKind::BorrowBoom { .. }))
            .into_iter()
            .filter_map(|j| match sc.shocks[j].kind {
                ShockKind::BorrowBoom {
                    extra_ltv_bps,
                    sell_share_bps,
                } => Some((extra_ltv_bps, sell_share_bps)),
                _ => None,
            })
            .collect();
        let extra: u64 = booms.iter().map(|b| b.0).sum();
        let sell_share = booms
            .iter()
            .map(|b| b.1)
            .max()
            .unwrap_or(sc.borrowers.sell_share_bps) as f64
            / 1e4;
        for k in 0..self.borrowers.len() {
            if !self.rng.chance(p_act) {
                continue;
            }
            let who = self.borrowers[k].who;
            let account = self.view(s.vault, &IVault::accountOfCall { account: who })?;
            let value = u2f(account.collateralValue) / WAD;
            let debt = u2f(account.debt) / WAD;
            let ltv = account.ltvBps.saturating_to::<u64>() as f64;
            let target_bps = (sc.borrowers.target_ltv_bps as f64
                + extra as f64
                + self.borrowers[k].target_offset_bps)
                .clamp(0.0, 8_900.0);
            let price = self.price()?;
            // Free or paid debt.
            let totals = self.view(s.vault, &IVault::totalsCall {})?;
            let pending = u2f(self.view(s.transmuter, &ITransmuter::totalPendingCall {})?);
            let free_debt = u2f(totals.freeDebt);
            let queue_share = if free_debt > 0.0 {
                pending / free_debt
            } else {
                0.0
            };
            let rate = u2f(self.view(s.rate_controller, &IRateController::rateCall {})?);
            let paid_cost = rate * YEAR / WAD * 1e4;
            let free_cost =
                sc.borrowers.redemption_aversion_bps as f64 * (1.0 + 10.0 * queue_share);
            let h = sc.borrowers.switch_hysteresis_bps as f64;
            if debt > 0.0 {
                if account.redeemable && paid_cost + h < free_cost {
                    self.send(
                        who,
                        s.vault,
                        &IVault::setRedeemableCall { redeemable: false },
                    )?;
                } else if !account.redeemable && free_cost + h < paid_cost {
                    self.send(
                        who,
                        s.vault,
                        &IVault::setRedeemableCall { redeemable: true },
                    )?;
                }
            }
            let band = sc.borrowers.band_bps as f64;
            if ltv + band < target_bps {
                let want = (value * target_bps / 1e4 - debt).max(0.0);
                let amount = Self::coin_units(want).min(account.maxBorrowable);
                if debt + want >= self.min_debt && !amount.is_zero() {
                    let call = IVault::borrowCall {
                        amount,
                        recipient: who,
                    };
                    if self.send(who, s.vault, &call)?.is_some() {
                        self.sell_al(who, want * sell_share)?;
                    }
                }
            } else if ltv > target_bps + band && debt > 0.0 {
                let want = debt - value * target_bps / 1e4;
                let have = self.al_balance(who)?;
                if have < want {
                    self.buy_al(who, (want - have) * price.max(0.5) * 1.01)?;
                }
                self.repay(who, want, debt)?;
            } else if sc.borrowers.discount_repay_bps > 0
                && debt > 0.0
                && price < 1.0 - sc.borrowers.discount_repay_bps as f64 / 1e4
            {
                let spend =
                    self.asset_balance(who)? * sc.borrowers.discount_repay_share_bps as f64 / 1e4;
                let cap = self.asset_to_reach(1.0 - POOL_FEE)?;
                if self.buy_al(who, spend.min(cap).min(debt * price))? {
                    let have = self.al_balance(who)?;
                    self.repay(who, have, debt)?;
                }
            }
        }
        Ok(())
    }

    /// Repays up to `want` (never leaving dust under the minimum debt).
    fn repay(&mut self, who: Address, want: f64, debt: f64) -> Result<()> {
        let s = self.w.suite;
        let have = self.al_balance(who)?;
        let mut amount = want.min(have);
        if debt - amount < self.min_debt * 1.05 {
            if have >= debt * 1.000_1 {
                amount = debt * 1.000_1; // the Vault takes at most the debt
            } else {
                amount = (debt - self.min_debt * 1.05).max(0.0);
            }
        }
        if amount <= 0.0 {
            return Ok(());
        }
        let call = IVault::repayCall {
            amount: Self::coin_units(amount).min(Self::coin_units(have)),
            account: who,
        };
        self.send(who, s.vault, &call)?;
        Ok(())
    }

    fn arbs_act(&mut self) -> Result<()> {
        let sc = self.sc;
        let a = &sc.arbitrageurs;
        let s = self.w.suite;
        let edge = a.min_edge_bps as f64 / 1e4;
        let use_psm = a.use_psm && self.psm_allowed();
        for k in 0..self.arbs.len() {
            let who = self.arbs[k];
            // Matured Transmuter positions first (once a day per arbitrageur).
            if self.step % (86_400 / sc.step_seconds).max(1) == k as u64 % 24 {
                self.claim_matured(who)?;
            }
            if !self.rng.chance(a.attention_bps as f64 / 1e4) {
                continue;
            }
            let price = self.price()?;
            let fee = u2f(self.view(s.psm, &IPsm::buyFeeBpsCall {})?) / 1e4;
            if price < 1.0 - POOL_FEE - edge {
                let mut done = false;
                if use_psm {
                    let free = u2f(self.view(s.psm, &IPsm::freePsmAssetsInCoinCall {})?) / WAD;
                    if free > 1.0 {
                        let spend = self
                            .asset_to_reach(1.0 - POOL_FEE - edge)?
                            .min(free * 0.99 * price);
                        if spend > 1.0 && self.buy_al(who, spend)? {
                            let al = self.al_balance(who)?;
                            self.psm_sell(who, al)?;
                            done = true;
                        }
                    }
                }
                if !done && a.use_transmuter {
                    let apr = u2f(self.view(
                        s.transmuter,
                        &ITransmuter::impliedAprCall {
                            price: Self::coin_units(price),
                        },
                    )?) / WAD;
                    let hurdle = a.hurdle_apr_bps as f64 / 1e4;
                    if apr > hurdle {
                        let target = 1.0 / (1.0 + hurdle * self.term / YEAR);
                        let cash = self.asset_balance(who)?;
                        let budget = cash - a.capital * (1.0 - a.transmuter_share_bps as f64 / 1e4);
                        let spend = self.asset_to_reach(target)?.min(budget);
                        if spend > 100.0 && self.buy_al(who, spend)? {
                            let al =
                                self.view(s.al_asset, &IAlAsset::balanceOfCall { account: who })?;
                            self.send(
                                who,
                                s.transmuter,
                                &ITransmuter::createRedemptionCall { amount: al },
                            )?;
                        }
                    }
                }
            } else if use_psm && price > (1.0 + fee) / (1.0 - POOL_FEE) + edge {
                let al = self.al_to_reach((1.0 + fee) / (1.0 - POOL_FEE) + edge)?;
                let asset = (al / (1.0 - fee)).min(self.asset_balance(who)?);
                if asset > 1.0 && self.psm_buy(who, asset)? {
                    let al = self.al_balance(who)?;
                    self.sell_al(who, al)?;
                }
            }
            // Leftover alAsset (a PSM sell that failed) goes back to the pool near peg.
            let left = self.al_balance(who)?;
            if left > 1.0 && self.price()? > 1.0 - POOL_FEE {
                let cap = self.al_to_reach(1.0 - POOL_FEE)?;
                self.sell_al(who, left.min(cap))?;
            }
        }
        Ok(())
    }

    fn claim_matured(&mut self, who: Address) -> Result<()> {
        let s = self.w.suite;
        let now = self.b.timestamp().map_err(|e| anyhow!("{e}"))?;
        let ids = self.view(s.transmuter, &ITransmuter::positionsOfCall { owner: who })?;
        for id in ids {
            let p = self.view(s.transmuter, &ITransmuter::positionCall { id })?;
            if p.owner == who && !p.claimed && p.maturity <= now {
                self.send(who, s.transmuter, &ITransmuter::claimRedemptionCall { id })?;
            }
        }
        Ok(())
    }

    fn noise_act(&mut self) -> Result<()> {
        let n = &self.sc.noise;
        let lambda = n.trades_per_day * self.sc.step_seconds as f64 / 86_400.0;
        for k in 0..self.noise.len() {
            let who = self.noise[k];
            let mut trades = lambda.floor() as u64;
            if self.rng.chance(lambda.fract()) {
                trades += 1;
            }
            for _ in 0..trades {
                let size = self.rng.exp(n.mean_size);
                if self.rng.chance(0.5) {
                    self.buy_al(who, size)?;
                } else {
                    self.sell_al(who, size)?;
                }
            }
        }
        Ok(())
    }

    fn panic_act(&mut self) -> Result<()> {
        let p = &self.sc.panic;
        if self.panic.is_empty() || self.price()? >= p.trigger_price {
            return Ok(());
        }
        let use_psm = p.use_psm && self.psm_allowed();
        for k in 0..self.panic.len() {
            let who = self.panic[k];
            let amount = self.al_balance(who)? * p.sell_share_bps as f64 / 1e4;
            if amount < 1.0 {
                continue;
            }
            let sold = if use_psm {
                self.psm_sell(who, amount)?
            } else {
                0.0
            };
            if amount - sold > 1.0 {
                self.sell_al(who, amount - sold)?;
            }
        }
        Ok(())
    }

    fn liquidators_act(&mut self) -> Result<()> {
        if self.liquidators.is_empty() {
            return Ok(());
        }
        let s = self.w.suite;
        let mut targets: Vec<Address> = self.borrowers.iter().map(|b| b.who).collect();
        targets.extend(self.whales.iter().flatten());
        for (k, target) in targets.into_iter().enumerate() {
            let account = self.view(s.vault, &IVault::accountOfCall { account: target })?;
            if account.debt.is_zero() || account.ltvBps < U256::from(self.liquidation_ltv_bps) {
                continue;
            }
            let who = self.liquidators[k % self.liquidators.len()];
            let limit = account.debt * U256::from(self.close_factor_bps) / U256::from(10_000u64);
            let balance = self.view(s.al_asset, &IAlAsset::balanceOfCall { account: who })?;
            let call = IVault::liquidateCall {
                account: target,
                repayAmount: limit.min(balance),
            };
            if self.send(who, s.vault, &call)?.is_some() {
                self.liquidations += 1;
            }
            // Top up: redeem the seized shares and buy alAsset back.
            if self.al_balance(who)? < self.sc.liquidators.holdings * 0.2 {
                let shares =
                    self.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
                if !shares.is_zero() {
                    let call = IMockErc4626::redeemCall {
                        shares,
                        receiver: who,
                        owner: who,
                    };
                    self.send(who, s.collateral, &call)?;
                }
                let cash = self.asset_balance(who)?;
                if !(self.psm_allowed() && self.psm_buy(who, cash)?) {
                    self.buy_al(who, cash)?;
                }
            }
        }
        Ok(())
    }

    fn lps_act(&mut self) -> Result<()> {
        let Some(lp) = self.lp else { return Ok(()) };
        let l = &self.sc.lps;
        if self.lp_fled || l.flight_price <= 0.0 || self.price()? >= l.flight_price {
            return Ok(());
        }
        self.lp_fled = true;
        let s = self.w.suite;
        let tokens = self.view(s.pool, &IV2Pool::balanceOfCall { account: lp })?;
        let liquidity = tokens * U256::from(l.flight_share_bps) / U256::from(10_000u64);
        if !liquidity.is_zero() {
            self.send(
                lp,
                s.pool,
                &IV2Pool::removeLiquidityCall { liquidity, to: lp },
            )?;
        }
        Ok(())
    }

    fn row(&mut self) -> Result<Row> {
        let s = self.w.suite;
        let price = self.price()?;
        let twap = u2f(self.view(s.twap_oracle, &ITwapOracle::lastTwapCall {})?) / WAD;
        let state = self.view(s.twap_oracle, &ITwapOracle::stateCall {})?;
        let supply = u2f(self.view(s.al_asset, &IAlAsset::totalSupplyCall {})?) / WAD;
        let totals = self.view(s.vault, &IVault::totalsCall {})?;
        let psm_free = u2f(self.view(s.psm, &IPsm::freePsmAssetsInCoinCall {})?) / WAD;
        let fee = u2f(self.view(s.psm, &IPsm::buyFeeBpsCall {})?);
        let queue = u2f(self.view(s.transmuter, &ITransmuter::totalPendingCall {})?) / WAD;
        let implied = u2f(self.view(
            s.transmuter,
            &ITransmuter::impliedAprCall {
                price: Self::coin_units(price.min(1.0)),
            },
        )?) / WAD;
        let rate = u2f(self.view(s.rate_controller, &IRateController::rateCall {})?);
        let backing = self.view(s.twap_oracle, &ITwapOracle::backingCall {})?;
        let expansion = self.view(
            s.al_asset,
            &IAlAsset::minterInfoCall {
                minter: s.twap_oracle,
            },
        )?;
        let reserves = self.treasury_value()? - self.treasury0;
        Ok(Row {
            t_hours: self.t,
            pool_price: price,
            epoch_twap: twap,
            oracle_state: state,
            supply,
            free_debt: u2f(totals.freeDebt) / WAD,
            paid_debt: u2f(totals.paidDebt) / WAD,
            bad_debt: u2f(totals.badDebt) / WAD,
            psm_free,
            psm_buy_fee_bps: fee,
            queue,
            implied_apr: implied,
            paid_apr: rate * YEAR / WAD,
            backing: u2f(backing.backingWad) / WAD,
            earmarked: u2f(totals.earmarkedShares) / self.asset_scale,
            reserves,
            expansion: u2f(expansion.outstanding) / WAD,
        })
    }
}
