//! Shared helpers of the JSON-RPC node tests: nodes on ephemeral ports, alloy providers and
//! signers, the AlAsset token, and a raw HTTP client for malformed requests.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use alloy::eips::eip2718::Encodable2718;
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use alloy_sol_types::{sol, SolCall, SolValue};
use devnet::node::{NodeConfig, NodeHandle};

#[path = "../common/mod.rs"]
mod common;
pub use common::{ether, wasm};

sol! {
    interface IToken {
        event Transfer(address indexed from, address indexed to, uint256 value);
        function name() external view returns (string);
        function balanceOf(address account) external view returns (uint256);
        function transfer(address to, uint256 value) external returns (bool);
        function mint(address to, uint256 amount) external;
        function addMinter(address minter, uint256 ceiling) external;
    }
    interface IStylusDeployer {
        event ContractDeployed(address deployedContract);
        error ContractInitializationError(address newContract, bytes data);
        function deploy(bytes bytecode, bytes initData, uint256 initValue, bytes32 salt)
            external payable returns (address);
        function initSalt(bytes32 salt, bytes initData) external pure returns (bytes32);
    }
}

/// A node with default settings on an ephemeral loopback port.
pub fn spawn() -> NodeHandle {
    devnet::node::spawn(NodeConfig::default()).expect("node starts")
}

/// An alloy HTTP provider signing with `key`.
pub fn provider(node: &NodeHandle, key: B256) -> impl Provider + Clone {
    let signer = PrivateKeySigner::from_bytes(&key).expect("key");
    ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(node.url().parse().expect("url"))
}

/// AlAsset's deployable code (`0xEFF00000 || brotli(wasm)`), as `cargo stylus` builds it.
pub fn al_asset_code() -> Vec<u8> {
    stylus_program::compress(&stylus_program::strip(&wasm("al_asset")))
}

/// The AlAsset constructor call (`stylus_constructor` + ABI-encoded arguments).
pub fn al_asset_constructor(owner: Address) -> Vec<u8> {
    devnet::constructor_calldata(
        &("Node USD".to_string(), "nUSD".to_string(), owner).abi_encode_params(),
    )
}

/// Deploys AlAsset in-process (fast set-up), makes `owner` a minter and mints 1,000 tokens to
/// each of `holders`.
pub fn token_in_process(node: &NodeHandle, owner: Address, holders: &[Address]) -> Address {
    node.with_devnet(|chain| {
        let args = ("Node USD".to_string(), "nUSD".to_string(), owner).abi_encode_params();
        let token = chain
            .deploy_wasm(owner, &wasm("al_asset"), Some(&args))
            .expect("deploy AlAsset")
            .address;
        chain
            .send_call(
                owner,
                token,
                &IToken::addMinterCall {
                    minter: owner,
                    ceiling: ether(1_000_000_000),
                },
            )
            .expect("add minter");
        for holder in holders {
            chain
                .send_call(
                    owner,
                    token,
                    &IToken::mintCall {
                        to: *holder,
                        amount: ether(1_000),
                    },
                )
                .expect("mint");
        }
        token
    })
}

/// A signed EIP-1559 transaction (raw bytes) calling `to` with `input`.
pub async fn signed_call(
    key: B256,
    chain_id: u64,
    nonce: u64,
    to: Address,
    input: Vec<u8>,
) -> (B256, Bytes) {
    let signer = PrivateKeySigner::from_bytes(&key).expect("key");
    let wallet = EthereumWallet::from(signer.clone());
    let tx = TransactionRequest::default()
        .with_from(signer.address())
        .with_to(to)
        .with_input(input)
        .with_nonce(nonce)
        .with_chain_id(chain_id)
        .with_gas_limit(500_000)
        .with_max_fee_per_gas(1_000_000_000)
        .with_max_priority_fee_per_gas(0);
    let envelope = tx.build(&wallet).await.expect("signs");
    (*envelope.tx_hash(), Bytes::from(envelope.encoded_2718()))
}

/// ABI-encoded `transfer(to, value)`.
pub fn transfer_call(to: Address, value: U256) -> Vec<u8> {
    IToken::transferCall { to, value }.abi_encode()
}

/// POSTs `body` to the node over a fresh connection; returns the HTTP status and the JSON
/// body (`Null` if empty).
pub fn post(addr: SocketAddr, body: &[u8]) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write head");
    // The node may refuse an oversized body before reading it all.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.trim())
        .filter(|b| !b.is_empty())
        .map(|b| serde_json::from_str(b).unwrap_or_else(|e| panic!("not JSON ({e}): {b}")))
        .unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// A JSON-RPC call over [`post`]; returns the whole response object.
pub fn rpc(addr: SocketAddr, method: &str, params: serde_json::Value) -> serde_json::Value {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    post(addr, body.to_string().as_bytes()).1
}

/// The error code of a JSON-RPC response (panics if it succeeded).
pub fn error_code(response: &serde_json::Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error: {response}"))
}
