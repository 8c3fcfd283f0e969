//! The deployment manifest: what dApps load (chain id, block, addresses,
//! each contract's JSON ABI and Solidity interface) and what the tool
//! resumes from (the status of every step).

use std::{collections::BTreeMap, path::Path};

use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, B256};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::config::{Config, Profile};

/// Format version of the manifest.
pub const MANIFEST_VERSION: u32 = 1;

/// One completed step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRecord {
    /// Stable step name (e.g. `deploy:vault`, `wire:vault.transmuter`).
    pub name: String,
    /// `done` (executed by the tool) or `already` (found done on-chain).
    pub status: String,
    /// Block of the step's transaction (or of the check).
    pub block: u64,
    /// Transaction hash, when one was sent and the backend has hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tx: Option<B256>,
}

/// A deployed contract as a dApp needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContractEntry {
    /// Address.
    pub address: Address,
    /// Solidity interface name (`IVault`).
    pub interface: String,
    /// JSON ABI.
    pub abi: JsonAbi,
    /// The same as a Solidity interface.
    pub solidity: String,
}

/// The deployment manifest (JSON, camelCase keys).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub version: u32,
    /// Profile of the configuration.
    pub profile: Profile,
    /// Chain id.
    pub chain_id: u64,
    /// Account that deployed and wired everything.
    pub deployer: Address,
    /// Block of the last completed step.
    pub block: u64,
    /// Whether every step is done.
    pub complete: bool,
    /// Addresses by key: `alAsset`, `vault`, `rateController`, `psm`,
    /// `transmuter`, `twapOracle`, `asset`, `collateral`, `psmVault`, `pool`.
    pub addresses: BTreeMap<String, Address>,
    /// Contracts with their ABIs (filled when the deployment completes).
    pub contracts: BTreeMap<String, ContractEntry>,
    /// Completed steps, in order.
    pub steps: Vec<StepRecord>,
    /// The configuration deployed (a resume must use the same).
    pub config: Config,
}

/// The suite's addresses, typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suite {
    /// The alAsset.
    pub al_asset: Address,
    /// The Vault.
    pub vault: Address,
    /// The RateController.
    pub rate_controller: Address,
    /// The PSM.
    pub psm: Address,
    /// The Transmuter.
    pub transmuter: Address,
    /// The TwapOracle.
    pub twap_oracle: Address,
    /// The reference asset (PSM asset, collateral's underlying).
    pub asset: Address,
    /// The Vault's ERC-4626 collateral.
    pub collateral: Address,
    /// The PSM's ERC-4626 vault, if any.
    pub psm_vault: Option<Address>,
    /// The V2 pool the oracle reads.
    pub pool: Address,
}

impl Manifest {
    /// An empty manifest for `config` on `chain_id`, deployed by `deployer`.
    pub fn new(config: &Config, chain_id: u64, deployer: Address) -> Self {
        Self {
            version: MANIFEST_VERSION,
            profile: config.profile,
            chain_id,
            deployer,
            block: 0,
            complete: false,
            addresses: BTreeMap::new(),
            contracts: BTreeMap::new(),
            steps: Vec::new(),
            config: config.clone(),
        }
    }

    /// Reads a manifest.
    ///
    /// # Errors
    /// Unreadable file, invalid JSON, or an unknown version.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the manifest {}", path.display()))?;
        let manifest: Self = serde_json::from_str(&text)
            .with_context(|| format!("parsing the manifest {}", path.display()))?;
        if manifest.version != MANIFEST_VERSION {
            bail!(
                "{}: manifest version {} (this tool writes {MANIFEST_VERSION})",
                path.display(),
                manifest.version
            );
        }
        Ok(manifest)
    }

    /// Writes the manifest atomically (temporary file, then rename).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self)? + "\n")
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    /// Whether step `name` is recorded as completed.
    pub fn is_done(&self, name: &str) -> bool {
        self.steps.iter().any(|s| s.name == name)
    }

    /// Address recorded under `key`.
    ///
    /// # Errors
    /// Nothing recorded under `key`.
    pub fn address(&self, key: &str) -> Result<Address> {
        self.addresses
            .get(key)
            .copied()
            .with_context(|| format!("the manifest has no address for {key:?}"))
    }

    /// The suite's addresses.
    ///
    /// # Errors
    /// The deployment is incomplete.
    pub fn suite(&self) -> Result<Suite> {
        Ok(Suite {
            al_asset: self.address("alAsset")?,
            vault: self.address("vault")?,
            rate_controller: self.address("rateController")?,
            psm: self.address("psm")?,
            transmuter: self.address("transmuter")?,
            twap_oracle: self.address("twapOracle")?,
            asset: self.address("asset")?,
            collateral: self.address("collateral")?,
            psm_vault: self.addresses.get("psmVault").copied(),
            pool: self.address("pool")?,
        })
    }
}
