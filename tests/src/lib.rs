//! End-to-end support for the suite, over any [`deploy::Backend`] (the
//! in-process devnet or a JSON-RPC node):
//!
//! * [`World`]: the deployed suite plus funded, approved actors;
//! * [`Action`]: what wallets, arbitrageurs, keepers and the guardian do,
//!   executed through the public ABI;
//! * [`invariants::Checker`]: SUITE.md section 9 checked against on-chain views
//!   (and `eth_call` simulations) after every step.

pub mod invariants;

use alloy_primitives::{Address, U256};
use deploy::{
    interfaces::{
        IAlAsset, IMockErc20, IMockErc4626, IPsm, ITransmuter, ITwapOracle, IV2Pool, IVault,
    },
    Backend, BackendExt, CallError, Suite,
};

pub use testkit::{coin, pow10};

/// Outcome of an action that is allowed to fail (a revert the protocol
/// chose, e.g. borrowing past the LTV).
pub type Step = Result<(), CallError>;

/// Revert data standing for "nothing to do" (e.g. no matured position to
/// claim): the action sent nothing.
pub const SKIPPED: &[u8] = b"skipped";

/// The deployed suite and its actors.
#[derive(Clone, Debug)]
pub struct World {
    /// Addresses.
    pub suite: Suite,
    /// Deployer: owner, guardian and treasury on the devnet profile.
    pub deployer: Address,
    /// Borrowers, traders and liquidators (funded with the asset and
    /// collateral shares, every approval given).
    pub actors: Vec<Address>,
    /// Decimals of the reference asset.
    pub asset_decimals: u8,
}

impl World {
    /// Funds and approves `actors` on a suite deployed with the devnet
    /// profile: each gets `asset_each` whole units of the asset, half of
    /// it deposited in the collateral vault for shares.
    ///
    /// # Errors
    /// A failing setup transaction.
    pub fn setup<B: Backend>(
        b: &mut B,
        suite: Suite,
        actors: &[Address],
        asset_each: u64,
    ) -> Result<Self, CallError> {
        let decimals = b.view(suite.asset, &IMockErc20::decimalsCall {})?;
        let world = Self {
            suite,
            deployer: b.sender(),
            actors: actors.to_vec(),
            asset_decimals: decimals,
        };
        let s = suite;
        let amount = U256::from(asset_each) * pow10(decimals);
        for &who in actors {
            b.send(s.asset, &IMockErc20::mintCall { to: who, amount })?;
            for spender in [s.collateral, s.psm, s.pool] {
                b.send_from(
                    who,
                    s.asset,
                    &IMockErc20::approveCall {
                        spender,
                        value: U256::MAX,
                    },
                )?;
            }
            for spender in [s.vault, s.psm, s.pool, s.transmuter] {
                b.send_from(
                    who,
                    s.al_asset,
                    &IAlAsset::approveCall {
                        spender,
                        value: U256::MAX,
                    },
                )?;
            }
            b.send_from(
                who,
                s.collateral,
                &IMockErc4626::approveCall {
                    spender: s.vault,
                    value: U256::MAX,
                },
            )?;
            b.send_from(
                who,
                s.collateral,
                &IMockErc4626::depositCall {
                    assets: amount / U256::from(2u8),
                    receiver: who,
                },
            )?;
        }
        // The deployer (treasury) covers bad debt: it approves the Vault.
        b.send(
            s.al_asset,
            &IAlAsset::approveCall {
                spender: s.vault,
                value: U256::MAX,
            },
        )?;
        Ok(world)
    }

    /// Every actor deposits all its collateral shares and borrows `pct`% of
    /// its maximum; the first `redeemable` actors choose free debt first.
    ///
    /// # Errors
    /// A failing transaction.
    pub fn open_loans<B: Backend>(
        &self,
        b: &mut B,
        pct: u8,
        redeemable: usize,
    ) -> Result<(), CallError> {
        let s = self.suite;
        for (i, &who) in self.actors.iter().enumerate() {
            let shares = b.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
            b.send_from(
                who,
                s.vault,
                &IVault::depositCall {
                    shares,
                    recipient: who,
                },
            )?;
            if i < redeemable {
                b.send_from(
                    who,
                    s.vault,
                    &IVault::setRedeemableCall { redeemable: true },
                )?;
            }
            let account = b.view(s.vault, &IVault::accountOfCall { account: who })?;
            let amount = pct_of(account.maxBorrowable, pct);
            b.send_from(
                who,
                s.vault,
                &IVault::borrowCall {
                    amount,
                    recipient: who,
                },
            )?;
        }
        Ok(())
    }

    /// `units` whole units of the asset in base units.
    pub fn asset(&self, units: u64) -> U256 {
        U256::from(units) * pow10(self.asset_decimals)
    }

    /// Coin per asset base unit: `10^(18 - decimals)`.
    pub fn scale(&self) -> U256 {
        pow10(18 - self.asset_decimals)
    }

    /// alAsset balance of `who`.
    ///
    /// # Errors
    /// Backend failures.
    pub fn al_balance<B: Backend>(&self, b: &mut B, who: Address) -> Result<U256, CallError> {
        b.view(
            self.suite.al_asset,
            &IAlAsset::balanceOfCall { account: who },
        )
    }

    /// The pool's price of the alAsset in the asset, WAD (spot, from reserves).
    ///
    /// # Errors
    /// Backend failures.
    pub fn spot_price<B: Backend>(&self, b: &mut B) -> Result<U256, CallError> {
        b.view(self.suite.twap_oracle, &ITwapOracle::spotPriceCall {})
    }

    /// Swaps `amount_in` of `token_in` in the pool for `who`.
    ///
    /// # Errors
    /// The pool's revert.
    pub fn swap<B: Backend>(
        &self,
        b: &mut B,
        who: Address,
        token_in: Address,
        amount_in: U256,
    ) -> Step {
        b.send_from(
            who,
            self.suite.pool,
            &IV2Pool::swapExactInCall {
                tokenIn: token_in,
                amountIn: amount_in,
                minOut: U256::ZERO,
                to: who,
            },
        )
        .map(drop)
    }

    /// Samples the oracle as often as its interval allows over `seconds`,
    /// then advances the epoch if it is over.
    ///
    /// # Errors
    /// Backend failures (sampling reverts are expected and skipped).
    pub fn keep_oracle<B: Backend>(
        &self,
        b: &mut B,
        seconds: u64,
        interval: u64,
    ) -> Result<(), CallError> {
        let mut elapsed = 0;
        while elapsed < seconds {
            let step = interval.min(seconds - elapsed);
            b.increase_time(step)?;
            elapsed += step;
            if b.send(self.suite.twap_oracle, &ITwapOracle::sampleCall {})
                .is_err()
            {
                let _ = b.send(self.suite.twap_oracle, &ITwapOracle::advanceEpochCall {});
                let _ = b.send(self.suite.twap_oracle, &ITwapOracle::sampleCall {});
            }
        }
        Ok(())
    }
}

/// An action by an actor (indices are taken modulo the number of actors;
/// percentages are of the relevant balance, 1–100).
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // fields: `who` / `target` actor indices, `pct` percent, as in each variant's doc
pub enum Action {
    /// Deposit `pct`% of the actor's collateral shares into the Vault.
    Deposit { who: usize, pct: u8 },
    /// Withdraw `pct`% of the actor's shares from the Vault.
    Withdraw { who: usize, pct: u8 },
    /// Borrow `pct`% of the actor's `maxBorrowable`.
    Borrow { who: usize, pct: u8 },
    /// Repay `pct`% of the actor's debt (as far as its balance goes).
    Repay { who: usize, pct: u8 },
    /// Switch the actor between free (redeemable) and paid debt.
    SetRedeemable { who: usize, redeemable: bool },
    /// `who` liquidates `target`, repaying `pct`% of the close-factor limit.
    Liquidate { who: usize, target: usize, pct: u8 },
    /// Buy alAsset from the PSM with `units` whole units of the asset.
    PsmBuy { who: usize, units: u32 },
    /// Sell `pct`% of the actor's alAsset to the PSM.
    PsmSell { who: usize, pct: u8 },
    /// Put `pct`% of the actor's alAsset in the Transmuter.
    TransmuterCreate { who: usize, pct: u8 },
    /// Claim the actor's first matured position.
    TransmuterClaim { who: usize },
    /// Sell `units` of the asset (`buy_al`) or `pct`-scaled alAsset into the pool.
    Swap {
        who: usize,
        buy_al: bool,
        units: u32,
    },
    /// Keeper: `sample()`.
    Sample,
    /// Keeper: `advanceEpoch()`.
    AdvanceEpoch,
    /// Time passes.
    Warp { seconds: u64 },
    /// The collateral's yield token gains `bps`.
    Yield { bps: u16 },
    /// The collateral's yield token loses `bps`.
    Loss { bps: u16 },
    /// The treasury covers `pct`% of the bad debt.
    CoverBadDebt { pct: u8 },
    /// The PSM's yield is harvested.
    Harvest,
    /// The guardian pauses (or the owner unpauses) every entry path.
    Pause { paused: bool },
}

fn pct_of(value: U256, pct: u8) -> U256 {
    value * U256::from(pct.clamp(1, 100)) / U256::from(100u8)
}

impl Action {
    /// Executes the action. `Ok(Err(revert))` is a revert the protocol is
    /// allowed to make; `Err` is a backend failure.
    ///
    /// # Errors
    /// Backend (not revert) failures.
    pub fn run<B: Backend>(&self, w: &World, b: &mut B) -> Result<Step, CallError> {
        let s = w.suite;
        let actor = |i: usize| w.actors[i % w.actors.len()];
        let result = match *self {
            Self::Deposit { who, pct } => {
                let who = actor(who);
                let shares = b.view(s.collateral, &IMockErc4626::balanceOfCall { account: who })?;
                b.send_from(
                    who,
                    s.vault,
                    &IVault::depositCall {
                        shares: pct_of(shares, pct),
                        recipient: who,
                    },
                )
                .map(drop)
            }
            Self::Withdraw { who, pct } => {
                let who = actor(who);
                let account = b.view(s.vault, &IVault::accountOfCall { account: who })?;
                b.send_from(
                    who,
                    s.vault,
                    &IVault::withdrawCall {
                        shares: pct_of(account.shares, pct),
                        recipient: who,
                    },
                )
                .map(drop)
            }
            Self::Borrow { who, pct } => {
                let who = actor(who);
                let account = b.view(s.vault, &IVault::accountOfCall { account: who })?;
                b.send_from(
                    who,
                    s.vault,
                    &IVault::borrowCall {
                        amount: pct_of(account.maxBorrowable, pct),
                        recipient: who,
                    },
                )
                .map(drop)
            }
            Self::Repay { who, pct } => {
                let who = actor(who);
                let account = b.view(s.vault, &IVault::accountOfCall { account: who })?;
                let balance = w.al_balance(b, who)?;
                let amount = pct_of(account.debt, pct).min(balance);
                b.send_from(
                    who,
                    s.vault,
                    &IVault::repayCall {
                        amount,
                        account: who,
                    },
                )
                .map(drop)
            }
            Self::SetRedeemable { who, redeemable } => b
                .send_from(
                    actor(who),
                    s.vault,
                    &IVault::setRedeemableCall { redeemable },
                )
                .map(drop),
            Self::Liquidate { who, target, pct } => {
                let (who, target) = (actor(who), actor(target));
                let account = b.view(s.vault, &IVault::accountOfCall { account: target })?;
                let params = b.view(s.vault, &IVault::parametersCall {})?;
                let limit = account.debt * params.closeFactorBps / U256::from(10_000u64);
                let amount = pct_of(limit, pct).min(w.al_balance(b, who)?);
                b.send_from(
                    who,
                    s.vault,
                    &IVault::liquidateCall {
                        account: target,
                        repayAmount: amount,
                    },
                )
                .map(drop)
            }
            Self::PsmBuy { who, units } => {
                let who = actor(who);
                let amount = w.asset(u64::from(units));
                b.send_from(
                    who,
                    s.psm,
                    &IPsm::buyCall {
                        assetIn: amount,
                        minCoinOut: U256::ZERO,
                        recipient: who,
                    },
                )
                .map(drop)
            }
            Self::PsmSell { who, pct } => {
                let who = actor(who);
                let amount = pct_of(w.al_balance(b, who)?, pct);
                b.send_from(
                    who,
                    s.psm,
                    &IPsm::sellCall {
                        coinIn: amount,
                        minAssetOut: U256::ZERO,
                        recipient: who,
                    },
                )
                .map(drop)
            }
            Self::TransmuterCreate { who, pct } => {
                let who = actor(who);
                let amount = pct_of(w.al_balance(b, who)?, pct);
                b.send_from(
                    who,
                    s.transmuter,
                    &ITransmuter::createRedemptionCall { amount },
                )
                .map(drop)
            }
            Self::TransmuterClaim { who } => {
                let who = actor(who);
                let now = b.timestamp()?;
                let ids = b.view(s.transmuter, &ITransmuter::positionsOfCall { owner: who })?;
                let mut result = Err(CallError::Reverted {
                    data: alloy_primitives::Bytes::from_static(SKIPPED),
                    reason: "no matured position".into(),
                });
                for id in ids {
                    let p = b.view(s.transmuter, &ITransmuter::positionCall { id })?;
                    if p.owner == who && !p.claimed && p.maturity <= now {
                        result = b
                            .send_from(who, s.transmuter, &ITransmuter::claimRedemptionCall { id })
                            .map(drop);
                        break;
                    }
                }
                result
            }
            Self::Swap { who, buy_al, units } => {
                let who = actor(who);
                if buy_al {
                    w.swap(b, who, s.asset, w.asset(u64::from(units)))
                } else {
                    let amount = coin(u64::from(units)).min(w.al_balance(b, who)?);
                    w.swap(b, who, s.al_asset, amount)
                }
            }
            Self::Sample => b.send(s.twap_oracle, &ITwapOracle::sampleCall {}).map(drop),
            Self::AdvanceEpoch => b
                .send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
                .map(drop),
            Self::Warp { seconds } => {
                b.increase_time(seconds)?;
                Ok(())
            }
            Self::Yield { bps } => b
                .send(
                    s.collateral,
                    &IMockErc4626::simulateYieldCall {
                        bps: U256::from(bps),
                    },
                )
                .map(drop),
            Self::Loss { bps } => b
                .send(
                    s.collateral,
                    &IMockErc4626::simulateLossCall {
                        bps: U256::from(bps),
                    },
                )
                .map(drop),
            Self::CoverBadDebt { pct } => {
                let bad = b.view(s.vault, &IVault::totalsCall {})?.badDebt;
                let amount = pct_of(bad, pct).min(w.al_balance(b, w.deployer)?);
                b.send(s.vault, &IVault::coverBadDebtCall { amount })
                    .map(drop)
            }
            Self::Harvest => b.send(s.psm, &IPsm::harvestCall {}).map(drop),
            Self::Pause { paused } => {
                let r1 = b.send(s.vault, &IVault::setPausedCall { paused }).map(drop);
                let r2 = b.send(s.psm, &IPsm::setBuyPausedCall { paused }).map(drop);
                let r3 = b
                    .send(s.transmuter, &ITransmuter::setEntryPausedCall { paused })
                    .map(drop);
                r1.and(r2).and(r3)
            }
        };
        match result {
            Err(CallError::Backend(message)) => Err(CallError::Backend(message)),
            other => Ok(other),
        }
    }
}
