//! The activated-program table and activation itself.
//!
//! As in nitro, each activated program is a 32-byte record keyed by code hash, packed as
//! `version u16 | initCost u16 | cachedCost u16 | footprint u16 | activatedAt u24 |
//! asmEstimateKb u24 | cached u8`. The records live in the storage of the ArbOS state
//! account, so they are journaled with the rest of the state: an activation inside a reverted
//! call or transaction, or before a snapshot that is reverted to, disappears with it.

use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolError};
use revm::context::JournalTr;
use revm::context_interface::ContextTr;

use crate::evm::Ctx;
use crate::params::{self, STYLUS_VERSION};

/// The ArbOS state account, whose storage holds the program table.
pub const ARBOS_STATE_ADDRESS: Address = address!("A4B05FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");

sol! {
    /// `ArbWasm` errors, as nitro's precompile reports them.
    error ProgramNotWasm();
    error ProgramNotActivated();
    error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
    error ProgramExpired(uint64 ageInSeconds);
    error ProgramUpToDate();
    error ProgramKeepaliveTooSoon(uint64 ageInSeconds);
    error ProgramInsufficientValue(uint256 have, uint256 want);
    /// Solidity's `Error(string)`, used for activation failures (nitro reverts without
    /// data; the devnet says why).
    error Error(string message);
}

/// One activated program, as stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Program {
    /// Stylus version it was activated at (0: not activated).
    pub version: u16,
    /// Init cost estimate (see [`stylus_program::ProgramInfo::init_cost`]).
    pub init_cost: u16,
    /// Cached init cost estimate.
    pub cached_cost: u16,
    /// Initial memory in pages.
    pub footprint: u16,
    /// Hours since Arbitrum began, at activation (24 bits).
    pub activated_at: u32,
    /// Native code size estimate in KiB (24 bits).
    pub asm_estimate_kb: u32,
    /// Whether the program is in the (here unused) program cache.
    pub cached: bool,
}

impl Program {
    fn encode(&self) -> U256 {
        let mut word = [0u8; 32];
        word[0..2].copy_from_slice(&self.version.to_be_bytes());
        word[2..4].copy_from_slice(&self.init_cost.to_be_bytes());
        word[4..6].copy_from_slice(&self.cached_cost.to_be_bytes());
        word[6..8].copy_from_slice(&self.footprint.to_be_bytes());
        word[8..11].copy_from_slice(&self.activated_at.to_be_bytes()[1..]);
        word[11..14].copy_from_slice(&self.asm_estimate_kb.to_be_bytes()[1..]);
        word[14] = u8::from(self.cached);
        U256::from_be_bytes(word)
    }

    fn decode(value: U256) -> Self {
        let w: [u8; 32] = value.to_be_bytes();
        let u24 = |b: &[u8]| u32::from_be_bytes([0, b[0], b[1], b[2]]);
        Self {
            version: u16::from_be_bytes([w[0], w[1]]),
            init_cost: u16::from_be_bytes([w[2], w[3]]),
            cached_cost: u16::from_be_bytes([w[4], w[5]]),
            footprint: u16::from_be_bytes([w[6], w[7]]),
            activated_at: u24(&w[8..11]),
            asm_estimate_kb: u24(&w[11..14]),
            cached: w[14] != 0,
        }
    }

    /// Seconds since activation at time `now`.
    pub fn age(&self, now: u64) -> u64 {
        params::program_age(now, self.activated_at)
    }

    /// Whether the program has expired at time `now`.
    pub fn expired(&self, now: u64) -> bool {
        self.activated_at == 0 || self.age(now) > u64::from(params::EXPIRY_DAYS) * 86_400
    }

    /// Gas to start this program (init or cached cost, without memory).
    pub fn call_gas(&self, cached: bool) -> u64 {
        params::program_call_gas(self.init_cost, self.cached_cost, cached || self.cached)
    }
}

/// Why a program cannot be used or activated; encodes to `ArbWasm`'s errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramError {
    /// The code is not a Stylus program.
    NotWasm,
    /// The program has not been activated.
    NotActivated,
    /// Activated at an older Stylus version.
    NeedsUpgrade(u16),
    /// Activation expired; the age in seconds.
    Expired(u64),
    /// Already activated at the current version.
    UpToDate,
    /// Keepalive requested too soon; the age in seconds.
    KeepaliveTooSoon(u64),
    /// Activation rejected the WASM.
    Invalid(String),
}

impl ProgramError {
    /// ABI-encoded revert data.
    pub fn abi_encode(&self) -> Bytes {
        let data = match self {
            Self::NotWasm => ProgramNotWasm {}.abi_encode(),
            Self::NotActivated => ProgramNotActivated {}.abi_encode(),
            Self::NeedsUpgrade(version) => ProgramNeedsUpgrade {
                version: *version,
                stylusVersion: STYLUS_VERSION,
            }
            .abi_encode(),
            Self::Expired(age) => ProgramExpired { ageInSeconds: *age }.abi_encode(),
            Self::UpToDate => ProgramUpToDate {}.abi_encode(),
            Self::KeepaliveTooSoon(age) => {
                ProgramKeepaliveTooSoon { ageInSeconds: *age }.abi_encode()
            }
            Self::Invalid(reason) => Error {
                message: format!("program activation failed: {reason}"),
            }
            .abi_encode(),
        };
        data.into()
    }
}

impl std::fmt::Display for ProgramError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotWasm => write!(f, "ProgramNotWasm"),
            Self::NotActivated => write!(f, "ProgramNotActivated"),
            Self::NeedsUpgrade(v) => write!(f, "ProgramNeedsUpgrade({v}, {STYLUS_VERSION})"),
            Self::Expired(age) => write!(f, "ProgramExpired({age})"),
            Self::UpToDate => write!(f, "ProgramUpToDate"),
            Self::KeepaliveTooSoon(age) => write!(f, "ProgramKeepaliveTooSoon({age})"),
            Self::Invalid(reason) => write!(f, "program activation failed: {reason}"),
        }
    }
}

fn program_slot(codehash: B256) -> U256 {
    let mut preimage = [0u8; 64];
    preimage[..32].copy_from_slice(keccak256(b"devnet.stylus.programs").as_slice());
    preimage[32..].copy_from_slice(codehash.as_slice());
    U256::from_be_bytes(keccak256(preimage).0)
}

/// Reads the record of `codehash` (all zero when never activated).
pub fn load_program(ctx: &mut Ctx, codehash: B256) -> Program {
    // The journal expects the account loaded before its storage is touched.
    let journal = ctx.journal_mut();
    let Ok(_) = journal.load_account(ARBOS_STATE_ADDRESS);
    let Ok(value) = journal.sload(ARBOS_STATE_ADDRESS, program_slot(codehash));
    Program::decode(value.data)
}

/// Writes the record of `codehash`.
pub fn store_program(ctx: &mut Ctx, codehash: B256, program: &Program) {
    let journal = ctx.journal_mut();
    let Ok(_) = journal.load_account(ARBOS_STATE_ADDRESS);
    let Ok(_) = journal.sstore(
        ARBOS_STATE_ADDRESS,
        program_slot(codehash),
        program.encode(),
    );
}

/// The program of `codehash` if it can run at time `now`.
///
/// # Errors
///
/// [`ProgramError::NotActivated`], [`ProgramError::NeedsUpgrade`] or
/// [`ProgramError::Expired`].
pub fn active_program(ctx: &mut Ctx, codehash: B256, now: u64) -> Result<Program, ProgramError> {
    let program = load_program(ctx, codehash);
    if program.version == 0 {
        return Err(ProgramError::NotActivated);
    }
    if program.version != STYLUS_VERSION {
        return Err(ProgramError::NeedsUpgrade(program.version));
    }
    if program.expired(now) {
        return Err(ProgramError::Expired(program.age(now)));
    }
    Ok(program)
}

/// Marks the program of `codehash` as cached or not (nitro's `SetProgramCached`). Returns
/// the record when the flag changed, `None` when it already had that value.
///
/// # Errors
///
/// Caching a program that is not active at the current Stylus version
/// ([`ProgramError::NeedsUpgrade`], [`ProgramError::Expired`]).
pub fn set_cached(
    ctx: &mut Ctx,
    codehash: B256,
    cache: bool,
    now: u64,
) -> Result<Option<Program>, ProgramError> {
    let mut program = load_program(ctx, codehash);
    if cache && program.version != STYLUS_VERSION {
        return Err(ProgramError::NeedsUpgrade(program.version));
    }
    let expired = program.age(now) > u64::from(params::EXPIRY_DAYS) * 86_400;
    if cache && expired {
        return Err(ProgramError::Expired(program.age(now)));
    }
    if program.cached == cache {
        return Ok(None);
    }
    program.cached = cache;
    store_program(ctx, codehash, &program);
    Ok(Some(program))
}

/// Code and code hash of `address`.
pub fn account_code(ctx: &mut Ctx, address: Address) -> (Bytes, B256) {
    let Ok(account) = ctx.journal_mut().load_account_with_code(address);
    let code = account
        .info
        .code
        .as_ref()
        .map(|c| c.original_bytes())
        .unwrap_or_default();
    (code, account.info.code_hash)
}

/// Activates the program at `address`: decompresses and validates its WASM with nitro's rules
/// and records it. Returns the record, the code hash, the WASM and nitro's estimate of its
/// native size in bytes.
///
/// # Errors
///
/// [`ProgramError::NotWasm`], [`ProgramError::UpToDate`] or [`ProgramError::Invalid`].
pub fn activate(
    ctx: &mut Ctx,
    address: Address,
    now: u64,
    page_limit: u16,
) -> Result<(Program, B256, Vec<u8>, u32), ProgramError> {
    let (code, codehash) = account_code(ctx, address);
    if !stylus_program::is_stylus_code(&code) {
        return Err(ProgramError::NotWasm);
    }
    let existing = load_program(ctx, codehash);
    if existing.version == STYLUS_VERSION && !existing.expired(now) {
        return Err(ProgramError::UpToDate);
    }
    let (wasm, info) = stylus_program::validate_code(&code, page_limit)
        .map_err(|e| ProgramError::Invalid(e.to_string()))?;
    // Nitro instruments at activation; the depth checker rejects frames over its limits.
    crate::stylus::instrument::instrument(&wasm).map_err(ProgramError::Invalid)?;
    let program = Program {
        version: STYLUS_VERSION,
        init_cost: info.init_cost,
        cached_cost: info.cached_init_cost,
        footprint: info.footprint,
        activated_at: params::hours_since_arbitrum(now),
        asm_estimate_kb: info.asm_estimate.div_ceil(1024).min(0x00FF_FFFF),
        cached: existing.cached,
    };
    store_program(ctx, codehash, &program);
    Ok((program, codehash, wasm, info.asm_estimate))
}

/// Gas nitro's compiler burns activating `wasm` (nitro `crates/prover/src/programs/mod.rs`
/// `Module::activate`): each term is microseconds converted by `us_to_gas` (`us * 2 *
/// 7_000_000 / 500_000`, i.e. 28 gas per microsecond) — WASM bytes × 31,733 / 100,000
/// (from ArbOS 32), functions × 17,263 / 100,000, data bytes × 17,376 / 100,000, element
/// bytes × 17,376 / 100,000, initial pages × 2,217 and the operators of the instrumented code
/// × 535 / 1,000.
pub fn activation_compile_gas(wasm: &[u8]) -> u64 {
    let us_to_gas = |us: u64| us.saturating_mul(2 * 7_000_000) / (1_000_000 / 2);
    let mut funcs = 0u64;
    let mut data = 0u64;
    let mut elems = 0u64;
    let mut pages = 0u64;
    for payload in wasmparser::Parser::new(0).parse_all(wasm).flatten() {
        match payload {
            wasmparser::Payload::FunctionSection(reader) => funcs = u64::from(reader.count()),
            wasmparser::Payload::DataSection(reader) => {
                for item in reader.into_iter().flatten() {
                    data += item.data.len() as u64;
                }
            }
            wasmparser::Payload::ElementSection(reader) => {
                for item in reader.into_iter().flatten() {
                    elems += item.range.len() as u64;
                }
            }
            wasmparser::Payload::MemorySection(reader) => {
                if let Some(Ok(memory)) = reader.into_iter().next() {
                    pages = memory.initial;
                }
            }
            _ => {}
        }
    }
    let ops = crate::stylus::instrument::instrument(wasm)
        .map(|code| instrumented_ops(&code))
        .unwrap_or_default();
    [
        (wasm.len() as u64).saturating_mul(31_733) / 100_000,
        funcs.saturating_mul(17_263) / 100_000,
        data.saturating_mul(17_376) / 100_000,
        elems.saturating_mul(17_376) / 100_000,
        pages.saturating_mul(2_217),
        ops.saturating_mul(535) / 1_000,
    ]
    .into_iter()
    .map(us_to_gas)
    .fold(0u64, u64::saturating_add)
}

/// Operators in the code section of `wasm` (nitro's `code.expr.len()` summed).
fn instrumented_ops(wasm: &[u8]) -> u64 {
    let mut ops = 0u64;
    for payload in wasmparser::Parser::new(0).parse_all(wasm).flatten() {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload {
            if let Ok(mut reader) = body.get_operators_reader() {
                while !reader.eof() {
                    if reader.read().is_err() {
                        break;
                    }
                    ops += 1;
                }
            }
        }
    }
    ops
}

fn pricer_slot(name: &[u8]) -> U256 {
    U256::from_be_bytes(keccak256([b"devnet.stylus.dataPricer.".as_slice(), name].concat()).0)
}

/// Nitro's data pricer constants (`arbos/programs/data_pricer.go`).
mod pricer {
    /// `InitialHourlyBytes / (60 * 60)` with `InitialHourlyBytes = 1 * (1 << 40) / (365 * 24)`.
    pub const BYTES_PER_SECOND: u32 = 34_865;
    /// `initialLastUpdateTime`: "the day it all began".
    pub const INITIAL_LAST_UPDATE: u64 = 1_421_388_000;
    /// `initialMinPrice`: "5Mb = $1".
    pub const MIN_PRICE: u64 = 82_928_201;
    /// `initialInertia`: "expensive at 1Tb".
    pub const INERTIA: u64 = 21_360_419;
}

/// Nitro's `ApproxExpBasisPoints(value, degree)` for a non-negative `value` in basis points
/// (`util/arbmath/math.go`): a Maclaurin series of `degree` terms.
pub fn approx_exp_bips(value: u64, degree: u64) -> u64 {
    let bips = 10_000u64;
    let mut res = bips + value / degree;
    for i in 1..degree {
        res = bips + res.saturating_mul(value) / ((degree - i) * bips);
    }
    res
}

/// Charges the data pricer for `asm_bytes` at time `now` and returns the data fee in wei
/// (nitro `arbos/programs/data_pricer.go` `UpdateModel`: demand decays at
/// `bytesPerSecond`, grows by the program's size; the price per byte is `minPrice ×
/// e^(demand / inertia) / 10,000`). The state lives in the ArbOS account's storage.
pub fn update_data_pricer(ctx: &mut Ctx, asm_bytes: u32, now: u64) -> U256 {
    let journal = ctx.journal_mut();
    let Ok(_) = journal.load_account(ARBOS_STATE_ADDRESS);
    let Ok(demand) = journal.sload(ARBOS_STATE_ADDRESS, pricer_slot(b"demand"));
    let Ok(last) = journal.sload(ARBOS_STATE_ADDRESS, pricer_slot(b"lastUpdateTime"));
    let demand: u32 = demand.data.saturating_to();
    let last: u64 = match last.data.saturating_to::<u64>() {
        0 => pricer::INITIAL_LAST_UPDATE,
        last => last,
    };
    let delta = u32::try_from(now.saturating_sub(last)).unwrap_or(u32::MAX);
    let credit = pricer::BYTES_PER_SECOND.saturating_mul(delta);
    let demand = demand.saturating_sub(credit).saturating_add(asm_bytes);
    let Ok(_) = journal.sstore(
        ARBOS_STATE_ADDRESS,
        pricer_slot(b"demand"),
        U256::from(demand),
    );
    let Ok(_) = journal.sstore(
        ARBOS_STATE_ADDRESS,
        pricer_slot(b"lastUpdateTime"),
        U256::from(now),
    );
    let exponent = 10_000 * u64::from(demand) / pricer::INERTIA;
    let multiplier = approx_exp_bips(exponent, 12);
    let cost_per_byte = pricer::MIN_PRICE.saturating_mul(multiplier) / 10_000;
    U256::from(cost_per_byte.saturating_mul(u64::from(asm_bytes)))
}

/// Renews the activation of `codehash` (`ArbWasm.codehashKeepalive`).
///
/// # Errors
///
/// As [`active_program`], or [`ProgramError::KeepaliveTooSoon`].
pub fn keepalive(ctx: &mut Ctx, codehash: B256, now: u64) -> Result<(), ProgramError> {
    let mut program = active_program(ctx, codehash, now)?;
    let age = program.age(now);
    if age < u64::from(params::KEEPALIVE_DAYS) * 86_400 {
        return Err(ProgramError::KeepaliveTooSoon(age));
    }
    program.activated_at = params::hours_since_arbitrum(now);
    store_program(ctx, codehash, &program);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_roundtrip() {
        let program = Program {
            version: 2,
            init_cost: 0x1234,
            cached_cost: 0x0567,
            footprint: 3,
            activated_at: 0x00AB_CDEF,
            asm_estimate_kb: 0x0001_0203,
            cached: true,
        };
        assert_eq!(Program::decode(program.encode()), program);
        assert_eq!(Program::decode(U256::ZERO), Program::default());
    }

    #[test]
    fn errors_encode_selectors() {
        let data = ProgramError::NotActivated.abi_encode();
        assert_eq!(&data[..], &ProgramNotActivated::SELECTOR[..]);
        let data = ProgramError::Invalid("x".into()).abi_encode();
        assert_eq!(&data[..4], &Error::SELECTOR[..]);
    }
}
