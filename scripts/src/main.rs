//! `suite`: the project's build tool.
//!
//! ```text
//! cargo run -p scripts -- build [CRATE ...]   # build contracts, write target/stylus/, print sizes
//! ```
//!
//! Every Stylus contract of the registry (`deploy/src/registry.rs`, included
//! here with `#[path]`; a test checks it against `cargo metadata`) is compiled on its own (`-p NAME`, so Cargo's feature
//! unification cannot strip an entrypoint) for `wasm32-unknown-unknown` with:
//!
//! * the size-tuned `release` profile of the workspace;
//! * `-Zbuild-std=std,panic_abort` and `-Cpanic=immediate-abort` (through
//!   `RUSTC_BOOTSTRAP=1` on the pinned stable toolchain; needs `rust-src`),
//!   which removes the standard library's panic and formatting machinery;
//! * `-Ctarget-cpu=mvp`, so no reference-types / multivalue / bulk-memory
//!   encodings that nitro rejects are emitted anywhere, std included.
//!
//! The result is stripped of custom sections, checked with nitro's activation
//! rules (`stylus-program`), and written to `target/stylus/`:
//! `NAME.wasm` (what the devnet and the deploy tool load) and `NAME.code`
//! (the deployable bytes: `0xEFF00000 || brotli(wasm)`, quality 11).
//! The table gives raw and compressed sizes against the 24,576-byte limit;
//! the command fails if any contract is invalid or over the limit.

use std::{
    env, fs,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{bail, Context, Result};

#[allow(dead_code)] // the build tool reads the list only
#[path = "../../deploy/src/registry.rs"]
mod registry;

/// Stylus' limit on deployed code, in bytes.
const LIMIT: usize = stylus_program::MAX_CODE_SIZE;
/// The size every contract of the suite aims to stay under, in bytes.
const TARGET: usize = 16 * 1024;

/// Flags for the contract builds (target only: `--target` keeps them off
/// build scripts and proc-macros).
const RUSTFLAGS: &str = "-C link-arg=-zstack-size=32768 -C target-cpu=mvp \
                         -Zunstable-options -Cpanic=immediate-abort";

struct Built {
    package: String,
    raw: usize,
    compressed: usize,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("build") => build(&args[1..]),
        _ => {
            eprintln!("usage: suite build [CRATE ...]");
            Ok(ExitCode::from(2))
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("scripts/ lives in the workspace root")
        .to_path_buf()
}

fn build(only: &[String]) -> Result<ExitCode> {
    let root = workspace_root();
    let build_dir = root.join("target/stylus-build");
    let out_dir = root.join("target/stylus");
    fs::create_dir_all(&out_dir)?;
    let mut selected: Vec<&registry::Contract> = registry::CONTRACTS.iter().collect();
    if !only.is_empty() {
        selected.retain(|c| only.iter().any(|p| p == c.package));
        if selected.len() != only.len() {
            bail!("unknown contract crate in {only:?}");
        }
    }
    if !build_dir.join("wasm32-unknown-unknown/release").exists() {
        eprintln!(
            "first contract build: compiling the standard library, the Stylus SDK and {} \
             contract(s) for wasm32 (once; a few minutes on 2 cores, later builds only \
             recompile what changed)",
            selected.len()
        );
    }
    let mut built = Vec::new();
    let mut failed = false;
    for (i, contract) in selected.iter().enumerate() {
        eprintln!(
            "[{}/{}] building {} (wasm32, size profile)",
            i + 1,
            selected.len(),
            contract.package
        );
        let status = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "rustc",
                "--release",
                "--target",
                "wasm32-unknown-unknown",
                "--lib",
                "-Zbuild-std=std,panic_abort",
                "-p",
                contract.package,
                // The SDK's `#[entrypoint]` expands, on wasm32 only, to an
                // undocumented `user_entrypoint`: allow `missing_docs` for the
                // contract crate alone (docs are checked by the host clippy
                // build; the flag does not reach std or the dependencies, so
                // nothing else is rebuilt).
                "--",
                "-Amissing_docs",
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", RUSTFLAGS)
            .env("CARGO_TARGET_DIR", &build_dir)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .current_dir(&root)
            .status()
            .context("running cargo rustc")?;
        if !status.success() {
            bail!("building {} failed", contract.package);
        }
        let compiled = build_dir
            .join("wasm32-unknown-unknown/release")
            .join(format!("{}.wasm", contract.lib));
        let wasm = stylus_program::strip(
            &fs::read(&compiled).with_context(|| format!("reading {}", compiled.display()))?,
        );
        if let Err(err) = stylus_program::validate(&wasm) {
            eprintln!(
                "{}: rejected by nitro's activation rules: {err}",
                contract.package
            );
            failed = true;
        }
        let code = stylus_program::compress(&wasm);
        fs::write(out_dir.join(format!("{}.wasm", contract.lib)), &wasm)?;
        fs::write(out_dir.join(format!("{}.code", contract.lib)), &code)?;
        built.push(Built {
            package: contract.package.to_owned(),
            raw: wasm.len(),
            compressed: code.len(),
        });
    }
    print_table(&built);
    let over: Vec<_> = built.iter().filter(|b| b.compressed > LIMIT).collect();
    for b in &over {
        eprintln!(
            "{} is {} bytes compressed, over the {LIMIT}-byte Stylus limit",
            b.package, b.compressed
        );
    }
    eprintln!("wasm written to {}", out_dir.display());
    Ok(if failed || !over.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_table(built: &[Built]) {
    println!("| contract | raw wasm (bytes) | deployed, compressed (bytes) | % of 24,576 limit | under 16 KiB |");
    println!("|---|---:|---:|---:|:---:|");
    for b in built {
        println!(
            "| {} | {} | {} | {:.1}% | {} |",
            b.package,
            b.raw,
            b.compressed,
            b.compressed as f64 * 100.0 / LIMIT as f64,
            if b.compressed <= TARGET { "yes" } else { "no" }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The workspace's Stylus contracts (a `cdylib` depending on `stylus-sdk`)
    /// as `(package, lib)`, from `cargo metadata`.
    fn from_metadata(root: &Path) -> Vec<(String, String)> {
        let output = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .current_dir(root)
            .output()
            .expect("running cargo metadata");
        assert!(output.status.success(), "cargo metadata failed");
        let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata JSON");
        let mut found = Vec::new();
        for package in metadata["packages"].as_array().into_iter().flatten() {
            let is_stylus = package["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|dep| dep["name"] == "stylus-sdk" && dep["kind"].is_null());
            let cdylib = package["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| {
                    t["crate_types"]
                        .as_array()
                        .is_some_and(|types| types.iter().any(|ty| ty == "cdylib"))
                });
            if let (true, Some(lib)) = (is_stylus, cdylib) {
                found.push((
                    package["name"].as_str().unwrap_or_default().to_owned(),
                    lib["name"].as_str().unwrap_or_default().replace('-', "_"),
                ));
            }
        }
        found.sort();
        found
    }

    #[test]
    fn the_registry_lists_every_stylus_contract_of_the_workspace() {
        let root = workspace_root();
        let registered: Vec<(String, String)> = registry::CONTRACTS
            .iter()
            .map(|c| (c.package.to_owned(), c.lib.to_owned()))
            .collect();
        assert_eq!(registered, from_metadata(&root));
        for contract in registry::CONTRACTS {
            for source in contract.sources {
                assert!(
                    root.join(source).is_dir(),
                    "{}: no {source}",
                    contract.package
                );
            }
        }
    }
}
