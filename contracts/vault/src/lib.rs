//! # Vault — the CDP (one instance per collateral)
//!
//! Collateral is an ERC-4626 yield token whose underlying is the alAsset's
//! reference asset; it is valued at `convertToAssets(shares)` normalised to 18
//! decimals (no price feed). Borrowers mint alAsset against it up to
//! `maxLtvBps`, above `minDebt` and under the global `debtCeiling`.
//!
//! **Two kinds of debt** (Inverse Monolith): each account chooses with
//! `setRedeemable`:
//! * *free* (redeemable) debt pays no interest but is what the Transmuter
//!   earmarks (takes pro rata, with collateral, see [`Vault::earmark`]);
//! * *paid* debt accrues the RateController's rate through a global index
//!   `paidIndex` `[ray]`: an account stores a normalised principal
//!   `ceil(debt / index)` and owes `ceil(principal * index)`.
//!
//! Interest is minted as alAsset to the `treasury`, so that
//! `alAsset minted by the Vault − burned by the Vault ==
//! freeDebt + paidDebt + badDebt + earmarkedDebt − pendingInterest` to the wei.
//!
//! **Earmarking** is O(1) and lazy, like Liquity's stability pool: a global
//! product `P` (`[1e36]`) scales every free account's debt, and per-(epoch,
//! scale) sums `S` record the collateral taken per unit of debt; every account
//! keeps a snapshot and is settled on every touch. Rounding always favours the
//! protocol (accounts keep at least their exact debt and lose at least their
//! exact collateral share), so the sum of account debts never drops below the
//! totals. See the crate README for the invariants and bounds.
//!
//! Call graph (acyclic): `Vault → RateController.update` (which reads the PSM
//! and the TwapOracle), `Vault → AlAsset.mint/burnFrom`, `Vault → ERC-4626`.
//! Views never call the RateController (the TwapOracle calls `totals()`).
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{uint, Address, B256, U256, U64};
use alloy_sol_types::{sol, SolCall, SolEvent};
use stylus_sdk::{
    call::{call, static_call},
    prelude::*,
    storage::{StorageAddress, StorageArray, StorageBool, StorageMap, StorageU256, StorageU64},
    stylus_core::calls::errors::Error as CallError,
};
use suite_common::{
    abi::calldata,
    access::{Access, AccessError, IOwnable},
    errors::{EntryPaused, ZeroAddress, ZeroAmount},
    events::{bool_word, concat, emit, word},
    impl_ownable,
    math::{
        self, MathError, Rounding,
        Rounding::{Down, Up},
        UnsupportedDecimals, BPS, WAD,
    },
};

/// Selectors of the peers' functions (the suite's ABI files, expanded for
/// their constants only: calls are encoded by hand, one word per argument).
mod abi {
    #![allow(missing_docs, clippy::all)]
    suite_common::erc20_abi!(alloy_sol_types::sol);
    suite_common::erc4626_abi!(alloy_sol_types::sol);
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::rate_controller_abi!(alloy_sol_types::sol);
}
use abi::{IAlAsset, IErc20, IErc4626, IRateController};

/// 1.0 in 27-decimal fixed point (the paid-debt index).
pub const RAY: U256 = uint!(1_000_000_000_000_000_000_000_000_000_U256);
/// 1.0 for the earmark product `P` (36 decimals).
pub const P_ONE: U256 = uint!(1_000_000_000_000_000_000_000_000_000_000_000_000_U256);
/// `P` is rescaled (multiplied by [`SCALE_FACTOR`]) when it falls below this.
pub const P_MIN: U256 = uint!(1_000_000_000_000_000_000_U256);
/// Factor of one earmark scale step.
pub const SCALE_FACTOR: U256 = uint!(1_000_000_000_000_000_000_U256);
/// LTV range `[bps]` over which the liquidation bonus rises from 0 to `maxBonusBps`.
pub const BONUS_RAMP_BPS: U256 = uint!(500_U256);

/// Parameter ids of [`Vault::set_parameter`] (and of `ParameterSet` events).
pub mod param {
    /// `maxLtvBps` `[bps]`: borrow / withdraw limit. Default 9,000.
    pub const MAX_LTV_BPS: u8 = 0;
    /// `liquidationLtvBps` `[bps]`: liquidation threshold. Default 9,500.
    pub const LIQUIDATION_LTV_BPS: u8 = 1;
    /// `closeFactorBps` `[bps]`: share of the debt one liquidation may repay. Default 5,000.
    pub const CLOSE_FACTOR_BPS: u8 = 2;
    /// `maxBonusBps` `[bps]`: liquidation bonus at threshold + 500 bps. Default 500.
    pub const MAX_BONUS_BPS: u8 = 3;
    /// `minDebt` `[coin]`: smallest non-zero account debt.
    pub const MIN_DEBT: u8 = 4;
    /// `debtCeiling` `[coin]`: maximum free + paid debt.
    pub const DEBT_CEILING: u8 = 5;
    /// `redemptionFeeBps` `[bps]`: extra collateral taken by an earmark, to the treasury. Default 100.
    pub const REDEMPTION_FEE_BPS: u8 = 6;
}

/// Peer ids of `PeerSet` events.
pub mod peer {
    /// The alAsset.
    pub const AL_ASSET: u8 = 0;
    /// The ERC-4626 collateral.
    pub const COLLATERAL: u8 = 1;
    /// The RateController.
    pub const RATE_CONTROLLER: u8 = 2;
    /// The Transmuter.
    pub const TRANSMUTER: u8 = 3;
    /// The treasury (reserves).
    pub const TREASURY: u8 = 4;
}

/// Largest accepted `maxBonusBps`.
pub const MAX_BONUS_LIMIT_BPS: u64 = 2_000;
/// Largest accepted `redemptionFeeBps`.
pub const REDEMPTION_FEE_LIMIT_BPS: u64 = 1_000;

sol! {
    /// The operation would leave `account` at `ltvBps`, above `maxLtvBps`.
    #[derive(Debug, PartialEq, Eq)]
    error LtvExceeded(address account, uint256 ltvBps, uint256 maxLtvBps);
    /// An account's debt would be `debt`: neither zero nor at least `minDebt`.
    #[derive(Debug, PartialEq, Eq)]
    error DebtBelowMinimum(uint256 debt, uint256 minDebt);
    /// Total debt would be `total`, above the `ceiling`.
    #[derive(Debug, PartialEq, Eq)]
    error DebtCeilingExceeded(uint256 total, uint256 ceiling);
    /// `account` holds `shares`, fewer than the `requested` shares.
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientCollateral(address account, uint256 shares, uint256 requested);
    /// `account` is at `ltvBps`, not above `liquidationLtvBps` (or has no debt).
    #[derive(Debug, PartialEq, Eq)]
    error AccountHealthy(address account, uint256 ltvBps, uint256 liquidationLtvBps);
    /// A liquidation may repay at most `maxRepay` (close factor), not `repayAmount`.
    #[derive(Debug, PartialEq, Eq)]
    error RepayExceedsCloseFactor(uint256 repayAmount, uint256 maxRepay);
    /// `account` has no debt to repay.
    #[derive(Debug, PartialEq, Eq)]
    error NoDebt(address account);
    /// There is no bad debt to cover.
    #[derive(Debug, PartialEq, Eq)]
    error NoBadDebt();
    /// `account` is already in the requested mode.
    #[derive(Debug, PartialEq, Eq)]
    error ModeUnchanged(address account, bool redeemable);
    /// `value` is outside `[min, max]` for `parameter` (see the `param` ids).
    #[derive(Debug, PartialEq, Eq)]
    error ParameterOutOfBounds(uint8 parameter, uint256 value, uint256 min, uint256 max);
    /// No parameter has this id.
    #[derive(Debug, PartialEq, Eq)]
    error UnknownParameter(uint8 parameter);
    /// No peer has this id.
    #[derive(Debug, PartialEq, Eq)]
    error UnknownPeer(uint8 which);
    /// Only the Transmuter may call this; `caller` is not it.
    #[derive(Debug, PartialEq, Eq)]
    error NotTransmuter(address caller);
    /// An earmark of `requested` exceeds the `available` free debt.
    #[derive(Debug, PartialEq, Eq)]
    error InsufficientFreeDebt(uint256 requested, uint256 available);
    /// `token.transfer`/`transferFrom` of `amount` to `to` returned false.
    #[derive(Debug, PartialEq, Eq)]
    error TokenTransferFailed(address token, address to, uint256 amount);
    /// `peer` returned data that does not decode as expected.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidReturnData(address peer);

    /// `sender` deposited `shares` for `account`.
    event Deposit(address indexed sender, address indexed account, uint256 shares);
    /// `account` withdrew `shares` to `recipient`.
    event Withdraw(address indexed account, address indexed recipient, uint256 shares);
    /// `account` borrowed `amount` (minted to `recipient`); its debt is now `debt`.
    event Borrow(address indexed account, address indexed recipient, uint256 amount, uint256 debt);
    /// `payer` repaid `amount` of `account`'s debt; its debt is now `debt`.
    event Repay(address indexed payer, address indexed account, uint256 amount, uint256 debt);
    /// `account` switched to free (`redeemable`) or paid debt, moving `debt`.
    event ModeChanged(address indexed account, bool redeemable, uint256 debt);
    /// `liquidator` repaid `repaid` of `account`'s debt and seized `seizedShares` at `bonusBps`.
    event Liquidate(address indexed account, address indexed liquidator, uint256 repaid, uint256 seizedShares, uint256 bonusBps);
    /// `amount` of `account`'s debt became bad debt; bad debt is now `badDebt`.
    event BadDebtRecorded(address indexed account, uint256 amount, uint256 badDebt);
    /// `payer` burned `amount` against bad debt; bad debt is now `badDebt`.
    event BadDebtCovered(address indexed payer, uint256 amount, uint256 badDebt);
    /// Paid debt grew by `interest` (owed to the treasury); the index is `paidIndexRay`.
    event InterestAccrued(uint256 interest, uint256 paidIndexRay, uint256 ratePerSecondWad);
    /// A parameter (see the `param` ids) was set.
    event ParameterSet(uint8 indexed parameter, uint256 value);
    /// A peer (see the `peer` ids) was wired.
    event PeerSet(uint8 indexed which, address indexed peer);
    /// The guardian paused or the owner unpaused the entry paths.
    event PausedSet(bool paused);
    /// The Transmuter earmarked `amount` of free debt with `earmarkedShares` (+ `feeShares` to the treasury).
    event Earmark(uint256 amount, uint256 earmarkedShares, uint256 feeShares);
    /// `shares` of earmarked collateral went to `to`; `burnAmount` of earmarked debt was burned.
    event EarmarkReleased(address indexed to, uint256 shares, uint256 burnAmount);
    /// `account`'s collateral could not cover its earmarked share by `shares`.
    event EarmarkShortfall(address indexed account, uint256 shares);
}

/// A failure of the Vault: the ABI encoding of one of the custom errors
/// above (raised with [`revert!`]), of a component's error (`MathError`,
/// `AccessError`), or a peer's revert data, which bubbles up unchanged.
///
/// Errors are encoded where they are raised, one word per field, like events
/// (`suite_common::events::emit`): a typed `#[derive(SolidityError)]` enum of
/// 20 errors cost the Vault about 5 KB of WASM (one ABI encoder per error and
/// large `Result`s copied through every `?`).
#[derive(Debug, PartialEq, Eq)]
pub struct VaultError(pub Vec<u8>);

impl VaultError {
    /// `selector || words`.
    pub fn new(selector: [u8; 4], words: &[B256]) -> Self {
        let mut data = selector.to_vec();
        data.extend_from_slice(&concat(words));
        Self(data)
    }
}

impl From<VaultError> for Vec<u8> {
    fn from(err: VaultError) -> Vec<u8> {
        err.0
    }
}

impl From<MathError> for VaultError {
    fn from(err: MathError) -> Self {
        Self(err.into())
    }
}

impl From<AccessError> for VaultError {
    fn from(err: AccessError) -> Self {
        Self(err.into())
    }
}

impl From<CallError> for VaultError {
    fn from(err: CallError) -> Self {
        Self(err.into())
    }
}

/// A one-word error field.
pub trait ToWord {
    /// The field as an ABI word.
    fn to_word(self) -> B256;
}

impl ToWord for U256 {
    fn to_word(self) -> B256 {
        self.into()
    }
}

impl ToWord for Address {
    fn to_word(self) -> B256 {
        self.into_word()
    }
}

impl ToWord for bool {
    fn to_word(self) -> B256 {
        bool_word(self)
    }
}

impl ToWord for u8 {
    fn to_word(self) -> B256 {
        U256::from(self).into()
    }
}

/// Builds a [`VaultError`] from one of the `sol!` errors, written like its
/// struct literal with every field named, in declaration order:
/// `revert!(NoDebt { account: who })`.
#[macro_export]
macro_rules! revert {
    ($err:ident { $($field:ident: $value:expr),* $(,)? }) => {
        $crate::VaultError::new(<$err as alloy_sol_types::SolError>::SELECTOR, &[$($crate::ToWord::to_word($value)),*])
    };
}

/// One borrower's record.
#[storage]
pub struct Account {
    /// Collateral `[shares]` as of the last settlement.
    shares: StorageU256,
    /// Free mode: debt `[coin]` as of the last settlement. Paid mode:
    /// normalised principal `[coin * ray / paidIndex]` (debt = principal * index, rounded up).
    debt: StorageU256,
    /// Free (redeemable) debt when true, paid debt when false (the default).
    redeemable: StorageBool,
    /// Earmark epoch at the last settlement (free mode).
    snap_epoch: StorageU64,
    /// Earmark scale at the last settlement (free mode).
    snap_scale: StorageU64,
    /// Earmark product `P` `[1e36]` at the last settlement (free mode).
    snap_product: StorageU256,
    /// Earmark sum `S[epoch][scale]` `[shares * 1e36 / coin]` at the last settlement (free mode).
    snap_sum: StorageU256,
}

/// Indices of the Vault's global words (`Vault::words`), after the seven
/// parameters (indices 0-6, see [`param`]). Units in each doc.
pub mod word {
    /// `10^(18 - asset decimals)`: converts asset units to `[coin]`.
    pub const ASSET_SCALE: u8 = 7;
    /// `[shares]` collateral held for accounts (earmarked shares excluded).
    pub const TOTAL_SHARES: u8 = 8;
    /// `[coin]` total free (redeemable) debt.
    pub const FREE_DEBT: u8 = 9;
    /// `[coin]` total paid debt, interest included (reconciled with mints).
    pub const PAID_DEBT: u8 = 10;
    /// Sum of the paid accounts' normalised principals `[coin * ray / paidIndex]`.
    pub const PAID_PRINCIPAL: u8 = 11;
    /// `[ray]` paid-debt index (starts at 1.0, only grows).
    pub const PAID_INDEX: u8 = 12;
    /// `[seconds]` time of the last successful accrual.
    pub const LAST_ACCRUAL: u8 = 13;
    /// `[coin]` interest accrued but not yet minted to the treasury (a mint failed).
    pub const PENDING_INTEREST: u8 = 14;
    /// `[coin]` debt left by liquidations that collateral could not cover.
    pub const BAD_DEBT: u8 = 15;
    /// `[shares]` collateral held for the Transmuter.
    pub const EARMARKED_SHARES: u8 = 16;
    /// `[coin]` debt taken by earmarks and not yet reported burned.
    pub const EARMARKED_DEBT: u8 = 17;
    /// `[shares]` earmarked collateral that accounts could not cover (reported).
    pub const EARMARK_SHORTFALL: u8 = 18;
    /// `[1e36]` earmark product `P`: a free account's debt is `d0 * P / P0`.
    pub const EARMARK_PRODUCT: u8 = 19;
    /// Earmark epoch (a new epoch starts when an earmark takes all free debt).
    pub const EARMARK_EPOCH: u8 = 20;
    /// Earmark scale (incremented each time `P` is multiplied by `SCALE_FACTOR`).
    pub const EARMARK_SCALE: u8 = 21;
    /// 1 while the entry paths (deposit, borrow, switch to free debt) are paused.
    pub const PAUSED: u8 = 22;
    /// Number of words.
    pub const COUNT: usize = 23;
}

/// The Vault contract.
///
/// Global scalars live in one array of words (indices in [`param`] and
/// [`word`], with units): each typed storage field costs ~170 bytes of WASM
/// in the generated constructor, and the Vault must fit Stylus' 24 KB.
#[entrypoint]
#[storage]
pub struct Vault {
    access: Access,
    /// Peers by [`peer`] id: alAsset, ERC-4626 collateral, RateController
    /// (zero: no interest), Transmuter (zero: no earmarks), treasury.
    peers: StorageArray<StorageAddress, 5>,
    /// Parameters and global state, see [`param`] and [`word`].
    words: StorageArray<StorageU256, { word::COUNT }>,
    accounts: StorageMap<Address, Account>,
    /// `S[epoch << 64 | scale]` `[shares * 1e36 / coin]`: collateral taken per unit of free debt.
    earmark_sums: StorageMap<U256, StorageU256>,
}

/// An account as of now (pending earmarks settled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Collateral `[shares]`.
    pub shares: U256,
    /// Debt `[coin]`.
    pub debt: U256,
    /// Free (redeemable) debt.
    pub redeemable: bool,
}

fn sum_key(epoch: u64, scale: u64) -> U256 {
    U256::from_limbs([scale, epoch, 0, 0])
}

// Checked arithmetic failing with the encoded `MathError` (one conversion
// here instead of one at every `?`, which keeps the WASM small).

/// `a * b / d` rounded as asked (512-bit intermediate), see `suite_common::math::mul_div`.
#[inline(never)]
fn mul_div(a: U256, b: U256, d: U256, rounding: Rounding) -> Result<U256, VaultError> {
    Ok(math::mul_div(a, b, d, rounding)?)
}

/// `amount * bps / 10_000`.
fn bps_mul(amount: U256, bps: U256, rounding: Rounding) -> Result<U256, VaultError> {
    mul_div(amount, bps, BPS, rounding)
}

/// `a * b`, or `MulDivOverflow`.
fn mul(a: U256, b: U256) -> Result<U256, VaultError> {
    mul_div(a, b, U256::from(1), Down)
}

/// `a + b`, or `ArithmeticOverflow`.
#[inline(never)]
fn add(a: U256, b: U256) -> Result<U256, VaultError> {
    Ok(math::add(a, b)?)
}

/// `a - b`, or `ArithmeticUnderflow`.
#[inline(never)]
fn sub(a: U256, b: U256) -> Result<U256, VaultError> {
    Ok(math::sub(a, b)?)
}

/// `ceil(debt * 10_000 / value)`; zero without debt, `U256::MAX` without collateral.
fn ltv_bps(debt: U256, value: U256) -> Result<U256, VaultError> {
    if debt.is_zero() {
        Ok(U256::ZERO)
    } else if value.is_zero() {
        Ok(U256::MAX)
    } else {
        mul_div(debt, BPS, value, Up)
    }
}

#[public]
#[implements(IOwnable)]
impl Vault {
    /// Wires the alAsset, the ERC-4626 collateral and the treasury, reads the
    /// collateral's asset decimals, and sets the default parameters
    /// (max LTV 9,000, liquidation LTV 9,500, close factor 5,000, max bonus
    /// 500, redemption fee 100 bps) with the given `debt_ceiling` and
    /// `min_debt` `[coin]`.
    ///
    /// # Errors
    /// `OwnableInvalidOwner`, `ZeroAddress`, `UnsupportedDecimals` (> 18),
    /// the collateral's / asset's revert.
    #[constructor]
    pub fn constructor(
        &mut self,
        owner: Address,
        al_asset: Address,
        collateral: Address,
        treasury: Address,
        debt_ceiling: U256,
        min_debt: U256,
    ) -> Result<(), VaultError> {
        self.access.init(owner)?;
        if al_asset.is_zero() || collateral.is_zero() || treasury.is_zero() {
            return Err(revert!(ZeroAddress {}));
        }
        let asset = self.view_word(collateral, IErc4626::assetCall::SELECTOR, &[])?;
        let asset = Address::from_word(asset.into());
        let decimals = self.view_word(asset, IErc20::decimalsCall::SELECTOR, &[])?;
        if decimals > U256::from(18) {
            return Err(MathError::UnsupportedDecimals(UnsupportedDecimals {
                decimals: decimals.saturating_to(),
            })
            .into());
        }
        // 10^(18 - decimals) < 2^64.
        self.put(
            word::ASSET_SCALE,
            U256::from(10u64.pow(18 - decimals.to::<u32>())),
        );
        for (which, address) in [
            (peer::AL_ASSET, al_asset),
            (peer::COLLATERAL, collateral),
            (peer::TREASURY, treasury),
        ] {
            if let Some(mut slot) = self.peers.setter(which) {
                slot.set(address);
            }
            emit(
                self.vm(),
                &[
                    PeerSet::SIGNATURE_HASH,
                    U256::from(which).into(),
                    word(address),
                ],
                &[],
            );
        }
        self.put(word::PAID_INDEX, RAY);
        self.put(word::EARMARK_PRODUCT, P_ONE);
        self.put(word::LAST_ACCRUAL, U256::from(self.vm().block_timestamp()));
        for (id, value) in [
            (param::LIQUIDATION_LTV_BPS, U256::from(9_500)),
            (param::MAX_LTV_BPS, U256::from(9_000)),
            (param::CLOSE_FACTOR_BPS, U256::from(5_000)),
            (param::MAX_BONUS_BPS, U256::from(500)),
            (param::REDEMPTION_FEE_BPS, U256::from(100)),
            (param::DEBT_CEILING, debt_ceiling),
            (param::MIN_DEBT, min_debt),
        ] {
            self.write_parameter(id, value)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Borrower entry points
    // ------------------------------------------------------------------

    /// Deposits `shares` of collateral (pulled from the caller, who approved
    /// the Vault) into `recipient`'s account. Paused by the guardian.
    ///
    /// # Errors
    /// `EntryPaused`, `ZeroAmount`, `ZeroAddress`, the collateral's revert or
    /// `TokenTransferFailed`, the RateController's revert.
    ///
    /// # Events
    /// `Deposit`.
    pub fn deposit(&mut self, shares: U256, recipient: Address) -> Result<(), VaultError> {
        self.not_paused()?;
        non_zero(shares, recipient)?;
        self.accrue_internal(true)?;
        let position = self.settle(recipient)?;
        self.accounts
            .setter(recipient)
            .shares
            .set(add(position.shares, shares)?);
        self.put(
            word::TOTAL_SHARES,
            add(self.word(word::TOTAL_SHARES), shares)?,
        );
        let sender = self.vm().msg_sender();
        let collateral = self.peer(peer::COLLATERAL);
        let this = self.vm().contract_address();
        let data = self.call_peer(
            collateral,
            IErc4626::transferFromCall::SELECTOR,
            &[word(sender), word(this), shares.into()],
        )?;
        check_transfer(&data, collateral, this, shares)?;
        emit(
            self.vm(),
            &[Deposit::SIGNATURE_HASH, word(sender), word(recipient)],
            &[shares.into()],
        );
        Ok(())
    }

    /// Withdraws `shares` of the caller's collateral to `recipient`, as long
    /// as the account stays at or under `maxLtvBps`. Never paused.
    ///
    /// # Errors
    /// `ZeroAmount`, `ZeroAddress`, `InsufficientCollateral`, `LtvExceeded`,
    /// the collateral's revert or `TokenTransferFailed`.
    ///
    /// # Events
    /// `Withdraw`.
    pub fn withdraw(&mut self, shares: U256, recipient: Address) -> Result<(), VaultError> {
        non_zero(shares, recipient)?;
        self.accrue_internal(false)?;
        let account = self.vm().msg_sender();
        let position = self.settle(account)?;
        if shares > position.shares {
            return Err(revert!(InsufficientCollateral {
                account: account,
                shares: position.shares,
                requested: shares
            }));
        }
        let remaining = position.shares - shares;
        if !position.debt.is_zero() {
            let ltv = ltv_bps(position.debt, self.value(remaining)?)?;
            self.check_ltv(account, ltv)?;
        }
        self.accounts.setter(account).shares.set(remaining);
        self.put(
            word::TOTAL_SHARES,
            sub(self.word(word::TOTAL_SHARES), shares)?,
        );
        self.send_collateral(recipient, shares)?;
        emit(
            self.vm(),
            &[Withdraw::SIGNATURE_HASH, word(account), word(recipient)],
            &[shares.into()],
        );
        Ok(())
    }

    /// Mints `amount` of alAsset to `recipient` against the caller's
    /// collateral. The account's debt must stay at or above `minDebt`, its
    /// LTV at or under `maxLtvBps`, and free + paid debt under `debtCeiling`.
    /// Paused by the guardian.
    ///
    /// # Errors
    /// `EntryPaused`, `ZeroAmount`, `ZeroAddress`, `DebtBelowMinimum`,
    /// `DebtCeilingExceeded`, `LtvExceeded`, the alAsset's revert (minter
    /// ceiling or pause), the RateController's revert.
    ///
    /// # Events
    /// `Borrow` (and the alAsset's `Transfer`, `MinterMinted`).
    pub fn borrow(&mut self, amount: U256, recipient: Address) -> Result<(), VaultError> {
        self.not_paused()?;
        non_zero(amount, recipient)?;
        self.accrue_internal(true)?;
        let account = self.vm().msg_sender();
        let position = self.settle(account)?;
        let debt = add(position.debt, amount)?;
        let min_debt = self.word(param::MIN_DEBT);
        if debt < min_debt {
            return Err(revert!(DebtBelowMinimum {
                debt: debt,
                minDebt: min_debt
            }));
        }
        let total = add(
            add(self.word(word::FREE_DEBT), self.word(word::PAID_DEBT))?,
            amount,
        )?;
        let ceiling = self.word(param::DEBT_CEILING);
        if total > ceiling {
            return Err(revert!(DebtCeilingExceeded {
                total: total,
                ceiling: ceiling
            }));
        }
        let ltv = ltv_bps(debt, self.value(position.shares)?)?;
        self.check_ltv(account, ltv)?;
        self.set_debt(account, position.redeemable, position.debt, debt)?;
        let al_asset = self.peer(peer::AL_ASSET);
        self.call_peer(
            al_asset,
            IAlAsset::mintCall::SELECTOR,
            &[word(recipient), amount.into()],
        )?;
        emit(
            self.vm(),
            &[Borrow::SIGNATURE_HASH, word(account), word(recipient)],
            &[amount.into(), debt.into()],
        );
        Ok(())
    }

    /// Repays up to `amount` of `account`'s debt by burning the caller's
    /// alAsset (the caller approves the Vault); anyone may repay for anyone,
    /// 1 alAsset cancels 1 debt, and more than the debt repays the debt only.
    /// The remaining debt must be zero or at least `minDebt`. Never paused.
    ///
    /// # Errors
    /// `ZeroAmount`, `NoDebt`, `DebtBelowMinimum`, the alAsset's revert
    /// (allowance, balance).
    ///
    /// # Events
    /// `Repay` (and the alAsset's `Transfer`, `MinterBurned`).
    pub fn repay(&mut self, amount: U256, account: Address) -> Result<(), VaultError> {
        non_zero(amount, account)?;
        self.accrue_internal(false)?;
        let position = self.settle(account)?;
        if position.debt.is_zero() {
            return Err(revert!(NoDebt { account: account }));
        }
        let paid = amount.min(position.debt);
        let debt = position.debt - paid;
        let min_debt = self.word(param::MIN_DEBT);
        if !debt.is_zero() && debt < min_debt {
            return Err(revert!(DebtBelowMinimum {
                debt: debt,
                minDebt: min_debt
            }));
        }
        self.set_debt(account, position.redeemable, position.debt, debt)?;
        let payer = self.vm().msg_sender();
        self.burn_from(payer, paid)?;
        emit(
            self.vm(),
            &[Repay::SIGNATURE_HASH, word(payer), word(account)],
            &[paid.into(), debt.into()],
        );
        Ok(())
    }

    /// Switches the caller's debt to free (`redeemable`: no interest, can be
    /// earmarked by the Transmuter) or to paid (accrues the borrow rate,
    /// never earmarked), moving its current debt between the pools. While
    /// paused only the switch to paid is allowed.
    ///
    /// # Errors
    /// `EntryPaused` (switch to free while paused), `ModeUnchanged`.
    ///
    /// # Events
    /// `ModeChanged`.
    pub fn set_redeemable(&mut self, redeemable: bool) -> Result<(), VaultError> {
        if redeemable {
            self.not_paused()?;
        }
        self.accrue_internal(redeemable)?;
        let account = self.vm().msg_sender();
        let position = self.settle(account)?;
        if position.redeemable == redeemable {
            return Err(revert!(ModeUnchanged {
                account: account,
                redeemable: redeemable
            }));
        }
        self.set_debt(account, position.redeemable, position.debt, U256::ZERO)?;
        self.accounts.setter(account).redeemable.set(redeemable);
        if redeemable {
            self.snapshot(account);
        }
        self.set_debt(account, redeemable, U256::ZERO, position.debt)?;
        emit(
            self.vm(),
            &[ModeChanged::SIGNATURE_HASH, word(account)],
            &[bool_word(redeemable), position.debt.into()],
        );
        Ok(())
    }

    /// Liquidates `account` when its LTV is above `liquidationLtvBps`: the
    /// caller repays up to `repayAmount` (burned from the caller) and
    /// receives collateral worth `repay * (1 + bonus)`, the bonus rising
    /// linearly from 0 at the threshold to `maxBonusBps` at threshold + 500
    /// bps. At most `closeFactorBps` of the debt can be repaid, unless the
    /// collateral cannot cover debt plus bonus: then any amount can, and a
    /// repayment whose seizure would reach all the collateral takes all of it
    /// for `collateral / (1 + bonus)`; the rest of the debt becomes `badDebt`
    /// and the account is cleared. Never paused.
    ///
    /// # Errors
    /// `ZeroAmount`, `AccountHealthy`, `RepayExceedsCloseFactor`, the
    /// alAsset's revert (allowance, balance), the collateral's revert.
    ///
    /// # Events
    /// `Liquidate`, `BadDebtRecorded`.
    pub fn liquidate(&mut self, account: Address, repay_amount: U256) -> Result<(), VaultError> {
        non_zero(repay_amount, account)?;
        self.accrue_internal(false)?;
        let position = self.settle(account)?;
        let value = self.value(position.shares)?;
        let ltv = ltv_bps(position.debt, value)?;
        let threshold = self.word(param::LIQUIDATION_LTV_BPS);
        if position.debt.is_zero() || ltv <= threshold {
            return Err(revert!(AccountHealthy {
                account: account,
                ltvBps: ltv,
                liquidationLtvBps: threshold
            }));
        }
        // ltv > threshold here, so the subtraction cannot underflow.
        let bonus = mul_div(
            self.word(param::MAX_BONUS_BPS),
            (ltv - threshold).min(BONUS_RAMP_BPS),
            BONUS_RAMP_BPS,
            Down,
        )?;
        let premium = add(BPS, bonus)?;
        let mut repay = repay_amount.min(position.debt);
        let mut bad = U256::ZERO;
        // Collateral covers debt + bonus: the close factor applies.
        let covered = bps_mul(position.debt, premium, Up)? < value;
        let max_repay = bps_mul(position.debt, self.word(param::CLOSE_FACTOR_BPS), Up)?;
        if covered && repay > max_repay {
            return Err(revert!(RepayExceedsCloseFactor {
                repayAmount: repay,
                maxRepay: max_repay
            }));
        }
        let seized_value = bps_mul(repay, premium, Down)?;
        let seize;
        if seized_value < value {
            seize = mul_div(position.shares, seized_value, value, Down)?;
        } else {
            // Take everything; what the collateral cannot cover is bad debt.
            repay = mul_div(value, BPS, premium, Up)?.min(position.debt);
            seize = position.shares;
            bad = position.debt - repay;
        }
        let debt = sub(sub(position.debt, repay)?, bad)?;
        self.set_debt(account, position.redeemable, position.debt, debt)?;
        self.accounts
            .setter(account)
            .shares
            .set(sub(position.shares, seize)?);
        self.put(
            word::TOTAL_SHARES,
            sub(self.word(word::TOTAL_SHARES), seize)?,
        );
        let liquidator = self.vm().msg_sender();
        if !bad.is_zero() {
            let total = add(self.word(word::BAD_DEBT), bad)?;
            self.put(word::BAD_DEBT, total);
            emit(
                self.vm(),
                &[BadDebtRecorded::SIGNATURE_HASH, word(account)],
                &[bad.into(), total.into()],
            );
        }
        if !repay.is_zero() {
            self.burn_from(liquidator, repay)?;
        }
        if !seize.is_zero() {
            self.send_collateral(liquidator, seize)?;
        }
        emit(
            self.vm(),
            &[Liquidate::SIGNATURE_HASH, word(account), word(liquidator)],
            &[repay.into(), seize.into(), bonus.into()],
        );
        Ok(())
    }

    /// Burns up to `amount` of the caller's alAsset against `badDebt` (the
    /// operator covers it from the treasury). Never paused.
    ///
    /// # Errors
    /// `ZeroAmount`, `NoBadDebt`, the alAsset's revert.
    ///
    /// # Events
    /// `BadDebtCovered`.
    pub fn cover_bad_debt(&mut self, amount: U256) -> Result<(), VaultError> {
        if amount.is_zero() {
            return Err(revert!(ZeroAmount {}));
        }
        self.accrue_internal(false)?;
        let bad = self.word(word::BAD_DEBT);
        if bad.is_zero() {
            return Err(revert!(NoBadDebt {}));
        }
        let paid = amount.min(bad);
        let remaining = bad - paid;
        self.put(word::BAD_DEBT, remaining);
        let payer = self.vm().msg_sender();
        self.burn_from(payer, paid)?;
        emit(
            self.vm(),
            &[BadDebtCovered::SIGNATURE_HASH, word(payer)],
            &[paid.into(), remaining.into()],
        );
        Ok(())
    }

    /// Accrues paid-debt interest: asks the RateController for the accrued
    /// factor since the last accrual (passing the totals), grows the index,
    /// and mints the interest to the treasury. Also run at the start of every
    /// mutating entry (exit paths tolerate a failing controller and retry
    /// later; a failed interest mint stays pending and is retried).
    ///
    /// # Errors
    /// The RateController's revert.
    ///
    /// # Events
    /// `InterestAccrued`.
    pub fn accrue(&mut self) -> Result<(), VaultError> {
        self.accrue_internal(true)
    }

    // ------------------------------------------------------------------
    // Transmuter hooks
    // ------------------------------------------------------------------

    /// Takes `amount` of free debt pro rata from every redeemable account,
    /// with collateral worth `amount * (1 + redemptionFeeBps)` also pro rata
    /// to their debt; shares worth `amount` are held for the Transmuter
    /// (returned), the fee shares go to the treasury. O(1): accounts settle
    /// lazily. Transmuter only.
    ///
    /// # Errors
    /// `NotTransmuter`, `ZeroAmount`, `InsufficientFreeDebt`,
    /// `InsufficientCollateral` (the Vault's own shares), the collateral's revert.
    ///
    /// # Events
    /// `Earmark`.
    pub fn earmark(&mut self, amount: U256) -> Result<U256, VaultError> {
        self.only_transmuter()?;
        if amount.is_zero() {
            return Err(revert!(ZeroAmount {}));
        }
        self.accrue_internal(false)?;
        let free = self.word(word::FREE_DEBT);
        if amount > free {
            return Err(revert!(InsufficientFreeDebt {
                requested: amount,
                available: free
            }));
        }
        let earmarked = self.shares_for(amount)?;
        let taken = self
            .shares_for(bps_mul(
                amount,
                add(BPS, self.word(param::REDEMPTION_FEE_BPS))?,
                Up,
            )?)?
            .max(earmarked);
        let held = self.word(word::TOTAL_SHARES);
        if taken > held {
            let account = self.vm().contract_address();
            return Err(revert!(InsufficientCollateral {
                account: account,
                shares: held,
                requested: taken
            }));
        }
        let (epoch, scale, product) = self.earmark_point();
        let key = sum_key(epoch, scale);
        let sum = add(
            self.earmark_sums.get(key),
            mul_div(taken, product, free, Up)?,
        )?;
        self.earmark_sums.setter(key).set(sum);
        if amount == free {
            // The whole pool is consumed: every free account is cleared.
            self.put(word::EARMARK_EPOCH, U256::from(epoch + 1));
            self.put(word::EARMARK_SCALE, U256::ZERO);
            self.put(word::EARMARK_PRODUCT, P_ONE);
        } else {
            // P' = ceil(P * (free - amount) / free), rescaled to keep precision.
            let left = free - amount;
            let mut factor = U256::from(1);
            let mut steps = 0u64;
            let mut next = mul_div(product, left, free, Up)?;
            while next < P_MIN && steps < 2 {
                factor = mul(factor, SCALE_FACTOR)?;
                steps += 1;
                next = mul_div(product, mul(left, factor)?, free, Up)?;
            }
            self.put(word::EARMARK_SCALE, U256::from(scale + steps));
            self.put(word::EARMARK_PRODUCT, next);
        }
        self.put(word::FREE_DEBT, free - amount);
        self.put(word::TOTAL_SHARES, held - taken);
        self.put(
            word::EARMARKED_SHARES,
            add(self.word(word::EARMARKED_SHARES), earmarked)?,
        );
        self.put(
            word::EARMARKED_DEBT,
            add(self.word(word::EARMARKED_DEBT), amount)?,
        );
        let fee = taken - earmarked;
        if !fee.is_zero() {
            let treasury = self.peer(peer::TREASURY);
            self.send_collateral(treasury, fee)?;
        }
        emit(
            self.vm(),
            &[Earmark::SIGNATURE_HASH],
            &[amount.into(), earmarked.into(), fee.into()],
        );
        Ok(earmarked)
    }

    /// Sends up to `shares` of earmarked collateral to `to` and records that
    /// `burn_amount` of earmarked debt was burned by the Transmuter
    /// (accounting only: the Transmuter burns the alAsset it holds). Returns
    /// the shares sent: fewer than asked only after an earmark shortfall
    /// (`EarmarkShortfall`: a free account above ~99% LTV could not pay its
    /// share), which the claim then reports as a haircut instead of
    /// reverting. Transmuter only; never paused.
    ///
    /// # Errors
    /// `NotTransmuter`, `ZeroAddress`, the collateral's revert.
    ///
    /// # Events
    /// `EarmarkReleased`.
    pub fn release_earmarked(
        &mut self,
        shares: U256,
        to: Address,
        burn_amount: U256,
    ) -> Result<U256, VaultError> {
        self.only_transmuter()?;
        if to.is_zero() {
            return Err(revert!(ZeroAddress {}));
        }
        let available = self.word(word::EARMARKED_SHARES);
        let shares = shares.min(available);
        self.put(word::EARMARKED_SHARES, available - shares);
        self.put(
            word::EARMARKED_DEBT,
            self.word(word::EARMARKED_DEBT).saturating_sub(burn_amount),
        );
        if !shares.is_zero() {
            self.send_collateral(to, shares)?;
        }
        emit(
            self.vm(),
            &[EarmarkReleased::SIGNATURE_HASH, word(to)],
            &[shares.into(), burn_amount.into()],
        );
        Ok(shares)
    }

    // ------------------------------------------------------------------
    // Owner and guardian
    // ------------------------------------------------------------------

    /// Wires peer `which` (a [`peer`] id) once (owner only): the
    /// RateController (until then, no interest) and the Transmuter (until
    /// then, no earmarks); the others are wired by the constructor.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ZeroAddress`, `PeerAlreadySet`, `UnknownPeer`.
    ///
    /// # Events
    /// `PeerSet`.
    pub fn set_peer(&mut self, which: u8, peer: Address) -> Result<(), VaultError> {
        match self.peers.setter(which) {
            Some(mut slot) => self.access.set_once(&mut slot, peer)?,
            None => return Err(revert!(UnknownPeer { which: which })),
        }
        if which == peer::RATE_CONTROLLER {
            self.put(word::LAST_ACCRUAL, U256::from(self.vm().block_timestamp()));
        }
        emit(
            self.vm(),
            &[
                PeerSet::SIGNATURE_HASH,
                U256::from(which).into(),
                word(peer),
            ],
            &[],
        );
        Ok(())
    }

    /// Sets a parameter (owner only; ids in `param`). Bounds:
    /// `0 < maxLtvBps < liquidationLtvBps < 10,000`; `0 < closeFactorBps ≤ 10,000`;
    /// `maxBonusBps ≤ 2,000`; `redemptionFeeBps ≤ 1,000`; `minDebt` and
    /// `debtCeiling` free (lowering the ceiling only stops new borrows).
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `ParameterOutOfBounds`, `UnknownParameter`.
    ///
    /// # Events
    /// `ParameterSet`.
    pub fn set_parameter(&mut self, parameter: u8, value: U256) -> Result<(), VaultError> {
        self.access.only_owner()?;
        self.write_parameter(parameter, value)
    }

    /// Pauses (guardian or owner) or unpauses (owner only) the entry paths:
    /// `deposit`, `borrow`, `setRedeemable(true)`. Exits never pause.
    ///
    /// # Errors
    /// `GuardianUnauthorizedAccount` / `OwnableUnauthorizedAccount`.
    ///
    /// # Events
    /// `PausedSet`.
    pub fn set_paused(&mut self, paused: bool) -> Result<(), VaultError> {
        if paused {
            self.access.only_guardian()?;
        } else {
            self.access.only_owner()?;
        }
        self.put(word::PAUSED, U256::from(paused as u8));
        emit(
            self.vm(),
            &[PausedSet::SIGNATURE_HASH],
            &[bool_word(paused)],
        );
        Ok(())
    }

    // ------------------------------------------------------------------
    // Views (state as of the last accrual; they never call the RateController)
    // ------------------------------------------------------------------

    /// `(shares, collateralValue [coin], debt [coin], redeemable, ltvBps,
    /// maxBorrowable [coin])` of `account`, pending earmarks settled.
    /// `ltvBps` is `U256::MAX` for debt without collateral value;
    /// `maxBorrowable` is bounded by `maxLtvBps` and the debt ceiling.
    ///
    /// # Errors
    /// The collateral's revert.
    pub fn account_of(
        &self,
        account: Address,
    ) -> Result<(U256, U256, U256, bool, U256, U256), VaultError> {
        let (position, _) = self.position(account)?;
        let value = self.value(position.shares)?;
        let by_ltv =
            bps_mul(value, self.word(param::MAX_LTV_BPS), Down)?.saturating_sub(position.debt);
        let total = add(self.word(word::FREE_DEBT), self.word(word::PAID_DEBT))?;
        let by_ceiling = self.word(param::DEBT_CEILING).saturating_sub(total);
        Ok((
            position.shares,
            value,
            position.debt,
            position.redeemable,
            ltv_bps(position.debt, value)?,
            by_ltv.min(by_ceiling),
        ))
    }

    /// `(collateralValue [coin] of the accounts' shares, freeDebt [coin],
    /// paidDebt [coin], earmarkedShares [shares], badDebt [coin])`.
    ///
    /// # Errors
    /// The collateral's revert.
    pub fn totals(&self) -> Result<(U256, U256, U256, U256, U256), VaultError> {
        Ok((
            self.value(self.word(word::TOTAL_SHARES))?,
            self.word(word::FREE_DEBT),
            self.word(word::PAID_DEBT),
            self.word(word::EARMARKED_SHARES),
            self.word(word::BAD_DEBT),
        ))
    }

    /// `collateralValue * liquidationLtvBps / debt` `[wad]`: below 1.0 the
    /// account can be liquidated; `U256::MAX` without debt.
    ///
    /// # Errors
    /// The collateral's revert.
    pub fn health_factor(&self, account: Address) -> Result<U256, VaultError> {
        let (position, _) = self.position(account)?;
        if position.debt.is_zero() {
            return Ok(U256::MAX);
        }
        let value = self.value(position.shares)?;
        mul_div(
            bps_mul(value, self.word(param::LIQUIDATION_LTV_BPS), Down)?,
            WAD,
            position.debt,
            Down,
        )
    }

    /// `(maxLtvBps, liquidationLtvBps, closeFactorBps, maxBonusBps, minDebt,
    /// debtCeiling, redemptionFeeBps)`.
    pub fn parameters(&self) -> (U256, U256, U256, U256, U256, U256, U256) {
        (
            self.word(param::MAX_LTV_BPS),
            self.word(param::LIQUIDATION_LTV_BPS),
            self.word(param::CLOSE_FACTOR_BPS),
            self.word(param::MAX_BONUS_BPS),
            self.word(param::MIN_DEBT),
            self.word(param::DEBT_CEILING),
            self.word(param::REDEMPTION_FEE_BPS),
        )
    }

    /// `(alAsset, collateral, rateController, transmuter, treasury)`.
    pub fn peers(&self) -> (Address, Address, Address, Address, Address) {
        (
            self.peer(peer::AL_ASSET),
            self.peer(peer::COLLATERAL),
            self.peer(peer::RATE_CONTROLLER),
            self.peer(peer::TRANSMUTER),
            self.peer(peer::TREASURY),
        )
    }

    /// Whether the entry paths are paused.
    pub fn paused(&self) -> bool {
        !self.word(word::PAUSED).is_zero()
    }

    /// Accrual and earmarking state: `(paidIndex [ray], paidPrincipal,
    /// lastAccrual [seconds], pendingInterest [coin], earmarkedDebt [coin],
    /// earmarkShortfall [shares], earmarkProduct [1e36], earmarkEpoch,
    /// earmarkScale)`.
    #[allow(clippy::type_complexity)]
    pub fn state(&self) -> (U256, U256, U256, U256, U256, U256, U256, U256, U256) {
        let w = |index| self.word(index);
        (
            w(word::PAID_INDEX),
            w(word::PAID_PRINCIPAL),
            w(word::LAST_ACCRUAL),
            w(word::PENDING_INTEREST),
            w(word::EARMARKED_DEBT),
            w(word::EARMARK_SHORTFALL),
            w(word::EARMARK_PRODUCT),
            w(word::EARMARK_EPOCH),
            w(word::EARMARK_SCALE),
        )
    }
}

impl Vault {
    /// Global word `index` (a [`param`] or [`word`] index).
    #[inline(never)]
    fn word(&self, index: u8) -> U256 {
        self.words.get(index).unwrap_or_default()
    }

    /// Sets global word `index`.
    #[inline(never)]
    fn put(&mut self, index: u8, value: U256) {
        if let Some(mut slot) = self.words.setter(index) {
            slot.set(value);
        }
    }

    /// Peer `which` (a [`peer`] id).
    #[inline(never)]
    fn peer(&self, which: u8) -> Address {
        self.peers.get(which).unwrap_or_default()
    }

    /// `(epoch, scale, product)` of the earmark pool now.
    fn earmark_point(&self) -> (u64, u64, U256) {
        (
            self.word(word::EARMARK_EPOCH).saturating_to(),
            self.word(word::EARMARK_SCALE).saturating_to(),
            self.word(word::EARMARK_PRODUCT),
        )
    }

    fn not_paused(&self) -> Result<(), VaultError> {
        if self.paused() {
            return Err(revert!(EntryPaused {}));
        }
        Ok(())
    }

    fn only_transmuter(&self) -> Result<(), VaultError> {
        let caller = self.vm().msg_sender();
        if caller.is_zero() || caller != self.peer(peer::TRANSMUTER) {
            return Err(revert!(NotTransmuter { caller: caller }));
        }
        Ok(())
    }

    fn check_ltv(&self, account: Address, ltv: U256) -> Result<(), VaultError> {
        let max = self.word(param::MAX_LTV_BPS);
        if ltv > max {
            return Err(revert!(LtvExceeded {
                account: account,
                ltvBps: ltv,
                maxLtvBps: max
            }));
        }
        Ok(())
    }

    fn write_parameter(&mut self, parameter: u8, value: U256) -> Result<(), VaultError> {
        let (min, max) = match parameter {
            param::MAX_LTV_BPS => (
                U256::from(1),
                self.word(param::LIQUIDATION_LTV_BPS)
                    .saturating_sub(U256::from(1)),
            ),
            param::LIQUIDATION_LTV_BPS => (
                add(self.word(param::MAX_LTV_BPS), U256::from(1))?,
                BPS - U256::from(1),
            ),
            param::CLOSE_FACTOR_BPS => (U256::from(1), BPS),
            param::MAX_BONUS_BPS => (U256::ZERO, U256::from(MAX_BONUS_LIMIT_BPS)),
            param::REDEMPTION_FEE_BPS => (U256::ZERO, U256::from(REDEMPTION_FEE_LIMIT_BPS)),
            param::MIN_DEBT | param::DEBT_CEILING => (U256::ZERO, U256::MAX),
            _ => {
                return Err(revert!(UnknownParameter {
                    parameter: parameter
                }))
            }
        };
        if value < min || value > max {
            return Err(revert!(ParameterOutOfBounds {
                parameter: parameter,
                value: value,
                min: min,
                max: max
            }));
        }
        self.put(parameter, value);
        emit(
            self.vm(),
            &[ParameterSet::SIGNATURE_HASH, U256::from(parameter).into()],
            &[value.into()],
        );
        Ok(())
    }

    /// Collateral value `[coin]` of `shares` (ERC-4626 `convertToAssets`, rounded down).
    fn value(&self, shares: U256) -> Result<U256, VaultError> {
        if shares.is_zero() {
            return Ok(U256::ZERO);
        }
        let assets = self.view_word(
            self.peer(peer::COLLATERAL),
            IErc4626::convertToAssetsCall::SELECTOR,
            &[shares.into()],
        )?;
        mul(assets, self.word(word::ASSET_SCALE))
    }

    /// Shares worth at least `coin` (ERC-4626 `previewWithdraw`, rounded up).
    fn shares_for(&self, coin: U256) -> Result<U256, VaultError> {
        let assets = mul_div(coin, U256::from(1), self.word(word::ASSET_SCALE), Up)?;
        self.view_word(
            self.peer(peer::COLLATERAL),
            IErc4626::previewWithdrawCall::SELECTOR,
            &[assets.into()],
        )
    }

    fn send_collateral(&mut self, to: Address, shares: U256) -> Result<(), VaultError> {
        let collateral = self.peer(peer::COLLATERAL);
        let data = self.call_peer(
            collateral,
            IErc4626::transferCall::SELECTOR,
            &[word(to), shares.into()],
        )?;
        check_transfer(&data, collateral, to, shares)
    }

    fn burn_from(&mut self, from: Address, amount: U256) -> Result<(), VaultError> {
        let al_asset = self.peer(peer::AL_ASSET);
        self.call_peer(
            al_asset,
            IAlAsset::burnFromCall::SELECTOR,
            &[word(from), amount.into()],
        )?;
        Ok(())
    }

    /// Calls `to` with `selector` and one-word `args` (mutating).
    fn call_peer(
        &mut self,
        to: Address,
        selector: [u8; 4],
        args: &[B256],
    ) -> Result<Vec<u8>, CallError> {
        let data = calldata(selector, args);
        let context = Call::new_mutating(self);
        call(self.vm(), context, to, &data)
    }

    /// Static-calls `to` with `selector` and one-word `args`; returns the first word.
    fn view_word(&self, to: Address, selector: [u8; 4], args: &[B256]) -> Result<U256, VaultError> {
        let data = static_call(self.vm(), Call::new(), to, &calldata(selector, args))?;
        return_word(&data, 0, to)
    }

    /// Accrues interest. `strict`: a failing RateController reverts (entry
    /// paths); otherwise the accrual is skipped and retried later (exits).
    fn accrue_internal(&mut self, strict: bool) -> Result<(), VaultError> {
        let now = self.vm().block_timestamp();
        let mut index = self.word(word::PAID_INDEX);
        let mut rate = U256::ZERO;
        if U256::from(now) > self.word(word::LAST_ACCRUAL) {
            let controller = self.peer(peer::RATE_CONTROLLER);
            if controller.is_zero() {
                self.put(word::LAST_ACCRUAL, U256::from(now));
            } else {
                let (free, paid) = (self.word(word::FREE_DEBT), self.word(word::PAID_DEBT));
                let result = self
                    .call_peer(
                        controller,
                        IRateController::updateCall::SELECTOR,
                        &[free.into(), paid.into()],
                    )
                    .map_err(VaultError::from)
                    .and_then(|data| {
                        Ok((
                            return_word(&data, 0, controller)?,
                            return_word(&data, 1, controller)?,
                        ))
                    });
                match result {
                    Ok((rate_per_second, factor)) => {
                        rate = rate_per_second;
                        if factor > WAD {
                            index = mul_div(index, factor, WAD, Up)?;
                            self.put(word::PAID_INDEX, index);
                        }
                        self.put(word::LAST_ACCRUAL, U256::from(now));
                    }
                    Err(err) if strict => return Err(err),
                    Err(_) => {}
                }
            }
        }
        // Paid total follows the principal at the index (rounded up); it only
        // grows here, and the growth (interest and rounding dust) is owed to
        // the treasury.
        let target = mul_div(self.word(word::PAID_PRINCIPAL), index, RAY, Up)?;
        let paid = self.word(word::PAID_DEBT);
        let mut pending = self.word(word::PENDING_INTEREST);
        if target > paid {
            let interest = target - paid;
            self.put(word::PAID_DEBT, target);
            pending = add(pending, interest)?;
            emit(
                self.vm(),
                &[InterestAccrued::SIGNATURE_HASH],
                &[interest.into(), index.into(), rate.into()],
            );
        }
        if !pending.is_zero() {
            let (al_asset, treasury) = (self.peer(peer::AL_ASSET), self.peer(peer::TREASURY));
            // A failed mint (minter paused or at its ceiling) must not block
            // exits: the interest stays pending and is retried next time.
            let minted = self
                .call_peer(
                    al_asset,
                    IAlAsset::mintCall::SELECTOR,
                    &[word(treasury), pending.into()],
                )
                .is_ok();
            self.put(
                word::PENDING_INTEREST,
                if minted { U256::ZERO } else { pending },
            );
        }
        Ok(())
    }

    /// `account` as of now, and the collateral shortfall of its pending
    /// earmarks (free mode). Reads only.
    fn position(&self, account: Address) -> Result<(Position, U256), VaultError> {
        let record = self.accounts.get(account);
        let (shares, stored, redeemable) = (
            record.shares.get(),
            record.debt.get(),
            record.redeemable.get(),
        );
        let mut position = Position {
            shares,
            debt: stored,
            redeemable,
        };
        if stored.is_zero() {
            return Ok((position, U256::ZERO));
        }
        if !redeemable {
            position.debt = mul_div(stored, self.word(word::PAID_INDEX), RAY, Up)?;
            return Ok((position, U256::ZERO));
        }
        let (epoch0, scale0, product0) = (
            record.snap_epoch.get().to::<u64>(),
            record.snap_scale.get().to::<u64>(),
            record.snap_product.get(),
        );
        let (epoch, scale, product) = self.earmark_point();
        // Debt: d0 * P / (P0 * SCALE^k), rounded up, never above the pool.
        position.debt = if epoch0 != epoch {
            U256::ZERO
        } else {
            let steps = scale.saturating_sub(scale0);
            let denominator = match steps {
                0 => Some(product0),
                1 => mul(product0, SCALE_FACTOR).ok(),
                2 => mul(product0, P_ONE).ok(), // SCALE_FACTOR²
                _ => None,
            };
            match denominator {
                Some(d) => mul_div(stored, product, d, Up)?,
                // Far below one wei (see README), rounded up.
                None => U256::from(1),
            }
        };
        // Collateral taken: d0 * ΔS / P0 over the snapshot's scale and the
        // next two, each rounded up; later scales add less than one share.
        let mut loss = U256::ZERO;
        let mut denominator = product0;
        for step in 0..4u64 {
            let mut sum = self
                .earmark_sums
                .get(sum_key(epoch0, scale0.saturating_add(step)));
            if step == 0 {
                sum = sub(sum, record.snap_sum.get())?;
            }
            if !sum.is_zero() {
                let share = if step == 3 {
                    U256::from(1)
                } else {
                    mul_div(stored, sum, denominator, Up)?
                };
                loss = add(loss, share)?;
            }
            denominator = mul(denominator, SCALE_FACTOR).unwrap_or(U256::MAX);
        }
        position.shares = shares.saturating_sub(loss);
        Ok((position, loss.saturating_sub(shares)))
    }

    /// Settles `account`'s pending earmarks into storage and returns it.
    fn settle(&mut self, account: Address) -> Result<Position, VaultError> {
        let (position, shortfall) = self.position(account)?;
        if position.redeemable {
            if !shortfall.is_zero() {
                // The account could not pay its share: that much of the
                // earmarked collateral does not exist. Report it.
                let earmarked = self.word(word::EARMARKED_SHARES);
                let missing = shortfall.min(earmarked);
                self.put(word::EARMARKED_SHARES, earmarked - missing);
                self.put(
                    word::TOTAL_SHARES,
                    add(self.word(word::TOTAL_SHARES), missing)?,
                );
                self.put(
                    word::EARMARK_SHORTFALL,
                    add(self.word(word::EARMARK_SHORTFALL), shortfall)?,
                );
                emit(
                    self.vm(),
                    &[EarmarkShortfall::SIGNATURE_HASH, word(account)],
                    &[shortfall.into()],
                );
            }
            let mut record = self.accounts.setter(account);
            record.shares.set(position.shares);
            record.debt.set(position.debt);
            self.snapshot(account);
        }
        Ok(position)
    }

    /// Records the current earmark state as `account`'s snapshot.
    fn snapshot(&mut self, account: Address) {
        let (epoch, scale, product) = self.earmark_point();
        let sum = self.earmark_sums.get(sum_key(epoch, scale));
        let mut record = self.accounts.setter(account);
        record.snap_epoch.set(U64::from(epoch));
        record.snap_scale.set(U64::from(scale));
        record.snap_product.set(product);
        record.snap_sum.set(sum);
    }

    /// Replaces `account`'s debt `old` with `new` `[coin]` in its pool.
    fn set_debt(
        &mut self,
        account: Address,
        redeemable: bool,
        old: U256,
        new: U256,
    ) -> Result<(), VaultError> {
        if redeemable {
            // Rounded-up account debts may sum to a few wei more than the
            // pool: the last ones out still owe their full (rounded-up)
            // share, and what exceeds the pool is the reserves' dust, minted
            // with the interest (like the paid pool's rounding dust).
            let pool = self.word(word::FREE_DEBT);
            if old > pool {
                self.put(
                    word::PENDING_INTEREST,
                    add(self.word(word::PENDING_INTEREST), old - pool)?,
                );
            }
            self.put(word::FREE_DEBT, add(pool.saturating_sub(old), new)?);
            self.accounts.setter(account).debt.set(new);
        } else {
            let principal = if new.is_zero() {
                U256::ZERO
            } else {
                mul_div(new, RAY, self.word(word::PAID_INDEX), Up)?
            };
            let mut record = self.accounts.setter(account);
            let old_principal = record.debt.get();
            record.debt.set(principal);
            self.put(
                word::PAID_PRINCIPAL,
                add(
                    sub(self.word(word::PAID_PRINCIPAL), old_principal)?,
                    principal,
                )?,
            );
            self.put(
                word::PAID_DEBT,
                add(sub(self.word(word::PAID_DEBT), old)?, new)?,
            );
        }
        Ok(())
    }
}

fn non_zero(amount: U256, address: Address) -> Result<(), VaultError> {
    if amount.is_zero() {
        return Err(revert!(ZeroAmount {}));
    }
    if address.is_zero() {
        return Err(revert!(ZeroAddress {}));
    }
    Ok(())
}

/// Accepts a transfer that returned `true` or nothing (non-standard tokens).
fn check_transfer(
    data: &[u8],
    token: Address,
    to: Address,
    amount: U256,
) -> Result<(), VaultError> {
    if !data.is_empty() && return_word(data, 0, token)? != U256::from(1) {
        return Err(revert!(TokenTransferFailed {
            token: token,
            to: to,
            amount: amount
        }));
    }
    Ok(())
}

/// Word `index` of a call's return data.
fn return_word(data: &[u8], index: usize, peer: Address) -> Result<U256, VaultError> {
    match suite_common::abi::return_word(data, index) {
        Some(word) => Ok(word),
        None => Err(revert!(InvalidReturnData { peer: peer })),
    }
}

impl_ownable!(Vault, access);

#[cfg(test)]
mod tests;
