//! ABI of the psm (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// Peg Stability Module, contracts/psm.
#[macro_export]
macro_rules! psm_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IPsm {
                function sell(uint256 coinIn, uint256 minAssetOut, address recipient) external returns (uint256 assetOut);
                function buy(uint256 assetIn, uint256 minCoinOut, address recipient) external returns (uint256 coinOut);
                function quoteSell(uint256 coinIn) external view returns (uint256 assetOut);
                function quoteBuy(uint256 assetIn) external view returns (uint256 coinOut, uint256 fee);
                function freePsmAssets() external view returns (uint256);
                function freePsmAssetsInCoin() external view returns (uint256);
                function harvest() external returns (uint256);
            }
        }
    };
}
