//! Shared helpers of the devnet integration tests: the contracts' built WASM (built, once per
//! test binary, when missing or stale) and funded accounts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use alloy_primitives::{Address, U256};
use devnet::{artifacts::Artifacts, Devnet};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("devnet/ is inside the workspace")
        .to_path_buf()
}

/// The contracts these tests use; stale or missing WASM is rebuilt once per test binary.
fn artifacts() -> &'static Artifacts {
    static ARTIFACTS: OnceLock<Artifacts> = OnceLock::new();
    ARTIFACTS.get_or_init(|| {
        Artifacts::new(workspace_root())
            .contract(
                "devnet_test_caller",
                "devnet-test-caller",
                &["devnet/tests/contracts/caller"],
            )
            .contract(
                "devnet_test_callee",
                "devnet-test-callee",
                &["devnet/tests/contracts/callee"],
            )
            .contract(
                "al_asset",
                "al-asset",
                &["contracts/al-asset", "contracts/common"],
            )
    })
}

/// Where built WASM is read from: `$STYLUS_WASM_DIR`, else `<workspace>/target/stylus`.
pub fn wasm_dir() -> PathBuf {
    artifacts().dir().to_path_buf()
}

/// The built WASM of contract library `lib` (e.g. `devnet_test_caller`).
///
/// # Panics
///
/// If the build fails or the file is missing.
pub fn wasm(lib: &str) -> Vec<u8> {
    artifacts().wasm(lib).unwrap_or_else(|e| panic!("{e}"))
}

/// One ether in wei.
pub fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
}

/// A fresh devnet and a funded account derived from `seed`.
pub fn devnet_with_account(seed: u8) -> (Devnet, Address) {
    let mut chain = Devnet::new();
    let account = Address::repeat_byte(seed);
    chain.fund(account, ether(1_000));
    (chain, account)
}
