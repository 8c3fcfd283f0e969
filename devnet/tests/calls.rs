//! Real SDK 0.10 contracts on the devnet: calls between Stylus programs and with EVM
//! contracts, value, return and revert data, static calls, re-entry, creation, transient
//! storage, the environment hostios, gas and snapshots.

mod common;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use common::{devnet_with_account, ether, wasm};
use devnet::{deploy_init_code, Devnet, ProgramNotActivated, TxRequest, DEFAULT_CHAIN_ID};

sol! {
    #[sol(all_derives)]
    interface ICallee {
        function set(uint256 value) external;
        function get() external view returns (uint256);
        function lastSender() external view returns (address);
        function deposit() external payable returns (uint256);
        function deposits() external view returns (uint256);
        function fail(string message) external;
        function echo(bytes data) external view returns (bytes);
        function whoami() external view returns (address, address, address);
        function env() external view returns (uint64, uint64, uint64, uint256, address, uint64, uint256, uint32);
        function callBack(address target) external returns (uint256);
        function transient(uint256 value) external returns (uint256, uint256);
        function transientValue() external view returns (uint256);
        function spin() external returns (uint256);

        event ValueSet(address indexed by, uint256 value);
        error Boom(string message);
    }

    #[sol(all_derives)]
    interface ICaller {
        function callSet(address target, uint256 value) external;
        function callGet(address target) external view returns (uint256);
        function forwardValue(address target) external payable returns (uint256);
        function bubble(address target, string message) external;
        function tryCall(address target, bytes data) external returns (bool, bytes);
        function staticSet(address target, uint256 value) external view returns (bool, bytes);
        function delegateSet(address target, uint256 value) external;
        function value() external view returns (uint256);
        function reenter(address target) external returns (uint256);
        function ping() external returns (uint256);
        function pings() external view returns (uint256);
        function deploy(bytes code, bytes32 salt) external payable returns (address);
        function callRaw(address target, bytes data) external returns (bytes);
        function meter() external view returns (uint64, uint64, uint32);
        function hash(bytes data) external view returns (bytes32);
        function account(address account) external view returns (uint256, uint256, bytes32, bytes);
    }
}

struct Pair {
    chain: Devnet,
    user: Address,
    caller: Address,
    callee: Address,
}

fn deploy_pair() -> Pair {
    let (mut chain, user) = devnet_with_account(0x11);
    let callee = chain
        .deploy_wasm(
            user,
            &wasm("devnet_test_callee"),
            Some(&(U256::from(7),).abi_encode_params()),
        )
        .expect("deploy callee")
        .address;
    let caller = chain
        .deploy_wasm(user, &wasm("devnet_test_caller"), None)
        .expect("deploy caller")
        .address;
    Pair {
        chain,
        user,
        caller,
        callee,
    }
}

#[test]
fn constructor_runs_and_direct_calls_work() {
    let Pair {
        mut chain,
        user,
        callee,
        ..
    } = deploy_pair();
    let get = chain.view(user, callee, &ICallee::getCall {}).expect("get");
    assert_eq!(get, U256::from(7), "constructor argument stored");

    let receipt = chain
        .transact(TxRequest::call(
            user,
            callee,
            ICallee::setCall {
                value: U256::from(42),
            }
            .abi_encode(),
        ))
        .expect("valid tx");
    assert!(receipt.status, "{receipt:?}");
    let events = receipt.events::<ICallee::ValueSet>();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].by, user);
    assert_eq!(events[0].value, U256::from(42));
    assert_eq!(receipt.logs[0].address, callee);
    assert!(
        receipt.gas_used > 21_000 && receipt.gas_used < 200_000,
        "{}",
        receipt.gas_used
    );
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(42)
    );

    let data = Bytes::from_static(b"hello stylus");
    let echoed = chain
        .view(user, callee, &ICallee::echoCall { data: data.clone() })
        .expect("echo");
    assert_eq!(echoed, data);
}

#[test]
fn stylus_to_stylus_calls_carry_data_and_value() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    chain
        .send_call(
            user,
            caller,
            &ICaller::callSetCall {
                target: callee,
                value: U256::from(99),
            },
        )
        .expect("callSet");
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(99)
    );
    assert_eq!(
        chain
            .view(user, callee, &ICallee::lastSenderCall {})
            .unwrap(),
        caller,
        "msg.sender of the inner call is the calling program"
    );
    let got = chain
        .view(user, caller, &ICaller::callGetCall { target: callee })
        .expect("callGet");
    assert_eq!(got, U256::from(99), "return data flows back");

    let user_before = chain.balance(user);
    let reported = chain
        .send_call_with_value(
            user,
            caller,
            &ICaller::forwardValueCall { target: callee },
            ether(3),
        )
        .expect("forwardValue");
    assert_eq!(reported, ether(3), "callee saw msg.value");
    assert_eq!(chain.balance(callee), ether(3));
    assert_eq!(chain.balance(caller), U256::ZERO);
    assert!(
        chain.balance(user) < user_before - ether(3),
        "value plus gas paid"
    );
    assert_eq!(
        chain.view(user, callee, &ICallee::depositsCall {}).unwrap(),
        ether(3)
    );
}

#[test]
fn reverts_bubble_with_their_data() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    let err = chain
        .send_call(
            user,
            caller,
            &ICaller::bubbleCall {
                target: callee,
                message: "nope".into(),
            },
        )
        .map(|_| ())
        .expect_err("must revert");
    let decoded = err
        .decode::<ICallee::ICalleeErrors>()
        .expect("a callee error");
    match decoded {
        ICallee::ICalleeErrors::Boom(boom) => assert_eq!(boom.message, "nope"),
    }
    assert!(err.is::<ICallee::Boom>());

    // Caught without reverting: (false, revert data).
    let data = ICallee::failCall {
        message: "caught".into(),
    }
    .abi_encode();
    let ret = chain
        .send_call(
            user,
            caller,
            &ICaller::tryCallCall {
                target: callee,
                data: data.into(),
            },
        )
        .expect("tryCall itself succeeds");
    assert!(!ret._0);
    let boom = ICallee::Boom::abi_decode(&ret._1).expect("revert data preserved");
    assert_eq!(boom.message, "caught");
}

#[test]
fn static_call_cannot_write() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    let ret = chain
        .send_call(
            user,
            caller,
            &ICaller::staticSetCall {
                target: callee,
                value: U256::from(5),
            },
        )
        .expect("staticSet returns");
    assert!(!ret._0, "the static call must fail");
    assert!(
        ret._1.is_empty(),
        "write protection is a failure, not a revert"
    );
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(7)
    );
}

#[test]
fn delegate_call_writes_the_callers_storage() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    chain
        .send_call(
            user,
            caller,
            &ICaller::delegateSetCall {
                target: callee,
                value: U256::from(1234),
            },
        )
        .expect("delegateSet");
    assert_eq!(
        chain.view(user, caller, &ICaller::valueCall {}).unwrap(),
        U256::from(1234)
    );
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(7)
    );
}

#[test]
fn reentrancy_is_rejected() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    // caller -> callee -> caller.ping(): caller is on the stack, so its SDK entrypoint
    // (without the `reentrant` feature) refuses the inner call, and the revert bubbles.
    let err = chain
        .send_call(user, caller, &ICaller::reenterCall { target: callee })
        .map(|_| ())
        .expect_err("re-entry must be rejected");
    assert!(err.halt.is_none(), "a revert, not a halt: {err}");
    assert_eq!(
        chain.view(user, caller, &ICaller::pingsCall {}).unwrap(),
        U256::ZERO
    );

    // The same call shape into a different instance is not re-entry.
    let other = chain
        .deploy_wasm(user, &wasm("devnet_test_caller"), None)
        .unwrap()
        .address;
    let data = ICallee::callBackCall { target: other }.abi_encode();
    let ret = chain
        .send_call(
            user,
            caller,
            &ICaller::tryCallCall {
                target: callee,
                data: data.into(),
            },
        )
        .unwrap();
    assert!(ret._0, "calling back another instance works");
    assert_eq!(
        chain.view(user, other, &ICaller::pingsCall {}).unwrap(),
        U256::from(1)
    );
}

/// EVM runtime: `slot0 = calldata[0..32]; return calldata[0..32] + 1`.
const EVM_STORE_INC: &[u8] = &[
    0x60, 0x00, 0x35, // PUSH1 0 CALLDATALOAD
    0x80, 0x60, 0x00, 0x55, // DUP1 PUSH1 0 SSTORE
    0x60, 0x01, 0x01, // PUSH1 1 ADD
    0x60, 0x00, 0x52, // PUSH1 0 MSTORE
    0x60, 0x20, 0x60, 0x00, 0xF3, // PUSH1 32 PUSH1 0 RETURN
];

/// EVM runtime: calls `calldata[0..32]` (an address) with `calldata[32..]` and the call
/// value, then returns (or reverts with) what it returned.
const EVM_FORWARDER: &[u8] = &[
    0x60, 0x20, 0x36, 0x03, // PUSH1 32 CALLDATASIZE SUB          [len]
    0x80, 0x60, 0x20, 0x60, 0x00, 0x37, // DUP1 PUSH1 32 PUSH1 0 CALLDATACOPY
    0x60, 0x00, 0x60, 0x00, // retLen 0, retOffset 0
    0x82, 0x60, 0x00, // DUP3 (argsLen) PUSH1 0 (argsOffset)
    0x34, // CALLVALUE
    0x60, 0x00, 0x35, // PUSH1 0 CALLDATALOAD (address)
    0x5A, 0xF1, // GAS CALL
    0x3D, 0x60, 0x00, 0x60, 0x00, 0x3E, // RETURNDATACOPY(0, 0, size)
    0x60, 0x24, 0x57, // PUSH1 ok JUMPI
    0x3D, 0x60, 0x00, 0xFD, // REVERT(0, size)
    0x5B, 0x3D, 0x60, 0x00, 0xF3, // ok: JUMPDEST RETURN(0, size)
];

#[test]
fn stylus_calls_evm_and_evm_calls_stylus() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    let store = chain
        .deploy_evm(user, &deploy_init_code(EVM_STORE_INC))
        .expect("deploy EVM contract");
    assert_eq!(chain.code(store), Bytes::from_static(EVM_STORE_INC));

    // Stylus -> EVM.
    let out = chain
        .send_call(
            user,
            caller,
            &ICaller::callRawCall {
                target: store,
                data: U256::from(41).abi_encode().into(),
            },
        )
        .expect("callRaw");
    assert_eq!(U256::from_be_slice(&out), U256::from(42));
    assert_eq!(chain.storage(store, U256::ZERO), U256::from(41));

    // EVM -> Stylus, with value.
    let forwarder = chain
        .deploy_evm(user, &deploy_init_code(EVM_FORWARDER))
        .expect("deploy forwarder");
    let mut data = callee.into_word().to_vec();
    data.extend(ICallee::depositCall {}.abi_encode());
    let receipt = chain
        .transact(TxRequest::call(user, forwarder, data).with_value(ether(2)))
        .unwrap();
    assert!(receipt.status, "{receipt:?}");
    assert_eq!(U256::from_be_slice(&receipt.output), ether(2));
    assert_eq!(chain.balance(callee), ether(2));

    // EVM -> Stylus -> Stylus: msg.sender and tx.origin through both kinds of frame.
    let mut data = caller.into_word().to_vec();
    data.extend(
        ICaller::callSetCall {
            target: callee,
            value: U256::from(5),
        }
        .abi_encode(),
    );
    let receipt = chain
        .transact(TxRequest::call(user, forwarder, data))
        .unwrap();
    assert!(receipt.status, "{receipt:?}");
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(5)
    );
    let (sender, origin, this) = {
        let r = chain.view(user, callee, &ICallee::whoamiCall {}).unwrap();
        (r._0, r._1, r._2)
    };
    assert_eq!((sender, origin, this), (user, user, callee));

    // A revert inside the Stylus callee comes back through the EVM forwarder.
    let mut data = callee.into_word().to_vec();
    data.extend(
        ICallee::failCall {
            message: "evm".into(),
        }
        .abi_encode(),
    );
    let receipt = chain
        .transact(TxRequest::call(user, forwarder, data))
        .unwrap();
    let revert = receipt.revert().expect("reverted");
    assert_eq!(revert.as_error::<ICallee::Boom>().unwrap().message, "evm");
}

#[test]
fn programs_create_contracts_with_create1_and_create2() {
    let Pair {
        mut chain,
        user,
        caller,
        ..
    } = deploy_pair();
    // CREATE of an EVM contract: address from (caller, nonce 1).
    let init = deploy_init_code(EVM_STORE_INC);
    let created = chain
        .send_call(
            user,
            caller,
            &ICaller::deployCall {
                code: init.clone().into(),
                salt: B256::ZERO,
            },
        )
        .expect("create1");
    assert_eq!(created, caller.create(1));
    assert_eq!(chain.code(created), Bytes::from_static(EVM_STORE_INC));

    // CREATE2: address from (caller, salt, keccak(init)).
    let salt = B256::repeat_byte(0x5A);
    let created2 = chain
        .send_call(
            user,
            caller,
            &ICaller::deployCall {
                code: init.clone().into(),
                salt,
            },
        )
        .expect("create2");
    assert_eq!(created2, caller.create2(salt, keccak256(&init)));
    // The same salt again collides: the deploy reverts.
    assert!(chain
        .send_call(
            user,
            caller,
            &ICaller::deployCall {
                code: init.into(),
                salt
            }
        )
        .is_err());

    // A program can deploy a Stylus program; it runs only once activated. (A new program:
    // activation is per code hash, and the callee's code is already active.)
    let echo = wat::parse_str(
        r#"(module
            (import "vm_hooks" "read_args" (func $read_args (param i32)))
            (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
            (memory (export "memory") 1)
            (func (export "user_entrypoint") (param $len i32) (result i32)
                (call $read_args (i32.const 0))
                (call $write_result (i32.const 0) (local.get $len))
                (i32.const 0)))"#,
    )
    .unwrap();
    let code = stylus_program::compress(&echo);
    let program = chain
        .send_call(
            user,
            caller,
            &ICaller::deployCall {
                code: deploy_init_code(&code).into(),
                salt: B256::ZERO,
            },
        )
        .expect("create program");
    assert_eq!(chain.code(program), Bytes::from(code));
    let receipt = chain
        .call(TxRequest::call(user, program, vec![1, 2, 3]))
        .unwrap();
    assert!(receipt.revert().unwrap().is::<ProgramNotActivated>());
    chain.activate(user, program).expect("activate");
    let receipt = chain
        .call(TxRequest::call(user, program, vec![1, 2, 3]))
        .unwrap();
    assert_eq!(receipt.output, Bytes::from(vec![1, 2, 3]));
}

#[test]
fn transient_storage_lives_for_one_transaction() {
    let Pair {
        mut chain,
        user,
        callee,
        ..
    } = deploy_pair();
    let r = chain
        .send_call(
            user,
            callee,
            &ICallee::transientCall {
                value: U256::from(77),
            },
        )
        .expect("transient");
    assert_eq!((r._0, r._1), (U256::ZERO, U256::from(77)));
    // A new transaction starts with empty transient storage.
    let r = chain
        .send_call(
            user,
            callee,
            &ICallee::transientCall {
                value: U256::from(78),
            },
        )
        .expect("transient again");
    assert_eq!((r._0, r._1), (U256::ZERO, U256::from(78)));
    assert_eq!(
        chain
            .view(user, callee, &ICallee::transientValueCall {})
            .unwrap(),
        U256::ZERO
    );
}

#[test]
fn environment_hostios_report_the_block() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    chain.warp(1_000);
    let next = chain.next_timestamp();
    let env = chain.view(user, callee, &ICallee::envCall {}).unwrap();
    assert_eq!(env._0, DEFAULT_CHAIN_ID);
    assert_eq!(
        env._1,
        chain.block_number() + 1,
        "calls run in the pending block"
    );
    assert_eq!(env._2, next);
    assert_eq!(env._3, U256::from(chain.config().base_fee));
    assert_eq!(env._4, chain.config().coinbase);
    assert_eq!(env._5, chain.config().block_gas_limit);
    assert_eq!(env._7, 10_000, "ink price");

    let data = Bytes::from_static(b"keccak me");
    let hash = chain
        .view(user, caller, &ICaller::hashCall { data: data.clone() })
        .unwrap();
    assert_eq!(hash, keccak256(&data));

    let info = chain
        .view(user, caller, &ICaller::accountCall { account: callee })
        .unwrap();
    assert_eq!(info._1, U256::from(chain.code(callee).len()));
    assert_eq!(info._2, keccak256(chain.code(callee)));
    assert_eq!(info._3, chain.code(callee));
    let info = chain
        .view(user, caller, &ICaller::accountCall { account: user })
        .unwrap();
    assert_eq!(info._0, chain.balance(user));
    assert_eq!(info._2, keccak256([]), "EOA code hash");

    let meter = chain.view(user, caller, &ICaller::meterCall {}).unwrap();
    assert!(
        meter._0 > 1_000_000 && meter._0 < 30_000_000,
        "{}",
        meter._0
    );
    // Ink is read after gas: a little less, at 10,000 ink per gas.
    assert!(
        meter._1 / 10_000 <= meter._0 && meter._1 / 10_000 + 10 >= meter._0,
        "{meter:?}"
    );
    assert_eq!(meter._2, 10_000);
}

#[test]
fn infinite_loop_runs_out_of_gas_without_changes() {
    let Pair {
        mut chain,
        user,
        callee,
        ..
    } = deploy_pair();
    let nonce = chain.nonce(user);
    let receipt = chain
        .transact(
            TxRequest::call(user, callee, ICallee::spinCall {}.abi_encode())
                .with_gas_limit(2_000_000),
        )
        .unwrap();
    assert!(!receipt.status);
    assert_eq!(receipt.gas_used, 2_000_000, "all gas consumed");
    assert!(
        receipt
            .halt_reason
            .as_deref()
            .unwrap_or("")
            .contains("OutOfGas"),
        "{receipt:?}"
    );
    assert!(receipt
        .program_failures
        .iter()
        .any(|f| f.contains("out of ink")));
    assert_eq!(
        chain.nonce(user),
        nonce + 1,
        "the transaction is still included"
    );
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(7)
    );
}

#[test]
fn snapshots_restore_state() {
    let Pair {
        mut chain,
        user,
        callee,
        ..
    } = deploy_pair();
    let block = chain.block_number();
    let snap = chain.snapshot();
    chain
        .send_call(
            user,
            callee,
            &ICallee::setCall {
                value: U256::from(1),
            },
        )
        .unwrap();
    chain.mine_blocks(3);
    assert_eq!(chain.block_number(), block + 4);
    assert!(chain.revert_to(snap));
    assert_eq!(chain.block_number(), block);
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(7)
    );
    assert!(!chain.revert_to(snap), "a snapshot is consumed");
}

#[test]
fn failing_constructor_deploys_nothing() {
    let (mut chain, user) = devnet_with_account(0x22);
    let nonce = chain.nonce(user);
    let err = chain
        .deploy_wasm(
            user,
            &wasm("devnet_test_callee"),
            Some(&(U256::MAX,).abi_encode_params()),
        )
        .expect_err("constructor refuses U256::MAX");
    match err {
        devnet::DevnetError::Deploy { step, revert } => {
            assert_eq!(step, "constructor");
            assert_eq!(
                revert.as_error::<ICallee::Boom>().unwrap().message,
                "bad initial value"
            );
        }
        other => panic!("unexpected {other}"),
    }
    assert_eq!(chain.nonce(user), nonce, "rolled back");
    assert!(
        chain.code(user.create(nonce)).is_empty(),
        "nothing deployed"
    );
}

#[test]
fn gas_is_charged_like_a_chain() {
    let Pair {
        mut chain,
        user,
        caller,
        callee,
    } = deploy_pair();
    // A cold write costs more than a warm re-write of the same slot.
    let first = chain
        .transact(TxRequest::call(
            user,
            callee,
            ICallee::setCall {
                value: U256::from(100),
            }
            .abi_encode(),
        ))
        .unwrap();
    let second = chain
        .transact(TxRequest::call(
            user,
            callee,
            ICallee::setCall {
                value: U256::from(101),
            }
            .abi_encode(),
        ))
        .unwrap();
    assert!(first.status && second.status);
    assert!(
        first.gas_used > second.gas_used - 1,
        "{} vs {}",
        first.gas_used,
        second.gas_used
    );
    // A cross-program call costs more than a direct one.
    let nested = chain
        .transact(TxRequest::call(
            user,
            caller,
            ICaller::callSetCall {
                target: callee,
                value: U256::from(102),
            }
            .abi_encode(),
        ))
        .unwrap();
    assert!(
        nested.gas_used > second.gas_used,
        "{} vs {}",
        nested.gas_used,
        second.gas_used
    );
    // Too little gas for the program's init cost fails without side effects.
    let starved = chain
        .transact(
            TxRequest::call(
                user,
                callee,
                ICallee::setCall {
                    value: U256::from(1),
                }
                .abi_encode(),
            )
            .with_gas_limit(25_000),
        )
        .unwrap();
    assert!(!starved.status);
    assert_eq!(
        chain.view(user, callee, &ICallee::getCall {}).unwrap(),
        U256::from(102)
    );
}
