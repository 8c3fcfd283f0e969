//! # TwapOracle — epoch TWAP of the alAsset and the protocol state (seed 003)
//!
//! Measures the alAsset's market price (psmAsset per alAsset, WAD,
//! decimals-normalised) from any Uniswap-V2-style pair over **6-hour
//! epochs**, sets the protocol state read by the RateController, and mints
//! **backed expansion** to the `expansionRecipient`.
//!
//! * `sample()` (permissionless, at most once per `sampleInterval`): the TWAP
//!   of the pool since the previous observation, from V2 cumulative prices
//!   (with the current block's counterfactual cumulative, as
//!   `UniswapV2OracleLibrary.currentCumulativePrices`, so a sample is exact
//!   even if the pool was not touched this block). A trade moves a sample only
//!   in proportion to how long its price persisted.
//! * `advanceEpoch()` (permissionless, once the epoch is over): the epoch TWAP
//!   is the span-weighted mean of its samples; with fewer than `minSamples`,
//!   or when one or more whole epochs were missed, it is the cumulative
//!   average over the whole time since the epoch opened (a missed gap is one
//!   collapsed epoch: one state decision, at most one expansion mint).
//!   State: Expansion if TWAP > 1 + upper band, Contraction if TWAP < 1 −
//!   lower band, Maintain otherwise.
//! * Expansion mints `min(supply, supplyAtOpen) × min((twap − 1) ×
//!   expansionFactor, maxExpansionRate)`, only when backing
//!   `(collateral × min(1, sharesAtOpen / shares) + PSM assets in coin) /
//!   supply` is above 100%, never more than the surplus above 100%, and
//!   never past the oracle's minter ceiling on the alAsset. `…AtOpen` are
//!   snapshots taken when the epoch opened (the previous `advanceEpoch`):
//!   collateral deposited after the opening does not count, so a deposit or
//!   a PSM round trip around one `advanceEpoch` cannot raise the amount.
//!   A failing peer, a paused or full minter skip the expansion with
//!   `ExpansionSkipped`: `advanceEpoch` never reverts because of a backing
//!   peer or the alAsset.
//!
//! See the crate README for the choices and the numbers.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{Address, Uint, B256, U256, U64, U8};
use alloy_sol_types::SolCall;
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{
        StorageAddress, StorageBool, StorageMap, StorageU256, StorageU64, StorageU8, StorageUint,
    },
};
use suite_common::{
    abi::{calldata, return_word},
    access::{Access, AccessError, IOwnable},
    errors::ZeroAddress,
    events::{bool_word, emit, word},
    impl_ownable,
    math::{self, MathError, Rounding::Down, UnsupportedDecimals, BPS, WAD},
    uq112::{cumulative_increment, Q112},
};

/// Selectors of the peer functions the oracle calls, encoded by hand
/// (`suite_common::abi::calldata`) to stay under the size limit.
mod abi {
    #![allow(missing_docs, clippy::all)]
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::uniswap_v2_pair_abi!(alloy_sol_types::sol);
    suite_common::vault_abi!(alloy_sol_types::sol);
    suite_common::psm_abi!(alloy_sol_types::sol);
    suite_common::transmuter_abi!(alloy_sol_types::sol);
    pub use IAlAsset::{balanceOfCall, decimalsCall, mintCall, minterInfoCall, totalSupplyCall};
    pub use IPsm::freePsmAssetsInCoinCall;
    pub use ITransmuter::totalPendingCall;
    pub use IUniswapV2Pair::{
        getReservesCall, price0CumulativeLastCall, price1CumulativeLastCall, token0Call, token1Call,
    };
    pub use IVault::{peersCall, totalsCall};
}

/// Length of an epoch `[seconds]` (6 hours, seed 003).
pub const EPOCH_LENGTH: u64 = 6 * 3600;
/// Bounds of `sampleInterval` `[seconds]`.
pub const MIN_SAMPLE_INTERVAL: u64 = 5 * 60;
/// Upper bound of `sampleInterval` `[seconds]` (at least two samples per epoch).
pub const MAX_SAMPLE_INTERVAL: u64 = EPOCH_LENGTH / 2;
/// Bounds of the state bands `[bps]`.
pub const MIN_BAND_BPS: u64 = 1;
/// Upper bound of the state bands `[bps]` (10%).
pub const MAX_BAND_BPS: u64 = 1_000;
/// Upper bound of `expansionFactor` `[bps]` (100%).
pub const MAX_EXPANSION_FACTOR_BPS: u64 = 10_000;
/// Upper bound of `maxExpansionRate` `[bps]` (1% of supply per epoch).
pub const MAX_EXPANSION_RATE_BPS: u64 = 100;
/// Default bands `[bps]`: Expansion above 1.01, Contraction below 0.99.
pub const DEFAULT_BAND_BPS: u64 = 100;
/// Default `expansionFactor` `[bps]` (2%, seed 003).
pub const DEFAULT_EXPANSION_FACTOR_BPS: u64 = 200;
/// Default `maxExpansionRate` `[bps]` (0.10% of supply per epoch, seed 003).
pub const DEFAULT_MAX_EXPANSION_RATE_BPS: u64 = 10;

/// `state()`: inside the bands.
pub const STATE_MAINTAIN: u8 = 0;
/// `state()`: TWAP above the upper band.
pub const STATE_EXPANSION: u8 = 1;
/// `state()`: TWAP below the lower band.
pub const STATE_CONTRACTION: u8 = 2;

/// `pegHealth()`: 0.99 ≤ TWAP ≤ 1.01.
pub const HEALTH_HEALTHY: u8 = 0;
/// `pegHealth()`: 1.01 < TWAP ≤ 1.05.
pub const HEALTH_ELEVATED: u8 = 1;
/// `pegHealth()`: TWAP > 1.05.
pub const HEALTH_HIGH: u8 = 2;
/// `pegHealth()`: 0.95 ≤ TWAP < 0.99.
pub const HEALTH_WEAK: u8 = 3;
/// `pegHealth()`: 0.85 ≤ TWAP < 0.95.
pub const HEALTH_BROKEN: u8 = 4;
/// `pegHealth()`: TWAP < 0.85.
pub const HEALTH_CRITICAL: u8 = 5;

/// `peersMissingMask` bit: no Vault wired.
pub const MISSING_VAULT: u8 = 1;
/// `peersMissingMask` bit: no PSM wired.
pub const MISSING_PSM: u8 = 2;
/// `peersMissingMask` bit: no Transmuter wired.
pub const MISSING_TRANSMUTER: u8 = 4;

/// `ExpansionSkipped` reason: a backing peer's view or the alAsset reverted
/// or answered garbage (`peer` says which).
pub const SKIP_PEER_FAILED: u8 = 1;
/// `ExpansionSkipped` reason: the formula gives nothing (no supply at the
/// epoch's opening, or a zero expansion factor).
pub const SKIP_NOTHING_DUE: u8 = 2;
/// `ExpansionSkipped` reason: backing at or below 100%.
pub const SKIP_NO_SURPLUS: u8 = 3;
/// `ExpansionSkipped` reason: the oracle's minter is inactive, paused or at its ceiling.
pub const SKIP_MINTER_LIMIT: u8 = 4;

sol! {
    /// A sample is allowed again at `nextAllowedAt`.
    #[derive(Debug, PartialEq, Eq)]
    error SampleTooSoon(uint256 nextAllowedAt);
    /// The epoch ends at `endsAt`.
    #[derive(Debug, PartialEq, Eq)]
    error EpochNotOver(uint256 endsAt);
    /// The epoch ended at `endedAt`: call `advanceEpoch` before sampling.
    #[derive(Debug, PartialEq, Eq)]
    error EpochOver(uint256 endedAt);
    /// `pool` has an empty reserve: it has no price.
    #[derive(Debug, PartialEq, Eq)]
    error PoolHasNoLiquidity(address pool);
    /// `alAsset` is neither token of `pool`.
    #[derive(Debug, PartialEq, Eq)]
    error AlAssetNotInPool(address pool, address alAsset);
    /// A parameter `value` outside `[min, max]`.
    #[derive(Debug, PartialEq, Eq)]
    error ParameterOutOfBounds(uint256 value, uint256 min, uint256 max);
    /// `peer` answered with too little data, or (for the backing views) reverted.
    #[derive(Debug, PartialEq, Eq)]
    error BadPeerResponse(address peer);

    /// A sample of `epoch`: the TWAP `[wad]` over the last `span` seconds; `samples` so far.
    event Sampled(uint256 indexed epoch, uint256 twap, uint256 span, uint256 samples);
    /// `epoch` closed with `twap` `[wad]` and `state` (0 Maintain, 1 Expansion, 2 Contraction).
    event EpochAdvanced(uint256 indexed epoch, uint256 twap, uint8 state, uint256 samples, bool usedFallback);
    /// Nobody advanced epochs `firstEpoch..=lastEpoch`: they were collapsed into the previous one.
    event EpochsSkipped(uint256 firstEpoch, uint256 lastEpoch);
    /// Backing read for an expansion (all `[coin]`; bits of `peersMissingMask`: 1 Vault, 2 PSM, 4 Transmuter).
    event BackingComputed(uint256 collateral, uint256 psm, uint256 transmuter, uint256 supply, uint256 backingWad, uint8 peersMissingMask);
    /// `amount` alAsset minted to `recipient` for `epoch`; `formulaAmount` before the surplus and ceiling limits.
    event ExpansionMinted(uint256 indexed epoch, address indexed recipient, uint256 amount, uint256 formulaAmount);
    /// `epoch` closed in Expansion but minted nothing: `reason` 1 a peer failed
    /// (`peer`), 2 nothing due, 3 no surplus above 100%, 4 minter inactive, paused or full.
    event ExpansionSkipped(uint256 indexed epoch, uint8 reason, address peer);
    /// Sampling parameters changed.
    event SamplingSet(uint256 sampleInterval, uint256 minSamples);
    /// State bands changed.
    event BandsSet(uint256 upperBandBps, uint256 lowerBandBps);
    /// Expansion parameters changed.
    event ExpansionParamsSet(uint256 expansionFactorBps, uint256 maxExpansionRateBps);
    /// Expansion recipient changed.
    event ExpansionRecipientSet(address indexed recipient);
    /// Backing peers wired (zero: left unchanged).
    event PeersWired(address vault, address psm, address transmuter);
}

/// Every failure of the TwapOracle, as Solidity custom errors.
#[derive(SolidityError, Debug)]
pub enum TwapOracleError {
    /// Ownership failure, peer already wired.
    Access(AccessError),
    /// Arithmetic failure (also unsupported token decimals).
    Math(MathError),
    /// A peer call reverted (its revert data bubbles up).
    Call(stylus_sdk::stylus_core::calls::errors::Error),
    /// See [`ZeroAddress`].
    ZeroAddress(ZeroAddress),
    /// See [`SampleTooSoon`].
    SampleTooSoon(SampleTooSoon),
    /// See [`EpochNotOver`].
    EpochNotOver(EpochNotOver),
    /// See [`EpochOver`].
    EpochOver(EpochOver),
    /// See [`PoolHasNoLiquidity`].
    PoolHasNoLiquidity(PoolHasNoLiquidity),
    /// See [`AlAssetNotInPool`].
    AlAssetNotInPool(AlAssetNotInPool),
    /// See [`ParameterOutOfBounds`].
    ParameterOutOfBounds(ParameterOutOfBounds),
    /// See [`BadPeerResponse`].
    BadPeerResponse(BadPeerResponse),
}

/// One closed epoch: epoch, state and TWAP share one storage word (one new
/// slot per epoch); `minted` is written only when an expansion minted.
#[storage]
pub struct EpochRecord {
    /// Epoch number (the first of a collapsed gap).
    epoch: StorageU64,
    /// State set by the epoch.
    state: StorageU8,
    /// Epoch TWAP `[wad]`, saturated at `2^184 − 1` (a price of 2.4·10^37;
    /// `lastTwap` and the `EpochAdvanced` event carry the exact value).
    twap: StorageUint<184, 3>,
    /// Expansion minted `[coin]`.
    minted: StorageU256,
}

/// The TwapOracle contract.
///
/// Storage is packed by path: `sample` reads words 1–3 and the two
/// cumulative words, `advanceEpoch` words 1–4; the per-epoch sums are not
/// zeroed when an epoch opens (`weighted_sum` counts only while
/// `sample_count > 0`), so no slot goes from zero to nonzero per sample.
#[entrypoint]
#[storage]
pub struct TwapOracle {
    access: Access,
    // Word 1 (32 bytes).
    /// The V2-style pair alAsset / psmAsset.
    pool: StorageAddress,
    /// Whether the alAsset is the pool's `token0`.
    al_is_token0: StorageBool,
    /// State set by the last closed epoch.
    state: StorageU8,
    /// The alAsset's decimals (at most 18): the WAD price scale is
    /// `10^(18 + coin_decimals) / 10^asset_decimals`.
    coin_decimals: StorageU8,
    /// The psmAsset's decimals (at most 18).
    asset_decimals: StorageU8,
    /// Closed epochs recorded in `history`.
    history_len: StorageU64,
    // Word 2.
    /// Last observation (sample or opening) `[seconds]`.
    last_obs_ts: StorageU64,
    /// Σ span of the current epoch's samples `[seconds]` (at most an epoch).
    sampled_span: StorageU64,
    /// Samples taken in the current epoch.
    sample_count: StorageU64,
    /// The epoch in progress.
    current_epoch: StorageU64,
    // Word 3.
    /// Start of epoch 0 `[seconds]` (a multiple of `EPOCH_LENGTH`).
    genesis: StorageU64,
    /// `[seconds]` between samples.
    sample_interval: StorageU64,
    /// Samples an epoch needs to use them rather than the cumulative average.
    min_samples: StorageU64,
    /// When the current epoch was opened (its `advanceEpoch` or deployment) `[seconds]`.
    open_ts: StorageU64,
    // Word 4.
    /// Expansion above `1 + upper_band_bps` `[bps]`.
    upper_band_bps: StorageU64,
    /// Contraction below `1 - lower_band_bps` `[bps]`.
    lower_band_bps: StorageU64,
    /// Share of the premium minted per epoch `[bps]`.
    expansion_factor_bps: StorageU64,
    /// Cap on the expansion per epoch, share of supply `[bps]`.
    max_expansion_rate_bps: StorageU64,

    /// The oriented cumulative price at the last observation `[UQ112x112 · seconds]` (wrapping).
    last_obs_cum: StorageU256,
    /// Σ sample TWAP × span over the current epoch `[wad · seconds]`; meaningful
    /// only while `sample_count > 0` (a new epoch starts over without zeroing it).
    weighted_sum: StorageU256,
    /// The oriented cumulative price when the epoch opened `[UQ112x112 · seconds]` (wrapping).
    open_cum: StorageU256,
    /// TWAP of the last closed epoch `[wad]` (1.0 before the first).
    last_twap: StorageU256,
    /// The alAsset (this oracle is one of its minters).
    al_asset: StorageAddress,
    /// Receives expansion mints (stakers / rewards).
    expansion_recipient: StorageAddress,
    /// Backing peers (zero: not wired, contributes zero).
    vault: StorageAddress,
    psm: StorageAddress,
    transmuter: StorageAddress,
    /// Collateral shares held by the Vault when the epoch opened `[shares]`
    /// (saturated; 0 before the first close or when a view failed then).
    open_shares: StorageUint<128, 2>,
    /// alAsset supply when the epoch opened, expansion included `[coin]` (saturated).
    open_supply: StorageUint<128, 2>,
    /// Closed epochs, oldest first.
    history: StorageMap<U256, EpochRecord>,
}

/// A stored 64-bit field.
fn get64(slot: &StorageU64) -> u64 {
    slot.get().as_limbs()[0]
}

/// A 64-bit value to store.
fn u64_word(value: u64) -> U64 {
    U64::from_limbs([value])
}

/// A bounded parameter (checked by `bounded`) to store in 64 bits.
fn param(value: U256) -> U64 {
    u64_word(value.as_limbs()[0])
}

/// `twap` saturated to 184 bits for the history.
fn history_twap(twap: U256) -> Uint<184, 3> {
    let [a, b, c, d] = *twap.as_limbs();
    if d != 0 || c >> 56 != 0 {
        Uint::<184, 3>::MAX
    } else {
        Uint::<184, 3>::from_limbs([a, b, c])
    }
}

/// A stored history TWAP as a `U256`.
fn widen_twap(twap: Uint<184, 3>) -> U256 {
    let [a, b, c] = *twap.as_limbs();
    U256::from_limbs([a, b, c, 0])
}

/// The state for an epoch TWAP `[wad]` with the given bands `[bps]`.
pub fn classify(twap: U256, upper_band_bps: U256, lower_band_bps: U256) -> u8 {
    // BPS * 10^14 = WAD; bands are at most MAX_BAND_BPS, so no overflow or underflow.
    let unit = U256::from(100_000_000_000_000u64);
    if twap > WAD + upper_band_bps * unit {
        STATE_EXPANSION
    } else if twap < WAD - lower_band_bps * unit {
        STATE_CONTRACTION
    } else {
        STATE_MAINTAIN
    }
}

/// The dashboard peg-health band of a TWAP `[wad]` (see the `HEALTH_*` constants).
pub fn peg_health_of(twap: U256) -> u8 {
    let pct = |p: u64| U256::from(p) * U256::from(10_000_000_000_000_000u64);
    if twap > pct(105) {
        HEALTH_HIGH
    } else if twap > pct(101) {
        HEALTH_ELEVATED
    } else if twap >= pct(99) {
        HEALTH_HEALTHY
    } else if twap >= pct(95) {
        HEALTH_WEAK
    } else if twap >= pct(85) {
        HEALTH_BROKEN
    } else {
        HEALTH_CRITICAL
    }
}

/// The expansion formula: `supply × min((twap − 1) × factor, maxRate)`,
/// rounded down, with `factor` and `maxRate` in `[bps]`. Zero at or below peg.
///
/// # Errors
/// None in practice: every product has a 512-bit intermediate and the result
/// is at most 1% of `supply` (a `MathError` would need out-of-bounds bps).
pub fn expansion_amount(
    supply: U256,
    twap: U256,
    expansion_factor_bps: U256,
    max_expansion_rate_bps: U256,
) -> Result<U256, MathError> {
    let Some(premium) = twap.checked_sub(WAD) else {
        return Ok(U256::ZERO);
    };
    // The rate `[wad]`, at most the cap (<= 1% = 10^16).
    let rate = math::mul_div(premium, expansion_factor_bps, BPS, Down)?;
    let cap = math::mul_div(max_expansion_rate_bps, WAD, BPS, Down)?;
    math::mul_div(supply, rate.min(cap), WAD, Down)
}

/// `10^n` (`n <= 36`).
fn pow10(n: u32) -> U256 {
    let mut x = U256::from(1);
    for _ in 0..n {
        // Cannot overflow: 10^36 < 2^120.
        x *= U256::from(10);
    }
    x
}

/// `decimals` if at most 18, else `UnsupportedDecimals`.
fn supported(decimals: U256) -> Result<u64, MathError> {
    if decimals > U256::from(18) {
        return Err(MathError::UnsupportedDecimals(UnsupportedDecimals {
            decimals: decimals.saturating_to::<u8>(),
        }));
    }
    Ok(decimals.as_limbs()[0])
}

/// `value` saturated to 128 bits (for the opening snapshot).
fn sat128(value: U256) -> Uint<128, 2> {
    Uint::<128, 2>::saturating_from(value)
}

/// A stored 128-bit snapshot as a `U256`.
fn widen128(value: Uint<128, 2>) -> U256 {
    let [a, b] = *value.as_limbs();
    U256::from_limbs([a, b, 0, 0])
}

fn bounded(value: U256, min: u64, max: u64) -> Result<(), TwapOracleError> {
    if value < U256::from(min) || value > U256::from(max) {
        return Err(ParameterOutOfBounds {
            value,
            min: U256::from(min),
            max: U256::from(max),
        }
        .into());
    }
    Ok(())
}

#[public]
#[implements(IOwnable)]
impl TwapOracle {
    /// Deploys the oracle on `pool` (which must hold `al_asset` and have
    /// liquidity) with the default bands (±1%) and expansion parameters (2%,
    /// cap 0.10%). Epoch 0 is the 6-hour epoch containing the deployment
    /// (epochs start at multiples of 6 h since the Unix epoch); it opens now.
    ///
    /// # Errors
    /// `OwnableInvalidOwner`, `ZeroAddress`, `AlAssetNotInPool`,
    /// `PoolHasNoLiquidity`, `UnsupportedDecimals` (above 18),
    /// `ParameterOutOfBounds`, a reverting pool or token.
    ///
    /// # Events
    /// `OwnershipTransferred`, `SamplingSet`, `BandsSet`,
    /// `ExpansionParamsSet`, `ExpansionRecipientSet`.
    #[constructor]
    pub fn constructor(
        &mut self,
        owner: Address,
        pool: Address,
        al_asset: Address,
        expansion_recipient: Address,
        sample_interval: U256,
        min_samples: U256,
    ) -> Result<(), TwapOracleError> {
        self.access.init(owner)?;
        if pool.is_zero() || al_asset.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        let token0 = self.address_of(pool, abi::token0Call::SELECTOR)?;
        let token1 = self.address_of(pool, abi::token1Call::SELECTOR)?;
        let asset = if token0 == al_asset {
            self.al_is_token0.set(true);
            token1
        } else {
            if token1 != al_asset {
                return Err(AlAssetNotInPool {
                    pool,
                    alAsset: al_asset,
                }
                .into());
            }
            token0
        };
        let coin_decimals = self.ask_word(al_asset, abi::decimalsCall::SELECTOR, &[], 0)?;
        let asset_decimals = self.ask_word(asset, abi::decimalsCall::SELECTOR, &[], 0)?;
        self.coin_decimals
            .set(U8::from_limbs([supported(coin_decimals)?]));
        self.asset_decimals
            .set(U8::from_limbs([supported(asset_decimals)?]));
        self.pool.set(pool);
        self.al_asset.set(al_asset);

        self.store_sampling(sample_interval, min_samples)?;
        self.store_bands(U256::from(DEFAULT_BAND_BPS), U256::from(DEFAULT_BAND_BPS))?;
        self.store_expansion(
            U256::from(DEFAULT_EXPANSION_FACTOR_BPS),
            U256::from(DEFAULT_MAX_EXPANSION_RATE_BPS),
        )?;
        self.store_recipient(expansion_recipient)?;

        let now = self.vm().block_timestamp();
        self.genesis.set(u64_word(now - now % EPOCH_LENGTH));
        let cum = self.observe()?;
        self.open(now, cum);
        self.last_twap.set(WAD);
        Ok(())
    }

    /// Records the pool's TWAP since the previous observation (sample or
    /// epoch opening). Permissionless; at most once per `sampleInterval`.
    ///
    /// # Errors
    /// `EpochOver` once the epoch has ended (advance it first),
    /// `SampleTooSoon`, `PoolHasNoLiquidity`, a reverting pool, `MathError`.
    ///
    /// # Events
    /// `Sampled`.
    pub fn sample(&mut self) -> Result<(), TwapOracleError> {
        let now = U256::from(self.vm().block_timestamp());
        let ends_at = self.epoch_end()?;
        if now >= ends_at {
            return Err(EpochOver { endedAt: ends_at }.into());
        }
        let last = U256::from(get64(&self.last_obs_ts));
        let next = math::add(last, U256::from(get64(&self.sample_interval)))?;
        if now < next {
            return Err(SampleTooSoon {
                nextAllowedAt: next,
            }
            .into());
        }
        let cum = self.observe()?;
        // now > last: now >= next > last.
        let span = now - last;
        let twap = self.window_twap(cum.wrapping_sub(self.last_obs_cum.get()), span)?;
        let count = get64(&self.sample_count);
        // The sum of a previous epoch is left in place: it counts from the
        // epoch's first sample on.
        let prior = if count == 0 {
            U256::ZERO
        } else {
            self.weighted_sum.get()
        };
        let weighted = math::add(prior, math::mul(twap, span)?)?;
        self.weighted_sum.set(weighted);
        // Cannot overflow: samples are taken inside one epoch (< 2^64 seconds
        // and samples); `span` < 2^64 as a difference of timestamps.
        let span64 = span.as_limbs()[0];
        let sampled = get64(&self.sampled_span) + span64;
        self.sampled_span.set(u64_word(sampled));
        self.sample_count.set(u64_word(count + 1));
        self.last_obs_ts.set(u64_word(now.as_limbs()[0]));
        self.last_obs_cum.set(cum);
        emit(
            self.vm(),
            &[Sampled::SIGNATURE_HASH, self.current_epoch().into()],
            &[twap.into(), span.into(), U256::from(count + 1).into()],
        );
        Ok(())
    }

    /// Closes the epoch: computes its TWAP, sets the state, mints the
    /// expansion if any, and opens the epoch containing now. Permissionless.
    ///
    /// The TWAP is the span-weighted mean of the epoch's samples; with fewer
    /// than `minSamples`, or when a whole epoch or more was missed, it is the
    /// cumulative average since the epoch opened (a missed gap becomes one
    /// epoch: one state, at most one mint).
    ///
    /// The backing peers and the alAsset are read at every close (the
    /// snapshot of the next epoch's opening); none of them can make it
    /// revert: an expansion they prevent is skipped with `ExpansionSkipped`.
    ///
    /// # Errors
    /// `EpochNotOver`, `PoolHasNoLiquidity`, a reverting pool (the price
    /// source), `MathError`.
    ///
    /// # Events
    /// `EpochAdvanced`, `EpochsSkipped` after a gap, `BackingComputed` and
    /// `ExpansionMinted` or `ExpansionSkipped` on expansion.
    pub fn advance_epoch(&mut self) -> Result<(), TwapOracleError> {
        let now = U256::from(self.vm().block_timestamp());
        let ends_at = self.epoch_end()?;
        if now < ends_at {
            return Err(EpochNotOver { endsAt: ends_at }.into());
        }
        let cum = self.observe()?;
        let epoch = self.current_epoch();
        let samples = U256::from(get64(&self.sample_count));
        let length = U256::from(EPOCH_LENGTH);
        let missed = now >= math::add(ends_at, length)?;
        // `min_samples >= 1`: the weighted sum is used only with samples.
        let use_fallback = missed || samples < U256::from(get64(&self.min_samples));
        let twap = if use_fallback {
            // now >= ends_at > open_ts.
            let span = now - U256::from(get64(&self.open_ts));
            self.window_twap(cum.wrapping_sub(self.open_cum.get()), span)?
        } else {
            let span = U256::from(get64(&self.sampled_span));
            math::div(self.weighted_sum.get(), span, Down)?
        };
        let state = classify(
            twap,
            U256::from(get64(&self.upper_band_bps)),
            U256::from(get64(&self.lower_band_bps)),
        );
        let minted = self.settle(epoch, twap, state == STATE_EXPANSION)?;

        let index = get64(&self.history_len);
        let mut record = self.history.setter(U256::from(index));
        record.epoch.set(param(epoch));
        record.twap.set(history_twap(twap));
        record.state.set(U8::from_limbs([u64::from(state)]));
        if !minted.is_zero() {
            // A new record's slot is zero: nothing to write otherwise.
            record.minted.set(minted);
        }
        // Cannot overflow: one record per epoch.
        self.history_len.set(u64_word(index + 1));
        self.last_twap.set(twap);
        self.state.set(U8::from_limbs([u64::from(state)]));
        emit(
            self.vm(),
            &[EpochAdvanced::SIGNATURE_HASH, epoch.into()],
            &[
                twap.into(),
                U256::from(state).into(),
                samples.into(),
                bool_word(use_fallback),
            ],
        );

        // now >= genesis.
        let next = math::div(now - U256::from(get64(&self.genesis)), length, Down)?;
        // next > epoch: now >= ends_at = genesis + (epoch + 1) * length.
        if next > epoch + U256::from(1) {
            emit(
                self.vm(),
                &[EpochsSkipped::SIGNATURE_HASH],
                &[
                    (epoch + U256::from(1)).into(),
                    (next - U256::from(1)).into(),
                ],
            );
        }
        // Fits: epochs since genesis of a 64-bit timestamp.
        self.current_epoch.set(param(next));
        self.open(now.as_limbs()[0], cum);
        Ok(())
    }

    /// The epoch in progress (epoch 0 contains the deployment).
    pub fn current_epoch(&self) -> U256 {
        U256::from(get64(&self.current_epoch))
    }

    /// TWAP of the last closed epoch `[wad]`, psmAsset per alAsset (1.0 before the first).
    pub fn last_twap(&self) -> U256 {
        self.last_twap.get()
    }

    /// State set by the last closed epoch: 0 Maintain, 1 Expansion, 2 Contraction.
    pub fn state(&self) -> u8 {
        self.state.get().as_limbs()[0] as u8
    }

    /// Peg health of `lastTwap()`: 0 Healthy [0.99, 1.01], 1 Elevated
    /// (1.01, 1.05], 2 High (> 1.05), 3 Weak [0.95, 0.99), 4 Broken
    /// [0.85, 0.95), 5 Critical (< 0.85).
    pub fn peg_health(&self) -> u8 {
        peg_health_of(self.last_twap.get())
    }

    /// The last `n` closed epochs, newest first, as parallel arrays
    /// `(epochs, twaps [wad], states, minted [coin])` (fewer if fewer closed).
    pub fn epoch_history(&self, n: U256) -> (Vec<U256>, Vec<U256>, Vec<u8>, Vec<U256>) {
        let len = U256::from(get64(&self.history_len));
        let count = n.min(len).to::<usize>();
        let (mut epochs, mut twaps, mut states, mut minted) = (
            Vec::with_capacity(count),
            Vec::with_capacity(count),
            Vec::with_capacity(count),
            Vec::with_capacity(count),
        );
        for i in 1..=count {
            // i <= count <= len.
            let record = self.history.getter(len - U256::from(i));
            epochs.push(U256::from(get64(&record.epoch)));
            twaps.push(widen_twap(record.twap.get()));
            states.push(record.state.get().as_limbs()[0] as u8);
            minted.push(record.minted.get());
        }
        (epochs, twaps, states, minted)
    }

    /// The epoch in progress: `(startsAt, endsAt, samples, nextSampleAt,
    /// sampledTwap [wad])` (`sampledTwap` is zero before the first sample).
    ///
    /// # Errors
    /// `MathError` (not in practice).
    pub fn epoch_status(&self) -> Result<(U256, U256, U256, U256, U256), TwapOracleError> {
        let ends_at = self.epoch_end()?;
        let span = U256::from(get64(&self.sampled_span));
        let count = get64(&self.sample_count);
        let sampled = if count == 0 {
            U256::ZERO
        } else {
            math::div(self.weighted_sum.get(), span, Down).unwrap_or_default()
        };
        Ok((
            math::sub(ends_at, U256::from(EPOCH_LENGTH))?,
            ends_at,
            U256::from(count),
            U256::from(get64(&self.last_obs_ts) + get64(&self.sample_interval)),
            sampled,
        ))
    }

    /// The pool's spot price now `[wad]`, psmAsset per alAsset (dashboards
    /// only: one trade moves it).
    ///
    /// # Errors
    /// `PoolHasNoLiquidity`, a reverting pool, `MathError`.
    pub fn spot_price(&self) -> Result<U256, TwapOracleError> {
        let (coin, asset, _) = self.reserves()?;
        let (num, den) = self.price_scales();
        // Reserves are below 2^112 and the scales below 2^120: no overflow.
        let denominator = math::mul(coin, den)?;
        Ok(math::mul_div(asset, num, denominator, Down)?)
    }

    /// The backing as an expansion would count it now: `(collateral, psm,
    /// transmuterPending, supply, backingWad, peersMissingMask)`, amounts in
    /// `[coin]`; `collateral` is the Vault's collateral value now times
    /// `min(1, shares at the epoch's opening / shares now)`. Backing is
    /// `(collateral + psm) / supply` (`U256::MAX` for a zero supply); the
    /// Transmuter's pending alAsset is reported, not counted (see README).
    ///
    /// # Errors
    /// `BadPeerResponse(peer)` for a reverting or garbled peer, `MathError`.
    pub fn backing(&self) -> Result<(U256, U256, U256, U256, U256, u8), TwapOracleError> {
        let reading = self
            .read_backing()
            .map_err(|peer| BadPeerResponse { peer })?;
        let collateral = self.counted_collateral(&reading)?;
        let Backing {
            psm,
            pending,
            supply,
            mask,
            ..
        } = reading;
        let backing = if supply.is_zero() {
            U256::MAX
        } else {
            math::mul_div(math::add(collateral, psm)?, WAD, supply, Down)?
        };
        Ok((collateral, psm, pending, supply, backing, mask))
    }

    /// `(sampleInterval [s], minSamples, upperBandBps, lowerBandBps,
    /// expansionFactorBps, maxExpansionRateBps)`.
    pub fn params(&self) -> (U256, U256, U256, U256, U256, U256) {
        (
            U256::from(get64(&self.sample_interval)),
            U256::from(get64(&self.min_samples)),
            U256::from(get64(&self.upper_band_bps)),
            U256::from(get64(&self.lower_band_bps)),
            U256::from(get64(&self.expansion_factor_bps)),
            U256::from(get64(&self.max_expansion_rate_bps)),
        )
    }

    /// `(pool, alAsset, alAssetIsToken0, expansionRecipient, vault, psm, transmuter)`.
    pub fn peers(&self) -> (Address, Address, bool, Address, Address, Address, Address) {
        (
            self.pool.get(),
            self.al_asset.get(),
            self.al_is_token0.get(),
            self.expansion_recipient.get(),
            self.vault.get(),
            self.psm.get(),
            self.transmuter.get(),
        )
    }

    /// Sets `sampleInterval` `[seconds]` (5 min to 3 h) and `minSamples` (1 to
    /// `EPOCH_LENGTH / sampleInterval`). Owner only.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ParameterOutOfBounds`.
    ///
    /// # Events
    /// `SamplingSet`.
    pub fn set_sampling(
        &mut self,
        sample_interval: U256,
        min_samples: U256,
    ) -> Result<(), TwapOracleError> {
        self.access.only_owner()?;
        self.store_sampling(sample_interval, min_samples)
    }

    /// Sets the state bands `[bps]` (each 1 to 1,000). Owner only.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ParameterOutOfBounds`.
    ///
    /// # Events
    /// `BandsSet`.
    pub fn set_bands(
        &mut self,
        upper_band_bps: U256,
        lower_band_bps: U256,
    ) -> Result<(), TwapOracleError> {
        self.access.only_owner()?;
        self.store_bands(upper_band_bps, lower_band_bps)
    }

    /// Sets `expansionFactor` (0 to 10,000 bps) and `maxExpansionRate` (0 to
    /// 100 bps of supply per epoch). Owner only.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ParameterOutOfBounds`.
    ///
    /// # Events
    /// `ExpansionParamsSet`.
    pub fn set_expansion(
        &mut self,
        expansion_factor_bps: U256,
        max_expansion_rate_bps: U256,
    ) -> Result<(), TwapOracleError> {
        self.access.only_owner()?;
        self.store_expansion(expansion_factor_bps, max_expansion_rate_bps)
    }

    /// Sets the expansion recipient. Owner only.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`.
    ///
    /// # Events
    /// `ExpansionRecipientSet`.
    pub fn set_expansion_recipient(&mut self, recipient: Address) -> Result<(), TwapOracleError> {
        self.access.only_owner()?;
        self.store_recipient(recipient)
    }

    /// Wires the backing peers, each once (zero leaves one unchanged). Owner only.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `PeerAlreadySet`.
    ///
    /// # Events
    /// `PeersWired`.
    pub fn wire_peers(
        &mut self,
        vault: Address,
        psm: Address,
        transmuter: Address,
    ) -> Result<(), TwapOracleError> {
        self.access.only_owner()?;
        for (slot, peer) in [
            (&mut self.vault, vault),
            (&mut self.psm, psm),
            (&mut self.transmuter, transmuter),
        ] {
            if !peer.is_zero() {
                self.access.set_once(slot, peer)?;
            }
        }
        emit(
            self.vm(),
            &[PeersWired::SIGNATURE_HASH],
            &[word(vault), word(psm), word(transmuter)],
        );
        Ok(())
    }
}

impl TwapOracle {
    /// End of the current epoch `[seconds]`.
    fn epoch_end(&self) -> Result<U256, TwapOracleError> {
        let epochs = math::add(self.current_epoch(), U256::from(1))?;
        Ok(math::add(
            U256::from(get64(&self.genesis)),
            math::mul(epochs, U256::from(EPOCH_LENGTH))?,
        )?)
    }

    /// `(10^(18 + coin decimals), 10^(asset decimals))`: a raw price times
    /// the first over the second is a WAD price.
    fn price_scales(&self) -> (U256, U256) {
        let coin = self.coin_decimals.get().as_limbs()[0] as u32;
        let asset = self.asset_decimals.get().as_limbs()[0] as u32;
        (pow10(18 + coin), pow10(asset))
    }

    /// Opens an epoch (or the oracle) at `now` with the cumulative `cum`.
    /// The weighted sum is not zeroed (see `weighted_sum`).
    fn open(&mut self, now: u64, cum: U256) {
        self.open_ts.set(u64_word(now));
        self.open_cum.set(cum);
        self.last_obs_ts.set(u64_word(now));
        self.last_obs_cum.set(cum);
        self.sampled_span.set(U64::ZERO);
        self.sample_count.set(U64::ZERO);
    }

    /// `(alAsset reserve, psmAsset reserve, blockTimestampLast)`.
    fn reserves(&self) -> Result<(U256, U256, u32), TwapOracleError> {
        let pool = self.pool.get();
        let answer = self.ask(pool, abi::getReservesCall::SELECTOR, &[])?;
        let reserve0 = answer_word(&answer, 0, pool)?;
        let reserve1 = answer_word(&answer, 1, pool)?;
        // A V2 timestamp is a uint32: the low 32 bits of the word.
        let last = answer_word(&answer, 2, pool)?.as_limbs()[0] as u32;
        if reserve0.is_zero() || reserve1.is_zero() {
            return Err(PoolHasNoLiquidity { pool }.into());
        }
        Ok(if self.al_is_token0.get() {
            (reserve0, reserve1, last)
        } else {
            (reserve1, reserve0, last)
        })
    }

    /// The pool's cumulative price of the alAsset (psmAsset per alAsset,
    /// UQ112x112 · seconds) as of now, counting the time since the pool's
    /// last update at its current reserves
    /// (`UniswapV2OracleLibrary.currentCumulativePrices`).
    fn observe(&self) -> Result<U256, TwapOracleError> {
        let selector = if self.al_is_token0.get() {
            abi::price0CumulativeLastCall::SELECTOR
        } else {
            abi::price1CumulativeLastCall::SELECTOR
        };
        let cum = self.ask_word(self.pool.get(), selector, &[], 0)?;
        let (coin, asset, last) = self.reserves()?;
        // Truncation and wrapping are V2's 32-bit timestamp arithmetic.
        let elapsed = (self.vm().block_timestamp() as u32).wrapping_sub(last);
        // Wrapping is intended: V2 cumulative prices are used modulo 2^256.
        Ok(cum.wrapping_add(cumulative_increment(asset, coin, elapsed)))
    }

    /// The WAD price for a cumulative difference `delta` over `span` seconds:
    /// `delta / span / 2^112 × 10^(18 + dCoin) / 10^dAsset`, rounded down.
    ///
    /// The UQ112x112 average is split into its integer and fraction parts
    /// (the two floors lose at most 1 wei); `MulDivOverflow` only when the
    /// price itself does not fit in 256 bits (not for real reserves).
    fn window_twap(&self, delta: U256, span: U256) -> Result<U256, TwapOracleError> {
        let average = math::div(delta, span, Down)?;
        let (num, den) = self.price_scales();
        let whole = math::mul_div(average >> 112, num, den, Down)?;
        // Q112 * den < 2^172.
        let fraction = math::mul_div(average & (Q112 - U256::from(1)), num, Q112 * den, Down)?;
        Ok(math::add(whole, fraction)?)
    }

    /// Static-calls `peer` with one-word arguments; its raw answer.
    fn ask(
        &self,
        peer: Address,
        selector: [u8; 4],
        args: &[B256],
    ) -> Result<Vec<u8>, TwapOracleError> {
        Ok(static_call(
            self.vm(),
            Call::new(),
            peer,
            &calldata(selector, args),
        )?)
    }

    /// Word `index` of `peer`'s answer to a static call.
    fn ask_word(
        &self,
        peer: Address,
        selector: [u8; 4],
        args: &[B256],
        index: usize,
    ) -> Result<U256, TwapOracleError> {
        answer_word(&self.ask(peer, selector, args)?, index, peer)
    }

    /// An address-returning view of `peer`.
    fn address_of(&self, peer: Address, selector: [u8; 4]) -> Result<Address, TwapOracleError> {
        let value = self.ask_word(peer, selector, &[], 0)?;
        Ok(Address::from_word(value.into()))
    }

    /// The backing peers and the supply, read now; an unwired peer
    /// contributes zero.
    ///
    /// # Errors
    /// The address of the first peer whose call fails.
    fn read_backing(&self) -> Result<Backing, Address> {
        let ask = |peer: Address, selector, args: &[B256], index| {
            self.ask_word(peer, selector, args, index).map_err(|_| peer)
        };
        let mut mask = 0;
        let mut values = [U256::ZERO; 3];
        for (i, (peer, selector, bit)) in [
            (self.vault.get(), abi::totalsCall::SELECTOR, MISSING_VAULT),
            (
                self.psm.get(),
                abi::freePsmAssetsInCoinCall::SELECTOR,
                MISSING_PSM,
            ),
            (
                self.transmuter.get(),
                abi::totalPendingCall::SELECTOR,
                MISSING_TRANSMUTER,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            if peer.is_zero() {
                mask |= bit;
            } else {
                values[i] = ask(peer, selector, &[], 0)?;
            }
        }
        let vault = self.vault.get();
        let shares = if vault.is_zero() {
            U256::ZERO
        } else {
            // The Vault's collateral token (peers() word 1) and its balance.
            let collateral = ask(vault, abi::peersCall::SELECTOR, &[], 1)?;
            let collateral = Address::from_word(collateral.into());
            ask(collateral, abi::balanceOfCall::SELECTOR, &[word(vault)], 0)?
        };
        let supply = ask(self.al_asset.get(), abi::totalSupplyCall::SELECTOR, &[], 0)?;
        Ok(Backing {
            collateral: values[0],
            shares,
            psm: values[1],
            pending: values[2],
            supply,
            mask,
        })
    }

    /// The collateral an expansion counts `[coin]`: the value now times
    /// `min(1, sharesAtOpen / shares now)`, rounded down.
    fn counted_collateral(&self, reading: &Backing) -> Result<U256, TwapOracleError> {
        if reading.shares.is_zero() {
            return Ok(U256::ZERO);
        }
        let open = widen128(self.open_shares.get());
        Ok(math::mul_div(
            reading.collateral,
            open.min(reading.shares),
            reading.shares,
            Down,
        )?)
    }

    /// Closes the backing side of `epoch`: reads the backing, mints the
    /// expansion at `twap` when `expansion`, and stores the snapshot the next
    /// epoch opens with. Returns the amount minted. Never fails because of a
    /// peer: a failure skips the expansion and zeroes the snapshot (so the
    /// next epoch cannot expand either).
    fn settle(
        &mut self,
        epoch: U256,
        twap: U256,
        expansion: bool,
    ) -> Result<U256, TwapOracleError> {
        let reading = match self.read_backing() {
            Ok(reading) => reading,
            Err(peer) => {
                self.open_shares.set(Uint::ZERO);
                self.open_supply.set(Uint::ZERO);
                if expansion {
                    self.skip(epoch, SKIP_PEER_FAILED, peer);
                }
                return Ok(U256::ZERO);
            }
        };
        let minted = if expansion {
            self.expand(epoch, twap, &reading)?
        } else {
            U256::ZERO
        };
        self.open_shares.set(sat128(reading.shares));
        self.open_supply
            .set(sat128(reading.supply.saturating_add(minted)));
        Ok(minted)
    }

    /// Emits `ExpansionSkipped`.
    fn skip(&mut self, epoch: U256, reason: u8, peer: Address) {
        emit(
            self.vm(),
            &[ExpansionSkipped::SIGNATURE_HASH, epoch.into()],
            &[U256::from(reason).into(), word(peer)],
        );
    }

    /// Mints the expansion for `epoch` at `twap` from the backing read now;
    /// returns the amount minted (zero, with `ExpansionSkipped`, when
    /// nothing may be minted or the mint fails).
    fn expand(
        &mut self,
        epoch: U256,
        twap: U256,
        reading: &Backing,
    ) -> Result<U256, TwapOracleError> {
        let Backing {
            psm,
            pending,
            supply,
            mask,
            ..
        } = *reading;
        let al_asset = self.al_asset.get();
        // Only what held since the epoch opened counts: the smaller supply
        // for the formula, the smaller collateral for the backing.
        let formula = expansion_amount(
            supply.min(widen128(self.open_supply.get())),
            twap,
            U256::from(get64(&self.expansion_factor_bps)),
            U256::from(get64(&self.max_expansion_rate_bps)),
        )?;
        if formula.is_zero() {
            self.skip(epoch, SKIP_NOTHING_DUE, Address::ZERO);
            return Ok(U256::ZERO);
        }
        let collateral = self.counted_collateral(reading)?;
        let assets = math::add(collateral, psm)?;
        // supply >= the formula's supply > 0.
        let backing = math::mul_div(assets, WAD, supply, Down)?;
        emit(
            self.vm(),
            &[BackingComputed::SIGNATURE_HASH],
            &[
                collateral.into(),
                psm.into(),
                pending.into(),
                supply.into(),
                backing.into(),
                U256::from(mask).into(),
            ],
        );
        // Only above 100%, and never more than the surplus above 100%.
        let surplus = assets.saturating_sub(supply);
        if surplus.is_zero() {
            self.skip(epoch, SKIP_NO_SURPLUS, Address::ZERO);
            return Ok(U256::ZERO);
        }
        let this = self.vm().contract_address();
        let Ok(info) = self.ask(al_asset, abi::minterInfoCall::SELECTOR, &[word(this)]) else {
            self.skip(epoch, SKIP_PEER_FAILED, al_asset);
            return Ok(U256::ZERO);
        };
        let (Some(active), Some(paused), Some(ceiling), Some(outstanding)) = (
            return_word(&info, 0),
            return_word(&info, 1),
            return_word(&info, 2),
            return_word(&info, 3),
        ) else {
            self.skip(epoch, SKIP_PEER_FAILED, al_asset);
            return Ok(U256::ZERO);
        };
        let amount = if active.is_zero() || !paused.is_zero() {
            U256::ZERO
        } else {
            formula
                .min(surplus)
                .min(ceiling.saturating_sub(outstanding))
        };
        if amount.is_zero() {
            self.skip(epoch, SKIP_MINTER_LIMIT, al_asset);
            return Ok(U256::ZERO);
        }
        let recipient = self.expansion_recipient.get();
        let data = calldata(abi::mintCall::SELECTOR, &[word(recipient), amount.into()]);
        let context = Call::new_mutating(self);
        if call(self.vm(), context, al_asset, &data).is_err() {
            self.skip(epoch, SKIP_PEER_FAILED, al_asset);
            return Ok(U256::ZERO);
        }
        emit(
            self.vm(),
            &[
                ExpansionMinted::SIGNATURE_HASH,
                epoch.into(),
                word(recipient),
            ],
            &[amount.into(), formula.into()],
        );
        Ok(amount)
    }

    fn store_sampling(
        &mut self,
        sample_interval: U256,
        min_samples: U256,
    ) -> Result<(), TwapOracleError> {
        bounded(sample_interval, MIN_SAMPLE_INTERVAL, MAX_SAMPLE_INTERVAL)?;
        // sample_interval >= MIN_SAMPLE_INTERVAL > 0.
        let max_samples = EPOCH_LENGTH / sample_interval.to::<u64>();
        bounded(min_samples, 1, max_samples)?;
        self.sample_interval.set(param(sample_interval));
        self.min_samples.set(param(min_samples));
        emit(
            self.vm(),
            &[SamplingSet::SIGNATURE_HASH],
            &[sample_interval.into(), min_samples.into()],
        );
        Ok(())
    }

    fn store_bands(
        &mut self,
        upper_band_bps: U256,
        lower_band_bps: U256,
    ) -> Result<(), TwapOracleError> {
        bounded(upper_band_bps, MIN_BAND_BPS, MAX_BAND_BPS)?;
        bounded(lower_band_bps, MIN_BAND_BPS, MAX_BAND_BPS)?;
        self.upper_band_bps.set(param(upper_band_bps));
        self.lower_band_bps.set(param(lower_band_bps));
        emit(
            self.vm(),
            &[BandsSet::SIGNATURE_HASH],
            &[upper_band_bps.into(), lower_band_bps.into()],
        );
        Ok(())
    }

    fn store_expansion(
        &mut self,
        factor_bps: U256,
        max_rate_bps: U256,
    ) -> Result<(), TwapOracleError> {
        bounded(factor_bps, 0, MAX_EXPANSION_FACTOR_BPS)?;
        bounded(max_rate_bps, 0, MAX_EXPANSION_RATE_BPS)?;
        self.expansion_factor_bps.set(param(factor_bps));
        self.max_expansion_rate_bps.set(param(max_rate_bps));
        emit(
            self.vm(),
            &[ExpansionParamsSet::SIGNATURE_HASH],
            &[factor_bps.into(), max_rate_bps.into()],
        );
        Ok(())
    }

    fn store_recipient(&mut self, recipient: Address) -> Result<(), TwapOracleError> {
        if recipient.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        self.expansion_recipient.set(recipient);
        emit(
            self.vm(),
            &[ExpansionRecipientSet::SIGNATURE_HASH, word(recipient)],
            &[],
        );
        Ok(())
    }
}

/// A reading of the backing peers `[coin]` (`shares`: collateral shares
/// held by the Vault).
#[derive(Clone, Copy)]
struct Backing {
    collateral: U256,
    shares: U256,
    psm: U256,
    pending: U256,
    supply: U256,
    mask: u8,
}

/// Word `index` of `peer`'s answer, or `BadPeerResponse`.
fn answer_word(answer: &[u8], index: usize, peer: Address) -> Result<U256, TwapOracleError> {
    return_word(answer, index).ok_or_else(|| BadPeerResponse { peer }.into())
}

impl_ownable!(TwapOracle, access);

#[cfg(test)]
mod tests;
