//! Hand-encoded calls for contracts that must stay small.
//!
//! `sol_interface!` generates a typed caller per function (400–700 bytes of
//! WASM each). Contracts close to the size limit encode calls whose
//! arguments and results are all one-word values by hand instead, with the
//! selectors of the shared interfaces (`IAlAsset::mintCall::SELECTOR`, ...),
//! so the ABI still has one source.

use alloc::vec::Vec;
use alloy_primitives::{B256, U256};

use crate::events::concat;

/// ABI calldata: `selector`, then one-word arguments.
pub fn calldata(selector: [u8; 4], args: &[B256]) -> Vec<u8> {
    let mut data = selector.to_vec();
    data.extend_from_slice(&concat(args));
    data
}

/// Word `index` of a call's return data, if the data is that long.
pub fn return_word(data: &[u8], index: usize) -> Option<U256> {
    data.get(32 * index..32 * index + 32)
        .map(U256::from_be_slice)
}
