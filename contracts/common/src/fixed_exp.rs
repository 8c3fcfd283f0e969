//! Natural exponential and logarithm in WAD fixed point (no floats).
//!
//! * [`exp_wad`]`(x)` = `e^(x / 1e18) * 1e18` for `0 <= x <= `[`EXP_WAD_MAX`].
//! * [`ln_wad`]`(x)` = `ln(x / 1e18) * 1e18` for `x >= 1e18` (a non-negative result).
//!
//! Both reduce the argument by `ln 2` and evaluate a fast-converging series
//! in 36-decimal fixed point, so the WAD result is within a few wei of the
//! exact value relative to its size (property-tested against a big-integer
//! reference). Both are monotone. Used by the RateController to move a rate
//! exponentially with a half-life and to integrate it exactly.

use alloy_primitives::{uint, U256};
use alloy_sol_types::sol;
use stylus_sdk::prelude::*;

use crate::math::{div, mul_div, MathError, Rounding, WAD};

/// `ln 2` in WAD (rounded down): 0.693147180559945309.
pub const LN2_WAD: U256 = uint!(693_147_180_559_945_309_U256);

/// Largest argument of [`exp_wad`]: `e^135.3` WAD is about `5.5e76`, the
/// largest such power that fits in 256 bits with room for rounding.
pub const EXP_WAD_MAX: U256 = uint!(135_300_000_000_000_000_000_U256);

/// `1e36`: the internal working precision.
const E36: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_000_000_U256);
/// `ln 2` with 36 decimals (rounded down).
const LN2_E36: U256 = uint!(693_147_180_559_945_309_417_232_121_458_176_568_U256);

sol! {
    /// `exp` of `x` (WAD) would not fit in 256 bits (`x > 135.3e18`).
    #[derive(Debug, PartialEq, Eq)]
    error ExpOverflow(uint256 x);
    /// `ln` of `x` (WAD) below `1e18` (the result would be negative).
    #[derive(Debug, PartialEq, Eq)]
    error LnBelowOne(uint256 x);
}

/// Failures of [`exp_wad`] and [`ln_wad`].
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum FixedExpError {
    /// See [`ExpOverflow`].
    ExpOverflow(ExpOverflow),
    /// See [`LnBelowOne`].
    LnBelowOne(LnBelowOne),
    /// Arithmetic failure (cannot happen for valid inputs; kept for safety).
    Math(MathError),
}
crate::nested_error!(FixedExpError);

/// `e^(x / 1e18)` in WAD, rounded down, for `0 <= x <= EXP_WAD_MAX`.
///
/// `x = k ln2 + r` with `0 <= r < ln2` (in 36-decimal precision), then
/// `e^x = 2^k * e^r` with `e^r` from its Taylor series (terms below 1e-36
/// dropped: at most 30 terms for `r < ln 2`).
///
/// # Errors
/// [`ExpOverflow`] above [`EXP_WAD_MAX`].
pub fn exp_wad(x: U256) -> Result<U256, FixedExpError> {
    if x > EXP_WAD_MAX {
        return Err(FixedExpError::ExpOverflow(ExpOverflow { x }));
    }
    // Cannot overflow: x <= 1.36e20, so x * 1e18 < 1.4e38.
    let x36 = x * WAD;
    let k = div(x36, LN2_E36, Rounding::Down)?;
    // Cannot underflow: k * ln2 <= x36.
    let r = x36 - k * LN2_E36;
    // Taylor series of e^r at 1e36 scale. Every term and the sum stay below
    // 2e36, so the additions cannot overflow. (All divisions go through
    // `mul_div` / `div`: a plain `/` would link ruint's large generic division.)
    let mut sum = E36;
    let mut term = E36;
    let mut n = U256::from(1);
    while !term.is_zero() {
        term = mul_div(term, r, n * E36, Rounding::Down)?;
        sum += term;
        n += U256::from(1);
    }
    // k <= 195 (x / ln2), so 2^k fits; the result fits by the bound on x.
    Ok(mul_div(
        sum,
        U256::from(1) << k.to::<usize>(),
        WAD,
        Rounding::Down,
    )?)
}

/// `ln(x / 1e18)` in WAD, rounded down, for `x >= 1e18`.
///
/// `x = 2^k * m` with `1 <= m < 2` (in 36-decimal precision), then
/// `ln x = k ln2 + 2 atanh((m - 1) / (m + 1))`, the series in `z^2 <= 1/9`
/// (terms below 1e-36 dropped: at most about 40).
///
/// # Errors
/// [`LnBelowOne`] below `1e18`.
pub fn ln_wad(x: U256) -> Result<U256, FixedExpError> {
    if x < WAD {
        return Err(FixedExpError::LnBelowOne(LnBelowOne { x }));
    }
    // k = floor(log2(x / 1e18)).
    let k = (255 - div(x, WAD, Rounding::Down)?.leading_zeros()) as u32;
    // m = x / 2^k at 1e36 scale, in [1e36, 2e36). Computed as
    // x * 1e18 / 2^k, with 512 bits when x is large.
    let m = mul_div(x, WAD, U256::from(1) << k, Rounding::Down)?;
    // z = (m - 1) / (m + 1) at 1e36 scale, z < 1/3.
    let z = mul_div(m - E36, E36, m + E36, Rounding::Down)?;
    let z2 = mul_div(z, z, E36, Rounding::Down)?;
    let mut term = z;
    let mut sum = U256::ZERO;
    let mut n = U256::from(1);
    while !term.is_zero() {
        sum += div(term, n, Rounding::Down)?;
        term = mul_div(term, z2, E36, Rounding::Down)?;
        n += U256::from(2);
    }
    // ln x = k ln2 + 2 sum, back to WAD.
    let ln36 = LN2_E36 * U256::from(k) + sum * U256::from(2);
    Ok(div(ln36, WAD, Rounding::Down)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use num_traits::{ToPrimitive, Zero};
    use proptest::prelude::*;

    /// Reference precision: 1e60.
    fn scale() -> BigUint {
        BigUint::from(10u32).pow(60)
    }

    fn big(x: U256) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes::<32>())
    }

    /// e^(x / 1e18) * 1e60, by a plain Taylor series (no range reduction)
    /// at 1e80 working precision.
    fn exp_ref_e60(x: U256) -> BigUint {
        let work = BigUint::from(10u32).pow(80);
        let xw = big(x) * BigUint::from(10u32).pow(62); // x at 1e80 scale
        let mut sum = work.clone();
        let mut term = work.clone();
        let mut n = 1u32;
        while !term.is_zero() {
            term = term * &xw / (&work * n);
            sum += &term;
            n += 1;
        }
        sum / BigUint::from(10u32).pow(20)
    }

    /// ln(x / 1e18) * 1e60 by bisection on the reference exp (slow but
    /// independent of the implementation's algorithm).
    fn ln_ref_e60(x: U256) -> BigUint {
        // Find the largest y (WAD) with exp_ref(y) <= x * 1e42, then refine
        // with one Newton step at 1e60: ln x ≈ y + (x - e^y) / e^y.
        let target = big(x) * BigUint::from(10u32).pow(42);
        let (mut lo, mut hi) = (U256::ZERO, U256::from(136u64) * WAD);
        while hi - lo > U256::from(1) {
            let mid = (lo + hi) >> 1;
            if exp_ref_e60(mid) <= target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let ey = exp_ref_e60(lo);
        big(lo) * BigUint::from(10u32).pow(42) + (&target - &ey) * scale() / ey
    }

    fn abs_diff(a: &BigUint, b: &BigUint) -> BigUint {
        if a > b {
            a - b
        } else {
            b - a
        }
    }

    #[test]
    fn constants() {
        let ln2_e60 = BigUint::parse_bytes(
            b"693147180559945309417232121458176568075500134360255254120680",
            10,
        )
        .unwrap();
        assert_eq!(big(LN2_WAD), &ln2_e60 / BigUint::from(10u32).pow(42));
        assert_eq!(big(LN2_E36), &ln2_e60 / BigUint::from(10u32).pow(24));
        assert_eq!(E36, U256::from(10).pow(U256::from(36)));
        assert_eq!(
            EXP_WAD_MAX,
            U256::from(1353u64) * U256::from(10).pow(U256::from(17))
        );
        assert!(exp_wad(EXP_WAD_MAX).is_ok());
    }

    #[test]
    fn known_values() {
        assert_eq!(exp_wad(U256::ZERO), Ok(WAD));
        assert_eq!(exp_wad(WAD), Ok(U256::from(2_718_281_828_459_045_235u64)));
        assert_eq!(
            exp_wad(LN2_WAD),
            Ok(U256::from(1_999_999_999_999_999_999u64))
        );
        assert_eq!(ln_wad(WAD), Ok(U256::ZERO));
        assert_eq!(ln_wad(WAD * U256::from(2)), Ok(LN2_WAD));
        assert_eq!(
            ln_wad(U256::from(2_718_281_828_459_045_235u64)),
            Ok(WAD - U256::from(1))
        );
        let ln_max = ln_wad(U256::MAX).unwrap();
        assert!(ln_max.abs_diff(U256::from(135_999_146_549_453_176_898u128)) <= U256::from(2));
    }

    #[test]
    fn errors() {
        let x = EXP_WAD_MAX + U256::from(1);
        assert_eq!(
            exp_wad(x),
            Err(FixedExpError::ExpOverflow(ExpOverflow { x }))
        );
        let x = WAD - U256::from(1);
        assert_eq!(ln_wad(x), Err(FixedExpError::LnBelowOne(LnBelowOne { x })));
    }

    fn wad_arg() -> impl Strategy<Value = U256> {
        prop_oneof![
            (0u128..=135_300_000_000_000_000_000u128).prop_map(U256::from),
            (0u128..=10_000_000_000_000_000_000u128).prop_map(U256::from),
            (0u128..=1_000_000_000_000_000u128).prop_map(U256::from),
            (0u64..1000).prop_map(U256::from),
        ]
    }

    fn ln_arg() -> impl Strategy<Value = U256> {
        prop_oneof![
            (1_000_000_000_000_000_000u128..=u128::MAX).prop_map(U256::from),
            (1_000_000_000_000_000_000u128..=2_000_000_000_000_000_000u128).prop_map(U256::from),
            any::<[u64; 4]>().prop_map(|l| U256::from_limbs(l).max(WAD)),
            (0u64..1000).prop_map(|d| WAD + U256::from(d)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// |exp_wad(x) - e^x| <= 1 wei + 1e-17 relative.
        #[test]
        fn exp_matches_reference(x in wad_arg()) {
            let got = big(exp_wad(x).unwrap()) * BigUint::from(10u32).pow(42);
            let want = exp_ref_e60(x);
            let tolerance = scale() / BigUint::from(10u32).pow(18) + &want / BigUint::from(10u32).pow(17);
            let diff = abs_diff(&got, &want);
            prop_assert!(diff <= tolerance, "x={} got={} want={}", x, got, want);
        }

        /// |ln_wad(x) - ln x| <= 2 wei.
        #[test]
        fn ln_matches_reference(x in ln_arg()) {
            let got = big(ln_wad(x).unwrap()) * BigUint::from(10u32).pow(42);
            let want = ln_ref_e60(x);
            let diff = abs_diff(&got, &want);
            prop_assert!(diff <= BigUint::from(2u32) * BigUint::from(10u32).pow(42),
                "x={} got={} want={}", x, got, want);
        }

        #[test]
        fn exp_is_monotone_and_at_least_one_plus_x(a in wad_arg(), b in wad_arg()) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(exp_wad(lo).unwrap() <= exp_wad(hi).unwrap());
            // e^x >= 1 + x (within the rounding of 1 wei).
            prop_assert!(exp_wad(lo).unwrap() + U256::from(1) >= WAD + lo);
        }

        #[test]
        fn ln_is_monotone_and_inverts_exp(a in ln_arg(), b in ln_arg(), x in (0u128..=100_000_000_000_000_000_000u128)) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(ln_wad(lo).unwrap() <= ln_wad(hi).unwrap());
            // ln x <= x - 1.
            if let Some(bound) = lo.checked_sub(WAD) {
                prop_assert!(ln_wad(lo).unwrap() <= bound);
            }
            // ln(exp(x)) ≈ x: within a few wei plus the rounding of exp.
            let x = U256::from(x);
            let back = ln_wad(exp_wad(x).unwrap()).unwrap();
            let diff = if back > x { back - x } else { x - back };
            prop_assert!(diff <= U256::from(3) + (WAD / exp_wad(x).unwrap()), "x={} back={}", x, back);
        }
    }

    #[test]
    fn exp_precision_summary() {
        // Worst relative error over a grid, as a float for the report.
        let mut worst = 0f64;
        for i in 0..=1353u64 {
            let x = U256::from(i) * U256::from(10).pow(U256::from(17));
            let got = big(exp_wad(x).unwrap()) * BigUint::from(10u32).pow(42);
            let want = exp_ref_e60(x);
            let rel = abs_diff(&got, &want).to_f64().unwrap() / want.to_f64().unwrap();
            worst = worst.max(rel);
        }
        assert!(worst < 1e-17, "worst relative error {worst}");
    }
}
