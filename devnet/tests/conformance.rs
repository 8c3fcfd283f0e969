//! Conformance with nitro: small WAT probe programs whose ink and gas are compared with the
//! figures nitro's own tests assert and with nitro's formulas, one table per concern.
//!
//! Sources (OffchainLabs/nitro): `system_tests/program_ink_test.go` (exact ink of each
//! hostio), `crates/arbutil/src/pricing.rs` (hostio prices), `crates/prover/src/programs/
//! meter.rs` (`pricing_v1`), `crates/prover/src/binary.rs` (init-cost estimates),
//! `crates/prover/src/programs/mod.rs` (`Module::activate`, activation gas),
//! `arbos/programs/{programs,api,params,data_pricer}.go`, `util/arbmath/math.go`.
//!
//! A probe reads its calldata to offset 1024, reads `evm_ink_left`, runs a body ending with
//! the hostio under test, reads `evm_ink_left` again and returns both readings. The difference
//! is the hostio's ink plus the probe's own basic blocks, which [`Probe::overhead`] prices with
//! nitro's `pricing_v1`; what remains must equal nitro's figure exactly.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolEvent};
use devnet::{
    deploy_init_code, params, ArbSys, ArbWasm, Devnet, DevnetConfig, Receipt, TxRequest,
    ARB_SYS_ADDRESS, ARB_WASM_ADDRESS, DEV_ACCOUNT,
};

// --- nitro's prices, written out independently of the devnet ---
/// `ink_header_cost` (`crates/prover/src/programs/config.rs`, `CompileConfig::version`).
const HEADER: u64 = 2_450;
/// `pricing_v1` (`crates/prover/src/programs/meter.rs`): `I32Const`/`I64Const` 1, `Drop` 9,
/// `Call` 3,800, `LocalSet` 210, `MemoryGrow` 8,050.
const CONST: u64 = 1;
const DROP: u64 = 9;
const CALL: u64 = 3_800;
const LOCAL_SET: u64 = 210;
const MEMORY_GROW: u64 = 8_050;
/// `crates/arbutil/src/pricing.rs`: `HOSTIO_INK`, `PTR_INK = 13440 - HOSTIO_INK`,
/// `EVM_API_INK`.
const HOSTIO: u64 = 8_400;
const PTR: u64 = 5_040;
const EVM_API: u64 = 59_673;
const INK_PER_GAS: u64 = 10_000;

/// `read_price` (`crates/arbutil/src/pricing.rs`).
fn read_price(bytes: u64) -> u64 {
    16_381 + 55 * bytes.saturating_sub(32)
}

/// `write_price` (`crates/arbutil/src/pricing.rs`).
fn write_price(bytes: u64) -> u64 {
    5_040 + 30 * bytes.saturating_sub(32)
}

/// A probe: imports, the body between the two ink readings and an epilogue after them.
struct Probe {
    imports: &'static str,
    memory: &'static str,
    body: String,
    epilogue: &'static str,
}

impl Probe {
    fn new(imports: &'static str, body: impl Into<String>) -> Self {
        Self {
            imports,
            memory: "1 1",
            body: body.into(),
            epilogue: "",
        }
    }

    /// Ink of the probe's own code between the readings when the body is `blocks` basic blocks
    /// (each ending with a `call`) holding `consts` constants and `drops` drops in all, and
    /// the last hostio returns a value (`dropped`): the headers, `local.set $before`, the
    /// operators, the second reading's `call` and its `HOSTIO_INK`.
    fn overhead(blocks: u64, consts: u64, drops: u64, dropped: bool) -> u64 {
        (blocks + 1) * HEADER
            + LOCAL_SET
            + consts * CONST
            + (drops + u64::from(dropped)) * DROP
            + (blocks + 1) * CALL
            + HOSTIO
    }

    fn wasm(&self) -> Vec<u8> {
        let wat = format!(
            r#"(module
                (import "vm_hooks" "read_args" (func $read_args (param i32)))
                (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
                (import "vm_hooks" "evm_ink_left" (func $ink (result i64)))
                {imports}
                (memory (export "memory") {memory})
                (func (export "user_entrypoint") (param $len i32) (result i32)
                    (local $before i64) (local $after i64)
                    i32.const 1024
                    call $read_args
                    call $ink
                    local.set $before
                    {body}
                    call $ink
                    local.set $after
                    i32.const 0
                    local.get $before
                    i64.store
                    i32.const 8
                    local.get $after
                    i64.store
                    {epilogue}
                    i32.const 0
                    i32.const 80
                    call $write_result
                    i32.const 0))"#,
            imports = self.imports,
            memory = self.memory,
            body = self.body,
            epilogue = self.epilogue,
        );
        wat::parse_str(wat).expect("valid wat")
    }
}

fn chain(arbos_version: u64) -> Devnet {
    Devnet::with_config(DevnetConfig {
        arbos_version,
        ..DevnetConfig::default()
    })
}

fn deploy(chain: &mut Devnet, wasm: &[u8]) -> Address {
    chain
        .deploy_wasm(DEV_ACCOUNT, wasm, None)
        .expect("deploys")
        .address
}

/// Runs `program` with `args`; returns the receipt and the ink between the two readings.
fn measure(chain: &mut Devnet, program: Address, args: &[u8]) -> (Receipt, u64) {
    let receipt = chain
        .transact(TxRequest::call(DEV_ACCOUNT, program, args.to_vec()).with_gas_limit(10_000_000))
        .expect("included");
    assert!(receipt.status, "probe failed: {receipt:?}");
    let before = u64::from_le_bytes(receipt.output[..8].try_into().unwrap());
    let after = u64::from_le_bytes(receipt.output[8..16].try_into().unwrap());
    (receipt, before - after)
}

fn word(value: U256) -> [u8; 32] {
    value.to_be_bytes()
}

// ------------------------------------------------------------------------------------------
// Table 1: hostio ink, as nitro's `system_tests/program_ink_test.go` asserts it.
// ------------------------------------------------------------------------------------------

/// (name, import, body, constants in the body, returns a value, calldata, nitro's ink).
type HostioRow = (
    &'static str,
    &'static str,
    &'static str,
    u64,
    bool,
    Vec<u8>,
    u64,
);

#[test]
fn hostio_ink_matches_program_ink_test() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let other = deploy(&mut chain, &Probe::new("", "").wasm());
    let mut other_arg = [0u8; 32];
    other_arg[..20].copy_from_slice(other.as_slice());
    let sender_arg = {
        let mut w = [0u8; 32];
        w[..20].copy_from_slice(DEV_ACCOUNT.as_slice());
        w
    };
    let one_three_five = [
        word(U256::from(1)),
        word(U256::from(3)),
        word(U256::from(5)),
    ]
    .concat();
    // (name, import, body, constants in the body, returns a value, calldata, nitro's ink,
    //  nitro's source line)
    let rows: Vec<HostioRow> = vec![
        // TestSimpleInkUsage: "evm_gas_left" HOSTIO_INK.
        (
            "evm_gas_left",
            r#"(import "vm_hooks" "evm_gas_left" (func $h (result i64)))"#,
            "call $h",
            0,
            true,
            vec![],
            HOSTIO,
        ),
        // "block_basefee" HOSTIO_INK + PTR_INK.
        (
            "block_basefee",
            r#"(import "vm_hooks" "block_basefee" (func $h (param i32)))"#,
            "i32.const 512 call $h",
            1,
            false,
            vec![],
            HOSTIO + PTR,
        ),
        // "msg_sender" HOSTIO_INK + PTR_INK.
        (
            "msg_sender",
            r#"(import "vm_hooks" "msg_sender" (func $h (param i32)))"#,
            "i32.const 512 call $h",
            1,
            false,
            vec![],
            HOSTIO + PTR,
        ),
        // "tx_ink_price" HOSTIO_INK.
        (
            "tx_ink_price",
            r#"(import "vm_hooks" "tx_ink_price" (func $h (result i32)))"#,
            "call $h",
            0,
            true,
            vec![],
            HOSTIO,
        ),
        // "math_div" args (1, 3): 43520.
        (
            "math_div",
            r#"(import "vm_hooks" "math_div" (func $h (param i32 i32)))"#,
            "i32.const 1024 i32.const 1056 call $h",
            2,
            false,
            one_three_five.clone(),
            43_520,
        ),
        // "math_mod" args (1, 3): 43520.
        (
            "math_mod",
            r#"(import "vm_hooks" "math_mod" (func $h (param i32 i32)))"#,
            "i32.const 1024 i32.const 1056 call $h",
            2,
            false,
            one_three_five.clone(),
            43_520,
        ),
        // "math_add_mod" args (1, 3, 5): 49560.
        (
            "math_add_mod",
            r#"(import "vm_hooks" "math_add_mod" (func $h (param i32 i32 i32)))"#,
            "i32.const 1024 i32.const 1056 i32.const 1088 call $h",
            3,
            false,
            one_three_five.clone(),
            49_560,
        ),
        // "math_mul_mod" args (1, 3, 5): 52660.
        (
            "math_mul_mod",
            r#"(import "vm_hooks" "math_mul_mod" (func $h (param i32 i32 i32)))"#,
            "i32.const 1024 i32.const 1056 i32.const 1088 call $h",
            3,
            false,
            one_three_five.clone(),
            52_660,
        ),
        // "account_balance" of the (warm) sender: HOSTIO + 2 PTR + EVM_API + 1000000.
        (
            "account_balance",
            r#"(import "vm_hooks" "account_balance" (func $h (param i32 i32)))"#,
            "i32.const 1024 i32.const 512 call $h",
            2,
            false,
            sender_arg.to_vec(),
            HOSTIO + 2 * PTR + EVM_API + 1_000_000,
        ),
        // "account_code_size" of another (cold) program: 33068073.
        (
            "account_code_size",
            r#"(import "vm_hooks" "account_code_size" (func $h (param i32) (result i32)))"#,
            "i32.const 1024 call $h",
            1,
            true,
            other_arg.to_vec(),
            33_068_073,
        ),
        // "account_codehash" of another (cold) program: 26078153.
        (
            "account_codehash",
            r#"(import "vm_hooks" "account_codehash" (func $h (param i32 i32)))"#,
            "i32.const 1024 i32.const 512 call $h",
            2,
            false,
            other_arg.to_vec(),
            26_078_153,
        ),
        // "transient_load_bytes32": HOSTIO + 2 PTR + EVM_API + 1000000.
        (
            "transient_load_bytes32",
            r#"(import "vm_hooks" "transient_load_bytes32" (func $h (param i32 i32)))"#,
            "i32.const 1024 i32.const 512 call $h",
            2,
            false,
            vec![0xde; 32],
            HOSTIO + 2 * PTR + EVM_API + 1_000_000,
        ),
    ];
    for (name, import, body, consts, returns, args, nitro) in rows {
        // A returned value is dropped in the block of the second reading.
        let body = if returns {
            format!("{body} drop")
        } else {
            body.to_string()
        };
        let address = deploy(&mut chain, &Probe::new(import, body).wasm());
        let (_, ink) = measure(&mut chain, address, &args);
        let hostio = ink - Probe::overhead(1, consts, 0, returns);
        assert_eq!(hostio, nitro, "{name}");
    }
}

#[test]
fn math_pow_ink_matches_pow_price() {
    // TestPowInkUsage: exponent 2^(8n-1) for n = 1, 2, 10, 32 bytes.
    let rows = [(1u32, 61_520u64), (2, 79_020), (10, 219_020), (32, 604_020)];
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let address = deploy(
        &mut chain,
        &Probe::new(
            r#"(import "vm_hooks" "math_pow" (func $h (param i32 i32)))"#,
            "i32.const 1024 i32.const 1056 call $h",
        )
        .wasm(),
    );
    for (bytes, nitro) in rows {
        let exponent = U256::from(1) << (bytes * 8 - 1);
        let args = [word(U256::from(1)), word(exponent)].concat();
        let (_, ink) = measure(&mut chain, address, &args);
        assert_eq!(
            ink - Probe::overhead(1, 2, 0, false),
            nitro,
            "{bytes}-byte exponent"
        );
    }
}

#[test]
fn keccak_and_log_ink_match_program_ink_test() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    // TestKeccakInkUsage: sizes 10, 100, 1000 -> 121800, 163800, 751800.
    let keccak = deploy(
        &mut chain,
        &Probe::new(
            r#"(import "vm_hooks" "native_keccak256" (func $h (param i32 i32 i32)))"#,
            "i32.const 1024 local.get $len i32.const 512 call $h",
        )
        .wasm(),
    );
    for (size, nitro) in [(10usize, 121_800u64), (100, 163_800), (1000, 751_800)] {
        let (_, ink) = measure(&mut chain, keccak, &vec![7u8; size]);
        // `local.get` (75) is the one non-constant operator of the body.
        assert_eq!(
            ink - Probe::overhead(1, 2, 0, false) - 75,
            nitro,
            "keccak {size}"
        );
    }
    // TestLogInkUsage: (topics, data bytes) -> ink.
    let log = deploy(
        &mut chain,
        &Probe::new(
            r#"(import "vm_hooks" "emit_log" (func $h (param i32 i32 i32)))"#,
            "i32.const 1028 local.get $len i32.const 4 i32.sub i32.const 1024 i32.load call $h",
        )
        .wasm(),
    );
    let rows = [
        (0u32, 0usize, 3_834_454u64),
        (0, 10, 4_634_454),
        (0, 100, 11_838_194),
        (1, 100, 15_589_954),
        (2, 100, 19_341_714),
        (3, 100, 23_093_474),
        (4, 100, 26_845_234),
    ];
    for (topics, data, nitro) in rows {
        let mut args = topics.to_le_bytes().to_vec();
        args.extend(vec![9u8; topics as usize * 32 + data]);
        let (receipt, ink) = measure(&mut chain, log, &args);
        assert_eq!(receipt.logs.len(), 1);
        // local.get 75, i32.sub 70, i32.load 670 besides the constants.
        let body = 75 + 70 + 670;
        assert_eq!(
            ink - Probe::overhead(1, 3, 0, false) - body,
            nitro,
            "log {topics} topics {data} bytes"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Table 2: account_code (geth `WasmAccountTouchCost` with code; req.rs `last_code`).
// ------------------------------------------------------------------------------------------

#[test]
fn account_code_pays_700_extra_and_repeats_free() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let other = deploy(&mut chain, &Probe::new("", "").wasm());
    let code_len = chain.code(other).len() as u64;
    let address = deploy(
        &mut chain,
        &Probe::new(
            r#"(import "vm_hooks" "account_code" (func $h (param i32 i32 i32 i32) (result i32)))"#,
            "i32.const 1024 i32.const 0 i32.const 100000 i32.const 2048 call $h drop \
             i32.const 1024 i32.const 0 i32.const 100000 i32.const 2048 call $h drop",
        )
        .wasm(),
    );
    let mut args = [0u8; 20];
    args.copy_from_slice(other.as_slice());
    let (_, ink) = measure(&mut chain, address, &args);
    let hostios = ink - Probe::overhead(2, 8, 1, true);
    // First read: ACCOUNT_CODE_BASE_INK (HOSTIO + EVM_API), cold access 2,600 + 700
    // (`MaxCodeSize / 24576 * ExtcodeSizeGasEIP150`), then `pay_for_write(code.len())`
    // (TestAccountCodeInkUsage: "add" = 33075753 for a 120-byte program).
    let first = HOSTIO + EVM_API + (2_600 + 700) * INK_PER_GAS + write_price(code_len);
    // Second read of the same address: `last_code` hit, `Gas(0)`.
    let second = HOSTIO + EVM_API + write_price(code_len);
    assert_eq!(hostios, first + second);
    assert_eq!(
        HOSTIO + EVM_API + 3_300 * INK_PER_GAS + write_price(120),
        33_075_753,
        "the formula reproduces program_ink_test.go's `add` row"
    );
}

// ------------------------------------------------------------------------------------------
// Table 3: calls (nitro `arbos/programs/api.go` `doCall`).
// ------------------------------------------------------------------------------------------

/// EVM runtime code returning `GAS` (as seen by its first instruction) and `CALLVALUE`.
fn gas_reporter() -> Vec<u8> {
    // GAS PUSH1 0 MSTORE CALLVALUE PUSH1 32 MSTORE PUSH1 64 PUSH1 0 RETURN
    vec![
        0x5a, 0x60, 0x00, 0x52, 0x34, 0x60, 0x20, 0x52, 0x60, 0x40, 0x60, 0x00, 0xf3,
    ]
}

const CALL_IMPORT: &str = r#"(import "vm_hooks" "call_contract" (func $h (param i32 i32 i32 i32 i64 i32) (result i32)))
    (import "vm_hooks" "read_return_data" (func $rrd (param i32 i32 i32) (result i32)))"#;
/// call_contract(to @1024, data @0 len 0, value @1044, gas = u64::MAX, ret_len @2048).
const CALL_BODY: &str =
    "i32.const 1024 i32.const 0 i32.const 0 i32.const 1044 i64.const -1 i32.const 2048 call $h \
     drop";
/// Copies the callee's 64 return bytes to offset 16 of the output.
const CALL_EPILOGUE: &str = "i32.const 16 i32.const 0 i32.const 64 call $rrd drop";

#[test]
fn calls_apply_63_64_as_nitro_and_charge_the_stipend() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let reporter = chain
        .deploy_evm(DEV_ACCOUNT, &deploy_init_code(&gas_reporter()))
        .expect("deploys");
    let mut probe = Probe::new(CALL_IMPORT, CALL_BODY);
    probe.epilogue = CALL_EPILOGUE;
    let caller = deploy(&mut chain, &probe.wasm());
    chain.fund(caller, U256::from(10u64).pow(U256::from(18u64)));

    let mut results = Vec::new();
    for value in [U256::ZERO, U256::from(1000)] {
        let mut args = reporter.to_vec();
        args.extend(word(value));
        let (receipt, ink) = measure(&mut chain, caller, &args);
        let before = u64::from_le_bytes(receipt.output[..8].try_into().unwrap());
        let child_gas_seen = U256::from_be_slice(&receipt.output[16..48]).to::<u64>();
        assert_eq!(U256::from_be_slice(&receipt.output[48..80]), value);
        // The call hostio's own ink before it reads the gas left: CALL_CONTRACT_BASE_INK and
        // two `pay_for_read(0)` (nitro `user-host-trait` `call_contract`).
        let block = HEADER + LOCAL_SET + 6 * CONST + CALL;
        let pre = HOSTIO + 3 * PTR + EVM_API + 2 * read_price(0);
        let gas_left = (before - block - pre) / INK_PER_GAS;
        // geth `WasmCallCost`: cold account 2,600, plus 9,000 with value.
        let base = 2_600 + if value.is_zero() { 0 } else { 9_000 };
        // `startGas := SaturatingUSub(gasLeft, baseCost) * 63 / 64`; value adds the stipend;
        // the callee's first `GAS` costs 2.
        let stipend = if value.is_zero() { 0 } else { 2_300 };
        let expected_child = (gas_left - base) * 63 / 64 + stipend;
        assert_eq!(
            child_gas_seen,
            expected_child - 2,
            "63/64 with value {value}"
        );
        results.push(ink);
    }
    // TestCallInkUsage: "call_contract/evmContractWithValue" (118325955) exceeds
    // "call_contract/evmContract" (28325955) by exactly the 9,000-gas value transfer: the
    // stipend the callee did not use is not refunded to the caller.
    assert_eq!(results[1] - results[0], 118_325_955 - 28_325_955);
}

// ------------------------------------------------------------------------------------------
// Table 4: create (nitro `arbos/programs/api.go` `create`: no EIP-3860 word gas).
// ------------------------------------------------------------------------------------------

#[test]
fn create_charges_no_init_code_word_gas() {
    // Init code `PUSH1 0 PUSH1 0 RETURN` (6 gas), deploying empty code.
    let init = [0x60u8, 0x00, 0x60, 0x00, 0xf3];
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let create1 = deploy(
        &mut chain,
        &Probe::new(
            r#"(import "vm_hooks" "create1" (func $h (param i32 i32 i32 i32 i32)))"#,
            "i32.const 1056 i32.const 5 i32.const 1024 i32.const 512 i32.const 600 call $h",
        )
        .wasm(),
    );
    let create2 = deploy(
        &mut chain,
        &Probe::new(
            r#"(import "vm_hooks" "create2" (func $h (param i32 i32 i32 i32 i32 i32)))"#,
            "i32.const 1056 i32.const 5 i32.const 1024 i32.const 1024 i32.const 512 \
             i32.const 600 call $h",
        )
        .wasm(),
    );
    let mut args = [0u8; 32].to_vec();
    args.extend(init);
    // CREATE1_BASE_INK = HOSTIO + 3 PTR + EVM_API, two `pay_for_read(5)`; `CreateGas` 32,000
    // plus the 6 gas the init code runs (the 1/64 kept back is returned).
    let (_, ink1) = measure(&mut chain, create1, &args);
    let expected1 = HOSTIO + 3 * PTR + EVM_API + 2 * read_price(5) + (32_000 + 6) * INK_PER_GAS;
    assert_eq!(ink1 - Probe::overhead(1, 5, 0, false), expected1);
    // CREATE2_BASE_INK adds a pointer; gas adds 6 per keccak word of init code, nothing else.
    let (_, ink2) = measure(&mut chain, create2, &args);
    let expected2 = HOSTIO + 4 * PTR + EVM_API + 2 * read_price(5) + (32_000 + 6 + 6) * INK_PER_GAS;
    assert_eq!(ink2 - Probe::overhead(1, 6, 0, false), expected2);
}

// ------------------------------------------------------------------------------------------
// Table 5: memory.grow (`pricing_v1` 8,050 plus `pay_for_memory_grow`).
// ------------------------------------------------------------------------------------------

#[test]
fn memory_grow_opcode_costs_8050_ink() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let mut probe = Probe::new(
        r#"(import "vm_hooks" "pay_for_memory_grow" (func $pay (param i32)))"#,
        "i32.const 0 memory.grow drop",
    );
    probe.memory = "1 2";
    let address = deploy(&mut chain, &probe.wasm());
    let (_, ink) = measure(&mut chain, address, &[]);
    // One basic block: local.set, i32.const, memory.grow, drop and the reading's call; the
    // heap bound's `pay_for_memory_grow(0)` costs `PAY_FOR_MEMORY_GROW_BASE_INK` (HOSTIO).
    let expected = HEADER + LOCAL_SET + CONST + MEMORY_GROW + DROP + CALL + HOSTIO + HOSTIO;
    assert_eq!(ink, expected);
}

// ------------------------------------------------------------------------------------------
// Table 6: program entry per ArbOS version (`CallProgram`, recent-programs cache).
// ------------------------------------------------------------------------------------------

/// A program that calls the program at 1024 twice (no value, all gas).
fn double_caller() -> Vec<u8> {
    let mut probe = Probe::new(
        r#"(import "vm_hooks" "call_contract" (func $h (param i32 i32 i32 i32 i64 i32) (result i32)))"#,
        "i32.const 1024 i32.const 0 i32.const 0 i32.const 1044 i64.const -1 i32.const 2048 \
         call $h drop \
         i32.const 1024 i32.const 0 i32.const 0 i32.const 1044 i64.const -1 i32.const 2048 \
         call $h drop",
    );
    probe.epilogue = "";
    probe.wasm()
}

/// nitro `arbos/programs/programs.go` `initGas` / `cachedGas` with the v2 parameters
/// (`minInitGas` 69 × 128, `minCachedInitGas` 11 × 32, both scalars 50 × 2 %).
fn entry_gas(init_cost: u64, cached_cost: u64, cached: bool) -> u64 {
    let cached_gas = 11 * 32 + (cached_cost * 100).div_ceil(100);
    if cached {
        cached_gas
    } else {
        69 * 128 + (init_cost * 100).div_ceil(100) + cached_gas
    }
}

#[test]
fn re_entered_programs_pay_per_arbos_version() {
    // (ArbOS version, second entry cached?) — nitro `CallProgram`: recent-programs cache
    // only `if p.ArbosVersion >= params.ArbosVersion_60`.
    for (version, second_cached) in [(40u64, false), (51, false), (60, true), (61, true)] {
        let mut chain = chain(version);
        let callee_wasm = stylus_program::strip(&Probe::new("", "").wasm());
        let callee = deploy(&mut chain, &callee_wasm);
        let caller = deploy(&mut chain, &double_caller());
        let info = stylus_program::validate(&stylus_program::strip(&callee_wasm)).unwrap();
        let (init, cached) = (u64::from(info.init_cost), u64::from(info.cached_init_cost));
        let mut args = callee.to_vec();
        args.extend([0u8; 32]);
        let (receipt, _) = measure(&mut chain, caller, &args);
        let entries: Vec<u64> = receipt
            .frames
            .iter()
            .filter(|f| f.address == callee)
            .map(|f| f.entry_gas)
            .collect();
        assert_eq!(
            entries,
            vec![
                entry_gas(init, cached, false),
                entry_gas(init, cached, second_cached)
            ],
            "ArbOS {version}"
        );
    }
}

#[test]
fn recent_programs_cache_lasts_one_block() {
    let mut chain = chain(61);
    let program = deploy(&mut chain, &Probe::new("", "").wasm());
    let wasm = stylus_program::strip(&Probe::new("", "").wasm());
    let info = stylus_program::validate(&wasm).unwrap();
    let (init, cached) = (u64::from(info.init_cost), u64::from(info.cached_init_cost));
    let req = TxRequest::call(DEV_ACCOUNT, program, vec![]).with_gas_limit(1_000_000);
    let block = chain.transact_block(&[req.clone(), req.clone()]);
    let entries: Vec<u64> = block
        .iter()
        .map(|r| r.as_ref().unwrap().frames[0].entry_gas)
        .collect();
    assert_eq!(
        entries,
        vec![
            entry_gas(init, cached, false),
            entry_gas(init, cached, true)
        ]
    );
    // A new block starts with an empty cache (geth's per-block `RecentWasms`).
    let next = chain.transact(req).unwrap();
    assert_eq!(next.frames[0].entry_gas, entry_gas(init, cached, false));
}

// ------------------------------------------------------------------------------------------
// Table 7: activation (init-cost estimates v2, compile gas, data fee).
// ------------------------------------------------------------------------------------------

#[test]
fn init_cost_estimates_follow_stylus_v2() {
    // nitro `crates/prover/src/binary.rs` `instrument`, "predict costs", version 2: the
    // globals are counted after instrumentation (+4) and `init` starts at 0.
    let wat = r#"(module
        (import "vm_hooks" "read_args" (func $r (param i32)))
        (global $g (mut i32) (i32.const 0))
        (memory (export "memory") 2 2)
        (data (i32.const 0) "0123456789abcdef0123456789abcdef")
        (func $f (param i32 i64) (result i64) local.get 1)
        (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#;
    let wasm = stylus_program::strip(&wat::parse_str(wat).unwrap());
    let info = stylus_program::validate(&wasm).unwrap();
    let funcs = 2u64;
    let type_len = (2 + 1) + (1 + 1);
    let wasm_len = wasm.len() as u64;
    let globals = 1 + 4;
    let data_len = {
        // the data segment's range: flags, offset expression, length and bytes
        let mut len = 0;
        for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
            if let wasmparser::Payload::DataSection(r) = payload.unwrap() {
                for d in r {
                    len += d.unwrap().range.len() as u64;
                }
            }
        }
        len
    };
    let footprint = 2u64;
    let cached = funcs * 13_420 / 100_000
        + type_len * 89 / 100_000
        + wasm_len * 122 / 100_000
        + globals * 1628 / 1000
        + data_len * 75_244 / 100_000
        + footprint * 5;
    let init = funcs * 8252 / 1000 + type_len * 1059 / 1000 + wasm_len * 1286 / 10_000;
    assert_eq!(u64::from(info.cached_init_cost), cached);
    assert_eq!(u64::from(info.init_cost), init);

    // ArbWasm.programInitGas = (initGas + cachedGas, cachedGas) (programs.go
    // `ProgramInitGas`: `if params.Version > 1 { initGas += cachedGas }`).
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let address = deploy(&mut chain, &wasm);
    let gas = chain
        .view(
            DEV_ACCOUNT,
            ARB_WASM_ADDRESS,
            &ArbWasm::programInitGasCall { program: address },
        )
        .unwrap();
    assert_eq!(gas.gas, entry_gas(init, cached, false));
    assert_eq!(gas.gasWhenCached, entry_gas(init, cached, true));
}

/// nitro `util/arbmath/math.go` `ApproxExpBasisPoints(value, degree)`.
fn approx_exp(x: u64, degree: u64) -> u64 {
    let mut res = 10_000 + x / degree;
    for i in 1..degree {
        res = 10_000 + res * x / ((degree - i) * 10_000);
    }
    res
}

#[test]
fn activation_gas_and_data_fee_follow_nitro() {
    let wasm = Probe::new("", "").wasm();
    let info = stylus_program::validate(&wasm).unwrap();
    let mut chain = Devnet::with_config(DevnetConfig {
        charge_data_fee: true,
        ..DevnetConfig::default()
    });
    let code = stylus_program::compress(&wasm);
    let program = chain
        .deploy_evm(DEV_ACCOUNT, &deploy_init_code(&code))
        .expect("created");
    let call = ArbWasm::activateProgramCall { program }.abi_encode();

    // Data fee (`arbos/programs/data_pricer.go` `UpdateModel`): a fresh pricer's demand is
    // the program's asm estimate; price per byte = minPrice 82928201 × e^(demand / inertia
    // 21360419) / 10,000.
    let demand = u64::from(info.asm_estimate);
    let fee = 82_928_201 * approx_exp(10_000 * demand / 21_360_419, 12) / 10_000 * demand;
    // Without the fee: ProgramInsufficientValue(have 0, want fee), as nitro's
    // `payActivationDataFee`.
    let short = chain
        .transact(TxRequest::call(DEV_ACCOUNT, ARB_WASM_ADDRESS, call.clone()))
        .unwrap();
    let revert = short.revert().expect("reverts");
    let error = revert
        .as_error::<devnet::ProgramInsufficientValue>()
        .expect("ProgramInsufficientValue");
    assert_eq!((error.have, error.want), (U256::ZERO, U256::from(fee)));

    let receipt = chain
        .transact(
            TxRequest::call(DEV_ACCOUNT, ARB_WASM_ADDRESS, call.clone())
                .with_value(U256::from(fee) + U256::from(5)),
        )
        .unwrap();
    assert!(receipt.status, "{receipt:?}");
    let out = ArbWasm::activateProgramCall::abi_decode_returns(&receipt.output).unwrap();
    assert_eq!(out.dataFee, U256::from(fee));
    let event = receipt
        .logs
        .iter()
        .find_map(|log| ArbWasm::ProgramActivated::decode_log(log).ok())
        .expect("ProgramActivated");
    assert_eq!(event.dataFee, U256::from(fee));

    // Gas: intrinsic + the fixed 1,659,168 (`precompiles/ArbWasm.go`) + the compile gas of
    // `Module::activate` (28 gas per microsecond; terms below) + ArbOS storage traffic.
    let mut ops = 0u64;
    let instrumented = devnet::stylus::instrument::instrument(&wasm).unwrap();
    for payload in wasmparser::Parser::new(0).parse_all(&instrumented) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut reader = body.get_operators_reader().unwrap();
            while !reader.eof() {
                reader.read().unwrap();
                ops += 1;
            }
        }
    }
    let us = |x: u64| x * 28;
    let compile = us(wasm.len() as u64 * 31_733 / 100_000)
        + us(17_263 / 100_000) // one function
        + us(2_217)
        + us(ops * 535 / 1_000);
    let calldata: u64 = call.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum();
    assert_eq!(
        receipt.gas_used,
        21_000 + calldata + 1_659_168 + compile + devnet::ACTIVATION_STORAGE_GAS
    );
}

// ------------------------------------------------------------------------------------------
// Table 8: failures (`userFailure` reverts and returns gas; out of ink / stack burn it).
// ------------------------------------------------------------------------------------------

#[test]
fn traps_revert_and_return_unused_gas() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let wasm = stylus_program::strip(
        &wat::parse_str(
            r#"(module (memory (export "memory") 1 1)
            (func (export "user_entrypoint") (param i32) (result i32) unreachable))"#,
        )
        .unwrap(),
    );
    let info = stylus_program::validate(&wasm).unwrap();
    let address = deploy(&mut chain, &wasm);
    let receipt = chain
        .transact(TxRequest::call(DEV_ACCOUNT, address, vec![]).with_gas_limit(1_000_000))
        .unwrap();
    assert!(!receipt.status);
    assert!(receipt.halt_reason.is_none(), "a revert, not a halt");
    assert!(receipt.output.is_empty(), "nitro reverts without data");
    // One basic block, `unreachable` and `end` (1 each) and the header, charged up front;
    // the rest of the gas comes back.
    let ink = HEADER + 2;
    let entry = entry_gas(
        u64::from(info.init_cost),
        u64::from(info.cached_init_cost),
        false,
    );
    assert_eq!(receipt.gas_used, 21_000 + entry + ink.div_ceil(INK_PER_GAS));
}

#[test]
fn static_writes_revert_and_return_unused_gas() {
    // A program that, given a non-empty calldata, writes storage; given none, static-calls
    // itself with one byte and reports the status.
    let wat = r#"(module
        (import "vm_hooks" "read_args" (func $read_args (param i32)))
        (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
        (import "vm_hooks" "contract_address" (func $me (param i32)))
        (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
        (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
        (import "vm_hooks" "static_call_contract" (func $static (param i32 i32 i32 i64 i32) (result i32)))
        (memory (export "memory") 1 1)
        (func (export "user_entrypoint") (param $len i32) (result i32)
            local.get $len
            if
                i32.const 0 i32.const 0 call $cache
                i32.const 0 call $flush
                i32.const 0 return
            end
            i32.const 0 call $me
            i32.const 64 i32.const 1 i32.store8
            i32.const 100
            i32.const 0 i32.const 64 i32.const 1 i64.const 200000 i32.const 96 call $static
            i32.store
            i32.const 100 i32.const 4 call $write_result
            i32.const 0))"#;
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let address = deploy(&mut chain, &wat::parse_str(wat).unwrap());
    let receipt = chain
        .transact(TxRequest::call(DEV_ACCOUNT, address, vec![]).with_gas_limit(3_000_000))
        .unwrap();
    assert!(receipt.status);
    assert_eq!(
        &receipt.output[..],
        &2u32.to_le_bytes(),
        "the static call failed"
    );
    let inner = receipt
        .frames
        .iter()
        .find(|f| f.depth == 1)
        .expect("callee");
    assert!(!inner.success);
    // The write failed as nitro's `userFailure` (a revert): the callee spent its entry and
    // the ink up to the flush, far from the 200,000 it was given (all of it if it burnt).
    assert!(inner.gas_used < 200_000 / 10, "{inner:?}");
    assert!(receipt
        .program_failures
        .iter()
        .any(|f| f.contains("static")));
}

#[test]
fn out_of_ink_still_burns_everything() {
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1 1)
            (func (export "user_entrypoint") (param i32) (result i32) (loop br 0) i32.const 0))"#,
    )
    .unwrap();
    let address = deploy(&mut chain, &wasm);
    let receipt = chain
        .transact(TxRequest::call(DEV_ACCOUNT, address, vec![]).with_gas_limit(200_000))
        .unwrap();
    assert!(!receipt.status);
    assert_eq!(receipt.gas_used, 200_000);
}

// ------------------------------------------------------------------------------------------
// Table 9: stack depth (`MaxStackDepth` 262,144; 22,000 from ArbOS 50) and calldata floor.
// ------------------------------------------------------------------------------------------

#[test]
fn stack_depth_follows_the_arbos_version() {
    // A recursion 4,000 deep: each frame is at least 5 words (worst stack + locals + 4), so
    // it needs over 20,000 words: within 262,144, beyond 22,000.
    let wat = r#"(module
        (import "vm_hooks" "read_args" (func $read_args (param i32)))
        (memory (export "memory") 1 1)
        (func $rec (param $n i32) (result i32)
            local.get $n
            i32.eqz
            if (result i32)
                i32.const 0
            else
                local.get $n
                i32.const 1
                i32.sub
                call $rec
            end)
        (func (export "user_entrypoint") (param $len i32) (result i32)
            i32.const 4000
            call $rec))"#;
    let wasm = wat::parse_str(wat).unwrap();
    for (version, depth, succeeds) in [
        (40u64, params::MAX_STACK_DEPTH, true),
        (61, params::MAX_STACK_DEPTH_ARBOS_50, false),
    ] {
        // `arbos/programs/params.go`: `initialStackDepth = 4 * 65536`, `arbOS50MaxWasmSize =
        // 22000` applied at ArbOS 50.
        assert_eq!(depth, if version >= 50 { 22_000 } else { 262_144 });
        let mut chain = chain(version);
        let reported = chain
            .view(
                DEV_ACCOUNT,
                ARB_WASM_ADDRESS,
                &ArbWasm::maxStackDepthCall {},
            )
            .unwrap();
        assert_eq!(reported, depth);
        let address = deploy(&mut chain, &wasm);
        let receipt = chain
            .transact(TxRequest::call(DEV_ACCOUNT, address, vec![]).with_gas_limit(5_000_000))
            .unwrap();
        assert_eq!(receipt.status, succeeds, "ArbOS {version}: {receipt:?}");
        if !succeeds {
            // `userOutOfStack` is `vm.ErrDepth`: all gas consumed.
            assert_eq!(receipt.gas_used, 5_000_000);
            assert!(receipt.program_failures.iter().any(|f| f.contains("stack")));
        }
    }
}

#[test]
fn arbos_version_is_reported_and_calldata_has_no_floor() {
    for version in [40u64, 51, 61] {
        let mut chain = chain(version);
        let reported = chain
            .view(DEV_ACCOUNT, ARB_SYS_ADDRESS, &ArbSys::arbOSVersionCall {})
            .unwrap();
        // nitro `precompiles/ArbSys.go` `ArbOSVersion`: `55 + version`.
        assert_eq!(reported, U256::from(55 + version));
        assert_eq!(chain.arbos_version(), version);
    }
    // 1,000 non-zero calldata bytes: EIP-7623 would floor the gas at 21,000 + 10 × 4,000
    // tokens = 61,000; Arbitrum charges 21,000 + 16 × 1,000 plus execution.
    let mut chain = chain(params::DEFAULT_ARBOS_VERSION);
    let wasm = stylus_program::strip(&Probe::new("", "").wasm());
    let info = stylus_program::validate(&wasm).unwrap();
    let address = deploy(&mut chain, &wasm);
    let args = vec![0xab; 1000];
    let (receipt, _) = measure(&mut chain, address, &args);
    let entry = entry_gas(
        u64::from(info.init_cost),
        u64::from(info.cached_init_cost),
        false,
    );
    assert!(receipt.gas_used < 61_000);
    assert!(receipt.gas_used > 21_000 + 16_000 + entry);
}
