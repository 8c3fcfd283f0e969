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
/// and records it. Returns the record, the code hash and the WASM size.
///
/// # Errors
///
/// [`ProgramError::NotWasm`], [`ProgramError::UpToDate`] or [`ProgramError::Invalid`].
pub fn activate(
    ctx: &mut Ctx,
    address: Address,
    now: u64,
    page_limit: u16,
) -> Result<(Program, B256, usize), ProgramError> {
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
    Ok((program, codehash, wasm.len()))
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
