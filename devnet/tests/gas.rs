//! Exact gas: hand-written programs whose ink is computed by hand from nitro's tables.
//!
//! Every program runs the same frame: read the calldata, probe `evm_ink_left`, run a BODY,
//! probe again, return both probes. The difference of the probes is the ink the BODY's basic
//! blocks and hostios cost (plus the second probe's hostio); the receipt's `gasUsed` is
//! checked against the whole program's ink, the entry cost and the intrinsic gas.
//!
//! Prices are nitro's (`pricing_v1`, `ink_header_cost`, `arbutil::pricing`), written out here
//! independently of the devnet's own tables.

use alloy_primitives::{keccak256, Address, B256, U256};
use devnet::{Devnet, Receipt, TxRequest, DEV_ACCOUNT};

// --- nitro's ink prices (arbitrator/prover/src/programs/meter.rs, config.rs) ---
/// Checking and charging a basic block.
const HEADER: u64 = 2_450;
const I32_CONST: u64 = 1;
const I64_CONST: u64 = 1;
const END: u64 = 1;
const LOOP: u64 = 1;
const ELSE: u64 = 1;
const DROP: u64 = 9;
const BR_IF: u64 = 765;
const IF: u64 = 765;
const CALL: u64 = 3_800;
const LOCAL_GET: u64 = 75;
const LOCAL_TEE: u64 = 75;
const LOCAL_SET: u64 = 210;
const I64_STORE: u64 = 950;
const I32_ADD: u64 = 70;
const I32_SUB: u64 = 70;
const I32_MUL: u64 = 160;
const I32_DIV_U: u64 = 1_120;
const I64_ADD: u64 = 100;
const I64_EXTEND_I32_U: u64 = 100;
/// nitro `crates/prover/src/programs/meter.rs` `pricing_v1`: `dot!(MemoryGrow) => 8050`
/// ("rest of cost handled by memory pricer").
const MEMORY_GROW: u64 = 8_050;
const MEMORY_FILL: u64 = 950;
/// `memory.fill` per byte (800 / 8).
const FILL_PER_BYTE: u64 = 100;

// --- nitro's hostio prices (arbutil::pricing, user-host-trait) ---
const HOSTIO: u64 = 8_400;
const PTR: u64 = 13_440 - 8_400;
const EVM_API: u64 = 59_673;
/// `pay_for_read` of up to 32 bytes.
const READ_32: u64 = 16_381;
/// `pay_for_write` of up to 32 bytes.
const WRITE_32: u64 = 5_040;
/// `pay_for_keccak` of up to 64 bytes.
const KECCAK_64: u64 = 121_800;
const INK_PER_GAS: u64 = 10_000;

// --- EVM gas ---
const TX_BASE: u64 = 21_000;
const COLD_SLOAD: u64 = 2_100;
const WARM_READ: u64 = 100;
const SSTORE_SET: u64 = 20_000;
const SSTORE_RESET: u64 = 2_900;
const CLEAR_REFUND: u64 = 4_800;
/// Gas nitro charges for an uncached `storage_load_bytes32` request (EVM_API ink in gas).
const LOAD_API_GAS: u64 = EVM_API / INK_PER_GAS;
/// `pageGas`: one page beyond the two free pages.
const PAGE_GAS: u64 = 1_000;

/// The frame around BODY, in ink, for calldata of `args_len` bytes (see the module docs).
fn frame_ink(args_len: u64) -> u64 {
    // i32.const 256; call $read_args
    let prologue = HEADER + I32_CONST + CALL;
    let read_args = HOSTIO + WRITE_32 + 30 * args_len.saturating_sub(32);
    // call $ink, then the probe's hostio
    let first_probe = HEADER + CALL + HOSTIO;
    // local.set $after; i32.const 0; local.get $before; i64.store; i32.const 8;
    // local.get $after; i64.store; i32.const 0; i32.const 16; call $write_result
    let store = HEADER
        + LOCAL_SET
        + I32_CONST
        + LOCAL_GET
        + I64_STORE
        + I32_CONST
        + LOCAL_GET
        + I64_STORE
        + 2 * I32_CONST
        + CALL;
    // write_result(16 bytes): hostio + read from the guest + bytes handed to geth
    let write_result = HOSTIO + READ_32 + READ_32;
    // i32.const 0; end
    let epilogue = HEADER + I32_CONST + END;
    prologue + read_args + first_probe + store + write_result + epilogue
}

/// A program running `body` between two ink probes, with `memory` as its memory type.
fn program(memory: &str, body: &str) -> Vec<u8> {
    let wat = format!(
        r#"(module
            (import "vm_hooks" "read_args" (func $read_args (param i32)))
            (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
            (import "vm_hooks" "evm_ink_left" (func $ink (result i64)))
            (import "vm_hooks" "pay_for_memory_grow" (func $pay_for_memory_grow (param i32)))
            (import "vm_hooks" "native_keccak256" (func $keccak (param i32 i32 i32)))
            (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
            (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
            (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
            (memory (export "memory") {memory})
            (func (export "user_entrypoint") (param $len i32) (result i32)
                (local $before i64) (local $after i64) (local $i i32)
                i32.const 256
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
                i32.const 0
                i32.const 16
                call $write_result
                i32.const 0))"#
    );
    wat::parse_str(wat).expect("valid wat")
}

/// A deployed test program.
struct Deployed {
    chain: Devnet,
    address: Address,
    codehash: B256,
    /// Gas to enter it uncached and cached (nitro's `initGas + cachedGas` / `cachedGas`).
    entry_gas: u64,
    cached_entry_gas: u64,
}

fn deploy(wasm: &[u8]) -> Deployed {
    let mut chain = Devnet::new();
    let stripped = stylus_program::strip(wasm);
    let info = stylus_program::validate(&stripped).expect("valid program");
    let deployment = chain.deploy_wasm(DEV_ACCOUNT, wasm, None).expect("deploys");
    // nitro: initGas = minInitGas(69) * 128 + ceil(initCost * initCostScalar(50) * 2 / 100),
    // cachedGas = minCachedInitGas(11) * 32 + ceil(cachedCost * cachedCostScalar(50) * 2 / 100);
    // an uncached v2 program pays both. One page of memory is within the two free pages.
    let cached_entry_gas = 11 * 32 + u64::from(info.cached_init_cost);
    let entry_gas = 69 * 128 + u64::from(info.init_cost) + cached_entry_gas;
    Deployed {
        chain,
        address: deployment.address,
        codehash: deployment.codehash,
        entry_gas,
        cached_entry_gas,
    }
}

/// EIP-2028 calldata gas plus the 21,000 base.
fn intrinsic(args: &[u8]) -> u64 {
    TX_BASE
        + args
            .iter()
            .map(|&b| if b == 0 { 4 } else { 16 })
            .sum::<u64>()
}

/// EIP-7623's calldata floor: 21,000 + 10 per token (a zero byte is 1 token, others 4).
fn calldata_floor(args: &[u8]) -> u64 {
    TX_BASE
        + 10 * args
            .iter()
            .map(|&b| if b == 0 { 1 } else { 4 })
            .sum::<u64>()
}

/// Runs the program with `args` and returns the receipt and the probed ink difference.
fn run(p: &mut Deployed, args: &[u8]) -> (Receipt, u64) {
    let receipt = p
        .chain
        .transact(TxRequest::call(DEV_ACCOUNT, p.address, args.to_vec()).with_gas_limit(3_000_000))
        .expect("included");
    assert!(receipt.status, "program failed: {receipt:?}");
    let before = u64::from_le_bytes(receipt.output[..8].try_into().unwrap());
    let after = u64::from_le_bytes(receipt.output[8..16].try_into().unwrap());
    (receipt, before - after)
}

/// Expected `gasUsed`: intrinsic + entry + whole ink rounded up to gas − capped refund.
fn expected_gas(args: &[u8], entry: u64, body_ink: u64, refund: u64) -> u64 {
    let ink = frame_ink(args.len() as u64) + body_ink;
    let used = intrinsic(args) + entry + ink.div_ceil(INK_PER_GAS);
    used - refund.min(used / 5)
}

#[test]
fn straight_line_code() {
    let body = "i32.const 7 i32.const 6 i32.mul i32.const 3 i32.div_u \
                i64.extend_i32_u i64.const 1 i64.add drop";
    let mut p = deploy(&program("1 1", body));
    let (receipt, ink) = run(&mut p, &[]);
    // One basic block from `local.set $before` to the second probe's `call`:
    // 2450 + 210 + 1 + 1 + 160 + 1 + 1120 + 100 + 1 + 100 + 9 + 3800 = 7953, then the probe's
    // hostio 8400.
    let expected = HEADER
        + LOCAL_SET
        + I32_CONST
        + I32_CONST
        + I32_MUL
        + I32_CONST
        + I32_DIV_U
        + I64_EXTEND_I32_U
        + I64_CONST
        + I64_ADD
        + DROP
        + CALL
        + HOSTIO;
    assert_eq!(ink, 16_353);
    assert_eq!(ink, expected);
    assert_eq!(receipt.gas_used, expected_gas(&[], p.entry_gas, ink, 0));
}

#[test]
fn loop_charges_each_iteration() {
    let body = "i32.const 3 local.set $i \
                loop \
                  local.get $i i32.const 1 i32.sub local.tee $i br_if 0 \
                end";
    let mut p = deploy(&program("1 1", body));
    let (receipt, ink) = run(&mut p, &[]);
    // [local.set $before, i32.const 3, local.set $i, loop] once:
    let entry = HEADER + LOCAL_SET + I32_CONST + LOCAL_SET + LOOP;
    // [local.get, i32.const, i32.sub, local.tee, br_if] three times (2450 + 986 each):
    let iteration = HEADER + LOCAL_GET + I32_CONST + I32_SUB + LOCAL_TEE + BR_IF;
    // [end] of the loop, then [call $ink] and its hostio:
    let exit = HEADER + END + HEADER + CALL + HOSTIO;
    assert_eq!(iteration, 3_436);
    assert_eq!(ink, entry + 3 * iteration + exit);
    assert_eq!(receipt.gas_used, expected_gas(&[], p.entry_gas, ink, 0));
}

#[test]
fn branch_charges_only_the_path_taken() {
    // The calldata length picks the branch.
    let body = "local.get $len \
                if \
                  i32.const 1 drop \
                else \
                  i32.const 2 i32.const 3 i32.add drop \
                end";
    let mut p = deploy(&program("1 1", body));
    // [local.set $before, local.get $len, if]
    let head = HEADER + LOCAL_SET + LOCAL_GET + IF;
    // then: [i32.const, drop, else] — `else` jumps past `end`
    let then = HEADER + I32_CONST + DROP + ELSE;
    // else: [i32.const, i32.const, i32.add, drop, end]
    let otherwise = HEADER + I32_CONST + I32_CONST + I32_ADD + DROP + END;
    // [call $ink] and its hostio
    let tail = HEADER + CALL + HOSTIO;

    let (receipt, ink) = run(&mut p, &[1]);
    assert_eq!(ink, head + then + tail);
    assert_eq!(receipt.gas_used, expected_gas(&[1], p.entry_gas, ink, 0));

    let (receipt, ink) = run(&mut p, &[]);
    assert_eq!(ink, head + otherwise + tail);
    assert_eq!(receipt.gas_used, expected_gas(&[], p.entry_gas, ink, 0));
}

#[test]
fn host_call_and_memory_fill() {
    // keccak256 of the 64 bytes at 0 into 128, then memory.fill of 40 bytes.
    let body = "i32.const 0 i32.const 64 i32.const 128 call $keccak \
                i32.const 512 i32.const 7 i32.const 40 memory.fill";
    let mut p = deploy(&program("1 1", body));
    let (receipt, ink) = run(&mut p, &[]);
    // [local.set $before, 3 × i32.const, call $keccak] + pay_for_keccak(64 bytes: 2 words are
    // included in the base) = 2450 + 210 + 3 + 3800 + 121800
    let keccak = HEADER + LOCAL_SET + 3 * I32_CONST + CALL + KECCAK_64;
    // [3 × i32.const, memory.fill, call $ink] + 40 bytes × 100 ink (dynamic meter) + hostio
    let fill = HEADER + 3 * I32_CONST + MEMORY_FILL + CALL + 40 * FILL_PER_BYTE + HOSTIO;
    assert_eq!(ink, keccak + fill);
    assert_eq!(receipt.gas_used, expected_gas(&[], p.entry_gas, ink, 0));
}

#[test]
fn memory_grow_pays_pages_before_growing() {
    // One page to start (free), may grow: nitro calls pay_for_memory_grow(2) first.
    let body = "i32.const 2 memory.grow drop";
    let mut p = deploy(&program("1", body));
    let (receipt, ink) = run(&mut p, &[]);
    // Pages open 1 → 3 of which 2 are free: one page at pageGas, and the exponential ramp is
    // still flat (memoryExponents[3] − memoryExponents[1] = 1 − 1 = 0). No hostio ink when
    // pages > 0.
    let grow_gas = PAGE_GAS;
    // [local.set $before, i32.const 2, memory.grow, drop, call $ink]: the instrumentation's
    // own call to pay_for_memory_grow is not metered.
    let block = HEADER + LOCAL_SET + I32_CONST + MEMORY_GROW + DROP + CALL;
    assert_eq!(ink, block + grow_gas * INK_PER_GAS + HOSTIO);
    assert_eq!(receipt.gas_used, expected_gas(&[], p.entry_gas, ink, 0));
}

#[test]
fn cached_programs_pay_the_cached_entry_cost() {
    let mut p = deploy(&program("1 1", "nop"));
    let (uncached, ink) = run(&mut p, &[]);
    assert!(!p.chain.codehash_is_cached(p.codehash));
    p.chain.cache_program(p.address).expect("cache");
    assert!(p.chain.codehash_is_cached(p.codehash));
    let (cached, cached_ink) = run(&mut p, &[]);
    assert_eq!(ink, cached_ink, "caching changes only the entry cost");
    assert_eq!(uncached.gas_used, expected_gas(&[], p.entry_gas, ink, 0));
    assert_eq!(
        cached.gas_used,
        expected_gas(&[], p.cached_entry_gas, ink, 0)
    );
    // minInitGas(69) × 128 + initCost is saved.
    assert!(uncached.gas_used - cached.gas_used >= 69 * 128);
    // Caching twice is a no-op; evicting restores the full cost.
    p.chain.cache_program(p.address).expect("cache again");
    p.chain.evict_codehash(p.codehash).expect("evict");
    let (evicted, _) = run(&mut p, &[]);
    assert_eq!(evicted.gas_used, uncached.gas_used);
    // Only the chain owner may cache; a program that is not activated cannot be cached.
    let stranger = Address::repeat_byte(0x77);
    p.chain
        .fund(stranger, U256::from(10u64).pow(U256::from(18u64)));
    let call = devnet::ArbWasmCache::cacheProgramCall { addr: p.address };
    assert!(p
        .chain
        .send_call(stranger, devnet::ARB_WASM_CACHE_ADDRESS, &call)
        .is_err());
    let err = p.chain.cache_program(stranger).expect_err("not a program");
    assert!(err.is::<devnet::ProgramNeedsUpgrade>(), "{err}");
    assert!(!p.chain.codehash_is_cached(p.codehash));
}

// --- storage: key at 256, values at 288, 320, 352 (calldata is read to 256) ---

/// Ink of a block `[n × i32.const, call]` after the probe's `local.set`, or plain.
fn call_block(consts: u64, first: bool) -> u64 {
    HEADER + consts * I32_CONST + CALL + if first { LOCAL_SET } else { 0 }
}

fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}

fn args(words: &[[u8; 32]]) -> Vec<u8> {
    words.concat()
}

#[test]
fn storage_loads_cold_warm_and_cached() {
    // load twice (the second hits the cache), clear the cache, load again (warm slot).
    let body = "i32.const 256 i32.const 0 call $load \
                i32.const 256 i32.const 0 call $load \
                i32.const 1 call $flush \
                i32.const 256 i32.const 0 call $load";
    let mut p = deploy(&program("1 1", body));
    let key = word(5);
    let (receipt, ink) = run(&mut p, &args(&[key]));
    let load_hostio = HOSTIO + 2 * PTR;
    let expected = call_block(2, true) + load_hostio + (COLD_SLOAD + LOAD_API_GAS) * INK_PER_GAS
        // cache hit: the first 32 reads of a cache are free
        + call_block(2, false) + load_hostio
        // nothing dirty: flush costs its hostio only
        + call_block(1, false) + HOSTIO + EVM_API
        + call_block(2, false) + load_hostio + (WARM_READ + LOAD_API_GAS) * INK_PER_GAS
        + HEADER + CALL + HOSTIO;
    assert_eq!(ink, expected);
    assert_eq!(
        receipt.gas_used,
        expected_gas(&args(&[key]), p.entry_gas, ink, 0)
    );
}

#[test]
fn storage_set_reset_noop_clear_and_coalescing() {
    // cache(key, v1); cache(key, v2); cache(key, v3); flush — calldata key ‖ v1 ‖ v2 ‖ v3.
    let body = "i32.const 256 i32.const 288 call $cache \
                i32.const 256 i32.const 320 call $cache \
                i32.const 256 i32.const 352 call $cache \
                i32.const 0 call $flush";
    let mut p = deploy(&program("1 1", body));
    let cache_hostio = HOSTIO + 2 * PTR;
    // Three writes (the first 8 of a cache are free) and one flush of one dirty slot.
    let fixed = call_block(2, true)
        + cache_hostio
        + 2 * (call_block(2, false) + cache_hostio)
        + call_block(1, false)
        + HOSTIO
        + EVM_API
        + HEADER
        + CALL
        + HOSTIO;
    let key = word(9);
    let tx = |p: &mut Deployed, values: [u64; 3]| {
        let args = args(&[key, word(values[0]), word(values[1]), word(values[2])]);
        let (receipt, ink) = run(p, &args);
        (receipt, ink, args)
    };

    // 0 → 3 through 1 and 2: the writes coalesce into one cold SSTORE (set).
    let (receipt, ink, data) = tx(&mut p, [1, 2, 3]);
    assert_eq!(ink, fixed + (SSTORE_SET + COLD_SLOAD) * INK_PER_GAS);
    assert_eq!(receipt.gas_used, expected_gas(&data, p.entry_gas, ink, 0));
    assert_eq!(p.chain.storage(p.address, U256::from(9)), U256::from(3));

    // 3 → 4: reset of a cold slot.
    let (receipt, ink, data) = tx(&mut p, [7, 8, 4]);
    assert_eq!(ink, fixed + (SSTORE_RESET + COLD_SLOAD) * INK_PER_GAS);
    assert_eq!(receipt.gas_used, expected_gas(&data, p.entry_gas, ink, 0));

    // 4 → 4: no-op (the cache does not know the old value, so it flushes; a cold no-op
    // SSTORE costs the cold access plus a warm read).
    let (receipt, ink, data) = tx(&mut p, [5, 6, 4]);
    assert_eq!(ink, fixed + (WARM_READ + COLD_SLOAD) * INK_PER_GAS);
    assert_eq!(receipt.gas_used, expected_gas(&data, p.entry_gas, ink, 0));

    // 4 → 0: clear, refunded 4,800 (EIP-3529), capped at a fifth of the gas used.
    let (receipt, ink, data) = tx(&mut p, [1, 2, 0]);
    assert_eq!(ink, fixed + (SSTORE_RESET + COLD_SLOAD) * INK_PER_GAS);
    assert_eq!(
        receipt.gas_used,
        expected_gas(&data, p.entry_gas, ink, CLEAR_REFUND)
    );
    assert_eq!(p.chain.storage(p.address, U256::from(9)), U256::ZERO);
}

#[test]
fn too_little_gas_fails_the_same_way_and_changes_nothing() {
    let body = "i32.const 256 i32.const 288 call $cache i32.const 0 call $flush";
    let mut p = deploy(&program("1 1", body));
    let data = args(&[word(1), word(42)]);
    let (ok, _) = {
        let snapshot = p.chain.snapshot();
        let out = run(&mut p, &data);
        assert!(p.chain.revert_to(snapshot));
        out
    };
    let code_hash_before = keccak256(p.chain.code(p.address));
    // Every limit from far too little to one gas short fails identically: all gas consumed,
    // no output, no storage written; only the sender's nonce and fee move.
    let least = intrinsic(&data).max(calldata_floor(&data));
    for limit in [least + 100, ok.gas_used - 1] {
        let mut outcomes = Vec::new();
        for _ in 0..2 {
            let nonce = p.chain.nonce(DEV_ACCOUNT);
            let receipt = p
                .chain
                .transact(
                    TxRequest::call(DEV_ACCOUNT, p.address, data.clone()).with_gas_limit(limit),
                )
                .expect("included");
            assert!(!receipt.status);
            assert_eq!(receipt.gas_used, limit, "out of gas consumes the limit");
            assert!(receipt.output.is_empty());
            assert_eq!(p.chain.storage(p.address, U256::from(1)), U256::ZERO);
            assert_eq!(p.chain.nonce(DEV_ACCOUNT), nonce + 1);
            outcomes.push((receipt.status, receipt.gas_used, receipt.output.clone()));
        }
        assert_eq!(outcomes[0], outcomes[1]);
    }
    assert_eq!(keccak256(p.chain.code(p.address)), code_hash_before);
    // With exactly the gas it needs, it succeeds.
    let receipt = p
        .chain
        .transact(TxRequest::call(DEV_ACCOUNT, p.address, data).with_gas_limit(ok.gas_used))
        .expect("included");
    assert!(receipt.status);
    assert_eq!(p.chain.storage(p.address, U256::from(1)), U256::from(42));
}
