//! Precompiles: Ethereum's (ecrecover, sha256, ...), `ArbWasm` at `0x71`, `ArbWasmCache` at
//! `0x72` and an `ArbSys` stub at `0x64`.

use alloy_primitives::{address, Address, Bytes, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolEvent, SolInterface};
use revm::context::{Block, Cfg, JournalTr};
use revm::context_interface::ContextTr;
use revm::handler::{EthPrecompiles, PrecompileProvider};
use revm::interpreter::{CallInputs, CallValue, Gas, InstructionResult, InterpreterResult};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{AddressSet, Log};

use crate::chain::DEV_ACCOUNT;
use crate::evm::Ctx;
use crate::params;
use crate::programs::{self, ProgramError, ProgramInsufficientValue};

/// Address of the `ArbWasm` precompile.
pub const ARB_WASM_ADDRESS: Address = address!("0000000000000000000000000000000000000071");
/// Address of the `ArbWasmCache` precompile.
pub const ARB_WASM_CACHE_ADDRESS: Address = address!("0000000000000000000000000000000000000072");
/// Address of the `ArbSys` precompile (only a few read methods are provided).
pub const ARB_SYS_ADDRESS: Address = address!("0000000000000000000000000000000000000064");
/// ArbOS version the devnet runs by default ([`crate::DevnetConfig::arbos_version`] sets
/// it; `ArbSys.arbOSVersion()` reports `55 + version`, as nitro's `ArbSys.ArbOSVersion`).
pub const ARBOS_VERSION: u64 = params::DEFAULT_ARBOS_VERSION;

/// Gas of one `ArbWasm` read (a storage read plus overhead, approximately nitro's).
const READ_GAS: u64 = 1_000;
/// Fixed gas burnt before an activation starts (nitro `precompiles/ArbWasm.go`
/// `ActivateProgram`: "charge a fixed cost up front to begin activation",
/// `c.Burn(1659168)`).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;
/// ArbOS storage traffic of a successful activation, in gas, at nitro's storage prices
/// (`StorageReadCost` 800, `StorageWriteCost` 20,000; `arbos/storage/storage.go`): the
/// stylus params (a warm read, 100, `arbos/programs/params.go` `Params`), the program record
/// read (800), the module hash write (20,000), the data pricer's five reads and two writes
/// (44,000, `arbos/programs/data_pricer.go` `UpdateModel`) and the program record write
/// (20,000). Counted from nitro's code, not measured on a node.
pub const ACTIVATION_STORAGE_GAS: u64 = 100 + 800 + 20_000 + 5 * 800 + 2 * 20_000 + 20_000;

sol! {
    /// The `ArbWasm` precompile interface (nitro's `precompiles/ArbWasm.sol`).
    interface ArbWasm {
        function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
        function stylusVersion() external view returns (uint16 version);
        function codehashVersion(bytes32 codehash) external view returns (uint16 version);
        function codehashKeepalive(bytes32 codehash) external payable returns (uint256 dataFee);
        function codehashAsmSize(bytes32 codehash) external view returns (uint32 size);
        function programVersion(address program) external view returns (uint16 version);
        function programInitGas(address program) external view returns (uint64 gas, uint64 gasWhenCached);
        function programMemoryFootprint(address program) external view returns (uint16 footprint);
        function programTimeLeft(address program) external view returns (uint64 _secs);
        function inkPrice() external view returns (uint32 price);
        function maxStackDepth() external view returns (uint32 depth);
        function freePages() external view returns (uint16 pages);
        function pageGas() external view returns (uint16 gas);
        function pageRamp() external view returns (uint64 ramp);
        function pageLimit() external view returns (uint16 limit);
        function minInitGas() external view returns (uint64 gas, uint64 cached);
        function initCostScalar() external view returns (uint64 percent);
        function expiryDays() external view returns (uint16 _days);
        function keepaliveDays() external view returns (uint16 _days);
        function blockCacheSize() external view returns (uint16 count);

        event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);
        event ProgramLifetimeExtended(bytes32 indexed codehash, uint256 dataFee);
    }

    /// The `ArbWasmCache` precompile interface (nitro's `precompiles/ArbWasmCache.sol`).
    interface ArbWasmCache {
        function isCacheManager(address manager) external view returns (bool);
        function allCacheManagers() external view returns (address[] memory managers);
        function cacheCodehash(bytes32 codehash) external;
        function cacheProgram(address addr) external;
        function evictCodehash(bytes32 codehash) external;
        function codehashIsCached(bytes32 codehash) external view returns (bool);

        event UpdateProgramCache(address indexed manager, bytes32 indexed codehash, bool cached);
    }

    /// The part of `ArbSys` the devnet provides.
    interface ArbSys {
        function arbBlockNumber() external view returns (uint256);
        function arbChainID() external view returns (uint256);
        function arbOSVersion() external view returns (uint256);
    }
}

/// The devnet's precompile set.
#[derive(Debug)]
pub struct ArbPrecompiles {
    eth: EthPrecompiles,
    addresses: AddressSet,
}

impl ArbPrecompiles {
    /// Precompiles of `spec` plus the Arbitrum ones.
    pub fn new(spec: SpecId) -> Self {
        let eth = EthPrecompiles::new(spec);
        let addresses = Self::address_set(&eth);
        Self { eth, addresses }
    }

    fn address_set(eth: &EthPrecompiles) -> AddressSet {
        let mut set = eth.warm_addresses().clone();
        set.insert(ARB_WASM_ADDRESS);
        set.insert(ARB_WASM_CACHE_ADDRESS);
        set.insert(ARB_SYS_ADDRESS);
        set
    }
}

impl PrecompileProvider<Ctx> for ArbPrecompiles {
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: SpecId) -> bool {
        let changed = <EthPrecompiles as PrecompileProvider<Ctx>>::set_spec(&mut self.eth, spec);
        if changed {
            self.addresses = Self::address_set(&self.eth);
        }
        changed
    }

    fn run(
        &mut self,
        ctx: &mut Ctx,
        inputs: &CallInputs,
    ) -> Result<Option<InterpreterResult>, String> {
        match inputs.bytecode_address {
            ARB_WASM_ADDRESS => Ok(Some(arb_wasm(ctx, inputs))),
            ARB_WASM_CACHE_ADDRESS => Ok(Some(arb_wasm_cache(ctx, inputs))),
            ARB_SYS_ADDRESS => Ok(Some(arb_sys(ctx, inputs))),
            _ => self.eth.run(ctx, inputs),
        }
    }

    fn warm_addresses(&self) -> &AddressSet {
        &self.addresses
    }
}

/// Outcome of a precompile method: gas used and either return data or revert data.
struct Outcome {
    gas: u64,
    result: Result<Vec<u8>, Bytes>,
}

impl Outcome {
    fn ok(gas: u64, data: Vec<u8>) -> Self {
        Self {
            gas,
            result: Ok(data),
        }
    }

    fn revert(gas: u64, data: Bytes) -> Self {
        Self {
            gas,
            result: Err(data),
        }
    }

    fn into_result(self, gas_limit: u64) -> InterpreterResult {
        let mut gas = Gas::new(gas_limit);
        if !gas.record_regular_cost(self.gas) {
            gas.spend_all();
            return InterpreterResult::new(InstructionResult::PrecompileOOG, Bytes::new(), gas);
        }
        match self.result {
            Ok(data) => InterpreterResult::new(InstructionResult::Return, data.into(), gas),
            Err(data) => InterpreterResult::new(InstructionResult::Revert, data, gas),
        }
    }
}

fn now(ctx: &Ctx) -> u64 {
    ctx.block().timestamp().saturating_to()
}

fn arb_wasm(ctx: &mut Ctx, inputs: &CallInputs) -> InterpreterResult {
    let input = inputs.input.bytes(ctx);
    let outcome = match ArbWasm::ArbWasmCalls::abi_decode(&input) {
        Ok(call) => arb_wasm_call(ctx, inputs, call),
        Err(_) => Outcome::revert(READ_GAS, Bytes::new()),
    };
    outcome.into_result(inputs.gas_limit)
}

fn program_codehash(ctx: &mut Ctx, program: Address) -> alloy_primitives::B256 {
    programs::account_code(ctx, program).1
}

fn arb_wasm_call(ctx: &mut Ctx, inputs: &CallInputs, call: ArbWasm::ArbWasmCalls) -> Outcome {
    use ArbWasm::ArbWasmCalls as C;
    let time = now(ctx);
    let value = inputs.call_value();
    let payable = matches!(call, C::activateProgram(_) | C::codehashKeepalive(_));
    if !payable && !value.is_zero() {
        return Outcome::revert(READ_GAS, Bytes::new());
    }
    let active = |ctx: &mut Ctx, codehash| programs::active_program(ctx, codehash, time);
    let read = |result: Result<Vec<u8>, ProgramError>| match result {
        Ok(data) => Outcome::ok(READ_GAS, data),
        Err(e) => Outcome::revert(READ_GAS, e.abi_encode()),
    };
    match call {
        C::activateProgram(c) => activate(ctx, inputs, c.program, time),
        C::codehashKeepalive(c) => {
            if inputs.is_static {
                return Outcome::revert(READ_GAS, Bytes::new());
            }
            match programs::keepalive(ctx, c.codehash, time) {
                Ok(()) => {
                    refund_value(ctx, inputs, value);
                    emit(
                        ctx,
                        ArbWasm::ProgramLifetimeExtended {
                            codehash: c.codehash,
                            dataFee: U256::ZERO,
                        },
                    );
                    Outcome::ok(
                        READ_GAS * 2,
                        ArbWasm::codehashKeepaliveCall::abi_encode_returns(&U256::ZERO),
                    )
                }
                Err(e) => Outcome::revert(READ_GAS, e.abi_encode()),
            }
        }
        C::stylusVersion(_) => read(Ok(ArbWasm::stylusVersionCall::abi_encode_returns(
            &params::STYLUS_VERSION,
        ))),
        C::codehashVersion(c) => read(
            active(ctx, c.codehash)
                .map(|p| ArbWasm::codehashVersionCall::abi_encode_returns(&p.version)),
        ),
        C::codehashAsmSize(c) => read(active(ctx, c.codehash).map(|p| {
            ArbWasm::codehashAsmSizeCall::abi_encode_returns(
                &p.asm_estimate_kb.saturating_mul(1024),
            )
        })),
        C::programVersion(c) => {
            let codehash = program_codehash(ctx, c.program);
            read(
                active(ctx, codehash)
                    .map(|p| ArbWasm::programVersionCall::abi_encode_returns(&p.version)),
            )
        }
        C::programInitGas(c) => {
            let codehash = program_codehash(ctx, c.program);
            read(active(ctx, codehash).map(|p| {
                ArbWasm::programInitGasCall::abi_encode_returns(&ArbWasm::programInitGasReturn {
                    gas: p.call_gas(false),
                    gasWhenCached: p.call_gas(true),
                })
            }))
        }
        C::programMemoryFootprint(c) => {
            let codehash = program_codehash(ctx, c.program);
            read(
                active(ctx, codehash)
                    .map(|p| ArbWasm::programMemoryFootprintCall::abi_encode_returns(&p.footprint)),
            )
        }
        C::programTimeLeft(c) => {
            let codehash = program_codehash(ctx, c.program);
            read(active(ctx, codehash).map(|p| {
                let expiry = u64::from(params::EXPIRY_DAYS) * 86_400;
                ArbWasm::programTimeLeftCall::abi_encode_returns(
                    &expiry.saturating_sub(p.age(time)),
                )
            }))
        }
        C::inkPrice(_) => read(Ok(ArbWasm::inkPriceCall::abi_encode_returns(
            &params::INK_PRICE,
        ))),
        C::maxStackDepth(_) => read(Ok(ArbWasm::maxStackDepthCall::abi_encode_returns(
            &params::max_stack_depth(ctx.chain.arbos_version),
        ))),
        C::freePages(_) => read(Ok(ArbWasm::freePagesCall::abi_encode_returns(
            &params::FREE_PAGES,
        ))),
        C::pageGas(_) => read(Ok(ArbWasm::pageGasCall::abi_encode_returns(
            &params::PAGE_GAS,
        ))),
        C::pageRamp(_) => read(Ok(ArbWasm::pageRampCall::abi_encode_returns(
            &params::PAGE_RAMP,
        ))),
        C::pageLimit(_) => read(Ok(ArbWasm::pageLimitCall::abi_encode_returns(
            &params::PAGE_LIMIT,
        ))),
        C::minInitGas(_) => read(Ok(ArbWasm::minInitGasCall::abi_encode_returns(
            &ArbWasm::minInitGasReturn {
                gas: u64::from(params::MIN_INIT_GAS) * params::MIN_INIT_GAS_UNITS,
                cached: u64::from(params::MIN_CACHED_INIT_GAS) * params::MIN_CACHED_GAS_UNITS,
            },
        ))),
        C::initCostScalar(_) => read(Ok(ArbWasm::initCostScalarCall::abi_encode_returns(
            &(u64::from(params::INIT_COST_SCALAR) * params::COST_SCALAR_PERCENT),
        ))),
        C::expiryDays(_) => read(Ok(ArbWasm::expiryDaysCall::abi_encode_returns(
            &params::EXPIRY_DAYS,
        ))),
        C::keepaliveDays(_) => read(Ok(ArbWasm::keepaliveDaysCall::abi_encode_returns(
            &params::KEEPALIVE_DAYS,
        ))),
        C::blockCacheSize(_) => read(Ok(ArbWasm::blockCacheSizeCall::abi_encode_returns(
            &params::BLOCK_CACHE_SIZE,
        ))),
    }
}

fn activate(ctx: &mut Ctx, inputs: &CallInputs, program: Address, time: u64) -> Outcome {
    if inputs.is_static {
        return Outcome::revert(READ_GAS, Bytes::new());
    }
    let page_limit = params::PAGE_LIMIT.saturating_sub(ctx.chain.pages.open);
    let checkpoint = ctx.journal_mut().checkpoint();
    match programs::activate(ctx, program, time, page_limit) {
        Ok((record, codehash, wasm, asm_bytes)) => {
            let compile_gas = programs::activation_compile_gas(&wasm);
            let gas = ACTIVATION_FIXED_GAS
                .saturating_add(compile_gas)
                .saturating_add(ACTIVATION_STORAGE_GAS);
            let priced = programs::update_data_pricer(ctx, asm_bytes, time);
            // Waived (see the README): the fee is 0, as on a chain whose pricer is free, so
            // that callers computing `msg.value - dataFee` (the StylusDeployer) stay right.
            let data_fee = if ctx.chain.charge_data_fee {
                priced
            } else {
                U256::ZERO
            };
            let value = inputs.call_value();
            let refund = if ctx.chain.charge_data_fee {
                if value < data_fee {
                    ctx.journal_mut().checkpoint_revert(checkpoint);
                    let error = ProgramInsufficientValue {
                        have: value,
                        want: data_fee,
                    };
                    return Outcome::revert(gas, error.abi_encode().into());
                }
                value - data_fee
            } else {
                value
            };
            ctx.journal_mut().checkpoint_commit();
            if ctx.chain.charge_data_fee && !data_fee.is_zero() {
                // To the network fee account: nitro-devnode's chain owner.
                let _ = ctx
                    .journal_mut()
                    .transfer(inputs.target_address, DEV_ACCOUNT, data_fee);
            }
            refund_value(ctx, inputs, refund);
            emit(
                ctx,
                ArbWasm::ProgramActivated {
                    codehash,
                    moduleHash: codehash,
                    program,
                    dataFee: data_fee,
                    version: record.version,
                },
            );
            Outcome::ok(
                gas,
                ArbWasm::activateProgramCall::abi_encode_returns(&ArbWasm::activateProgramReturn {
                    version: record.version,
                    dataFee: data_fee,
                }),
            )
        }
        Err(e) => {
            ctx.journal_mut().checkpoint_revert(checkpoint);
            // A program that fails to compile takes all the gas (nitro
            // `precompiles/ArbWasm.go`: `if takeAllGas { _ = c.BurnOut() }`); the earlier
            // checks cost the fixed charge.
            let gas = match e {
                ProgramError::Invalid(_) => inputs.gas_limit,
                _ => ACTIVATION_FIXED_GAS,
            };
            Outcome::revert(gas, e.abi_encode())
        }
    }
}

/// Gas of an ArbOS storage read (nitro's `StorageReadCost`).
const ARBOS_READ_GAS: u64 = 800;
/// Gas of an ArbOS storage write of a non-zero word (nitro's `StorageWriteCost`).
const ARBOS_WRITE_GAS: u64 = 20_000;

/// `ArbWasmCache`. The devnet has no cache managers; the chain owner, [`DEV_ACCOUNT`] (as on
/// nitro-devnode), may cache and evict. Caching burns the program's `initCost` as nitro does,
/// plus nitro's ArbOS storage prices for the records touched (approximately).
fn arb_wasm_cache(ctx: &mut Ctx, inputs: &CallInputs) -> InterpreterResult {
    use ArbWasmCache::ArbWasmCacheCalls as C;
    let input = inputs.input.bytes(ctx);
    let call = match ArbWasmCache::ArbWasmCacheCalls::abi_decode(&input) {
        Ok(call) => call,
        Err(_) => return Outcome::revert(READ_GAS, Bytes::new()).into_result(inputs.gas_limit),
    };
    if !inputs.call_value().is_zero() {
        return Outcome::revert(READ_GAS, Bytes::new()).into_result(inputs.gas_limit);
    }
    let outcome = match call {
        C::isCacheManager(_) => Outcome::ok(
            ARBOS_READ_GAS,
            ArbWasmCache::isCacheManagerCall::abi_encode_returns(&false),
        ),
        C::allCacheManagers(_) => Outcome::ok(
            ARBOS_READ_GAS,
            ArbWasmCache::allCacheManagersCall::abi_encode_returns(&Vec::<Address>::new()),
        ),
        C::codehashIsCached(c) => {
            let cached = programs::load_program(ctx, c.codehash).cached;
            Outcome::ok(
                ARBOS_READ_GAS,
                ArbWasmCache::codehashIsCachedCall::abi_encode_returns(&cached),
            )
        }
        // Deprecated since ArbOS 31 in favour of `cacheProgram`.
        C::cacheCodehash(_) => Outcome::revert(READ_GAS, Bytes::new()),
        C::cacheProgram(c) => {
            let codehash = program_codehash(ctx, c.addr);
            set_program_cached(ctx, inputs, codehash, true)
        }
        C::evictCodehash(c) => set_program_cached(ctx, inputs, c.codehash, false),
    };
    outcome.into_result(inputs.gas_limit)
}

fn set_program_cached(
    ctx: &mut Ctx,
    inputs: &CallInputs,
    codehash: alloy_primitives::B256,
    cache: bool,
) -> Outcome {
    // Membership checks: cache managers, then chain owners.
    let auth_gas = 2 * ARBOS_READ_GAS;
    if inputs.is_static || inputs.caller != DEV_ACCOUNT {
        return Outcome::revert(auth_gas, Bytes::new());
    }
    let time = now(ctx);
    match programs::set_cached(ctx, codehash, cache, time) {
        Ok(None) => Outcome::ok(auth_gas + ARBOS_READ_GAS, Vec::new()),
        Ok(Some(program)) => {
            emit_from(
                ctx,
                ARB_WASM_CACHE_ADDRESS,
                ArbWasmCache::UpdateProgramCache {
                    manager: inputs.caller,
                    codehash,
                    cached: cache,
                },
            );
            let log_gas = params::LOG_TOPIC_GAS * 3 + params::LOG_DATA_GAS * 32;
            let gas = auth_gas
                + 2 * ARBOS_READ_GAS
                + ARBOS_WRITE_GAS
                + log_gas
                + u64::from(program.init_cost);
            Outcome::ok(gas, Vec::new())
        }
        Err(e) => Outcome::revert(auth_gas + ARBOS_READ_GAS, e.abi_encode()),
    }
}

fn refund_value(ctx: &mut Ctx, inputs: &CallInputs, value: U256) {
    if let CallValue::Transfer(_) = inputs.value {
        if !value.is_zero() {
            let _ = ctx
                .journal_mut()
                .transfer(inputs.target_address, inputs.caller, value);
        }
    }
}

fn emit<E: SolEvent>(ctx: &mut Ctx, event: E) {
    emit_from(ctx, ARB_WASM_ADDRESS, event);
}

fn emit_from<E: SolEvent>(ctx: &mut Ctx, address: Address, event: E) {
    ctx.journal_mut().log(Log {
        address,
        data: event.encode_log_data(),
    });
}

fn arb_sys(ctx: &mut Ctx, inputs: &CallInputs) -> InterpreterResult {
    use ArbSys::ArbSysCalls as C;
    let input = inputs.input.bytes(ctx);
    let outcome = match ArbSys::ArbSysCalls::abi_decode(&input) {
        Ok(C::arbBlockNumber(_)) => Outcome::ok(
            READ_GAS,
            ArbSys::arbBlockNumberCall::abi_encode_returns(&ctx.block().number()),
        ),
        Ok(C::arbChainID(_)) => Outcome::ok(
            READ_GAS,
            ArbSys::arbChainIDCall::abi_encode_returns(&U256::from(ctx.cfg().chain_id())),
        ),
        Ok(C::arbOSVersion(_)) => Outcome::ok(
            READ_GAS,
            ArbSys::arbOSVersionCall::abi_encode_returns(&U256::from(55 + ctx.chain.arbos_version)),
        ),
        Err(_) => Outcome::revert(READ_GAS, Bytes::new()),
    };
    outcome.into_result(inputs.gas_limit)
}
