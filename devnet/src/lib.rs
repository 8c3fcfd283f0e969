//! An in-process Arbitrum Stylus chain for tests.
//!
//! The devnet executes the real compiled WASM of Stylus contracts with nitro's semantics,
//! on top of [revm] for accounts, the journal, precompiles and EVM bytecode:
//!
//! - Stylus programs are deployed as `0xEFF00000 || brotli(wasm)` by ordinary init code and
//!   activated through the `ArbWasm` precompile at `0x71`, which validates them with nitro's
//!   rules ([`stylus_program`]); calling a program before activation reverts with
//!   `ProgramNotActivated()`.
//! - Programs run in [wasmi]; every `vm_hooks` host function is implemented against the revm
//!   journal, and calls cross freely between Stylus and EVM contracts.
//! - Gas is metered in ink exactly as nitro meters it, for the ArbOS version the chain runs
//!   ([`DevnetConfig::arbos_version`]): the program is instrumented as nitro instruments it
//!   (per-basic-block `pricing_v1` ink, dynamic `memory.fill`/`copy` ink, the depth checker,
//!   the heap bound), hostios charge nitro's ink and gas, entry pays nitro's memory model and
//!   init costs (with the recent-programs cache from ArbOS 60). The conformance suite
//!   (`tests/conformance.rs`) checks this against nitro's own test figures and formulas. Not
//!   exact: the gas of the `ArbWasm`/`ArbWasmCache` precompiles' own ArbOS storage traffic
//!   (estimated from nitro's code) and the L1 data fee (absent); see the README's
//!   "Fidelity" section.
//!
//! Start with [`Devnet::new`], fund accounts with [`Devnet::fund`], deploy with
//! [`Devnet::deploy_wasm`] / [`Devnet::deploy_evm`], and call with [`Devnet::send_call`] /
//! [`Devnet::view`] using `sol!` call types.

pub mod artifacts;
mod chain;
mod evm;
pub mod node;
pub mod params;
mod precompiles;
mod programs;
mod receipt;
pub mod stylus;

pub use chain::{
    constructor_calldata, deploy_init_code, AccountState, BlockInfo, Clock, Deployment, Devnet,
    DevnetConfig, SnapshotId, DEFAULT_CHAIN_ID, DEV_ACCOUNT, DEV_PRIVATE_KEY,
};
pub use precompiles::{
    ArbSys, ArbWasm, ArbWasmCache, ACTIVATION_FIXED_GAS, ACTIVATION_STORAGE_GAS, ARBOS_VERSION,
    ARB_SYS_ADDRESS, ARB_WASM_ADDRESS, ARB_WASM_CACHE_ADDRESS,
};
pub use programs::{
    Error as SolidityError, Program, ProgramExpired, ProgramInsufficientValue,
    ProgramKeepaliveTooSoon, ProgramNeedsUpgrade, ProgramNotActivated, ProgramNotWasm,
    ProgramUpToDate, ARBOS_STATE_ADDRESS,
};
pub use receipt::{DevnetError, FrameGas, GasStats, Receipt, Revert, TxRequest};

#[cfg(test)]
mod tests {
    #[test]
    fn devnet_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Devnet>();
    }
}
