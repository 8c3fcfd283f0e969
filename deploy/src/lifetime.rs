//! Program lifetime: a Stylus program that is not kept alive expires
//! `ArbWasm.expiryDays()` (365 on Arbitrum) after its activation or last
//! keepalive and then stops executing, exits included.
//!
//! * [`status`] reads, for every address of a manifest, the activation
//!   version, the time left and whether the program is in the ArbOS cache
//!   (`deploy status`);
//! * [`keepalive`] calls `ArbWasm.codehashKeepalive(codehash)` for the
//!   programs whose time left is at most a threshold and that may be kept
//!   alive (activated or kept alive at least `keepaliveDays()` ago)
//!   (`deploy keepalive`). Each program is one transaction; a run that
//!   stops half way is resumed by running it again: programs already
//!   refreshed have their full lifetime back and are skipped, so the
//!   command is idempotent.

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::SolCall;
use alloy_sol_types::SolError;
use anyhow::{Context, Result};
use devnet::{
    ArbWasm, ArbWasmCache, ProgramExpired, ProgramNeedsUpgrade, ProgramNotActivated,
    ARB_WASM_ADDRESS, ARB_WASM_CACHE_ADDRESS,
};

use crate::{Backend, BackendExt, CallError, Manifest};

/// Default threshold of [`keepalive`] `[seconds]`: programs with at most
/// 180 days left are kept alive.
pub const DEFAULT_THRESHOLD_SECONDS: u64 = 180 * 86_400;

/// The lifetime of one contract of a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramStatus {
    /// Manifest key (`vault`, `psm`, ...).
    pub key: String,
    /// Address.
    pub address: Address,
    /// `keccak256` of the account's code (what ArbWasm keys programs by).
    pub codehash: B256,
    /// What the chain says about it.
    pub state: ProgramState,
}

/// A program's lifetime state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramState {
    /// An active Stylus program.
    Active {
        /// Stylus version it was activated under (`programVersion`).
        version: u16,
        /// Seconds until it expires (`programTimeLeft`).
        time_left: u64,
        /// Whether it is in the ArbOS program cache (`codehashIsCached`).
        cached: bool,
        /// Seconds since its activation or last keepalive.
        age: u64,
    },
    /// Not an active program: no code, an EVM contract, never activated,
    /// expired or activated under an older Stylus version; the revert
    /// reason says which.
    Inactive(String),
}

impl ProgramStatus {
    /// Whether [`keepalive`] refreshes it with `threshold` seconds: active,
    /// at most `threshold` left, and old enough (`keepalive_days`) for ArbWasm
    /// to accept a keepalive.
    pub fn needs_keepalive(&self, threshold: u64, keepalive_days: u16) -> bool {
        match self.state {
            ProgramState::Active { time_left, age, .. } => {
                time_left <= threshold && age >= u64::from(keepalive_days) * 86_400
            }
            ProgramState::Inactive(_) => false,
        }
    }
}

/// `(expiryDays, keepaliveDays)` of the chain.
///
/// # Errors
/// A failing precompile call.
pub fn chain_days<B: Backend>(backend: &mut B) -> Result<(u16, u16), CallError> {
    let expiry = backend.view(ARB_WASM_ADDRESS, &ArbWasm::expiryDaysCall {})?;
    let keepalive = backend.view(ARB_WASM_ADDRESS, &ArbWasm::keepaliveDaysCall {})?;
    Ok((expiry, keepalive))
}

/// The lifetime of every contract in `manifest` (in the manifest's key order).
///
/// # Errors
/// Transport failures (a program's own revert is reported in its state).
pub fn status<B: Backend>(backend: &mut B, manifest: &Manifest) -> Result<Vec<ProgramStatus>> {
    let (expiry_days, _) = chain_days(backend).context("ArbWasm.expiryDays")?;
    let expiry = u64::from(expiry_days) * 86_400;
    let mut out = Vec::new();
    for (key, &address) in &manifest.addresses {
        let code = backend
            .code(address)
            .with_context(|| format!("eth_getCode {key}"))?;
        let codehash = keccak256(&code);
        let state = if code.is_empty() {
            ProgramState::Inactive("no code".into())
        } else {
            match program_state(backend, address, codehash, expiry) {
                Ok(state) => state,
                Err(CallError::Reverted { data, reason }) => {
                    ProgramState::Inactive(describe(&data).unwrap_or(reason))
                }
                Err(e) => return Err(e).with_context(|| format!("ArbWasm views of {key}")),
            }
        };
        out.push(ProgramStatus {
            key: key.clone(),
            address,
            codehash,
            state,
        });
    }
    Ok(out)
}

/// ArbWasm's program errors by name.
fn describe(data: &[u8]) -> Option<String> {
    if let Ok(e) = ProgramExpired::abi_decode(data) {
        return Some(format!(
            "ProgramExpired (activated {} days ago): reactivate it",
            e.ageInSeconds / 86_400
        ));
    }
    if let Ok(e) = ProgramNeedsUpgrade::abi_decode(data) {
        return Some(format!(
            "ProgramNeedsUpgrade(version {}, chain {}): reactivate it",
            e.version, e.stylusVersion
        ));
    }
    ProgramNotActivated::abi_decode(data)
        .ok()
        .map(|_| "ProgramNotActivated (not a Stylus program, or never activated)".into())
}

fn program_state<B: Backend>(
    backend: &mut B,
    program: Address,
    codehash: B256,
    expiry: u64,
) -> Result<ProgramState, CallError> {
    let version = backend.view(ARB_WASM_ADDRESS, &ArbWasm::programVersionCall { program })?;
    let time_left = backend.view(ARB_WASM_ADDRESS, &ArbWasm::programTimeLeftCall { program })?;
    let cached = backend.view(
        ARB_WASM_CACHE_ADDRESS,
        &ArbWasmCache::codehashIsCachedCall { codehash },
    )?;
    Ok(ProgramState::Active {
        version,
        time_left,
        cached,
        age: expiry.saturating_sub(time_left),
    })
}

/// What [`keepalive`] did for one contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeepaliveOutcome {
    /// Kept alive in the transaction of this block.
    Refreshed {
        /// Block of the transaction.
        block: u64,
    },
    /// Nothing to do: enough time left, too recent for ArbWasm, or not an
    /// active program.
    Skipped(String),
}

/// Calls `ArbWasm.codehashKeepalive` for every program of `manifest` with
/// at most `threshold` seconds left that ArbWasm accepts (see
/// [`ProgramStatus::needs_keepalive`]), sending `value` wei with each call
/// for the data fee (ArbWasm refunds the excess; 0 on the devnet). Several
/// contracts sharing one codehash are refreshed once. Prints one line per
/// contract when `progress`.
///
/// # Errors
/// A failing keepalive transaction (the programs before it are done: run
/// again to resume), transport failures.
pub fn keepalive<B: Backend>(
    backend: &mut B,
    manifest: &Manifest,
    threshold: u64,
    value: U256,
    progress: bool,
) -> Result<Vec<(String, KeepaliveOutcome)>> {
    let (_, keepalive_days) = chain_days(backend).context("ArbWasm.keepaliveDays")?;
    let mut done: Vec<B256> = Vec::new();
    let mut out = Vec::new();
    for program in status(backend, manifest)? {
        let outcome = if done.contains(&program.codehash) {
            KeepaliveOutcome::Skipped("same code as a program refreshed above".into())
        } else if program.needs_keepalive(threshold, keepalive_days) {
            let data = ArbWasm::codehashKeepaliveCall {
                codehash: program.codehash,
            }
            .abi_encode();
            let sender = backend.sender();
            let sent = backend
                .send_as(sender, ARB_WASM_ADDRESS, data, value)
                .with_context(|| format!("keepalive of {} ({})", program.key, program.address))?;
            done.push(program.codehash);
            KeepaliveOutcome::Refreshed { block: sent.block }
        } else {
            KeepaliveOutcome::Skipped(match &program.state {
                ProgramState::Active { time_left, .. } if *time_left > threshold => {
                    format!("{} days left", time_left / 86_400)
                }
                ProgramState::Active { .. } => {
                    format!("kept alive less than {keepalive_days} days ago")
                }
                ProgramState::Inactive(reason) => format!("not active: {reason}"),
            })
        };
        if progress {
            match &outcome {
                KeepaliveOutcome::Refreshed { block } => {
                    eprintln!("  {:<16} kept alive (block {block})", program.key);
                }
                KeepaliveOutcome::Skipped(why) => {
                    eprintln!("  {:<16} skipped: {why}", program.key);
                }
            }
        }
        out.push((program.key, outcome));
    }
    Ok(out)
}

/// The `deploy status` table: one line per contract.
pub fn render_status(statuses: &[ProgramStatus], threshold: u64, keepalive_days: u16) -> String {
    let mut text = format!(
        "{:<16} {:<42} {:>7} {:>14} {:>6}  {}\n",
        "contract", "address", "version", "days left", "cached", "keepalive"
    );
    for s in statuses {
        let line = match &s.state {
            ProgramState::Active {
                version,
                time_left,
                cached,
                ..
            } => format!(
                "{:<16} {:<42} {:>7} {:>14} {:>6}  {}\n",
                s.key,
                s.address.to_string(),
                version,
                format!("{:.1}", *time_left as f64 / 86_400.0),
                if *cached { "yes" } else { "no" },
                if s.needs_keepalive(threshold, keepalive_days) {
                    "needed"
                } else {
                    "-"
                }
            ),
            ProgramState::Inactive(reason) => format!(
                "{:<16} {:<42} not an active program: {reason}\n",
                s.key,
                s.address.to_string()
            ),
        };
        text.push_str(&line);
    }
    text
}
