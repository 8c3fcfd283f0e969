//! # Transmuter — fixed-term redemption with earmarking and burns at maturity
//!
//! The contraction mechanism of Alchemix: a trader who bought alAsset below
//! peg deposits it for a fixed term and receives one unit of underlying per
//! alAsset at maturity — a bond-like yield, visible through `impliedApr`.
//!
//! * `createRedemption(amount)` takes the caller's alAsset (held here, not yet
//!   burned) and asks the Vault to **earmark** `amount` of free debt pro rata
//!   from every redeemable borrower, with collateral worth `amount` (plus the
//!   redemption fee, which the Vault sends to the reserves). The position
//!   matures `term` seconds later (`block.timestamp`, never block numbers).
//! * `claimRedemption(id)` after maturity: the Vault hands the earmarked
//!   shares over (`releaseEarmarked`), the position's alAsset is burned, the
//!   shares are redeemed on the ERC-4626, the owner
//!   receives `amount` of underlying (decimals converted, rounded down), any
//!   surplus goes to the treasury, and a shortfall (the yield token lost value)
//!   is a haircut reported in the event.
//! * **Early exit: not allowed.** A claim before maturity reverts with
//!   `NotMatured(id, maturity, now)`. The debt was taken from borrowers at
//!   earmarking, so the alAsset cannot be handed back; a partial early payout
//!   would need partial releases from the Vault for no benefit to the peg.
//!   A position can be transferred to another owner (`transferPosition`) to
//!   exit on a secondary market instead.
//! * The guardian can pause new deposits; claims are never paused.
//!
//! Call graph: Transmuter → AlAsset (transferFrom, burn), Transmuter →
//! Vault (earmark, releaseEarmarked; the Vault calls the collateral),
//! Transmuter → collateral ERC-4626 (redeem) → underlying.
//! Nothing calls back into the Transmuter.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{Address, U256, U64};
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::stylus_core::calls::errors::Error as CallError;
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageBool, StorageMap, StorageU256, StorageU64, StorageU8, StorageVec,
    },
};
use suite_common::{
    access::{Access, AccessError, IOwnable},
    errors::{EntryPaused, ZeroAddress, ZeroAmount},
    events::{bool_word, emit, word},
    impl_ownable,
    interfaces::{IAlAsset, IErc20, IErc4626, IVault},
    math::{self, MathError, Rounding, WAD},
};

/// Seconds in a (365-day) year.
pub const YEAR: u64 = 365 * 24 * 60 * 60;
/// Seconds in a day: the bucket of `queue()`.
pub const DAY: u64 = 24 * 60 * 60;
/// Shortest term the owner may set `[seconds]`.
pub const MIN_TERM: u64 = 60 * 60;
/// Longest term the owner may set `[seconds]`.
pub const MAX_TERM: u64 = 2 * YEAR;
/// Most days `queue(days)` reports.
pub const MAX_QUEUE_DAYS: u64 = 732;

sol! {
    /// Depositing `amount` would take the pending total past `cap`.
    #[derive(Debug, PartialEq, Eq)]
    error DepositCapExceeded(uint256 pending, uint256 amount, uint256 cap);
    /// There is no position `id`.
    #[derive(Debug, PartialEq, Eq)]
    error UnknownPosition(uint256 id);
    /// `caller` does not own position `id` (`owner` does).
    #[derive(Debug, PartialEq, Eq)]
    error NotPositionOwner(uint256 id, address caller, address owner);
    /// Position `id` matures at `maturity`; it is `now`.
    #[derive(Debug, PartialEq, Eq)]
    error NotMatured(uint256 id, uint256 maturity, uint256 now);
    /// Position `id` was already claimed.
    #[derive(Debug, PartialEq, Eq)]
    error AlreadyClaimed(uint256 id);
    /// A term outside [`min`, `max`] seconds.
    #[derive(Debug, PartialEq, Eq)]
    error InvalidTerm(uint256 term, uint256 min, uint256 max);
    /// `queue(days)` reports at most `max` days.
    #[derive(Debug, PartialEq, Eq)]
    error QueueWindowTooLong(uint256 days, uint256 max);
    /// The Vault earmarked no collateral for `amount` (nothing to pay from).
    #[derive(Debug, PartialEq, Eq)]
    error NothingEarmarked(uint256 amount);

    /// `owner` deposited `amount` alAsset into position `id`, maturing at
    /// `maturity`, backed by `shares` earmarked collateral shares.
    event RedemptionCreated(uint256 indexed id, address indexed owner, uint256 amount, uint256 maturity, uint256 shares);
    /// Position `id` was claimed: `amount` alAsset burned, `paid` underlying
    /// to `owner`, `surplus` underlying to the treasury, `haircut` underlying
    /// short of what was owed (the yield token lost value).
    event RedemptionClaimed(uint256 indexed id, address indexed owner, uint256 amount, uint256 paid, uint256 surplus, uint256 haircut);
    /// Position `id` moved from `from` to `to`.
    event PositionTransferred(uint256 indexed id, address indexed from, address indexed to);
    /// New positions mature `term` seconds after creation.
    event TermSet(uint256 term);
    /// The pending total may not exceed `cap` alAsset.
    event DepositCapSet(uint256 cap);
    /// Deposits are paused or resumed.
    event EntryPausedSet(bool paused);
}

/// Every failure of the Transmuter.
#[derive(SolidityError, Debug)]
pub enum TransmuterError {
    /// Ownership / guardian failure.
    Access(AccessError),
    /// Arithmetic failure.
    Math(MathError),
    /// A call to the AlAsset, the Vault or the ERC-4626 failed (its revert data).
    Call(CallError),
    /// See [`ZeroAmount`].
    ZeroAmount(ZeroAmount),
    /// See [`ZeroAddress`].
    ZeroAddress(ZeroAddress),
    /// See [`EntryPaused`].
    EntryPaused(EntryPaused),
    /// See [`DepositCapExceeded`].
    DepositCapExceeded(DepositCapExceeded),
    /// See [`UnknownPosition`].
    UnknownPosition(UnknownPosition),
    /// See [`NotPositionOwner`].
    NotPositionOwner(NotPositionOwner),
    /// See [`NotMatured`].
    NotMatured(NotMatured),
    /// See [`AlreadyClaimed`].
    AlreadyClaimed(AlreadyClaimed),
    /// See [`InvalidTerm`].
    InvalidTerm(InvalidTerm),
    /// See [`QueueWindowTooLong`].
    QueueWindowTooLong(QueueWindowTooLong),
    /// See [`NothingEarmarked`].
    NothingEarmarked(NothingEarmarked),
}

/// One redemption position.
#[storage]
pub struct Position {
    /// Who may claim (zero: no such position).
    owner: StorageAddress,
    /// alAsset deposited and owed as underlying `[coin]`.
    amount: StorageU256,
    /// Creation time `[seconds]`.
    start: StorageU64,
    /// Claimable from `[seconds]`.
    maturity: StorageU64,
    /// Collateral shares the Vault earmarked for it `[shares]`.
    shares: StorageU256,
    /// Paid out and burned.
    claimed: StorageBool,
}

/// The Transmuter contract.
#[entrypoint]
#[storage]
pub struct Transmuter {
    access: Access,
    al_asset: StorageAddress,
    vault: StorageAddress,
    /// The Vault's collateral ERC-4626.
    collateral: StorageAddress,
    /// The ERC-4626's underlying asset.
    underlying: StorageAddress,
    /// Decimals of the underlying.
    underlying_decimals: StorageU8,
    treasury: StorageAddress,
    /// Term of new positions `[seconds]`.
    term: StorageU64,
    /// Maximum pending alAsset `[coin]`.
    deposit_cap: StorageU256,
    /// alAsset held for unclaimed positions `[coin]`.
    total_pending: StorageU256,
    entry_paused: StorageBool,
    /// Number of positions ever created; ids start at 1.
    position_count: StorageU256,
    positions: StorageMap<U256, Position>,
    /// Position ids per owner (claimed ones included, in creation order).
    owner_positions: StorageMap<Address, StorageVec<StorageU256>>,
    /// Unclaimed alAsset by maturity day (`maturity / DAY`) `[coin]`.
    maturing_by_day: StorageMap<U64, StorageU256>,
}

#[public]
#[implements(IOwnable)]
impl Transmuter {
    /// Wires the Transmuter.
    ///
    /// # Arguments
    /// * `collateral` — the Vault's ERC-4626 collateral; its `asset()` is the
    ///   underlying paid out.
    /// * `term` — `[seconds]` from creation to maturity.
    /// * `deposit_cap` — maximum pending alAsset `[coin]`.
    ///
    /// # Errors
    /// `ZeroAddress`, `InvalidTerm`, `OwnableInvalidOwner`; the ERC-4626 /
    /// ERC-20 revert if `collateral` is not one.
    #[constructor]
    #[allow(clippy::too_many_arguments)]
    pub fn constructor(
        &mut self,
        owner: Address,
        al_asset: Address,
        vault: Address,
        collateral: Address,
        treasury: Address,
        term: u64,
        deposit_cap: U256,
    ) -> Result<(), TransmuterError> {
        if [al_asset, vault, collateral, treasury].contains(&Address::ZERO) {
            return Err(ZeroAddress {}.into());
        }
        self.access.init(owner)?;
        let underlying = IErc4626::new(collateral).asset(self.vm(), Call::new())?;
        let decimals = IErc20::new(underlying).decimals(self.vm(), Call::new())?;
        math::decimals_scale(decimals)?;
        self.al_asset.set(al_asset);
        self.vault.set(vault);
        self.collateral.set(collateral);
        self.underlying.set(underlying);
        self.underlying_decimals
            .set(alloy_primitives::Uint::<8, 1>::from(decimals));
        self.treasury.set(treasury);
        self.store_term(term)?;
        self.store_deposit_cap(deposit_cap);
        Ok(())
    }

    /// Deposits `amount` alAsset for one term. The caller must have approved
    /// this contract for `amount`.
    ///
    /// # Errors
    /// `ZeroAmount`, `EntryPaused`, `DepositCapExceeded`, the AlAsset's
    /// transfer errors, the Vault's earmark errors (e.g. not enough free
    /// debt), `NothingEarmarked`.
    ///
    /// # Events
    /// `RedemptionCreated`.
    pub fn create_redemption(&mut self, amount: U256) -> Result<U256, TransmuterError> {
        if amount.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        if self.entry_paused.get() {
            return Err(EntryPaused {}.into());
        }
        let pending = self.total_pending.get();
        let cap = self.deposit_cap.get();
        let new_pending = math::add(pending, amount)?;
        if new_pending > cap {
            return Err(DepositCapExceeded {
                pending,
                amount,
                cap,
            }
            .into());
        }
        let owner = self.vm().msg_sender();
        let this = self.vm().contract_address();
        let vm = self.vm().clone();
        IAlAsset::new(self.al_asset.get()).transfer_from(
            &vm,
            Call::new_mutating(self),
            owner,
            this,
            amount,
        )?;
        let vm = self.vm().clone();
        let shares =
            IVault::new(self.vault.get()).earmark(&vm, Call::new_mutating(self), amount)?;
        if shares.is_zero() {
            return Err(NothingEarmarked { amount }.into());
        }

        let now = self.vm().block_timestamp();
        // Cannot overflow: timestamps and terms are far below 2^63.
        let maturity = now + self.term.get().to::<u64>();
        let id = self.position_count.get() + U256::from(1);
        self.position_count.set(id);
        {
            let mut position = self.positions.setter(id);
            position.owner.set(owner);
            position.amount.set(amount);
            position.start.set(U64::from(now));
            position.maturity.set(U64::from(maturity));
            position.shares.set(shares);
        }
        self.owner_positions.setter(owner).push(id);
        self.total_pending.set(new_pending);
        self.add_maturing(maturity, amount, true)?;
        emit(
            self.vm(),
            &[RedemptionCreated::SIGNATURE_HASH, id.into(), word(owner)],
            &[amount.into(), U256::from(maturity).into(), shares.into()],
        );
        Ok(id)
    }

    /// Claims a matured position: burns its alAsset and pays its owner
    /// `amount` of underlying (less a haircut if the collateral lost value).
    /// Never paused.
    ///
    /// # Errors
    /// `UnknownPosition`, `NotPositionOwner`, `AlreadyClaimed`, `NotMatured`,
    /// and the Vault's / ERC-4626's / AlAsset's revert data.
    ///
    /// # Events
    /// `RedemptionClaimed`.
    pub fn claim_redemption(&mut self, id: U256) -> Result<(), TransmuterError> {
        let caller = self.vm().msg_sender();
        let (owner, amount, maturity, shares) = {
            let position = self.positions.get(id);
            if position.claimed.get() {
                return Err(AlreadyClaimed { id }.into());
            }
            (
                position.owner.get(),
                position.amount.get(),
                position.maturity.get().to::<u64>(),
                position.shares.get(),
            )
        };
        if owner.is_zero() {
            return Err(UnknownPosition { id }.into());
        }
        if caller != owner {
            return Err(NotPositionOwner { id, caller, owner }.into());
        }
        let now = self.vm().block_timestamp();
        if now < maturity {
            return Err(NotMatured {
                id,
                maturity: U256::from(maturity),
                now: U256::from(now),
            }
            .into());
        }
        // Effects before interactions.
        self.positions.setter(id).claimed.set(true);
        let pending = math::sub(self.total_pending.get(), amount)?;
        self.total_pending.set(pending);
        self.add_maturing(maturity, amount, false)?;

        let this = self.vm().contract_address();
        let vault = self.vault.get();
        // The Vault hands the earmarked shares over and closes the earmark;
        // then the position's alAsset, held here since creation, is burned.
        // After an earmark shortfall the Vault releases fewer shares than
        // recorded: the claim redeems what it got and reports the haircut.
        let vm = self.vm().clone();
        let shares = IVault::new(vault).release_earmarked(
            &vm,
            Call::new_mutating(self),
            shares,
            this,
            amount,
        )?;
        let vm = self.vm().clone();
        IAlAsset::new(self.al_asset.get()).burn(&vm, Call::new_mutating(self), amount)?;
        let assets = if shares.is_zero() {
            U256::ZERO
        } else {
            let vm = self.vm().clone();
            IErc4626::new(self.collateral.get()).redeem(
                &vm,
                Call::new_mutating(self),
                shares,
                this,
                this,
            )?
        };
        let owed = math::from_coin(
            amount,
            self.underlying_decimals.get().to::<u8>(),
            Rounding::Down,
        )?;
        let paid = assets.min(owed);
        // Cannot underflow: paid <= assets and paid <= owed.
        let surplus = assets - paid;
        let haircut = owed - paid;
        let underlying = IErc20::new(self.underlying.get());
        if !paid.is_zero() {
            let vm = self.vm().clone();
            underlying.transfer(&vm, Call::new_mutating(self), owner, paid)?;
        }
        if !surplus.is_zero() {
            let treasury = self.treasury.get();
            let vm = self.vm().clone();
            underlying.transfer(&vm, Call::new_mutating(self), treasury, surplus)?;
        }
        emit(
            self.vm(),
            &[RedemptionClaimed::SIGNATURE_HASH, id.into(), word(owner)],
            &[amount.into(), paid.into(), surplus.into(), haircut.into()],
        );
        Ok(())
    }

    /// Gives an unclaimed position to `to` (the owner only): a way out before
    /// maturity, by selling the position.
    ///
    /// # Errors
    /// `ZeroAddress`, `UnknownPosition`, `NotPositionOwner`, `AlreadyClaimed`.
    ///
    /// # Events
    /// `PositionTransferred`.
    pub fn transfer_position(&mut self, id: U256, to: Address) -> Result<(), TransmuterError> {
        if to.is_zero() {
            return Err(ZeroAddress {}.into());
        }
        let caller = self.vm().msg_sender();
        {
            let mut position = self.positions.setter(id);
            let owner = position.owner.get();
            if owner.is_zero() {
                return Err(UnknownPosition { id }.into());
            }
            if caller != owner {
                return Err(NotPositionOwner { id, caller, owner }.into());
            }
            if position.claimed.get() {
                return Err(AlreadyClaimed { id }.into());
            }
            position.owner.set(to);
        }
        self.owner_positions.setter(to).push(id);
        emit(
            self.vm(),
            &[
                PositionTransferred::SIGNATURE_HASH,
                id.into(),
                word(caller),
                word(to),
            ],
            &[],
        );
        Ok(())
    }

    /// Ids of the positions `owner` holds or held (claimed and transferred
    /// ones included; check `position(id)`).
    pub fn positions_of(&self, owner: Address) -> Vec<U256> {
        let ids = self.owner_positions.get(owner);
        (0..ids.len()).filter_map(|i| ids.get(i)).collect()
    }

    /// `(owner, amount, start, maturity, shares, claimed)` of position `id`
    /// (all zero for an unknown id).
    pub fn position(&self, id: U256) -> (Address, U256, u64, u64, U256, bool) {
        let position = self.positions.get(id);
        (
            position.owner.get(),
            position.amount.get(),
            position.start.get().to::<u64>(),
            position.maturity.get().to::<u64>(),
            position.shares.get(),
            position.claimed.get(),
        )
    }

    /// The pending total and the alAsset maturing on each of the next `days`
    /// days (index 0: today, UTC days of `block.timestamp`; positions already
    /// matured but unclaimed are in the total only).
    ///
    /// # Errors
    /// `QueueWindowTooLong` past [`MAX_QUEUE_DAYS`].
    pub fn queue(&self, days: u64) -> Result<(U256, Vec<U256>), TransmuterError> {
        if days > MAX_QUEUE_DAYS {
            return Err(QueueWindowTooLong {
                days: U256::from(days),
                max: U256::from(MAX_QUEUE_DAYS),
            }
            .into());
        }
        let today = self.vm().block_timestamp() / DAY;
        let maturing = (today..today + days)
            .map(|day| self.maturing_by_day.get(U64::from(day)))
            .collect();
        Ok((self.total_pending.get(), maturing))
    }

    /// alAsset held for unclaimed positions `[coin]`.
    pub fn total_pending(&self) -> U256 {
        self.total_pending.get()
    }

    /// The yearly return `[wad]` of buying alAsset at `price` (underlying per
    /// alAsset `[wad]`) and redeeming it one-for-one after one term:
    /// `(1 / price − 1) × year / term`, rounded down. Zero at or above peg.
    ///
    /// # Errors
    /// `ZeroAmount` for a zero price.
    pub fn implied_apr(&self, price: U256) -> Result<U256, TransmuterError> {
        if price.is_zero() {
            return Err(ZeroAmount {}.into());
        }
        if price >= WAD {
            return Ok(U256::ZERO);
        }
        let gain = math::mul_div(WAD, WAD - price, price, Rounding::Down)?;
        Ok(math::mul_div(
            gain,
            U256::from(YEAR),
            U256::from(self.term.get().to::<u64>()),
            Rounding::Down,
        )?)
    }

    /// Term of new positions `[seconds]`.
    pub fn term(&self) -> u64 {
        self.term.get().to::<u64>()
    }

    /// Maximum pending alAsset `[coin]`.
    pub fn deposit_cap(&self) -> U256 {
        self.deposit_cap.get()
    }

    /// Whether new deposits are paused.
    pub fn entry_paused(&self) -> bool {
        self.entry_paused.get()
    }

    /// `(alAsset, vault, collateral, underlying, treasury)`.
    pub fn peers(&self) -> (Address, Address, Address, Address, Address) {
        (
            self.al_asset.get(),
            self.vault.get(),
            self.collateral.get(),
            self.underlying.get(),
            self.treasury.get(),
        )
    }

    /// Sets the term of new positions (owner only); existing positions keep
    /// their maturity.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`, `InvalidTerm`.
    ///
    /// # Events
    /// `TermSet`.
    pub fn set_term(&mut self, term: u64) -> Result<(), TransmuterError> {
        self.access.only_owner()?;
        self.store_term(term)
    }

    /// Sets the deposit cap (owner only); a cap below the pending total only
    /// stops new deposits.
    ///
    /// # Errors
    /// `OwnableUnauthorizedAccount`.
    ///
    /// # Events
    /// `DepositCapSet`.
    pub fn set_deposit_cap(&mut self, cap: U256) -> Result<(), TransmuterError> {
        self.access.only_owner()?;
        self.store_deposit_cap(cap);
        Ok(())
    }

    /// Pauses (guardian or owner) or resumes (owner only) new deposits.
    ///
    /// # Errors
    /// `GuardianUnauthorizedAccount` / `OwnableUnauthorizedAccount`.
    ///
    /// # Events
    /// `EntryPausedSet`.
    pub fn set_entry_paused(&mut self, paused: bool) -> Result<(), TransmuterError> {
        if paused {
            self.access.only_guardian()?;
        } else {
            self.access.only_owner()?;
        }
        self.entry_paused.set(paused);
        emit(
            self.vm(),
            &[EntryPausedSet::SIGNATURE_HASH],
            &[bool_word(paused)],
        );
        Ok(())
    }
}

impl Transmuter {
    fn store_term(&mut self, term: u64) -> Result<(), TransmuterError> {
        if !(MIN_TERM..=MAX_TERM).contains(&term) {
            return Err(InvalidTerm {
                term: U256::from(term),
                min: U256::from(MIN_TERM),
                max: U256::from(MAX_TERM),
            }
            .into());
        }
        self.term.set(U64::from(term));
        emit(
            self.vm(),
            &[TermSet::SIGNATURE_HASH],
            &[U256::from(term).into()],
        );
        Ok(())
    }

    fn store_deposit_cap(&mut self, cap: U256) {
        self.deposit_cap.set(cap);
        emit(self.vm(), &[DepositCapSet::SIGNATURE_HASH], &[cap.into()]);
    }

    /// Adds (`add`) or removes `amount` from the maturity-day bucket of `maturity`.
    fn add_maturing(&mut self, maturity: u64, amount: U256, add: bool) -> Result<(), MathError> {
        let day = U64::from(maturity / DAY);
        let current = self.maturing_by_day.get(day);
        let updated = if add {
            math::add(current, amount)?
        } else {
            math::sub(current, amount)?
        };
        self.maturing_by_day.insert(day, updated);
        Ok(())
    }
}

impl_ownable!(Transmuter, access);

#[cfg(test)]
mod tests;
