//! Compact event emission.
//!
//! The SDK's typed `vm().log(Event {..})` instantiates the ABI encoder once
//! per event type (about 450 bytes of WASM each). Every event of the suite has
//! only one-word fields (addresses, integers, booleans), so they all go
//! through [`emit`], which writes the words as they are: one copy of the code
//! per contract. The event types are still declared with `sol!` (for the ABI
//! and for tests, which decode every log with the typed definitions), and
//! call sites pass topics and data in declaration order:
//!
//! ```text
//! emit(self.vm(), &[MinterAdded::SIGNATURE_HASH, minter.into_word()], &[ceiling.into()]);
//! ```

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use stylus_sdk::{host::VM, prelude::*};

/// Emits a log with `topics` (the event's signature hash first, then its
/// indexed fields) and `data` (its other fields, one word each).
pub fn emit(vm: &VM, topics: &[B256], data: &[B256]) {
    let mut bytes = concat(topics);
    bytes.extend_from_slice(&concat(data));
    vm.emit_log(&bytes, topics.len());
}

/// Concatenates 32-byte words: the ABI encoding of one-word values.
pub fn concat(words: &[B256]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(32 * words.len());
    for word in words {
        bytes.extend_from_slice(word.as_slice());
    }
    bytes
}

/// An address as an event word.
#[inline]
pub fn word(address: Address) -> B256 {
    address.into_word()
}

/// A boolean as an event word.
#[inline]
pub fn bool_word(value: bool) -> B256 {
    U256::from(value as u8).into()
}
