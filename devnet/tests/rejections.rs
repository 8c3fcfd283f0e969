//! What the devnet refuses, each with a clear error and no state change: invalid programs at
//! deployment and at activation, calls before activation, runaway loops, bad guest input.

mod common;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use common::{devnet_with_account, wasm};
use devnet::{
    deploy_init_code, ArbWasm, Devnet, DevnetError, ProgramNotActivated, ProgramNotWasm,
    ProgramUpToDate, SolidityError, TxRequest, ARB_WASM_ADDRESS,
};
use stylus_program::ValidationError;

/// A minimal valid program around `body` (extra module fields).
fn program(body: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module
            (import "vm_hooks" "read_args" (func $read_args (param i32)))
            (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
            (memory (export "memory") 1 1)
            {body})"#
    ))
    .expect("valid wat")
}

/// A program that returns its calldata.
fn echo_program() -> Vec<u8> {
    program(
        r#"(func (export "user_entrypoint") (param $len i32) (result i32)
            (call $read_args (i32.const 0))
            (call $write_result (i32.const 0) (local.get $len))
            (i32.const 0))"#,
    )
}

/// Deploys `code` (already prefixed) without activating it.
fn deploy_code(chain: &mut Devnet, from: Address, code: &[u8]) -> Address {
    chain
        .deploy_evm(from, &deploy_init_code(code))
        .expect("code deploys")
}

fn assert_rejected(
    chain: &mut Devnet,
    from: Address,
    wasm: &[u8],
    expect: impl Fn(&ValidationError) -> bool,
) {
    let nonce = chain.nonce(from);
    match chain.deploy_wasm(from, wasm, None) {
        Err(DevnetError::Program(e)) => assert!(expect(&e), "unexpected rejection: {e}"),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(chain.nonce(from), nonce, "nothing was sent");
}

/// Activation through the precompile fails with `Error(string)` naming the rule.
fn assert_activation_fails(chain: &mut Devnet, from: Address, wasm: &[u8], needle: &str) {
    let program = deploy_code(chain, from, &stylus_program::compress(wasm));
    let revert = chain
        .activate(from, program)
        .expect_err("activation must fail");
    let reason = revert
        .as_error::<SolidityError>()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(reason.starts_with("program activation failed"), "{reason}");
    assert!(
        reason.contains(needle),
        "{reason:?} should mention {needle:?}"
    );
    // Still not activated: calls revert.
    let err = chain
        .call(TxRequest::call(from, program, vec![1, 2, 3]))
        .unwrap();
    assert!(err.revert().unwrap().is::<ProgramNotActivated>());
}

#[test]
fn valid_wat_program_runs() {
    let (mut chain, user) = devnet_with_account(1);
    let deployment = chain
        .deploy_wasm(user, &echo_program(), None)
        .expect("deploys");
    let out = chain
        .call(TxRequest::call(user, deployment.address, vec![9, 8, 7]))
        .unwrap();
    assert!(out.status);
    assert_eq!(out.output, Bytes::from(vec![9, 8, 7]));
}

#[test]
fn floats_are_rejected() {
    let (mut chain, user) = devnet_with_account(1);
    let wasm = program(
        r#"(func (export "user_entrypoint") (param i32) (result i32)
            (i32.trunc_f64_s (f64.mul (f64.convert_i32_s (local.get 0)) (f64.const 1.5))))"#,
    );
    assert_rejected(&mut chain, user, &wasm, |e| {
        matches!(e, ValidationError::FloatingPoint(_))
    });
    assert_activation_fails(&mut chain, user, &wasm, "floating point");
}

#[test]
fn missing_entrypoint_is_rejected() {
    let (mut chain, user) = devnet_with_account(1);
    let wasm = program(r#"(func (export "main") (param i32) (result i32) (i32.const 0))"#);
    assert_rejected(&mut chain, user, &wasm, |e| {
        *e == ValidationError::MissingEntrypoint
    });
    assert_activation_fails(&mut chain, user, &wasm, "user_entrypoint");
}

#[test]
fn start_functions_and_foreign_imports_are_rejected() {
    let (mut chain, user) = devnet_with_account(1);
    let start = program(
        r#"(func $s) (start $s)
           (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0))"#,
    );
    assert_rejected(&mut chain, user, &start, |e| {
        *e == ValidationError::StartFunction
    });
    let wasi = wat::parse_str(
        r#"(module
            (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
            (memory (export "memory") 1)
            (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    assert_rejected(&mut chain, user, &wasi, |e| {
        matches!(e, ValidationError::ForbiddenImport { .. })
    });
    assert_activation_fails(&mut chain, user, &wasi, "forbidden import");
}

#[test]
fn oversized_programs_are_rejected() {
    let (mut chain, user) = devnet_with_account(1);
    // Incompressible data: the compressed code exceeds 24 KiB.
    let mut noise = Vec::with_capacity(30_000);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..30_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push(x as u8);
    }
    let escaped: String = noise.iter().map(|b| format!("\\{b:02x}")).collect();
    let big = program(&format!(
        r#"(data (i32.const 0) "{escaped}")
           (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0))"#
    ));
    assert_rejected(&mut chain, user, &big, |e| {
        matches!(e, ValidationError::CodeTooLarge { .. })
    });
    // Deploying such code directly fails at CREATE (EIP-170).
    let receipt = chain
        .transact(TxRequest::create(
            user,
            deploy_init_code(&stylus_program::compress(&big)),
        ))
        .unwrap();
    assert!(!receipt.status);
    assert!(receipt
        .halt_reason
        .unwrap()
        .contains("CreateContractSizeLimit"));

    // Compresses well but decompresses past 128 KiB: rejected at activation.
    let zeros = "\\00".repeat(140 * 1024);
    let huge = wat::parse_str(format!(
        r#"(module (memory (export "memory") 3)
            (data (i32.const 0) "{zeros}")
            (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#
    ))
    .unwrap();
    assert_rejected(&mut chain, user, &huge, |e| {
        matches!(e, ValidationError::WasmTooLarge { .. })
    });
    assert_activation_fails(&mut chain, user, &huge, "too large");

    // Memory beyond the page limit.
    let greedy = wat::parse_str(
        r#"(module (memory (export "memory") 200)
            (func (export "user_entrypoint") (param i32) (result i32) (i32.const 0)))"#,
    )
    .unwrap();
    assert_rejected(&mut chain, user, &greedy, |e| {
        matches!(e, ValidationError::MemoryTooLarge { .. })
    });
    assert_activation_fails(&mut chain, user, &greedy, "memory exceeds limit");
}

#[test]
fn code_without_the_stylus_prefix_cannot_be_activated() {
    let (mut chain, user) = devnet_with_account(1);
    // An EVM contract.
    let evm = deploy_code(&mut chain, user, &[0x60, 0x00, 0x60, 0x00, 0xF3]);
    let revert = chain.activate(user, evm).expect_err("not wasm");
    assert!(revert.is::<ProgramNotWasm>(), "{revert}");
    // Raw WASM without the 0xEFF00000 prefix is not a program either.
    let raw = deploy_code(&mut chain, user, &echo_program());
    assert!(chain
        .activate(user, raw)
        .unwrap_err()
        .is::<ProgramNotWasm>());
    // The EOA has no code at all.
    assert!(chain
        .activate(user, user)
        .unwrap_err()
        .is::<ProgramNotWasm>());
}

#[test]
fn programs_run_only_after_activation() {
    let (mut chain, user) = devnet_with_account(1);
    let code = stylus_program::compress(&echo_program());
    let program = deploy_code(&mut chain, user, &code);
    let receipt = chain
        .transact(TxRequest::call(user, program, vec![1]))
        .unwrap();
    assert!(!receipt.status);
    assert!(receipt.revert().unwrap().is::<ProgramNotActivated>());

    let activation = chain.activate(user, program).expect("activates");
    let ret = ArbWasm::activateProgramCall::abi_decode_returns(&activation.output).unwrap();
    assert_eq!(ret.version, 2);
    // The data fee is waived by default (`DevnetConfig::charge_data_fee`; nitro's figure is
    // checked in tests/conformance.rs).
    assert_eq!(ret.dataFee, U256::ZERO);
    assert_eq!(activation.events::<ArbWasm::ProgramActivated>().len(), 1);

    let out = chain
        .transact(TxRequest::call(user, program, vec![1, 2]))
        .unwrap();
    assert!(out.status);
    assert_eq!(out.output, Bytes::from(vec![1, 2]));
    // Activating again is refused.
    assert!(chain
        .activate(user, program)
        .unwrap_err()
        .is::<ProgramUpToDate>());

    // The read methods know the program.
    let version = chain
        .view(
            user,
            ARB_WASM_ADDRESS,
            &ArbWasm::programVersionCall { program },
        )
        .unwrap();
    assert_eq!(version, 2);
    let footprint = chain
        .view(
            user,
            ARB_WASM_ADDRESS,
            &ArbWasm::programMemoryFootprintCall { program },
        )
        .unwrap();
    assert_eq!(footprint, 1);
    let init = chain
        .view(
            user,
            ARB_WASM_ADDRESS,
            &ArbWasm::programInitGasCall { program },
        )
        .unwrap();
    assert!(init.gas > init.gasWhenCached);
    let left = chain
        .view(
            user,
            ARB_WASM_ADDRESS,
            &ArbWasm::programTimeLeftCall { program },
        )
        .unwrap();
    assert!(left > 364 * 86_400 && left <= 365 * 86_400, "{left}");
    let codehash = alloy_primitives::keccak256(&code);
    assert_eq!(
        chain
            .view(
                user,
                ARB_WASM_ADDRESS,
                &ArbWasm::codehashVersionCall { codehash }
            )
            .unwrap(),
        2
    );
    // Unknown programs revert with ProgramNotActivated.
    let err = chain
        .view(
            user,
            ARB_WASM_ADDRESS,
            &ArbWasm::programVersionCall { program: user },
        )
        .unwrap_err();
    assert!(err.is::<ProgramNotActivated>());
}

#[test]
fn arbwasm_parameters() {
    let (mut chain, user) = devnet_with_account(1);
    let mut view = |call: Vec<u8>| {
        let r = chain
            .call(TxRequest::call(user, ARB_WASM_ADDRESS, call))
            .unwrap();
        assert!(r.status);
        U256::from_be_slice(&r.output[..32])
    };
    assert_eq!(
        view(ArbWasm::stylusVersionCall {}.abi_encode()),
        U256::from(2)
    );
    assert_eq!(
        view(ArbWasm::inkPriceCall {}.abi_encode()),
        U256::from(10_000)
    );
    // nitro `arbos/programs/params.go`: `arbOS50MaxWasmSize = 22000` from ArbOS 50 (the
    // default ArbOS 61 is past it).
    assert_eq!(
        view(ArbWasm::maxStackDepthCall {}.abi_encode()),
        U256::from(22_000)
    );
    assert_eq!(view(ArbWasm::freePagesCall {}.abi_encode()), U256::from(2));
    assert_eq!(
        view(ArbWasm::pageGasCall {}.abi_encode()),
        U256::from(1_000)
    );
    assert_eq!(
        view(ArbWasm::pageLimitCall {}.abi_encode()),
        U256::from(128)
    );
    assert_eq!(
        view(ArbWasm::expiryDaysCall {}.abi_encode()),
        U256::from(365)
    );
}

#[test]
fn activation_inside_a_reverted_snapshot_disappears() {
    let (mut chain, user) = devnet_with_account(1);
    let program = deploy_code(&mut chain, user, &stylus_program::compress(&echo_program()));
    let snap = chain.snapshot();
    chain.activate(user, program).unwrap();
    assert!(chain.revert_to(snap));
    let receipt = chain.call(TxRequest::call(user, program, vec![1])).unwrap();
    assert!(receipt.revert().unwrap().is::<ProgramNotActivated>());
}

#[test]
fn infinite_loop_halts_out_of_gas() {
    let (mut chain, user) = devnet_with_account(1);
    let looping = program(
        r#"(global $counter (mut i32) (i32.const 0))
           (func (export "user_entrypoint") (param i32) (result i32)
             (loop $forever
               (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
               (br $forever))
             (i32.const 0))"#,
    );
    let address = chain.deploy_wasm(user, &looping, None).unwrap().address;
    let balance = chain.balance(user);
    let receipt = chain
        .transact(TxRequest::call(user, address, vec![]).with_gas_limit(1_000_000))
        .unwrap();
    assert!(!receipt.status);
    assert_eq!(receipt.gas_used, 1_000_000);
    assert!(receipt.revert().unwrap().to_string().contains("OutOfGas"));
    // The sender paid for the gas, and nothing else changed.
    let fee = U256::from(1_000_000u64) * U256::from(chain.config().base_fee);
    assert_eq!(chain.balance(user), balance - fee);
}

#[test]
fn bad_guest_pointers_fail_the_program_not_the_host() {
    let (mut chain, user) = devnet_with_account(1);
    let wild = program(
        r#"(func (export "user_entrypoint") (param i32) (result i32)
            (call $write_result (i32.const 0xFFFFFFF0) (i32.const 64))
            (i32.const 0))"#,
    );
    let address = chain.deploy_wasm(user, &wild, None).unwrap().address;
    let receipt = chain
        .transact(TxRequest::call(user, address, vec![]))
        .unwrap();
    assert!(!receipt.status);
    assert!(
        receipt
            .program_failures
            .iter()
            .any(|f| f.contains("out of bounds")),
        "{:?}",
        receipt.program_failures
    );
    // A trap (unreachable) is a failure too.
    let trap = program(r#"(func (export "user_entrypoint") (param i32) (result i32) unreachable)"#);
    let address = chain.deploy_wasm(user, &trap, None).unwrap().address;
    let receipt = chain
        .transact(TxRequest::call(user, address, vec![]))
        .unwrap();
    assert!(!receipt.status);
    assert!(receipt.program_failures.iter().any(|f| f.contains("trap")));
}

#[test]
fn invalid_transactions_are_rejected_without_changes() {
    let (mut chain, _) = devnet_with_account(1);
    let pauper = Address::repeat_byte(0x77);
    let err = chain
        .transact(TxRequest::call(pauper, Address::ZERO, vec![]))
        .unwrap_err();
    assert!(matches!(err, DevnetError::InvalidTransaction(_)), "{err}");
    assert_eq!(chain.nonce(pauper), 0);
    assert_eq!(chain.block_number(), 0, "no block mined");
}

#[test]
fn sdk_contract_deploys_from_file() {
    let (mut chain, user) = devnet_with_account(1);
    let path = common::wasm_dir().join("devnet_test_caller.wasm");
    let _ = wasm("devnet_test_caller"); // build if needed
    let deployment = chain.deploy_wasm_file(user, &path, None).expect("deploys");
    assert_eq!(deployment.receipts.len(), 2);
    assert!(deployment.code_size < stylus_program::MAX_CODE_SIZE);
    assert_eq!(chain.cached_modules(), 0, "compiled on first call");
    let pings = alloy_primitives::keccak256(b"pings()")[..4].to_vec();
    for _ in 0..2 {
        let r = chain
            .call(TxRequest::call(user, deployment.address, pings.clone()))
            .unwrap();
        assert!(r.status, "{r:?}");
        assert_eq!(U256::from_be_slice(&r.output), U256::ZERO);
    }
    assert_eq!(
        chain.cached_modules(),
        1,
        "compiled once, cached by code hash"
    );
    let missing = chain.deploy_wasm_file(user, path.with_extension("nope"), None);
    assert!(matches!(missing, Err(DevnetError::Io(_))));
}

#[test]
fn exit_early_and_console() {
    let (mut chain, user) = devnet_with_account(1);
    // Logs through `console`, writes its calldata as the result, then exits early with
    // status 1: a revert carrying that data.
    let wasm = wat::parse_str(
        r#"(module
            (import "vm_hooks" "read_args" (func $read_args (param i32)))
            (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
            (import "vm_hooks" "exit_early" (func $exit_early (param i32)))
            (import "console" "log_txt" (func $log_txt (param i32 i32)))
            (import "console" "log_i64" (func $log_i64 (param i64)))
            (memory (export "memory") 1)
            (data (i32.const 1024) "hello from wasm")
            (func (export "user_entrypoint") (param $len i32) (result i32)
                (call $log_txt (i32.const 1024) (i32.const 15))
                (call $log_i64 (i64.const -42))
                (call $read_args (i32.const 0))
                (call $write_result (i32.const 0) (local.get $len))
                (call $exit_early (i32.const 1))
                (i32.const 0)))"#,
    )
    .unwrap();
    let address = chain.deploy_wasm(user, &wasm, None).unwrap().address;
    let receipt = chain
        .transact(TxRequest::call(user, address, vec![0xAB, 0xCD]))
        .unwrap();
    assert!(!receipt.status);
    assert!(receipt.halt_reason.is_none(), "a revert, not a halt");
    assert_eq!(receipt.output, Bytes::from(vec![0xAB, 0xCD]));
    assert_eq!(
        receipt.console,
        vec!["hello from wasm".to_string(), "-42".to_string()]
    );
    assert_eq!(chain.take_console(), receipt.console);
}
