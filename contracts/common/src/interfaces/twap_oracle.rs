//! ABI of the twap oracle (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// TwapOracle, contracts/twap-oracle. `state()`: 0 Maintain, 1 Expansion, 2 Contraction.
#[macro_export]
macro_rules! twap_oracle_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface ITwapOracle {
                function sample() external;
                function advanceEpoch() external;
                function state() external view returns (uint8);
                function lastTwap() external view returns (uint256);
                function currentEpoch() external view returns (uint256);
            }
        }
    };
}
