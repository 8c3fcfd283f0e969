//! ABI of the V2Pool test fixture (contracts/mocks/v2-pool; test only, never
//! deployed to production). Its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`.

/// V2Pool: a Uniswap-V2-style pair + minimal router; its LP token is an ERC-20.
/// The read side the TwapOracle uses is `IUniswapV2Pair` (tokens.rs).
#[macro_export]
macro_rules! v2_pool_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IV2Pool {
                function name() external view returns (string);
                function symbol() external view returns (string);
                function decimals() external view returns (uint8);
                function totalSupply() external view returns (uint256);
                function balanceOf(address account) external view returns (uint256);
                function allowance(address owner, address spender) external view returns (uint256);
                function transfer(address to, uint256 value) external returns (bool);
                function approve(address spender, uint256 value) external returns (bool);
                function transferFrom(address from, address to, uint256 value) external returns (bool);

                function token0() external view returns (address);
                function token1() external view returns (address);
                function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
                function price0CumulativeLast() external view returns (uint256);
                function price1CumulativeLast() external view returns (uint256);
                function MINIMUM_LIQUIDITY() external view returns (uint256);

                function addLiquidity(uint256 amount0, uint256 amount1, address to) external returns (uint256 liquidity);
                function removeLiquidity(uint256 liquidity, address to) external returns (uint256 amount0, uint256 amount1);
                function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
                function swapExactIn(address tokenIn, uint256 amountIn, uint256 minOut, address to) external returns (uint256 amountOut);
                function quoteExactIn(address tokenIn, uint256 amountIn) external view returns (uint256 amountOut);
            }
        }
    };
}
