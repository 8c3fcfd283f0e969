//! `--state FILE`: the chain saved as JSON on shutdown and loaded on start.
//!
//! Saved: every account (balance, nonce, code, storage — Stylus program records included,
//! as they live in the ArbOS state account's storage), the head block (number, hash,
//! timestamp) and the chain id. Not saved: the block history, receipts and logs (a loaded
//! chain starts from the saved head), snapshots and the transaction pool.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use alloy_primitives::{Address, Bytes, B256, U256};
use serde::{Deserialize, Serialize};

use crate::{AccountState, Devnet};

const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedAccount {
    balance: U256,
    nonce: u64,
    #[serde(default, skip_serializing_if = "<[u8]>::is_empty")]
    code: Bytes,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    storage: BTreeMap<U256, U256>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedChain {
    format: u32,
    chain_id: u64,
    block_number: u64,
    block_hash: B256,
    timestamp: u64,
    accounts: BTreeMap<Address, SavedAccount>,
}

/// Writes the state of `devnet` to `path` (atomically: a temporary file renamed over it).
pub(crate) fn save(devnet: &Devnet, path: &Path) -> io::Result<()> {
    let head = devnet
        .blocks()
        .last()
        .ok_or_else(|| io::Error::other("no blocks"))?;
    let saved = SavedChain {
        format: FORMAT,
        chain_id: devnet.chain_id(),
        block_number: head.number,
        block_hash: head.hash,
        timestamp: head.timestamp,
        accounts: devnet
            .dump_accounts()
            .into_iter()
            .map(|(address, a)| {
                (
                    address,
                    SavedAccount {
                        balance: a.balance,
                        nonce: a.nonce,
                        code: a.code,
                        storage: a.storage.into_iter().collect(),
                    },
                )
            })
            .collect(),
    };
    let json = serde_json::to_vec(&saved).map_err(io::Error::other)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}

/// Replaces the state of `devnet` with the one saved at `path`.
pub(crate) fn load(devnet: &mut Devnet, path: &Path) -> io::Result<()> {
    let bytes = std::fs::read(path)?;
    let saved: SavedChain = serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not a devnet state file: {e}", path.display()),
        )
    })?;
    if saved.format != FORMAT {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: state format {} (expected {FORMAT})",
                path.display(),
                saved.format
            ),
        ));
    }
    if saved.chain_id != devnet.chain_id() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: saved for chain id {}, the node runs chain id {}",
                path.display(),
                saved.chain_id,
                devnet.chain_id()
            ),
        ));
    }
    for (address, account) in saved.accounts {
        devnet.set_account(
            address,
            &AccountState {
                balance: account.balance,
                nonce: account.nonce,
                code: account.code,
                storage: account.storage.into_iter().collect(),
            },
        );
    }
    devnet.restore_head(saved.block_number, saved.timestamp, saved.block_hash);
    Ok(())
}
