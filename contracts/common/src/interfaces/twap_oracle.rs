//! ABI of the twap oracle (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// TwapOracle, contracts/twap-oracle. `state()`: 0 Maintain, 1 Expansion,
/// 2 Contraction. `pegHealth()`: 0 Healthy, 1 Elevated, 2 High, 3 Weak,
/// 4 Broken, 5 Critical.
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
                function pegHealth() external view returns (uint8);
                function epochHistory(uint256 n) external view returns (uint256[] epochs, uint256[] twaps, uint8[] states, uint256[] minted);
                function epochStatus() external view returns (uint256 startsAt, uint256 endsAt, uint256 samples, uint256 nextSampleAt, uint256 sampledTwap);
                function spotPrice() external view returns (uint256);
                function backing() external view returns (uint256 collateral, uint256 psm, uint256 transmuterPending, uint256 supply, uint256 backingWad, uint8 peersMissingMask);
                function params() external view returns (uint256 sampleInterval, uint256 minSamples, uint256 upperBandBps, uint256 lowerBandBps, uint256 expansionFactorBps, uint256 maxExpansionRateBps);
                function peers() external view returns (address pool, address alAsset, bool alAssetIsToken0, address expansionRecipient, address vault, address psm, address transmuter);

                function setSampling(uint256 sampleInterval, uint256 minSamples) external;
                function setBands(uint256 upperBandBps, uint256 lowerBandBps) external;
                function setExpansion(uint256 expansionFactorBps, uint256 maxExpansionRateBps) external;
                function setExpansionRecipient(address recipient) external;
                function wirePeers(address vault, address psm, address transmuter) external;

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
