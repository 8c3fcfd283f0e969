//! # MockErc4626 — TEST ONLY
//!
//! An ERC-4626 vault over a [MockErc20](../mock_erc20/index.html) asset with
//! the real EIP-4626 maths and OpenZeppelin's virtual shares / decimals
//! offset against the first-depositor inflation attack:
//!
//! ```text
//! shares = assets * (totalSupply + 10^offset) / (totalAssets + 1)
//! assets = shares * (totalAssets + 1) / (totalSupply + 10^offset)
//! ```
//!
//! rounded as the EIP says (in favour of the vault): `deposit` / `redeem`
//! (and `convertTo*`, `previewDeposit`, `previewRedeem`, `maxWithdraw`) round
//! down; `mint` / `withdraw` (`previewMint`, `previewWithdraw`) round up.
//! `totalAssets` is the vault's asset balance, so donations count (that is
//! what the offset defends against). Shares are an ERC-20 with
//! `asset decimals + offset` decimals.
//!
//! Test hooks, **open to anyone**: `simulateYield(bps)` mints `bps` of the
//! vault's assets into it (through the MockErc20's open `mint`) and
//! `simulateLoss(bps)` burns them (through its open `burn`), moving the
//! share price up or down. The deploy tool's production profile refuses this
//! crate (`package.metadata.suite.test-only`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::{string::String, vec::Vec};
use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageU8},
    stylus_core::calls::errors::Error as CallError,
};
use suite_common::{
    access::{Access, AccessError, IOwnable},
    erc20::{Erc20, Erc20Error, IErc20},
    errors::ZeroAddress,
    events::{concat, emit, word},
    impl_erc20, impl_ownable,
    math::{add, bps_mul, mul_div, MathError, Rounding, BPS},
};

/// Selectors of the asset functions the vault calls. The calls are encoded
/// by hand (every argument is one word): the typed `sol_interface` callers
/// cost about 1 KB of WASM each.
mod selector {
    use alloy_sol_types::SolCall;
    suite_common::mock_erc20_abi!(alloy_sol_types::sol);
    pub const DECIMALS: [u8; 4] = IMockErc20::decimalsCall::SELECTOR;
    pub const BALANCE_OF: [u8; 4] = IMockErc20::balanceOfCall::SELECTOR;
    pub const TRANSFER: [u8; 4] = IMockErc20::transferCall::SELECTOR;
    pub const TRANSFER_FROM: [u8; 4] = IMockErc20::transferFromCall::SELECTOR;
    pub const MINT: [u8; 4] = IMockErc20::mintCall::SELECTOR;
    pub const BURN: [u8; 4] = IMockErc20::burnCall::SELECTOR;
}

/// Largest decimals offset accepted (OpenZeppelin uses 0 to 18).
pub const MAX_DECIMALS_OFFSET: u8 = 18;

sol! {
    /// `owner` can withdraw at most `max` assets, less than `assets`.
    #[derive(Debug, PartialEq, Eq)]
    error ERC4626ExceededMaxWithdraw(address owner, uint256 assets, uint256 max);
    /// `owner` can redeem at most `max` shares, less than `shares`.
    #[derive(Debug, PartialEq, Eq)]
    error ERC4626ExceededMaxRedeem(address owner, uint256 shares, uint256 max);
    /// A decimals `offset` above 18, or asset decimals plus offset above 255.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidDecimalsOffset(uint8 assetDecimals, uint8 offset);
    /// A simulated loss of `bps`, more than 10,000 (100%).
    #[derive(Debug, PartialEq, Eq)]
    error LossAboveTotal(uint256 bps);
    /// The asset `token` returned `false` from a transfer.
    #[derive(Debug, PartialEq, Eq)]
    error SafeERC20FailedOperation(address token);

    /// `sender` deposited `assets` and `owner` received `shares` (EIP-4626).
    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);
    /// `sender` burned `owner`'s `shares` and `receiver` got `assets` (EIP-4626).
    event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares);
    /// `simulateYield(bps)` minted `assets` into the vault.
    event YieldSimulated(uint256 bps, uint256 assets);
    /// `simulateLoss(bps)` burned `assets` of the vault's holdings.
    event LossSimulated(uint256 bps, uint256 assets);
}

/// Every failure of the MockErc4626, as Solidity custom errors.
#[derive(SolidityError, Debug, PartialEq)]
pub enum MockErc4626Error {
    /// Share-token failure (balance, allowance, zero address, bad name).
    Erc20(Erc20Error),
    /// Zero owner.
    Access(AccessError),
    /// Arithmetic overflow in the share maths.
    Math(MathError),
    /// A call to the asset reverted (its revert data is passed on).
    Call(CallError),
    /// See [`ERC4626ExceededMaxWithdraw`].
    ExceededMaxWithdraw(ERC4626ExceededMaxWithdraw),
    /// See [`ERC4626ExceededMaxRedeem`].
    ExceededMaxRedeem(ERC4626ExceededMaxRedeem),
    /// See [`InvalidDecimalsOffset`].
    InvalidDecimalsOffset(InvalidDecimalsOffset),
    /// See [`LossAboveTotal`].
    LossAboveTotal(LossAboveTotal),
    /// See [`SafeERC20FailedOperation`].
    TransferFailed(SafeERC20FailedOperation),
    /// See [`ZeroAddress`] (zero asset).
    ZeroAddress(ZeroAddress),
}

/// `assets` converted to shares: `assets * (supply + 10^offset) / (total + 1)`.
///
/// # Errors
/// [`MathError`] when the result does not fit in 256 bits.
pub fn to_shares(
    assets: U256,
    total_assets: U256,
    total_supply: U256,
    offset: u8,
    rounding: Rounding,
) -> Result<U256, MathError> {
    mul_div(
        assets,
        add(total_supply, virtual_shares(offset))?,
        add(total_assets, U256::from(1))?,
        rounding,
    )
}

/// `shares` converted to assets: `shares * (total + 1) / (supply + 10^offset)`.
///
/// # Errors
/// [`MathError`] when the result does not fit in 256 bits.
pub fn to_assets(
    shares: U256,
    total_assets: U256,
    total_supply: U256,
    offset: u8,
    rounding: Rounding,
) -> Result<U256, MathError> {
    mul_div(
        shares,
        add(total_assets, U256::from(1))?,
        add(total_supply, virtual_shares(offset))?,
        rounding,
    )
}

/// `10^offset` virtual shares (offset ≤ 18, checked at construction, so the
/// power fits in a `u64`).
fn virtual_shares(offset: u8) -> U256 {
    U256::from(10u64.pow(u32::from(offset.min(MAX_DECIMALS_OFFSET))))
}

/// The MockErc4626 contract.
#[entrypoint]
#[storage]
pub struct MockErc4626 {
    /// The share token `[shares]`.
    shares: Erc20,
    access: Access,
    /// The underlying MockErc20.
    asset: StorageAddress,
    /// Share decimals minus asset decimals (the virtual offset).
    decimals_offset: StorageU8,
}

#[public]
#[implements(IErc20, IOwnable)]
impl MockErc4626 {
    /// Creates the vault over `asset` (its decimals are read now); the share
    /// token has `asset decimals + decimals_offset` decimals.
    ///
    /// # Errors
    /// `ZeroAddress` for a zero asset, `InvalidDecimalsOffset` (offset > 18),
    /// `InvalidShortString`, `OwnableInvalidOwner`, or the asset's revert.
    ///
    /// # Events
    /// `OwnershipTransferred`.
    #[constructor]
    pub fn constructor(
        &mut self,
        asset: Address,
        name: String,
        symbol: String,
        decimals_offset: u8,
        owner: Address,
    ) -> Result<(), MockErc4626Error> {
        if asset.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        let asset_decimals = word_of(&static_call(
            self.vm(),
            Call::new(),
            asset,
            &selector::DECIMALS,
        )?)?
        .saturating_to::<u8>();
        let decimals = asset_decimals
            .checked_add(decimals_offset)
            .filter(|_| decimals_offset <= MAX_DECIMALS_OFFSET)
            .ok_or(InvalidDecimalsOffset {
                assetDecimals: asset_decimals,
                offset: decimals_offset,
            })?;
        self.shares
            .init(name.as_bytes(), symbol.as_bytes(), decimals)?;
        self.access.init(owner)?;
        self.asset.set(asset);
        self.decimals_offset
            .set(alloy_primitives::Uint::<8, 1>::from(decimals_offset));
        Ok(())
    }

    /// The underlying asset.
    pub fn asset(&self) -> Address {
        self.asset.get()
    }

    /// The virtual decimals offset (share decimals minus asset decimals).
    pub fn decimals_offset(&self) -> u8 {
        self.decimals_offset.get().to::<u8>()
    }

    /// The vault's asset balance `[asset]` (donations included).
    ///
    /// # Errors
    /// The asset's revert.
    pub fn total_assets(&self) -> Result<U256, MockErc4626Error> {
        let this = self.vm().contract_address();
        let data = calldata(selector::BALANCE_OF, &[this.into_word()]);
        let ret = static_call(self.vm(), Call::new(), self.asset.get(), &data)?;
        word_of(&ret)
    }

    /// Shares worth `assets`, rounded down.
    ///
    /// # Errors
    /// The asset's revert; `MulDivOverflow` for absurd amounts.
    pub fn convert_to_shares(&self, assets: U256) -> Result<U256, MockErc4626Error> {
        self.shares_for(assets, Rounding::Down)
    }

    /// Assets worth `shares`, rounded down.
    ///
    /// # Errors
    /// The asset's revert; `MulDivOverflow` for absurd amounts.
    pub fn convert_to_assets(&self, shares: U256) -> Result<U256, MockErc4626Error> {
        self.assets_for(shares, Rounding::Down)
    }

    /// No deposit limit: `U256::MAX`.
    pub fn max_deposit(&self, _receiver: Address) -> U256 {
        U256::MAX
    }

    /// No mint limit: `U256::MAX`.
    pub fn max_mint(&self, _receiver: Address) -> U256 {
        U256::MAX
    }

    /// What `owner` can withdraw: its shares' value, rounded down.
    ///
    /// # Errors
    /// The asset's revert.
    pub fn max_withdraw(&self, owner: Address) -> Result<U256, MockErc4626Error> {
        self.assets_for(self.shares.balance_of(owner), Rounding::Down)
    }

    /// What `owner` can redeem: its share balance.
    pub fn max_redeem(&self, owner: Address) -> U256 {
        self.shares.balance_of(owner)
    }

    /// Shares `deposit(assets)` would mint now (rounded down).
    ///
    /// # Errors
    /// The asset's revert; `MulDivOverflow`.
    pub fn preview_deposit(&self, assets: U256) -> Result<U256, MockErc4626Error> {
        self.shares_for(assets, Rounding::Down)
    }

    /// Assets `mint(shares)` would take now (rounded up).
    ///
    /// # Errors
    /// The asset's revert; `MulDivOverflow`.
    pub fn preview_mint(&self, shares: U256) -> Result<U256, MockErc4626Error> {
        self.assets_for(shares, Rounding::Up)
    }

    /// Shares `withdraw(assets)` would burn now (rounded up).
    ///
    /// # Errors
    /// The asset's revert; `MulDivOverflow`.
    pub fn preview_withdraw(&self, assets: U256) -> Result<U256, MockErc4626Error> {
        self.shares_for(assets, Rounding::Up)
    }

    /// Assets `redeem(shares)` would pay now (rounded down).
    ///
    /// # Errors
    /// The asset's revert; `MulDivOverflow`.
    pub fn preview_redeem(&self, shares: U256) -> Result<U256, MockErc4626Error> {
        self.assets_for(shares, Rounding::Down)
    }

    /// Takes `assets` from the caller (allowance needed) and mints
    /// `previewDeposit(assets)` shares to `receiver`. Returns the shares.
    ///
    /// # Errors
    /// `ERC20InvalidReceiver` for a zero receiver; the asset's revert
    /// (allowance, balance); `SafeERC20FailedOperation`; `MulDivOverflow`.
    ///
    /// # Events
    /// `Deposit`, `Transfer` (share mint).
    pub fn deposit(&mut self, assets: U256, receiver: Address) -> Result<U256, MockErc4626Error> {
        let shares = self.shares_for(assets, Rounding::Down)?;
        self.enter(assets, shares, receiver)?;
        Ok(shares)
    }

    /// Mints exactly `shares` to `receiver` for `previewMint(shares)` assets
    /// taken from the caller. Returns the assets.
    ///
    /// # Errors
    /// As `deposit`.
    ///
    /// # Events
    /// `Deposit`, `Transfer` (share mint).
    pub fn mint(&mut self, shares: U256, receiver: Address) -> Result<U256, MockErc4626Error> {
        let assets = self.assets_for(shares, Rounding::Up)?;
        self.enter(assets, shares, receiver)?;
        Ok(assets)
    }

    /// Burns `previewWithdraw(assets)` of `owner`'s shares (spending the
    /// caller's share allowance unless it is `owner`) and sends exactly
    /// `assets` to `receiver`. Returns the shares burned.
    ///
    /// # Errors
    /// `ERC4626ExceededMaxWithdraw`, `ERC20InsufficientAllowance`, the
    /// asset's revert, `SafeERC20FailedOperation`.
    ///
    /// # Events
    /// `Withdraw`, `Transfer` (share burn).
    pub fn withdraw(
        &mut self,
        assets: U256,
        receiver: Address,
        owner: Address,
    ) -> Result<U256, MockErc4626Error> {
        // One read of the totals for both conversions (as `maxWithdraw` and
        // `previewWithdraw` would see them).
        let total = self.total_assets()?;
        let supply = self.shares.total_supply();
        let offset = self.decimals_offset();
        let balance = self.shares.balance_of(owner);
        let max = to_assets(balance, total, supply, offset, Rounding::Down)?;
        if assets > max {
            return Err(ERC4626ExceededMaxWithdraw { owner, assets, max }.into());
        }
        let shares = to_shares(assets, total, supply, offset, Rounding::Up)?;
        self.exit(assets, shares, receiver, owner)?;
        Ok(shares)
    }

    /// Burns exactly `shares` of `owner`'s shares (spending the caller's
    /// share allowance unless it is `owner`) and sends
    /// `previewRedeem(shares)` assets to `receiver`. Returns the assets.
    ///
    /// # Errors
    /// `ERC4626ExceededMaxRedeem`, `ERC20InsufficientAllowance`, the
    /// asset's revert, `SafeERC20FailedOperation`.
    ///
    /// # Events
    /// `Withdraw`, `Transfer` (share burn).
    pub fn redeem(
        &mut self,
        shares: U256,
        receiver: Address,
        owner: Address,
    ) -> Result<U256, MockErc4626Error> {
        let max = self.shares.balance_of(owner);
        if shares > max {
            return Err(ERC4626ExceededMaxRedeem { owner, shares, max }.into());
        }
        let assets = self.assets_for(shares, Rounding::Down)?;
        self.exit(assets, shares, receiver, owner)?;
        Ok(assets)
    }

    /// TEST HOOK (open): mints `bps` of the vault's assets (rounded down)
    /// into the vault through the MockErc20's open `mint`. Returns the
    /// assets added.
    ///
    /// # Errors
    /// The asset's revert (e.g. not a MockErc20); `MulDivOverflow`.
    ///
    /// # Events
    /// `YieldSimulated`.
    pub fn simulate_yield(&mut self, bps: U256) -> Result<U256, MockErc4626Error> {
        let amount = bps_mul(self.total_assets()?, bps, Rounding::Down)?;
        let this = self.vm().contract_address();
        self.call_asset(selector::MINT, &[this.into_word(), amount.into()])?;
        emit(
            self.vm(),
            &[YieldSimulated::SIGNATURE_HASH],
            &[bps.into(), amount.into()],
        );
        Ok(amount)
    }

    /// TEST HOOK (open): burns `bps` (at most 10,000) of the vault's assets
    /// (rounded down) through the MockErc20's open `burn`. Returns the
    /// assets removed.
    ///
    /// # Errors
    /// `LossAboveTotal` for `bps > 10_000`; the asset's revert.
    ///
    /// # Events
    /// `LossSimulated`.
    pub fn simulate_loss(&mut self, bps: U256) -> Result<U256, MockErc4626Error> {
        if bps > BPS {
            return Err(LossAboveTotal { bps }.into());
        }
        let amount = bps_mul(self.total_assets()?, bps, Rounding::Down)?;
        let this = self.vm().contract_address();
        self.call_asset(selector::BURN, &[this.into_word(), amount.into()])?;
        emit(
            self.vm(),
            &[LossSimulated::SIGNATURE_HASH],
            &[bps.into(), amount.into()],
        );
        Ok(amount)
    }
}

/// `selector || words`: the calldata of a call whose arguments are one word each.
fn calldata(selector: [u8; 4], words: &[B256]) -> Vec<u8> {
    let mut data = selector.to_vec();
    data.extend_from_slice(&concat(words));
    data
}

/// The first word of return data.
///
/// # Errors
/// `AbiDecodingFailed` (encoded as a `Panic`) when shorter than a word.
fn word_of(ret: &[u8]) -> Result<U256, MockErc4626Error> {
    match ret.get(..32) {
        Some(w) => Ok(U256::from_be_slice(w)),
        None => Err(CallError::AbiDecodingFailed(alloy_sol_types::Error::Overrun).into()),
    }
}

impl MockErc4626 {
    /// Calls the asset (mutating) with one-word arguments.
    fn call_asset(
        &mut self,
        selector: [u8; 4],
        words: &[B256],
    ) -> Result<Vec<u8>, MockErc4626Error> {
        let asset = self.asset.get();
        let ctx = Call::new_mutating(self);
        Ok(call(self.vm(), ctx, asset, &calldata(selector, words))?)
    }

    /// `transfer` / `transferFrom` on the asset with OpenZeppelin's
    /// SafeERC20 rule: success is no revert and either no return data or a
    /// returned `true`.
    fn transfer_asset(
        &mut self,
        selector: [u8; 4],
        words: &[B256],
    ) -> Result<(), MockErc4626Error> {
        let ret = self.call_asset(selector, words)?;
        if !ret.is_empty() && word_of(&ret)? != U256::from(1) {
            return Err(SafeERC20FailedOperation {
                token: self.asset.get(),
            }
            .into());
        }
        Ok(())
    }

    fn shares_for(&self, assets: U256, rounding: Rounding) -> Result<U256, MockErc4626Error> {
        Ok(to_shares(
            assets,
            self.total_assets()?,
            self.shares.total_supply(),
            self.decimals_offset(),
            rounding,
        )?)
    }

    fn assets_for(&self, shares: U256, rounding: Rounding) -> Result<U256, MockErc4626Error> {
        Ok(to_assets(
            shares,
            self.total_assets()?,
            self.shares.total_supply(),
            self.decimals_offset(),
            rounding,
        )?)
    }

    /// Pulls `assets` from the caller, mints `shares` to `receiver`.
    fn enter(
        &mut self,
        assets: U256,
        shares: U256,
        receiver: Address,
    ) -> Result<(), MockErc4626Error> {
        let sender = self.vm().msg_sender();
        let this = self.vm().contract_address();
        let words = [sender.into_word(), this.into_word(), assets.into()];
        self.transfer_asset(selector::TRANSFER_FROM, &words)?;
        self.shares.mint(receiver, shares)?;
        emit(
            self.vm(),
            &[Deposit::SIGNATURE_HASH, word(sender), word(receiver)],
            &[assets.into(), shares.into()],
        );
        Ok(())
    }

    /// Burns `owner`'s `shares` (spending the caller's allowance), sends
    /// `assets` to `receiver`.
    fn exit(
        &mut self,
        assets: U256,
        shares: U256,
        receiver: Address,
        owner: Address,
    ) -> Result<(), MockErc4626Error> {
        let sender = self.vm().msg_sender();
        if sender != owner {
            self.shares.spend_allowance(owner, sender, shares)?;
        }
        self.shares.burn(owner, shares)?;
        self.transfer_asset(selector::TRANSFER, &[receiver.into_word(), assets.into()])?;
        emit(
            self.vm(),
            &[
                Withdraw::SIGNATURE_HASH,
                word(sender),
                word(receiver),
                word(owner),
            ],
            &[assets.into(), shares.into()],
        );
        Ok(())
    }
}

impl_erc20!(MockErc4626, shares);
impl_ownable!(MockErc4626, access);

#[cfg(test)]
mod tests;
