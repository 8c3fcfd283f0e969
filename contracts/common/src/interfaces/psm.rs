//! ABI of the psm (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// Peg Stability Module, contracts/psm. Amounts: `coin` 18 decimals,
/// `asset` the psmAsset's decimals; times in unix seconds.
#[macro_export]
macro_rules! psm_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IPsm {
                function sell(uint256 coinIn, uint256 minAssetOut, address recipient) external returns (uint256 assetOut);
                function buy(uint256 assetIn, uint256 minCoinOut, address recipient) external returns (uint256 coinOut);
                function quoteSell(uint256 coinIn) external view returns (uint256 assetOut);
                function quoteBuy(uint256 assetIn) external view returns (uint256 coinOut, uint256 fee);
                function harvest() external returns (uint256 assets);

                function freePsmAssets() external view returns (uint256);
                function freePsmAssetsInCoin() external view returns (uint256);
                function holdings() external view returns (uint256);
                function shortfall() external view returns (uint256);
                function buyFeeBps() external view returns (uint256);

                function coin() external view returns (address);
                function psmAsset() external view returns (address);
                function psmVault() external view returns (address);
                function treasury() external view returns (address);
                function assetDecimals() external view returns (uint8);
                function windowStart() external view returns (uint64);
                function immutabilityDeadline() external view returns (uint64);
                function minVaultSupply() external view returns (uint256);
                function buyPaused() external view returns (bool);

                function enableImmutabilityNow() external;
                function setBuyPaused(bool paused) external;
                function setMinVaultSupply(uint256 minimum) external;
                function setTreasury(address treasury) external;

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
