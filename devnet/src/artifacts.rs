//! Finding the contracts' built WASM for tests, and rebuilding it when it is stale.
//!
//! The build tool (`cargo run -p scripts -- build <crates>`) writes
//! `target/stylus/<lib>.wasm`. [`Artifacts`] reads from there (or from `$STYLUS_WASM_DIR`) and,
//! the first time WASM is requested, runs the build tool once for every registered contract
//! whose WASM is missing or older than its sources. Keep one `Artifacts` per test binary
//! (e.g. in a `static OnceLock`), so the build runs at most once per binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

use crate::DevnetError;

/// Environment variable naming a directory of prebuilt WASM; when set, nothing is built.
pub const WASM_DIR_ENV: &str = "STYLUS_WASM_DIR";

#[derive(Clone, Debug)]
struct Contract {
    lib: String,
    package: String,
    sources: Vec<PathBuf>,
}

/// Built contract WASM of a workspace. See the module documentation.
#[derive(Debug)]
pub struct Artifacts {
    root: PathBuf,
    dir: PathBuf,
    prebuilt: bool,
    contracts: Vec<Contract>,
    built: OnceLock<Result<(), String>>,
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

impl Artifacts {
    /// Artifacts of the workspace at `root`, read from `$STYLUS_WASM_DIR` if set, else from
    /// `<root>/target/stylus`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let (dir, prebuilt) = match std::env::var_os(WASM_DIR_ENV) {
            Some(dir) => (PathBuf::from(dir), true),
            None => (root.join("target/stylus"), false),
        };
        Self {
            root,
            dir,
            prebuilt,
            contracts: Vec::new(),
            built: OnceLock::new(),
        }
    }

    /// Registers contract library `lib` (the WASM file stem, e.g. `al_asset`) of workspace
    /// package `package`, rebuilt when a file under `sources` (relative to the root) is newer.
    pub fn contract(mut self, lib: &str, package: &str, sources: &[&str]) -> Self {
        self.contracts.push(Contract {
            lib: lib.to_owned(),
            package: package.to_owned(),
            sources: sources.iter().map(|s| self.root.join(s)).collect(),
        });
        self
    }

    /// Directory the WASM is read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of the WASM of `lib`.
    pub fn path(&self, lib: &str) -> PathBuf {
        self.dir.join(format!("{lib}.wasm"))
    }

    fn is_stale(&self, contract: &Contract) -> bool {
        let Some(built_at) = newest_mtime(&self.path(&contract.lib)) else {
            return true;
        };
        contract
            .sources
            .iter()
            .filter_map(|dir| newest_mtime(dir))
            .any(|changed| changed > built_at)
    }

    fn build_stale(&self) -> Result<(), String> {
        if self.prebuilt {
            return Ok(());
        }
        let stale: Vec<&str> = self
            .contracts
            .iter()
            .filter(|c| c.sources.iter().all(|s| s.exists()) && self.is_stale(c))
            .map(|c| c.package.as_str())
            .collect();
        if stale.is_empty() {
            return Ok(());
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["run", "-q", "-p", "scripts", "--", "build"])
            .args(&stale)
            .current_dir(&self.root)
            .status()
            .map_err(|e| format!("running the build tool: {e}"))?;
        if !status.success() {
            return Err(format!(
                "`cargo run -p scripts -- build {}` failed",
                stale.join(" ")
            ));
        }
        Ok(())
    }

    /// The WASM of `lib`, building stale registered contracts first (once).
    ///
    /// # Errors
    ///
    /// [`DevnetError::Io`] if the build fails or the file cannot be read.
    pub fn wasm(&self, lib: &str) -> Result<Vec<u8>, DevnetError> {
        self.built
            .get_or_init(|| self.build_stale())
            .clone()
            .map_err(DevnetError::Io)?;
        let path = self.path(lib);
        std::fs::read(&path).map_err(|e| DevnetError::Io(format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_prebuilt_and_reports_missing() {
        let dir = std::env::temp_dir().join(format!("devnet-artifacts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("thing.wasm"), b"\0asm").expect("write");
        let mut artifacts = Artifacts::new(&dir);
        // Pretend the directory is prebuilt (as with $STYLUS_WASM_DIR): never build.
        artifacts.dir = dir.clone();
        artifacts.prebuilt = true;
        assert_eq!(artifacts.wasm("thing").expect("reads"), b"\0asm");
        assert!(matches!(artifacts.wasm("missing"), Err(DevnetError::Io(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn staleness_follows_mtimes() {
        let root = std::env::temp_dir().join(format!("devnet-stale-{}", std::process::id()));
        let src = root.join("src");
        std::fs::create_dir_all(&src).expect("temp dir");
        std::fs::create_dir_all(root.join("target/stylus")).expect("out dir");
        std::fs::write(src.join("lib.rs"), b"// old").expect("write");
        let mut artifacts = Artifacts::new(&root).contract("c", "c", &["src"]);
        artifacts.dir = root.join("target/stylus");
        let contract = artifacts.contracts[0].clone();
        assert!(artifacts.is_stale(&contract), "missing WASM is stale");
        std::fs::write(artifacts.path("c"), b"\0asm").expect("write");
        assert!(!artifacts.is_stale(&contract), "fresh WASM");
        let _ = std::fs::remove_dir_all(&root);
    }
}
