//! [`Backend`] on an in-process [`Devnet`].

use alloy_primitives::{Address, Bytes, B256, U256};
use devnet::{Devnet, Revert, TxRequest, DEV_ACCOUNT};

use super::{Backend, CallError, Deployed, Sent};

/// The suite on a `devnet::Devnet` in this process. Any address can send
/// (fund it first: [`InProcess::with_accounts`] does).
#[derive(Debug)]
pub struct InProcess<'a> {
    /// The chain.
    pub chain: &'a mut Devnet,
    sender: Address,
    accounts: Vec<Address>,
}

impl<'a> InProcess<'a> {
    /// Sends from [`DEV_ACCOUNT`] (funded at genesis).
    pub fn new(chain: &'a mut Devnet) -> Self {
        Self::with_sender(chain, DEV_ACCOUNT)
    }

    /// Sends from `sender` by default.
    pub fn with_sender(chain: &'a mut Devnet, sender: Address) -> Self {
        Self {
            chain,
            sender,
            accounts: vec![sender],
        }
    }

    /// Adds `accounts` as senders, funding each with 1,000 ETH for gas.
    #[must_use]
    pub fn with_accounts(mut self, accounts: &[Address]) -> Self {
        for &account in accounts {
            if self.chain.balance(account) < U256::from(10u64).pow(U256::from(20u64)) {
                self.chain.fund(
                    account,
                    U256::from(1_000u64) * U256::from(10u64).pow(U256::from(18u64)),
                );
            }
            if !self.accounts.contains(&account) {
                self.accounts.push(account);
            }
        }
        self
    }
}

fn reverted(revert: &Revert) -> CallError {
    CallError::Reverted {
        data: revert.data.clone(),
        reason: if revert.data.is_empty() {
            revert.to_string()
        } else {
            super::describe_revert(&revert.data)
        },
    }
}

impl Backend for InProcess<'_> {
    fn sender(&self) -> Address {
        self.sender
    }

    fn accounts(&self) -> Vec<Address> {
        self.accounts.clone()
    }

    fn chain_id(&mut self) -> Result<u64, CallError> {
        Ok(self.chain.chain_id())
    }

    fn block_number(&mut self) -> Result<u64, CallError> {
        Ok(self.chain.block_number())
    }

    fn timestamp(&mut self) -> Result<u64, CallError> {
        Ok(self.chain.timestamp())
    }

    fn code(&mut self, address: Address) -> Result<Bytes, CallError> {
        Ok(self.chain.code(address))
    }

    fn deploy(&mut self, wasm: &[u8], constructor_args: &[u8]) -> Result<Deployed, CallError> {
        let deployment = self
            .chain
            .deploy_wasm(self.sender, wasm, Some(constructor_args))
            .map_err(|e| match e {
                devnet::DevnetError::Deploy { step, revert } => CallError::Reverted {
                    data: revert.data.clone(),
                    reason: format!("{step}: {}", reverted(&revert)),
                },
                other => CallError::Backend(other.to_string()),
            })?;
        Ok(Deployed {
            address: deployment.address,
            tx_hash: B256::ZERO,
            block: self.chain.block_number(),
        })
    }

    fn send_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
        value: U256,
    ) -> Result<Sent, CallError> {
        let receipt = self
            .chain
            .transact(TxRequest::call(from, to, calldata).with_value(value))
            .map_err(|e| CallError::Backend(e.to_string()))?;
        if let Some(revert) = receipt.revert() {
            return Err(reverted(&revert));
        }
        Ok(Sent {
            tx_hash: B256::ZERO,
            block: receipt.block_number,
            output: receipt.output,
            gas_used: receipt.gas_used,
        })
    }

    fn call_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
    ) -> Result<Bytes, CallError> {
        let receipt = self
            .chain
            .call(TxRequest::call(from, to, calldata))
            .map_err(|e| CallError::Backend(e.to_string()))?;
        match receipt.revert() {
            Some(revert) => Err(reverted(&revert)),
            None => Ok(receipt.output),
        }
    }

    fn increase_time(&mut self, seconds: u64) -> Result<(), CallError> {
        self.chain.warp(seconds);
        self.chain.mine();
        Ok(())
    }
}
