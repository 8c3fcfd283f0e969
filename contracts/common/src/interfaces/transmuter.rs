//! ABI of the transmuter (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// Transmuter (fixed-term redemption), contracts/transmuter.
#[macro_export]
macro_rules! transmuter_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface ITransmuter {
                function createRedemption(uint256 amount) external returns (uint256 id);
                function claimRedemption(uint256 id) external;
                function totalPending() external view returns (uint256);
            }
        }
    };
}
