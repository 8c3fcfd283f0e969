//! The JSON-RPC node with a real client (alloy's HTTP provider): deploying a contract from
//! `contracts/` with a signed EIP-1559 transaction through the StylusDeployer, calls,
//! receipts, log filters, time and snapshots, interval mining, the state file.

mod rpc_support;

use std::time::Duration;

use alloy::network::TransactionBuilder;
use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::{Filter, TransactionRequest};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use devnet::node::{predeploys, NodeConfig};
use rpc_support::*;

/// Upper bound on waiting for a receipt (automine makes it immediate).
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alloy_deploys_al_asset_through_the_stylus_deployer_and_calls_it() {
    let node = spawn();
    let (owner, key) = node.dev_accounts()[1];
    let provider = provider(&node, key);
    assert_eq!(provider.get_chain_id().await.unwrap(), 412_346);

    // One signed EIP-1559 transaction: create2 + activate + constructor, as cargo stylus does.
    let code = al_asset_code();
    let init = devnet::deploy_init_code(&code);
    let ctor = al_asset_constructor(owner);
    let salt = B256::repeat_byte(7);
    let deploy = IStylusDeployer::deployCall {
        bytecode: init.clone().into(),
        initData: ctor.clone().into(),
        initValue: U256::ZERO,
        salt,
    };
    let tx = TransactionRequest::default()
        .with_to(predeploys::STYLUS_DEPLOYER)
        .with_input(deploy.abi_encode());
    let receipt = provider
        .send_transaction(tx)
        .await
        .expect("sent")
        .with_timeout(Some(RECEIPT_TIMEOUT))
        .get_receipt()
        .await
        .expect("mined");
    assert!(receipt.status(), "{receipt:?}");
    assert_eq!(receipt.from, owner);
    let sent = provider
        .get_transaction_by_hash(receipt.transaction_hash)
        .await
        .unwrap()
        .expect("transaction known");
    assert_eq!(sent.inner.tx_type(), alloy::consensus::TxType::Eip1559);

    // The address is create2(deployer, keccak(salt ‖ initData), keccak(init code)).
    let bound = keccak256([salt.as_slice(), &ctor].concat());
    let expected = predeploys::STYLUS_DEPLOYER.create2(bound, keccak256(&init));
    let deployed: Vec<_> = receipt
        .inner
        .logs()
        .iter()
        .filter_map(|log| IStylusDeployer::ContractDeployed::decode_log_data(log.data()).ok())
        .collect();
    assert_eq!(deployed.len(), 1);
    let token = deployed[0].deployedContract;
    assert_eq!(token, expected);
    assert_eq!(
        provider.get_code_at(token).await.unwrap(),
        Bytes::from(code)
    );

    // Calls: the constructor ran (name set, owner is a minter-to-be).
    let name = provider
        .call(
            TransactionRequest::default()
                .with_to(token)
                .with_input(IToken::nameCall {}.abi_encode()),
        )
        .await
        .unwrap();
    assert_eq!(
        IToken::nameCall::abi_decode_returns(&name).unwrap(),
        "Node USD"
    );

    // A state-changing call through the provider, then read back.
    let add = IToken::addMinterCall {
        minter: owner,
        ceiling: ether(1_000),
    }
    .abi_encode();
    let mint = IToken::mintCall {
        to: owner,
        amount: ether(5),
    }
    .abi_encode();
    for input in [add, mint] {
        let r = provider
            .send_transaction(
                TransactionRequest::default()
                    .with_to(token)
                    .with_input(input),
            )
            .await
            .unwrap()
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .unwrap();
        assert!(r.status());
        assert!(r.gas_used > 21_000);
    }
    let balance = provider
        .call(
            TransactionRequest::default()
                .with_to(token)
                .with_input(IToken::balanceOfCall { account: owner }.abi_encode()),
        )
        .await
        .unwrap();
    assert_eq!(
        IToken::balanceOfCall::abi_decode_returns(&balance).unwrap(),
        ether(5)
    );

    // The same deployment again: same create2 address, so the create fails and nothing changes.
    let nonce = provider.get_transaction_count(owner).await.unwrap();
    let again = provider
        .send_transaction(
            TransactionRequest::default()
                .with_to(predeploys::STYLUS_DEPLOYER)
                .with_input(deploy.abi_encode())
                .with_gas_limit(5_000_000),
        )
        .await
        .unwrap()
        .with_timeout(Some(RECEIPT_TIMEOUT))
        .get_receipt()
        .await
        .unwrap();
    assert!(!again.status());
    assert_eq!(
        provider.get_transaction_count(owner).await.unwrap(),
        nonce + 1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_constructor_reverts_with_contract_initialization_error() {
    let node = spawn();
    let (owner, key) = node.dev_accounts()[1];
    let provider = provider(&node, key);
    // AlAsset rejects an empty name: the constructor reverts inside the deployer.
    let bad_ctor = devnet::constructor_calldata(&alloy_sol_types::SolValue::abi_encode_params(&(
        String::new(),
        "X".to_string(),
        owner,
    )));
    let deploy = IStylusDeployer::deployCall {
        bytecode: devnet::deploy_init_code(&al_asset_code()).into(),
        initData: bad_ctor.into(),
        initValue: U256::ZERO,
        salt: B256::ZERO,
    };
    let error = provider
        .call(
            TransactionRequest::default()
                .with_from(owner)
                .with_to(predeploys::STYLUS_DEPLOYER)
                .with_input(deploy.abi_encode()),
        )
        .await
        .expect_err("reverts");
    let payload = error.as_error_resp().expect("a JSON-RPC error");
    assert_eq!(payload.code, 3, "{payload:?}");
    let data: Bytes = payload
        .data
        .as_ref()
        .map(|d| serde_json::from_str(d.get()).unwrap())
        .expect("revert data");
    let decoded = IStylusDeployer::ContractInitializationError::abi_decode(&data)
        .expect("ContractInitializationError");
    assert!(
        !decoded.data.is_empty(),
        "the constructor's own revert data is carried"
    );
    // eth_estimateGas reports the same revert.
    let estimate = provider
        .estimate_gas(
            TransactionRequest::default()
                .with_from(owner)
                .with_to(predeploys::STYLUS_DEPLOYER)
                .with_input(deploy.abi_encode()),
        )
        .await;
    assert!(estimate.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_filter_by_address_topic_and_block_range() {
    let node = spawn();
    let accounts = node.dev_accounts();
    let (owner, _) = accounts[0];
    let (alice, alice_key) = accounts[1];
    let (bob, _) = accounts[2];
    let (carol, _) = accounts[3];
    let token = token_in_process(&node, owner, &[alice]);
    let other = token_in_process(&node, owner, &[alice]);
    let provider = provider(&node, alice_key);
    let start = provider.get_block_number().await.unwrap();
    let mut blocks = Vec::new();
    for (target, to) in [(token, bob), (token, carol), (other, bob), (token, bob)] {
        let r = provider
            .send_transaction(
                TransactionRequest::default()
                    .with_to(target)
                    .with_input(transfer_call(to, U256::from(1))),
            )
            .await
            .unwrap()
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .unwrap();
        assert!(r.status());
        blocks.push(r.block_number.unwrap());
    }
    let transfers = Filter::new().event_signature(IToken::Transfer::SIGNATURE_HASH);
    let all = provider
        .get_logs(&transfers.clone().from_block(start + 1))
        .await
        .unwrap();
    assert_eq!(all.len(), 4);
    let of_token = provider
        .get_logs(&transfers.clone().address(token).from_block(start + 1))
        .await
        .unwrap();
    assert_eq!(of_token.len(), 3);
    assert!(of_token.iter().all(|l| l.address() == token));
    let to_bob = provider
        .get_logs(
            &transfers
                .clone()
                .address(token)
                .topic2(bob.into_word())
                .from_block(start + 1),
        )
        .await
        .unwrap();
    assert_eq!(to_bob.len(), 2);
    let to_bob_or_carol = provider
        .get_logs(
            &transfers
                .clone()
                .address(vec![token, other])
                .topic2(vec![bob.into_word(), carol.into_word()])
                .from_block(start + 1),
        )
        .await
        .unwrap();
    assert_eq!(to_bob_or_carol.len(), 4);
    // Block range: only the second transfer.
    let second = provider
        .get_logs(&transfers.clone().from_block(blocks[1]).to_block(blocks[1]))
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    let decoded = IToken::Transfer::decode_log_data(second[0].data()).unwrap();
    assert_eq!((decoded.from, decoded.to), (alice, carol));
    assert_eq!(second[0].block_number, Some(blocks[1]));
    // By block hash.
    let block = provider
        .get_block_by_number(blocks[2].into())
        .await
        .unwrap()
        .expect("block");
    let by_hash = provider
        .get_logs(&Filter::new().at_block_hash(block.header.hash))
        .await
        .unwrap();
    assert_eq!(by_hash.len(), 1);
    assert_eq!(by_hash[0].address(), other);
    // No match.
    let none = provider
        .get_logs(&transfers.address(Address::repeat_byte(9)).from_block(0))
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_travel_and_snapshots() {
    let node = spawn();
    let (alice, key) = node.dev_accounts()[1];
    let provider = provider(&node, key);
    let bob = Address::repeat_byte(0xB0);

    let before = provider
        .get_block_by_number(Default::default())
        .await
        .unwrap()
        .unwrap();
    let _: i64 = provider
        .raw_request("evm_increaseTime".into(), (3_600u64,))
        .await
        .unwrap();
    let _: String = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let after = provider
        .get_block_by_number(Default::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.header.number, before.header.number + 1);
    assert!(after.header.timestamp >= before.header.timestamp + 3_600);

    let target = after.header.timestamp + 86_400;
    let _: () = provider
        .raw_request("evm_setNextBlockTimestamp".into(), (target,))
        .await
        .unwrap();
    let _: String = provider.raw_request("evm_mine".into(), ()).await.unwrap();
    let mined = provider
        .get_block_by_number(Default::default())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mined.header.timestamp, target);

    let snapshot: U256 = provider
        .raw_request("evm_snapshot".into(), ())
        .await
        .unwrap();
    let height = provider.get_block_number().await.unwrap();
    let r = provider
        .send_transaction(
            TransactionRequest::default()
                .with_to(bob)
                .with_value(ether(3)),
        )
        .await
        .unwrap()
        .with_timeout(Some(RECEIPT_TIMEOUT))
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    assert_eq!(provider.get_balance(bob).await.unwrap(), ether(3));
    let _: () = provider
        .raw_request("anvil_setBalance".into(), (bob, ether(7)))
        .await
        .unwrap();
    assert_eq!(provider.get_balance(bob).await.unwrap(), ether(7));

    let reverted: bool = provider
        .raw_request("evm_revert".into(), (snapshot,))
        .await
        .unwrap();
    assert!(reverted);
    assert_eq!(provider.get_balance(bob).await.unwrap(), U256::ZERO);
    assert_eq!(provider.get_block_number().await.unwrap(), height);
    assert_eq!(provider.get_transaction_count(alice).await.unwrap(), 0);
    assert!(provider
        .get_transaction_receipt(r.transaction_hash)
        .await
        .unwrap()
        .is_none());
    // A snapshot is used up by reverting to it.
    let again: bool = provider
        .raw_request("evm_revert".into(), (snapshot,))
        .await
        .unwrap();
    assert!(!again);
    // The chain goes on: the same transfer again (through a new provider: alloy caches nonces,
    // and the one it cached was reverted, exactly as with anvil).
    let provider = rpc_support::provider(&node, key);
    let r = provider
        .send_transaction(
            TransactionRequest::default()
                .with_to(bob)
                .with_value(ether(1)),
        )
        .await
        .unwrap()
        .with_timeout(Some(RECEIPT_TIMEOUT))
        .get_receipt()
        .await
        .unwrap();
    assert!(r.status());
    assert_eq!(r.block_number, Some(height + 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn block_time_mines_several_transactions_per_block() {
    let node = devnet::node::spawn(NodeConfig {
        block_time: Some(Duration::from_millis(300)),
        ..NodeConfig::default()
    })
    .unwrap();
    let (_, key) = node.dev_accounts()[1];
    let chain_id = 412_346;
    let to = Address::repeat_byte(0xCC);
    let provider = provider(&node, key);
    let mut hashes = Vec::new();
    for nonce in 0..3 {
        let (_, raw) = signed_call(key, chain_id, nonce, to, Vec::new()).await;
        hashes.push(*provider.send_raw_transaction(&raw).await.unwrap().tx_hash());
    }
    // Pending until the next block.
    let mut blocks = Vec::new();
    for hash in &hashes {
        let receipt = loop {
            if let Some(r) = provider.get_transaction_receipt(*hash).await.unwrap() {
                break r;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(receipt.status());
        blocks.push((
            receipt.block_number.unwrap(),
            receipt.transaction_index.unwrap(),
        ));
    }
    assert_eq!(blocks[0].0, blocks[2].0, "one block: {blocks:?}");
    assert_eq!(
        blocks.iter().map(|b| b.1).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let block = provider
        .get_block_by_number(blocks[0].0.into())
        .full()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(block.transactions.len(), 3);
    assert_eq!(block.header.gas_used, 3 * 21_000);
}

#[test]
fn the_state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("devnet-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let config = NodeConfig {
        state_file: Some(file.clone()),
        ..NodeConfig::default()
    };
    let node = devnet::node::spawn(config.clone()).unwrap();
    let (owner, _) = node.dev_accounts()[0];
    let alice = Address::repeat_byte(0xA1);
    let token = token_in_process(&node, owner, &[alice]);
    let (head, nonce) = node.with_devnet(|chain| {
        chain.fund(alice, ether(1));
        (chain.block_number(), chain.nonce(owner))
    });
    node.shutdown();
    assert!(file.exists());

    let node = devnet::node::spawn(config).unwrap();
    node.with_devnet(|chain| {
        assert_eq!(chain.block_number(), head);
        let balance = chain
            .view(alice, token, &IToken::balanceOfCall { account: alice })
            .expect("the program is still activated");
        assert_eq!(balance, ether(1_000));
        assert_eq!(chain.nonce(owner), nonce);
        assert_eq!(chain.balance(alice), ether(1));
        // And it still runs transactions.
        assert!(chain
            .send_call(
                alice,
                token,
                &IToken::transferCall {
                    to: owner,
                    value: U256::from(1)
                }
            )
            .unwrap());
    });
    // Mined on top of the restored head.
    let response = rpc(node.local_addr(), "eth_blockNumber", serde_json::json!([]));
    assert_eq!(response["result"], format!("{:#x}", head + 1));
    drop(node);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_report_new_blocks_and_logs() {
    let node = spawn();
    let accounts = node.dev_accounts();
    let (owner, _) = accounts[0];
    let (alice, key) = accounts[1];
    let bob = accounts[2].0;
    let token = token_in_process(&node, owner, &[alice]);
    let provider = provider(&node, key);
    let blocks = provider.new_block_filter().await.unwrap();
    let transfers = provider
        .new_filter(
            &Filter::new()
                .address(token)
                .event_signature(IToken::Transfer::SIGNATURE_HASH),
        )
        .await
        .unwrap();
    assert!(provider
        .get_filter_changes::<B256>(blocks)
        .await
        .unwrap()
        .is_empty());
    let mut hashes = Vec::new();
    for value in [1u64, 2] {
        let r = provider
            .send_transaction(
                TransactionRequest::default()
                    .with_to(token)
                    .with_input(transfer_call(bob, U256::from(value))),
            )
            .await
            .unwrap()
            .with_timeout(Some(RECEIPT_TIMEOUT))
            .get_receipt()
            .await
            .unwrap();
        hashes.push(r.block_hash.unwrap());
    }
    assert_eq!(
        provider.get_filter_changes::<B256>(blocks).await.unwrap(),
        hashes
    );
    assert!(provider
        .get_filter_changes::<B256>(blocks)
        .await
        .unwrap()
        .is_empty());
    let logs: Vec<alloy::rpc::types::Log> = provider.get_filter_changes(transfers).await.unwrap();
    assert_eq!(logs.len(), 2);
    let decoded = IToken::Transfer::decode_log_data(logs[1].data()).unwrap();
    assert_eq!(
        (decoded.from, decoded.to, decoded.value),
        (alice, bob, U256::from(2))
    );
    let again: Vec<alloy::rpc::types::Log> = provider.get_filter_changes(transfers).await.unwrap();
    assert!(again.is_empty());
    assert!(provider.uninstall_filter(transfers).await.unwrap());
    assert!(!provider.uninstall_filter(transfers).await.unwrap());
    assert!(provider
        .get_filter_changes::<B256>(transfers)
        .await
        .is_err());
}

#[test]
fn eth_call_with_state_overrides_activates_code_like_cargo_stylus_check() {
    use alloy_sol_types::sol;
    sol! {
        interface IArbWasm {
            function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
            function stylusVersion() external view returns (uint16 version);
        }
    }
    let node = spawn();
    let addr = node.local_addr();
    let (dev, _) = node.dev_accounts()[0];
    let program = Address::repeat_byte(0x5A);
    let code = Bytes::from(al_asset_code());
    // What `cargo stylus check` does: put the code at an address, activate it in eth_call.
    let call = serde_json::json!({
        "from": dev,
        "to": devnet::ARB_WASM_ADDRESS,
        "input": Bytes::from(IArbWasm::activateProgramCall { program }.abi_encode()),
        "value": "0x0",
    });
    let overrides = serde_json::json!({ program.to_string(): { "code": code } });
    let response = rpc(
        addr,
        "eth_call",
        serde_json::json!([call, "latest", overrides]),
    );
    let output: Bytes =
        serde_json::from_value(response["result"].clone()).unwrap_or_else(|_| panic!("{response}"));
    let activated = IArbWasm::activateProgramCall::abi_decode_returns(&output).unwrap();
    let version_call = serde_json::json!({
        "to": devnet::ARB_WASM_ADDRESS,
        "input": Bytes::from(IArbWasm::stylusVersionCall {}.abi_encode()),
    });
    let version: Bytes = serde_json::from_value(
        rpc(addr, "eth_call", serde_json::json!([version_call]))["result"].clone(),
    )
    .unwrap();
    assert_eq!(
        activated.version,
        IArbWasm::stylusVersionCall::abi_decode_returns(&version).unwrap()
    );
    // Overrides last for the call only.
    let code_after = rpc(addr, "eth_getCode", serde_json::json!([program, "latest"]));
    assert_eq!(code_after["result"], "0x");
    // Without the override there is no program to activate.
    let response = rpc(addr, "eth_call", serde_json::json!([call, "latest"]));
    assert_eq!(error_code(&response), 3, "{response}");
    // Balance and stateDiff overrides: seen by the call (BALANCE / storage reads).
    let rich = Address::repeat_byte(0x77);
    let overrides = serde_json::json!({
        rich.to_string(): { "balance": "0x1234", "stateDiff": { format!("{:#066x}", 1): format!("{:#066x}", 9) } }
    });
    let balance_of = serde_json::json!({
        // BALANCE(rich) and SLOAD(1) of itself, returned as two words:
        // PUSH20 rich BALANCE PUSH1 0 MSTORE PUSH1 1 SLOAD PUSH1 32 MSTORE PUSH1 64 PUSH1 0 RETURN
        "to": rich,
    });
    let mut init = vec![0x73];
    init.extend_from_slice(rich.as_slice());
    init.extend_from_slice(&[
        0x31, 0x60, 0x00, 0x52, 0x60, 0x01, 0x54, 0x60, 0x20, 0x52, 0x60, 0x40, 0x60, 0x00, 0xF3,
    ]);
    let mut overrides_with_code = overrides.clone();
    overrides_with_code[rich.to_string()]["code"] = serde_json::json!(Bytes::from(init));
    let response = rpc(
        addr,
        "eth_call",
        serde_json::json!([balance_of, "latest", overrides_with_code]),
    );
    let out: Bytes =
        serde_json::from_value(response["result"].clone()).unwrap_or_else(|_| panic!("{response}"));
    assert_eq!(U256::from_be_slice(&out[..32]), U256::from(0x1234));
    assert_eq!(U256::from_be_slice(&out[32..]), U256::from(9));
    assert_eq!(
        rpc(addr, "eth_getBalance", serde_json::json!([rich]))["result"],
        "0x0"
    );
}
