//! Shared helpers of the devnet integration tests: finding the contracts' built WASM (and
//! building it, once per test binary, when it is missing or stale), funded accounts, and a
//! tiny EVM assembler.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

use alloy_primitives::{Address, U256};
use devnet::Devnet;

/// Contracts the helper knows how to build: `(library name, package, source directories)`.
const CONTRACTS: &[(&str, &str, &[&str])] = &[
    (
        "devnet_test_caller",
        "devnet-test-caller",
        &["devnet/tests/contracts/caller"],
    ),
    (
        "devnet_test_callee",
        "devnet-test-callee",
        &["devnet/tests/contracts/callee"],
    ),
    (
        "al_asset",
        "al-asset",
        &["contracts/al-asset", "contracts/common"],
    ),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("devnet/ is inside the workspace")
        .to_path_buf()
}

/// Where built WASM is read from: `$STYLUS_WASM_DIR`, else `<workspace>/target/stylus`.
pub fn wasm_dir() -> PathBuf {
    match std::env::var_os("STYLUS_WASM_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("target/stylus"),
    }
}

fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest_mtime(&entry.path()))
        .max()
}

fn is_stale(lib: &str, sources: &[&str]) -> bool {
    let built = wasm_dir().join(format!("{lib}.wasm"));
    let Some(built_at) = newest_mtime(&built) else {
        return true;
    };
    let root = workspace_root();
    sources
        .iter()
        .filter_map(|dir| newest_mtime(&root.join(dir)))
        .any(|changed| changed > built_at)
}

/// Runs the build tool for every known contract whose WASM is missing or stale. Skipped when
/// `STYLUS_WASM_DIR` is set (the caller vouches for that directory).
fn build_stale() -> Result<(), String> {
    if std::env::var_os("STYLUS_WASM_DIR").is_some() {
        return Ok(());
    }
    let root = workspace_root();
    let stale: Vec<&str> = CONTRACTS
        .iter()
        .filter(|(lib, _, sources)| {
            sources.iter().all(|dir| root.join(dir).exists()) && is_stale(lib, sources)
        })
        .map(|(_, package, _)| *package)
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["run", "-p", "scripts", "--release", "--", "build"])
        .args(&stale)
        .current_dir(&root)
        .status()
        .map_err(|e| format!("running the build tool: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo run -p scripts --release -- build {}` failed",
            stale.join(" ")
        ));
    }
    Ok(())
}

/// The built WASM of contract library `lib` (e.g. `devnet_test_caller`).
///
/// # Panics
///
/// If the build fails or the file is missing.
pub fn wasm(lib: &str) -> Vec<u8> {
    static BUILT: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = BUILT.get_or_init(build_stale) {
        panic!("building the test contracts: {e}");
    }
    let path = wasm_dir().join(format!("{lib}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Whether the WASM of `lib` is available (or buildable).
pub fn has_wasm(lib: &str) -> bool {
    let root = workspace_root();
    let buildable = CONTRACTS
        .iter()
        .any(|(name, _, sources)| *name == lib && sources.iter().all(|d| root.join(d).exists()));
    buildable || wasm_dir().join(format!("{lib}.wasm")).exists()
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

/// 32-byte big-endian word of `value`.
pub fn word(value: U256) -> [u8; 32] {
    value.to_be_bytes()
}
