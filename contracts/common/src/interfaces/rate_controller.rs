//! ABI of the rate controller (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// RateController, contracts/rate-controller.
#[macro_export]
macro_rules! rate_controller_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IRateController {
                function update(uint256 freeDebt, uint256 paidDebt) external returns (uint256 ratePerSecondWad, uint256 accruedFactorWad);
                function rate() external view returns (uint256 ratePerSecondWad);
                function previewRate(uint256 freeDebt, uint256 paidDebt) external view returns (uint256 ratePerSecondWad, uint256 accruedFactorWad);
            }
        }
    };
}
