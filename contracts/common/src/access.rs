//! Access control shared by every contract of the suite.
//!
//! * An `owner` set by the constructor (passed explicitly, never `tx.origin`),
//!   transferred in two steps (`transferOwnership` then `acceptOwnership` by
//!   the new owner), so a typo cannot lose the contract.
//! * A `guardian`, appointed by the owner, that may pause *entry* paths only.
//!   The owner can always act as guardian too.
//! * [`Access::set_once`]: peers (addresses of other contracts) are wired once.
//!
//! A contract embeds [`Access`] as a storage field and exposes the ABI with
//! [`impl_ownable!`](crate::impl_ownable).

use alloc::vec::Vec;
use alloy_primitives::Address;
use alloy_sol_types::{sol, SolEvent};
use stylus_sdk::{prelude::*, storage::StorageAddress};

pub use crate::errors::ZeroAddress;
use crate::events::{emit, word};

sol! {
    /// `account` is not the owner.
    #[derive(Debug, PartialEq, Eq)]
    error OwnableUnauthorizedAccount(address account);
    /// `owner` cannot own the contract (the zero address).
    #[derive(Debug, PartialEq, Eq)]
    error OwnableInvalidOwner(address owner);
    /// `account` is neither the guardian nor the owner.
    #[derive(Debug, PartialEq, Eq)]
    error GuardianUnauthorizedAccount(address account);
    /// A peer address was already wired (`current`); peers are set once.
    #[derive(Debug, PartialEq, Eq)]
    error PeerAlreadySet(address current);

    /// The owner proposed `newOwner`; it becomes owner when it accepts.
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    /// Ownership moved from `previousOwner` to `newOwner`.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    /// The guardian changed.
    event GuardianChanged(address indexed previousGuardian, address indexed newGuardian);
}

/// Access-control failures.
#[derive(SolidityError, Debug, PartialEq, Eq)]
pub enum AccessError {
    /// See [`OwnableUnauthorizedAccount`].
    Unauthorized(OwnableUnauthorizedAccount),
    /// See [`OwnableInvalidOwner`].
    InvalidOwner(OwnableInvalidOwner),
    /// See [`GuardianUnauthorizedAccount`].
    NotGuardian(GuardianUnauthorizedAccount),
    /// See [`PeerAlreadySet`].
    PeerAlreadySet(PeerAlreadySet),
    /// See [`ZeroAddress`].
    ZeroAddress(ZeroAddress),
}
crate::nested_error!(AccessError);

/// Storage of the access-control component.
#[storage]
pub struct Access {
    owner: StorageAddress,
    pending_owner: StorageAddress,
    guardian: StorageAddress,
}

impl Access {
    /// Sets the first owner (constructor only). Emits `OwnershipTransferred`.
    pub fn init(&mut self, owner: Address) -> Result<(), AccessError> {
        if owner.is_zero() {
            return Err(AccessError::InvalidOwner(OwnableInvalidOwner { owner }));
        }
        self.owner.set(owner);
        emit(
            self.vm(),
            &[
                OwnershipTransferred::SIGNATURE_HASH,
                word(Address::ZERO),
                word(owner),
            ],
            &[],
        );
        Ok(())
    }

    /// The current owner.
    pub fn owner(&self) -> Address {
        self.owner.get()
    }

    /// The proposed owner, or zero.
    pub fn pending_owner(&self) -> Address {
        self.pending_owner.get()
    }

    /// The guardian, or zero.
    pub fn guardian(&self) -> Address {
        self.guardian.get()
    }

    /// Fails unless the caller is the owner.
    pub fn only_owner(&self) -> Result<(), AccessError> {
        let account = self.vm().msg_sender();
        if account != self.owner.get() {
            return Err(AccessError::Unauthorized(OwnableUnauthorizedAccount {
                account,
            }));
        }
        Ok(())
    }

    /// Fails unless the caller is the guardian or the owner.
    pub fn only_guardian(&self) -> Result<(), AccessError> {
        let account = self.vm().msg_sender();
        if account != self.guardian.get() && account != self.owner.get() {
            return Err(AccessError::NotGuardian(GuardianUnauthorizedAccount {
                account,
            }));
        }
        Ok(())
    }

    /// Step one of an ownership transfer (owner only). A zero `new_owner`
    /// cancels a pending transfer.
    pub fn transfer_ownership(&mut self, new_owner: Address) -> Result<(), AccessError> {
        self.only_owner()?;
        self.pending_owner.set(new_owner);
        emit(
            self.vm(),
            &[
                OwnershipTransferStarted::SIGNATURE_HASH,
                word(self.owner.get()),
                word(new_owner),
            ],
            &[],
        );
        Ok(())
    }

    /// Step two: the pending owner takes ownership.
    pub fn accept_ownership(&mut self) -> Result<(), AccessError> {
        let account = self.vm().msg_sender();
        if account != self.pending_owner.get() || account.is_zero() {
            return Err(AccessError::Unauthorized(OwnableUnauthorizedAccount {
                account,
            }));
        }
        let previous = self.owner.get();
        self.owner.set(account);
        self.pending_owner.set(Address::ZERO);
        emit(
            self.vm(),
            &[
                OwnershipTransferred::SIGNATURE_HASH,
                word(previous),
                word(account),
            ],
            &[],
        );
        Ok(())
    }

    /// Appoints the guardian (owner only); zero removes it.
    pub fn set_guardian(&mut self, guardian: Address) -> Result<(), AccessError> {
        self.only_owner()?;
        let previous = self.guardian.get();
        self.guardian.set(guardian);
        emit(
            self.vm(),
            &[
                GuardianChanged::SIGNATURE_HASH,
                word(previous),
                word(guardian),
            ],
            &[],
        );
        Ok(())
    }

    /// Wires a peer address exactly once (owner only). Fails with
    /// [`ZeroAddress`] for zero and [`PeerAlreadySet`] for a second call.
    pub fn set_once(&self, slot: &mut StorageAddress, peer: Address) -> Result<(), AccessError> {
        self.only_owner()?;
        if peer.is_zero() {
            return Err(AccessError::ZeroAddress(ZeroAddress {}));
        }
        let current = slot.get();
        if !current.is_zero() {
            return Err(AccessError::PeerAlreadySet(PeerAlreadySet { current }));
        }
        slot.set(peer);
        Ok(())
    }
}

/// The ownership ABI every contract of the suite exposes.
#[allow(missing_docs)]
#[public]
pub trait IOwnable {
    /// The current owner.
    fn owner(&self) -> Address;
    /// The proposed owner (zero when none).
    fn pending_owner(&self) -> Address;
    /// The guardian (zero when none).
    fn guardian(&self) -> Address;
    /// Proposes a new owner (owner only). Emits `OwnershipTransferStarted`.
    fn transfer_ownership(&mut self, new_owner: Address) -> Result<(), AccessError>;
    /// Accepts a proposed ownership (pending owner only). Emits `OwnershipTransferred`.
    fn accept_ownership(&mut self) -> Result<(), AccessError>;
    /// Appoints the guardian (owner only). Emits `GuardianChanged`.
    fn set_guardian(&mut self, guardian: Address) -> Result<(), AccessError>;
}

/// Implements [`IOwnable`] for a contract by delegating to its [`Access`] field.
///
/// ```text
/// #[public]
/// #[implements(IOwnable)]
/// impl MyContract { /* ... */ }
/// suite_common::impl_ownable!(MyContract, access);
/// ```
#[macro_export]
macro_rules! impl_ownable {
    ($contract:ty, $field:ident) => {
        #[stylus_sdk::prelude::public]
        impl $crate::access::IOwnable for $contract {
            fn owner(&self) -> stylus_sdk::alloy_primitives::Address {
                self.$field.owner()
            }
            fn pending_owner(&self) -> stylus_sdk::alloy_primitives::Address {
                self.$field.pending_owner()
            }
            fn guardian(&self) -> stylus_sdk::alloy_primitives::Address {
                self.$field.guardian()
            }
            fn transfer_ownership(
                &mut self,
                new_owner: stylus_sdk::alloy_primitives::Address,
            ) -> Result<(), $crate::access::AccessError> {
                self.$field.transfer_ownership(new_owner)
            }
            fn accept_ownership(&mut self) -> Result<(), $crate::access::AccessError> {
                self.$field.accept_ownership()
            }
            fn set_guardian(
                &mut self,
                guardian: stylus_sdk::alloy_primitives::Address,
            ) -> Result<(), $crate::access::AccessError> {
                self.$field.set_guardian(guardian)
            }
        }
    };
}
