//! [`Backend`] on any JSON-RPC node, signing locally.

use alloy::{
    eips::BlockNumberOrTag,
    network::{EthereumWallet, TransactionBuilder},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use alloy_primitives::{address, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use devnet::{constructor_calldata, deploy_init_code, ArbWasm, ARB_WASM_ADDRESS};

use super::{Backend, CallError, Deployed, Sent};

/// Environment variable holding the deployer's private key (hex, `0x` optional).
pub const DEPLOYER_KEY_ENV: &str = "DEPLOYER_PRIVATE_KEY";

/// The StylusDeployer (deploy + activate + construct in one transaction) at
/// its address on Arbitrum One, Nova, Sepolia and the devnet node.
pub const STYLUS_DEPLOYER: Address = address!("cEcba2F1DC234f70Dd89F2041029807F8D03A990");

/// Gas added to every estimate (besides 50%): the mined block can take a
/// longer path than the estimate's (e.g. the Vault's first accrual of a new
/// timestamp calls the RateController).
const GAS_MARGIN: u64 = 300_000;

/// Chain id of the devnet (and nitro's dev mode), where the unprotected
/// three-transaction deployment is acceptable when no StylusDeployer exists.
const DEVNET_CHAIN_ID: u64 = devnet::DEFAULT_CHAIN_ID;

sol! {
    interface IStylusDeployer {
        event ContractDeployed(address deployedContract);
        function deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt) external payable returns (address);
    }
}

/// A JSON-RPC node reached over HTTP, with local signing keys (the first is
/// the deployer). Blocking: each call runs on an internal Tokio runtime.
pub struct Rpc {
    runtime: tokio::runtime::Runtime,
    provider: DynProvider,
    url: String,
    accounts: Vec<Address>,
    /// Wei sent with each deployment for the activation data fee (the
    /// StylusDeployer refunds the excess). 0 on the devnet.
    pub activation_value: U256,
}

impl std::fmt::Debug for Rpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rpc")
            .field("url", &self.url)
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

fn backend(context: &str, error: impl std::fmt::Display) -> CallError {
    CallError::Backend(format!("{context}: {error}"))
}

/// Turns an RPC error into a revert when the node returned revert data.
fn rpc_error(context: &str, error: &alloy::transports::TransportError) -> CallError {
    if let Some(resp) = error.as_error_resp() {
        if let Some(data) = resp.as_revert_data() {
            return CallError::Reverted {
                reason: super::describe_revert(&data),
                data,
            };
        }
        if resp.message.contains("revert") {
            return CallError::Reverted {
                data: Bytes::new(),
                reason: resp.message.to_string(),
            };
        }
    }
    backend(context, error)
}

impl Rpc {
    /// Connects to `url`, signing with `keys` (the first is the deployer).
    ///
    /// # Errors
    /// No key, an invalid key or URL, or a runtime that cannot start.
    pub fn connect(url: &str, keys: &[B256]) -> Result<Self, CallError> {
        let mut signers = keys
            .iter()
            .map(|key| PrivateKeySigner::from_bytes(key).map_err(|e| backend("private key", e)));
        let first = signers
            .next()
            .ok_or_else(|| CallError::Backend("no signing key".into()))??;
        let mut accounts = vec![first.address()];
        let mut wallet = EthereumWallet::new(first);
        for signer in signers {
            let signer = signer?;
            accounts.push(signer.address());
            wallet.register_signer(signer);
        }
        let parsed = url.parse().map_err(|e| backend("RPC URL", e))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| backend("tokio runtime", e))?;
        let provider = ProviderBuilder::new()
            .wallet(wallet)
            .connect_http(parsed)
            .erased();
        Ok(Self {
            runtime,
            provider,
            url: url.to_owned(),
            accounts,
            activation_value: U256::ZERO,
        })
    }

    /// Connects to `url` with the key in `$DEPLOYER_PRIVATE_KEY`.
    ///
    /// # Errors
    /// The variable is unset or not a 32-byte hex key; as [`Rpc::connect`].
    pub fn from_env(url: &str) -> Result<Self, CallError> {
        let key = std::env::var(DEPLOYER_KEY_ENV)
            .map_err(|_| CallError::Backend(format!("${DEPLOYER_KEY_ENV} is not set")))?;
        let key: B256 = key.trim().parse().map_err(|_| {
            CallError::Backend(format!(
                "${DEPLOYER_KEY_ENV} is not a 32-byte hex private key"
            ))
        })?;
        Self::connect(url, &[key])
    }

    /// The node's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn request(
        &self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
        value: U256,
    ) -> TransactionRequest {
        TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_input(calldata)
            .with_value(value)
    }

    /// Sends `tx` after simulating it (so a revert returns its data and
    /// nothing is mined); returns the receipt and the simulated output.
    fn submit(
        &mut self,
        tx: TransactionRequest,
    ) -> Result<(alloy::rpc::types::TransactionReceipt, Bytes), CallError> {
        let provider = &self.provider;
        self.runtime.block_on(async {
            let output = provider
                .call(tx.clone())
                .await
                .map_err(|e| rpc_error("eth_call", &e))?;
            // The estimate runs in the pending block; the mined block may be
            // later (interest accrual, an oracle update): leave a margin.
            let estimate = provider
                .estimate_gas(tx.clone())
                .await
                .map_err(|e| rpc_error("eth_estimateGas", &e))?;
            let tx = tx.with_gas_limit(estimate.saturating_mul(3) / 2 + GAS_MARGIN);
            let pending = provider
                .send_transaction(tx)
                .await
                .map_err(|e| rpc_error("eth_sendTransaction", &e))?;
            let receipt = pending
                .get_receipt()
                .await
                .map_err(|e| backend("receipt", e))?;
            if !receipt.status() {
                return Err(CallError::Reverted {
                    data: Bytes::new(),
                    reason: format!(
                        "transaction {} reverted on-chain after a successful simulation",
                        receipt.transaction_hash
                    ),
                });
            }
            Ok((receipt, output))
        })
    }

    fn sent(receipt: &alloy::rpc::types::TransactionReceipt, output: Bytes) -> Sent {
        Sent {
            tx_hash: receipt.transaction_hash,
            block: receipt.block_number.unwrap_or_default(),
            output,
            gas_used: receipt.gas_used,
        }
    }
}

impl Backend for Rpc {
    fn sender(&self) -> Address {
        self.accounts[0]
    }

    fn accounts(&self) -> Vec<Address> {
        self.accounts.clone()
    }

    fn chain_id(&mut self) -> Result<u64, CallError> {
        let provider = &self.provider;
        self.runtime
            .block_on(provider.get_chain_id())
            .map_err(|e| backend("eth_chainId", e))
    }

    fn block_number(&mut self) -> Result<u64, CallError> {
        let provider = &self.provider;
        self.runtime
            .block_on(provider.get_block_number())
            .map_err(|e| backend("eth_blockNumber", e))
    }

    fn timestamp(&mut self) -> Result<u64, CallError> {
        let provider = &self.provider;
        let block = self
            .runtime
            .block_on(async { provider.get_block_by_number(BlockNumberOrTag::Latest).await })
            .map_err(|e| backend("eth_getBlockByNumber", e))?
            .ok_or_else(|| CallError::Backend("no latest block".into()))?;
        Ok(block.header.timestamp)
    }

    fn code(&mut self, address: Address) -> Result<Bytes, CallError> {
        let provider = &self.provider;
        self.runtime
            .block_on(async { provider.get_code_at(address).await })
            .map_err(|e| backend("eth_getCode", e))
    }

    fn deploy(&mut self, wasm: &[u8], constructor_args: &[u8]) -> Result<Deployed, CallError> {
        let wasm = stylus_program::strip(wasm);
        stylus_program::validate(&wasm).map_err(|e| backend("invalid Stylus program", e))?;
        let code = stylus_program::compress(&wasm);
        if code.len() > stylus_program::MAX_CODE_SIZE {
            return Err(CallError::Backend(format!(
                "compressed program is {} bytes, over the {}-byte limit",
                code.len(),
                stylus_program::MAX_CODE_SIZE
            )));
        }
        let init = deploy_init_code(&code);
        let from = self.sender();
        if self.code_size(STYLUS_DEPLOYER)? > 0 {
            // Atomic: nobody can call the constructor between creation and initialisation.
            let call = IStylusDeployer::deployCall {
                bytecode: init.into(),
                initData: constructor_calldata(constructor_args).into(),
                initValue: U256::ZERO,
                salt: B256::ZERO,
            };
            let tx = self.request(
                from,
                STYLUS_DEPLOYER,
                call.abi_encode(),
                self.activation_value,
            );
            let (receipt, _) = self.submit(tx)?;
            let address = receipt
                .inner
                .logs()
                .iter()
                .find_map(|log| {
                    (log.address() == STYLUS_DEPLOYER)
                        .then(|| {
                            IStylusDeployer::ContractDeployed::decode_log_data(log.data()).ok()
                        })
                        .flatten()
                })
                .map(|event| event.deployedContract)
                .ok_or_else(|| {
                    CallError::Backend("StylusDeployer emitted no ContractDeployed".into())
                })?;
            return Ok(Deployed {
                address,
                tx_hash: receipt.transaction_hash,
                block: receipt.block_number.unwrap_or_default(),
            });
        }
        let chain_id = self.chain_id()?;
        if chain_id != DEVNET_CHAIN_ID {
            return Err(CallError::Backend(format!(
                "no StylusDeployer at {STYLUS_DEPLOYER} on chain {chain_id}: refusing the \
                 three-transaction deployment, whose constructor could be front-run"
            )));
        }
        let create = TransactionRequest::default()
            .with_from(from)
            .with_deploy_code(init);
        let (receipt, _) = self.submit(create)?;
        let address = receipt
            .contract_address
            .ok_or_else(|| CallError::Backend("creation receipt without an address".into()))?;
        let activate = ArbWasm::activateProgramCall { program: address }.abi_encode();
        let tx = self.request(from, ARB_WASM_ADDRESS, activate, self.activation_value);
        self.submit(tx)?;
        let tx = self.request(
            from,
            address,
            constructor_calldata(constructor_args),
            U256::ZERO,
        );
        let (receipt, _) = self.submit(tx)?;
        Ok(Deployed {
            address,
            tx_hash: receipt.transaction_hash,
            block: receipt.block_number.unwrap_or_default(),
        })
    }

    fn send_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
        value: U256,
    ) -> Result<Sent, CallError> {
        if !self.accounts.contains(&from) {
            return Err(CallError::Backend(format!("no signing key for {from}")));
        }
        let tx = self.request(from, to, calldata, value);
        let (receipt, output) = self.submit(tx)?;
        Ok(Self::sent(&receipt, output))
    }

    fn call_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
    ) -> Result<Bytes, CallError> {
        let tx = self.request(from, to, calldata, U256::ZERO);
        let provider = &self.provider;
        self.runtime
            .block_on(async { provider.call(tx).await })
            .map_err(|e| rpc_error("eth_call", &e))
    }

    fn increase_time(&mut self, seconds: u64) -> Result<(), CallError> {
        let provider = &self.provider;
        self.runtime.block_on(async {
            provider
                .raw_request::<_, serde_json::Value>("evm_increaseTime".into(), (seconds,))
                .await
                .map_err(|e| backend("evm_increaseTime", e))?;
            provider
                .raw_request::<_, serde_json::Value>("evm_mine".into(), ())
                .await
                .map_err(|e| backend("evm_mine", e))?;
            Ok(())
        })
    }
}
