//! Transaction requests, receipts, reverts and errors.

use std::fmt;

use alloy_primitives::{Address, Bytes, Log, B256, U256};
use alloy_sol_types::{Panic, Revert as RevertString, SolError, SolEvent, SolInterface};

/// A transaction (or call) to run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TxRequest {
    /// Sender.
    pub from: Address,
    /// Recipient; `None` creates a contract with `input` as init code.
    pub to: Option<Address>,
    /// Calldata or init code.
    pub input: Bytes,
    /// Wei sent.
    pub value: U256,
    /// Gas limit; the devnet's default when `None`.
    pub gas_limit: Option<u64>,
    /// Gas price in wei; the block base fee when `None`.
    pub gas_price: Option<u128>,
    /// Nonce; the sender's current nonce when `None`.
    pub nonce: Option<u64>,
    /// EIP-1559 priority fee: when set, the transaction is type 2 and `gas_price` is its
    /// `maxFeePerGas` (the sender pays `min(maxFeePerGas, baseFee + priorityFee)` per gas).
    pub max_priority_fee_per_gas: Option<u128>,
    /// EIP-2930 access list (addresses and storage keys warmed up front, paid for in
    /// intrinsic gas); a non-empty list makes a legacy request type 1.
    pub access_list: Vec<(Address, Vec<B256>)>,
}

impl TxRequest {
    /// A call of `to` with `input`.
    pub fn call(from: Address, to: Address, input: impl Into<Bytes>) -> Self {
        Self {
            from,
            to: Some(to),
            input: input.into(),
            ..Self::default()
        }
    }

    /// A contract creation running `init_code`.
    pub fn create(from: Address, init_code: impl Into<Bytes>) -> Self {
        Self {
            from,
            to: None,
            input: init_code.into(),
            ..Self::default()
        }
    }

    /// Sets the value sent.
    pub fn with_value(mut self, value: U256) -> Self {
        self.value = value;
        self
    }

    /// Sets the gas limit.
    pub fn with_gas_limit(mut self, gas_limit: u64) -> Self {
        self.gas_limit = Some(gas_limit);
        self
    }
}

/// Outcome of an executed transaction or call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Whether execution succeeded.
    pub status: bool,
    /// Gas used, after refunds (as in an Ethereum receipt; no L1 data fee).
    pub gas_used: u64,
    /// Return data on success, revert data on revert, empty on halt.
    pub output: Bytes,
    /// Logs emitted (empty unless successful).
    pub logs: Vec<Log>,
    /// Address of the contract created, for successful creations.
    pub contract_address: Option<Address>,
    /// Block the transaction ran in (the pending block for calls).
    pub block_number: u64,
    /// Timestamp of that block.
    pub block_timestamp: u64,
    /// Why execution halted (out of gas, program failure, ...), if it did.
    pub halt_reason: Option<String>,
    /// `console` output of Stylus programs.
    pub console: Vec<String>,
    /// Details of Stylus program failures (traps, out of ink, write protection).
    pub program_failures: Vec<String>,
    /// Gas of every Stylus program frame, in call order (a debug trace; see [`FrameGas`]).
    pub frames: Vec<FrameGas>,
}

/// Where one Stylus program frame's gas went (a debug trace, in gas; EVM frames are not
/// listed). `gas_used` includes the frame's children; its own share is
/// `gas_used - children_gas`, of which `entry_gas`, the storage, call-access and log gas below
/// are parts and the rest is WASM execution and other hostios.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameGas {
    /// The acting address.
    pub address: Address,
    /// Call depth (0: the transaction's target).
    pub depth: usize,
    /// The first 4 bytes of the calldata (0 when shorter).
    pub selector: [u8; 4],
    /// Gas spent in the frame, children included (what the caller was charged).
    pub gas_used: u64,
    /// Memory footprint and init cost paid to enter the program.
    pub entry_gas: u64,
    /// Gas spent by the frame's child calls (their `gas_used`).
    pub children_gas: u64,
    /// Whether the frame succeeded.
    pub success: bool,
    /// Storage and call counters of the frame itself.
    pub stats: GasStats,
}

/// Storage, call and log gas of one program frame (children excluded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GasStats {
    /// Slots loaded from the journal (storage-cache misses).
    pub sloads: u32,
    /// Of which cold (2,100 gas each).
    pub cold_sloads: u32,
    /// Gas of storage loads (cold/warm access, API and cache-read gas).
    pub sload_gas: u64,
    /// Slots written at flushes.
    pub sstores: u32,
    /// Gas of those writes (EIP-2200/2929 SSTORE gas, before refunds).
    pub sstore_gas: u64,
    /// Calls made (call, static call, delegate call).
    pub calls: u32,
    /// Account-access and value gas of those calls (2,600 cold, 100 warm, ...).
    pub call_access_gas: u64,
    /// Gas of emitted logs (topics and data).
    pub log_gas: u64,
}

impl Receipt {
    /// The revert, if execution did not succeed.
    pub fn revert(&self) -> Option<Revert> {
        (!self.status).then(|| Revert {
            data: self.output.clone(),
            halt: self.halt_reason.clone(),
            gas_used: self.gas_used,
            details: self.program_failures.clone(),
        })
    }

    /// Decodes the logs that are events `E` (others are skipped).
    pub fn events<E: SolEvent>(&self) -> Vec<E> {
        self.logs
            .iter()
            .filter_map(|log| E::decode_log_data(&log.data).ok())
            .collect()
    }
}

/// A failed call: revert data, or why it halted or was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revert {
    /// Revert data (empty for halts and rejections).
    pub data: Bytes,
    /// Why execution halted or the transaction was rejected, when it did not revert.
    pub halt: Option<String>,
    /// Gas used.
    pub gas_used: u64,
    /// Details of Stylus program failures, innermost first.
    pub details: Vec<String>,
}

impl Revert {
    /// A rejection or halt without revert data.
    pub fn halted(reason: impl Into<String>) -> Self {
        Self {
            data: Bytes::new(),
            halt: Some(reason.into()),
            gas_used: 0,
            details: Vec::new(),
        }
    }

    /// Decodes the revert data as one of the errors of `E` (e.g. a contract's error enum or
    /// a `sol!` interface's `...Errors`).
    pub fn decode<E: SolInterface>(&self) -> Option<E> {
        E::abi_decode(&self.data).ok()
    }

    /// Decodes the revert data as the error `E`.
    pub fn as_error<E: SolError>(&self) -> Option<E> {
        E::abi_decode(&self.data).ok()
    }

    /// Whether the revert data is the error `E`.
    pub fn is<E: SolError>(&self) -> bool {
        self.data.starts_with(&E::SELECTOR)
    }

    /// The message of a Solidity `Error(string)` or `Panic(uint256)`, if that is the data.
    pub fn reason(&self) -> Option<String> {
        if let Ok(revert) = RevertString::abi_decode(&self.data) {
            return Some(revert.reason);
        }
        Panic::abi_decode(&self.data)
            .ok()
            .map(|panic| format!("panic {}", panic.code))
    }
}

impl fmt::Display for Revert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(halt) = &self.halt {
            write!(f, "{halt}")?;
        } else if let Some(reason) = self.reason() {
            write!(f, "reverted: {reason}")?;
        } else if self.data.is_empty() {
            write!(f, "reverted without data")?;
        } else {
            write!(f, "reverted with data {}", self.data)?;
        }
        for detail in &self.details {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Revert {}

/// Errors of the devnet API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DevnetError {
    /// The transaction is invalid (nonce, funds, gas limit, ...); nothing ran.
    InvalidTransaction(String),
    /// The program was rejected before deployment.
    Program(stylus_program::ValidationError),
    /// A deployment step failed; nothing was deployed.
    Deploy {
        /// The step: `create`, `activate` or `constructor`.
        step: &'static str,
        /// What went wrong.
        revert: Revert,
    },
    /// A file could not be read.
    Io(String),
}

impl fmt::Display for DevnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidTransaction(e) => write!(f, "invalid transaction: {e}"),
            Self::Program(e) => write!(f, "program rejected: {e}"),
            Self::Deploy { step, revert } => write!(f, "deployment failed at {step}: {revert}"),
            Self::Io(e) => write!(f, "io error: {e}"),
        }
    }
}

impl std::error::Error for DevnetError {}

impl From<stylus_program::ValidationError> for DevnetError {
    fn from(e: stylus_program::ValidationError) -> Self {
        Self::Program(e)
    }
}
