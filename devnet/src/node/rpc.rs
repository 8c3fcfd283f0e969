//! JSON-RPC methods: parameter parsing, dispatch, and the error objects clients expect.

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_rpc_types_eth::state::StateOverride;
use alloy_rpc_types_eth::{FeeHistory, Filter, FilterBlockOption, TransactionRequest};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::chain::{FilterKind, NodeChain, MAX_LOG_BLOCK_RANGE};
use super::tx::{self, Unsigned};
use super::{convert, Shared};
use crate::{Receipt, SnapshotId, TxRequest};

/// Most logs one `eth_getLogs` query returns.
const MAX_LOGS: usize = 50_000;
/// Gas cap of `eth_call` / `eth_estimateGas` without an explicit gas (nitro's RPC gas cap).
const CALL_GAS_CAP: u64 = 50_000_000;
/// Most blocks one `anvil_mine` / `hardhat_mine` mines.
const MAX_MINE: u64 = 100_000;

/// A JSON-RPC error object.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// -32700.
    pub fn parse(message: impl Into<String>) -> Self {
        Self::new(-32700, message)
    }

    /// -32600.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(-32600, message)
    }

    /// -32601.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            -32601,
            format!("the method {method} does not exist/is not available"),
        )
    }

    /// -32602.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(-32602, message)
    }

    /// -32603.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(-32603, message)
    }

    /// -32000: a transaction the node refuses (geth's code for txpool rejections).
    pub fn tx(message: impl Into<String>) -> Self {
        Self::new(-32000, message)
    }

    /// 3: execution reverted, with the revert data (what clients decode custom errors from).
    fn reverted(receipt: &Receipt) -> Self {
        let data = receipt.output.clone();
        let message = match receipt.revert().and_then(|r| r.reason()) {
            Some(reason) => format!("execution reverted: {reason}"),
            None => "execution reverted".to_string(),
        };
        Self {
            code: 3,
            message,
            data: Some(json!(data)),
        }
    }

    /// The error for a failed call: revert (code 3) or halt (-32000 with the reason).
    fn failed(receipt: &Receipt) -> Self {
        match &receipt.halt_reason {
            None => Self::reverted(receipt),
            Some(halt) => {
                let mut message = halt.clone();
                for detail in &receipt.program_failures {
                    message.push_str(&format!(" ({detail})"));
                }
                Self::tx(message)
            }
        }
    }

    pub fn to_json(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = &self.data {
            error["data"] = data.clone();
        }
        error
    }
}

/// Positional parameters.
struct Params<'a>(&'a [Value]);

impl Params<'_> {
    fn opt<T: DeserializeOwned>(&self, i: usize, name: &str) -> Result<Option<T>, RpcError> {
        match self.0.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|e| RpcError::invalid_params(format!("invalid {name}: {e}"))),
        }
    }

    fn get<T: DeserializeOwned>(&self, i: usize, name: &str) -> Result<T, RpcError> {
        self.opt(i, name)?
            .ok_or_else(|| RpcError::invalid_params(format!("missing parameter {i}: {name}")))
    }

    /// A quantity given as a JSON number, a hex `0x..` string or a decimal string.
    fn quantity(&self, i: usize, name: &str) -> Result<Option<u64>, RpcError> {
        let bad = || RpcError::invalid_params(format!("invalid {name}: expected a quantity"));
        match self.0.get(i) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or_else(bad),
            Some(Value::String(s)) => {
                let parsed = match s.strip_prefix("0x") {
                    Some(hex) => u64::from_str_radix(hex, 16),
                    None => s.parse(),
                };
                parsed.map(Some).map_err(|_| bad())
            }
            Some(_) => Err(bad()),
        }
    }
}

/// Runs `method` with `params` (a JSON array, or absent).
pub(crate) fn dispatch(shared: &Shared, method: &str, params: &Value) -> Result<Value, RpcError> {
    let params = match params {
        Value::Null => &[][..],
        Value::Array(items) => items.as_slice(),
        _ => {
            return Err(RpcError::invalid_params(
                "params must be an array (by-name parameters are not supported)",
            ))
        }
    };
    let p = Params(params);
    let config = &shared.config;
    if config.verbosity > 1 {
        eprintln!("rpc {method}");
    }
    let mut chain = shared.lock();
    let chain = &mut *chain;
    let value = match method {
        "web3_clientVersion" => json!(format!("devnet/v{}/stylus", env!("CARGO_PKG_VERSION"))),
        "web3_sha3" => json!(alloy_primitives::keccak256(p.get::<Bytes>(0, "data")?)),
        "net_version" => json!(chain.devnet().chain_id().to_string()),
        "net_listening" => json!(true),
        "net_peerCount" => json!("0x0"),
        "eth_chainId" => json!(U256::from(chain.devnet().chain_id())),
        "eth_syncing" => json!(false),
        "eth_mining" => json!(chain.automine),
        "eth_hashrate" => json!("0x0"),
        "eth_coinbase" => json!(chain.devnet().config().coinbase),
        "eth_accounts" | "personal_listAccounts" => {
            json!(chain.accounts().iter().map(|a| a.0).collect::<Vec<_>>())
        }
        "eth_blockNumber" => json!(U256::from(chain.head().number)),
        "eth_gasPrice" | "eth_blobBaseFee" => json!(U256::from(chain.devnet().config().base_fee)),
        "eth_maxPriorityFeePerGas" => json!("0x0"),
        "eth_feeHistory" => fee_history(chain, &p)?,
        "eth_getBalance" => {
            let address: Address = p.get(0, "address")?;
            state_block(chain, &p, 1)?;
            json!(chain.devnet().balance(address))
        }
        "eth_getCode" => {
            let address: Address = p.get(0, "address")?;
            state_block(chain, &p, 1)?;
            json!(chain.devnet().code(address))
        }
        "eth_getStorageAt" => {
            let address: Address = p.get(0, "address")?;
            let slot: U256 = p.get(1, "slot")?;
            state_block(chain, &p, 2)?;
            json!(B256::from(chain.devnet().storage(address, slot)))
        }
        "eth_getTransactionCount" => {
            let address: Address = p.get(0, "address")?;
            let pending = matches!(
                p.opt::<BlockId>(1, "block")?,
                Some(BlockId::Number(BlockNumberOrTag::Pending))
            );
            if !pending {
                state_block(chain, &p, 1)?;
            }
            let nonce = if pending {
                chain.pending_nonce(address)
            } else {
                chain.devnet().nonce(address)
            };
            json!(U256::from(nonce))
        }
        "eth_call" => {
            let request: TransactionRequest = p.get(0, "transaction")?;
            state_block(chain, &p, 1)?;
            let overrides: Option<StateOverride> = p.opt(2, "state overrides")?;
            let receipt = call(chain, &request, overrides.as_ref(), None)?;
            if !receipt.status {
                return Err(RpcError::failed(&receipt));
            }
            json!(receipt.output)
        }
        "eth_estimateGas" => {
            let request: TransactionRequest = p.get(0, "transaction")?;
            state_block(chain, &p, 1)?;
            let overrides: Option<StateOverride> = p.opt(2, "state overrides")?;
            json!(U256::from(estimate_gas(
                chain,
                &request,
                overrides.as_ref()
            )?))
        }
        "eth_sendRawTransaction" => {
            let raw: Bytes = p.get(0, "raw transaction")?;
            let signed = tx::decode_raw(&raw, chain.devnet().chain_id()).map_err(|e| match e {
                tx::DecodeError::Malformed(_) => RpcError::invalid_params(e.to_string()),
                _ => RpcError::tx(e.to_string()),
            })?;
            json!(chain.submit(signed)?)
        }
        "eth_sendTransaction" => {
            let request: TransactionRequest = p.get(0, "transaction")?;
            json!(send_transaction(chain, request)?)
        }
        "eth_getTransactionByHash" => {
            let hash: B256 = p.get(0, "transaction hash")?;
            match chain.transaction(&hash) {
                Some((block, tx)) => {
                    json!(convert::transaction(block, tx, chain.devnet().chain_id()))
                }
                None => chain
                    .pooled(&hash)
                    .map_or(Value::Null, |t| json!(convert::pending_transaction(t))),
            }
        }
        "eth_getTransactionReceipt" => {
            let hash: B256 = p.get(0, "transaction hash")?;
            chain
                .transaction(&hash)
                .map_or(Value::Null, |(b, t)| json!(convert::receipt(b, t)))
        }
        "eth_getBlockByNumber" => {
            let tag: BlockNumberOrTag = p.get(0, "block")?;
            let full = p.opt::<bool>(1, "full transactions")?.unwrap_or(false);
            block_number(chain, tag)
                .and_then(|n| chain.block(n))
                .map_or(Value::Null, |b| {
                    json!(convert::block(b, full, chain.devnet().config()))
                })
        }
        "eth_getBlockByHash" => {
            let hash: B256 = p.get(0, "block hash")?;
            let full = p.opt::<bool>(1, "full transactions")?.unwrap_or(false);
            chain.block_by_hash(&hash).map_or(Value::Null, |b| {
                json!(convert::block(b, full, chain.devnet().config()))
            })
        }
        "eth_getBlockTransactionCountByNumber" => {
            let tag: BlockNumberOrTag = p.get(0, "block")?;
            block_number(chain, tag)
                .and_then(|n| chain.block(n))
                .map_or(Value::Null, |b| json!(U256::from(b.txs.len())))
        }
        "eth_getBlockTransactionCountByHash" => {
            let hash: B256 = p.get(0, "block hash")?;
            chain
                .block_by_hash(&hash)
                .map_or(Value::Null, |b| json!(U256::from(b.txs.len())))
        }
        "eth_getTransactionByBlockNumberAndIndex" | "eth_getTransactionByBlockHashAndIndex" => {
            let block = if method.contains("Hash") {
                let hash: B256 = p.get(0, "block hash")?;
                chain.block_by_hash(&hash)
            } else {
                let tag: BlockNumberOrTag = p.get(0, "block")?;
                block_number(chain, tag).and_then(|n| chain.block(n))
            };
            let index = p
                .quantity(1, "index")?
                .ok_or_else(|| RpcError::invalid_params("missing parameter 1: index"))?;
            block
                .and_then(|b| {
                    let tx = b.txs.get(usize::try_from(index).ok()?)?;
                    Some(json!(convert::transaction(
                        b,
                        tx,
                        chain.devnet().chain_id()
                    )))
                })
                .unwrap_or(Value::Null)
        }
        "eth_getBlockReceipts" => {
            let id: BlockId = p.get(0, "block")?;
            let block = match id {
                BlockId::Hash(h) => chain.block_by_hash(&h.block_hash),
                BlockId::Number(tag) => block_number(chain, tag).and_then(|n| chain.block(n)),
            };
            block.map_or(Value::Null, |b| {
                json!(b
                    .txs
                    .iter()
                    .map(|t| convert::receipt(b, t))
                    .collect::<Vec<_>>())
            })
        }
        "eth_getLogs" => {
            let filter: Filter = p.get(0, "filter")?;
            json!(get_logs(chain, &filter)?)
        }
        "eth_newFilter" => {
            let filter: Filter = p.get(0, "filter")?;
            let head = chain.head().number;
            json!(U256::from(
                chain
                    .filters
                    .install(FilterKind::Logs(Box::new(filter)), head)?
            ))
        }
        "eth_newBlockFilter" => {
            let head = chain.head().number;
            json!(U256::from(chain.filters.install(FilterKind::Blocks, head)?))
        }
        "eth_newPendingTransactionFilter" => {
            let head = chain.head().number;
            json!(U256::from(
                chain
                    .filters
                    .install(FilterKind::PendingTransactions, head)?
            ))
        }
        "eth_getFilterChanges" | "eth_getFilterLogs" => {
            let id = filter_id(&p)?;
            filter_results(chain, id, method == "eth_getFilterChanges")?
        }
        "eth_uninstallFilter" => {
            let id = filter_id(&p)?;
            json!(chain.filters.uninstall(id))
        }
        "evm_increaseTime" => {
            let seconds = p
                .quantity(0, "seconds")?
                .ok_or_else(|| RpcError::invalid_params("missing parameter 0: seconds"))?;
            chain.devnet_mut().warp(seconds);
            json!(seconds)
        }
        "evm_setNextBlockTimestamp" | "anvil_setNextBlockTimestamp" => {
            let timestamp = p
                .quantity(0, "timestamp")?
                .ok_or_else(|| RpcError::invalid_params("missing parameter 0: timestamp"))?;
            set_next_timestamp(chain, timestamp)?;
            Value::Null
        }
        "evm_mine" => {
            let (timestamp, blocks) = match p.0.first() {
                Some(Value::Object(options)) => {
                    let ts = options.get("timestamp").cloned().unwrap_or(Value::Null);
                    let n = options.get("blocks").cloned().unwrap_or(Value::Null);
                    let opts = [ts, n];
                    let q = Params(&opts);
                    (q.quantity(0, "timestamp")?, q.quantity(1, "blocks")?)
                }
                _ => (p.quantity(0, "timestamp")?, None),
            };
            if let Some(ts) = timestamp {
                set_next_timestamp(chain, ts)?;
            }
            mine_blocks(chain, blocks.unwrap_or(1), 0)?;
            json!("0x0")
        }
        "anvil_mine" | "hardhat_mine" => {
            let blocks = p.quantity(0, "blocks")?.unwrap_or(1);
            let interval = p.quantity(1, "interval")?.unwrap_or(0);
            mine_blocks(chain, blocks, interval)?;
            Value::Null
        }
        "evm_snapshot" | "anvil_snapshot" => {
            json!(U256::from(chain.devnet_mut().snapshot().0))
        }
        "evm_revert" | "anvil_revert" => {
            let id = p
                .quantity(0, "snapshot id")?
                .ok_or_else(|| RpcError::invalid_params("missing parameter 0: snapshot id"))?;
            let reverted = chain.devnet_mut().revert_to(SnapshotId(id));
            if reverted {
                chain.clear_pool();
                chain.sync();
            }
            json!(reverted)
        }
        "anvil_setBalance" | "hardhat_setBalance" => {
            let address: Address = p.get(0, "address")?;
            let balance: U256 = p.get(1, "balance")?;
            chain.devnet_mut().set_balance(address, balance);
            Value::Null
        }
        "anvil_setCode" | "hardhat_setCode" => {
            let address: Address = p.get(0, "address")?;
            let code: Bytes = p.get(1, "code")?;
            chain.devnet_mut().set_code(address, code);
            Value::Null
        }
        "anvil_setNonce" | "hardhat_setNonce" => {
            let address: Address = p.get(0, "address")?;
            let nonce = p
                .quantity(1, "nonce")?
                .ok_or_else(|| RpcError::invalid_params("missing parameter 1: nonce"))?;
            chain.devnet_mut().set_nonce(address, nonce);
            Value::Null
        }
        "anvil_setStorageAt" | "hardhat_setStorageAt" => {
            let address: Address = p.get(0, "address")?;
            let slot: U256 = p.get(1, "slot")?;
            let value: B256 = p.get(2, "value")?;
            chain
                .devnet_mut()
                .set_storage(address, slot, U256::from_be_bytes(value.0));
            json!(true)
        }
        _ => return Err(RpcError::method_not_found(method)),
    };
    Ok(value)
}

fn filter_id(p: &Params<'_>) -> Result<u64, RpcError> {
    p.quantity(0, "filter id")?
        .ok_or_else(|| RpcError::invalid_params("missing parameter 0: filter id"))
}

/// `eth_getFilterChanges` (what is new since the last poll) or `eth_getFilterLogs` (every
/// log matching a log filter).
fn filter_results(chain: &mut NodeChain, id: u64, changes: bool) -> Result<Value, RpcError> {
    let head = chain.head().number;
    let filter = chain
        .filters
        .poll(id)
        .ok_or_else(|| RpcError::tx("filter not found"))?;
    // After evm_revert the chain may be shorter than what was reported.
    let since = filter.last_block.min(head);
    let kind = filter.kind.clone();
    if changes {
        filter.last_block = head;
    }
    match kind {
        FilterKind::PendingTransactions => Ok(json!([])),
        FilterKind::Blocks if changes => {
            let hashes: Vec<B256> = (since + 1..=head)
                .filter_map(|n| chain.block(n).map(|b| b.hash))
                .collect();
            Ok(json!(hashes))
        }
        FilterKind::Blocks => Err(RpcError::invalid_params(
            "eth_getFilterLogs needs a log filter",
        )),
        FilterKind::Logs(filter) => {
            let filter = if changes {
                let from = match filter.block_option {
                    FilterBlockOption::Range {
                        from_block: Some(from),
                        ..
                    } => block_number(chain, from).unwrap_or(0).max(since + 1),
                    _ => since + 1,
                };
                let to = match filter.block_option {
                    FilterBlockOption::Range {
                        to_block: Some(to), ..
                    } => block_number(chain, to).unwrap_or(head).min(head),
                    _ => head,
                };
                if from > to {
                    return Ok(json!([]));
                }
                (*filter).from_block(from).to_block(to)
            } else {
                *filter
            };
            Ok(json!(get_logs(chain, &filter)?))
        }
    }
}

/// Checks that a state query targets the latest state (the only one the devnet keeps).
fn state_block(chain: &NodeChain, p: &Params<'_>, i: usize) -> Result<(), RpcError> {
    let head = chain.head();
    let ok = match p.opt::<BlockId>(i, "block")? {
        None => true,
        Some(BlockId::Hash(h)) => h.block_hash == head.hash,
        Some(BlockId::Number(tag)) => match tag {
            BlockNumberOrTag::Number(n) => n == head.number,
            BlockNumberOrTag::Earliest => chain.blocks().len() == 1,
            _ => true,
        },
    };
    if ok {
        Ok(())
    } else {
        Err(RpcError::tx(format!(
            "historical state is not available: the devnet keeps only the latest state (block {})",
            head.number
        )))
    }
}

fn block_number(chain: &NodeChain, tag: BlockNumberOrTag) -> Option<u64> {
    match tag {
        BlockNumberOrTag::Number(n) => Some(n),
        BlockNumberOrTag::Earliest => chain.blocks().first().map(|b| b.number),
        _ => Some(chain.head().number),
    }
}

fn set_next_timestamp(chain: &mut NodeChain, timestamp: u64) -> Result<(), RpcError> {
    let latest = chain.head().timestamp;
    if timestamp < latest {
        return Err(RpcError::tx(format!(
            "timestamp {timestamp} is before the latest block's timestamp {latest}"
        )));
    }
    chain.devnet_mut().set_next_timestamp(timestamp);
    Ok(())
}

fn mine_blocks(chain: &mut NodeChain, blocks: u64, interval: u64) -> Result<(), RpcError> {
    if blocks > MAX_MINE {
        return Err(RpcError::invalid_params(format!(
            "at most {MAX_MINE} blocks at once"
        )));
    }
    for i in 0..blocks {
        if i > 0 && interval > 0 {
            chain.devnet_mut().warp(interval);
        }
        chain.mine();
    }
    Ok(())
}

fn fee_history(chain: &NodeChain, p: &Params<'_>) -> Result<Value, RpcError> {
    let count = p
        .quantity(0, "block count")?
        .ok_or_else(|| RpcError::invalid_params("missing parameter 0: block count"))?
        .min(1024);
    let newest: BlockNumberOrTag = p.get(1, "newest block")?;
    let percentiles: Option<Vec<f64>> = p.opt(2, "reward percentiles")?;
    let head = chain.head().number;
    let newest = block_number(chain, newest).unwrap_or(head).min(head);
    let first = chain.blocks()[0].number;
    let oldest = newest.saturating_add(1).saturating_sub(count).max(first);
    let n = usize::try_from(newest + 1 - oldest).unwrap_or(0);
    let config = chain.devnet().config();
    let base_fee = u128::from(config.base_fee);
    let gas_used_ratio = (oldest..=newest)
        .map(|b| {
            chain
                .block(b)
                .map_or(0.0, |b| b.gas_used as f64 / config.block_gas_limit as f64)
        })
        .collect();
    let history = FeeHistory {
        base_fee_per_gas: vec![base_fee; n + 1],
        gas_used_ratio,
        base_fee_per_blob_gas: vec![0; n + 1],
        blob_gas_used_ratio: vec![0.0; n],
        oldest_block: oldest,
        reward: percentiles.map(|p| vec![vec![0u128; p.len()]; n]),
    };
    Ok(json!(history))
}

/// The devnet request for an `eth_call` / `eth_estimateGas` transaction object.
fn call_request(chain: &NodeChain, request: &TransactionRequest) -> Result<TxRequest, RpcError> {
    let input = request
        .input
        .unique_input()
        .map_err(|e| RpcError::invalid_params(e.to_string()))?
        .cloned()
        .unwrap_or_default();
    let to = match request.to {
        Some(TxKind::Call(to)) => Some(to),
        _ => None,
    };
    if let Some(id) = request.chain_id {
        if id != chain.devnet().chain_id() {
            return Err(RpcError::invalid_params(format!(
                "invalid chain id {id}, expected {}",
                chain.devnet().chain_id()
            )));
        }
    }
    let access_list = request
        .access_list
        .as_ref()
        .map(|list| {
            list.iter()
                .map(|item| (item.address, item.storage_keys.clone()))
                .collect()
        })
        .unwrap_or_default();
    Ok(TxRequest {
        from: request.from.unwrap_or_default(),
        to,
        input,
        value: request.value.unwrap_or_default(),
        gas_limit: Some(
            request
                .gas
                .unwrap_or(CALL_GAS_CAP)
                .min(chain.devnet().config().block_gas_limit),
        ),
        gas_price: request.gas_price.or(request.max_fee_per_gas),
        nonce: None,
        max_priority_fee_per_gas: None,
        access_list,
    })
}

/// Runs `request` without changing state, with `overrides` applied for the call only.
fn call(
    chain: &mut NodeChain,
    request: &TransactionRequest,
    overrides: Option<&StateOverride>,
    gas: Option<u64>,
) -> Result<Receipt, RpcError> {
    let mut req = call_request(chain, request)?;
    if gas.is_some() {
        req.gas_limit = gas;
    }
    let devnet = chain.devnet_mut();
    let snapshot = match overrides {
        Some(overrides) if !overrides.is_empty() => {
            let id = devnet.snapshot();
            for (address, o) in overrides {
                if o.state.is_some() && o.state_diff.is_some() {
                    devnet.revert_to(id);
                    return Err(RpcError::invalid_params(format!(
                        "account {address} has both 'state' and 'stateDiff'"
                    )));
                }
                if let Some(balance) = o.balance {
                    devnet.set_balance(*address, balance);
                }
                if let Some(nonce) = o.nonce {
                    devnet.set_nonce(*address, nonce);
                }
                if let Some(code) = &o.code {
                    devnet.set_code(*address, code.clone());
                }
                if let Some(state) = &o.state {
                    devnet.clear_storage(*address);
                    for (slot, value) in state {
                        devnet.set_storage(
                            *address,
                            U256::from_be_bytes(slot.0),
                            U256::from_be_bytes(value.0),
                        );
                    }
                }
                if let Some(diff) = &o.state_diff {
                    for (slot, value) in diff {
                        devnet.set_storage(
                            *address,
                            U256::from_be_bytes(slot.0),
                            U256::from_be_bytes(value.0),
                        );
                    }
                }
            }
            Some(id)
        }
        _ => None,
    };
    let result = devnet.call(req);
    if let Some(id) = snapshot {
        devnet.revert_to(id);
    }
    result.map_err(|e| super::chain::invalid_tx(&e))
}

/// Smallest gas limit with which `request` succeeds (binary search, as geth does).
fn estimate_gas(
    chain: &mut NodeChain,
    request: &TransactionRequest,
    overrides: Option<&StateOverride>,
) -> Result<u64, RpcError> {
    let cap = request
        .gas
        .unwrap_or(CALL_GAS_CAP)
        .min(chain.devnet().config().block_gas_limit);
    let first = call(chain, request, overrides, Some(cap))?;
    if !first.status {
        if first.halt_reason.is_some() && first.gas_used >= cap {
            return Err(RpcError::tx(format!(
                "gas required exceeds allowance ({cap})"
            )));
        }
        return Err(RpcError::failed(&first));
    }
    let mut lo = first.gas_used.saturating_sub(1).max(20_999);
    let mut hi = cap;
    // Most transactions need little more than they use: try that first.
    let guess = first
        .gas_used
        .saturating_add(first.gas_used / 63)
        .saturating_add(2_300)
        .min(cap);
    if guess > lo && guess < hi {
        if call(chain, request, overrides, Some(guess))?.status {
            hi = guess;
        } else {
            lo = guess;
        }
    }
    while lo + 1 < hi {
        let mid = lo + (hi - lo) / 2;
        if call(chain, request, overrides, Some(mid))?.status {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// `eth_sendTransaction` from an unlocked dev account: fill, sign, submit.
fn send_transaction(chain: &mut NodeChain, request: TransactionRequest) -> Result<B256, RpcError> {
    let from = request
        .from
        .ok_or_else(|| RpcError::invalid_params("missing 'from'"))?;
    let key = chain
        .accounts()
        .iter()
        .find(|(a, _)| *a == from)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            RpcError::tx(format!(
                "no private key for {from}: eth_sendTransaction signs only for the dev accounts (eth_accounts); sign other transactions and use eth_sendRawTransaction"
            ))
        })?;
    let chain_id = chain.devnet().chain_id();
    let base_fee = u128::from(chain.devnet().config().base_fee);
    let input = request
        .input
        .unique_input()
        .map_err(|e| RpcError::invalid_params(e.to_string()))?
        .cloned()
        .unwrap_or_default();
    let gas_limit = match request.gas {
        Some(gas) => gas,
        None => estimate_gas(chain, &request, None)?,
    };
    let priority = request.max_priority_fee_per_gas.unwrap_or(0);
    let unsigned = Unsigned {
        chain_id,
        nonce: request.nonce.unwrap_or_else(|| chain.pending_nonce(from)),
        gas_limit,
        to: request.to.unwrap_or(TxKind::Create),
        value: request.value.unwrap_or_default(),
        input,
        gas_price: request.gas_price,
        max_fee_per_gas: request
            .max_fee_per_gas
            .unwrap_or(base_fee.saturating_mul(2).saturating_add(priority)),
        max_priority_fee_per_gas: priority,
        access_list: request.access_list.clone(),
    };
    if let Some(id) = request.chain_id {
        if id != chain_id {
            return Err(RpcError::tx(format!(
                "invalid chain id for signer: have {id} want {chain_id}"
            )));
        }
    }
    let envelope =
        tx::sign_unsigned(unsigned, &key).ok_or_else(|| RpcError::internal("signing failed"))?;
    chain.submit(tx::SignedTx { envelope, from })
}

fn get_logs(chain: &NodeChain, filter: &Filter) -> Result<Vec<alloy_rpc_types_eth::Log>, RpcError> {
    let (from, to) = match filter.block_option {
        FilterBlockOption::AtBlockHash(hash) => match chain.block_by_hash(&hash) {
            Some(b) => (b.number, b.number),
            None => return Err(RpcError::tx(format!("unknown block {hash}"))),
        },
        FilterBlockOption::Range {
            from_block,
            to_block,
        } => {
            let head = chain.head().number;
            let from = block_number(chain, from_block.unwrap_or_default()).unwrap_or(head);
            let to = block_number(chain, to_block.unwrap_or_default())
                .unwrap_or(head)
                .min(head);
            (from, to)
        }
    };
    if from > to {
        if from > chain.head().number {
            return Ok(Vec::new());
        }
        return Err(RpcError::invalid_params(format!(
            "invalid block range: fromBlock {from} is after toBlock {to}"
        )));
    }
    if to - from >= MAX_LOG_BLOCK_RANGE {
        return Err(RpcError::new(
            -32005,
            format!("query exceeds max block range {MAX_LOG_BLOCK_RANGE}"),
        ));
    }
    let mut out = Vec::new();
    for number in from..=to {
        let Some(block) = chain.block(number) else {
            continue;
        };
        if !filter.matches_bloom(block.logs_bloom) {
            continue;
        }
        for tx in &block.txs {
            for log in convert::logs(block, tx) {
                if filter.matches(&log.inner) {
                    out.push(log);
                    if out.len() > MAX_LOGS {
                        return Err(RpcError::new(
                            -32005,
                            format!("query returned more than {MAX_LOGS} results"),
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}
