//! # Psm — Peg Stability Module (seed 004)
//!
//! 1:1 conversion between the alAsset ("coin", 18 decimals) and a reference
//! asset (`psmAsset`, 6, 8 or 18 decimals), optionally held in an ERC-4626
//! `psmVault` (zero address: the PSM holds the asset itself).
//!
//! * `sell` (coin → asset): always open — before and after the immutability
//!   deadline, and while buys are paused. No fee. Burns only
//!   `assetOut * 10^(18-d)` coin (the dust stays with the seller). Bounded by
//!   `min(freePsmAssets, holdings)`. Never lets the holdings fall below
//!   `freePsmAssets`: when the surplus cannot absorb the vault's rounding,
//!   the seller bears it (one share's value at most).
//! * `buy` (asset → coin): only before `immutabilityDeadline`. Mints the coin
//!   value of what the vault *actually* credited (not the nominal amount),
//!   less the buy fee, which is minted to the treasury. Fee: 0 in the first
//!   half of the window, then linear from 0 to 100 bps, rounded up.
//! * `harvest`: sends holdings above `freePsmAssets` (vault yield, rebases,
//!   donations) to the treasury as the asset.
//!
//! Invariants (see README): while the vault has not lost value,
//! `holdings >= freePsmAssets` and
//! `coin minted by the PSM − coin burned by the PSM == freePsmAssets * 10^(18-d)`;
//! a vault loss is reported by `shortfall()`, and sells never pay out more
//! than the PSM holds.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256, U64, U8};
use alloy_sol_types::{sol, SolCall, SolEvent};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageU256, StorageU64, StorageU8, StorageUint},
};
use suite_common::{
    abi::{calldata, return_word},
    access::{Access, AccessError, IOwnable},
    errors::{EntryPaused, SlippageExceeded, ZeroAddress, ZeroAmount},
    events::{bool_word, emit, word},
    impl_ownable,
    math::{self, MathError, Rounding, UnsupportedDecimals, COIN_DECIMALS},
};

/// Selectors of the peer functions the PSM calls. The calls are encoded by
/// hand ([`calldata`]: every argument is one word) instead of through
/// `sol_interface!`, whose per-function encoders do not fit the size budget.
mod abi {
    #![allow(missing_docs, clippy::all)]
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::erc4626_abi!(alloy_sol_types::sol);
    pub use IAlAsset::{burnFromCall, mintCall, minterInfoCall};
    pub use IErc4626::{
        approveCall, assetCall, balanceOfCall, convertToSharesCall, decimalsCall, depositCall,
        previewDepositCall, previewRedeemCall, previewWithdrawCall, redeemCall, totalSupplyCall,
        transferCall, transferFromCall, withdrawCall,
    };
}

/// The buy fee reached at the deadline `[bps]` (1%).
pub const MAX_BUY_FEE_BPS: u64 = 100;
/// 100% in basis points, as a 32-bit divisor.
const BPS_U32: u32 = 10_000;
/// The longest immutability window `[seconds]`: 4 × 365.25 days.
pub const MAX_WINDOW_SECONDS: u64 = 126_230_400;
/// The largest `minVaultSupply` `[shares]`: `2^96 − 1` (stored in 96 bits,
/// next to the asset's address).
pub const MAX_MIN_VAULT_SUPPLY: U256 = U256::from_limbs([u64::MAX, u32::MAX as u64, 0, 0]);

sol! {
    /// A sell of `requested` asset units exceeds the `available` liquidity
    /// (`min(freePsmAssets, holdings)`).
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientPsmLiquidity(uint256 requested, uint256 available);
    /// Buying is disabled since `deadline`; it is `now`.
    #[derive(Debug, PartialEq, Eq)]
    error BuyDisabledAfterDeadline(uint256 deadline, uint256 now);
    /// The psmVault's total `supply` of shares is below the inflation guard's `minimum`.
    #[derive(Debug, PartialEq, Eq)]
    error VaultSupplyTooLow(uint256 supply, uint256 minimum);
    /// The immutability `window` (seconds) exceeds the `maximum` (4 years).
    #[derive(Debug, PartialEq, Eq)]
    error WindowTooLong(uint256 window, uint256 maximum);
    /// The psmVault's underlying `vaultAsset` is not the `psmAsset`.
    #[derive(Debug, PartialEq, Eq)]
    error VaultAssetMismatch(address vaultAsset, address psmAsset);
    /// The window already ended at `deadline`.
    #[derive(Debug, PartialEq, Eq)]
    error AlreadyImmutable(uint256 deadline);
    /// `peer` answered a call with `false` or with malformed return data.
    #[derive(Debug, PartialEq, Eq)]
    error BadPeerResponse(address peer);
    /// The inflation guard's `minimum` `[shares]` exceeds the `maximum` (`2^96 − 1`).
    #[derive(Debug, PartialEq, Eq)]
    error MinVaultSupplyTooLarge(uint256 minimum, uint256 maximum);
    // The AlAsset's mint errors (same signatures, hence selectors), raised by
    // `quoteBuy` exactly as `buy` would receive them from the AlAsset.
    /// `account` is not an active minter of the coin.
    #[derive(Debug, PartialEq, Eq)]
    error NotMinter(address account);
    /// The PSM's minting is paused on the coin.
    #[derive(Debug, PartialEq, Eq)]
    error MinterIsPaused(address minter);
    /// Minting `amount` would take `minter`'s outstanding past its `ceiling`.
    #[derive(Debug, PartialEq, Eq)]
    error MinterCeilingExceeded(address minter, uint256 ceiling, uint256 outstanding, uint256 amount);

    /// `buyer` paid `assetIn`; the vault credited `assetCredited`; `recipient`
    /// got `coinOut` and the treasury `fee` (coin).
    event Buy(address indexed buyer, address indexed recipient, uint256 assetIn, uint256 assetCredited, uint256 coinOut, uint256 fee);
    /// `seller` burned `coinIn` (the dust-free amount taken) and `recipient` got `assetOut`.
    event Sell(address indexed seller, address indexed recipient, uint256 coinIn, uint256 assetOut);
    /// `assets` of yield went to `treasury`.
    event Harvest(address indexed treasury, uint256 assets);
    /// The owner ended the window early; buys are disabled from `deadline`.
    event ImmutabilityEnabled(uint256 deadline);
    /// Buys were paused or unpaused.
    event BuyPaused(bool paused);
    /// The inflation guard's minimum vault supply `[shares]` changed.
    event MinVaultSupplySet(uint256 minimum);
    /// The treasury (local reserves) changed.
    event TreasurySet(address indexed treasury);
}

/// Every failure of the PSM, as Solidity custom errors.
#[derive(SolidityError, Debug)]
pub enum PsmError {
    /// Ownership / guardian failure.
    Access(AccessError),
    /// Arithmetic failure (also `UnsupportedDecimals` at construction).
    Math(MathError),
    /// A call to the coin, the asset or the vault reverted: its revert data
    /// bubbles up unchanged (e.g. the AlAsset's `MinterCeilingExceeded`).
    Call(stylus_sdk::stylus_core::calls::errors::Error),
    /// See [`InsufficientPsmLiquidity`].
    InsufficientPsmLiquidity(InsufficientPsmLiquidity),
    /// See [`BuyDisabledAfterDeadline`].
    BuyDisabledAfterDeadline(BuyDisabledAfterDeadline),
    /// See [`VaultSupplyTooLow`].
    VaultSupplyTooLow(VaultSupplyTooLow),
    /// See [`WindowTooLong`].
    WindowTooLong(WindowTooLong),
    /// See [`VaultAssetMismatch`].
    VaultAssetMismatch(VaultAssetMismatch),
    /// See [`AlreadyImmutable`].
    AlreadyImmutable(AlreadyImmutable),
    /// See [`BadPeerResponse`].
    BadPeerResponse(BadPeerResponse),
    /// See [`MinVaultSupplyTooLarge`].
    MinVaultSupplyTooLarge(MinVaultSupplyTooLarge),
    /// See [`NotMinter`].
    NotMinter(NotMinter),
    /// See [`MinterIsPaused`].
    MinterIsPaused(MinterIsPaused),
    /// See [`MinterCeilingExceeded`].
    MinterCeilingExceeded(MinterCeilingExceeded),
    /// See [`EntryPaused`].
    EntryPaused(EntryPaused),
    /// See [`SlippageExceeded`].
    SlippageExceeded(SlippageExceeded),
    /// See [`ZeroAmount`].
    ZeroAmount(ZeroAmount),
    /// See [`ZeroAddress`].
    ZeroAddress(ZeroAddress),
}

/// The PSM contract.
///
/// Storage is packed by what each path reads (Solidity-style packing of
/// consecutive fields): word 1 is read by every path (`freePsmAssetsInCoin`,
/// which the RateController calls on each accrual, needs words 1 and 3 only),
/// a sell reads words 1–3, a buy words 1–4.
#[entrypoint]
#[storage]
pub struct Psm {
    access: Access,
    // Word 1 (30 bytes).
    /// ERC-4626 vault over `psm_asset`, or zero (hold the asset directly).
    psm_vault: StorageAddress,
    /// Buys are disabled from this time on `[seconds]`.
    immutability_deadline: StorageU64,
    /// The asset's decimals (read at construction, at most 18).
    asset_decimals: StorageU8,
    /// Guardian's pause of the buy path (sells are never paused).
    buy_paused: StorageBool,
    // Word 2 (28 bytes).
    /// The alAsset; the PSM is one of its minters.
    coin: StorageAddress,
    /// Deployment time `[seconds]`.
    window_start: StorageU64,
    // Word 3.
    /// Asset that backs future sells `[asset]`.
    free_psm_assets: StorageU256,
    // Word 4 (32 bytes).
    /// The reference asset.
    psm_asset: StorageAddress,
    /// Inflation guard: buys need `psmVault.totalSupply() >= this` `[shares]`
    /// (at most [`MAX_MIN_VAULT_SUPPLY`]).
    min_vault_supply: StorageUint<96, 2>,
    // Word 5.
    /// Local reserves: receives buy fees (coin) and harvested yield (asset).
    treasury: StorageAddress,
}

/// The amounts of a buy, as `buy` executes it and `quoteBuy` reports it.
struct BuyAmounts {
    /// To the recipient `[coin]`.
    coin_out: U256,
    /// To the treasury `[coin]`.
    fee: U256,
}

#[public]
#[implements(IOwnable)]
impl Psm {
    /// Configures the PSM; the immutability window starts now and lasts
    /// `window_seconds` (1 second to 4 years).
    ///
    /// Reads the asset's decimals (at most 18). With a vault, checks that its
    /// asset is `psm_asset` and approves it once for the asset (unlimited).
    ///
    /// # Errors
    /// `OwnableInvalidOwner`, `ZeroAddress` (coin, asset, treasury),
    /// `ZeroAmount` (window), `WindowTooLong`, `MinVaultSupplyTooLarge`,
    /// `UnsupportedDecimals`, `VaultAssetMismatch`, `BadPeerResponse`, or a
    /// failing call's revert.
    #[constructor]
    #[allow(clippy::too_many_arguments)]
    pub fn constructor(
        &mut self,
        owner: Address,
        coin: Address,
        psm_asset: Address,
        psm_vault: Address,
        treasury: Address,
        window_seconds: u64,
        min_vault_supply: U256,
    ) -> Result<(), PsmError> {
        self.access.init(owner)?;
        if coin.is_zero() || psm_asset.is_zero() || treasury.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        if window_seconds == 0 {
            return Err(ZeroAmount {}.into());
        }
        if window_seconds > MAX_WINDOW_SECONDS {
            return Err(WindowTooLong {
                window: U256::from(window_seconds),
                maximum: U256::from(MAX_WINDOW_SECONDS),
            }
            .into());
        }
        let decimals = self.view(psm_asset, abi::decimalsCall::SELECTOR, &[])?;
        let decimals = u8::try_from(decimals).unwrap_or(u8::MAX);
        if decimals > COIN_DECIMALS {
            return Err(MathError::UnsupportedDecimals(UnsupportedDecimals { decimals }).into());
        }
        self.asset_decimals.set(U8::from(decimals));
        if !psm_vault.is_zero() {
            let vault_asset = self.view(psm_vault, abi::assetCall::SELECTOR, &[])?;
            let vault_asset = Address::from_word(vault_asset.into());
            if vault_asset != psm_asset {
                return Err(VaultAssetMismatch {
                    vaultAsset: vault_asset,
                    psmAsset: psm_asset,
                }
                .into());
            }
            let args = [word(psm_vault), U256::MAX.into()];
            self.send_checked(psm_asset, abi::approveCall::SELECTOR, &args)?;
        }
        let now = self.vm().block_timestamp();
        self.coin.set(coin);
        self.psm_asset.set(psm_asset);
        self.psm_vault.set(psm_vault);
        self.treasury.set(treasury);
        self.window_start.set(U64::from(now));
        // Cannot overflow: `now` is a real timestamp and the window is ≤ 4 years.
        self.immutability_deadline
            .set(U64::from(now.saturating_add(window_seconds)));
        self.store_min_vault_supply(min_vault_supply)?;
        Ok(())
    }

    /// Sells `coin_in` coin for the asset, 1:1 after decimals conversion,
    /// without fee, to `recipient`. Only `assetOut * 10^(18-d)` coin is
    /// burned from the caller (who must have approved the PSM); the dust stays.
    /// Always open: before and after the deadline, and while buys are paused.
    /// With a vault the payout may be up to one share's value below 1:1 when
    /// the surplus cannot absorb the vault's rounding (see `vault_payout`);
    /// returns what was paid.
    ///
    /// The real holdings are read only when the payout (the vault's
    /// `withdraw`, or the asset's `transfer`) fails: a failure with holdings
    /// below the amount is reported as `InsufficientPsmLiquidity`, exactly as
    /// `quoteSell` reports it; any other failure bubbles up. The coin is
    /// burned after the payout, so a lack of liquidity wins over a lack of
    /// coin, as in the quote.
    ///
    /// # Errors
    /// `ZeroAmount` (nothing or less than one asset unit), `ZeroAddress`
    /// (recipient), `InsufficientPsmLiquidity` past `min(freePsmAssets,
    /// holdings)`, `SlippageExceeded` below `min_asset_out`, the coin's
    /// `burnFrom` errors (allowance, balance), the vault's errors.
    ///
    /// # Events
    /// `Sell`.
    pub fn sell(
        &mut self,
        coin_in: U256,
        min_asset_out: U256,
        recipient: Address,
    ) -> Result<U256, PsmError> {
        if recipient.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        let free = self.free_psm_assets.get();
        let asset_out = self.sell_amount(coin_in)?;
        if asset_out > free {
            return Err(InsufficientPsmLiquidity {
                requested: asset_out,
                available: free.min(self.holdings()?),
            }
            .into());
        }
        let coin_taken = self.to_coin(asset_out)?;
        // With a vault: exactly `asset_out` when the surplus covers the
        // withdrawal's rounding, else the redeem value of the shares it is
        // worth, rounded down (see `vault_payout`).
        let vault = self.psm_vault.get();
        let (payout, redeem_shares) = if vault.is_zero() {
            (asset_out, U256::ZERO)
        } else {
            self.vault_payout(vault, asset_out, free)?
        };
        if payout < min_asset_out {
            return Err(SlippageExceeded {
                actual: payout,
                minimum: min_asset_out,
            }
            .into());
        }
        // Cannot underflow: checked above.
        self.free_psm_assets.set(free - asset_out);

        let seller = self.vm().msg_sender();
        // The payout comes before the burn so that a lack of liquidity is
        // reported as `InsufficientPsmLiquidity` (as `quoteSell` does) even
        // when the seller also lacks the coin; the transaction is atomic.
        let this = self.vm().contract_address();
        let paid = if vault.is_zero() {
            self.transfer_asset(recipient, asset_out)
        } else if redeem_shares.is_zero() {
            // ERC-4626 `withdraw` pays exactly `asset_out`; the shares it burns
            // (rounded up) are what the holdings lose.
            let args = [asset_out.into(), word(recipient), word(this)];
            self.send(vault, abi::withdrawCall::SELECTOR, &args)
                .map(drop)
        } else {
            let args = [redeem_shares.into(), word(recipient), word(this)];
            self.send(vault, abi::redeemCall::SELECTOR, &args).map(drop)
        };
        if let Err(failure) = paid {
            // The failed payout changed nothing: the holdings are as before.
            let holdings = self.holdings()?;
            if asset_out > holdings {
                return Err(InsufficientPsmLiquidity {
                    requested: asset_out,
                    available: free.min(holdings),
                }
                .into());
            }
            return Err(failure);
        }
        let args = [word(seller), coin_taken.into()];
        self.send(self.coin.get(), abi::burnFromCall::SELECTOR, &args)?;
        emit(
            self.vm(),
            &[Sell::SIGNATURE_HASH, word(seller), word(recipient)],
            &[coin_taken.into(), payout.into()],
        );
        Ok(payout)
    }

    /// Buys coin with `asset_in` asset (before the deadline): takes the asset
    /// (`transferFrom`, the caller must have approved the PSM), deposits it
    /// into the vault if one is set, and mints the coin value of what was
    /// actually credited, less the fee, to `recipient`; the fee is minted to
    /// the treasury. Returns the coin sent to `recipient`.
    ///
    /// The credit is what really arrived: without a vault, the PSM's balance
    /// increase; with a vault, `min(previewRedeem(previewDeposit(assetIn)),
    /// previewRedeem(shares minted))`: the redeem value of the shares at the
    /// vault's own rounding, never the nominal amount (and never more than
    /// `quoteBuy` promised).
    ///
    /// # Errors
    /// `EntryPaused`, `BuyDisabledAfterDeadline`, `ZeroAmount` (nothing, or
    /// nothing credited / minted), `ZeroAddress` (recipient),
    /// `VaultSupplyTooLow`, `SlippageExceeded` below `min_coin_out`, the
    /// coin's mint errors (`MinterCeilingExceeded`, `MinterIsPaused`), the
    /// asset's and the vault's errors.
    ///
    /// # Events
    /// `Buy`.
    pub fn buy(
        &mut self,
        asset_in: U256,
        min_coin_out: U256,
        recipient: Address,
    ) -> Result<U256, PsmError> {
        if recipient.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        // Checks: pause, deadline, amount, vault supply.
        self.buy_checks(asset_in)?;

        let asset = self.psm_asset.get();
        let this = self.vm().contract_address();
        let buyer = self.vm().msg_sender();
        let vault = self.psm_vault.get();
        let credited = if vault.is_zero() {
            // What really arrived (a rebasing or fee-on-transfer asset can
            // deliver less than `asset_in`).
            let before = self.view(asset, abi::balanceOfCall::SELECTOR, &[word(this)])?;
            self.pull_asset(buyer, asset_in)?;
            let after = self.view(asset, abi::balanceOfCall::SELECTOR, &[word(this)])?;
            math::sub(after, before)?.min(asset_in)
        } else {
            // The credit the vault promises now (what `quoteBuy` reports).
            let promised = self.vault_credit(asset_in)?;
            // The vault pulls exactly `asset_in` from the PSM (it reverts if
            // less arrived); the credit is the redeem value of the shares it
            // actually minted, never more than it promised.
            self.pull_asset(buyer, asset_in)?;
            let args = [asset_in.into(), word(this)];
            let shares = first_word(&self.send(vault, abi::depositCall::SELECTOR, &args)?, vault)?;
            let value = self.view(vault, abi::previewRedeemCall::SELECTOR, &[shares.into()])?;
            promised.min(value)
        };
        let BuyAmounts { coin_out, fee, .. } = self.split_fee(credited)?;
        if coin_out < min_coin_out {
            return Err(SlippageExceeded {
                actual: coin_out,
                minimum: min_coin_out,
            }
            .into());
        }
        let free = math::add(self.free_psm_assets.get(), credited)?;
        self.free_psm_assets.set(free);

        let coin = self.coin.get();
        self.send(
            coin,
            abi::mintCall::SELECTOR,
            &[word(recipient), coin_out.into()],
        )?;
        if !fee.is_zero() {
            let args = [word(self.treasury.get()), fee.into()];
            self.send(coin, abi::mintCall::SELECTOR, &args)?;
        }
        emit(
            self.vm(),
            &[Buy::SIGNATURE_HASH, word(buyer), word(recipient)],
            &[
                asset_in.into(),
                credited.into(),
                coin_out.into(),
                fee.into(),
            ],
        );
        Ok(coin_out)
    }

    /// What `sell(coin_in, 0, _)` would pay now `[asset]`; reverts with the
    /// error `sell` would raise (caller-specific failures aside: the seller's
    /// coin balance and allowance).
    ///
    /// # Errors
    /// `ZeroAmount`, `InsufficientPsmLiquidity`, or a failing vault view.
    pub fn quote_sell(&self, coin_in: U256) -> Result<U256, PsmError> {
        let free = self.free_psm_assets.get();
        let asset_out = self.sell_amount(coin_in)?;
        let available = free.min(self.holdings()?);
        if asset_out > available {
            return Err(InsufficientPsmLiquidity {
                requested: asset_out,
                available,
            }
            .into());
        }
        let vault = self.psm_vault.get();
        if vault.is_zero() {
            return Ok(asset_out);
        }
        Ok(self.vault_payout(vault, asset_out, free)?.0)
    }

    /// What `buy(asset_in, 0, _)` would give now: `(coinOut, fee)` `[coin]`;
    /// reverts with the error `buy` would raise, including the coin's
    /// `NotMinter` / `MinterIsPaused` / `MinterCeilingExceeded` (caller-specific
    /// failures aside: the buyer's asset balance and allowance). Assumes the
    /// asset transfers exactly (no fee-on-transfer).
    ///
    /// # Errors
    /// As `buy`.
    pub fn quote_buy(&self, asset_in: U256) -> Result<(U256, U256), PsmError> {
        let BuyAmounts { coin_out, fee, .. } = self.buy_amounts(asset_in)?;
        let minter = self.vm().contract_address();
        let coin = self.coin.get();
        let data = calldata(abi::minterInfoCall::SELECTOR, &[word(minter)]);
        let info = static_call(self.vm(), Call::new(), coin, &data)?;
        let (active, paused, ceiling, outstanding) = (
            !word_at(&info, 0, coin)?.is_zero(),
            !word_at(&info, 1, coin)?.is_zero(),
            word_at(&info, 2, coin)?,
            word_at(&info, 3, coin)?,
        );
        if !active {
            return Err(NotMinter { account: minter }.into());
        }
        if paused {
            return Err(MinterIsPaused { minter }.into());
        }
        // `buy` mints `coin_out` then `fee`: report the first mint that fails.
        let mut outstanding = outstanding;
        for amount in [coin_out, fee] {
            if amount.is_zero() {
                continue;
            }
            match outstanding.checked_add(amount) {
                Some(total) if total <= ceiling => outstanding = total,
                _ => {
                    return Err(MinterCeilingExceeded {
                        minter,
                        ceiling,
                        outstanding,
                        amount,
                    }
                    .into())
                }
            }
        }
        Ok((coin_out, fee))
    }

    /// Sends the holdings above `freePsmAssets` (vault yield, rebases) to the
    /// treasury as the asset; returns the amount `[asset]` (0 when none).
    /// Permissionless. With a vault it redeems only the shares beyond
    /// `previewWithdraw(freePsmAssets)` (rounded up by the vault), so the
    /// shares kept still cover `freePsmAssets`.
    ///
    /// # Errors
    /// A failing asset or vault call.
    ///
    /// # Events
    /// `Harvest` (when the amount is not zero).
    pub fn harvest(&mut self) -> Result<U256, PsmError> {
        let free = self.free_psm_assets.get();
        let treasury = self.treasury.get();
        let this = self.vm().contract_address();
        let vault_address = self.psm_vault.get();
        let assets = if vault_address.is_zero() {
            let balance = self.view(
                self.psm_asset.get(),
                abi::balanceOfCall::SELECTOR,
                &[word(this)],
            )?;
            let surplus = balance.saturating_sub(free);
            if !surplus.is_zero() {
                self.transfer_asset(treasury, surplus)?;
            }
            surplus
        } else {
            let vault = vault_address;
            let shares = self.view(vault, abi::balanceOfCall::SELECTOR, &[word(this)])?;
            let keep = self.view(vault, abi::previewWithdrawCall::SELECTOR, &[free.into()])?;
            let excess = shares.saturating_sub(keep);
            if excess.is_zero()
                || self
                    .view(vault, abi::previewRedeemCall::SELECTOR, &[excess.into()])?
                    .is_zero()
            {
                U256::ZERO
            } else {
                let args = [excess.into(), word(treasury), word(this)];
                first_word(&self.send(vault, abi::redeemCall::SELECTOR, &args)?, vault)?
            }
        };
        if !assets.is_zero() {
            emit(
                self.vm(),
                &[Harvest::SIGNATURE_HASH, word(treasury)],
                &[assets.into()],
            );
        }
        Ok(assets)
    }

    /// Asset that backs future sells `[asset]`.
    pub fn free_psm_assets(&self) -> U256 {
        self.free_psm_assets.get()
    }

    /// The PSM's exit liquidity for the RateController `[coin]`:
    /// `min(freePsmAssets, holdings) * 10^(18-d)` (equal to `freePsmAssets`
    /// normalised unless the vault lost value).
    ///
    /// # Errors
    /// A failing vault view, `ArithmeticOverflow`.
    pub fn free_psm_assets_in_coin(&self) -> Result<U256, PsmError> {
        let free = self.free_psm_assets.get().min(self.holdings()?);
        self.to_coin(free)
    }

    /// What the PSM really holds `[asset]`: the redeem value of its vault
    /// shares (`previewRedeem(balanceOf(this))`), or its asset balance.
    ///
    /// # Errors
    /// A failing vault or asset view.
    pub fn holdings(&self) -> Result<U256, PsmError> {
        let this = self.vm().contract_address();
        let vault = self.psm_vault.get();
        if vault.is_zero() {
            return self.view(
                self.psm_asset.get(),
                abi::balanceOfCall::SELECTOR,
                &[word(this)],
            );
        }
        let shares = self.view(vault, abi::balanceOfCall::SELECTOR, &[word(this)])?;
        self.view(vault, abi::previewRedeemCall::SELECTOR, &[shares.into()])
    }

    /// `freePsmAssets − holdings` when the holdings fall short (a vault
    /// loss), else 0 `[asset]`.
    ///
    /// # Errors
    /// A failing vault or asset view.
    pub fn shortfall(&self) -> Result<U256, PsmError> {
        Ok(self.free_psm_assets.get().saturating_sub(self.holdings()?))
    }

    /// The buy fee now, rounded up `[bps]`: 0 in the first half of the
    /// window, then `100 * (t − half) / (deadline − half)`; 100 from the
    /// deadline on (when buys are disabled). `buy` charges the exact fraction
    /// (rounded up on the amount), at most this.
    ///
    /// # Errors
    /// Arithmetic errors (none in practice).
    pub fn buy_fee_bps(&self) -> Result<U256, PsmError> {
        let (elapsed, span) = self.fee_ramp();
        // No overflow: `elapsed <= span < 2^32`; `span > 0` when `elapsed > 0`.
        Ok(U256::from(if elapsed == 0 {
            0
        } else {
            (MAX_BUY_FEE_BPS * elapsed).div_ceil(span)
        }))
    }

    /// The alAsset.
    pub fn coin(&self) -> Address {
        self.coin.get()
    }

    /// The reference asset.
    pub fn psm_asset(&self) -> Address {
        self.psm_asset.get()
    }

    /// The ERC-4626 vault holding the asset (zero: none).
    pub fn psm_vault(&self) -> Address {
        self.psm_vault.get()
    }

    /// The local reserves.
    pub fn treasury(&self) -> Address {
        self.treasury.get()
    }

    /// The asset's decimals.
    pub fn asset_decimals(&self) -> u8 {
        self.asset_decimals.get().to()
    }

    /// Start of the immutability window (deployment) `[seconds]`.
    pub fn window_start(&self) -> u64 {
        self.window_start.get().to()
    }

    /// Buys are disabled from this time on `[seconds]`.
    pub fn immutability_deadline(&self) -> u64 {
        self.immutability_deadline.get().to()
    }

    /// The inflation guard's minimum vault supply `[shares]`.
    pub fn min_vault_supply(&self) -> U256 {
        U256::from(self.min_vault_supply.get())
    }

    /// Whether the guardian paused buys.
    pub fn buy_paused(&self) -> bool {
        self.buy_paused.get()
    }

    /// Ends the window now (owner only): buys are disabled from this block on.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `AlreadyImmutable`.
    ///
    /// # Events
    /// `ImmutabilityEnabled`.
    pub fn enable_immutability_now(&mut self) -> Result<(), PsmError> {
        self.access.only_owner()?;
        let now = self.vm().block_timestamp();
        let deadline = self.immutability_deadline();
        if now >= deadline {
            return Err(AlreadyImmutable {
                deadline: U256::from(deadline),
            }
            .into());
        }
        self.immutability_deadline.set(U64::from(now));
        emit(
            self.vm(),
            &[ImmutabilityEnabled::SIGNATURE_HASH],
            &[U256::from(now).into()],
        );
        Ok(())
    }

    /// Pauses (guardian or owner) or unpauses (owner only) the buy path.
    /// Sells are never paused.
    ///
    /// # Errors
    /// `GuardianUnauthorizedAccount` / `OwnableUnauthorizedAccount`.
    ///
    /// # Events
    /// `BuyPaused`.
    pub fn set_buy_paused(&mut self, paused: bool) -> Result<(), PsmError> {
        if paused {
            self.access.only_guardian()?;
        } else {
            self.access.only_owner()?;
        }
        self.buy_paused.set(paused);
        emit(
            self.vm(),
            &[BuyPaused::SIGNATURE_HASH],
            &[bool_word(paused)],
        );
        Ok(())
    }

    /// Sets the inflation guard's minimum vault supply `[shares]` (owner
    /// only; at most [`MAX_MIN_VAULT_SUPPLY`]).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `MinVaultSupplyTooLarge`.
    ///
    /// # Events
    /// `MinVaultSupplySet`.
    pub fn set_min_vault_supply(&mut self, minimum: U256) -> Result<(), PsmError> {
        self.access.only_owner()?;
        self.store_min_vault_supply(minimum)?;
        emit(
            self.vm(),
            &[MinVaultSupplySet::SIGNATURE_HASH],
            &[minimum.into()],
        );
        Ok(())
    }

    /// Sets the treasury (owner only).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`.
    ///
    /// # Events
    /// `TreasurySet`.
    pub fn set_treasury(&mut self, treasury: Address) -> Result<(), PsmError> {
        self.access.only_owner()?;
        if treasury.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        self.treasury.set(treasury);
        emit(
            self.vm(),
            &[TreasurySet::SIGNATURE_HASH, word(treasury)],
            &[],
        );
        Ok(())
    }
}

impl Psm {
    /// Stores the inflation guard's minimum, or `MinVaultSupplyTooLarge`.
    fn store_min_vault_supply(&mut self, minimum: U256) -> Result<(), PsmError> {
        if minimum > MAX_MIN_VAULT_SUPPLY {
            return Err(MinVaultSupplyTooLarge {
                minimum,
                maximum: MAX_MIN_VAULT_SUPPLY,
            }
            .into());
        }
        self.min_vault_supply.set(minimum.to());
        Ok(())
    }

    /// How a sell of `asset_out` (≤ `free`) is paid from the vault:
    /// `(payout, redeemShares)`.
    ///
    /// * `(asset_out, 0)`: `withdraw(asset_out)` when the shares left after
    ///   it (`balance − previewWithdraw(asset_out)`, rounded up by the
    ///   vault) still redeem for `free − asset_out`: the withdrawal's
    ///   rounding comes out of the surplus.
    /// * `(previewRedeem(s), s)` with `s = convertToShares(asset_out)`
    ///   (rounded down) otherwise: `redeem(s)` pays at most `asset_out`
    ///   (one share's value and one wei less at worst), the seller bears
    ///   the rounding, and the value of the shares left never falls below
    ///   `free − asset_out` (a redeem never lowers the share price).
    ///
    /// So `holdings ≥ freePsmAssets` is kept exactly by every sell
    /// (invariant 4) whatever harvests left behind.
    ///
    /// # Errors
    /// `ZeroAmount` when the redeem would pay nothing (less than one
    /// share's value), a failing vault view. After a vault loss
    /// (`holdings < free`) the payout stays exactly `asset_out`.
    fn vault_payout(
        &self,
        vault: Address,
        asset_out: U256,
        free: U256,
    ) -> Result<(U256, U256), PsmError> {
        let this = self.vm().contract_address();
        let balance = self.view(vault, abi::balanceOfCall::SELECTOR, &[word(this)])?;
        let burned = self.view(
            vault,
            abi::previewWithdrawCall::SELECTOR,
            &[asset_out.into()],
        )?;
        // More than held: the withdrawal fails and the caller reports the
        // liquidity limit.
        let Some(left) = balance.checked_sub(burned) else {
            return Ok((asset_out, U256::ZERO));
        };
        let kept = self.view(vault, abi::previewRedeemCall::SELECTOR, &[left.into()])?;
        // `free >= asset_out` (checked by the callers). After a vault loss
        // sells stay 1:1, first come first served (the loss is reported by
        // `shortfall`, not shared out by rounding).
        if kept >= free - asset_out
            || self.view(vault, abi::previewRedeemCall::SELECTOR, &[balance.into()])? < free
        {
            return Ok((asset_out, U256::ZERO));
        }
        let shares = self.view(
            vault,
            abi::convertToSharesCall::SELECTOR,
            &[asset_out.into()],
        )?;
        let payout = self.view(vault, abi::previewRedeemCall::SELECTOR, &[shares.into()])?;
        if payout.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        Ok((payout, shares))
    }

    /// `10^(18 - decimals)` `[coin per asset unit]` (at most 10^18 < 2^64).
    fn scale(&self) -> u64 {
        10u64.pow(u32::from(COIN_DECIMALS - self.asset_decimals()))
    }

    /// An asset amount in coin (exact), or `ArithmeticOverflow`.
    fn to_coin(&self, asset: U256) -> Result<U256, PsmError> {
        Ok(fixed::mul_u64(asset, self.scale())?)
    }

    /// `⌊coin_in / 10^(18−d)⌋` `[asset]` (the coin below one asset unit
    /// stays with the seller), or `ZeroAmount`.
    fn sell_amount(&self, coin_in: U256) -> Result<U256, PsmError> {
        let exponent = COIN_DECIMALS - self.asset_decimals();
        let asset_out = fixed::div_pow10(coin_in, exponent, Rounding::Down);
        if asset_out.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        Ok(asset_out)
    }

    /// The checks of a buy and its amounts at the vault's current preview
    /// (`min(assetIn, previewRedeem(previewDeposit(assetIn)))`).
    fn buy_amounts(&self, asset_in: U256) -> Result<BuyAmounts, PsmError> {
        self.buy_checks(asset_in)?;
        let credited = if self.psm_vault.get().is_zero() {
            asset_in
        } else {
            self.vault_credit(asset_in)?
        };
        self.split_fee(credited)
    }

    /// The checks of a buy: pause, deadline, amount, the vault's supply.
    fn buy_checks(&self, asset_in: U256) -> Result<(), PsmError> {
        if self.buy_paused.get() {
            return Err(EntryPaused {}.into());
        }
        let now = self.vm().block_timestamp();
        let deadline = self.immutability_deadline();
        if now >= deadline {
            return Err(BuyDisabledAfterDeadline {
                deadline: U256::from(deadline),
                now: U256::from(now),
            }
            .into());
        }
        if asset_in.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        let vault = self.psm_vault.get();
        if !vault.is_zero() {
            let supply = self.view(vault, abi::totalSupplyCall::SELECTOR, &[])?;
            let minimum = self.min_vault_supply();
            if supply < minimum {
                return Err(VaultSupplyTooLow { supply, minimum }.into());
            }
        }
        Ok(())
    }

    /// `min(assets, previewRedeem(previewDeposit(assets)))` `[asset]`.
    fn vault_credit(&self, assets: U256) -> Result<U256, PsmError> {
        let vault = self.psm_vault.get();
        let shares = self.view(vault, abi::previewDepositCall::SELECTOR, &[assets.into()])?;
        let value = self.view(vault, abi::previewRedeemCall::SELECTOR, &[shares.into()])?;
        Ok(value.min(assets))
    }

    /// Splits the coin value of `credited` into what the recipient gets and
    /// the fee (rounded up). Fails with `ZeroAmount` when nothing is left.
    fn split_fee(&self, credited: U256) -> Result<BuyAmounts, PsmError> {
        let gross = self.to_coin(credited)?;
        let (elapsed, span) = self.fee_ramp();
        let fee = if elapsed == 0 {
            U256::ZERO
        } else {
            // fee = ⌈gross · 100 · elapsed / (span · 10⁴)⌉, as two exact
            // ceiling divisions (⌈⌈x/a⌉/b⌉ = ⌈x/(ab)⌉); `span` < 2^32.
            let scaled = fixed::mul_u64(gross, MAX_BUY_FEE_BPS * elapsed)?;
            let per_bps = fixed::div_u32(scaled, span as u32, Rounding::Up);
            fixed::div_u32(per_bps, BPS_U32, Rounding::Up)
        };
        // Cannot underflow: the fee fraction is at most 1%.
        let coin_out = gross - fee;
        if coin_out.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        Ok(BuyAmounts { coin_out, fee })
    }

    /// Where the fee ramp stands: `(t − half, deadline − half)` `[seconds]`,
    /// with `half = start + (deadline − start) / 2` (rounded down) and `t`
    /// capped at the deadline; `(0, _)` until `half`. The fee is
    /// `MAX_BUY_FEE_BPS · elapsed / span` bps. `span ≤ 2 years < 2^32`.
    fn fee_ramp(&self) -> (u64, u64) {
        let start = self.window_start();
        let deadline = self.immutability_deadline();
        // No underflow: `start <= deadline` always (the deadline only moves to `now >= start`).
        let half = start + (deadline - start) / 2;
        let now = self.vm().block_timestamp().min(deadline);
        (now.saturating_sub(half), deadline - half)
    }

    /// `asset.transferFrom(from, this, amount)`, requiring `true`.
    fn pull_asset(&mut self, from: Address, amount: U256) -> Result<(), PsmError> {
        let asset = self.psm_asset.get();
        let this = self.vm().contract_address();
        let args = [word(from), word(this), amount.into()];
        self.send_checked(asset, abi::transferFromCall::SELECTOR, &args)
    }

    /// `asset.transfer(to, amount)`, requiring `true`.
    fn transfer_asset(&mut self, to: Address, amount: U256) -> Result<(), PsmError> {
        let asset = self.psm_asset.get();
        self.send_checked(
            asset,
            abi::transferCall::SELECTOR,
            &[word(to), amount.into()],
        )
    }

    /// Static-calls `peer` and returns the first word of its answer.
    fn view(&self, peer: Address, selector: [u8; 4], args: &[B256]) -> Result<U256, PsmError> {
        let data = calldata(selector, args);
        first_word(&static_call(self.vm(), Call::new(), peer, &data)?, peer)
    }

    /// Calls `peer` (mutating) and returns its raw answer.
    fn send(
        &mut self,
        peer: Address,
        selector: [u8; 4],
        args: &[B256],
    ) -> Result<Vec<u8>, PsmError> {
        let data = calldata(selector, args);
        let context = Call::new_mutating(self);
        Ok(call(self.vm(), context, peer, &data)?)
    }

    /// Calls a token function returning `bool`: fails with `BadPeerResponse`
    /// unless it answers `true` (or nothing, as some tokens do).
    fn send_checked(
        &mut self,
        token: Address,
        selector: [u8; 4],
        args: &[B256],
    ) -> Result<(), PsmError> {
        let answer = self.send(token, selector, args)?;
        if answer.is_empty() || first_word(&answer, token)? == U256::from(1) {
            Ok(())
        } else {
            Err(BadPeerResponse { peer: token }.into())
        }
    }
}

/// Division of a `U256` by a divisor below 2^32, in native 64-bit
/// arithmetic: every divisor of the PSM is one (powers of ten up to 10^9,
/// 10^4, ramp seconds), and ruint's generic 256-bit division costs ~7.5 KB
/// of WASM.
pub mod fixed {
    use super::{MathError, Rounding, U256};
    use suite_common::math::ArithmeticOverflow;

    /// `a * m`, or `ArithmeticOverflow` (schoolbook on 64-bit limbs instead
    /// of ruint's generic multiplication).
    pub fn mul_u64(a: U256, m: u64) -> Result<U256, MathError> {
        let mut limbs = *a.as_limbs();
        let mut carry = 0u128;
        for limb in limbs.iter_mut() {
            // Cannot overflow: (2^64 − 1)^2 + (2^64 − 1) < 2^128.
            let product = u128::from(*limb) * u128::from(m) + carry;
            *limb = product as u64;
            carry = product >> 64;
        }
        if carry != 0 {
            return Err(MathError::Overflow(ArithmeticOverflow {
                a,
                b: U256::from(m),
            }));
        }
        Ok(U256::from_limbs(limbs))
    }

    /// `a / d` rounded as asked; `d` must not be zero (callers pass
    /// constants or a positive span).
    pub fn div_u32(a: U256, d: u32, rounding: Rounding) -> U256 {
        let d = u64::from(d);
        let mut limbs = *a.as_limbs();
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            // `rem < d < 2^32`, so each partial dividend fits in 64 bits and
            // each partial quotient in 32.
            let high = (rem << 32) | (*limb >> 32);
            let (q_high, r) = (high / d, high % d);
            let low = (r << 32) | (*limb & 0xffff_ffff);
            rem = low % d;
            *limb = (q_high << 32) | (low / d);
        }
        let q = U256::from_limbs(limbs);
        if rounding == Rounding::Up && rem != 0 {
            // Cannot overflow: a remainder implies `d > 1`, so `q < U256::MAX`.
            q + U256::from(1)
        } else {
            q
        }
    }

    /// `a / 10^exponent` rounded as asked (`exponent <= 18`), as two exact
    /// divisions (`⌊⌊x/a⌋/b⌋ = ⌊x/(ab)⌋`, and the same for ceilings).
    pub fn div_pow10(a: U256, exponent: u8, rounding: Rounding) -> U256 {
        let first = exponent.min(9);
        let q = div_u32(a, 10u32.pow(u32::from(first)), rounding);
        div_u32(q, 10u32.pow(u32::from(exponent - first)), rounding)
    }
}

/// The `index`-th word of `peer`'s answer, or `BadPeerResponse`.
fn word_at(answer: &[u8], index: usize, peer: Address) -> Result<U256, PsmError> {
    return_word(answer, index).ok_or_else(|| BadPeerResponse { peer }.into())
}

/// The first word of `peer`'s answer, or `BadPeerResponse`.
fn first_word(answer: &[u8], peer: Address) -> Result<U256, PsmError> {
    word_at(answer, 0, peer)
}

impl_ownable!(Psm, access);

#[cfg(test)]
mod tests;
