//! ERC-20 storage and logic shared by the alAsset, the test tokens and the
//! V2 pool's LP token: balances, allowances, supply, the standard events and
//! the ERC-6093 errors. A contract embeds [`Erc20`] and exposes the ABI with
//! [`impl_erc20!`](crate::impl_erc20).

use alloc::string::String;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{StorageB256, StorageMap, StorageU256, StorageU8},
};

use crate::{
    events::{emit, word},
    math::ArithmeticOverflow,
};

sol! {
    /// `sender` holds `balance`, less than the `needed` amount.
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    /// Tokens cannot come from `sender` (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidSender(address sender);
    /// Tokens cannot go to `receiver` (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidReceiver(address receiver);
    /// `spender` may spend `allowance`, less than the `needed` amount.
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    /// `approver` cannot approve (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidApprover(address approver);
    /// `spender` cannot be approved (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error ERC20InvalidSpender(address spender);

    /// `value` tokens moved from `from` to `to` (zero `from`: mint; zero `to`: burn).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// A name or symbol (of `length` bytes) that is not 1 to 31 printable ASCII characters.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidShortString(uint256 length);

    /// `owner` allowed `spender` to spend `value` of its tokens.
    event Approval(address indexed owner, address indexed spender, uint256 value);
}

/// ERC-20 failures (ERC-6093 errors) and arithmetic failures.
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum Erc20Error {
    /// See [`ERC20InsufficientBalance`].
    InsufficientBalance(ERC20InsufficientBalance),
    /// See [`ERC20InvalidSender`].
    InvalidSender(ERC20InvalidSender),
    /// See [`ERC20InvalidReceiver`].
    InvalidReceiver(ERC20InvalidReceiver),
    /// See [`ERC20InsufficientAllowance`].
    InsufficientAllowance(ERC20InsufficientAllowance),
    /// See [`ERC20InvalidApprover`].
    InvalidApprover(ERC20InvalidApprover),
    /// See [`ERC20InvalidSpender`].
    InvalidSpender(ERC20InvalidSpender),
    /// The total supply would overflow.
    Overflow(ArithmeticOverflow),
    /// See [`InvalidShortString`].
    InvalidShortString(InvalidShortString),
}

/// Packs 1 to 31 printable ASCII characters into one word: the bytes, then
/// the length in the last byte.
///
/// # Errors
/// [`InvalidShortString`] for anything else.
pub fn short_string(bytes: &[u8]) -> Result<B256, Erc20Error> {
    if bytes.is_empty() || bytes.len() > 31 || !bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        return Err(Erc20Error::InvalidShortString(InvalidShortString {
            length: U256::from(bytes.len()),
        }));
    }
    let mut word = B256::ZERO;
    word[..bytes.len()].copy_from_slice(bytes);
    word[31] = bytes.len() as u8;
    Ok(word)
}

/// Unpacks a word written by [`short_string`].
#[allow(unsafe_code)]
pub fn from_short_string(word: B256) -> String {
    let len = usize::from(word[31]).min(31);
    // SAFETY: the word was packed by `short_string`, which accepts printable
    // ASCII only (valid UTF-8), and no other code writes it. Skipping the
    // re-validation keeps UTF-8 checking code out of every token contract.
    unsafe { String::from_utf8_unchecked(word[..len].to_vec()) }
}
crate::nested_error!(Erc20Error);

/// Storage of an ERC-20 token.
#[storage]
pub struct Erc20 {
    /// Name as a short string (see [`short_string`]).
    name: StorageB256,
    /// Symbol as a short string.
    symbol: StorageB256,
    decimals: StorageU8,
    total_supply: StorageU256,
    balances: StorageMap<Address, StorageU256>,
    allowances: StorageMap<Address, StorageMap<Address, StorageU256>>,
}

impl Erc20 {
    /// Sets the metadata (constructor only). Name and symbol are 1 to 31
    /// printable ASCII characters each (one slot each, like OpenZeppelin's
    /// `ShortStrings`).
    ///
    /// # Errors
    /// [`InvalidShortString`] for anything else.
    pub fn init(&mut self, name: &[u8], symbol: &[u8], decimals: u8) -> Result<(), Erc20Error> {
        self.name.set(short_string(name)?);
        self.symbol.set(short_string(symbol)?);
        self.decimals
            .set(alloy_primitives::Uint::<8, 1>::from(decimals));
        Ok(())
    }

    /// Token name.
    pub fn name(&self) -> String {
        from_short_string(self.name.get())
    }

    /// Token symbol.
    pub fn symbol(&self) -> String {
        from_short_string(self.symbol.get())
    }

    /// Token decimals.
    pub fn decimals(&self) -> u8 {
        self.decimals.get().to::<u8>()
    }

    /// Total supply.
    pub fn total_supply(&self) -> U256 {
        self.total_supply.get()
    }

    /// Balance of `account`.
    pub fn balance_of(&self, account: Address) -> U256 {
        self.balances.get(account)
    }

    /// What `spender` may spend of `owner`'s tokens.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.allowances.getter(owner).get(spender)
    }

    /// `transfer` from the caller.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, Erc20Error> {
        let from = self.vm().msg_sender();
        self.transfer_internal(from, to, value)?;
        Ok(true)
    }

    /// `transferFrom`: spends the caller's allowance, then moves the tokens.
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, Erc20Error> {
        let spender = self.vm().msg_sender();
        self.spend_allowance(from, spender, value)?;
        self.transfer_internal(from, to, value)?;
        Ok(true)
    }

    /// `approve` from the caller.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, Erc20Error> {
        let owner = self.vm().msg_sender();
        self.approve_internal(owner, spender, value)?;
        Ok(true)
    }

    /// Sets `owner`'s allowance for `spender` and emits `Approval`.
    pub fn approve_internal(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<(), Erc20Error> {
        if owner.is_zero() {
            return Err(Erc20Error::InvalidApprover(ERC20InvalidApprover {
                approver: owner,
            }));
        }
        if spender.is_zero() {
            return Err(Erc20Error::InvalidSpender(ERC20InvalidSpender { spender }));
        }
        self.allowances.setter(owner).insert(spender, value);
        emit(
            self.vm(),
            &[Approval::SIGNATURE_HASH, word(owner), word(spender)],
            &[value.into()],
        );
        Ok(())
    }

    /// Lowers `owner`'s allowance for `spender` by `value` (an infinite
    /// allowance, `U256::MAX`, is not lowered). Emits no event, like OpenZeppelin.
    pub fn spend_allowance(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<(), Erc20Error> {
        let allowance = self.allowance(owner, spender);
        if allowance == U256::MAX {
            return Ok(());
        }
        if allowance < value {
            return Err(Erc20Error::InsufficientAllowance(
                ERC20InsufficientAllowance {
                    spender,
                    allowance,
                    needed: value,
                },
            ));
        }
        self.allowances
            .setter(owner)
            .insert(spender, allowance - value);
        Ok(())
    }

    /// Moves `value` from `from` to `to` (both non-zero) and emits `Transfer`.
    pub fn transfer_internal(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<(), Erc20Error> {
        if from.is_zero() {
            return Err(Erc20Error::InvalidSender(ERC20InvalidSender {
                sender: from,
            }));
        }
        if to.is_zero() {
            return Err(Erc20Error::InvalidReceiver(ERC20InvalidReceiver {
                receiver: to,
            }));
        }
        self.update(from, to, value)
    }

    /// Creates `value` tokens for `to` and emits `Transfer` from zero.
    pub fn mint(&mut self, to: Address, value: U256) -> Result<(), Erc20Error> {
        if to.is_zero() {
            return Err(Erc20Error::InvalidReceiver(ERC20InvalidReceiver {
                receiver: to,
            }));
        }
        self.update(Address::ZERO, to, value)
    }

    /// Destroys `value` of `from`'s tokens and emits `Transfer` to zero.
    pub fn burn(&mut self, from: Address, value: U256) -> Result<(), Erc20Error> {
        if from.is_zero() {
            return Err(Erc20Error::InvalidSender(ERC20InvalidSender {
                sender: from,
            }));
        }
        self.update(from, Address::ZERO, value)
    }

    /// The one place balances and supply change (zero `from` mints, zero `to` burns).
    fn update(&mut self, from: Address, to: Address, value: U256) -> Result<(), Erc20Error> {
        if from.is_zero() {
            let supply = self.total_supply.get();
            let supply =
                supply
                    .checked_add(value)
                    .ok_or(Erc20Error::Overflow(ArithmeticOverflow {
                        a: supply,
                        b: value,
                    }))?;
            self.total_supply.set(supply);
        } else {
            let balance = self.balances.get(from);
            if balance < value {
                return Err(Erc20Error::InsufficientBalance(ERC20InsufficientBalance {
                    sender: from,
                    balance,
                    needed: value,
                }));
            }
            self.balances.insert(from, balance - value);
        }
        if to.is_zero() {
            // Cannot underflow: value <= balance(from) <= total supply.
            let supply = self.total_supply.get() - value;
            self.total_supply.set(supply);
        } else {
            // Cannot overflow: a balance never exceeds the total supply.
            let balance = self.balances.get(to) + value;
            self.balances.insert(to, balance);
        }
        emit(
            self.vm(),
            &[Transfer::SIGNATURE_HASH, word(from), word(to)],
            &[value.into()],
        );
        Ok(())
    }
}

/// The ERC-20 ABI.
#[allow(missing_docs)]
#[public]
pub trait IErc20 {
    /// Token name.
    fn name(&self) -> String;
    /// Token symbol.
    fn symbol(&self) -> String;
    /// Token decimals.
    fn decimals(&self) -> u8;
    /// Total supply.
    fn total_supply(&self) -> U256;
    /// Balance of `account`.
    fn balance_of(&self, account: Address) -> U256;
    /// What `spender` may spend of `owner`'s tokens.
    fn allowance(&self, owner: Address, spender: Address) -> U256;
    /// Moves `value` of the caller's tokens to `to`. Emits `Transfer`.
    fn transfer(&mut self, to: Address, value: U256) -> Result<bool, Erc20Error>;
    /// Lets `spender` spend `value` of the caller's tokens. Emits `Approval`.
    fn approve(&mut self, spender: Address, value: U256) -> Result<bool, Erc20Error>;
    /// Moves `value` from `from` to `to`, spending the caller's allowance. Emits `Transfer`.
    fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, Erc20Error>;
}

/// Implements [`IErc20`] for a contract by delegating to its [`Erc20`] field.
#[macro_export]
macro_rules! impl_erc20 {
    ($contract:ty, $field:ident) => {
        #[stylus_sdk::prelude::public]
        impl $crate::erc20::IErc20 for $contract {
            fn name(&self) -> alloc::string::String {
                self.$field.name()
            }
            fn symbol(&self) -> alloc::string::String {
                self.$field.symbol()
            }
            fn decimals(&self) -> u8 {
                self.$field.decimals()
            }
            fn total_supply(&self) -> stylus_sdk::alloy_primitives::U256 {
                self.$field.total_supply()
            }
            fn balance_of(
                &self,
                account: stylus_sdk::alloy_primitives::Address,
            ) -> stylus_sdk::alloy_primitives::U256 {
                self.$field.balance_of(account)
            }
            fn allowance(
                &self,
                owner: stylus_sdk::alloy_primitives::Address,
                spender: stylus_sdk::alloy_primitives::Address,
            ) -> stylus_sdk::alloy_primitives::U256 {
                self.$field.allowance(owner, spender)
            }
            fn transfer(
                &mut self,
                to: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $crate::erc20::Erc20Error> {
                self.$field.transfer(to, value)
            }
            fn approve(
                &mut self,
                spender: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $crate::erc20::Erc20Error> {
                self.$field.approve(spender, value)
            }
            fn transfer_from(
                &mut self,
                from: stylus_sdk::alloy_primitives::Address,
                to: stylus_sdk::alloy_primitives::Address,
                value: stylus_sdk::alloy_primitives::U256,
            ) -> Result<bool, $crate::erc20::Erc20Error> {
                self.$field.transfer_from(from, to, value)
            }
        }
    };
}
