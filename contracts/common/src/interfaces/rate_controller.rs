//! ABI of the rate controller (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// RateController, contracts/rate-controller. Rates are per-second WAD
/// (`apr = rate * 31,536,000`); `accruedFactorWad` (≥ 1e18) is the factor by
/// which paid debt grew since the previous `update`.
#[macro_export]
macro_rules! rate_controller_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IRateController {
                function update(uint256 freeDebt, uint256 paidDebt) external returns (uint256 ratePerSecondWad, uint256 accruedFactorWad);
                function previewRate(uint256 freeDebt, uint256 paidDebt) external view returns (uint256 ratePerSecondWad, uint256 accruedFactorWad);
                function rate() external view returns (uint256 ratePerSecondWad);
                function minRate() external view returns (uint256);
                function maxRate() external view returns (uint256);
                function halfLife() external view returns (uint256);
                function targetBand() external view returns (uint256 lowBps, uint256 highBps);
                function lastUpdate() external view returns (uint64);
                function lastRatioBps() external view returns (uint256);
                function direction() external view returns (uint8);
                function maxOracleAge() external view returns (uint256 epochs);
                function oracleState() external view returns (uint8 state, uint256 ageEpochs, bool stale);
                function vault() external view returns (address);
                function psm() external view returns (address);
                function oracle() external view returns (address);

                function setRateBounds(uint256 minRate, uint256 maxRate) external;
                function setHalfLife(uint256 halfLife) external;
                function setTargetBand(uint256 lowBps, uint256 highBps) external;
                function setMaxOracleAge(uint256 epochs) external;
                function setVault(address vault) external;
                function setPsm(address psm) external;
                function setOracle(address oracle) external;

                function owner() external view returns (address);
                function pendingOwner() external view returns (address);
                function guardian() external view returns (address);
                function transferOwnership(address newOwner) external;
                function acceptOwnership() external;
                function setGuardian(address guardian) external;
            }
        }
    };
}
