//! Fixed-point arithmetic on `U256` that never wraps and never rounds silently.
//!
//! Units used across the suite:
//! * `[wad]`: 18-decimal fixed point, `WAD` = 1.0.
//! * `[bps]`: basis points, `BPS` = 100%.
//! * token amounts carry their token's decimals; `[coin]` amounts have 18.
//!
//! Every operation that can overflow, underflow or divide by zero returns a
//! [`MathError`] (a Solidity custom error carrying the operands), so a contract
//! reverts with a readable reason instead of wrapping (ruint's `+ - *` wrap).
//! Every division states its rounding direction; the suite rounds in favour of
//! the protocol (debt and fees up, payouts and minted amounts down).

use alloy_primitives::U256;
use alloy_sol_types::sol;
use stylus_sdk::prelude::*;

/// 1.0 in 18-decimal fixed point.
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);
/// 100% in basis points.
pub const BPS: U256 = U256::from_limbs([10_000, 0, 0, 0]);
/// Decimals of the alAsset (the suite's "coin").
pub const COIN_DECIMALS: u8 = 18;

sol! {
    /// `a + b` or `a * b` does not fit in 256 bits.
    #[derive(Debug, PartialEq, Eq)]
    error ArithmeticOverflow(uint256 a, uint256 b);
    /// `a - b` with `b > a`.
    #[derive(Debug, PartialEq, Eq)]
    error ArithmeticUnderflow(uint256 a, uint256 b);
    /// A division of `numerator` (for `a * b / 0`: `a`) by zero.
    #[derive(Debug, PartialEq, Eq)]
    error DivisionByZero(uint256 numerator);
    /// The result of `a * b / denominator` does not fit in 256 bits.
    #[derive(Debug, PartialEq, Eq)]
    error MulDivOverflow(uint256 a, uint256 b, uint256 denominator);
    /// A token reports more decimals than the suite supports (at most 18).
    #[derive(Debug, PartialEq, Eq)]
    error UnsupportedDecimals(uint8 decimals);
}

/// Arithmetic failures, encoded as Solidity custom errors.
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum MathError {
    /// See [`ArithmeticOverflow`].
    Overflow(ArithmeticOverflow),
    /// See [`ArithmeticUnderflow`].
    Underflow(ArithmeticUnderflow),
    /// See [`DivisionByZero`].
    DivisionByZero(DivisionByZero),
    /// See [`MulDivOverflow`].
    MulDivOverflow(MulDivOverflow),
    /// See [`UnsupportedDecimals`].
    UnsupportedDecimals(UnsupportedDecimals),
}
crate::nested_error!(MathError);

/// Direction in which a division rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero (payouts, minted shares, collateral released).
    Down,
    /// Away from zero (debt, fees, amounts taken from a user).
    Up,
}

/// `a + b`, or [`ArithmeticOverflow`].
#[inline]
pub fn add(a: U256, b: U256) -> Result<U256, MathError> {
    a.checked_add(b)
        .ok_or(MathError::Overflow(ArithmeticOverflow { a, b }))
}

/// `a - b`, or [`ArithmeticUnderflow`].
#[inline]
pub fn sub(a: U256, b: U256) -> Result<U256, MathError> {
    a.checked_sub(b)
        .ok_or(MathError::Underflow(ArithmeticUnderflow { a, b }))
}

/// `a * b`, or [`ArithmeticOverflow`].
#[inline]
pub fn mul(a: U256, b: U256) -> Result<U256, MathError> {
    a.checked_mul(b)
        .ok_or(MathError::Overflow(ArithmeticOverflow { a, b }))
}

/// `a / b` rounded as asked, or [`DivisionByZero`].
pub fn div(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(a, U256::from(1), b, rounding)
}

/// `a * b / denominator` computed with a 512-bit intermediate, rounded as asked.
///
/// Fails with [`DivisionByZero`] (carrying `a`) when `denominator` is zero and with
/// [`MulDivOverflow`] when the exact result does not fit in 256 bits.
///
/// Written for size, not speed: the product is formed in `u64` limbs and
/// divided one bit at a time (restoring long division from the highest
/// non-zero bit). ruint's generic 256- and 512-bit division would add about
/// 8–15 KB of WASM to every contract; this is a few hundred bytes, and its
/// cost is a few hundred gas at most (Stylus compute is cheap, code is not).
pub fn mul_div(a: U256, b: U256, denominator: U256, rounding: Rounding) -> Result<U256, MathError> {
    if denominator.is_zero() {
        return Err(MathError::DivisionByZero(DivisionByZero { numerator: a }));
    }
    let overflow = MathError::MulDivOverflow(MulDivOverflow { a, b, denominator });
    let (x, y, divisor) = (a.as_limbs(), b.as_limbs(), denominator.as_limbs());
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
        if carry == 1 || !limbs_less_than(&remainder, divisor) {
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

fn limbs_less_than(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for k in (0..4).rev() {
        if a[k] != b[k] {
            return a[k] < b[k];
        }
    }
    false
}

/// `a * b / WAD`: the product of two WAD numbers (or an amount times a WAD ratio).
#[inline]
pub fn wad_mul(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(a, b, WAD, rounding)
}

/// `a * WAD / b`: the quotient of two numbers as a WAD ratio.
#[inline]
pub fn wad_div(a: U256, b: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(a, WAD, b, rounding)
}

/// `amount * bps / 10_000`: a basis-point share of an amount.
#[inline]
pub fn bps_mul(amount: U256, bps: U256, rounding: Rounding) -> Result<U256, MathError> {
    mul_div(amount, bps, BPS, rounding)
}

/// `10^(18 - decimals)`: the factor that scales a token amount to 18 decimals.
pub fn decimals_scale(decimals: u8) -> Result<U256, MathError> {
    if decimals > COIN_DECIMALS {
        return Err(MathError::UnsupportedDecimals(UnsupportedDecimals {
            decimals,
        }));
    }
    // 10^18 fits in a u64.
    Ok(U256::from(10u64.pow(u32::from(COIN_DECIMALS - decimals))))
}

/// Converts a token amount with `decimals` decimals to an 18-decimal amount
/// (exact: a multiplication).
pub fn to_coin(amount: U256, decimals: u8) -> Result<U256, MathError> {
    mul(amount, decimals_scale(decimals)?)
}

/// Converts an 18-decimal amount to a token amount with `decimals` decimals,
/// rounded as asked. With [`Rounding::Down`] the remainder (dust below one
/// token unit) stays with the user: take only `to_coin(result)` from them.
pub fn from_coin(amount: U256, decimals: u8, rounding: Rounding) -> Result<U256, MathError> {
    div(amount, decimals_scale(decimals)?, rounding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use num_traits::{One, Zero};
    use proptest::prelude::*;

    fn big(x: U256) -> BigUint {
        BigUint::from_bytes_be(&x.to_be_bytes::<32>())
    }

    fn reference(a: U256, b: U256, d: U256, rounding: Rounding) -> Option<U256> {
        if d.is_zero() {
            return None;
        }
        let (a, b, d) = (big(a), big(b), big(d));
        let product = a * b;
        let mut q = &product / &d;
        if rounding == Rounding::Up && !(&product % &d).is_zero() {
            q += BigUint::one();
        }
        let bytes = q.to_bytes_be();
        (bytes.len() <= 32).then(|| U256::from_be_slice(&bytes))
    }

    fn edge() -> impl Strategy<Value = U256> {
        prop_oneof![
            Just(U256::ZERO),
            Just(U256::from(1)),
            Just(U256::from(2)),
            Just(U256::MAX),
            Just(U256::MAX - U256::from(1)),
            Just(WAD),
            Just(BPS),
            Just(U256::from(1) << 128),
            any::<u64>().prop_map(U256::from),
            any::<u128>().prop_map(U256::from),
            any::<[u64; 4]>().prop_map(U256::from_limbs),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn mul_div_matches_big_integer_reference(a in edge(), b in edge(), d in edge()) {
            for rounding in [Rounding::Down, Rounding::Up] {
                let got = mul_div(a, b, d, rounding).ok();
                prop_assert_eq!(got, reference(a, b, d, rounding));
            }
        }

        #[test]
        fn exact_division_rounds_the_same_both_ways(a in edge(), b in edge()) {
            prop_assume!(!b.is_zero());
            // (a * b) / b == a exactly, whatever the rounding.
            prop_assert_eq!(mul_div(a, b, b, Rounding::Down), Ok(a));
            prop_assert_eq!(mul_div(a, b, b, Rounding::Up), Ok(a));
        }

        #[test]
        fn up_is_down_plus_at_most_one(a in edge(), b in edge(), d in edge()) {
            if let (Ok(down), Ok(up)) = (mul_div(a, b, d, Rounding::Down), mul_div(a, b, d, Rounding::Up)) {
                prop_assert!(up == down || up == down + U256::from(1));
            }
        }

        #[test]
        fn checked_ops_match_reference(a in edge(), b in edge()) {
            let max = big(U256::MAX);
            let sum = big(a) + big(b);
            prop_assert_eq!(add(a, b).is_ok(), sum <= max);
            prop_assert_eq!(sub(a, b).is_ok(), a >= b);
            prop_assert_eq!(mul(a, b).is_ok(), big(a) * big(b) <= max);
            if let Ok(s) = add(a, b) { prop_assert_eq!(big(s), sum); }
        }

        #[test]
        fn decimals_round_trip_leaves_dust_with_user(amount in any::<u128>(), decimals in 0u8..=18) {
            let amount = U256::from(amount);
            let asset = from_coin(amount, decimals, Rounding::Down).unwrap();
            let taken = to_coin(asset, decimals).unwrap();
            prop_assert!(taken <= amount);
            prop_assert!(amount - taken < decimals_scale(decimals).unwrap());
        }
    }

    #[test]
    fn errors_carry_operands() {
        assert_eq!(
            add(U256::MAX, U256::from(1)),
            Err(MathError::Overflow(ArithmeticOverflow {
                a: U256::MAX,
                b: U256::from(1)
            }))
        );
        assert_eq!(
            sub(U256::from(1), U256::from(2)),
            Err(MathError::Underflow(ArithmeticUnderflow {
                a: U256::from(1),
                b: U256::from(2)
            }))
        );
        assert_eq!(
            div(U256::from(7), U256::ZERO, Rounding::Down),
            Err(MathError::DivisionByZero(DivisionByZero {
                numerator: U256::from(7)
            }))
        );
        assert_eq!(
            mul_div(U256::MAX, U256::MAX, U256::from(1), Rounding::Down),
            Err(MathError::MulDivOverflow(MulDivOverflow {
                a: U256::MAX,
                b: U256::MAX,
                denominator: U256::from(1)
            }))
        );
        assert_eq!(
            decimals_scale(19),
            Err(MathError::UnsupportedDecimals(UnsupportedDecimals {
                decimals: 19
            }))
        );
        // The revert data is the Solidity custom error's encoding.
        let data: alloc::vec::Vec<u8> = MathError::Underflow(ArithmeticUnderflow {
            a: U256::from(1),
            b: U256::from(2),
        })
        .into();
        assert_eq!(
            &data[..4],
            &<ArithmeticUnderflow as alloy_sol_types::SolError>::SELECTOR
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(
            wad_mul(WAD * U256::from(3), WAD / U256::from(2), Rounding::Down),
            Ok(WAD * U256::from(3) / U256::from(2))
        );
        assert_eq!(
            wad_div(U256::from(1), U256::from(3), Rounding::Down),
            Ok(U256::from(333_333_333_333_333_333u64))
        );
        assert_eq!(
            wad_div(U256::from(1), U256::from(3), Rounding::Up),
            Ok(U256::from(333_333_333_333_333_334u64))
        );
        assert_eq!(
            bps_mul(U256::from(1_000_001), U256::from(100), Rounding::Up),
            Ok(U256::from(10_001))
        );
        assert_eq!(
            bps_mul(U256::from(1_000_001), U256::from(100), Rounding::Down),
            Ok(U256::from(10_000))
        );
        assert_eq!(
            to_coin(U256::from(5), 6),
            Ok(U256::from(5_000_000_000_000u64))
        );
        assert_eq!(
            from_coin(U256::from(1_999_999_999_999u64), 6, Rounding::Down),
            Ok(U256::from(1))
        );
        assert_eq!(
            from_coin(U256::from(1_000_000_000_001u64), 6, Rounding::Up),
            Ok(U256::from(2))
        );
        assert_eq!(
            div(U256::MAX, U256::from(2), Rounding::Up),
            Ok((U256::MAX >> 1) + U256::from(1))
        );
    }
}
