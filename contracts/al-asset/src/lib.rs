//! # AlAsset — the suite's synthetic debt token (alUSD, alETH, ...)
//!
//! ERC-20 with 18 decimals, EIP-2612 `permit`, and **minters with ceilings**
//! (like GHO facilitators): the owner adds a minter (Vault, PSM, TwapOracle)
//! with a ceiling on its outstanding mints; `mint` fails past the ceiling;
//! `burnFrom` by a minter spends the holder's allowance and lowers the
//! minter's outstanding amount; `burn` by any holder destroys its own tokens
//! (counted in `burnedByHolders`, so supply stays reconciled with the
//! protocol's books). Pausing a minter (guardian or owner) stops its mints,
//! never burns or transfers; only the owner unpauses.
//!
//! Supply identity: `totalSupply == Σ minter outstanding − burnedByHolders`
//! (a `burnFrom` beyond a minter's outstanding counts as zero outstanding and
//! is reported in its event).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::{string::String, vec::Vec};
use alloy_primitives::{address, b256, Address, B256, U128, U256};
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::{
    call::static_call,
    crypto::keccak,
    prelude::*,
    storage::{StorageBool, StorageMap, StorageU128, StorageU256},
};
use suite_common::{
    access::{Access, AccessError, IOwnable},
    erc20::{Erc20, Erc20Error, IErc20},
    errors::ZeroAmount,
    events::{bool_word, concat, emit, word},
    impl_erc20, impl_ownable,
};

/// The ecrecover precompile.
const ECRECOVER: Address = address!("0000000000000000000000000000000000000001");
/// `keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")`.
const DOMAIN_TYPEHASH: B256 =
    b256!("8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f");
/// `keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")`.
const PERMIT_TYPEHASH: B256 =
    b256!("6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9");
/// `keccak256("1")`: the EIP-712 domain version.
const VERSION_HASH: B256 =
    b256!("c89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc6");
/// Half the secp256k1 group order: larger `s` values are malleable (EIP-2).
const SECP256K1_HALF_N: U256 = U256::from_be_bytes(
    b256!("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0").0,
);

sol! {
    /// `account` is not an active minter.
    #[derive(Debug, PartialEq, Eq)]
    error NotMinter(address account);
    /// `minter` is paused: it cannot mint until the owner unpauses it.
    #[derive(Debug, PartialEq, Eq)]
    error MinterIsPaused(address minter);
    /// Minting `amount` would take `minter`'s outstanding past its `ceiling`.
    #[derive(Debug, PartialEq, Eq)]
    error MinterCeilingExceeded(address minter, uint256 ceiling, uint256 outstanding, uint256 amount);
    /// `minter` is already a minter (use `setMinterCeiling`).
    #[derive(Debug, PartialEq, Eq)]
    error MinterAlreadyAdded(address minter);
    /// The permit's `deadline` has passed.
    #[derive(Debug, PartialEq, Eq)]
    error ERC2612ExpiredSignature(uint256 deadline);
    /// The permit was signed by `signer`, not by `owner` (or the signature is invalid).
    #[derive(Debug, PartialEq, Eq)]
    error ERC2612InvalidSigner(address signer, address owner);

    /// `minter` was added with `ceiling`.
    event MinterAdded(address indexed minter, uint256 ceiling);
    /// `minter`'s ceiling is now `ceiling`.
    event MinterCeilingSet(address indexed minter, uint256 ceiling);
    /// `minter` was paused or unpaused.
    event MinterPausedSet(address indexed minter, bool paused);
    /// `minter` minted `amount` to `to`; its outstanding is now `outstanding`.
    event MinterMinted(address indexed minter, address indexed to, uint256 amount, uint256 outstanding);
    /// `minter` burned `amount` from `from`; its outstanding is now `outstanding`.
    event MinterBurned(address indexed minter, address indexed from, uint256 amount, uint256 outstanding);
    /// `holder` burned `amount` of its own tokens.
    event HolderBurned(address indexed holder, uint256 amount);
}

/// Every failure of the AlAsset, as Solidity custom errors.
#[derive(SolidityError, Debug)]
pub enum AlAssetError {
    /// ERC-20 failure (balance, allowance, zero address, supply overflow).
    Erc20(Erc20Error),
    /// Ownership / guardian failure.
    Access(AccessError),
    /// See [`NotMinter`].
    NotMinter(NotMinter),
    /// See [`MinterIsPaused`].
    MinterIsPaused(MinterIsPaused),
    /// See [`MinterCeilingExceeded`].
    MinterCeilingExceeded(MinterCeilingExceeded),
    /// See [`MinterAlreadyAdded`].
    MinterAlreadyAdded(MinterAlreadyAdded),
    /// See [`ERC2612ExpiredSignature`].
    ExpiredSignature(ERC2612ExpiredSignature),
    /// See [`ERC2612InvalidSigner`].
    InvalidSigner(ERC2612InvalidSigner),
    /// See [`ZeroAmount`].
    ZeroAmount(ZeroAmount),
}

/// One minter's record: `active`, `paused` and `outstanding` share one
/// storage word (what `mint` and `burnFrom` read and write), the ceiling has
/// its own.
#[storage]
pub struct Minter {
    /// Added by the owner.
    active: StorageBool,
    /// Paused minters cannot mint.
    paused: StorageBool,
    /// Minted minus burned through this minter's `burnFrom` `[coin]`; 128
    /// bits: a mint taking it past `2^128 − 1` (3.4·10^20 coins) fails as a
    /// ceiling breach.
    outstanding: StorageU128,
    /// Maximum outstanding `[coin]`.
    ceiling: StorageU256,
}

/// The AlAsset contract.
#[entrypoint]
#[storage]
pub struct AlAsset {
    erc20: Erc20,
    access: Access,
    /// EIP-2612 nonces.
    nonces: StorageMap<Address, StorageU256>,
    minters: StorageMap<Address, Minter>,
    /// Tokens destroyed by holders through `burn` `[coin]`.
    burned_by_holders: StorageU256,
}

#[public]
#[implements(IErc20, IOwnable)]
impl AlAsset {
    /// Sets name, symbol (18 decimals) and the owner.
    ///
    /// Name and symbol: 1 to 31 printable ASCII characters each.
    ///
    /// # Errors
    /// `OwnableInvalidOwner` for a zero owner; `InvalidShortString`.
    #[constructor]
    pub fn constructor(
        &mut self,
        name: String,
        symbol: String,
        owner: Address,
    ) -> Result<(), AlAssetError> {
        self.erc20.init(name.as_bytes(), symbol.as_bytes(), 18)?;
        self.access.init(owner)?;
        Ok(())
    }

    /// Approves by signature (EIP-2612).
    ///
    /// # Errors
    /// `ERC2612ExpiredSignature` after `deadline`; `ERC2612InvalidSigner`
    /// for a signature not made by `owner` (wrong signer, replayed nonce,
    /// malleable `s`, bad `v`); ERC-20 errors for zero addresses.
    ///
    /// # Events
    /// `Approval`.
    #[allow(clippy::too_many_arguments)]
    pub fn permit(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), AlAssetError> {
        if U256::from(self.vm().block_timestamp()) > deadline {
            return Err(AlAssetError::ExpiredSignature(ERC2612ExpiredSignature {
                deadline,
            }));
        }
        let nonce = self.nonces.get(owner);
        let struct_hash = keccak(concat(&[
            PERMIT_TYPEHASH,
            owner.into_word(),
            spender.into_word(),
            value.into(),
            nonce.into(),
            deadline.into(),
        ]));
        let mut message = Vec::with_capacity(66);
        message.extend_from_slice(b"\x19\x01");
        message.extend_from_slice(self.domain_separator().as_slice());
        message.extend_from_slice(struct_hash.as_slice());
        let signer = self.recover(keccak(&message), v, r, s);
        if signer != owner || signer.is_zero() {
            return Err(AlAssetError::InvalidSigner(ERC2612InvalidSigner {
                signer,
                owner,
            }));
        }
        // Cannot overflow: one nonce per signature.
        self.nonces.insert(owner, nonce + U256::from(1));
        self.erc20.approve_internal(owner, spender, value)?;
        Ok(())
    }

    /// The next permit nonce of `owner`.
    pub fn nonces(&self, owner: Address) -> U256 {
        self.nonces.get(owner)
    }

    /// The EIP-712 domain separator (name, version "1", chain id, this address).
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        keccak(concat(&[
            DOMAIN_TYPEHASH,
            keccak(self.erc20.name().as_bytes()),
            VERSION_HASH,
            U256::from(self.vm().chain_id()).into(),
            self.vm().contract_address().into_word(),
        ]))
    }

    /// Mints `amount` to `to` (active, unpaused minters, within their
    /// ceiling; an outstanding amount is stored in 128 bits, so past
    /// `2^128 − 1` a mint fails as `MinterCeilingExceeded` too).
    ///
    /// # Errors
    /// `NotMinter`, `MinterIsPaused`, `MinterCeilingExceeded`, `ZeroAmount`,
    /// `ERC20InvalidReceiver`.
    ///
    /// # Events
    /// `Transfer` (from zero), `MinterMinted`.
    pub fn mint(&mut self, to: Address, amount: U256) -> Result<(), AlAssetError> {
        let minter = self.vm().msg_sender();
        if amount.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        let record = self.minters.get(minter);
        if !record.active.get() {
            return Err(NotMinter { account: minter }.into());
        }
        if record.paused.get() {
            return Err(MinterIsPaused { minter }.into());
        }
        let ceiling = record.ceiling.get();
        let outstanding = widen(record.outstanding.get());
        let new_outstanding = match outstanding.checked_add(amount) {
            Some(total) if total <= ceiling && fits_128(total) => total,
            _ => {
                return Err(MinterCeilingExceeded {
                    minter,
                    ceiling,
                    outstanding,
                    amount,
                }
                .into())
            }
        };
        // Fits: checked above.
        self.minters
            .setter(minter)
            .outstanding
            .set(low_128(new_outstanding));
        self.erc20.mint(to, amount)?;
        emit(
            self.vm(),
            &[MinterMinted::SIGNATURE_HASH, word(minter), word(to)],
            &[amount.into(), new_outstanding.into()],
        );
        Ok(())
    }

    /// Burns `amount` of the caller's tokens.
    ///
    /// # Errors
    /// `ERC20InsufficientBalance`, `ZeroAmount`.
    ///
    /// # Events
    /// `Transfer` (to zero), `HolderBurned`.
    pub fn burn(&mut self, amount: U256) -> Result<(), AlAssetError> {
        if amount.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        let holder = self.vm().msg_sender();
        self.erc20.burn(holder, amount)?;
        // Cannot overflow: bounded by the total ever minted.
        let burned = self.burned_by_holders.get() + amount;
        self.burned_by_holders.set(burned);
        emit(
            self.vm(),
            &[HolderBurned::SIGNATURE_HASH, word(holder)],
            &[amount.into()],
        );
        Ok(())
    }

    /// Burns `amount` from `from`, spending `from`'s allowance to the calling
    /// minter (none needed when `from` is the minter itself). Works while the
    /// minter is paused. Lowers the minter's outstanding (never below zero).
    ///
    /// # Errors
    /// `NotMinter`, `ERC20InsufficientAllowance`, `ERC20InsufficientBalance`, `ZeroAmount`.
    ///
    /// # Events
    /// `Transfer` (to zero), `MinterBurned`.
    pub fn burn_from(&mut self, from: Address, amount: U256) -> Result<(), AlAssetError> {
        let minter = self.vm().msg_sender();
        if amount.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        let record = self.minters.get(minter);
        if !record.active.get() {
            return Err(NotMinter { account: minter }.into());
        }
        let outstanding = widen(record.outstanding.get()).saturating_sub(amount);
        if from != minter {
            self.erc20.spend_allowance(from, minter, amount)?;
        }
        self.erc20.burn(from, amount)?;
        // Fits: at most the stored value.
        self.minters
            .setter(minter)
            .outstanding
            .set(low_128(outstanding));
        emit(
            self.vm(),
            &[MinterBurned::SIGNATURE_HASH, word(minter), word(from)],
            &[amount.into(), outstanding.into()],
        );
        Ok(())
    }

    /// Tokens destroyed by holders through `burn`.
    pub fn burned_by_holders(&self) -> U256 {
        self.burned_by_holders.get()
    }

    /// Adds `minter` with `ceiling` (owner only).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`, `MinterAlreadyAdded`.
    ///
    /// # Events
    /// `MinterAdded`.
    pub fn add_minter(&mut self, minter: Address, ceiling: U256) -> Result<(), AlAssetError> {
        self.access.only_owner()?;
        if minter.is_zero() {
            return Err(AccessError::ZeroAddress(suite_common::errors::ZeroAddress {}).into());
        }
        let mut record = self.minters.setter(minter);
        if record.active.get() {
            return Err(MinterAlreadyAdded { minter }.into());
        }
        record.active.set(true);
        record.ceiling.set(ceiling);
        emit(
            self.vm(),
            &[MinterAdded::SIGNATURE_HASH, word(minter)],
            &[ceiling.into()],
        );
        Ok(())
    }

    /// Sets `minter`'s ceiling (owner only). A ceiling below the outstanding
    /// amount only stops further mints.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `NotMinter`.
    ///
    /// # Events
    /// `MinterCeilingSet`.
    pub fn set_minter_ceiling(
        &mut self,
        minter: Address,
        ceiling: U256,
    ) -> Result<(), AlAssetError> {
        self.access.only_owner()?;
        let mut record = self.minters.setter(minter);
        if !record.active.get() {
            return Err(NotMinter { account: minter }.into());
        }
        record.ceiling.set(ceiling);
        emit(
            self.vm(),
            &[MinterCeilingSet::SIGNATURE_HASH, word(minter)],
            &[ceiling.into()],
        );
        Ok(())
    }

    /// Pauses (guardian or owner) or unpauses (owner only) `minter`'s mints.
    ///
    /// # Errors
    /// `GuardianUnauthorizedAccount` / `OwnableUnauthorizedAccount`, `NotMinter`.
    ///
    /// # Events
    /// `MinterPausedSet`.
    pub fn set_minter_paused(&mut self, minter: Address, paused: bool) -> Result<(), AlAssetError> {
        if paused {
            self.access.only_guardian()?;
        } else {
            self.access.only_owner()?;
        }
        let mut record = self.minters.setter(minter);
        if !record.active.get() {
            return Err(NotMinter { account: minter }.into());
        }
        record.paused.set(paused);
        emit(
            self.vm(),
            &[MinterPausedSet::SIGNATURE_HASH, word(minter)],
            &[bool_word(paused)],
        );
        Ok(())
    }

    /// `(active, paused, ceiling, outstanding)` of `minter`.
    pub fn minter_info(&self, minter: Address) -> (bool, bool, U256, U256) {
        let record = self.minters.get(minter);
        (
            record.active.get(),
            record.paused.get(),
            record.ceiling.get(),
            widen(record.outstanding.get()),
        )
    }
}

/// A stored 128-bit amount as a `U256`.
fn widen(x: U128) -> U256 {
    let [low, high] = *x.as_limbs();
    U256::from_limbs([low, high, 0, 0])
}

/// Whether `x < 2^128`.
fn fits_128(x: U256) -> bool {
    let limbs = x.as_limbs();
    limbs[2] | limbs[3] == 0
}

/// The low 128 bits of `x` (callers pass amounts below `2^128`).
fn low_128(x: U256) -> U128 {
    let [low, high, _, _] = *x.as_limbs();
    U128::from_limbs([low, high])
}

impl AlAsset {
    /// Recovers the signer of `hash` through the ecrecover precompile; zero
    /// for any invalid signature (bad `v`, malleable `s`, failed recovery).
    fn recover(&self, hash: B256, v: u8, r: B256, s: B256) -> Address {
        if (v != 27 && v != 28) || U256::from_be_bytes(s.0) > SECP256K1_HALF_N {
            return Address::ZERO;
        }
        let input = concat(&[hash, U256::from(v).into(), r, s]);
        match static_call(self.vm(), Call::new(), ECRECOVER, &input) {
            Ok(output) if output.len() == 32 => Address::from_slice(&output[12..]),
            _ => Address::ZERO,
        }
    }
}

impl_erc20!(AlAsset, erc20);
impl_ownable!(AlAsset, access);

#[cfg(test)]
mod tests;
