//! The node's view of the chain: the [`Devnet`], an index of blocks and transactions for the
//! RPC queries, and the transaction pool (future nonces wait for the gap to fill; with a block
//! time, everything waits for the next block).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use alloy_primitives::{keccak256, Address, Bloom, B256, U256};

use super::rpc::RpcError;
use super::tx::SignedTx;
use crate::{Devnet, DevnetError, Receipt};

/// Widest block range one `eth_getLogs` query may span.
pub const MAX_LOG_BLOCK_RANGE: u64 = 100_000;
/// Transactions the pool holds at most (queued future nonces and, with a block time, pending).
const MAX_POOL: usize = 10_000;
/// How far ahead of the account's nonce a queued transaction may be.
const MAX_NONCE_GAP: u64 = 1_000;

/// A transaction included in a block.
#[derive(Clone, Debug)]
pub(crate) struct TxRecord {
    /// Hash (synthetic for transactions made in-process through `with_devnet`).
    pub hash: B256,
    /// The signed transaction, for transactions received over RPC.
    pub tx: Option<SignedTx>,
    /// The devnet's receipt.
    pub receipt: Receipt,
    /// Position in the block.
    pub index: u64,
    /// Gas used by this and the earlier transactions of the block.
    pub cumulative_gas_used: u64,
    /// Price per gas paid.
    pub effective_gas_price: u128,
    /// Block-wide index of the transaction's first log.
    pub first_log_index: u64,
}

impl TxRecord {
    /// Sender (zero for in-process transactions, which are not recorded with their sender).
    pub fn from(&self) -> Address {
        self.tx.as_ref().map(|t| t.from).unwrap_or_default()
    }

    /// Recipient (`None` for creations).
    pub fn to(&self) -> Option<Address> {
        match &self.tx {
            Some(tx) => alloy_consensus::Transaction::to(&tx.envelope),
            None => None,
        }
    }
}

/// A mined block.
#[derive(Clone, Debug)]
pub(crate) struct BlockRecord {
    pub number: u64,
    pub hash: B256,
    pub parent_hash: B256,
    pub timestamp: u64,
    pub gas_used: u64,
    pub logs_bloom: Bloom,
    pub txs: Vec<TxRecord>,
}

#[derive(Clone, Debug)]
struct Pooled {
    tx: SignedTx,
    seq: u64,
}

/// The devnet plus what the RPC layer indexes.
#[derive(Debug)]
pub(crate) struct NodeChain {
    devnet: Devnet,
    blocks: Vec<BlockRecord>,
    blocks_by_hash: HashMap<B256, u64>,
    txs: HashMap<B256, (u64, usize)>,
    pool: BTreeMap<(Address, u64), Pooled>,
    pool_hashes: HashSet<B256>,
    seq: u64,
    /// One block per transaction, as soon as it can run.
    pub automine: bool,
    verbosity: u8,
    accounts: Vec<(Address, B256)>,
    /// Installed `eth_newFilter` / `eth_newBlockFilter` filters.
    pub filters: Filters,
}

/// What an installed filter reports.
#[derive(Clone, Debug)]
pub(crate) enum FilterKind {
    /// New block hashes.
    Blocks,
    /// Logs matching the filter.
    Logs(Box<alloy_rpc_types_eth::Filter>),
    /// Pending transactions (always none: the pool holds only queued future nonces or waits
    /// for the next block).
    PendingTransactions,
}

#[derive(Clone, Debug)]
pub(crate) struct InstalledFilter {
    pub kind: FilterKind,
    /// Last block reported.
    pub last_block: u64,
    last_poll: std::time::Instant,
}

/// Installed filters; idle ones expire after [`FILTER_TIMEOUT`] (as in geth).
#[derive(Debug, Default)]
pub(crate) struct Filters {
    next_id: u64,
    installed: HashMap<u64, InstalledFilter>,
}

/// Filters not polled for this long are removed.
pub(crate) const FILTER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);
/// Most filters installed at once.
const MAX_FILTERS: usize = 1_000;

impl Filters {
    /// Installs a filter reporting changes after block `head`.
    pub fn install(&mut self, kind: FilterKind, head: u64) -> Result<u64, RpcError> {
        self.installed
            .retain(|_, f| f.last_poll.elapsed() < FILTER_TIMEOUT);
        if self.installed.len() >= MAX_FILTERS {
            return Err(RpcError::tx(format!(
                "too many filters installed (at most {MAX_FILTERS}); uninstall some"
            )));
        }
        self.next_id += 1;
        self.installed.insert(
            self.next_id,
            InstalledFilter {
                kind,
                last_block: head,
                last_poll: std::time::Instant::now(),
            },
        );
        Ok(self.next_id)
    }

    /// The filter `id`, marked as polled.
    pub fn poll(&mut self, id: u64) -> Option<&mut InstalledFilter> {
        if self.installed.get(&id)?.last_poll.elapsed() >= FILTER_TIMEOUT {
            self.installed.remove(&id);
            return None;
        }
        let filter = self.installed.get_mut(&id)?;
        filter.last_poll = std::time::Instant::now();
        Some(filter)
    }

    /// Removes filter `id`; whether it existed.
    pub fn uninstall(&mut self, id: u64) -> bool {
        self.installed.remove(&id).is_some()
    }
}

impl NodeChain {
    pub fn new(devnet: Devnet, accounts: Vec<(Address, B256)>, verbosity: u8) -> Self {
        let mut chain = Self {
            devnet,
            blocks: Vec::new(),
            blocks_by_hash: HashMap::new(),
            txs: HashMap::new(),
            pool: BTreeMap::new(),
            pool_hashes: HashSet::new(),
            seq: 0,
            automine: true,
            verbosity,
            accounts,
            filters: Filters::default(),
        };
        chain.sync();
        chain
    }

    pub fn devnet(&self) -> &Devnet {
        &self.devnet
    }

    /// The devnet; call [`NodeChain::sync`] after changing it.
    pub fn devnet_mut(&mut self) -> &mut Devnet {
        &mut self.devnet
    }

    /// The unlocked accounts and their keys.
    pub fn accounts(&self) -> &[(Address, B256)] {
        &self.accounts
    }

    /// Brings the block index in line with the devnet's blocks (after in-process changes,
    /// reverts and restores).
    pub fn sync(&mut self) {
        self.sync_with(None);
    }

    fn same_block(record: &BlockRecord, info: &crate::BlockInfo) -> bool {
        record.hash == info.hash
            && record.txs.len() == info.receipts.len()
            && record
                .txs
                .iter()
                .zip(&info.receipts)
                .all(|(t, r)| &t.receipt == r)
    }

    /// [`NodeChain::sync`], giving the signed transactions of the newest block when the node
    /// itself just mined it.
    fn sync_with(&mut self, mut newest: Option<Vec<SignedTx>>) {
        let devnet_blocks = self.devnet.blocks().len();
        // Longest common prefix, found from the end (the usual case is append-only).
        let mut keep = self.blocks.len().min(devnet_blocks);
        while keep > 0 && !Self::same_block(&self.blocks[keep - 1], &self.devnet.blocks()[keep - 1])
        {
            keep -= 1;
        }
        for record in self.blocks.drain(keep..) {
            if self.blocks_by_hash.get(&record.hash) == Some(&record.number) {
                self.blocks_by_hash.remove(&record.hash);
            }
            for tx in record.txs {
                self.txs.remove(&tx.hash);
            }
        }
        for i in keep..devnet_blocks {
            let signed = if i + 1 == devnet_blocks {
                newest.take()
            } else {
                None
            };
            let record = self.make_record(i, signed);
            self.blocks_by_hash.insert(record.hash, record.number);
            for (position, tx) in record.txs.iter().enumerate() {
                self.txs.insert(tx.hash, (record.number, position));
                self.pool_hashes.remove(&tx.hash);
            }
            self.blocks.push(record);
        }
    }

    fn make_record(&self, index: usize, signed: Option<Vec<SignedTx>>) -> BlockRecord {
        let info = &self.devnet.blocks()[index];
        let base_fee = self.devnet.config().base_fee;
        let parent_hash = index
            .checked_sub(1)
            .map(|p| self.blocks[p].hash)
            .unwrap_or_default();
        let mut signed = signed.unwrap_or_default().into_iter();
        let mut txs = Vec::with_capacity(info.receipts.len());
        let mut cumulative = 0u64;
        let mut logs = 0u64;
        let mut bloom = Bloom::default();
        for (i, receipt) in info.receipts.iter().enumerate() {
            let tx = signed.next();
            let hash = match &tx {
                Some(tx) => tx.hash(),
                None => keccak256([info.hash.as_slice(), &(i as u64).to_be_bytes()].concat()),
            };
            cumulative = cumulative.saturating_add(receipt.gas_used);
            for log in &receipt.logs {
                bloom.accrue_log(log);
            }
            let effective_gas_price = tx
                .as_ref()
                .map_or(u128::from(base_fee), |t| t.effective_gas_price(base_fee));
            txs.push(TxRecord {
                hash,
                tx,
                receipt: receipt.clone(),
                index: i as u64,
                cumulative_gas_used: cumulative,
                effective_gas_price,
                first_log_index: logs,
            });
            logs += receipt.logs.len() as u64;
        }
        let record = BlockRecord {
            number: info.number,
            hash: info.hash,
            parent_hash,
            timestamp: info.timestamp,
            gas_used: cumulative,
            logs_bloom: bloom,
            txs,
        };
        if self.verbosity > 0 {
            for tx in &record.txs {
                log_tx(&record, tx);
            }
        }
        record
    }

    /// Blocks, oldest first (the first is genesis or the block a saved state resumed from).
    pub fn blocks(&self) -> &[BlockRecord] {
        &self.blocks
    }

    pub fn head(&self) -> &BlockRecord {
        // There is always at least one block (genesis).
        &self.blocks[self.blocks.len() - 1]
    }

    pub fn block(&self, number: u64) -> Option<&BlockRecord> {
        let first = self.blocks.first()?.number;
        let index = usize::try_from(number.checked_sub(first)?).ok()?;
        self.blocks.get(index)
    }

    pub fn block_by_hash(&self, hash: &B256) -> Option<&BlockRecord> {
        self.blocks_by_hash
            .get(hash)
            .and_then(|n| self.block(*n))
            .filter(|b| b.hash == *hash)
    }

    pub fn transaction(&self, hash: &B256) -> Option<(&BlockRecord, &TxRecord)> {
        let (number, index) = self.txs.get(hash)?;
        let block = self.block(*number)?;
        Some((block, block.txs.get(*index)?))
    }

    /// Whether `hash` waits in the pool.
    pub fn pooled(&self, hash: &B256) -> Option<&SignedTx> {
        if !self.pool_hashes.contains(hash) {
            return None;
        }
        self.pool
            .values()
            .map(|p| &p.tx)
            .find(|t| t.hash() == *hash)
    }

    /// The nonce the next transaction of `address` should have, counting pooled ones.
    pub fn pending_nonce(&self, address: Address) -> u64 {
        let mut nonce = self.devnet.nonce(address);
        while self.pool.contains_key(&(address, nonce)) {
            nonce += 1;
        }
        nonce
    }

    fn check(&self, tx: &SignedTx) -> Result<(), RpcError> {
        use alloy_consensus::Transaction as _;
        let env = &tx.envelope;
        let state_nonce = self.devnet.nonce(tx.from);
        let nonce = env.nonce();
        if nonce < state_nonce {
            return Err(RpcError::tx(format!(
                "nonce too low: next nonce {state_nonce}, tx nonce {nonce}"
            )));
        }
        if nonce > state_nonce.saturating_add(MAX_NONCE_GAP) {
            return Err(RpcError::tx(format!(
                "nonce too high: next nonce {state_nonce}, tx nonce {nonce} (at most {MAX_NONCE_GAP} ahead)"
            )));
        }
        let config = self.devnet.config();
        if env.gas_limit() > config.block_gas_limit {
            return Err(RpcError::tx(format!(
                "exceeds block gas limit: gas {} > {}",
                env.gas_limit(),
                config.block_gas_limit
            )));
        }
        if env.gas_limit() < 21_000 {
            return Err(RpcError::tx(format!(
                "intrinsic gas too low: have {}, want 21000",
                env.gas_limit()
            )));
        }
        let max_fee = env.max_fee_per_gas();
        if max_fee < u128::from(config.base_fee) {
            return Err(RpcError::tx(format!(
                "max fee per gas less than block base fee: address {}, maxFeePerGas: {max_fee}, baseFee: {}",
                tx.from, config.base_fee
            )));
        }
        if let Some(priority) = env.max_priority_fee_per_gas() {
            if priority > max_fee {
                return Err(RpcError::tx(format!(
                    "max priority fee per gas higher than max fee per gas: address {}, maxPriorityFeePerGas: {priority}, maxFeePerGas: {max_fee}",
                    tx.from
                )));
            }
        }
        let cost = U256::from(env.gas_limit())
            .checked_mul(U256::from(max_fee))
            .and_then(|fee| fee.checked_add(env.value()));
        let balance = self.devnet.balance(tx.from);
        match cost {
            Some(cost) if cost <= balance => Ok(()),
            _ => Err(RpcError::tx(format!(
                "insufficient funds for gas * price + value: address {} have {balance} want {}",
                tx.from,
                cost.map_or_else(|| "more than 2^256".to_string(), |c| c.to_string())
            ))),
        }
    }

    /// Checks `tx` and adds it to the pool; with automine, runs it (and any queued successors)
    /// at once. Returns its hash.
    pub fn submit(&mut self, tx: SignedTx) -> Result<B256, RpcError> {
        let hash = tx.hash();
        if self.txs.contains_key(&hash) || self.pool_hashes.contains(&hash) {
            return Err(RpcError::tx("already known"));
        }
        self.check(&tx)?;
        let key = (tx.from, alloy_consensus::Transaction::nonce(&tx.envelope));
        if self.pool.contains_key(&key) {
            return Err(RpcError::tx(
                "replacement transaction underpriced: a transaction with this nonce is already pending",
            ));
        }
        if self.pool.len() >= MAX_POOL {
            return Err(RpcError::tx("txpool is full"));
        }
        let from = tx.from;
        self.seq += 1;
        self.pool_hashes.insert(hash);
        self.pool.insert(key, Pooled { tx, seq: self.seq });
        if self.automine {
            self.run_ready(from, hash)?;
        }
        Ok(hash)
    }

    /// Automine: runs the pooled transactions of `from` whose nonce is next, one block each.
    /// The error of `submitted`, if it was invalid when it ran, is returned.
    fn run_ready(&mut self, from: Address, submitted: B256) -> Result<(), RpcError> {
        let mut outcome = Ok(());
        loop {
            let nonce = self.devnet.nonce(from);
            let Some(pooled) = self.pool.remove(&(from, nonce)) else {
                break;
            };
            let hash = pooled.tx.hash();
            self.pool_hashes.remove(&hash);
            match self.devnet.transact(pooled.tx.request()) {
                Ok(_) => self.sync_with(Some(vec![pooled.tx])),
                Err(e) => {
                    if self.verbosity > 0 {
                        eprintln!("tx {hash} dropped: {e}");
                    }
                    if hash == submitted {
                        outcome = Err(invalid_tx(&e));
                    }
                    break;
                }
            }
        }
        outcome
    }

    /// Mines one block with every pooled transaction that can run (interval mining and
    /// `evm_mine`), in arrival order within each sender's nonce order.
    pub fn mine_pending(&mut self) {
        // Per sender, the contiguous run of nonces from the account's nonce.
        let mut runs: HashMap<Address, Vec<(Address, u64)>> = HashMap::new();
        let mut next: HashMap<Address, u64> = HashMap::new();
        for &(from, nonce) in self.pool.keys() {
            let expected = next.entry(from).or_insert_with(|| self.devnet.nonce(from));
            if nonce == *expected {
                *expected += 1;
                runs.entry(from).or_default().push((from, nonce));
            }
        }
        let mut heads: BinaryHeap<Reverse<(u64, Address, usize)>> = runs
            .iter()
            .map(|(from, run)| Reverse((self.pool[&run[0]].seq, *from, 0)))
            .collect();
        let mut chosen = Vec::new();
        while let Some(Reverse((_, from, i))) = heads.pop() {
            let run = &runs[&from];
            if let Some(pooled) = self.pool.remove(&run[i]) {
                self.pool_hashes.remove(&pooled.tx.hash());
                chosen.push(pooled.tx);
            }
            if let Some(key) = run.get(i + 1) {
                heads.push(Reverse((self.pool[key].seq, from, i + 1)));
            }
        }
        let requests: Vec<_> = chosen.iter().map(SignedTx::request).collect();
        let results = self.devnet.transact_block(&requests);
        let mut included = Vec::new();
        for (tx, result) in chosen.into_iter().zip(results) {
            match result {
                Ok(_) => included.push(tx),
                Err(e) => {
                    if self.verbosity > 0 {
                        eprintln!("tx {} dropped: {e}", tx.hash());
                    }
                }
            }
        }
        self.sync_with(Some(included));
    }

    /// Mines an empty block (automine) or the pending transactions (block time).
    pub fn mine(&mut self) {
        if self.automine {
            self.devnet.mine();
            self.sync();
        } else {
            self.mine_pending();
        }
    }

    /// Drops every pooled transaction (after `evm_revert`).
    pub fn clear_pool(&mut self) {
        self.pool.clear();
        self.pool_hashes.clear();
    }
}

/// The JSON-RPC error for a transaction the devnet refused to include.
pub(crate) fn invalid_tx(e: &DevnetError) -> RpcError {
    let message = match e {
        DevnetError::InvalidTransaction(m) => m.clone(),
        other => other.to_string(),
    };
    // revm's wording, prefixed with the message geth gives (what clients match on).
    let prefix = if message.contains("call gas cost") || message.contains("gas floor") {
        Some("intrinsic gas too low")
    } else if message.contains("lack of funds") {
        Some("insufficient funds for gas * price + value")
    } else if message.contains("too low, expected") {
        Some("nonce too low")
    } else if message.contains("senders with deployed code") {
        Some("sender not an eoa")
    } else {
        None
    };
    RpcError::tx(match prefix {
        Some(prefix) => format!("{prefix}: {message}"),
        None => message,
    })
}

fn log_tx(block: &BlockRecord, tx: &TxRecord) {
    let r = &tx.receipt;
    let status = if r.status {
        "ok".to_string()
    } else {
        match r.revert() {
            Some(revert) => format!("FAILED ({revert})"),
            None => "FAILED".to_string(),
        }
    };
    let target = match (tx.to(), r.contract_address) {
        (_, Some(created)) => format!("create {created}"),
        (Some(to), None) => format!("to {to}"),
        (None, None) => "in-process".to_string(),
    };
    eprintln!(
        "block {} tx {} from {} {} gas {} {}",
        block.number,
        tx.hash,
        tx.from(),
        target,
        r.gas_used,
        status
    );
    for line in &r.console {
        eprintln!("    console: {line}");
    }
}
