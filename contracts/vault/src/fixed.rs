//! Size-optimised full-precision `a * b / d`.
//!
//! Same contract as `suite_common::math::mul_div` (512-bit intermediate,
//! explicit rounding, the same `MathError`s), but without ruint's generic
//! 256- and 512-bit division routines, which cost the Vault about 15 KB of
//! raw WASM. The product is formed in `u64` limbs and divided one bit at a
//! time: Stylus compute is cheap (a few hundred gas at most per call), code
//! size is not. Differentially tested against `suite_common::math::mul_div`
//! (one difference: `DivisionByZero` carries `a`, not `a * b`, which would
//! pull in ruint's multiplication for an error payload).

use alloy_primitives::U256;
use suite_common::math::{DivisionByZero, MathError, MulDivOverflow, Rounding, BPS};

/// `a * b / d`, rounded as asked; [`DivisionByZero`] (carrying `a`) for `d == 0`,
/// [`MulDivOverflow`] when the result does not fit in 256 bits.
pub fn mul_div(a: U256, b: U256, d: U256, rounding: Rounding) -> Result<U256, MathError> {
    if d.is_zero() {
        return Err(MathError::DivisionByZero(DivisionByZero { numerator: a }));
    }
    let overflow = MathError::MulDivOverflow(MulDivOverflow {
        a,
        b,
        denominator: d,
    });
    let (x, y, divisor) = (a.as_limbs(), b.as_limbs(), d.as_limbs());
    // 512-bit product, little-endian limbs. Each step fits in u128:
    // (2^64-1)^2 + 2 * (2^64-1) = 2^128 - 1.
    let mut product = [0u64; 8];
    for i in 0..4 {
        let mut carry = 0u128;
        for j in 0..4 {
            let t = x[i] as u128 * y[j] as u128 + product[i + j] as u128 + carry;
            product[i + j] = t as u64;
            carry = t >> 64;
        }
        product[i + 4] = carry as u64;
    }
    // Restoring long division from the highest non-zero limb down.
    let top = product
        .iter()
        .rposition(|&limb| limb != 0)
        .map_or(0, |i| i + 1);
    let mut remainder = [0u64; 4];
    let mut quotient = [0u64; 8];
    for bit in (0..64 * top).rev() {
        let carry = remainder[3] >> 63;
        for k in (1..4).rev() {
            remainder[k] = remainder[k] << 1 | remainder[k - 1] >> 63;
        }
        remainder[0] = remainder[0] << 1 | (product[bit / 64] >> (bit % 64)) & 1;
        if carry == 1 || !less_than(&remainder, divisor) {
            // remainder - divisor, wrapping: the true difference is below the divisor.
            let mut borrow = false;
            for k in 0..4 {
                let (v, b1) = remainder[k].overflowing_sub(divisor[k]);
                let (v, b2) = v.overflowing_sub(borrow as u64);
                remainder[k] = v;
                borrow = b1 || b2;
            }
            quotient[bit / 64] |= 1 << (bit % 64);
        }
    }
    if quotient[4..].iter().any(|&limb| limb != 0) {
        return Err(overflow);
    }
    let q = U256::from_limbs([quotient[0], quotient[1], quotient[2], quotient[3]]);
    if rounding == Rounding::Up && remainder.iter().any(|&limb| limb != 0) {
        return q.checked_add(U256::from(1)).ok_or(overflow);
    }
    Ok(q)
}

fn less_than(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for k in (0..4).rev() {
        if a[k] != b[k] {
            return a[k] < b[k];
        }
    }
    false
}

/// `amount * bps / 10_000`.
pub fn bps_mul(amount: U256, bps: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(amount, bps, BPS, rounding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use suite_common::math;

    fn edge() -> impl Strategy<Value = U256> {
        prop_oneof![
            Just(U256::ZERO),
            Just(U256::from(1)),
            Just(U256::from(2)),
            Just(U256::MAX),
            Just(U256::MAX - U256::from(1)),
            Just(U256::from(1) << 255),
            Just(U256::from(1) << 128),
            any::<u64>().prop_map(U256::from),
            any::<u128>().prop_map(U256::from),
            any::<[u64; 4]>().prop_map(U256::from_limbs),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn matches_suite_common(a in edge(), b in edge(), d in edge()) {
            for rounding in [Rounding::Down, Rounding::Up] {
                let (ours, reference) = (mul_div(a, b, d, rounding), math::mul_div(a, b, d, rounding));
                if d.is_zero() {
                    prop_assert!(ours.is_err() && reference.is_err());
                } else {
                    prop_assert_eq!(ours, reference);
                }
            }
        }
    }

    #[test]
    fn examples() {
        let wad = U256::from(10u64.pow(18));
        assert_eq!(
            mul_div(U256::from(1), wad, U256::from(3), Rounding::Down),
            Ok(U256::from(333_333_333_333_333_333u64))
        );
        assert_eq!(
            mul_div(U256::from(1), wad, U256::from(3), Rounding::Up),
            Ok(U256::from(333_333_333_333_333_334u64))
        );
        assert_eq!(
            mul_div(U256::MAX, U256::MAX, U256::MAX, Rounding::Up),
            Ok(U256::MAX)
        );
        assert_eq!(
            bps_mul(U256::from(1_000_001), U256::from(100), Rounding::Up),
            Ok(U256::from(10_001))
        );
        assert!(mul_div(U256::MAX, U256::from(2), U256::from(1), Rounding::Down).is_err());
        assert!(mul_div(U256::from(5), U256::from(2), U256::ZERO, Rounding::Down).is_err());
    }
}
