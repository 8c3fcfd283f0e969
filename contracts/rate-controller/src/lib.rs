//! # RateController — the paid-debt borrow rate from exit liquidity (seed 004)
//!
//! The Vault calls [`update`](RateController::update) with its free and paid
//! debt totals at every accrual; the controller adds the PSM's free assets
//! (in coin), computes the **free-debt ratio**
//! `(freeDebt + freePsmAssetsInCoin) / (freeDebt + paidDebt + freePsmAssetsInCoin)`
//! in bps, and moves the per-second rate over the elapsed interval:
//!
//! * below the target band, or while the TwapOracle's `state()` is
//!   Contraction: **grows** exponentially (doubling every `halfLife`) up to
//!   `maxRate`;
//! * above the band: **decays** exponentially (halving every `halfLife`)
//!   toward `minRate`;
//! * inside the band (edges included): flat.
//!
//! It returns the new rate and the factor by which paid debt grows over the
//! interval, `1 + ∫ r dt`, integrated exactly (see [`model`]). The Vault
//! calls `update` *before* it changes its totals, so the totals passed are
//! those that held over the whole interval; the PSM and the oracle are read
//! at update time.
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
use alloy_sol_types::{sol, SolEvent};
use model::{Direction, Params};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageU256, StorageU64},
};
use suite_common::{
    access::{Access, AccessError, IOwnable},
    events::{emit, word},
    fixed_exp::FixedExpError,
    impl_ownable,
    interfaces::{IPsm, ITwapOracle},
    math::WAD,
};

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
}

#[public]
#[implements(IOwnable)]
impl RateController {
    /// Sets the owner and the default parameters: rate bounds 0.5%–25% APR,
    /// half-life 7 days, band 4,000–8,000 bps; the rate starts at the floor.
    ///
    /// # Errors
    /// `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred`, `RateBoundsSet`, `HalfLifeSet`, `TargetBandSet`.
    #[constructor]
    pub fn constructor(&mut self, owner: Address) -> Result<(), RateControllerError> {
        self.access.init(owner)?;
        self.write_rate_bounds(model::DEFAULT_MIN_RATE, model::DEFAULT_MAX_RATE);
        self.write_half_life(U256::from(model::DEFAULT_HALF_LIFE));
        let (low, high) = model::DEFAULT_BAND;
        self.write_target_band(U256::from(low), U256::from(high));
        self.rate_per_second_wad.set(model::DEFAULT_MIN_RATE);
        self.last_update.set(U64::from(self.vm().block_timestamp()));
        Ok(())
    }

    /// Accrues the interval since the last update (Vault only): moves the
    /// rate according to the free-debt ratio of the given totals (plus the
    /// PSM's free assets) and the oracle state, and returns
    /// `(ratePerSecondWad, accruedFactorWad)`: the new rate and the factor
    /// (≥ 1e18) by which paid debt grew over the interval.
    ///
    /// # Errors
    /// `OnlyVault`; `Math` only for absurd elapsed times.
    ///
    /// # Events
    /// `RateUpdated`.
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
        let (rate, factor, ratio) = self.compute(free_debt, paid_debt)?;
        self.rate_per_second_wad.set(rate);
        self.last_update.set(U64::from(self.vm().block_timestamp()));
        self.last_ratio_bps.set(ratio);
        emit(
            self.vm(),
            &[RateUpdated::SIGNATURE_HASH],
            &[old_rate.into(), rate.into(), ratio.into(), factor.into()],
        );
        Ok((rate, factor))
    }

    /// What `update(freeDebt, paidDebt)` would return now, without writing.
    ///
    /// # Errors
    /// `Math` only for absurd elapsed times.
    pub fn preview_rate(
        &self,
        free_debt: U256,
        paid_debt: U256,
    ) -> Result<(U256, U256), RateControllerError> {
        let (rate, factor, _) = self.compute(free_debt, paid_debt)?;
        Ok((rate, factor))
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

    /// `(new rate, accrued factor, ratio)` for the interval ending now.
    fn compute(
        &self,
        free_debt: U256,
        paid_debt: U256,
    ) -> Result<(U256, U256, U256), RateControllerError> {
        let params = self.params();
        let ratio = model::ratio_bps(free_debt, paid_debt, self.psm_assets_in_coin())?;
        let direction: Direction = model::direction(ratio, self.contraction(), &params);
        let dt = self
            .vm()
            .block_timestamp()
            .saturating_sub(self.last_update.get().to::<u64>());
        let (rate, accrued) = model::step(self.rate_per_second_wad.get(), dt, direction, &params)?;
        // Cannot overflow: accrued < RATE_CAP * dt * 1.01 for any real dt.
        let factor = WAD.saturating_add(accrued);
        Ok((rate, factor, ratio))
    }

    /// The PSM's free assets in coin; zero when unset or when the view reverts.
    fn psm_assets_in_coin(&self) -> U256 {
        let psm = self.psm.get();
        if psm.is_zero() {
            return U256::ZERO;
        }
        IPsm::new(psm)
            .free_psm_assets_in_coin(self.vm(), Call::new())
            .unwrap_or_default()
    }

    /// Whether the oracle says Contraction; false when unset or when the view reverts.
    fn contraction(&self) -> bool {
        let oracle = self.oracle.get();
        !oracle.is_zero()
            && ITwapOracle::new(oracle).state(self.vm(), Call::new()).ok()
                == Some(model::CONTRACTION)
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
