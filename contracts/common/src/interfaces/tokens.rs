//! Token and market interfaces the suite calls but does not define.

/// ERC-20 (EIP-20) with the optional metadata functions.
#[macro_export]
macro_rules! erc20_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IErc20 {
                function name() external view returns (string);
                function symbol() external view returns (string);
                function decimals() external view returns (uint8);
                function totalSupply() external view returns (uint256);
                function balanceOf(address account) external view returns (uint256);
                function allowance(address owner, address spender) external view returns (uint256);
                function transfer(address to, uint256 value) external returns (bool);
                function approve(address spender, uint256 value) external returns (bool);
                function transferFrom(address from, address to, uint256 value) external returns (bool);
            }
        }
    };
}

/// ERC-4626 tokenized vault (EIP-4626, complete, with its ERC-20 share token).
#[macro_export]
macro_rules! erc4626_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IErc4626 {
                function name() external view returns (string);
                function symbol() external view returns (string);
                function decimals() external view returns (uint8);
                function totalSupply() external view returns (uint256);
                function balanceOf(address account) external view returns (uint256);
                function allowance(address owner, address spender) external view returns (uint256);
                function transfer(address to, uint256 value) external returns (bool);
                function transferFrom(address from, address to, uint256 value) external returns (bool);
                function approve(address spender, uint256 value) external returns (bool);

                function asset() external view returns (address);
                function totalAssets() external view returns (uint256);
                function convertToAssets(uint256 shares) external view returns (uint256);
                function convertToShares(uint256 assets) external view returns (uint256);
                function maxDeposit(address receiver) external view returns (uint256);
                function maxMint(address receiver) external view returns (uint256);
                function maxWithdraw(address owner) external view returns (uint256);
                function maxRedeem(address owner) external view returns (uint256);
                function previewDeposit(uint256 assets) external view returns (uint256);
                function previewMint(uint256 shares) external view returns (uint256);
                function previewWithdraw(uint256 assets) external view returns (uint256);
                function previewRedeem(uint256 shares) external view returns (uint256);
                function deposit(uint256 assets, address receiver) external returns (uint256);
                function mint(uint256 shares, address receiver) external returns (uint256);
                function withdraw(uint256 assets, address receiver, address owner) external returns (uint256);
                function redeem(uint256 shares, address receiver, address owner) external returns (uint256);
            }
        }
    };
}

/// The Uniswap-V2 pair interface the TWAP oracle reads (real V2-style pools
/// on Arbitrum work unchanged).
#[macro_export]
macro_rules! uniswap_v2_pair_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IUniswapV2Pair {
                function token0() external view returns (address);
                function token1() external view returns (address);
                function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
                function price0CumulativeLast() external view returns (uint256);
                function price1CumulativeLast() external view returns (uint256);
                function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
            }
        }
    };
}
