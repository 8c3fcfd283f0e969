//! The JSON-RPC node under bad input and load: every malformed request and invalid
//! transaction gets a proper JSON-RPC error and the node keeps serving; concurrent clients
//! lose no transaction.

mod rpc_support;

use std::collections::BTreeMap;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::primitives::{Address, Bytes, Signature, TxKind, B256, U256};
use alloy::providers::Provider;
use rpc_support::*;
use serde_json::json;

const CHAIN_ID: u64 = 412_346;

/// The node still answers.
fn alive(addr: std::net::SocketAddr) {
    let response = rpc(addr, "eth_chainId", json!([]));
    assert_eq!(response["result"], "0x64aba", "{response}");
}

#[test]
fn malformed_requests_get_json_rpc_errors() {
    let node = spawn();
    let addr = node.local_addr();

    let (status, response) = post(addr, b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":");
    assert_eq!(status, 200);
    assert_eq!(error_code(&response), -32700);
    assert_eq!(response["id"], serde_json::Value::Null);
    alive(addr);

    for invalid in [
        json!({"jsonrpc": "2.0", "id": 1}),
        json!({"jsonrpc": "2.0", "id": 1, "method": 5}),
        json!({"jsonrpc": "2.0", "id": [1], "method": "eth_chainId"}),
        json!({"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"}),
        json!(42),
        json!([]),
    ] {
        let (_, response) = post(addr, invalid.to_string().as_bytes());
        assert_eq!(error_code(&response), -32600, "{invalid} -> {response}");
    }
    alive(addr);

    let response = rpc(addr, "eth_noSuchMethod", json!([]));
    assert_eq!(error_code(&response), -32601);
    assert_eq!(response["id"], 1);

    assert_eq!(
        rpc(addr, "anvil_mine", json!(["0x3"]))["result"],
        serde_json::Value::Null
    );
    for (method, params) in [
        ("eth_getBalance", json!(["0xnot-an-address"])),
        ("eth_getBalance", json!([])),
        ("eth_getBalance", json!({"address": "0x00"})),
        ("eth_getBlockByNumber", json!(["yesterday"])),
        (
            "eth_getLogs",
            json!([{"fromBlock": "0x2", "toBlock": "0x1"}]),
        ),
        ("eth_sendRawTransaction", json!(["0x1234"])),
        ("eth_sendRawTransaction", json!([42])),
        ("evm_increaseTime", json!(["soon"])),
        (
            "eth_call",
            json!([{"to": "0x0000000000000000000000000000000000000001", "input": "0x01", "data": "0x02"}]),
        ),
    ] {
        let response = rpc(addr, method, params.clone());
        assert_eq!(
            error_code(&response),
            -32602,
            "{method} {params} -> {response}"
        );
    }
    alive(addr);

    // Oversized body: refused without reading it all.
    let big = vec![b' '; devnet::node::MAX_BODY_BYTES + 1];
    let (status, response) = post(addr, &big);
    assert_eq!(status, 413);
    assert_eq!(error_code(&response), -32600);
    alive(addr);

    // Batches: answers in order, notifications (no id) get none.
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"},
        {"jsonrpc": "2.0", "method": "eth_blockNumber"},
        {"jsonrpc": "2.0", "id": "two", "method": "nope"},
        {"jsonrpc": "2.0", "id": 3, "method": "net_version"},
    ]);
    let (_, response) = post(addr, batch.to_string().as_bytes());
    let answers = response.as_array().expect("batch answer");
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0]["result"], "0x64aba");
    assert_eq!(answers[1]["id"], "two");
    assert_eq!(error_code(&answers[1]), -32601);
    assert_eq!(answers[2]["result"], "412346");
}

/// A signed EIP-1559 transfer of `value` wei to `to`.
fn transfer(
    key: B256,
    chain_id: u64,
    nonce: u64,
    to: Address,
    value: U256,
    max_fee: u128,
) -> Bytes {
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(to),
        value,
        ..TxEip1559::default()
    };
    let signer = k256::ecdsa::SigningKey::from_slice(key.as_slice()).unwrap();
    let (sig, recid) = signer
        .sign_prehash_recoverable(tx.signature_hash().as_slice())
        .unwrap();
    let signed = tx.into_signed(Signature::from_signature_and_parity(sig, recid.is_y_odd()));
    Bytes::from(TxEnvelope::from(signed).encoded_2718())
}

#[test]
fn invalid_transactions_are_rejected_and_change_nothing() {
    let node = spawn();
    let addr = node.local_addr();
    let (alice, key) = node.dev_accounts()[1];
    let bob = Address::repeat_byte(0xB0);
    let gwei = 1_000_000_000;
    let send = |raw: &Bytes| rpc(addr, "eth_sendRawTransaction", json!([raw]));

    let ok = send(&transfer(key, CHAIN_ID, 0, bob, U256::from(5), gwei));
    assert!(ok["result"].is_string(), "{ok}");
    let state = |who| {
        let balance = rpc(addr, "eth_getBalance", json!([who, "latest"]))["result"].clone();
        let nonce = rpc(addr, "eth_getTransactionCount", json!([who, "latest"]))["result"].clone();
        let block = rpc(addr, "eth_blockNumber", json!([]))["result"].clone();
        (balance, nonce, block)
    };
    let before = state(alice);

    // Bad signature: r = s = 0 recovers nobody.
    let unsigned = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: 21_000,
        max_fee_per_gas: gwei,
        to: TxKind::Call(bob),
        ..TxEip1559::default()
    };
    let forged =
        TxEnvelope::from(unsigned.into_signed(Signature::new(U256::ZERO, U256::ZERO, false)));
    let response = send(&Bytes::from(forged.encoded_2718()));
    assert_eq!(error_code(&response), -32000);
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("invalid sender"),
        "{response}"
    );

    // Replayed transaction and stale nonce.
    let response = send(&transfer(key, CHAIN_ID, 0, bob, U256::from(5), gwei));
    assert_eq!(error_code(&response), -32000);
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already known"),
        "{response}"
    );
    let response = send(&transfer(key, CHAIN_ID, 0, bob, U256::from(6), gwei));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("nonce too low"),
        "{response}"
    );
    let response = send(&transfer(key, CHAIN_ID, 5_000, bob, U256::from(6), gwei));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("nonce too high"),
        "{response}"
    );

    // Insufficient funds (a fresh key), wrong chain id, fee under the base fee.
    let poor = B256::repeat_byte(0x42);
    let response = send(&transfer(poor, CHAIN_ID, 0, bob, U256::from(1), gwei));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("insufficient funds"),
        "{response}"
    );
    let response = send(&transfer(key, 1, 1, bob, U256::from(1), gwei));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid chain id"),
        "{response}"
    );
    let response = send(&transfer(key, CHAIN_ID, 1, bob, U256::from(1), 1));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("max fee per gas less than block base fee"),
        "{response}"
    );
    // Value beyond the balance.
    let response = send(&transfer(
        key,
        CHAIN_ID,
        1,
        bob,
        U256::MAX - U256::from(1),
        gwei,
    ));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("insufficient funds"),
        "{response}"
    );
    // Gas limit under the intrinsic cost of the calldata.
    let heavy = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_limit: 21_000,
        max_fee_per_gas: gwei,
        to: TxKind::Call(bob),
        input: vec![0xFF; 1_000].into(),
        ..TxEip1559::default()
    };
    let signer = k256::ecdsa::SigningKey::from_slice(key.as_slice()).unwrap();
    let (sig, recid) = signer
        .sign_prehash_recoverable(heavy.signature_hash().as_slice())
        .unwrap();
    let heavy = TxEnvelope::from(
        heavy.into_signed(Signature::from_signature_and_parity(sig, recid.is_y_odd())),
    );
    let response = send(&Bytes::from(heavy.encoded_2718()));
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("intrinsic gas too low"),
        "{response}"
    );
    // eth_sendTransaction for an account the node holds no key for.
    let response = rpc(
        addr,
        "eth_sendTransaction",
        json!([{"from": bob, "to": alice, "value": "0x1"}]),
    );
    assert_eq!(error_code(&response), -32000);

    assert_eq!(state(alice), before, "nothing changed");
    // And the next valid transaction goes through.
    let ok = send(&transfer(key, CHAIN_ID, 1, bob, U256::from(5), gwei));
    assert!(ok["result"].is_string(), "{ok}");
    let balance = rpc(addr, "eth_getBalance", json!([bob]))["result"].clone();
    assert_eq!(balance, "0xa");
}

#[test]
fn a_queued_nonce_waits_for_the_gap() {
    let node = spawn();
    let addr = node.local_addr();
    let (alice, key) = node.dev_accounts()[1];
    let bob = Address::repeat_byte(0xB0);
    let gwei = 1_000_000_000;
    let later = rpc(
        addr,
        "eth_sendRawTransaction",
        json!([transfer(key, CHAIN_ID, 1, bob, U256::from(2), gwei)]),
    );
    let later_hash = later["result"].clone();
    assert!(later_hash.is_string(), "{later}");
    assert_eq!(
        rpc(addr, "eth_getTransactionReceipt", json!([later_hash]))["result"],
        serde_json::Value::Null
    );
    assert_eq!(
        rpc(addr, "eth_getTransactionByHash", json!([later_hash]))["result"]["blockNumber"],
        serde_json::Value::Null
    );
    assert_eq!(
        rpc(addr, "eth_getTransactionCount", json!([alice, "pending"]))["result"],
        "0x0"
    );
    let first = rpc(
        addr,
        "eth_sendRawTransaction",
        json!([transfer(key, CHAIN_ID, 0, bob, U256::from(1), gwei)]),
    );
    assert!(first["result"].is_string(), "{first}");
    let receipt = rpc(addr, "eth_getTransactionReceipt", json!([later_hash]));
    assert_eq!(receipt["result"]["status"], "0x1", "{receipt}");
    assert_eq!(rpc(addr, "eth_getBalance", json!([bob]))["result"], "0x3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_clients_lose_no_transaction() {
    const SENDERS: usize = 4;
    const PER_SENDER: u64 = 50;
    let node = spawn();
    let accounts: Vec<(Address, B256)> = node.dev_accounts()[1..=SENDERS].to_vec();
    let (owner, _) = node.dev_accounts()[0];
    let holders: Vec<Address> = accounts.iter().map(|a| a.0).collect();
    let token = token_in_process(&node, owner, &holders);
    let receiver = Address::repeat_byte(0xEE);
    let start_block = node.with_devnet(|chain| chain.block_number());

    // Every transaction is sent on its own task (so they race, and may arrive out of nonce
    // order), each sender through its own provider (connection pool).
    let mut tasks = tokio::task::JoinSet::new();
    for (sender, key) in accounts.iter().copied() {
        let provider = provider(&node, key);
        for nonce in 0..PER_SENDER {
            let provider = provider.clone();
            tasks.spawn(async move {
                let (hash, raw) = signed_call(
                    key,
                    CHAIN_ID,
                    nonce,
                    token,
                    transfer_call(receiver, U256::from(1)),
                )
                .await;
                let pending = provider.send_raw_transaction(&raw).await.expect("accepted");
                assert_eq!(*pending.tx_hash(), hash);
                (sender, nonce, hash)
            });
        }
    }
    let mut sent = Vec::new();
    while let Some(result) = tasks.join_next().await {
        sent.push(result.expect("task"));
    }
    assert_eq!(sent.len(), SENDERS * PER_SENDER as usize);

    let provider = provider(&node, accounts[0].1);
    let mut by_sender: BTreeMap<Address, Vec<(u64, u64)>> = BTreeMap::new();
    for (sender, nonce, hash) in &sent {
        let receipt = provider
            .get_transaction_receipt(*hash)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("receipt of {sender} nonce {nonce}"));
        assert!(receipt.status());
        assert_eq!(receipt.from, *sender);
        let tx = provider
            .get_transaction_by_hash(*hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            alloy::consensus::Transaction::nonce(tx.inner.inner()),
            *nonce
        );
        by_sender
            .entry(*sender)
            .or_default()
            .push((*nonce, receipt.block_number.unwrap()));
    }
    for (sender, mut mined) in by_sender {
        mined.sort();
        let nonces: Vec<u64> = mined.iter().map(|m| m.0).collect();
        assert_eq!(nonces, (0..PER_SENDER).collect::<Vec<_>>(), "{sender}");
        assert!(
            mined.windows(2).all(|w| w[0].1 < w[1].1),
            "mined in nonce order"
        );
        assert_eq!(
            provider.get_transaction_count(sender).await.unwrap(),
            PER_SENDER
        );
    }
    let total = SENDERS as u64 * PER_SENDER;
    assert_eq!(
        provider.get_block_number().await.unwrap(),
        start_block + total
    );
    let balance = node.with_devnet(|chain| {
        chain
            .view(
                receiver,
                token,
                &IToken::balanceOfCall { account: receiver },
            )
            .unwrap()
    });
    assert_eq!(balance, U256::from(total));
}
