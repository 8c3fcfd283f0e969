//! JSON-RPC throughput: signed AlAsset transfers from several senders through the node
//! (alloy HTTP providers, `eth_sendRawTransaction`, automine), next to the same transfers
//! run in-process.
//!
//! ```text
//! cargo run -p devnet --profile tool --example rpc_bench [-- SENDERS TRANSFERS_PER_SENDER]
//! ```
//!
//! Prints figures; it asserts nothing about speed.

#[path = "../tests/rpc_support/mod.rs"]
mod rpc_support;

use std::time::Instant;

use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::Provider;
use devnet::TxRequest;
use rpc_support::{provider, signed_call, token_in_process, transfer_call};

fn arg(index: usize, default: u64) -> u64 {
    std::env::args()
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let senders = arg(1, 4) as usize;
    let per_sender = arg(2, 500);
    let total = senders as u64 * per_sender;
    println!(
        "{total} signed AlAsset transfers from {senders} senders (automine: one block each)\n"
    );

    let node = devnet::node::spawn(devnet::node::NodeConfig {
        accounts: senders,
        ..Default::default()
    })
    .expect("node");
    let accounts: Vec<(Address, B256)> = node.dev_accounts()[1..=senders].to_vec();
    let (owner, _) = node.dev_accounts()[0];
    let holders: Vec<Address> = accounts.iter().map(|a| a.0).collect();
    let token = token_in_process(&node, owner, &holders);
    let receiver = Address::repeat_byte(0xEE);
    let chain_id = devnet::DEFAULT_CHAIN_ID;

    // Signed up front: the figure is the node's, not the client's signing speed.
    let mut signed: Vec<Vec<(B256, Bytes)>> = Vec::new();
    for (_, key) in &accounts {
        let mut txs = Vec::new();
        for nonce in 0..per_sender {
            let input = transfer_call(receiver, U256::from(1));
            txs.push(signed_call(*key, chain_id, nonce, token, input).await);
        }
        signed.push(txs);
    }

    // In process, for comparison: the same transactions, decoded by the devnet's own path.
    let in_process = node.with_devnet(|chain| {
        let snapshot = chain.snapshot();
        let requests: Vec<TxRequest> = accounts
            .iter()
            .zip(&signed)
            .flat_map(|((from, _), txs)| {
                txs.iter().enumerate().map(move |(nonce, _)| {
                    let mut req =
                        TxRequest::call(*from, token, transfer_call(receiver, U256::from(1)));
                    req.nonce = Some(nonce as u64);
                    req.gas_limit = Some(500_000);
                    req
                })
            })
            .collect();
        let start = Instant::now();
        for req in requests {
            let receipt = chain.transact(req).expect("valid");
            assert!(receipt.status);
        }
        let elapsed = start.elapsed();
        assert!(chain.revert_to(snapshot));
        elapsed
    });

    // Over RPC: one client per sender, each sending its transactions back to back.
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for ((_, key), txs) in accounts.iter().zip(signed) {
        let provider = provider(&node, *key);
        tasks.spawn(async move {
            let mut hashes = Vec::new();
            for (hash, raw) in txs {
                let pending = provider.send_raw_transaction(&raw).await.expect("accepted");
                assert_eq!(*pending.tx_hash(), hash);
                hashes.push(hash);
            }
            hashes
        });
    }
    let mut hashes = Vec::new();
    while let Some(result) = tasks.join_next().await {
        hashes.extend(result.expect("client"));
    }
    let rpc = start.elapsed();

    let check = provider(&node, accounts[0].1);
    for hash in &hashes {
        let receipt = check
            .get_transaction_receipt(*hash)
            .await
            .expect("rpc")
            .expect("mined");
        assert!(receipt.status());
    }
    let tps = |d: std::time::Duration| total as f64 / d.as_secs_f64();
    println!(
        "in process:            {total} in {in_process:.2?} = {:.0} transfers/s",
        tps(in_process)
    );
    println!(
        "JSON-RPC (HTTP, {senders} clients): {total} in {rpc:.2?} = {:.0} transfers/s ({:.0}% of in-process)",
        tps(rpc),
        100.0 * in_process.as_secs_f64() / rpc.as_secs_f64()
    );
    node.shutdown();
}
