//! The `vm_hooks` and `console` host functions, with nitro's semantics and prices
//! (`arbitrator/wasm-libraries/user-host-trait`, `arbos/programs/api.go`).
//!
//! Every host function charges its ink first, validates guest pointers (a bad pointer is a
//! program failure, never a panic), then acts on the revm journal. Calls and creates cannot
//! run inside a host function: they record a [`Request`] and trap with [`Trap::Request`]; the
//! frame loop runs the child frame and resumes the program with the outcome.

use std::fmt;

use alloy_primitives::{keccak256, map::HashMap, Address, Bytes, B256, U256};
use revm::context::{Block, Cfg, JournalTr, Transaction};
use revm::context_interface::{ContextTr, CreateScheme};
use revm::interpreter::{CallInput, CallInputs, CallScheme, CallValue, CreateInputs, Host};
use revm::primitives::{Log, LogData};
use wasmi::errors::{HostError, LinkerError};
use wasmi::{
    AsContext, AsContextMut, Caller, Error, Global, Linker, Memory, StoreLimits,
    StoreLimitsBuilder, Val,
};

use super::meter::{ink_to_fuel, INK_PER_FUEL};
use crate::evm::Ctx;
use crate::params::{self, *};

/// Why a host function stopped the program.
#[derive(Debug)]
pub enum Trap {
    /// A call or create is pending in [`HostState::request`]; resume afterwards.
    Request,
    /// `exit_early(status)`.
    Exit(u32),
    /// Ink ran out.
    OutOfInk,
    /// A state change was attempted in a static call.
    WriteProtection(&'static str),
    /// The program misbehaved (bad pointer, bad arguments, ...).
    Failure(String),
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request => write!(f, "pending call"),
            Self::Exit(status) => write!(f, "exit_early({status})"),
            Self::OutOfInk => write!(f, "out of ink"),
            Self::WriteProtection(what) => write!(f, "write protection: {what} in a static call"),
            Self::Failure(msg) => write!(f, "{msg}"),
        }
    }
}

impl HostError for Trap {}

fn trap(t: Trap) -> Error {
    Error::host(t)
}

fn fail(msg: impl Into<String>) -> Error {
    trap(Trap::Failure(msg.into()))
}

/// A call or create requested by the program.
#[derive(Debug)]
pub enum Request {
    /// `call_contract`, `delegate_call_contract` or `static_call_contract`.
    Call {
        /// The child frame's inputs.
        inputs: Box<CallInputs>,
        /// Guest pointer receiving the return data length.
        ret_len_ptr: u32,
        /// The value stipend included in the child's gas, charged to the caller when the
        /// child returns (nitro `arbos/programs/api.go` `doCall`: `cost = baseCost + (gas -
        /// returnGas)` with `gas` including `params.CallStipend`).
        stipend: u64,
    },
    /// `create1` or `create2`.
    Create {
        /// The child frame's inputs.
        inputs: Box<CreateInputs>,
        /// Guest pointer receiving the new address (zero on failure).
        contract_ptr: u32,
        /// Guest pointer receiving the revert data length.
        ret_len_ptr: u32,
    },
}

/// Per-frame facts a program can observe.
#[derive(Clone, Debug)]
pub struct FrameEnv {
    /// The acting address (storage owner; `contract_address()`).
    pub contract: Address,
    /// `msg_sender()`.
    pub caller: Address,
    /// `msg_value()`.
    pub value: U256,
    /// Whether state changes are forbidden.
    pub is_static: bool,
    /// Whether this program is already on the call stack.
    pub reentrant: bool,
}

/// One storage-cache slot (nitro's `StorageWord`).
#[derive(Clone, Copy, Debug)]
struct Slot {
    value: U256,
    /// The value in the journal, if known.
    known: Option<U256>,
}

/// The store data of one program frame.
pub struct HostState {
    /// The chain context, present only while the program runs.
    pub ctx: Option<Ctx>,
    /// The program's exported memory.
    pub memory: Option<Memory>,
    /// Frame facts.
    pub env: FrameEnv,
    /// Calldata.
    pub args: Bytes,
    /// Data set by `write_result`.
    pub outs: Vec<u8>,
    /// Return data of the last call or create.
    pub return_data: Bytes,
    /// A pending call or create.
    pub request: Option<Request>,
    /// EIP-3529 refund counter accumulated by storage flushes and successful children.
    pub refund: i64,
    /// Memory and instance limits.
    pub limits: StoreLimits,
    /// Memory pages already paid for (the footprint is paid at entry).
    pub pages_paid: u64,
    /// `console` output.
    pub console: Vec<String>,
    /// The chain's ArbOS version (nitro's `EvmData.arbos_version`).
    pub arbos_version: u64,
    /// The last code `account_code` / `account_code_size` loaded, by address (nitro
    /// `crates/arbutil/src/evm/req.rs` `EvmApiRequestor::last_code`).
    last_code: Option<(Address, Bytes)>,
    /// The `stylus_ink_left` / `stylus_ink_status` globals of an instrumented program; `None`
    /// when ink is wasmi's fuel.
    pub ink_globals: Option<(Global, Global)>,
    /// The depth checker's `stylus_stack_left` global of an instrumented program.
    pub stack_global: Option<Global>,
    /// Storage, call and log gas of this frame (debug trace).
    pub stats: crate::receipt::GasStats,
    cache: HashMap<U256, Slot>,
    /// Storage-cache reads and writes so far (nitro prices them by count).
    cache_reads: usize,
    cache_writes: usize,
}

impl HostState {
    /// State for a frame with `env` and calldata `args`.
    pub fn new(env: FrameEnv, args: Bytes, page_limit: u16) -> Self {
        Self {
            ctx: None,
            memory: None,
            env,
            args,
            outs: Vec::new(),
            return_data: Bytes::new(),
            request: None,
            refund: 0,
            limits: StoreLimitsBuilder::new()
                .memory_size(usize::from(page_limit) * stylus_program::PAGE_SIZE as usize)
                .instances(1)
                .memories(1)
                .tables(1)
                .table_elements(4096)
                .build(),
            pages_paid: 0,
            console: Vec::new(),
            arbos_version: params::DEFAULT_ARBOS_VERSION,
            last_code: None,
            ink_globals: None,
            stack_global: None,
            stats: crate::receipt::GasStats::default(),
            cache: HashMap::default(),
            cache_reads: 0,
            cache_writes: 0,
        }
    }

    /// Gas of the next storage-cache read (nitro's `StorageCache::read_gas`).
    fn read_gas(&mut self) -> u64 {
        self.cache_reads += 1;
        match self.cache_reads {
            0..=32 => 0,
            33..=128 => 2,
            _ => 10,
        }
    }

    /// Gas of the next storage-cache write (nitro's `StorageCache::write_gas`).
    fn write_gas(&mut self) -> u64 {
        self.cache_writes += 1;
        match self.cache_writes {
            0..=8 => 0,
            9..=64 => 7,
            _ => 10,
        }
    }
}

/// Ink left in the program behind `ctx` (0 once it ran out).
pub fn ink_left(ctx: impl AsContext<Data = HostState>) -> u64 {
    let ctx = ctx.as_context();
    match ctx.data().ink_globals {
        Some((ink, status)) => {
            if status.get(ctx).i32() != Some(0) {
                return 0;
            }
            ink.get(ctx).i64().map_or(0, |ink| ink as u64)
        }
        None => ctx.get_fuel().unwrap_or(0).saturating_mul(INK_PER_FUEL),
    }
}

/// Sets the ink left in the program behind `ctx`.
///
/// # Errors
///
/// If the counter cannot be written (a devnet bug).
pub fn set_ink(mut ctx: impl AsContextMut<Data = HostState>, ink: u64) -> Result<(), String> {
    let mut ctx = ctx.as_context_mut();
    match ctx.data().ink_globals {
        Some((global, _)) => {
            let ink = i64::try_from(ink).unwrap_or(i64::MAX);
            global
                .set(&mut ctx, Val::I64(ink))
                .map_err(|e| e.to_string())
        }
        None => ctx.set_fuel(ink / INK_PER_FUEL).map_err(|e| e.to_string()),
    }
}

/// Marks the program behind `ctx` as out of ink (nitro's `MachineMeter::Exhausted`).
pub fn exhaust(mut ctx: impl AsContextMut<Data = HostState>) {
    let mut ctx = ctx.as_context_mut();
    if let Some((ink, status)) = ctx.data().ink_globals {
        let _ = ink.set(&mut ctx, Val::I64(0));
        let _ = status.set(&mut ctx, Val::I32(1));
    } else {
        let _ = ctx.set_fuel(0);
    }
}

type Hc<'a> = Caller<'a, HostState>;

fn memory(c: &Hc<'_>) -> Result<Memory, Error> {
    c.data()
        .memory
        .ok_or_else(|| fail("program memory missing"))
}

fn ctx<'a>(c: &'a mut Hc<'_>) -> Result<&'a mut Ctx, Error> {
    c.data_mut()
        .ctx
        .as_mut()
        .ok_or_else(|| fail("devnet internal error: no context"))
}

fn read_slice(c: &Hc<'_>, ptr: u32, len: u32) -> Result<Vec<u8>, Error> {
    let mem = memory(c)?;
    let start = ptr as usize;
    let end = start
        .checked_add(len as usize)
        .ok_or_else(|| fail("memory access out of bounds"))?;
    mem.data(c)
        .get(start..end)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| fail("memory access out of bounds"))
}

fn read_fixed<const N: usize>(c: &Hc<'_>, ptr: u32) -> Result<[u8; N], Error> {
    let mem = memory(c)?;
    let start = ptr as usize;
    let end = start
        .checked_add(N)
        .ok_or_else(|| fail("memory access out of bounds"))?;
    let mut out = [0u8; N];
    let src = mem
        .data(c)
        .get(start..end)
        .ok_or_else(|| fail("memory access out of bounds"))?;
    out.copy_from_slice(src);
    Ok(out)
}

fn read_address(c: &Hc<'_>, ptr: u32) -> Result<Address, Error> {
    read_fixed::<20>(c, ptr).map(Address::from)
}

fn read_u256(c: &Hc<'_>, ptr: u32) -> Result<U256, Error> {
    read_fixed::<32>(c, ptr).map(U256::from_be_bytes)
}

/// Writes `src` at `ptr` in the memory of the program behind `store`.
pub fn write_guest(
    memory: Memory,
    store: impl wasmi::AsContextMut<Data = HostState>,
    ptr: u32,
    src: &[u8],
) -> Result<(), Error> {
    memory
        .write(store, ptr as usize, src)
        .map_err(|_| fail("memory access out of bounds"))
}

fn write_slice(c: &mut Hc<'_>, ptr: u32, src: &[u8]) -> Result<(), Error> {
    let mem = memory(c)?;
    write_guest(mem, c, ptr, src)
}

fn write_u32(c: &mut Hc<'_>, ptr: u32, value: u32) -> Result<(), Error> {
    write_slice(c, ptr, &value.to_le_bytes())
}

/// Burns `ink`, or runs out of ink (nitro's `MeteredMachine::buy_ink`).
fn consume_ink(c: &mut Hc<'_>, ink: u64) -> Result<(), Error> {
    if c.data().ink_globals.is_none() {
        // Fuel counts whole units of INK_PER_FUEL; charge partial units in full.
        let fuel = ink_to_fuel(ink);
        let left = c.get_fuel()?;
        if left < fuel {
            c.set_fuel(0)?;
            return Err(trap(Trap::OutOfInk));
        }
        return c.set_fuel(left - fuel);
    }
    let left = ink_left(&*c);
    if left < ink {
        exhaust(&mut *c);
        return Err(trap(Trap::OutOfInk));
    }
    set_ink(&mut *c, left - ink).map_err(fail)
}

/// Charges memory grown since the last charge (nitro charges `pay_for_memory_grow`, which its
/// instrumentation calls before each `memory.grow`; here growth is paid at the next hostio or
/// when the program ends).
fn charge_growth(c: &mut Hc<'_>) -> Result<(), Error> {
    let size = memory(c)?.size(&*c);
    let paid = c.data().pages_paid;
    if size <= paid {
        return Ok(());
    }
    c.data_mut().pages_paid = size;
    let pages = u16::try_from(size - paid).unwrap_or(u16::MAX);
    let gas = ctx(c)?.chain.pages.open_pages(pages);
    buy_gas(c, gas)
}

fn buy_ink(c: &mut Hc<'_>, ink: u64) -> Result<(), Error> {
    charge_growth(c)?;
    consume_ink(c, ink)
}

fn buy_gas(c: &mut Hc<'_>, gas: u64) -> Result<(), Error> {
    consume_ink(c, gas.saturating_mul(INK_PER_GAS))
}

fn gas_left(c: &Hc<'_>) -> Result<u64, Error> {
    Ok(ink_left(c) / INK_PER_GAS)
}

fn require_gas(c: &Hc<'_>, gas: u64) -> Result<(), Error> {
    if gas_left(c)? < gas {
        return Err(trap(Trap::OutOfInk));
    }
    Ok(())
}

/// Nitro's price of reading `bytes` from guest memory.
fn pay_for_read(c: &mut Hc<'_>, bytes: u32) -> Result<(), Error> {
    let extra = u64::from(bytes.saturating_sub(32));
    consume_ink(c, 16_381 + 55 * extra)
}

/// Nitro's price of writing `bytes` into guest memory.
fn pay_for_write(c: &mut Hc<'_>, bytes: u32) -> Result<(), Error> {
    let extra = u64::from(bytes.saturating_sub(32));
    consume_ink(c, 5_040 + 30 * extra)
}

/// Data crossing into geth: nitro prices it as a read.
fn pay_for_geth_bytes(c: &mut Hc<'_>, bytes: u32) -> Result<(), Error> {
    pay_for_read(c, bytes)
}

/// Nitro's price of hashing `bytes` (I/O included).
fn pay_for_keccak(c: &mut Hc<'_>, bytes: u32) -> Result<(), Error> {
    let words = params::words(u64::from(bytes)).saturating_sub(2);
    consume_ink(c, 121_800 + 21_000 * words)
}

/// Nitro's price of the variable part of `math_pow`: 3,000 ink plus 17,500 per byte of the
/// exponent from its first non-zero byte, plus one (nitro `crates/arbutil/src/pricing.rs`
/// `pow_price`: `exp` starts at 33 and drops by one per leading zero byte).
pub fn pow_price(exponent: U256) -> u64 {
    let leading_zero_bytes = u64::from(exponent.leading_zeros() as u32 / 8);
    3_000 + (33 - leading_zero_bytes) * 17_500
}

fn write_protect(c: &Hc<'_>, what: &'static str) -> Result<(), Error> {
    if c.data().env.is_static {
        return Err(trap(Trap::WriteProtection(what)));
    }
    Ok(())
}

/// Gas a storage-cache access must have left (nitro's `StorageCache::REQUIRED_ACCESS_GAS`).
const REQUIRED_ACCESS_GAS: u64 = 10;

/// Writes dirty cache slots to the journal, charging EIP-2200/2929 gas and recording
/// EIP-3529 refunds. Clears the cache if asked.
fn flush_cache(c: &mut Hc<'_>, clear: bool) -> Result<(), Error> {
    let mut dirty: Vec<(U256, U256)> = c
        .data()
        .cache
        .iter()
        .filter(|(_, slot)| slot.known != Some(slot.value))
        .map(|(key, slot)| (*key, slot.value))
        .collect();
    if !dirty.is_empty() {
        write_protect(c, "storage write")?;
        dirty.sort_unstable_by_key(|(key, _)| *key);
        let contract = c.data().env.contract;
        let mut cost = 0u64;
        let mut refund = 0i64;
        {
            let ctx = ctx(c)?;
            let gas_params = ctx.cfg().gas_params().clone();
            // The journal expects the account loaded before its storage is touched.
            let Ok(_) = ctx.journal_mut().load_account(contract);
            for (key, value) in &dirty {
                let Ok(load) = ctx.journal_mut().sstore(contract, *key, *value);
                cost = cost
                    .saturating_add(gas_params.sstore_static_gas())
                    .saturating_add(gas_params.sstore_dynamic_gas(true, &load.data, load.is_cold));
                refund += gas_params.sstore_refund(true, &load.data);
            }
        }
        let state = c.data_mut();
        for (key, value) in &dirty {
            if let Some(slot) = state.cache.get_mut(key) {
                slot.known = Some(*value);
            }
        }
        state.refund += refund;
        state.stats.sstores += dirty.len() as u32;
        state.stats.sstore_gas += cost;
        buy_gas(c, cost)?;
    }
    if clear {
        c.data_mut().cache.clear();
    }
    Ok(())
}

/// Kinds of call a program can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CallKind {
    Call,
    Delegate,
    Static,
}

#[allow(clippy::too_many_arguments)]
fn do_call(
    c: &mut Hc<'_>,
    kind: CallKind,
    contract: u32,
    data: u32,
    data_len: u32,
    value: Option<u32>,
    gas: u64,
    ret_len_ptr: u32,
) -> Result<u32, Error> {
    buy_ink(c, HOSTIO_INK + 3 * PTR_INK + EVM_API_INK)?;
    pay_for_read(c, data_len)?;
    pay_for_geth_bytes(c, data_len)?;
    let to = read_address(c, contract)?;
    let input = read_slice(c, data, data_len)?;
    let value = match value {
        Some(ptr) => read_u256(c, ptr)?,
        None => U256::ZERO,
    };
    let env = c.data().env.clone();
    if env.is_static && !value.is_zero() {
        // Read-only calls are not payable: the call fails without running, costing nothing
        // (nitro `arbos/programs/api.go` `doCall`: `return nil, 0, vm.ErrWriteProtection`).
        c.data_mut().return_data = Bytes::new();
        write_u32(c, ret_len_ptr, 0)?;
        return Ok(2);
    }
    // Pending writes become visible to the callee (and to delegate calls into our storage).
    flush_cache(c, false)?;

    let gas_left = gas_left(c)?;
    let gas_req = gas.min(gas_left);
    let (is_cold, is_empty, code_hash, code) = {
        let ctx = ctx(c)?;
        let Ok(account) = ctx.journal_mut().load_account_with_code(to);
        let code = account.info.code.clone().unwrap_or_default();
        (
            account.is_cold,
            account.info.is_empty(),
            account.info.code_hash,
            code,
        )
    };
    let mut base = if is_cold {
        COLD_ACCOUNT_GAS
    } else {
        WARM_ACCESS_GAS
    };
    if kind == CallKind::Call && !value.is_zero() {
        base += CALL_VALUE_GAS;
        if is_empty {
            base += NEW_ACCOUNT_GAS;
        }
    }
    if gas_left < base {
        // geth's `WasmCallCost` fails: the call does not run, the program pays all its gas
        // and sees status 2 (nitro `arbos/programs/api.go` `doCall`: `return nil, gasLeft,
        // err`).
        buy_gas(c, gas_left)?;
        c.data_mut().return_data = Bytes::new();
        write_u32(c, ret_len_ptr, 0)?;
        return Ok(2);
    }
    // The 63/64 rule as nitro applies it: `(gasLeft - baseCost) * 63 / 64` (nitro
    // `arbos/programs/api.go` `doCall`, "apply the 63/64ths rule").
    let child_gas = gas_req.min((gas_left - base).saturating_mul(63) / 64);
    c.data_mut().stats.calls += 1;
    c.data_mut().stats.call_access_gas += base;
    buy_gas(c, base + child_gas)?;
    let stipend = if value.is_zero() { 0 } else { CALL_STIPEND };

    let (target, caller, call_value, scheme, is_static) = match kind {
        CallKind::Call => (
            to,
            env.contract,
            CallValue::Transfer(value),
            CallScheme::Call,
            env.is_static,
        ),
        CallKind::Delegate => (
            env.contract,
            env.caller,
            CallValue::Apparent(env.value),
            CallScheme::DelegateCall,
            env.is_static,
        ),
        CallKind::Static => (
            to,
            env.contract,
            CallValue::Transfer(U256::ZERO),
            CallScheme::StaticCall,
            true,
        ),
    };
    let inputs = CallInputs {
        input: CallInput::Bytes(input.into()),
        return_memory_offset: 0..0,
        gas_limit: child_gas + stipend,
        reservoir: 0,
        bytecode_address: to,
        known_bytecode: (code_hash, code),
        target_address: target,
        caller,
        value: call_value,
        scheme,
        is_static,
        charged_new_account_state_gas: false,
    };
    c.data_mut().request = Some(Request::Call {
        inputs: Box::new(inputs),
        ret_len_ptr,
        stipend,
    });
    Err(trap(Trap::Request))
}

#[allow(clippy::too_many_arguments)]
fn do_create(
    c: &mut Hc<'_>,
    code: u32,
    code_len: u32,
    endowment: u32,
    salt: Option<u32>,
    contract_ptr: u32,
    ret_len_ptr: u32,
) -> Result<(), Error> {
    let ptrs = if salt.is_some() { 4 } else { 3 };
    buy_ink(c, HOSTIO_INK + ptrs * PTR_INK + EVM_API_INK)?;
    pay_for_read(c, code_len)?;
    pay_for_geth_bytes(c, code_len)?;
    let init_code = read_slice(c, code, code_len)?;
    let value = read_u256(c, endowment)?;
    let salt = match salt {
        Some(ptr) => Some(read_u256(c, ptr)?),
        None => None,
    };
    write_protect(c, "contract creation")?;
    flush_cache(c, false)?;
    // `CreateGas`, plus keccak words for CREATE2; no EIP-3860 init-code word gas (nitro
    // `arbos/programs/api.go` `create`, "pay for static and dynamic costs").
    let words = params::words(u64::from(code_len));
    let mut base = CREATE_GAS;
    if salt.is_some() {
        base += KECCAK_WORD_GAS * words;
    }
    let gas_left = gas_left(c)?;
    if gas_left < base {
        return Err(trap(Trap::OutOfInk));
    }
    if init_code.len() > MAX_INITCODE_SIZE {
        return Err(fail("init code too large"));
    }
    let available = gas_left - base;
    let child_gas = available - available / 64;
    buy_gas(c, base + child_gas)?;
    let scheme = match salt {
        Some(salt) => CreateScheme::Create2 { salt },
        None => CreateScheme::Create,
    };
    let contract = c.data().env.contract;
    let inputs = CreateInputs::new(contract, scheme, value, init_code.into(), child_gas, 0);
    c.data_mut().request = Some(Request::Create {
        inputs: Box::new(inputs),
        contract_ptr,
        ret_len_ptr,
    });
    Err(trap(Trap::Request))
}

/// Gas to touch `address` (EIP-2929), loading it.
fn touch_account(c: &mut Hc<'_>, address: Address) -> Result<(u64, U256, B256, Bytes), Error> {
    let ctx = ctx(c)?;
    let Ok(account) = ctx.journal_mut().load_account_with_code(address);
    let cost = if account.is_cold {
        COLD_ACCOUNT_GAS
    } else {
        WARM_ACCESS_GAS
    };
    let code = account
        .info
        .code
        .as_ref()
        .map(|code| code.original_bytes())
        .unwrap_or_default();
    let hash = if account.info.is_empty() {
        B256::ZERO
    } else {
        account.info.code_hash
    };
    Ok((cost, account.info.balance, hash, code))
}

/// The code of `address` for `account_code` / `account_code_size`, charged as nitro does:
/// the same address as the previous load is free (nitro `crates/arbutil/src/evm/req.rs`
/// `account_code`: `last_code` hit returns `Gas(0)`; from ArbOS 40 only non-empty code is
/// remembered, `ARBOS_VERSION_STYLUS_LAST_CODE_CACHE_FIX = 40` in
/// `crates/arbutil/src/evm/mod.rs`), otherwise EIP-2929 access plus [`EXTCODE_GAS`] (geth's
/// `WasmAccountTouchCost(.., withCode = true)`), paid in full before the code is returned.
fn account_code(c: &mut Hc<'_>, address: Address) -> Result<Bytes, Error> {
    if let Some((last, code)) = &c.data().last_code {
        if *last == address {
            return Ok(code.clone());
        }
    }
    let (access, _, _, code) = touch_account(c, address)?;
    buy_gas(c, access + EXTCODE_GAS)?;
    if !code.is_empty() || c.data().arbos_version < 40 {
        c.data_mut().last_code = Some((address, code.clone()));
    }
    Ok(code)
}

/// `[offset, offset + size)` of `data`, clipped to its end.
fn slice_with_runoff(data: &[u8], offset: u32, size: u32) -> &[u8] {
    let start = (offset as usize).min(data.len());
    let end = (offset as usize)
        .saturating_add(size as usize)
        .min(data.len());
    &data[start..end]
}

fn math_op(
    c: &mut Hc<'_>,
    ink: u64,
    ptrs: [u32; 3],
    n: usize,
    op: impl Fn(U256, U256, U256) -> U256,
) -> Result<(), Error> {
    buy_ink(c, HOSTIO_INK + (n as u64 + 1) * PTR_INK + ink)?;
    let a = read_u256(c, ptrs[0])?;
    let b = read_u256(c, ptrs[1])?;
    let m = if n == 3 {
        read_u256(c, ptrs[2])?
    } else {
        U256::ZERO
    };
    let result = op(a, b, m);
    write_slice(c, ptrs[0], &result.to_be_bytes::<32>())
}

fn say(c: &mut Hc<'_>, text: String) {
    c.data_mut().console.push(text);
}

fn block_u64(c: &mut Hc<'_>, f: impl Fn(&Ctx) -> u64) -> Result<u64, Error> {
    buy_ink(c, HOSTIO_INK)?;
    let ctx = ctx(c)?;
    Ok(f(ctx))
}

fn write_word(c: &mut Hc<'_>, ptr: u32, word: [u8; 32]) -> Result<(), Error> {
    buy_ink(c, HOSTIO_INK + PTR_INK)?;
    write_slice(c, ptr, &word)
}

fn write_addr(c: &mut Hc<'_>, ptr: u32, address: Address) -> Result<(), Error> {
    buy_ink(c, HOSTIO_INK + PTR_INK)?;
    write_slice(c, ptr, address.as_slice())
}

/// Builds the linker with every host function.
///
/// # Errors
///
/// Only if a definition is duplicated (a bug).
pub fn linker(engine: &wasmi::Engine) -> Result<Linker<HostState>, LinkerError> {
    let mut l = Linker::new(engine);
    let vm = "vm_hooks";

    l.func_wrap(vm, "read_args", |mut c: Hc<'_>, ptr: u32| {
        buy_ink(&mut c, HOSTIO_INK)?;
        let args = c.data().args.clone();
        pay_for_write(&mut c, args.len() as u32)?;
        write_slice(&mut c, ptr, &args)
    })?;
    l.func_wrap(vm, "write_result", |mut c: Hc<'_>, ptr: u32, len: u32| {
        buy_ink(&mut c, HOSTIO_INK)?;
        pay_for_read(&mut c, len)?;
        pay_for_geth_bytes(&mut c, len)?;
        let outs = read_slice(&c, ptr, len)?;
        c.data_mut().outs = outs;
        Ok(())
    })?;
    l.func_wrap(
        vm,
        "exit_early",
        |_c: Hc<'_>, status: u32| -> Result<(), Error> { Err(trap(Trap::Exit(status))) },
    )?;
    l.func_wrap(
        vm,
        "storage_load_bytes32",
        |mut c: Hc<'_>, key: u32, dest: u32| {
            buy_ink(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
            let api_gas = EVM_API_INK / INK_PER_GAS;
            require_gas(&c, COLD_SLOAD_GAS + REQUIRED_ACCESS_GAS + api_gas)?;
            let key = read_u256(&c, key)?;
            let mut cost = c.data_mut().read_gas();
            let value = match c.data().cache.get(&key) {
                Some(slot) => slot.value,
                None => {
                    let contract = c.data().env.contract;
                    let journal = ctx(&mut c)?.journal_mut();
                    let Ok(_) = journal.load_account(contract);
                    let Ok(load) = journal.sload(contract, key);
                    cost += api_gas
                        + if load.is_cold {
                            COLD_SLOAD_GAS
                        } else {
                            WARM_ACCESS_GAS
                        };
                    let stats = &mut c.data_mut().stats;
                    stats.sloads += 1;
                    stats.cold_sloads += u32::from(load.is_cold);
                    c.data_mut().cache.insert(
                        key,
                        Slot {
                            value: load.data,
                            known: Some(load.data),
                        },
                    );
                    load.data
                }
            };
            c.data_mut().stats.sload_gas += cost;
            buy_gas(&mut c, cost)?;
            write_slice(&mut c, dest, &value.to_be_bytes::<32>())
        },
    )?;
    l.func_wrap(
        vm,
        "storage_cache_bytes32",
        |mut c: Hc<'_>, key: u32, value: u32| {
            buy_ink(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
            require_gas(&c, SSTORE_SENTRY_GAS + REQUIRED_ACCESS_GAS)?;
            let key = read_u256(&c, key)?;
            let value = read_u256(&c, value)?;
            let cost = c.data_mut().write_gas();
            c.data_mut()
                .cache
                .entry(key)
                .and_modify(|slot| slot.value = value)
                .or_insert(Slot { value, known: None });
            buy_gas(&mut c, cost)
        },
    )?;
    l.func_wrap(vm, "storage_flush_cache", |mut c: Hc<'_>, clear: u32| {
        buy_ink(&mut c, HOSTIO_INK + EVM_API_INK)?;
        require_gas(&c, SSTORE_SENTRY_GAS)?;
        flush_cache(&mut c, clear != 0)
    })?;
    l.func_wrap(
        vm,
        "transient_load_bytes32",
        |mut c: Hc<'_>, key: u32, dest: u32| {
            buy_ink(&mut c, HOSTIO_INK + 2 * PTR_INK + EVM_API_INK)?;
            buy_gas(&mut c, TRANSIENT_GAS)?;
            let key = read_u256(&c, key)?;
            let contract = c.data().env.contract;
            let value = ctx(&mut c)?.journal_mut().tload(contract, key);
            write_slice(&mut c, dest, &value.to_be_bytes::<32>())
        },
    )?;
    l.func_wrap(
        vm,
        "transient_store_bytes32",
        |mut c: Hc<'_>, key: u32, value: u32| {
            buy_ink(&mut c, HOSTIO_INK + 2 * PTR_INK + EVM_API_INK)?;
            buy_gas(&mut c, TRANSIENT_GAS)?;
            let key = read_u256(&c, key)?;
            let value = read_u256(&c, value)?;
            write_protect(&c, "transient storage write")?;
            let contract = c.data().env.contract;
            ctx(&mut c)?.journal_mut().tstore(contract, key, value);
            Ok(())
        },
    )?;
    l.func_wrap(
        vm,
        "call_contract",
        |mut c: Hc<'_>, to: u32, data: u32, len: u32, value: u32, gas: u64, ret: u32| {
            do_call(&mut c, CallKind::Call, to, data, len, Some(value), gas, ret)
        },
    )?;
    l.func_wrap(
        vm,
        "delegate_call_contract",
        |mut c: Hc<'_>, to: u32, data: u32, len: u32, gas: u64, ret: u32| {
            do_call(&mut c, CallKind::Delegate, to, data, len, None, gas, ret)
        },
    )?;
    l.func_wrap(
        vm,
        "static_call_contract",
        |mut c: Hc<'_>, to: u32, data: u32, len: u32, gas: u64, ret: u32| {
            do_call(&mut c, CallKind::Static, to, data, len, None, gas, ret)
        },
    )?;
    l.func_wrap(
        vm,
        "create1",
        |mut c: Hc<'_>, code: u32, len: u32, endowment: u32, contract: u32, ret: u32| {
            do_create(&mut c, code, len, endowment, None, contract, ret)
        },
    )?;
    l.func_wrap(
        vm,
        "create2",
        |mut c: Hc<'_>, code: u32, len: u32, endowment: u32, salt: u32, contract: u32, ret: u32| {
            do_create(&mut c, code, len, endowment, Some(salt), contract, ret)
        },
    )?;
    l.func_wrap(
        vm,
        "read_return_data",
        |mut c: Hc<'_>, dest: u32, offset: u32, size: u32| {
            buy_ink(&mut c, HOSTIO_INK + EVM_API_INK)?;
            let data = c.data().return_data.clone();
            let max = (data.len() as u32).saturating_sub(offset);
            pay_for_write(&mut c, size.min(max))?;
            let out = slice_with_runoff(&data, offset, size);
            if !out.is_empty() {
                write_slice(&mut c, dest, out)?;
            }
            Ok(out.len() as u32)
        },
    )?;
    l.func_wrap(vm, "return_data_size", |mut c: Hc<'_>| {
        buy_ink(&mut c, HOSTIO_INK)?;
        Ok(c.data().return_data.len() as u32)
    })?;
    l.func_wrap(
        vm,
        "emit_log",
        |mut c: Hc<'_>, data: u32, len: u32, topics: u32| {
            buy_ink(&mut c, HOSTIO_INK + EVM_API_INK)?;
            if topics > 4 || len < topics * 32 {
                return Err(fail("bad topic data"));
            }
            pay_for_read(&mut c, len)?;
            let data_len = u64::from(len - topics * 32);
            let log_gas = LOG_TOPIC_GAS * (1 + u64::from(topics)) + LOG_DATA_GAS * data_len;
            c.data_mut().stats.log_gas += log_gas;
            buy_gas(&mut c, log_gas)?;
            let bytes = read_slice(&c, data, len)?;
            write_protect(&c, "log")?;
            let split = (topics * 32) as usize;
            let topics: Vec<B256> = bytes[..split]
                .chunks_exact(32)
                .map(B256::from_slice)
                .collect();
            let address = c.data().env.contract;
            let log = Log {
                address,
                data: LogData::new_unchecked(topics, Bytes::copy_from_slice(&bytes[split..])),
            };
            ctx(&mut c)?.journal_mut().log(log);
            Ok(())
        },
    )?;
    l.func_wrap(
        vm,
        "account_balance",
        |mut c: Hc<'_>, address: u32, dest: u32| {
            buy_ink(&mut c, HOSTIO_INK + 2 * PTR_INK + EVM_API_INK)?;
            require_gas(&c, COLD_ACCOUNT_GAS)?;
            let address = read_address(&c, address)?;
            let (cost, balance, _, _) = touch_account(&mut c, address)?;
            buy_gas(&mut c, cost)?;
            write_slice(&mut c, dest, &balance.to_be_bytes::<32>())
        },
    )?;
    l.func_wrap(
        vm,
        "account_code",
        |mut c: Hc<'_>, address: u32, offset: u32, size: u32, dest: u32| {
            buy_ink(&mut c, HOSTIO_INK + EVM_API_INK)?;
            require_gas(&c, COLD_ACCOUNT_GAS)?;
            let address = read_address(&c, address)?;
            let code = account_code(&mut c, address)?;
            pay_for_write(&mut c, code.len() as u32)?;
            let out = slice_with_runoff(&code, offset, size);
            write_slice(&mut c, dest, out)?;
            Ok(out.len() as u32)
        },
    )?;
    l.func_wrap(vm, "account_code_size", |mut c: Hc<'_>, address: u32| {
        buy_ink(&mut c, HOSTIO_INK + EVM_API_INK)?;
        require_gas(&c, COLD_ACCOUNT_GAS)?;
        let address = read_address(&c, address)?;
        let code = account_code(&mut c, address)?;
        Ok(code.len() as u32)
    })?;
    l.func_wrap(
        vm,
        "account_codehash",
        |mut c: Hc<'_>, address: u32, dest: u32| {
            buy_ink(&mut c, HOSTIO_INK + 2 * PTR_INK + EVM_API_INK)?;
            require_gas(&c, COLD_ACCOUNT_GAS)?;
            let address = read_address(&c, address)?;
            let (cost, _, hash, _) = touch_account(&mut c, address)?;
            buy_gas(&mut c, cost)?;
            write_slice(&mut c, dest, hash.as_slice())
        },
    )?;
    l.func_wrap(vm, "evm_gas_left", |mut c: Hc<'_>| {
        buy_ink(&mut c, HOSTIO_INK)?;
        gas_left(&c)
    })?;
    l.func_wrap(vm, "evm_ink_left", |mut c: Hc<'_>| {
        buy_ink(&mut c, HOSTIO_INK)?;
        Ok(ink_left(&c))
    })?;
    l.func_wrap(vm, "block_basefee", |mut c: Hc<'_>, ptr: u32| {
        let fee = U256::from(ctx(&mut c)?.block().basefee());
        write_word(&mut c, ptr, fee.to_be_bytes())
    })?;
    l.func_wrap(vm, "block_coinbase", |mut c: Hc<'_>, ptr: u32| {
        let coinbase = ctx(&mut c)?.block().beneficiary();
        write_addr(&mut c, ptr, coinbase)
    })?;
    l.func_wrap(vm, "chainid", |mut c: Hc<'_>| {
        block_u64(&mut c, |ctx| ctx.cfg().chain_id())
    })?;
    l.func_wrap(vm, "block_gas_limit", |mut c: Hc<'_>| {
        block_u64(&mut c, |ctx| ctx.block().gas_limit())
    })?;
    l.func_wrap(vm, "block_number", |mut c: Hc<'_>| {
        block_u64(&mut c, |ctx| ctx.block().number().saturating_to())
    })?;
    l.func_wrap(vm, "block_timestamp", |mut c: Hc<'_>| {
        block_u64(&mut c, |ctx| ctx.block().timestamp().saturating_to())
    })?;
    l.func_wrap(vm, "contract_address", |mut c: Hc<'_>, ptr: u32| {
        let address = c.data().env.contract;
        write_addr(&mut c, ptr, address)
    })?;
    l.func_wrap(vm, "msg_sender", |mut c: Hc<'_>, ptr: u32| {
        let address = c.data().env.caller;
        write_addr(&mut c, ptr, address)
    })?;
    l.func_wrap(vm, "msg_value", |mut c: Hc<'_>, ptr: u32| {
        let value = c.data().env.value;
        write_word(&mut c, ptr, value.to_be_bytes())
    })?;
    l.func_wrap(vm, "msg_reentrant", |mut c: Hc<'_>| {
        buy_ink(&mut c, HOSTIO_INK)?;
        Ok(u32::from(c.data().env.reentrant))
    })?;
    l.func_wrap(vm, "tx_origin", |mut c: Hc<'_>, ptr: u32| {
        let origin = ctx(&mut c)?.tx().caller();
        write_addr(&mut c, ptr, origin)
    })?;
    l.func_wrap(vm, "tx_gas_price", |mut c: Hc<'_>, ptr: u32| {
        let price = ctx(&mut c)?.effective_gas_price();
        write_word(&mut c, ptr, price.to_be_bytes())
    })?;
    l.func_wrap(vm, "tx_ink_price", |mut c: Hc<'_>| {
        buy_ink(&mut c, HOSTIO_INK)?;
        Ok(INK_PRICE)
    })?;
    l.func_wrap(vm, "pay_for_memory_grow", |mut c: Hc<'_>, pages: u32| {
        // Nitro's hostio takes a u16; the i32 argument is truncated.
        let pages = pages as u16;
        if pages == 0 {
            return buy_ink(&mut c, HOSTIO_INK);
        }
        charge_growth(&mut c)?;
        // The pages are paid before `memory.grow` runs (even if it then fails), as nitro's
        // `add_pages` does; `charge_growth` never charges them again.
        let state = c.data_mut();
        state.pages_paid = state.pages_paid.saturating_add(u64::from(pages));
        let gas = ctx(&mut c)?.chain.pages.open_pages(pages);
        buy_gas(&mut c, gas)
    })?;
    l.func_wrap(
        vm,
        "native_keccak256",
        |mut c: Hc<'_>, input: u32, len: u32, output: u32| {
            charge_growth(&mut c)?;
            pay_for_keccak(&mut c, len)?;
            let preimage = read_slice(&c, input, len)?;
            let digest = keccak256(&preimage);
            write_slice(&mut c, output, digest.as_slice())
        },
    )?;
    l.func_wrap(vm, "math_div", |mut c: Hc<'_>, value: u32, divisor: u32| {
        math_op(&mut c, DIV_INK, [value, divisor, 0], 2, |a, b, _| {
            a.checked_div(b).unwrap_or_default()
        })
    })?;
    l.func_wrap(vm, "math_mod", |mut c: Hc<'_>, value: u32, modulus: u32| {
        math_op(&mut c, DIV_INK, [value, modulus, 0], 2, |a, b, _| {
            a.checked_rem(b).unwrap_or_default()
        })
    })?;
    l.func_wrap(
        vm,
        "math_pow",
        |mut c: Hc<'_>, value: u32, exponent: u32| {
            // `MATH_POW_BASE_INK` (hostio + 3 pointers), then `pow_price` of the exponent
            // (nitro `crates/wasm-libraries/user-host-trait/lib.rs` `math_pow`).
            buy_ink(&mut c, HOSTIO_INK + 3 * PTR_INK)?;
            let base = read_u256(&c, value)?;
            let power = read_u256(&c, exponent)?;
            consume_ink(&mut c, pow_price(power))?;
            let result = base.wrapping_pow(power);
            write_slice(&mut c, value, &result.to_be_bytes::<32>())
        },
    )?;
    l.func_wrap(
        vm,
        "math_add_mod",
        |mut c: Hc<'_>, value: u32, addend: u32, modulus: u32| {
            math_op(
                &mut c,
                ADD_MOD_INK,
                [value, addend, modulus],
                3,
                |a, b, m| a.add_mod(b, m),
            )
        },
    )?;
    l.func_wrap(
        vm,
        "math_mul_mod",
        |mut c: Hc<'_>, value: u32, multiplier: u32, modulus: u32| {
            math_op(
                &mut c,
                MUL_MOD_INK,
                [value, multiplier, modulus],
                3,
                |a, b, m| a.mul_mod(b, m),
            )
        },
    )?;

    let console = "console";
    l.func_wrap(console, "log_txt", |mut c: Hc<'_>, ptr: u32, len: u32| {
        let text = read_slice(&c, ptr, len)?;
        say(&mut c, String::from_utf8_lossy(&text).into_owned());
        Ok(())
    })?;
    l.func_wrap(console, "log_i32", |mut c: Hc<'_>, value: i32| {
        say(&mut c, value.to_string());
        Ok(())
    })?;
    l.func_wrap(console, "log_i64", |mut c: Hc<'_>, value: i64| {
        say(&mut c, value.to_string());
        Ok(())
    })?;
    l.func_wrap(console, "tee_i32", |mut c: Hc<'_>, value: i32| {
        say(&mut c, value.to_string());
        Ok(value)
    })?;
    l.func_wrap(console, "tee_i64", |mut c: Hc<'_>, value: i64| {
        say(&mut c, value.to_string());
        Ok(value)
    })?;
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runoff() {
        assert_eq!(slice_with_runoff(b"abcdef", 2, 3), b"cde");
        assert_eq!(slice_with_runoff(b"abcdef", 4, 10), b"ef");
        assert_eq!(slice_with_runoff(b"abcdef", 10, 10), b"");
        assert_eq!(slice_with_runoff(b"abcdef", u32::MAX, u32::MAX), b"");
    }

    #[test]
    fn linker_matches_hostio_table() {
        // A module importing every host function of the validator's table, with its exact
        // signature, instantiates only if the linker provides all of them.
        let ty = |t: &stylus_program::WasmType| match t {
            stylus_program::WasmType::I32 => "i32",
            stylus_program::WasmType::I64 => "i64",
        };
        let imports: String = stylus_program::HOSTIOS
            .iter()
            .map(|sig| {
                let params: Vec<_> = sig.params.iter().map(ty).collect();
                let results: Vec<_> = sig.results.iter().map(ty).collect();
                format!(
                    r#"(import "{}" "{}" (func (param {}) (result {})))"#,
                    sig.module,
                    sig.name,
                    params.join(" "),
                    results.join(" ")
                )
            })
            .collect();
        let wasm = wat::parse_str(format!(
            r#"(module {imports} (memory (export "memory") 1)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#
        ))
        .expect("valid wat");
        stylus_program::validate(&wasm).expect("the validator accepts every hostio");
        let engine = wasmi::Engine::default();
        let linker = linker(&engine).expect("linker builds");
        let module = wasmi::Module::new(&engine, &wasm).expect("compiles");
        let env = FrameEnv {
            contract: Address::ZERO,
            caller: Address::ZERO,
            value: U256::ZERO,
            is_static: false,
            reentrant: false,
        };
        let mut store = wasmi::Store::new(&engine, HostState::new(env, Bytes::new(), 128));
        linker
            .instantiate_and_start(&mut store, &module)
            .expect("every hostio is linked with its signature");
    }
}
