//! The invariants of SUITE.md section 9, checked against on-chain views and
//! `eth_call` simulations (nothing is changed), over any [`Backend`].
//!
//! | # | check |
//! |---|---|
//! | 1 | `totalSupply + pendingInterest == freeDebt + paidDebt + badDebt + PSM outstanding + Transmuter totalPending + oracle (expansion) outstanding`, to the wei; and the Vault's `earmarkedDebt == totalPending` |
//! | 2 | Σ account debts ≥ the Vault's totals, free and paid separately, by at most [`DEBT_ROUNDING_PER_ACCOUNT`] wei per account |
//! | 3 | value of (earmarked + shortfall) shares ≥ pending − one asset unit per position, unless the yield token lost value |
//! | 4 | PSM holdings ≥ `freePsmAssets`, unless its vault lost value; `shortfall() == freePsmAssets − holdings` always |
//! | 5 | an account under the liquidation LTV cannot be liquidated (`AccountHealthy`); one over `maxLtv` can neither borrow nor withdraw |
//! | 6 | `minRate ≤ rate ≤ maxRate`; the oracle's state is the one its `lastTwap` and bands imply |
//! | 7 | exits simulate successfully: PSM sell of all available liquidity (quote), full repay by a holder of enough alAsset, full withdraw of debt-free collateral, claim of every matured position — also while paused |
//!
//! Views report the Vault as of its last accrual, so the checker first
//! calls `Vault.accrue()` (a transaction; permissionless) unless told not to.

use alloy_primitives::{Address, U256};
use deploy::{
    interfaces::{IAlAsset, IMockErc4626, IPsm, IRateController, ITransmuter, ITwapOracle, IVault},
    Backend, BackendExt, CallError,
};

use crate::World;

/// Rounding allowance of invariant 2 (account debts round up, never in the
/// borrowers' favour): wei per account, per kind of debt.
pub const DEBT_ROUNDING_PER_ACCOUNT: u64 = 2;

const WAD: u64 = 1_000_000_000_000_000_000;

/// What the checker must know beyond the chain.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    /// The collateral's yield token has lost value at some point (invariant 3 relaxed).
    pub collateral_loss_seen: bool,
    /// The PSM's vault has lost value at some point (invariant 4 relaxed).
    pub psm_loss_seen: bool,
    /// Call `Vault.accrue()` before reading (default true via [`Checker::new`]).
    pub accrue_first: bool,
}

/// A broken invariant, with the numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation(pub String);

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Violation {}

impl From<CallError> for Violation {
    fn from(e: CallError) -> Self {
        Self(format!("a view failed: {e}"))
    }
}

macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        if !$cond {
            return Err(Violation(format!($($arg)*)));
        }
    };
}

/// Numbers read during a check (for scenario assertions and reports).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// alAsset total supply.
    pub supply: U256,
    /// Vault totals: free debt.
    pub free_debt: U256,
    /// Paid debt.
    pub paid_debt: U256,
    /// Bad debt.
    pub bad_debt: U256,
    /// Transmuter pending alAsset.
    pub pending: U256,
    /// PSM-minted outstanding alAsset.
    pub psm_outstanding: U256,
    /// Expansion-minted alAsset.
    pub expansion: U256,
    /// RateController rate (per-second WAD).
    pub rate: U256,
    /// Oracle state (0 Maintain, 1 Expansion, 2 Contraction).
    pub oracle_state: u8,
}

impl Checker {
    /// A checker that accrues first and has seen no loss.
    pub fn new() -> Self {
        Self {
            accrue_first: true,
            ..Self::default()
        }
    }

    /// Checks every invariant.
    ///
    /// # Errors
    /// The first violated invariant, with its numbers.
    pub fn check<B: Backend>(&self, w: &World, b: &mut B) -> Result<Snapshot, Violation> {
        let s = w.suite;
        if self.accrue_first {
            b.send(s.vault, &IVault::accrueCall {})
                .map_err(|e| Violation(format!("Vault.accrue() failed: {e}")))?;
        }
        let totals = b.view(s.vault, &IVault::totalsCall {})?;
        let state = b.view(s.vault, &IVault::stateCall {})?;
        let supply = b.view(s.al_asset, &IAlAsset::totalSupplyCall {})?;
        let minter = |b: &mut B, minter: Address| -> Result<U256, CallError> {
            Ok(b.view(s.al_asset, &IAlAsset::minterInfoCall { minter })?
                .outstanding)
        };
        let psm_outstanding = minter(b, s.psm)?;
        let expansion = minter(b, s.twap_oracle)?;
        let pending = b.view(s.transmuter, &ITransmuter::totalPendingCall {})?;

        // 1. supply reconciliation.
        let liabilities = totals.freeDebt
            + totals.paidDebt
            + totals.badDebt
            + psm_outstanding
            + pending
            + expansion;
        ensure!(
            supply + state.pendingInterest == liabilities,
            "invariant 1: supply {supply} + pendingInterest {} != free {} + paid {} + bad {} + psm {psm_outstanding} + pending {pending} + expansion {expansion} (= {liabilities})",
            state.pendingInterest, totals.freeDebt, totals.paidDebt, totals.badDebt
        );
        ensure!(
            state.earmarkedDebt == pending,
            "invariant 1/3: Vault earmarkedDebt {} != Transmuter totalPending {pending}",
            state.earmarkedDebt
        );

        // 2. Σ account debts vs totals, and collect accounts for 5 and 7.
        let params = b.view(s.vault, &IVault::parametersCall {})?;
        let (mut free_sum, mut paid_sum, mut n) = (U256::ZERO, U256::ZERO, 0u64);
        let mut accounts = Vec::new();
        for &who in &w.actors {
            let a = b.view(s.vault, &IVault::accountOfCall { account: who })?;
            if a.redeemable {
                free_sum += a.debt;
            } else {
                paid_sum += a.debt;
            }
            n += 1;
            accounts.push((who, a));
        }
        let bound = U256::from(n * DEBT_ROUNDING_PER_ACCOUNT);
        ensure!(
            free_sum >= totals.freeDebt && free_sum - totals.freeDebt <= bound,
            "invariant 2: Σ free account debts {free_sum} vs freeDebt {} (bound {bound})",
            totals.freeDebt
        );
        ensure!(
            paid_sum >= totals.paidDebt && paid_sum - totals.paidDebt <= bound,
            "invariant 2: Σ paid account debts {paid_sum} vs paidDebt {} (bound {bound})",
            totals.paidDebt
        );

        // 3. earmarked collateral covers the pending positions.
        if !self.collateral_loss_seen && !pending.is_zero() {
            let shares = totals.earmarkedShares + state.earmarkShortfall;
            let value =
                b.view(s.collateral, &IMockErc4626::convertToAssetsCall { shares })? * w.scale();
            let positions = U256::from(count_open_positions(w, b)?);
            ensure!(
                value + positions * w.scale() >= pending,
                "invariant 3: earmarked collateral worth {value} (coin) < pending {pending} ({positions} positions)"
            );
        }

        // 4. PSM holdings back freePsmAssets.
        let free = b.view(s.psm, &IPsm::freePsmAssetsCall {})?;
        let holdings = b.view(s.psm, &IPsm::holdingsCall {})?;
        let shortfall = b.view(s.psm, &IPsm::shortfallCall {})?;
        ensure!(
            shortfall == free.saturating_sub(holdings),
            "invariant 4: shortfall {shortfall} != freePsmAssets {free} - holdings {holdings}"
        );
        ensure!(
            self.psm_loss_seen || holdings >= free,
            "invariant 4: PSM holdings {holdings} < freePsmAssets {free}"
        );

        // 5. liquidation only of unhealthy accounts; unhealthy accounts cannot borrow or withdraw.
        let liquidator = w.deployer;
        for (who, a) in &accounts {
            if a.debt.is_zero() {
                continue;
            }
            if a.ltvBps < params.liquidationLtvBps {
                let sim = b
                    .view_from(
                        liquidator,
                        s.vault,
                        &IVault::liquidateCall {
                            account: *who,
                            repayAmount: U256::from(1u8),
                        },
                    )
                    .map(drop);
                ensure!(
                    matches!(&sim, Err(e) if e.is::<vault::AccountHealthy>()),
                    "invariant 5: healthy account {who} (LTV {} bps < {}) liquidation simulated as {sim:?}",
                    a.ltvBps, params.liquidationLtvBps
                );
            }
            if a.ltvBps > params.maxLtvBps {
                let borrow = b.view_from(
                    *who,
                    s.vault,
                    &IVault::borrowCall {
                        amount: params.minDebt.max(U256::from(1u8)),
                        recipient: *who,
                    },
                );
                ensure!(
                    borrow.is_err(),
                    "invariant 5: account {who} over maxLtv ({} bps) can borrow",
                    a.ltvBps
                );
                if !a.shares.is_zero() {
                    let withdraw = b.view_from(
                        *who,
                        s.vault,
                        &IVault::withdrawCall {
                            shares: U256::from(1u8),
                            recipient: *who,
                        },
                    );
                    ensure!(
                        withdraw.is_err(),
                        "invariant 5: account {who} over maxLtv ({} bps) can withdraw",
                        a.ltvBps
                    );
                }
            }
        }

        // 6. rate bounds; oracle state matches its TWAP.
        let rate = b.view(s.rate_controller, &IRateController::rateCall {})?;
        let min_rate = b.view(s.rate_controller, &IRateController::minRateCall {})?;
        let max_rate = b.view(s.rate_controller, &IRateController::maxRateCall {})?;
        ensure!(
            min_rate <= rate && rate <= max_rate,
            "invariant 6: rate {rate} outside [{min_rate}, {max_rate}]"
        );
        let twap = b.view(s.twap_oracle, &ITwapOracle::lastTwapCall {})?;
        let oracle_state = b.view(s.twap_oracle, &ITwapOracle::stateCall {})?;
        let p = b.view(s.twap_oracle, &ITwapOracle::paramsCall {})?;
        let wad = U256::from(WAD);
        let upper = wad + wad * p.upperBandBps / U256::from(10_000u64);
        let lower = wad - wad * p.lowerBandBps / U256::from(10_000u64);
        let expected = if twap > upper {
            1
        } else if twap < lower {
            2
        } else {
            0
        };
        ensure!(
            oracle_state == expected,
            "invariant 6: oracle state {oracle_state} but lastTwap {twap} implies {expected}"
        );

        // 7. exits work.
        let available = free.min(holdings);
        if !available.is_zero() {
            let coin_in = available * w.scale();
            let quote = b.view(s.psm, &IPsm::quoteSellCall { coinIn: coin_in });
            ensure!(
                quote.as_ref().is_ok_and(|out| *out == available),
                "invariant 7: selling {coin_in} coin (all available PSM liquidity) quotes {quote:?}, expected {available}"
            );
        }
        for (who, a) in &accounts {
            // The full repayment offers the whole balance (the Vault takes
            // only the debt): on a wall-clock chain the call runs a little
            // later than the view and owes a little more interest.
            let balance = w.al_balance(b, *who)?;
            if !a.debt.is_zero() && balance > a.debt {
                let repay = b
                    .view_from(
                        *who,
                        s.vault,
                        &IVault::repayCall {
                            amount: balance,
                            account: *who,
                        },
                    )
                    .map(drop);
                ensure!(
                    repay.is_ok(),
                    "invariant 7: {who} cannot repay its debt {}: {repay:?}",
                    a.debt
                );
            }
            if a.debt.is_zero() && !a.shares.is_zero() {
                let withdraw = b
                    .view_from(
                        *who,
                        s.vault,
                        &IVault::withdrawCall {
                            shares: a.shares,
                            recipient: *who,
                        },
                    )
                    .map(drop);
                ensure!(
                    withdraw.is_ok(),
                    "invariant 7: {who} cannot withdraw its debt-free collateral: {withdraw:?}"
                );
            }
        }
        let now = b.timestamp()?;
        for &who in &w.actors {
            for id in b.view(s.transmuter, &ITransmuter::positionsOfCall { owner: who })? {
                let p = b.view(s.transmuter, &ITransmuter::positionCall { id })?;
                if p.owner == who && !p.claimed && p.maturity <= now {
                    let claim = b
                        .view_from(who, s.transmuter, &ITransmuter::claimRedemptionCall { id })
                        .map(drop);
                    ensure!(
                        claim.is_ok(),
                        "invariant 7: matured position {id} of {who} cannot be claimed: {claim:?}"
                    );
                }
            }
        }
        Ok(Snapshot {
            supply,
            free_debt: totals.freeDebt,
            paid_debt: totals.paidDebt,
            bad_debt: totals.badDebt,
            pending,
            psm_outstanding,
            expansion,
            rate,
            oracle_state,
        })
    }
}

fn count_open_positions<B: Backend>(w: &World, b: &mut B) -> Result<u64, CallError> {
    let mut n = 0;
    for &who in &w.actors {
        for id in b.view(
            w.suite.transmuter,
            &ITransmuter::positionsOfCall { owner: who },
        )? {
            let p = b.view(w.suite.transmuter, &ITransmuter::positionCall { id })?;
            n += u64::from(p.owner == who && !p.claimed);
        }
    }
    Ok(n)
}
