//! Where the suite is deployed: a [`Backend`] deploys Stylus programs, sends
//! transactions and reads views. Two implementations: [`InProcess`] (a
//! `devnet::Devnet` in this process, for tests) and [`Rpc`] (any JSON-RPC
//! node, with local signing keys).
//!
//! The deployment plan, the invariant checker and the end-to-end scenarios
//! are written once over this trait.

use std::fmt;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;

mod in_process;
mod rpc;

pub use in_process::InProcess;
pub use rpc::{Rpc, DEPLOYER_KEY_ENV, STYLUS_DEPLOYER};

/// Why a call or transaction failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The call reverted (or halted) with this revert data; `reason` is a
    /// readable rendering (decoded `Error(string)`, halt reason, or hex).
    Reverted {
        /// Raw revert data (a Solidity custom error is `selector ‖ args`).
        data: Bytes,
        /// Human-readable description.
        reason: String,
    },
    /// The backend could not run the call (transport, signing, bad transaction).
    Backend(String),
}

impl CallError {
    /// The 4-byte selector of the revert data, if it carries one.
    pub fn selector(&self) -> Option<[u8; 4]> {
        match self {
            Self::Reverted { data, .. } if data.len() >= 4 => {
                Some([data[0], data[1], data[2], data[3]])
            }
            _ => None,
        }
    }

    /// Whether this is a revert with the custom error `E`.
    pub fn is<E: alloy_sol_types::SolError>(&self) -> bool {
        self.selector() == Some(E::SELECTOR)
    }

    /// Decodes the revert as the custom error `E`.
    pub fn as_error<E: alloy_sol_types::SolError>(&self) -> Option<E> {
        match self {
            Self::Reverted { data, .. } => E::abi_decode(data).ok(),
            Self::Backend(_) => None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Reverted { reason, .. } => write!(f, "reverted: {reason}"),
            Self::Backend(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for CallError {}

/// A mined transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// Transaction hash (the in-process devnet has no hashes: zero).
    pub tx_hash: B256,
    /// Block it was mined in.
    pub block: u64,
    /// Return data of the call.
    pub output: Bytes,
    /// Gas used.
    pub gas_used: u64,
}

/// A deployed, activated and constructed Stylus program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployed {
    /// The program's address.
    pub address: Address,
    /// Hash of the (last) deployment transaction (zero in-process).
    pub tx_hash: B256,
    /// Block of the deployment.
    pub block: u64,
}

/// A chain the suite can be deployed to and driven on.
///
/// Every transaction is sent by an account the backend can sign for:
/// [`Backend::sender`] by default, or any of [`Backend::accounts`] through
/// [`Backend::send_as`].
pub trait Backend {
    /// The default sender (the deployer).
    fn sender(&self) -> Address;

    /// Accounts this backend can send from (the sender first).
    fn accounts(&self) -> Vec<Address>;

    /// Chain id.
    ///
    /// # Errors
    /// Transport failures.
    fn chain_id(&mut self) -> Result<u64, CallError>;

    /// Latest block number.
    ///
    /// # Errors
    /// Transport failures.
    fn block_number(&mut self) -> Result<u64, CallError>;

    /// Timestamp of the latest block.
    ///
    /// # Errors
    /// Transport failures.
    fn timestamp(&mut self) -> Result<u64, CallError>;

    /// Size of the code at `address` (0 for none).
    ///
    /// # Errors
    /// Transport failures.
    fn code_size(&mut self, address: Address) -> Result<usize, CallError> {
        Ok(self.code(address)?.len())
    }

    /// The code at `address` (empty for none).
    ///
    /// # Errors
    /// Transport failures.
    fn code(&mut self, address: Address) -> Result<Bytes, CallError>;

    /// Deploys the Stylus program `wasm` (raw WASM from `target/stylus`; the
    /// backend strips, compresses, activates it) and calls its SDK
    /// `#[constructor]` with `constructor_args` (`abi_encode_params` of the
    /// argument tuple), atomically where the chain allows it.
    ///
    /// # Errors
    /// Invalid WASM, a reverting activation or constructor, transport failures.
    fn deploy(&mut self, wasm: &[u8], constructor_args: &[u8]) -> Result<Deployed, CallError>;

    /// Sends a transaction from `from` to `to` with `calldata` and `value`.
    ///
    /// # Errors
    /// [`CallError::Reverted`] if it reverts (nothing changes), else backend errors.
    fn send_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
        value: U256,
    ) -> Result<Sent, CallError>;

    /// `eth_call` from `from`: runs `calldata` against the latest state without
    /// changing it (also simulates mutating functions).
    ///
    /// # Errors
    /// [`CallError::Reverted`] with the revert data, else backend errors.
    fn call_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
    ) -> Result<Bytes, CallError>;

    /// Moves the chain's clock forward by `seconds` and mines a block
    /// (devnets only: `evm_increaseTime` + `evm_mine`).
    ///
    /// # Errors
    /// Backends whose chain cannot warp.
    fn increase_time(&mut self, seconds: u64) -> Result<(), CallError>;
}

/// Typed helpers over any [`Backend`].
pub trait BackendExt: Backend {
    /// Sends `call` from the default sender and decodes its return value.
    ///
    /// # Errors
    /// As [`Backend::send_as`], or undecodable return data.
    fn send<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return, CallError> {
        let from = self.sender();
        self.send_from(from, to, call)
    }

    /// Sends `call` from `from` and decodes its return value.
    ///
    /// # Errors
    /// As [`Backend::send_as`], or undecodable return data.
    fn send_from<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, CallError> {
        let sent = self.send_as(from, to, call.abi_encode(), U256::ZERO)?;
        decode::<C>(&sent.output)
    }

    /// Reads `call` (`eth_call` from the default sender) and decodes it.
    ///
    /// # Errors
    /// As [`Backend::call_as`], or undecodable return data.
    fn view<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return, CallError> {
        let from = self.sender();
        self.view_from(from, to, call)
    }

    /// Reads `call` as `eth_call` from `from` and decodes it (simulates a
    /// mutating call by `from` without changing anything).
    ///
    /// # Errors
    /// As [`Backend::call_as`], or undecodable return data.
    fn view_from<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<C::Return, CallError> {
        let output = self.call_as(from, to, call.abi_encode())?;
        decode::<C>(&output)
    }
}

impl<B: Backend + ?Sized> BackendExt for B {}

fn decode<C: SolCall>(output: &[u8]) -> Result<C::Return, CallError> {
    C::abi_decode_returns(output).map_err(|e| {
        CallError::Backend(format!(
            "{}: undecodable return data 0x{}: {e}",
            C::SIGNATURE,
            alloy_primitives::hex::encode(output)
        ))
    })
}

/// Renders revert data for humans: `Error(string)` decoded, else hex.
pub(crate) fn describe_revert(data: &[u8]) -> String {
    if let Ok(message) = <alloy_sol_types::Revert as alloy_sol_types::SolError>::abi_decode(data) {
        return format!("Error({:?})", message.reason);
    }
    if data.is_empty() {
        "empty revert data".to_owned()
    } else {
        format!("0x{}", alloy_primitives::hex::encode(data))
    }
}
