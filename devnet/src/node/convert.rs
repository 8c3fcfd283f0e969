//! The node's records as alloy RPC types (what clients deserialize).

use alloy_consensus::{
    Eip658Value, Receipt as ConsensusReceipt, ReceiptEnvelope, ReceiptWithBloom, Signed,
    TxEnvelope, TxLegacy, EMPTY_OMMER_ROOT_HASH,
};
use alloy_primitives::{Bloom, Bytes, Signature, TxKind, B256, U256};
use alloy_rpc_types_eth::{Block, BlockTransactions, Header, Log, Transaction, TransactionReceipt};

use super::chain::{BlockRecord, TxRecord};
use crate::DevnetConfig;

/// Logs of `tx` in `block`, with their positions.
pub(crate) fn logs(block: &BlockRecord, tx: &TxRecord) -> Vec<Log> {
    tx.receipt
        .logs
        .iter()
        .enumerate()
        .map(|(i, log)| Log {
            inner: log.clone(),
            block_hash: Some(block.hash),
            block_number: Some(block.number),
            block_timestamp: Some(block.timestamp),
            transaction_hash: Some(tx.hash),
            transaction_index: Some(tx.index),
            log_index: Some(tx.first_log_index + i as u64),
            removed: false,
        })
        .collect()
}

/// The receipt of `tx`.
pub(crate) fn receipt(block: &BlockRecord, tx: &TxRecord) -> TransactionReceipt {
    let logs = logs(block, tx);
    let mut bloom = Bloom::default();
    for log in &tx.receipt.logs {
        bloom.accrue_log(log);
    }
    let inner = ReceiptWithBloom {
        receipt: ConsensusReceipt {
            status: Eip658Value::Eip658(tx.receipt.status),
            cumulative_gas_used: tx.cumulative_gas_used,
            logs,
        },
        logs_bloom: bloom,
    };
    let envelope = match tx.tx.as_ref().map(|t| &t.envelope) {
        Some(TxEnvelope::Eip1559(_)) => ReceiptEnvelope::Eip1559(inner),
        Some(TxEnvelope::Eip2930(_)) => ReceiptEnvelope::Eip2930(inner),
        _ => ReceiptEnvelope::Legacy(inner),
    };
    TransactionReceipt {
        inner: envelope,
        transaction_hash: tx.hash,
        transaction_index: Some(tx.index),
        block_hash: Some(block.hash),
        block_number: Some(block.number),
        gas_used: tx.receipt.gas_used,
        effective_gas_price: tx.effective_gas_price,
        blob_gas_used: None,
        blob_gas_price: None,
        from: tx.from(),
        to: tx.to(),
        contract_address: tx.receipt.contract_address,
    }
}

/// A placeholder envelope for an in-process transaction (no signed form exists).
fn synthetic_envelope(tx: &TxRecord, chain_id: u64) -> TxEnvelope {
    let legacy = TxLegacy {
        chain_id: Some(chain_id),
        gas_price: tx.effective_gas_price,
        gas_limit: tx.receipt.gas_used,
        to: TxKind::Create,
        ..TxLegacy::default()
    };
    TxEnvelope::Legacy(Signed::new_unchecked(
        legacy,
        Signature::new(U256::ZERO, U256::ZERO, false),
        tx.hash,
    ))
}

/// `tx` as returned by `eth_getTransactionByHash` (mined).
pub(crate) fn transaction(block: &BlockRecord, tx: &TxRecord, chain_id: u64) -> Transaction {
    let envelope = match &tx.tx {
        Some(signed) => signed.envelope.clone(),
        None => synthetic_envelope(tx, chain_id),
    };
    Transaction {
        inner: alloy_consensus::transaction::Recovered::new_unchecked(envelope, tx.from()),
        block_hash: Some(block.hash),
        block_number: Some(block.number),
        transaction_index: Some(tx.index),
        effective_gas_price: Some(tx.effective_gas_price),
    }
}

/// A pooled (not yet mined) transaction.
pub(crate) fn pending_transaction(signed: &super::tx::SignedTx) -> Transaction {
    Transaction {
        inner: alloy_consensus::transaction::Recovered::new_unchecked(
            signed.envelope.clone(),
            signed.from,
        ),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: None,
    }
}

/// `block` as returned by `eth_getBlockBy*`.
pub(crate) fn block(block: &BlockRecord, full: bool, config: &DevnetConfig) -> Block {
    let header = alloy_consensus::Header {
        parent_hash: block.parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: config.coinbase,
        state_root: B256::ZERO,
        transactions_root: alloy_consensus::EMPTY_ROOT_HASH,
        receipts_root: alloy_consensus::EMPTY_ROOT_HASH,
        logs_bloom: block.logs_bloom,
        difficulty: U256::from(1),
        number: block.number,
        gas_limit: config.block_gas_limit,
        gas_used: block.gas_used,
        timestamp: block.timestamp,
        extra_data: Bytes::new(),
        mix_hash: B256::ZERO,
        nonce: Default::default(),
        base_fee_per_gas: Some(config.base_fee),
        ..Default::default()
    };
    let transactions = if full {
        BlockTransactions::Full(
            block
                .txs
                .iter()
                .map(|tx| transaction(block, tx, config.chain_id))
                .collect(),
        )
    } else {
        BlockTransactions::Hashes(block.txs.iter().map(|tx| tx.hash).collect())
    };
    Block {
        header: Header {
            hash: block.hash,
            inner: header,
            total_difficulty: Some(U256::from(block.number + 1)),
            size: Some(U256::from(512 + 128 * block.txs.len())),
        },
        uncles: Vec::new(),
        transactions,
        withdrawals: None,
    }
}
