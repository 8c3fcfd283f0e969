//! The rate model as pure functions (no storage, no calls), so that it can be
//! property-tested on its own.
//!
//! Rates are per-second WAD (`rate_per_second_wad`): a paid debt `D` owes
//! `D * r / 1e18` per second. `apr_wad = rate_per_second_wad * SECONDS_PER_YEAR`.
//!
//! Between two updates the rate moves as `r(t) = r0 * e^(±k t)` with
//! `k = ln 2 / halfLife`, clamped to `[minRate, maxRate]`, and the interest
//! factor is `1 + ∫ r(t) dt`, integrated exactly:
//! * exponential piece: `∫ = (r1 - r0) / k` (growth) or `(r0 - r1) / k` (decay);
//! * when the clamp is hit at `t* = ln(max / r0) / k` (or `ln(r0 / min) / k`),
//!   the rest of the interval is flat at the bound: `+ bound * (dt - t*)`;
//! * inside the band: `∫ = r0 * dt`.

use alloy_primitives::{uint, U256};
use suite_common::{
    fixed_exp::{exp_wad, ln_wad, FixedExpError, LN2_WAD},
    math::{add, mul, mul_div, wad_div, wad_mul, Rounding, BPS, WAD},
};

/// Seconds in a (365-day) year: `apr_wad = rate_per_second_wad * SECONDS_PER_YEAR`.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// Shortest half-life `[seconds]`: 12 hours.
pub const MIN_HALF_LIFE: u64 = 12 * 3_600;
/// Longest half-life `[seconds]`: 30 days.
pub const MAX_HALF_LIFE: u64 = 30 * 86_400;
/// Lowest target-band edge `[bps]`.
pub const MIN_BAND_BPS: u64 = 500;
/// Highest target-band edge `[bps]`.
pub const MAX_BAND_BPS: u64 = 9_500;
/// Highest `maxRate` `[wad/s]`: 100% APR, `1e18 / SECONDS_PER_YEAR` rounded down.
pub const RATE_CAP: U256 = uint!(31_709_791_983_U256);
/// Largest `k·dt` (WAD) evaluated with `exp`: `e^30 ≈ 1.07e13 > RATE_CAP / 1`,
/// so beyond it any rate has reached its bound.
pub const EXP_LIMIT: U256 = uint!(30_000_000_000_000_000_000_U256);
/// `state()` of the TwapOracle meaning Contraction.
pub const CONTRACTION: u8 = 2;

/// Default floor `[wad/s]`: 0.5% APR (`5e15 / SECONDS_PER_YEAR`, rounded down).
pub const DEFAULT_MIN_RATE: U256 = uint!(158_548_959_U256);
/// Default ceiling `[wad/s]`: 25% APR.
pub const DEFAULT_MAX_RATE: U256 = uint!(7_927_447_995_U256);
/// Default half-life `[seconds]`: 7 days.
pub const DEFAULT_HALF_LIFE: u64 = 7 * 86_400;
/// Default target band `[bps]`: 40% to 80% free debt.
pub const DEFAULT_BAND: (u64, u64) = (4_000, 8_000);

/// Default oracle-age limit `[epochs]`: 4 epochs of 6 hours.
pub const DEFAULT_MAX_ORACLE_AGE: u64 = 4;
/// Smallest oracle-age limit `[epochs]`.
pub const MIN_ORACLE_AGE: u64 = 1;
/// Largest oracle-age limit `[epochs]`: 30 days of 6-hour epochs.
pub const MAX_ORACLE_AGE: u64 = 120;

/// Where the rate goes over an interval (stored as its `u8` value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Direction {
    /// Inside the band: flat.
    Flat = 0,
    /// Below the band (or Contraction): grows toward `maxRate`.
    Up = 1,
    /// Above the band: decays toward `minRate`.
    Down = 2,
}

impl Direction {
    /// The direction stored as `value` (anything unknown is flat).
    pub fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Up,
            2 => Self::Down,
            _ => Self::Flat,
        }
    }
}

/// The parameters of the controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Floor `[wad/s]`, > 0.
    pub min_rate: U256,
    /// Ceiling `[wad/s]`, `min_rate <= max_rate <= RATE_CAP`.
    pub max_rate: U256,
    /// Half-life (doubling time when growing) `[seconds]`.
    pub half_life: U256,
    /// Lower edge of the target band `[bps]`.
    pub band_low: U256,
    /// Upper edge of the target band `[bps]`.
    pub band_high: U256,
}

/// The free-debt ratio `(free + psm) / (free + paid + psm)` in bps, rounded
/// down; 10,000 when there is no debt at all (nothing to price: the rate
/// decays to its floor).
///
/// # Errors
/// `ArithmeticOverflow` for sums past 256 bits.
pub fn ratio_bps(free_debt: U256, paid_debt: U256, psm_coin: U256) -> Result<U256, FixedExpError> {
    let exit_liquidity = add(free_debt, psm_coin)?;
    let total = add(exit_liquidity, paid_debt)?;
    if total.is_zero() {
        return Ok(BPS);
    }
    Ok(mul_div(exit_liquidity, BPS, total, Rounding::Down)?)
}

/// The direction for a ratio: up below the band or during Contraction, down
/// above it, flat inside it (edges included).
pub fn direction(ratio_bps: U256, contraction: bool, params: &Params) -> Direction {
    if contraction || ratio_bps < params.band_low {
        Direction::Up
    } else if ratio_bps > params.band_high {
        Direction::Down
    } else {
        Direction::Flat
    }
}

/// Moves the rate `r0` for `dt` seconds in `direction` and integrates it.
/// Returns `(r1, accrued)`: the new rate `[wad/s]` and `∫ r dt` `[wad]`
/// (the interest per unit of paid debt, so the factor is `1e18 + accrued`).
///
/// `r0` is first clamped to `[min_rate, max_rate]` (parameters may have
/// changed since it was stored). `r1` rounds away from `r0` (so frequent
/// updates cannot freeze the rate) and stays in `[min_rate, max_rate]`;
/// `accrued` rounds up (interest is debt).
///
/// # Errors
/// `ArithmeticOverflow` / `MulDivOverflow` only for absurd `dt` (beyond
/// about 1e40 years).
pub fn step(
    r0: U256,
    dt: u64,
    direction: Direction,
    params: &Params,
) -> Result<(U256, U256), FixedExpError> {
    let (min, max, h) = (params.min_rate, params.max_rate, params.half_life);
    let r0 = r0.clamp(min, max);
    let dt = U256::from(dt);
    let at_bound = match direction {
        Direction::Up => r0 == max,
        Direction::Down => r0 == min,
        Direction::Flat => true,
    };
    if at_bound {
        return Ok((r0, mul(r0, dt)?));
    }
    // k * dt = ln2 * dt / halfLife, dimensionless WAD.
    let x = mul_div(LN2_WAD, dt, h, Rounding::Down)?;
    let up = direction == Direction::Up;
    // Unclamped path first (the common case costs one `exp` and no `ln`).
    // Past EXP_LIMIT the bound is certainly hit: e^30 > RATE_CAP / 1 wei.
    if x <= EXP_LIMIT {
        // `growth >= 1e18` (x >= 0), so `growth - WAD` and `WAD - decay` cannot underflow.
        let growth = exp_wad(x)?;
        if up {
            let r1 = wad_mul(r0, growth, Rounding::Up)?;
            if r1 < max {
                // ∫ r0 e^(kt) dt = r0 (e^x - 1) / k.
                let accrued = mul_div(r0, mul(growth - WAD, h)?, LN2_WAD, Rounding::Up)?;
                return Ok((r1, accrued));
            }
        } else {
            let decay = mul_div(WAD, WAD, growth, Rounding::Down)?; // e^-x
            let r1 = wad_mul(r0, decay, Rounding::Down)?;
            if r1 > min {
                // ∫ r0 e^(-kt) dt = r0 (1 - e^-x) / k.
                let accrued = mul_div(r0, mul(WAD - decay, h)?, LN2_WAD, Rounding::Up)?;
                return Ok((r1, accrued));
            }
        }
    }
    // The bound is reached at k t* = ln(bound / r0) (or ln(r0 / bound)):
    // exponential piece up to t*, then flat at the bound for (x - k t*) / k.
    let (bound, headroom) = if up {
        (max, ln_wad(wad_div(max, r0, Rounding::Down)?)?)
    } else {
        (min, ln_wad(wad_div(r0, min, Rounding::Down)?)?)
    };
    let exponential = mul_div(r0.abs_diff(bound), mul(h, WAD)?, LN2_WAD, Rounding::Up)?;
    // Saturating: at the hit, rounding can put x a few wei under the headroom.
    let flat = mul_div(
        bound,
        mul(x.saturating_sub(headroom), h)?,
        LN2_WAD,
        Rounding::Up,
    )?;
    Ok((bound, add(exponential, flat)?))
}
