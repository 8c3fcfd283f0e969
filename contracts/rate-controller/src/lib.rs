//! # RateController — the paid-debt borrow rate from exit liquidity (seed 004)
//!
//! The Vault calls [`update`](RateController::update) with its free and paid
//! debt totals at every accrual. The interval since the previous update
//! accrues along the **direction stored at the previous update** (nothing
//! read now changes interest already owed, nor the rate returned now); then
//! the controller adds the PSM's free assets (in coin), computes the
//! **free-debt ratio**
//! `(freeDebt + freePsmAssetsInCoin) / (freeDebt + paidDebt + freePsmAssetsInCoin)`
//! in bps, and stores the direction of the *next* interval:
//!
//! * below the target band, or while the TwapOracle's `state()` is
//!   Contraction (and not older than `maxOracleAge` epochs): **grows**
//!   exponentially (doubling every `halfLife`) up to `maxRate`;
//! * above the band: **decays** exponentially (halving every `halfLife`)
//!   toward `minRate`;
//! * inside the band (edges included): flat.
//!
//! It returns the new rate and the factor by which paid debt grew over the
//! interval, `1 + ∫ r dt`, integrated exactly (see [`model`]).
//!
//! Peers are wired once by the owner. An unset PSM contributes nothing and
//! an unset oracle is never in Contraction; a peer whose view reverts is
//! treated the same way, so that a broken peer can never block the Vault's
//! exits (repay, withdraw), which all accrue.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

pub mod model;

use alloc::vec::Vec;
use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use model::{Direction, Params};
use stylus_sdk::{
    call::static_call,
    prelude::*,
    storage::{StorageAddress, StorageU256, StorageU64, StorageU8},
};
use suite_common::{
    abi::{calldata, return_word},
    access::{Access, AccessError, IOwnable},
    events::{bool_word, emit, word},
    fixed_exp::FixedExpError,
    impl_ownable,
    math::{self, Rounding, WAD},
};

/// Selectors of the peer views the controller reads, encoded by hand
/// (`suite_common::abi::calldata`) instead of `sol_interface!` stubs.
mod abi {
    #![allow(missing_docs, clippy::all)]
    suite_common::psm_abi!(alloy_sol_types::sol);
    suite_common::twap_oracle_abi!(alloy_sol_types::sol);
    pub use IPsm::freePsmAssetsInCoinCall;
    pub use ITwapOracle::{epochStatusCall, stateCall};
}

sol! {
    /// Only the wired Vault (`vault`) may call `update`; `caller` is not it.
    #[derive(Debug, PartialEq, Eq)]
    error OnlyVault(address caller, address vault);
    /// Rate bounds must satisfy `0 < minRate <= maxRate <= cap` (`[wad/s]`).
    #[derive(Debug, PartialEq, Eq)]
    error InvalidRateBounds(uint256 minRate, uint256 maxRate, uint256 cap);
    /// The half-life must be within `[minHalfLife, maxHalfLife]` seconds.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidHalfLife(uint256 halfLife, uint256 minHalfLife, uint256 maxHalfLife);
    /// The band must satisfy `500 <= lowBps <= highBps <= 9,500`.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidTargetBand(uint256 lowBps, uint256 highBps);
    /// The oracle-age limit must be within `[minEpochs, maxEpochs]` epochs.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidMaxOracleAge(uint256 epochs, uint256 minEpochs, uint256 maxEpochs);

    /// The rate moved from `oldRate` to `newRate` (`[wad/s]`) over the interval
    /// ending now; paid debt grew by `accruedFactorWad`; the free-debt ratio
    /// (PSM included, as measured, whatever the oracle state) is `ratioBps`.
    event RateUpdated(uint256 oldRate, uint256 newRate, uint256 ratioBps, uint256 accruedFactorWad);
    /// New rate bounds `[wad/s]`.
    event RateBoundsSet(uint256 minRate, uint256 maxRate);
    /// New half-life `[seconds]`.
    event HalfLifeSet(uint256 halfLife);
    /// New target band `[bps]`.
    event TargetBandSet(uint256 lowBps, uint256 highBps);
    /// New oracle-age limit `[epochs]`: an older oracle state counts as Maintain.
    event MaxOracleAgeSet(uint256 epochs);
    /// The direction of the interval starting now (0 flat, 1 up, 2 down),
    /// from the ratio measured now `[bps]` and the oracle state as used
    /// (`oracleStale`: the oracle's state was too old and counted as Maintain).
    event DirectionSet(uint8 direction, uint256 ratioBps, bool contraction, bool oracleStale);
    /// The Vault was wired.
    event VaultSet(address indexed vault);
    /// The PSM was wired.
    event PsmSet(address indexed psm);
    /// The TwapOracle was wired.
    event OracleSet(address indexed oracle);
}

/// Every failure of the RateController, as Solidity custom errors.
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum RateControllerError {
    /// Ownership failure, or a peer already wired / zero.
    Access(AccessError),
    /// `exp`/`ln`/arithmetic failure (only for absurd elapsed times).
    Math(FixedExpError),
    /// See [`OnlyVault`].
    OnlyVault(OnlyVault),
    /// See [`InvalidRateBounds`].
    InvalidRateBounds(InvalidRateBounds),
    /// See [`InvalidHalfLife`].
    InvalidHalfLife(InvalidHalfLife),
    /// See [`InvalidTargetBand`].
    InvalidTargetBand(InvalidTargetBand),
    /// See [`InvalidMaxOracleAge`].
    InvalidMaxOracleAge(InvalidMaxOracleAge),
}

/// The RateController contract.
#[entrypoint]
#[storage]
pub struct RateController {
    access: Access,
    /// The Vault allowed to call `update`.
    vault: StorageAddress,
    /// The PSM whose `freePsmAssetsInCoin` counts as exit liquidity (optional).
    psm: StorageAddress,
    /// The TwapOracle whose Contraction state forces the rate up (optional).
    oracle: StorageAddress,
    /// The rate at `last_update` `[wad/s]`.
    rate_per_second_wad: StorageU256,
    /// Floor `[wad/s]`.
    min_rate_per_second_wad: StorageU256,
    /// Ceiling `[wad/s]`.
    max_rate_per_second_wad: StorageU256,
    /// Doubling / halving time of the rate `[seconds]`.
    half_life_seconds: StorageU256,
    /// Lower edge of the target band `[bps]`.
    band_low_bps: StorageU256,
    /// Upper edge of the target band `[bps]`.
    band_high_bps: StorageU256,
    /// Time of the last `update` (or of wiring the Vault) `[seconds]`.
    last_update: StorageU64,
    /// Free-debt ratio measured at the last `update` `[bps]`.
    last_ratio_bps: StorageU256,
    /// Direction of the interval since the last `update`, decided then
    /// (`model::Direction` as `u8`: 0 flat, 1 up, 2 down).
    direction: StorageU8,
    /// An oracle state older than this many epochs counts as Maintain `[epochs]`.
    max_oracle_age_epochs: StorageU64,
}

#[public]
#[implements(IOwnable)]
impl RateController {
    /// Sets the owner and the default parameters: rate bounds 0.5%–25% APR,
    /// half-life 7 days, band 4,000–8,000 bps, oracle-age limit 4 epochs;
    /// the rate starts at the floor, flat until the first update.
    ///
    /// # Errors
    /// `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred`, `RateBoundsSet`, `HalfLifeSet`, `TargetBandSet`,
    /// `MaxOracleAgeSet`.
    #[constructor]
    pub fn constructor(&mut self, owner: Address) -> Result<(), RateControllerError> {
        self.access.init(owner)?;
        self.write_rate_bounds(model::DEFAULT_MIN_RATE, model::DEFAULT_MAX_RATE);
        self.write_half_life(U256::from(model::DEFAULT_HALF_LIFE));
        let (low, high) = model::DEFAULT_BAND;
        self.write_target_band(U256::from(low), U256::from(high));
        self.write_max_oracle_age(model::DEFAULT_MAX_ORACLE_AGE);
        self.rate_per_second_wad.set(model::DEFAULT_MIN_RATE);
        self.last_update.set(U64::from(self.vm().block_timestamp()));
        Ok(())
    }

    /// Accrues the interval since the last update (Vault only) and returns
    /// `(ratePerSecondWad, accruedFactorWad)`: the new rate and the factor
    /// (≥ 1e18) by which paid debt grew over the interval. The interval
    /// moves the rate along the direction stored at the previous update
    /// (nothing read now changes either result); then the direction of the
    /// next interval is set from the free-debt ratio of the given totals
    /// (plus the PSM's free assets) and the oracle state.
    ///
    /// # Errors
    /// `OnlyVault`; `Math` only for absurd elapsed times or sums.
    ///
    /// # Events
    /// `RateUpdated`, `DirectionSet`.
    pub fn update(
        &mut self,
        free_debt: U256,
        paid_debt: U256,
    ) -> Result<(U256, U256), RateControllerError> {
        let caller = self.vm().msg_sender();
        let vault = self.vault.get();
        if caller != vault || vault.is_zero() {
            return Err(OnlyVault { caller, vault }.into());
        }
        let old_rate = self.rate_per_second_wad.get();
        let (rate, factor) = self.compute()?;
        let params = self.params();
        let ratio = model::ratio_bps(free_debt, paid_debt, self.psm_assets_in_coin())?;
        let (state, _, stale) = self.oracle_state();
        let contraction = state == model::CONTRACTION && !stale;
        let next = model::direction(ratio, contraction, &params);
        self.rate_per_second_wad.set(rate);
        self.last_update.set(U64::from(self.vm().block_timestamp()));
        self.last_ratio_bps.set(ratio);
        self.direction.set(U8::from(next as u8));
        emit(
            self.vm(),
            &[RateUpdated::SIGNATURE_HASH],
            &[old_rate.into(), rate.into(), ratio.into(), factor.into()],
        );
        emit(
            self.vm(),
            &[DirectionSet::SIGNATURE_HASH],
            &[
                U256::from(next as u8).into(),
                ratio.into(),
                bool_word(contraction),
                bool_word(stale),
            ],
        );
        Ok((rate, factor))
    }

    /// What `update` would return now, without writing (the totals are
    /// not needed: they only set the direction of the next interval).
    ///
    /// # Errors
    /// `Math` only for absurd elapsed times.
    pub fn preview_rate(
        &self,
        _free_debt: U256,
        _paid_debt: U256,
    ) -> Result<(U256, U256), RateControllerError> {
        self.compute()
    }

    /// The direction the rate moves in since the last update (decided
    /// then): 0 flat, 1 up, 2 down.
    pub fn direction(&self) -> u8 {
        self.direction.get().to::<u8>()
    }

    /// The oracle-age limit `[epochs]`.
    pub fn max_oracle_age(&self) -> U256 {
        U256::from(self.max_oracle_age_epochs.get())
    }

    /// The TwapOracle's state as the controller reads it now: `(state,
    /// ageEpochs, stale)`: `state()` of the oracle (0 when unset or
    /// failing), how many whole epochs have passed since the oracle's
    /// current epoch started (its state was set when it opened), and
    /// whether that is more than `maxOracleAge` (then the state counts as
    /// Maintain). An unreadable epoch status counts as stale.
    pub fn oracle_state(&self) -> (u8, U256, bool) {
        let oracle = self.oracle.get();
        if oracle.is_zero() {
            return (0, U256::ZERO, false);
        }
        // A state outside 0..=2 (a garbled answer) counts as Maintain.
        let state = self
            .view(oracle, abi::stateCall::SELECTOR)
            .and_then(|a| return_word(&a, 0))
            .filter(|s| *s <= U256::from(model::CONTRACTION))
            .map_or(0, |s| s.to::<u8>());
        let status = self.view(oracle, abi::epochStatusCall::SELECTOR);
        let (Some(starts_at), Some(ends_at)) = (
            status.as_deref().and_then(|a| return_word(a, 0)),
            status.as_deref().and_then(|a| return_word(a, 1)),
        ) else {
            return (state, U256::MAX, true);
        };
        let now = U256::from(self.vm().block_timestamp());
        // A well-formed oracle has ends_at > starts_at; anything else is stale.
        let length = ends_at.saturating_sub(starts_at);
        if length.is_zero() {
            return (state, U256::MAX, true);
        }
        // Compact long division (ruint's `/` costs kilobytes of WASM); length > 0.
        let age =
            math::div(now.saturating_sub(starts_at), length, Rounding::Down).unwrap_or(U256::MAX);
        let limit = U256::from(self.max_oracle_age_epochs.get());
        (state, age, age > limit)
    }

    /// The rate at the last update `[wad/s]` (`× 31,536,000` for the APR).
    pub fn rate(&self) -> U256 {
        self.rate_per_second_wad.get()
    }

    /// The floor `[wad/s]`.
    pub fn min_rate(&self) -> U256 {
        self.min_rate_per_second_wad.get()
    }

    /// The ceiling `[wad/s]`.
    pub fn max_rate(&self) -> U256 {
        self.max_rate_per_second_wad.get()
    }

    /// The half-life `[seconds]`.
    pub fn half_life(&self) -> U256 {
        self.half_life_seconds.get()
    }

    /// The target band `(lowBps, highBps)`.
    pub fn target_band(&self) -> (U256, U256) {
        (self.band_low_bps.get(), self.band_high_bps.get())
    }

    /// Time of the last update `[seconds]`.
    pub fn last_update(&self) -> u64 {
        self.last_update.get().to::<u64>()
    }

    /// The free-debt ratio measured at the last update `[bps]`.
    pub fn last_ratio_bps(&self) -> U256 {
        self.last_ratio_bps.get()
    }

    /// The wired Vault (zero until set).
    pub fn vault(&self) -> Address {
        self.vault.get()
    }

    /// The wired PSM (zero: none).
    pub fn psm(&self) -> Address {
        self.psm.get()
    }

    /// The wired TwapOracle (zero: none).
    pub fn oracle(&self) -> Address {
        self.oracle.get()
    }

    /// Sets the rate bounds `[wad/s]` (owner only): `0 < min <= max <=
    /// RATE_CAP` (100% APR). Takes effect from the next update, for its
    /// whole interval (accrue the Vault first to keep the past at the old
    /// bounds).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `InvalidRateBounds`.
    ///
    /// # Events
    /// `RateBoundsSet`.
    pub fn set_rate_bounds(
        &mut self,
        min_rate: U256,
        max_rate: U256,
    ) -> Result<(), RateControllerError> {
        self.access.only_owner()?;
        if min_rate.is_zero() || min_rate > max_rate || max_rate > model::RATE_CAP {
            return Err(InvalidRateBounds {
                minRate: min_rate,
                maxRate: max_rate,
                cap: model::RATE_CAP,
            }
            .into());
        }
        self.write_rate_bounds(min_rate, max_rate);
        Ok(())
    }

    /// Sets the half-life `[seconds]` (owner only): 12 hours to 30 days.
    /// Takes effect from the next update.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `InvalidHalfLife`.
    ///
    /// # Events
    /// `HalfLifeSet`.
    pub fn set_half_life(&mut self, half_life: U256) -> Result<(), RateControllerError> {
        self.access.only_owner()?;
        let (min, max) = (
            U256::from(model::MIN_HALF_LIFE),
            U256::from(model::MAX_HALF_LIFE),
        );
        if half_life < min || half_life > max {
            return Err(InvalidHalfLife {
                halfLife: half_life,
                minHalfLife: min,
                maxHalfLife: max,
            }
            .into());
        }
        self.write_half_life(half_life);
        Ok(())
    }

    /// Sets the target band `[bps]` (owner only): `500 <= low <= high <= 9,500`.
    /// Takes effect from the next update.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `InvalidTargetBand`.
    ///
    /// # Events
    /// `TargetBandSet`.
    pub fn set_target_band(
        &mut self,
        low_bps: U256,
        high_bps: U256,
    ) -> Result<(), RateControllerError> {
        self.access.only_owner()?;
        if low_bps < U256::from(model::MIN_BAND_BPS)
            || low_bps > high_bps
            || high_bps > U256::from(model::MAX_BAND_BPS)
        {
            return Err(InvalidTargetBand {
                lowBps: low_bps,
                highBps: high_bps,
            }
            .into());
        }
        self.write_target_band(low_bps, high_bps);
        Ok(())
    }

    /// Sets the oracle-age limit `[epochs]` (owner only): 1 to 120 (30
    /// days of 6-hour epochs). An oracle state set more than this many
    /// epochs ago counts as Maintain. Takes effect from the next update.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `InvalidMaxOracleAge`.
    ///
    /// # Events
    /// `MaxOracleAgeSet`.
    pub fn set_max_oracle_age(&mut self, epochs: U256) -> Result<(), RateControllerError> {
        self.access.only_owner()?;
        let (min, max) = (model::MIN_ORACLE_AGE, model::MAX_ORACLE_AGE);
        if epochs < U256::from(min) || epochs > U256::from(max) {
            return Err(InvalidMaxOracleAge {
                epochs,
                minEpochs: U256::from(min),
                maxEpochs: U256::from(max),
            }
            .into());
        }
        self.write_max_oracle_age(epochs.to::<u64>());
        Ok(())
    }

    /// Wires the Vault once (owner only) and starts the accrual clock.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`, `PeerAlreadySet`.
    ///
    /// # Events
    /// `VaultSet`.
    pub fn set_vault(&mut self, vault: Address) -> Result<(), RateControllerError> {
        self.access.set_once(&mut self.vault, vault)?;
        self.last_update.set(U64::from(self.vm().block_timestamp()));
        emit(self.vm(), &[VaultSet::SIGNATURE_HASH, word(vault)], &[]);
        Ok(())
    }

    /// Wires the PSM once (owner only).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`, `PeerAlreadySet`.
    ///
    /// # Events
    /// `PsmSet`.
    pub fn set_psm(&mut self, psm: Address) -> Result<(), RateControllerError> {
        self.access.set_once(&mut self.psm, psm)?;
        emit(self.vm(), &[PsmSet::SIGNATURE_HASH, word(psm)], &[]);
        Ok(())
    }

    /// Wires the TwapOracle once (owner only).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`, `PeerAlreadySet`.
    ///
    /// # Events
    /// `OracleSet`.
    pub fn set_oracle(&mut self, oracle: Address) -> Result<(), RateControllerError> {
        self.access.set_once(&mut self.oracle, oracle)?;
        emit(self.vm(), &[OracleSet::SIGNATURE_HASH, word(oracle)], &[]);
        Ok(())
    }
}

type U64 = alloy_primitives::Uint<64, 1>;
type U8 = alloy_primitives::Uint<8, 1>;

impl RateController {
    fn params(&self) -> Params {
        Params {
            min_rate: self.min_rate_per_second_wad.get(),
            max_rate: self.max_rate_per_second_wad.get(),
            half_life: self.half_life_seconds.get(),
            band_low: self.band_low_bps.get(),
            band_high: self.band_high_bps.get(),
        }
    }

    /// `(new rate, accrued factor)` for the interval ending now, along the
    /// stored direction.
    fn compute(&self) -> Result<(U256, U256), RateControllerError> {
        let params = self.params();
        let direction = Direction::from_u8(self.direction.get().to::<u8>());
        let dt = self
            .vm()
            .block_timestamp()
            .saturating_sub(self.last_update.get().to::<u64>());
        let (rate, accrued) = model::step(self.rate_per_second_wad.get(), dt, direction, &params)?;
        // Cannot overflow: accrued < RATE_CAP * dt * 1.01 for any real dt.
        let factor = WAD.saturating_add(accrued);
        Ok((rate, factor))
    }

    /// The PSM's free assets in coin; zero when unset or when the view
    /// reverts or answers short data.
    fn psm_assets_in_coin(&self) -> U256 {
        let psm = self.psm.get();
        if psm.is_zero() {
            return U256::ZERO;
        }
        self.view(psm, abi::freePsmAssetsInCoinCall::SELECTOR)
            .and_then(|a| return_word(&a, 0))
            .unwrap_or_default()
    }

    /// Static-calls the argument-less view `selector` of `peer`; `None` when it reverts.
    fn view(&self, peer: Address, selector: [u8; 4]) -> Option<Vec<u8>> {
        static_call(self.vm(), Call::new(), peer, &calldata(selector, &[])).ok()
    }

    fn write_max_oracle_age(&mut self, epochs: u64) {
        self.max_oracle_age_epochs.set(U64::from(epochs));
        emit(
            self.vm(),
            &[MaxOracleAgeSet::SIGNATURE_HASH],
            &[U256::from(epochs).into()],
        );
    }

    fn write_rate_bounds(&mut self, min_rate: U256, max_rate: U256) {
        self.min_rate_per_second_wad.set(min_rate);
        self.max_rate_per_second_wad.set(max_rate);
        emit(
            self.vm(),
            &[RateBoundsSet::SIGNATURE_HASH],
            &[min_rate.into(), max_rate.into()],
        );
    }

    fn write_half_life(&mut self, half_life: U256) {
        self.half_life_seconds.set(half_life);
        emit(
            self.vm(),
            &[HalfLifeSet::SIGNATURE_HASH],
            &[half_life.into()],
        );
    }

    fn write_target_band(&mut self, low_bps: U256, high_bps: U256) {
        self.band_low_bps.set(low_bps);
        self.band_high_bps.set(high_bps);
        emit(
            self.vm(),
            &[TargetBandSet::SIGNATURE_HASH],
            &[low_bps.into(), high_bps.into()],
        );
    }
}

impl_ownable!(RateController, access);

#[cfg(test)]
mod tests;
