//! # V2Pool — TEST ONLY: a constant-product pool with Uniswap-V2 semantics
//!
//! One alAsset / psmAsset market for tests, simulations and the TwapOracle:
//! a Uniswap-V2 pair and a minimal router in one contract.
//!
//! * `token0` / `token1` are the two tokens sorted by address, as V2 sorts them.
//! * `getReserves()` returns `(uint112 reserve0, uint112 reserve1, uint32
//!   blockTimestampLast)`; `price0CumulativeLast` / `price1CumulativeLast` are
//!   V2's UQ112x112 cumulative prices, accumulated on the first action of a
//!   block (`_update`): `price0Cumulative += (reserve1 << 112) / reserve0 *
//!   timeElapsed`, with 32-bit timestamps and the cumulative sums wrapping
//!   modulo 2^256 exactly as in V2 (consumers take differences).
//! * `swap(amount0Out, amount1Out, to, data)`: the input is sent to the pool
//!   first (V2 style), then the 0.3% fee K-check runs on the new balances.
//!   Flash swaps are not supported: non-empty `data` reverts.
//! * `addLiquidity` / `removeLiquidity` pull and pay tokens themselves (a
//!   simplified router + pair): `addLiquidity` takes the largest amounts in the
//!   pool's ratio not above the ones given (like the V2 router's quote), and
//!   `MINIMUM_LIQUIDITY` LP tokens of the first deposit are locked forever at
//!   the pool's own address (V2 locks them at `address(0)`, which the shared
//!   ERC-20 component refuses; the pool never moves its own LP tokens).
//! * `swapExactIn(tokenIn, amountIn, minOut, to)`: a router-style swap for
//!   tests; `quoteExactIn` is its view.
//!
//! Prices are raw reserve ratios, as in V2: a consumer (the TwapOracle)
//! converts them using both tokens' decimals.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{aliases::U112, Address, Bytes, U256};
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageU256, StorageU32},
};
use suite_common::{
    erc20::{Erc20, Erc20Error, IErc20},
    errors::{SlippageExceeded, ZeroAddress},
    events::{emit, word},
    impl_erc20,
    interfaces::IErc20 as IToken,
    math::{self, MathError, Rounding::Down},
    uq112::cumulative_increment,
};

/// LP tokens of the first deposit locked forever (as in Uniswap V2).
pub const MINIMUM_LIQUIDITY: U256 = U256::from_limbs([1_000, 0, 0, 0]);
/// `2^112`: the UQ112x112 fixed-point one.
pub use suite_common::uq112::Q112;
/// Largest reserve a pair can hold (`type(uint112).max`).
pub const MAX_RESERVE: U256 = U256::from_limbs([u64::MAX, (1 << 48) - 1, 0, 0]);

sol! {
    /// Both tokens are `token`.
    #[derive(Debug, PartialEq, Eq)]
    error IdenticalTokens(address token);
    /// `token` is neither `token0` nor `token1`.
    #[derive(Debug, PartialEq, Eq)]
    error UnknownToken(address token);
    /// A deposit of `amount0` / `amount1` would mint no LP tokens.
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientLiquidityMinted(uint256 amount0, uint256 amount1);
    /// Burning `liquidity` LP tokens would pay out nothing of one token.
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientLiquidityBurned(uint256 liquidity);
    /// A swap that takes nothing out.
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientOutputAmount();
    /// A swap into which nothing was paid.
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientInputAmount();
    /// An output `amountOut` not below its `reserve` (or an empty reserve).
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientLiquidity(uint256 amountOut, uint256 reserve);
    /// Swap output cannot go to one of the pool's tokens.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidTo(address to);
    /// The fee-adjusted product `kAfter` (scaled by 10^6) fell below `kBefore`.
    #[derive(Debug, PartialEq, Eq)]
    error KInvariant(uint256 kAfter, uint256 kBefore);
    /// A balance does not fit in `uint112`.
    #[derive(Debug, PartialEq, Eq)]
    error ReserveOverflow(uint256 balance0, uint256 balance1);
    /// Flash swaps are not supported: `data` (of `length` bytes) must be empty.
    #[derive(Debug, PartialEq, Eq)]
    error FlashSwapUnsupported(uint256 length);
    /// `token` returned `false` from a transfer.
    #[derive(Debug, PartialEq, Eq)]
    error TokenTransferFailed(address token);

    /// `sender` deposited `amount0` / `amount1`.
    event Mint(address indexed sender, uint256 amount0, uint256 amount1);
    /// `sender` withdrew `amount0` / `amount1` to `to`.
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);
    /// A swap (V2's event).
    event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to);
    /// The reserves are now `reserve0` / `reserve1`.
    event Sync(uint112 reserve0, uint112 reserve1);
}

/// Every failure of the V2Pool, as Solidity custom errors.
#[derive(SolidityError, Debug)]
pub enum V2PoolError {
    /// LP-token failure (balance, allowance, zero address).
    Erc20(Erc20Error),
    /// Arithmetic failure.
    Math(MathError),
    /// A token call reverted (its revert data bubbles up).
    Call(stylus_sdk::stylus_core::calls::errors::Error),
    /// See [`ZeroAddress`].
    ZeroAddress(ZeroAddress),
    /// See [`SlippageExceeded`].
    SlippageExceeded(SlippageExceeded),
    /// See [`IdenticalTokens`].
    IdenticalTokens(IdenticalTokens),
    /// See [`UnknownToken`].
    UnknownToken(UnknownToken),
    /// See [`InsufficientLiquidityMinted`].
    InsufficientLiquidityMinted(InsufficientLiquidityMinted),
    /// See [`InsufficientLiquidityBurned`].
    InsufficientLiquidityBurned(InsufficientLiquidityBurned),
    /// See [`InsufficientOutputAmount`].
    InsufficientOutputAmount(InsufficientOutputAmount),
    /// See [`InsufficientInputAmount`].
    InsufficientInputAmount(InsufficientInputAmount),
    /// See [`InsufficientLiquidity`].
    InsufficientLiquidity(InsufficientLiquidity),
    /// See [`InvalidTo`].
    InvalidTo(InvalidTo),
    /// See [`KInvariant`].
    KInvariant(KInvariant),
    /// See [`ReserveOverflow`].
    ReserveOverflow(ReserveOverflow),
    /// See [`FlashSwapUnsupported`].
    FlashSwapUnsupported(FlashSwapUnsupported),
    /// See [`TokenTransferFailed`].
    TokenTransferFailed(TokenTransferFailed),
}

/// The V2Pool contract.
#[entrypoint]
#[storage]
pub struct V2Pool {
    /// The LP token (18 decimals).
    lp: Erc20,
    /// The token with the lower address.
    token0: StorageAddress,
    /// The token with the higher address.
    token1: StorageAddress,
    /// Booked balance of `token0` `[token0 units]`, at most `2^112 - 1`.
    reserve0: StorageU256,
    /// Booked balance of `token1` `[token1 units]`, at most `2^112 - 1`.
    reserve1: StorageU256,
    /// `block.timestamp mod 2^32` of the last reserve update `[seconds]`.
    block_timestamp_last: StorageU32,
    /// Σ (reserve1 / reserve0 as UQ112x112) × elapsed `[UQ112x112 · seconds]`, wrapping.
    price0_cumulative_last: StorageU256,
    /// Σ (reserve0 / reserve1 as UQ112x112) × elapsed `[UQ112x112 · seconds]`, wrapping.
    price1_cumulative_last: StorageU256,
}

/// V2's `getAmountOut`: the output of a swap of `amount_in` against reserves
/// `reserve_in` / `reserve_out` with the 0.3% fee, rounded down.
///
/// # Errors
/// [`InsufficientInputAmount`] for zero input, [`InsufficientLiquidity`] for
/// an empty pool, `MathError` on overflow.
pub fn amount_out(
    amount_in: U256,
    reserve_in: U256,
    reserve_out: U256,
) -> Result<U256, V2PoolError> {
    if amount_in.is_zero() {
        return Err(InsufficientInputAmount {}.into());
    }
    if reserve_in.is_zero() || reserve_out.is_zero() {
        return Err(InsufficientLiquidity {
            amountOut: U256::ZERO,
            reserve: reserve_in.min(reserve_out),
        }
        .into());
    }
    let in_with_fee = math::mul(amount_in, U256::from(997))?;
    let denominator = math::add(math::mul(reserve_in, U256::from(1000))?, in_with_fee)?;
    Ok(math::mul_div(in_with_fee, reserve_out, denominator, Down)?)
}

/// `floor(sqrt(y))` by Newton's method (V2's `Math.sqrt`; no floats).
pub fn sqrt(y: U256) -> U256 {
    if y <= U256::from(3) {
        return if y.is_zero() {
            U256::ZERO
        } else {
            U256::from(1)
        };
    }
    let mut z = y;
    // y / 2 + 1 cannot overflow: y / 2 < U256::MAX.
    let mut x = (y >> 1) + U256::from(1);
    while x < z {
        z = x;
        // x <= y / 2 + 1, so y / x + x cannot overflow; x > 0.
        x = (math::div(y, x, Down).unwrap_or_default() + x) >> 1;
    }
    z
}

#[public]
#[implements(IErc20)]
impl V2Pool {
    /// Creates the pool of `token_a` and `token_b` (sorted by address into
    /// `token0` / `token1`). The LP token is "V2 Pool LP" / "V2-LP", 18 decimals.
    ///
    /// # Errors
    /// `ZeroAddress`, `IdenticalTokens`.
    #[constructor]
    pub fn constructor(&mut self, token_a: Address, token_b: Address) -> Result<(), V2PoolError> {
        if token_a == token_b {
            return Err(IdenticalTokens { token: token_a }.into());
        }
        let (token0, token1) = if token_a < token_b {
            (token_a, token_b)
        } else {
            (token_b, token_a)
        };
        if token0.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        self.token0.set(token0);
        self.token1.set(token1);
        self.lp.init(b"V2 Pool LP", b"V2-LP", 18)?;
        Ok(())
    }

    /// The token with the lower address.
    pub fn token0(&self) -> Address {
        self.token0.get()
    }

    /// The token with the higher address.
    pub fn token1(&self) -> Address {
        self.token1.get()
    }

    /// `(reserve0, reserve1, blockTimestampLast)`, as V2.
    pub fn get_reserves(&self) -> (U112, U112, u32) {
        (
            U112::from(self.reserve0.get()),
            U112::from(self.reserve1.get()),
            self.block_timestamp_last.get().to::<u32>(),
        )
    }

    /// Cumulative price of `token0` in `token1` (UQ112x112 · seconds, wrapping).
    pub fn price0_cumulative_last(&self) -> U256 {
        self.price0_cumulative_last.get()
    }

    /// Cumulative price of `token1` in `token0` (UQ112x112 · seconds, wrapping).
    pub fn price1_cumulative_last(&self) -> U256 {
        self.price1_cumulative_last.get()
    }

    /// LP tokens locked forever by the first deposit.
    #[selector(name = "MINIMUM_LIQUIDITY")]
    pub fn minimum_liquidity(&self) -> U256 {
        MINIMUM_LIQUIDITY
    }

    /// Deposits up to `amount0` / `amount1` (pulled from the caller with
    /// `transferFrom`: approve first) and mints LP tokens to `to`. Into a
    /// non-empty pool it takes the largest amounts in the pool's ratio not
    /// above the ones given (V2 router quote, rounded down). The first deposit
    /// mints `sqrt(amount0 * amount1) - MINIMUM_LIQUIDITY` (the rest is locked).
    ///
    /// # Errors
    /// `InsufficientLiquidityMinted`, `ReserveOverflow`, the tokens' errors,
    /// `MathError`.
    ///
    /// # Events
    /// `Transfer` (LP), `Sync`, `Mint`.
    pub fn add_liquidity(
        &mut self,
        amount0: U256,
        amount1: U256,
        to: Address,
    ) -> Result<U256, V2PoolError> {
        let (reserve0, reserve1) = (self.reserve0.get(), self.reserve1.get());
        let (amount0, amount1) = if reserve0.is_zero() && reserve1.is_zero() {
            (amount0, amount1)
        } else {
            let optimal1 = math::mul_div(amount0, reserve1, reserve0, Down)?;
            if optimal1 <= amount1 {
                (amount0, optimal1)
            } else {
                (math::mul_div(amount1, reserve0, reserve1, Down)?, amount1)
            }
        };
        let sender = self.vm().msg_sender();
        let this = self.vm().contract_address();
        self.pull(self.token0.get(), sender, this, amount0)?;
        self.pull(self.token1.get(), sender, this, amount1)?;

        // V2's `mint`: what arrived is the balance above the reserves.
        let (balance0, balance1) = self.balances()?;
        let amount0 = math::sub(balance0, reserve0)?;
        let amount1 = math::sub(balance1, reserve1)?;
        let supply = self.lp.total_supply();
        let liquidity = if supply.is_zero() {
            let root = sqrt(math::mul(amount0, amount1)?);
            if root <= MINIMUM_LIQUIDITY {
                return Err(InsufficientLiquidityMinted { amount0, amount1 }.into());
            }
            self.lp.mint(this, MINIMUM_LIQUIDITY)?;
            root - MINIMUM_LIQUIDITY
        } else {
            math::mul_div(amount0, supply, reserve0, Down)?
                .min(math::mul_div(amount1, supply, reserve1, Down)?)
        };
        if liquidity.is_zero() {
            return Err(InsufficientLiquidityMinted { amount0, amount1 }.into());
        }
        self.lp.mint(to, liquidity)?;
        self.update(balance0, balance1, reserve0, reserve1)?;
        emit(
            self.vm(),
            &[Mint::SIGNATURE_HASH, word(sender)],
            &[amount0.into(), amount1.into()],
        );
        Ok(liquidity)
    }

    /// Burns `liquidity` of the caller's LP tokens and pays its share of both
    /// balances to `to` (rounded down), as V2's `burn`.
    ///
    /// # Errors
    /// `InsufficientLiquidityBurned`, `ERC20InsufficientBalance` (LP), the
    /// tokens' errors, `MathError`.
    ///
    /// # Events
    /// `Transfer` (LP and tokens), `Sync`, `Burn`.
    pub fn remove_liquidity(
        &mut self,
        liquidity: U256,
        to: Address,
    ) -> Result<(U256, U256), V2PoolError> {
        let sender = self.vm().msg_sender();
        let (reserve0, reserve1) = (self.reserve0.get(), self.reserve1.get());
        let (balance0, balance1) = self.balances()?;
        let supply = self.lp.total_supply();
        let amount0 = math::mul_div(liquidity, balance0, supply, Down)?;
        let amount1 = math::mul_div(liquidity, balance1, supply, Down)?;
        if amount0.is_zero() || amount1.is_zero() {
            return Err(InsufficientLiquidityBurned { liquidity }.into());
        }
        self.lp.burn(sender, liquidity)?;
        self.pay(self.token0.get(), to, amount0)?;
        self.pay(self.token1.get(), to, amount1)?;
        let (balance0, balance1) = self.balances()?;
        self.update(balance0, balance1, reserve0, reserve1)?;
        emit(
            self.vm(),
            &[Burn::SIGNATURE_HASH, word(sender), word(to)],
            &[amount0.into(), amount1.into()],
        );
        Ok((amount0, amount1))
    }

    /// V2's low-level swap: pays `amount0Out` / `amount1Out` to `to`, then
    /// requires that the input already sent to the pool keeps
    /// `(balance0·1000 − in0·3)·(balance1·1000 − in1·3) ≥ reserve0·reserve1·10^6`.
    /// Flash swaps are not supported (`data` must be empty).
    ///
    /// # Errors
    /// `FlashSwapUnsupported`, `InsufficientOutputAmount`,
    /// `InsufficientLiquidity`, `InvalidTo`, `InsufficientInputAmount`,
    /// `KInvariant`, `ReserveOverflow`, the tokens' errors.
    ///
    /// # Events
    /// `Transfer` (tokens), `Sync`, `Swap`.
    pub fn swap(
        &mut self,
        amount0_out: U256,
        amount1_out: U256,
        to: Address,
        data: Bytes,
    ) -> Result<(), V2PoolError> {
        if !data.is_empty() {
            return Err(FlashSwapUnsupported {
                length: U256::from(data.len()),
            }
            .into());
        }
        self.swap_internal(amount0_out, amount1_out, to)
    }

    /// Router-style swap: pulls `amount_in` of `token_in` from the caller
    /// (approve first) and pays the V2 output (0.3% fee, rounded down) of the
    /// other token to `to`.
    ///
    /// # Errors
    /// `UnknownToken`, `SlippageExceeded` when the output is below `min_out`,
    /// and the errors of `swap`.
    ///
    /// # Events
    /// As `swap`.
    pub fn swap_exact_in(
        &mut self,
        token_in: Address,
        amount_in: U256,
        min_out: U256,
        to: Address,
    ) -> Result<U256, V2PoolError> {
        let zero_for_one = self.direction(token_in)?;
        let sender = self.vm().msg_sender();
        let this = self.vm().contract_address();
        self.pull(token_in, sender, this, amount_in)?;
        let (reserve0, reserve1) = (self.reserve0.get(), self.reserve1.get());
        let (balance0, balance1) = self.balances()?;
        let out = if zero_for_one {
            amount_out(math::sub(balance0, reserve0)?, reserve0, reserve1)?
        } else {
            amount_out(math::sub(balance1, reserve1)?, reserve1, reserve0)?
        };
        if out < min_out {
            return Err(SlippageExceeded {
                actual: out,
                minimum: min_out,
            }
            .into());
        }
        if zero_for_one {
            self.swap_internal(U256::ZERO, out, to)?;
        } else {
            self.swap_internal(out, U256::ZERO, to)?;
        }
        Ok(out)
    }

    /// What `swapExactIn(token_in, amount_in, ..)` would pay now.
    ///
    /// # Errors
    /// `UnknownToken`, `InsufficientInputAmount`, `InsufficientLiquidity`.
    pub fn quote_exact_in(&self, token_in: Address, amount_in: U256) -> Result<U256, V2PoolError> {
        let (reserve0, reserve1) = (self.reserve0.get(), self.reserve1.get());
        if self.direction(token_in)? {
            amount_out(amount_in, reserve0, reserve1)
        } else {
            amount_out(amount_in, reserve1, reserve0)
        }
    }
}

impl V2Pool {
    /// `true` when `token_in` is `token0`, `false` for `token1`.
    fn direction(&self, token_in: Address) -> Result<bool, V2PoolError> {
        if token_in == self.token0.get() {
            Ok(true)
        } else if token_in == self.token1.get() {
            Ok(false)
        } else {
            Err(UnknownToken { token: token_in }.into())
        }
    }

    fn swap_internal(
        &mut self,
        amount0_out: U256,
        amount1_out: U256,
        to: Address,
    ) -> Result<(), V2PoolError> {
        if amount0_out.is_zero() && amount1_out.is_zero() {
            return Err(InsufficientOutputAmount {}.into());
        }
        let (reserve0, reserve1) = (self.reserve0.get(), self.reserve1.get());
        for (amount_out, reserve) in [(amount0_out, reserve0), (amount1_out, reserve1)] {
            if amount_out >= reserve {
                return Err(InsufficientLiquidity {
                    amountOut: amount_out,
                    reserve,
                }
                .into());
            }
        }
        let (token0, token1) = (self.token0.get(), self.token1.get());
        if to == token0 || to == token1 {
            return Err(InvalidTo { to }.into());
        }
        if !amount0_out.is_zero() {
            self.pay(token0, to, amount0_out)?;
        }
        if !amount1_out.is_zero() {
            self.pay(token1, to, amount1_out)?;
        }
        let (balance0, balance1) = self.balances()?;
        // reserve - out cannot underflow: out < reserve was checked above.
        let (left0, left1) = (reserve0 - amount0_out, reserve1 - amount1_out);
        let amount0_in = balance0.saturating_sub(left0);
        let amount1_in = balance1.saturating_sub(left1);
        if amount0_in.is_zero() && amount1_in.is_zero() {
            return Err(InsufficientInputAmount {}.into());
        }
        let thousand = U256::from(1000);
        let adjusted0 = math::sub(
            math::mul(balance0, thousand)?,
            math::mul(amount0_in, U256::from(3))?,
        )?;
        let adjusted1 = math::sub(
            math::mul(balance1, thousand)?,
            math::mul(amount1_in, U256::from(3))?,
        )?;
        let k_after = math::mul(adjusted0, adjusted1)?;
        let k_before = math::mul(math::mul(reserve0, reserve1)?, U256::from(1_000_000))?;
        if k_after < k_before {
            return Err(KInvariant {
                kAfter: k_after,
                kBefore: k_before,
            }
            .into());
        }
        self.update(balance0, balance1, reserve0, reserve1)?;
        emit(
            self.vm(),
            &[Swap::SIGNATURE_HASH, word(self.vm().msg_sender()), word(to)],
            &[
                amount0_in.into(),
                amount1_in.into(),
                amount0_out.into(),
                amount1_out.into(),
            ],
        );
        Ok(())
    }

    /// V2's `_update`: accumulates the prices of the reserves that held since
    /// the last update (first action of a block), then books the balances.
    fn update(
        &mut self,
        balance0: U256,
        balance1: U256,
        reserve0: U256,
        reserve1: U256,
    ) -> Result<(), V2PoolError> {
        if balance0 > MAX_RESERVE || balance1 > MAX_RESERVE {
            return Err(ReserveOverflow { balance0, balance1 }.into());
        }
        // Truncation to 32 bits is V2's timestamp format (wraps in 2106).
        let now = self.vm().block_timestamp() as u32;
        // Wrapping is intended: V2 measures elapsed time modulo 2^32.
        let elapsed = now.wrapping_sub(self.block_timestamp_last.get().to::<u32>());
        if elapsed > 0 {
            // Wrapping additions are intended (V2's cumulative prices overflow
            // by design; consumers use differences modulo 2^256).
            let price0 = self.price0_cumulative_last.get();
            self.price0_cumulative_last
                .set(price0.wrapping_add(cumulative_increment(reserve1, reserve0, elapsed)));
            let price1 = self.price1_cumulative_last.get();
            self.price1_cumulative_last
                .set(price1.wrapping_add(cumulative_increment(reserve0, reserve1, elapsed)));
        }
        self.reserve0.set(balance0);
        self.reserve1.set(balance1);
        self.block_timestamp_last
            .set(alloy_primitives::Uint::<32, 1>::from(now));
        emit(
            self.vm(),
            &[Sync::SIGNATURE_HASH],
            &[balance0.into(), balance1.into()],
        );
        Ok(())
    }

    /// The pool's balances of `token0` and `token1`.
    fn balances(&self) -> Result<(U256, U256), V2PoolError> {
        let this = self.vm().contract_address();
        let balance0 = IToken::new(self.token0.get()).balance_of(self.vm(), Call::new(), this)?;
        let balance1 = IToken::new(self.token1.get()).balance_of(self.vm(), Call::new(), this)?;
        Ok((balance0, balance1))
    }

    /// `transferFrom(from, to, amount)` on `token`.
    fn pull(
        &mut self,
        token: Address,
        from: Address,
        to: Address,
        amount: U256,
    ) -> Result<(), V2PoolError> {
        let call = Call::new_mutating(self);
        let ok = IToken::new(token).transfer_from(self.vm(), call, from, to, amount)?;
        if !ok {
            return Err(TokenTransferFailed { token }.into());
        }
        Ok(())
    }

    /// `transfer(to, amount)` of the pool's `token`.
    fn pay(&mut self, token: Address, to: Address, amount: U256) -> Result<(), V2PoolError> {
        let call = Call::new_mutating(self);
        let ok = IToken::new(token).transfer(self.vm(), call, to, amount)?;
        if !ok {
            return Err(TokenTransferFailed { token }.into());
        }
        Ok(())
    }
}

impl_erc20!(V2Pool, lp);

#[cfg(test)]
mod tests;
