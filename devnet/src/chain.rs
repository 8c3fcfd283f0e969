//! The in-process chain: accounts, blocks, transactions, deployment, time and snapshots.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolError};
use revm::context::result::{ExecutionResult, Output};
use revm::context::transaction::{AccessList, AccessListItem};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::database::AccountState as DbAccountState;
use revm::database::DatabaseRef;
use revm::primitives::TxKind;
use revm::state::{AccountInfo, Bytecode};

use crate::evm::{self, Db, SPEC};
use crate::precompiles::{ArbWasm, ARB_SYS_ADDRESS, ARB_WASM_ADDRESS, ARB_WASM_CACHE_ADDRESS};
use crate::programs::ARBOS_STATE_ADDRESS;
use crate::receipt::{DevnetError, Receipt, Revert, TxRequest};
use crate::stylus::meter::{InkMeter, NitroMeter};
use crate::stylus::StylusRuntime;

/// Chain id of nitro-devnode, which the devnet mirrors.
pub const DEFAULT_CHAIN_ID: u64 = 412_346;
/// nitro-devnode's prefunded dev account.
pub const DEV_ACCOUNT: Address = address!("3f1Eae7D46d88F08fc2F8ed27FCb2AB183EB2d0E");
/// Private key of [`DEV_ACCOUNT`] (public knowledge; never use it on a real chain).
pub const DEV_PRIVATE_KEY: B256 =
    alloy_primitives::b256!("b6b15c8cb491557369f3c7d2c287b053eb229daa9c22138887752191c9520659");

/// How block timestamps advance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Follow the wall clock, plus any [`Devnet::warp`]s (the default, like a real node).
    Wall,
    /// Start at the given Unix time and move only by [`Devnet::warp`] (deterministic tests).
    Manual(u64),
}

/// Devnet configuration.
#[derive(Clone, Debug)]
pub struct DevnetConfig {
    /// Chain id.
    pub chain_id: u64,
    /// Base fee in wei (nitro-devnode: 0.1 gwei).
    pub base_fee: u64,
    /// Block gas limit.
    pub block_gas_limit: u64,
    /// Gas limit of transactions that do not set one.
    pub default_gas_limit: u64,
    /// Block coinbase.
    pub coinbase: Address,
    /// Timestamps.
    pub clock: Clock,
    /// Balance of [`DEV_ACCOUNT`] at genesis.
    pub dev_balance: U256,
    /// Also print programs' `console` output to stderr (it is always kept in receipts).
    pub echo_console: bool,
    /// The ArbOS version whose Stylus rules apply (reported by `ArbSys.arbOSVersion` as
    /// `55 + version`); see [`crate::params::DEFAULT_ARBOS_VERSION`].
    pub arbos_version: u64,
    /// Whether `ArbWasm.activateProgram` requires its data fee in `msg.value` (reverting with
    /// `ProgramInsufficientValue` otherwise) and keeps it, as nitro does. Off by default: the
    /// fee is waived (0; nitro's pricer still records the demand) and all value is refunded.
    pub charge_data_fee: bool,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            chain_id: DEFAULT_CHAIN_ID,
            base_fee: 100_000_000,
            block_gas_limit: 1 << 50,
            default_gas_limit: 30_000_000,
            coinbase: Address::ZERO,
            clock: Clock::Wall,
            dev_balance: U256::from(10u64).pow(U256::from(30u64)),
            echo_console: false,
            arbos_version: crate::params::DEFAULT_ARBOS_VERSION,
            charge_data_fee: false,
        }
    }
}

/// A mined block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    /// Number.
    pub number: u64,
    /// Unix timestamp.
    pub timestamp: u64,
    /// Hash (derived from the parent hash, number and timestamp; not a real header hash).
    pub hash: B256,
    /// Receipts of the block's transactions, in order.
    pub receipts: Vec<Receipt>,
}

/// Result of [`Devnet::deploy_wasm`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    /// The program's address.
    pub address: Address,
    /// Hash of the deployed code.
    pub codehash: B256,
    /// Size of the deployed (compressed, prefixed) code.
    pub code_size: usize,
    /// Size of the WASM after stripping custom sections.
    pub wasm_size: usize,
    /// Receipts of the creation, the activation (unless the code was already active) and the
    /// constructor call (if any).
    pub receipts: Vec<Receipt>,
}

impl Deployment {
    /// Total gas of the deployment transactions.
    pub fn gas_used(&self) -> u64 {
        self.receipts.iter().map(|r| r.gas_used).sum()
    }
}

/// An account as saved and restored by [`Devnet::dump_accounts`] / [`Devnet::set_account`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountState {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Code (empty for externally owned accounts).
    pub code: Bytes,
    /// Non-zero storage slots, sorted by slot.
    pub storage: Vec<(U256, U256)>,
}

/// Identifies a snapshot taken by [`Devnet::snapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SnapshotId(pub u64);

struct Snapshot {
    id: SnapshotId,
    db: Db,
    blocks: usize,
    time_offset: u64,
}

/// The in-process Stylus chain. `Send`, so a server can own it behind a lock.
pub struct Devnet {
    db: Db,
    runtime: StylusRuntime,
    config: DevnetConfig,
    /// ArbOS rules and the pending block's recent-programs cache.
    arb: evm::ArbChain,
    blocks: Vec<BlockInfo>,
    /// Seconds added to the clock by [`Devnet::warp`].
    time_offset: u64,
    snapshots: Vec<Snapshot>,
    next_snapshot: u64,
    console: Vec<String>,
}

impl std::fmt::Debug for Devnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Devnet")
            .field("chain_id", &self.config.chain_id)
            .field("block_number", &self.block_number())
            .field("runtime", &self.runtime)
            .finish_non_exhaustive()
    }
}

impl Default for Devnet {
    fn default() -> Self {
        Self::new()
    }
}

fn wall_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Init code that returns `code` as the new contract's code.
pub fn deploy_init_code(code: &[u8]) -> Vec<u8> {
    // PUSH2 len, DUP1, PUSH2 offset, PUSH1 0, CODECOPY, PUSH1 0, RETURN
    const PRELUDE_LEN: u16 = 13;
    let len = u16::try_from(code.len()).unwrap_or(u16::MAX);
    let mut init = Vec::with_capacity(code.len() + PRELUDE_LEN as usize);
    init.push(0x61);
    init.extend_from_slice(&len.to_be_bytes());
    init.push(0x80);
    init.push(0x61);
    init.extend_from_slice(&PRELUDE_LEN.to_be_bytes());
    init.extend_from_slice(&[0x60, 0x00, 0x39, 0x60, 0x00, 0xF3]);
    init.extend_from_slice(code);
    init
}

/// Calldata invoking an SDK `#[constructor]` with ABI-encoded `args`
/// (`abi_encode_params` of the argument tuple).
pub fn constructor_calldata(args: &[u8]) -> Vec<u8> {
    let selector = &keccak256(b"stylus_constructor()")[..4];
    [selector, args].concat()
}

impl Devnet {
    /// A chain with the default configuration: chain id 412346, [`DEV_ACCOUNT`] funded,
    /// wall-clock time.
    pub fn new() -> Self {
        Self::with_config(DevnetConfig::default())
    }

    /// A chain with `config`.
    pub fn with_config(config: DevnetConfig) -> Self {
        Self::with_meter(config, std::sync::Arc::new(NitroMeter))
    }

    /// A chain with `config` whose programs are metered by `meter` (the hook for exact
    /// per-basic-block ink).
    pub fn with_meter(config: DevnetConfig, meter: std::sync::Arc<dyn InkMeter>) -> Self {
        let mut db = Db::default();
        // System accounts carry code so that they are never pruned as empty.
        let marker = Bytecode::new_raw(Bytes::from_static(&[0xFE]));
        for system in [
            ARBOS_STATE_ADDRESS,
            ARB_WASM_ADDRESS,
            ARB_WASM_CACHE_ADDRESS,
            ARB_SYS_ADDRESS,
        ] {
            db.insert_account_info(
                system,
                AccountInfo {
                    nonce: 1,
                    code_hash: marker.hash_slow(),
                    code: Some(marker.clone()),
                    ..AccountInfo::default()
                },
            );
        }
        db.insert_account_info(
            DEV_ACCOUNT,
            AccountInfo {
                balance: config.dev_balance,
                ..AccountInfo::default()
            },
        );
        let timestamp = match config.clock {
            Clock::Wall => wall_clock(),
            Clock::Manual(start) => start,
        };
        let genesis = BlockInfo {
            number: 0,
            timestamp,
            hash: keccak256(b"devnet genesis"),
            receipts: Vec::new(),
        };
        Self {
            db,
            runtime: StylusRuntime::new(meter),
            arb: evm::ArbChain {
                arbos_version: config.arbos_version,
                charge_data_fee: config.charge_data_fee,
                ..evm::ArbChain::default()
            },
            config,
            blocks: vec![genesis],
            time_offset: 0,
            snapshots: Vec::new(),
            next_snapshot: 0,
            console: Vec::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DevnetConfig {
        &self.config
    }

    /// The ArbOS version whose rules the chain applies.
    pub fn arbos_version(&self) -> u64 {
        self.arb.arbos_version
    }

    /// Chain id.
    pub fn chain_id(&self) -> u64 {
        self.config.chain_id
    }

    fn head(&self) -> &BlockInfo {
        // Genesis is never removed.
        &self.blocks[self.blocks.len() - 1]
    }

    /// Number of the latest block.
    pub fn block_number(&self) -> u64 {
        self.head().number
    }

    /// Timestamp of the latest block.
    pub fn timestamp(&self) -> u64 {
        self.head().timestamp
    }

    /// Mined blocks, genesis first.
    pub fn blocks(&self) -> &[BlockInfo] {
        &self.blocks
    }

    /// Timestamp the next block will have.
    pub fn next_timestamp(&self) -> u64 {
        let base = match self.config.clock {
            Clock::Wall => wall_clock(),
            Clock::Manual(start) => start,
        };
        base.saturating_add(self.time_offset).max(self.timestamp())
    }

    /// Moves time forward by `seconds` for the next blocks.
    pub fn warp(&mut self, seconds: u64) {
        self.time_offset = self.time_offset.saturating_add(seconds);
    }

    /// Makes the next block's timestamp at least `timestamp`.
    pub fn set_next_timestamp(&mut self, timestamp: u64) {
        let next = self.next_timestamp();
        if timestamp > next {
            self.warp(timestamp - next);
        }
    }

    fn pending_block_env(&self) -> BlockEnv {
        BlockEnv {
            number: U256::from(self.block_number() + 1),
            beneficiary: self.config.coinbase,
            timestamp: U256::from(self.next_timestamp()),
            gas_limit: self.config.block_gas_limit,
            basefee: self.config.base_fee,
            difficulty: U256::ZERO,
            prevrandao: Some(B256::ZERO),
            ..BlockEnv::default()
        }
    }

    fn seal_block(&mut self, env: &BlockEnv, receipts: Vec<Receipt>) {
        let number: u64 = env.number.saturating_to();
        let timestamp: u64 = env.timestamp.saturating_to();
        let parent = self.head().hash;
        let hash = keccak256(
            [
                parent.as_slice(),
                &number.to_be_bytes(),
                &timestamp.to_be_bytes(),
            ]
            .concat(),
        );
        self.blocks.push(BlockInfo {
            number,
            timestamp,
            hash,
            receipts,
        });
        // The recent-programs cache lives for one block (geth's `StateDB.RecentWasms`).
        self.arb.recent_wasms = evm::RecentWasms::default();
    }

    /// Mines an empty block.
    pub fn mine(&mut self) {
        let env = self.pending_block_env();
        self.seal_block(&env, Vec::new());
    }

    /// Mines `n` empty blocks.
    pub fn mine_blocks(&mut self, n: u64) {
        for _ in 0..n {
            self.mine();
        }
    }

    /// Adds `amount` wei to `address`.
    pub fn fund(&mut self, address: Address, amount: U256) {
        let balance = self.balance(address).saturating_add(amount);
        self.set_balance(address, balance);
    }

    /// Sets the balance of `address`.
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        let mut info = self.account(address).unwrap_or_default();
        info.balance = balance;
        self.db.insert_account_info(address, info);
    }

    /// Balance of `address` in wei.
    pub fn balance(&self, address: Address) -> U256 {
        self.account(address).map(|a| a.balance).unwrap_or_default()
    }

    /// Nonce of `address`.
    pub fn nonce(&self, address: Address) -> u64 {
        self.account(address).map(|a| a.nonce).unwrap_or_default()
    }

    fn account(&self, address: Address) -> Option<AccountInfo> {
        self.db.basic_ref(address).ok().flatten()
    }

    /// Code of `address`.
    pub fn code(&self, address: Address) -> Bytes {
        let Some(info) = self.account(address) else {
            return Bytes::new();
        };
        if let Some(code) = info.code {
            return code.original_bytes();
        }
        self.db
            .code_by_hash_ref(info.code_hash)
            .map(|c| c.original_bytes())
            .unwrap_or_default()
    }

    /// Storage slot `slot` of `address`.
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.db.storage_ref(address, slot).unwrap_or_default()
    }

    /// Every account in the state with its code and non-zero storage (for saving the chain).
    pub fn dump_accounts(&self) -> std::collections::BTreeMap<Address, AccountState> {
        let mut out = std::collections::BTreeMap::new();
        for (address, account) in &self.db.cache.accounts {
            if matches!(account.account_state, DbAccountState::NotExisting) {
                continue;
            }
            let mut storage: Vec<(U256, U256)> = account
                .storage
                .iter()
                .filter(|(_, value)| !value.is_zero())
                .map(|(slot, value)| (*slot, *value))
                .collect();
            storage.sort();
            out.insert(
                *address,
                AccountState {
                    balance: account.info.balance,
                    nonce: account.info.nonce,
                    code: self.code(*address),
                    storage,
                },
            );
        }
        out
    }

    /// Replaces the account at `address` (balance, nonce, code and all storage).
    pub fn set_account(&mut self, address: Address, state: &AccountState) {
        let mut info = AccountInfo {
            balance: state.balance,
            nonce: state.nonce,
            ..AccountInfo::default()
        };
        if !state.code.is_empty() {
            let code = Bytecode::new_raw(state.code.clone());
            info.code_hash = code.hash_slow();
            info.code = Some(code);
        }
        self.db.insert_account_info(address, info);
        let storage = state.storage.iter().copied().collect();
        // The account was just inserted, so this cannot fail.
        let _ = self.db.replace_account_storage(address, storage);
    }

    /// Sets the code of `address` (like `anvil_setCode`); empty code removes it.
    pub fn set_code(&mut self, address: Address, code: Bytes) {
        let mut state = self.account_state(address);
        state.code = code;
        let mut info = self.account(address).unwrap_or_default();
        if state.code.is_empty() {
            info.code_hash = revm::primitives::KECCAK_EMPTY;
            info.code = None;
        } else {
            let code = Bytecode::new_raw(state.code);
            info.code_hash = code.hash_slow();
            info.code = Some(code);
        }
        self.db.insert_account_info(address, info);
    }

    /// Sets the nonce of `address`.
    pub fn set_nonce(&mut self, address: Address, nonce: u64) {
        let mut info = self.account(address).unwrap_or_default();
        info.nonce = nonce;
        self.db.insert_account_info(address, info);
    }

    /// Sets storage slot `slot` of `address`.
    pub fn set_storage(&mut self, address: Address, slot: U256, value: U256) {
        if self.account(address).is_none() {
            self.db.insert_account_info(address, AccountInfo::default());
        }
        // The account exists now, so this cannot fail.
        let _ = self.db.insert_account_storage(address, slot, value);
    }

    /// Clears all storage of `address`.
    pub fn clear_storage(&mut self, address: Address) {
        if self.account(address).is_some() {
            let _ = self.db.replace_account_storage(address, Default::default());
        }
    }

    fn account_state(&self, address: Address) -> AccountState {
        let info = self.account(address).unwrap_or_default();
        AccountState {
            balance: info.balance,
            nonce: info.nonce,
            code: self.code(address),
            storage: Vec::new(),
        }
    }

    /// Makes the chain continue from a saved head: the block history is replaced by one block
    /// `number` with `timestamp` and `hash` (used when loading a saved state). Snapshots are
    /// dropped.
    pub fn restore_head(&mut self, number: u64, timestamp: u64, hash: B256) {
        self.blocks = vec![BlockInfo {
            number,
            timestamp,
            hash,
            receipts: Vec::new(),
        }];
        self.snapshots.clear();
    }

    /// Number of compiled Stylus modules cached.
    pub fn cached_modules(&self) -> usize {
        self.runtime.cached_modules()
    }

    /// Takes the `console` output of Stylus programs so far.
    pub fn take_console(&mut self) -> Vec<String> {
        std::mem::take(&mut self.console)
    }

    fn tx_env(&self, req: &TxRequest, call: bool) -> TxEnv {
        let nonce = req.nonce.unwrap_or_else(|| self.nonce(req.from));
        let gas_price = req.gas_price.unwrap_or(if call {
            0
        } else {
            u128::from(self.config.base_fee)
        });
        let tx_type = if req.max_priority_fee_per_gas.is_some() {
            2
        } else if req.access_list.is_empty() {
            0
        } else {
            1
        };
        let access_list = AccessList(
            req.access_list
                .iter()
                .map(|(address, keys)| AccessListItem {
                    address: *address,
                    storage_keys: keys.clone(),
                })
                .collect(),
        );
        TxEnv {
            tx_type,
            caller: req.from,
            gas_limit: req.gas_limit.unwrap_or(self.config.default_gas_limit),
            gas_price,
            kind: match req.to {
                Some(to) => TxKind::Call(to),
                None => TxKind::Create,
            },
            value: req.value,
            data: req.input.clone(),
            nonce,
            chain_id: Some(self.config.chain_id),
            access_list,
            gas_priority_fee: req.max_priority_fee_per_gas,
            ..TxEnv::default()
        }
    }

    fn cfg_env(&self, call: bool) -> CfgEnv {
        let mut cfg = CfgEnv::new_with_spec(SPEC);
        cfg.chain_id = self.config.chain_id;
        // Arbitrum allows 0xEF-prefixed code for Stylus programs; the frame loop enforces the
        // narrower rule.
        cfg.disable_eip3541 = true;
        // Arbitrum does not apply EIP-7623's calldata floor (nitro's geth only enables it
        // when the chain config asks for it; Arbitrum One does not).
        cfg.disable_eip7623 = true;
        if call {
            cfg.disable_nonce_check = true;
            cfg.disable_balance_check = true;
            cfg.disable_base_fee = true;
            // `eth_call` may come "from" a contract.
            cfg.disable_eip3607 = true;
        }
        cfg
    }

    /// Runs `req` in the pending block; commits when `commit`.
    fn run(&mut self, req: &TxRequest, block: &BlockEnv, commit: bool) -> Result<Receipt, String> {
        let tx = self.tx_env(req, !commit);
        let cfg = self.cfg_env(!commit);
        // A call (`eth_call`) sees the block's cache but leaves it as it was.
        let mut scratch;
        let arb = if commit {
            &mut self.arb
        } else {
            scratch = self.arb.clone();
            &mut scratch
        };
        let executed = evm::execute(
            &mut self.db,
            block.clone(),
            cfg,
            tx,
            &mut self.runtime,
            arb,
            commit,
        );
        let result = executed.result?;
        let mut receipt = Receipt {
            status: result.is_success(),
            gas_used: result.tx_gas_used(),
            output: Bytes::new(),
            logs: Vec::new(),
            contract_address: None,
            block_number: block.number.saturating_to(),
            block_timestamp: block.timestamp.saturating_to(),
            halt_reason: None,
            console: executed.trace.console,
            program_failures: executed.trace.failures,
            frames: executed.trace.frames,
        };
        match result {
            ExecutionResult::Success { logs, output, .. } => {
                receipt.logs = logs;
                match output {
                    Output::Call(data) => receipt.output = data,
                    Output::Create(data, address) => {
                        receipt.output = data;
                        receipt.contract_address = address;
                    }
                }
            }
            ExecutionResult::Revert { output, .. } => receipt.output = output,
            ExecutionResult::Halt { reason, .. } => {
                receipt.halt_reason = Some(format!("halted: {reason:?}"));
            }
        }
        if commit {
            if self.config.echo_console {
                for line in &receipt.console {
                    eprintln!("[stylus console] {line}");
                }
            }
            self.console.extend(receipt.console.iter().cloned());
        }
        Ok(receipt)
    }

    /// Executes a transaction in a new block and returns its receipt (successful or not).
    ///
    /// # Errors
    ///
    /// [`DevnetError::InvalidTransaction`] if the transaction cannot be included (bad nonce,
    /// insufficient funds for gas and value, gas limit too low, ...); nothing changes then.
    pub fn transact(&mut self, req: TxRequest) -> Result<Receipt, DevnetError> {
        let block = self.pending_block_env();
        let receipt = self
            .run(&req, &block, true)
            .map_err(DevnetError::InvalidTransaction)?;
        self.seal_block(&block, vec![receipt.clone()]);
        Ok(receipt)
    }

    /// Executes `requests` in order in one new block (interval mining). Invalid requests are
    /// left out of the block (their entry is the error); the block is sealed even if empty.
    pub fn transact_block(&mut self, requests: &[TxRequest]) -> Vec<Result<Receipt, DevnetError>> {
        let block = self.pending_block_env();
        let results: Vec<Result<Receipt, DevnetError>> = requests
            .iter()
            .map(|req| {
                self.run(req, &block, true)
                    .map_err(DevnetError::InvalidTransaction)
            })
            .collect();
        let included = results.iter().filter_map(|r| r.as_ref().ok().cloned());
        self.seal_block(&block, included.collect());
        results
    }

    /// Executes `req` against the pending block without changing any state (like `eth_call`:
    /// no nonce or balance checks, gas price 0 unless set).
    ///
    /// # Errors
    ///
    /// [`DevnetError::InvalidTransaction`] if the call is malformed.
    pub fn call(&mut self, req: TxRequest) -> Result<Receipt, DevnetError> {
        let block = self.pending_block_env();
        self.run(&req, &block, false)
            .map_err(DevnetError::InvalidTransaction)
    }

    /// Sends `call` to `to` in a transaction and decodes its return value.
    ///
    /// # Errors
    ///
    /// A [`Revert`] carrying the revert data (decode it with [`Revert::decode`]), or the halt
    /// or rejection reason.
    pub fn send_call<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, Revert> {
        self.send_call_with_value(from, to, call, U256::ZERO)
    }

    /// [`Devnet::send_call`] with `value` wei attached.
    ///
    /// # Errors
    ///
    /// As [`Devnet::send_call`].
    pub fn send_call_with_value<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
        value: U256,
    ) -> Result<C::Return, Revert> {
        let req = TxRequest::call(from, to, call.abi_encode()).with_value(value);
        let receipt = self
            .transact(req)
            .map_err(|e| Revert::halted(e.to_string()))?;
        decode_return::<C>(&receipt)
    }

    /// Calls `to` with `call` without a transaction (`eth_call`) and decodes the result.
    ///
    /// # Errors
    ///
    /// As [`Devnet::send_call`].
    pub fn view<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, Revert> {
        let receipt = self
            .call(TxRequest::call(from, to, call.abi_encode()))
            .map_err(|e| Revert::halted(e.to_string()))?;
        decode_return::<C>(&receipt)
    }

    /// Deploys EVM `init_code` from `from` and returns the new contract's address.
    ///
    /// # Errors
    ///
    /// [`DevnetError::Deploy`] if the creation reverts or halts, or an invalid transaction.
    pub fn deploy_evm(&mut self, from: Address, init_code: &[u8]) -> Result<Address, DevnetError> {
        let receipt = self.transact(TxRequest::create(from, init_code.to_vec()))?;
        match (receipt.status, receipt.contract_address) {
            (true, Some(address)) => Ok(address),
            _ => Err(DevnetError::Deploy {
                step: "create",
                revert: receipt
                    .revert()
                    .unwrap_or_else(|| Revert::halted("no address")),
            }),
        }
    }

    /// Activates the Stylus program at `program` through `ArbWasm.activateProgram`.
    ///
    /// # Errors
    ///
    /// The revert ([`crate::ProgramNotActivated`]-style errors or `Error(string)` with nitro's
    /// validation message).
    pub fn activate(&mut self, from: Address, program: Address) -> Result<Receipt, Revert> {
        let block = self.pending_block_env();
        let req = self.activation_request(from, program, &block);
        let receipt = self
            .transact(req)
            .map_err(|e| Revert::halted(e.to_string()))?;
        match receipt.revert() {
            Some(revert) => Err(revert),
            None => Ok(receipt),
        }
    }

    /// Deploys a Stylus program from raw `wasm`: strips custom sections, compresses and
    /// prefixes it, creates it with init code, activates it and, if `constructor` is given,
    /// calls the SDK `#[constructor]` with those ABI-encoded arguments
    /// (`abi_encode_params` of the argument tuple). All in one block, atomically: if any step
    /// fails, nothing is deployed (the sender's nonce and balance are restored too).
    ///
    /// # Errors
    ///
    /// [`DevnetError::Program`] if the WASM breaks an activation rule (checked before
    /// deploying), [`DevnetError::Deploy`] with the failing step's revert otherwise.
    pub fn deploy_wasm(
        &mut self,
        from: Address,
        wasm: &[u8],
        constructor: Option<&[u8]>,
    ) -> Result<Deployment, DevnetError> {
        self.deploy_wasm_with_value(from, wasm, constructor, U256::ZERO)
    }

    /// [`Devnet::deploy_wasm`] sending `value` wei to a payable constructor.
    ///
    /// # Errors
    ///
    /// As [`Devnet::deploy_wasm`].
    pub fn deploy_wasm_with_value(
        &mut self,
        from: Address,
        wasm: &[u8],
        constructor: Option<&[u8]>,
        value: U256,
    ) -> Result<Deployment, DevnetError> {
        let wasm = stylus_program::strip(wasm);
        stylus_program::validate(&wasm)?;
        let code = stylus_program::compress(&wasm);
        if code.len() > stylus_program::MAX_CODE_SIZE {
            return Err(stylus_program::ValidationError::CodeTooLarge {
                size: code.len(),
                limit: stylus_program::MAX_CODE_SIZE,
            }
            .into());
        }
        let init = deploy_init_code(&code);
        let saved = self.db.clone();
        let block = self.pending_block_env();
        let result = self.deploy_steps(from, &init, constructor, value, &block);
        match result {
            Ok((address, receipts)) => {
                self.seal_block(&block, receipts.clone());
                Ok(Deployment {
                    address,
                    codehash: keccak256(&code),
                    code_size: code.len(),
                    wasm_size: wasm.len(),
                    receipts,
                })
            }
            Err(e) => {
                self.db = saved;
                Err(e)
            }
        }
    }

    /// The `activateProgram` transaction for `program`, carrying the data fee when the chain
    /// charges it (read first with a call, as `cargo stylus` does).
    fn activation_request(
        &mut self,
        from: Address,
        program: Address,
        block: &BlockEnv,
    ) -> TxRequest {
        let call = ArbWasm::activateProgramCall { program }.abi_encode();
        let req = TxRequest::call(from, ARB_WASM_ADDRESS, call);
        if !self.config.charge_data_fee {
            return req;
        }
        // Without value the call reverts with `ProgramInsufficientValue(have, want)`.
        let fee = self
            .run(&req, block, false)
            .ok()
            .and_then(|r| crate::ProgramInsufficientValue::abi_decode(&r.output).ok())
            .map_or(U256::ZERO, |e| e.want);
        req.with_value(fee)
    }

    fn deploy_steps(
        &mut self,
        from: Address,
        init: &[u8],
        constructor: Option<&[u8]>,
        value: U256,
        block: &BlockEnv,
    ) -> Result<(Address, Vec<Receipt>), DevnetError> {
        let step = |receipt: Receipt, step: &'static str| match receipt.revert() {
            Some(revert) => Err(DevnetError::Deploy { step, revert }),
            None => Ok(receipt),
        };
        let create = self
            .run(&TxRequest::create(from, init.to_vec()), block, true)
            .map_err(DevnetError::InvalidTransaction)?;
        let create = step(create, "create")?;
        let address = create.contract_address.ok_or_else(|| DevnetError::Deploy {
            step: "create",
            revert: Revert::halted("no contract address"),
        })?;
        let mut receipts = vec![create];
        // Programs are activated by code hash: the same code deployed again is already active.
        let codehash = keccak256(self.code(address));
        let version = ArbWasm::codehashVersionCall { codehash }.abi_encode();
        let active = self
            .run(
                &TxRequest::call(from, ARB_WASM_ADDRESS, version),
                block,
                false,
            )
            .is_ok_and(|r| r.status);
        if !active {
            let req = self.activation_request(from, address, block);
            let activate = self
                .run(&req, block, true)
                .map_err(DevnetError::InvalidTransaction)?;
            receipts.push(step(activate, "activate")?);
        }
        if let Some(args) = constructor {
            let req = TxRequest::call(from, address, constructor_calldata(args)).with_value(value);
            let ctor = self
                .run(&req, block, true)
                .map_err(DevnetError::InvalidTransaction)?;
            receipts.push(step(ctor, "constructor")?);
        }
        Ok((address, receipts))
    }

    /// [`Devnet::deploy_wasm`] reading the WASM from `path`.
    ///
    /// # Errors
    ///
    /// [`DevnetError::Io`] if the file cannot be read, else as [`Devnet::deploy_wasm`].
    pub fn deploy_wasm_file(
        &mut self,
        from: Address,
        path: impl AsRef<Path>,
        constructor: Option<&[u8]>,
    ) -> Result<Deployment, DevnetError> {
        let path = path.as_ref();
        let wasm =
            std::fs::read(path).map_err(|e| DevnetError::Io(format!("{}: {e}", path.display())))?;
        self.deploy_wasm(from, &wasm, constructor)
    }

    /// Saves the state (accounts, storage, programs, blocks, clock) and returns its id.
    pub fn snapshot(&mut self) -> SnapshotId {
        let id = SnapshotId(self.next_snapshot);
        self.next_snapshot += 1;
        self.snapshots.push(Snapshot {
            id,
            db: self.db.clone(),
            blocks: self.blocks.len(),
            time_offset: self.time_offset,
        });
        id
    }

    /// Restores the state saved as `id`. That snapshot and later ones are consumed (as in
    /// anvil's `evm_revert`). Returns `false` if `id` is unknown.
    pub fn revert_to(&mut self, id: SnapshotId) -> bool {
        let Some(index) = self.snapshots.iter().position(|s| s.id == id) else {
            return false;
        };
        let mut later = self.snapshots.split_off(index);
        let snapshot = later.remove(0);
        self.db = snapshot.db;
        self.blocks.truncate(snapshot.blocks);
        self.time_offset = snapshot.time_offset;
        self.arb.recent_wasms = evm::RecentWasms::default();
        true
    }
}

fn decode_return<C: SolCall>(receipt: &Receipt) -> Result<C::Return, Revert> {
    if let Some(revert) = receipt.revert() {
        return Err(revert);
    }
    C::abi_decode_returns(&receipt.output).map_err(|e| Revert {
        data: receipt.output.clone(),
        halt: Some(format!("cannot decode return data: {e}")),
        gas_used: receipt.gas_used,
        details: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_key_controls_dev_account() {
        let key = k256::ecdsa::SigningKey::from_slice(DEV_PRIVATE_KEY.as_slice()).expect("key");
        let point = key.verifying_key().to_encoded_point(false);
        let address = Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]);
        assert_eq!(address, DEV_ACCOUNT);
    }

    #[test]
    fn init_code_returns_the_code() {
        let init = deploy_init_code(&[0xAA, 0xBB]);
        assert_eq!(&init[..3], &[0x61, 0x00, 0x02]);
        assert_eq!(&init[13..], &[0xAA, 0xBB]);
        let mut chain = Devnet::with_config(DevnetConfig {
            clock: Clock::Manual(1_700_000_000),
            ..DevnetConfig::default()
        });
        let address = chain.deploy_evm(DEV_ACCOUNT, &init).expect("deploys");
        assert_eq!(chain.code(address), Bytes::from(vec![0xAA, 0xBB]));
        assert_eq!(
            chain.timestamp(),
            1_700_000_000,
            "manual clock stands still"
        );
        chain.warp(10);
        chain.mine();
        assert_eq!(chain.timestamp(), 1_700_000_010);
        assert_eq!(chain.block_number(), 2);
    }

    #[test]
    fn constructor_selector() {
        assert_eq!(
            &constructor_calldata(&[1])[..4],
            &keccak256(b"stylus_constructor()")[..4]
        );
    }
}
