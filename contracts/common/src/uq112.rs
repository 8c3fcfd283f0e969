//! Uniswap V2's UQ112x112 fixed point and its cumulative prices.
//!
//! A V2 pair accumulates, on the first action of each block,
//! `priceCumulative += (reserveOther << 112) / reserve × timeElapsed`
//! (UQ112x112 · seconds, wrapping modulo 2^256). The mock V2 pool produces
//! these sums and the TwapOracle reproduces them for the current block
//! (`UniswapV2OracleLibrary.currentCumulativePrices`): both use
//! [`cumulative_increment`], so they agree to the wei.

use alloy_primitives::U256;

use crate::math::{div, Rounding};

/// `2^112`: the UQ112x112 one.
pub const Q112: U256 = U256::from_limbs([0, 1 << 48, 0, 0]);

/// The increment of a V2 cumulative price over `elapsed` seconds:
/// `(numerator << 112) / denominator × elapsed`, rounded down
/// (UQ112x112 · seconds). Zero when either reserve is zero (V2 accumulates
/// nothing then).
///
/// Cannot overflow for V2 reserves: `numerator < 2^112`, so
/// `numerator << 112 < 2^224`, and `elapsed < 2^32`, so the product is below
/// `2^256`. (A larger `numerator` is not a V2 reserve: its high bits are
/// shifted out and the product wraps, as in V2's `uint256` arithmetic.)
pub fn cumulative_increment(numerator: U256, denominator: U256, elapsed: u32) -> U256 {
    if numerator.is_zero() || denominator.is_zero() {
        return U256::ZERO;
    }
    // Cannot fail: the denominator is not zero and the quotient is at most
    // the dividend.
    let ratio = div(numerator << 112, denominator, Rounding::Down).unwrap_or_default();
    // Cannot overflow for reserves below 2^112 (see above).
    ratio * U256::from(elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u(v: u64) -> U256 {
        U256::from(v)
    }

    #[test]
    fn cumulative_increment_is_v2() {
        assert_eq!(Q112, u(1) << 112);
        assert_eq!(cumulative_increment(u(2), u(1), 10), (u(2) << 112) * u(10));
        assert_eq!(
            cumulative_increment(u(1), u(4), 100),
            (u(1) << 112) / u(4) * u(100)
        );
        // Rounds down: 2^112 / 3 is not exact.
        assert_eq!(cumulative_increment(u(1), u(3), 1), (u(1) << 112) / u(3));
        assert_eq!(cumulative_increment(U256::ZERO, u(1), 10), U256::ZERO);
        assert_eq!(cumulative_increment(u(1), U256::ZERO, 10), U256::ZERO);
        assert_eq!(cumulative_increment(u(1), u(1), 0), U256::ZERO);
        // The largest possible increment does not overflow.
        let max = Q112 - u(1);
        assert_eq!(
            cumulative_increment(max, u(1), u32::MAX),
            (max << 112usize).checked_mul(U256::from(u32::MAX)).unwrap()
        );
    }

    proptest! {
        #[test]
        fn cumulative_increment_matches_ruint(
            numerator in 0u128..(1 << 112),
            denominator in 0u128..(1 << 112),
            elapsed in any::<u32>(),
        ) {
            let (n, d) = (U256::from(numerator), U256::from(denominator));
            let expected = if n.is_zero() || d.is_zero() {
                U256::ZERO
            } else {
                ((n << 112usize) / d).checked_mul(U256::from(elapsed)).unwrap()
            };
            prop_assert_eq!(cumulative_increment(n, d, elapsed), expected);
        }
    }
}
