//! Devnet throughput: Stylus ERC-20 transfers per second and Stylus-to-Stylus calls per
//! second, in process, on the real compiled WASM.
//!
//! ```text
//! cargo run -p devnet --profile tool --example bench [-- TRANSFERS CALLS]
//! ```
//!
//! Prints figures; it asserts nothing about speed.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use alloy_primitives::{Address, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use common::{ether, wasm};
use devnet::{Devnet, TxRequest};

sol! {
    interface IErc20 {
        function transfer(address to, uint256 value) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
        function mint(address to, uint256 amount) external;
        function addMinter(address minter, uint256 ceiling) external;
    }
    interface ICaller {
        function callSet(address target, uint256 value) external;
        function callSetMany(address target, uint256 n) external;
    }
}

fn arg(index: usize, default: u64) -> u64 {
    std::env::args()
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let transfers = arg(1, 5_000);
    let calls = arg(2, 5_000);
    println!("devnet benchmark (one transaction per block, as with automining)\n");
    bench_transfers(transfers);
    bench_calls(calls);
}

fn bench_transfers(n: u64) {
    let mut chain = Devnet::new();
    let owner = Address::repeat_byte(0x01);
    chain.fund(owner, ether(1_000));
    let args = ("Bench USD".to_string(), "bUSD".to_string(), owner).abi_encode_params();
    let token = chain
        .deploy_wasm(owner, &wasm("al_asset"), Some(&args))
        .expect("deploy AlAsset")
        .address;
    chain
        .send_call(
            owner,
            token,
            &IErc20::addMinterCall {
                minter: owner,
                ceiling: ether(1_000_000_000),
            },
        )
        .expect("add minter");
    let holders: Vec<Address> = (0..64u8).map(|i| Address::repeat_byte(0x80 + i)).collect();
    for holder in &holders {
        chain.fund(*holder, ether(100));
        chain
            .send_call(
                owner,
                token,
                &IErc20::mintCall {
                    to: *holder,
                    amount: ether(1_000),
                },
            )
            .expect("mint");
    }

    let start = Instant::now();
    let mut gas = 0u64;
    for i in 0..n as usize {
        let from = holders[i % holders.len()];
        let to = holders[(i + 1) % holders.len()];
        let data = IErc20::transferCall {
            to,
            value: U256::from(1),
        }
        .abi_encode();
        let receipt = chain
            .transact(TxRequest::call(from, token, data))
            .expect("valid");
        assert!(receipt.status, "{receipt:?}");
        gas += receipt.gas_used;
    }
    let elapsed = start.elapsed();
    println!(
        "ERC-20 transfers (AlAsset):     {n} in {:.2?} = {:.0} transfers/s, {} gas each",
        elapsed,
        n as f64 / elapsed.as_secs_f64(),
        gas / n.max(1)
    );
}

fn bench_calls(n: u64) {
    let mut chain = Devnet::new();
    let user = Address::repeat_byte(0x02);
    chain.fund(user, ether(1_000));
    let callee = chain
        .deploy_wasm(
            user,
            &wasm("devnet_test_callee"),
            Some(&(U256::ZERO,).abi_encode_params()),
        )
        .expect("deploy callee")
        .address;
    let caller = chain
        .deploy_wasm(user, &wasm("devnet_test_caller"), None)
        .expect("deploy caller")
        .address;

    // One nested call per transaction.
    let start = Instant::now();
    for i in 0..n {
        let data = ICaller::callSetCall {
            target: callee,
            value: U256::from(i),
        }
        .abi_encode();
        let receipt = chain
            .transact(TxRequest::call(user, caller, data))
            .expect("valid");
        assert!(receipt.status, "{receipt:?}");
    }
    let elapsed = start.elapsed();
    println!(
        "Stylus->Stylus, 1 call per tx:  {n} in {:.2?} = {:.0} calls/s",
        elapsed,
        n as f64 / elapsed.as_secs_f64()
    );

    // Many nested calls in one transaction: the cost of a call itself.
    let per_tx = 100u64;
    let txs = (n / per_tx).max(1);
    let start = Instant::now();
    for _ in 0..txs {
        let data = ICaller::callSetManyCall {
            target: callee,
            n: U256::from(per_tx),
        }
        .abi_encode();
        let receipt = chain
            .transact(TxRequest::call(user, caller, data).with_gas_limit(30_000_000))
            .expect("valid");
        assert!(receipt.status, "{receipt:?}");
    }
    let elapsed = start.elapsed();
    let total = txs * per_tx;
    println!(
        "Stylus->Stylus, {per_tx} calls per tx: {total} in {:.2?} = {:.0} calls/s",
        elapsed,
        total as f64 / elapsed.as_secs_f64()
    );
}
