//! # MockErc20 — TEST ONLY
//!
//! An ERC-20 with configurable decimals (6, 8, 18, ...) and **open** `mint`
//! and `burn`: anyone can create or destroy anyone's tokens. It exists for
//! unit tests, devnet tests and simulations (a USDC-like `psmAsset`, the
//! underlying of a [`MockErc4626`](../mock_erc4626/index.html)); the deploy
//! tool's production profile refuses it (`package.metadata.suite.test-only`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::{string::String, vec::Vec};
use alloy_primitives::{Address, U256};
use stylus_sdk::prelude::*;
use suite_common::{
    access::{Access, AccessError, IOwnable},
    erc20::{Erc20, Erc20Error, IErc20},
    impl_erc20, impl_ownable,
};

/// Every failure of the MockErc20, as Solidity custom errors.
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum MockErc20Error {
    /// ERC-20 failure (balance, allowance, zero address, supply overflow, bad name).
    Erc20(Erc20Error),
    /// Zero owner.
    Access(AccessError),
}

/// The MockErc20 contract.
#[entrypoint]
#[storage]
pub struct MockErc20 {
    erc20: Erc20,
    access: Access,
}

#[public]
#[implements(IErc20, IOwnable)]
impl MockErc20 {
    /// Sets name, symbol, decimals and the owner (the owner has no special
    /// power: it only gives the mock the suite's usual `IOwnable` ABI).
    ///
    /// # Errors
    /// `InvalidShortString` (name/symbol not 1 to 31 printable ASCII
    /// characters), `OwnableInvalidOwner` for a zero owner.
    ///
    /// # Events
    /// `OwnershipTransferred`.
    #[constructor]
    pub fn constructor(
        &mut self,
        name: String,
        symbol: String,
        decimals: u8,
        owner: Address,
    ) -> Result<(), MockErc20Error> {
        self.erc20
            .init(name.as_bytes(), symbol.as_bytes(), decimals)?;
        self.access.init(owner)?;
        Ok(())
    }

    /// Creates `amount` tokens for `to`. **Open to anyone** (test only).
    ///
    /// # Errors
    /// `ERC20InvalidReceiver` for the zero address, `ArithmeticOverflow`
    /// past a 256-bit supply.
    ///
    /// # Events
    /// `Transfer` from zero.
    pub fn mint(&mut self, to: Address, amount: U256) -> Result<(), MockErc20Error> {
        Ok(self.erc20.mint(to, amount)?)
    }

    /// Destroys `amount` of `from`'s tokens, without any allowance.
    /// **Open to anyone** (test only: simulates losses and negative rebases).
    ///
    /// # Errors
    /// `ERC20InvalidSender` for the zero address, `ERC20InsufficientBalance`.
    ///
    /// # Events
    /// `Transfer` to zero.
    pub fn burn(&mut self, from: Address, amount: U256) -> Result<(), MockErc20Error> {
        Ok(self.erc20.burn(from, amount)?)
    }
}

impl_erc20!(MockErc20, erc20);
impl_ownable!(MockErc20, access);

#[cfg(test)]
mod tests;
