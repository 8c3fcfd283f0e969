//! The deployment plan, written once over [`Backend`]: deploy, mint rights,
//! (devnet) seed the mocks and the pool, wire peers once, set parameters
//! and roles, hand over ownership. Every step has a stable name; completed
//! steps are recorded in the manifest (saved after each one) and skipped on
//! a re-run, and steps whose effect is already on-chain (a peer already
//! wired, a minter already added) are recorded as `already` instead of sent
//! again, so a run interrupted between a transaction and the manifest write
//! resumes cleanly.

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use anyhow::{anyhow, bail, Context, Result};
use devnet::artifacts::Artifacts;

use crate::{
    abi::{
        abi_of,
        interfaces::{
            IAlAsset, IMockErc20, IMockErc4626, IPsm, IRateController, ITwapOracle, IV2Pool, IVault,
        },
    },
    backend::{Backend, BackendExt, CallError},
    config::{parse_units, Config, RateControllerConfig},
    manifest::{ContractEntry, Manifest, StepRecord},
};

/// Holder of the PSM vault's dead shares seeded on the devnet (inflation guard).
pub const DEAD: Address = Address::new([
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad,
]);

/// The workspace root this crate was built in.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// [`Artifacts`] with the suite's and the mocks' contracts of the
/// [`registry`](crate::registry) registered (rebuilt once when stale), rooted at `root`.
pub fn artifacts(root: impl Into<PathBuf>) -> Artifacts {
    crate::registry::CONTRACTS
        .iter()
        .filter(|c| c.kind != crate::registry::Kind::DevnetTest)
        .fold(Artifacts::new(root), |a, c| {
            a.contract(c.lib, c.package, c.sources)
        })
}

/// How a deployment runs.
#[derive(Debug, Default)]
pub struct Options {
    /// Where the WASM comes from (default: [`artifacts`] of [`workspace_root`]).
    pub artifacts: Option<Artifacts>,
    /// Save the manifest here after every step.
    pub manifest_path: Option<PathBuf>,
    /// Print one line per step to stderr.
    pub progress: bool,
    /// A partial deployment: run only the steps (by name) this accepts; the
    /// addresses of contracts not deployed read as zero and the manifest is
    /// not `complete` (`testkit::parts`).
    pub only: Option<fn(&str) -> bool>,
}

/// Deploys and wires the whole suite with `config`, quietly, WASM from this
/// workspace's `target/stylus` (rebuilt when stale). The library entry point
/// for tests and reports.
///
/// # Errors
/// An invalid configuration or any failing step (with its name).
pub fn deploy_suite<B: Backend>(backend: &mut B, config: &Config) -> Result<Manifest> {
    deploy(backend, config, None, Options::default())
}

/// Deploys (or, given the `resume` manifest of an earlier run, completes)
/// the suite. See the module documentation.
///
/// # Errors
/// An invalid configuration, a manifest from another chain, deployer or
/// configuration, or a failing step (its name and the revert).
pub fn deploy<B: Backend>(
    backend: &mut B,
    config: &Config,
    resume: Option<Manifest>,
    options: Options,
) -> Result<Manifest> {
    let warnings = config.check()?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let chain_id = backend.chain_id()?;
    let deployer = backend.sender();
    let manifest = match resume {
        None => Manifest::new(config, chain_id, deployer),
        Some(manifest) => {
            if manifest.chain_id != chain_id {
                bail!(
                    "the manifest is for chain {}, the RPC serves chain {chain_id}",
                    manifest.chain_id
                );
            }
            if manifest.deployer != deployer {
                bail!(
                    "the manifest was deployed by {}, the key given is {deployer}",
                    manifest.deployer
                );
            }
            if &manifest.config != config {
                bail!("the manifest was written with a different configuration: restore it, or deploy afresh to a new manifest path");
            }
            for (key, &address) in &manifest.addresses {
                if backend.code_size(address)? == 0 {
                    bail!("the manifest's {key} at {address} has no code on chain {chain_id} (a reset devnet?): deploy afresh");
                }
            }
            manifest
        }
    };
    let artifacts = options
        .artifacts
        .unwrap_or_else(|| artifacts(workspace_root()));
    let mut run = Run {
        backend,
        manifest,
        artifacts,
        path: options.manifest_path,
        progress: options.progress,
        only: options.only,
        count: 0,
    };
    run.all()?;
    Ok(run.manifest)
}

/// What a step did.
enum Outcome {
    /// Sent a transaction (hash, zero in-process).
    Sent(alloy_primitives::B256),
    /// Deployed a contract, recorded under the key.
    Deployed(&'static str, crate::backend::Deployed),
    /// Its effect was already on-chain.
    Already,
}

struct Run<'a, B: Backend> {
    backend: &'a mut B,
    manifest: Manifest,
    artifacts: Artifacts,
    path: Option<PathBuf>,
    progress: bool,
    only: Option<fn(&str) -> bool>,
    count: usize,
}

fn coin(amount: &str) -> U256 {
    // Validated by Config::check.
    parse_units(amount, 18).unwrap_or_default()
}

impl<B: Backend> Run<'_, B> {
    fn config(&self) -> &Config {
        &self.manifest.config
    }

    fn addr(&self, key: &str) -> Result<Address> {
        match self.manifest.address(key) {
            Err(_) if self.only.is_some() => Ok(Address::ZERO),
            found => found,
        }
    }

    fn deployer(&self) -> Address {
        self.manifest.deployer
    }

    fn step(
        &mut self,
        name: &str,
        run: impl FnOnce(&mut B, &Manifest, &Artifacts) -> Result<Outcome>,
    ) -> Result<()> {
        self.count += 1;
        if self.only.is_some_and(|only| !only(name)) {
            return Ok(());
        }
        if self.manifest.is_done(name) {
            if self.progress {
                eprintln!("[{:>2}] {name:<36} skipped (done earlier)", self.count);
            }
            return Ok(());
        }
        let outcome = run(self.backend, &self.manifest, &self.artifacts)
            .with_context(|| format!("step {name}"))?;
        let block = self.backend.block_number()?;
        let (status, tx, note) = match outcome {
            Outcome::Sent(tx) => ("done", (!tx.is_zero()).then_some(tx), String::new()),
            Outcome::Already => ("already", None, " (found on-chain)".to_owned()),
            Outcome::Deployed(key, deployed) => {
                self.manifest
                    .addresses
                    .insert(key.to_owned(), deployed.address);
                let tx = (!deployed.tx_hash.is_zero()).then_some(deployed.tx_hash);
                ("done", tx, format!(" {key} = {}", deployed.address))
            }
        };
        self.manifest.steps.push(StepRecord {
            name: name.to_owned(),
            status: status.to_owned(),
            block,
            tx,
        });
        self.manifest.block = block;
        if let Some(path) = &self.path {
            self.manifest.save(path)?;
        }
        if self.progress {
            eprintln!("[{:>2}] {name:<36} {status}{note}", self.count);
        }
        Ok(())
    }

    fn deploy_step(
        &mut self,
        name: &str,
        key: &'static str,
        lib: &'static str,
        args: Vec<u8>,
    ) -> Result<()> {
        self.step(name, |b, _, artifacts| {
            let wasm = artifacts
                .wasm(lib)
                .map_err(|e| anyhow!("WASM of {lib}: {e}"))?;
            Ok(Outcome::Deployed(key, b.deploy(&wasm, &args)?))
        })
    }

    /// A transaction step; `done` (checked first) says whether its effect is
    /// already on-chain.
    fn tx_step(
        &mut self,
        name: &str,
        to: Address,
        calldata: Vec<u8>,
        done: impl FnOnce(&mut B) -> Result<bool, CallError>,
    ) -> Result<()> {
        self.step(name, |b, _, _| {
            if done(b)? {
                return Ok(Outcome::Already);
            }
            let from = b.sender();
            Ok(Outcome::Sent(
                b.send_as(from, to, calldata, U256::ZERO)?.tx_hash,
            ))
        })
    }

    fn all(&mut self) -> Result<()> {
        let config = self.config().clone();
        let deployer = self.deployer();
        let owner = config.roles.owner.unwrap_or(deployer);
        let guardian = config.roles.guardian.unwrap_or(deployer);
        let treasury = config.roles.treasury.unwrap_or(deployer);
        let mocks = config.mocks.clone();

        // ---- the reference asset and the ERC-4626 vaults
        if let Some(m) = &mocks {
            let args = (
                m.asset_name.clone(),
                m.asset_symbol.clone(),
                U256::from(m.asset_decimals),
                deployer,
            )
                .abi_encode_params();
            self.deploy_step("mock:asset", "asset", "mock_erc20", args)?;
            let asset = self.addr("asset")?;
            let args = (
                asset,
                "Yield USD Coin".to_owned(),
                "yvUSDC".to_owned(),
                U256::from(m.vault_decimals_offset),
                deployer,
            )
                .abi_encode_params();
            self.deploy_step("mock:collateral", "collateral", "mock_erc4626", args)?;
            if m.psm_vault {
                let args = (
                    asset,
                    "PSM Vault USD Coin".to_owned(),
                    "pvUSDC".to_owned(),
                    U256::from(m.vault_decimals_offset),
                    deployer,
                )
                    .abi_encode_params();
                self.deploy_step("mock:psm-vault", "psmVault", "mock_erc4626", args)?;
            }
        } else if let Some(external) = &config.external {
            // Recorded so the manifest lists them; nothing is sent.
            for (key, address) in [
                ("asset", Some(external.psm_asset)),
                ("collateral", Some(external.collateral)),
                ("psmVault", external.psm_vault),
                ("pool", Some(external.pool)),
            ] {
                if let Some(address) = address {
                    self.manifest.addresses.insert(key.to_owned(), address);
                }
            }
        }
        let asset = self.addr("asset")?;
        let collateral = self.addr("collateral")?;
        let psm_vault = self.manifest.addresses.get("psmVault").copied();

        // ---- the suite
        let args = (
            config.al_asset.name.clone(),
            config.al_asset.symbol.clone(),
            deployer,
        )
            .abi_encode_params();
        self.deploy_step("deploy:al-asset", "alAsset", "al_asset", args)?;
        let al = self.addr("alAsset")?;
        self.deploy_step(
            "deploy:rate-controller",
            "rateController",
            "rate_controller",
            (deployer,).abi_encode_params(),
        )?;
        let rc = self.addr("rateController")?;
        let args = (
            deployer,
            al,
            collateral,
            treasury,
            coin(&config.vault.debt_ceiling),
            coin(&config.vault.min_debt),
        )
            .abi_encode_params();
        self.deploy_step("deploy:vault", "vault", "vault", args)?;
        let vault = self.addr("vault")?;
        let args = (
            deployer,
            al,
            vault,
            collateral,
            treasury,
            config.transmuter.term_seconds,
            coin(&config.transmuter.deposit_cap),
        )
            .abi_encode_params();
        self.deploy_step("deploy:transmuter", "transmuter", "transmuter", args)?;
        let transmuter = self.addr("transmuter")?;
        let min_supply = parse_units(&config.psm.min_vault_supply, 0)?;
        let args = (
            deployer,
            al,
            asset,
            psm_vault.unwrap_or_default(),
            treasury,
            config.psm.window_seconds,
            min_supply,
        )
            .abi_encode_params();
        self.deploy_step("deploy:psm", "psm", "psm", args)?;
        let psm = self.addr("psm")?;

        // ---- minters (the oracle's after its deployment)
        self.minter(
            "minter:vault",
            al,
            vault,
            coin(&config.minters.vault_ceiling),
        )?;
        self.minter("minter:psm", al, psm, coin(&config.minters.psm_ceiling))?;

        // ---- devnet: the PSM vault's dead shares, alAsset through the PSM, the pool
        if let Some(m) = &mocks {
            let unit = U256::from(10u64).pow(U256::from(m.asset_decimals));
            let pool_assets = parse_units(&m.pool_liquidity, m.asset_decimals)?;
            let pool_coin = parse_units(&m.pool_liquidity, 18)?;
            let total = pool_assets * U256::from(2u8) + unit;
            self.tx_step(
                "seed:mint-asset",
                asset,
                IMockErc20::mintCall {
                    to: deployer,
                    amount: total,
                }
                .abi_encode(),
                |_| Ok(false),
            )?;
            if let (Some(pv), true) = (psm_vault, min_supply.is_zero()) {
                self.tx_step(
                    "seed:psm-vault.approve",
                    asset,
                    IMockErc20::approveCall {
                        spender: pv,
                        value: unit,
                    }
                    .abi_encode(),
                    |_| Ok(false),
                )?;
                self.tx_step(
                    "seed:psm-vault.dead-shares",
                    pv,
                    IMockErc4626::depositCall {
                        assets: unit,
                        receiver: DEAD,
                    }
                    .abi_encode(),
                    |_| Ok(false),
                )?;
                self.step("param:psm.min-vault-supply", |b, _, _| {
                    let supply = b.view(pv, &IMockErc4626::totalSupplyCall {})?;
                    let from = b.sender();
                    let call = IPsm::setMinVaultSupplyCall { minimum: supply };
                    Ok(Outcome::Sent(
                        b.send_as(from, psm, call.abi_encode(), U256::ZERO)?.tx_hash,
                    ))
                })?;
            }
            self.tx_step(
                "seed:psm.approve",
                asset,
                IMockErc20::approveCall {
                    spender: psm,
                    value: pool_assets,
                }
                .abi_encode(),
                |_| Ok(false),
            )?;
            self.tx_step(
                "seed:psm.buy",
                psm,
                IPsm::buyCall {
                    assetIn: pool_assets,
                    minCoinOut: pool_coin,
                    recipient: deployer,
                }
                .abi_encode(),
                |_| Ok(false),
            )?;
            self.deploy_step(
                "mock:pool",
                "pool",
                "v2_pool",
                (al, asset).abi_encode_params(),
            )?;
            let pool = self.addr("pool")?;
            self.tx_step(
                "seed:pool.approve-alasset",
                al,
                IAlAsset::approveCall {
                    spender: pool,
                    value: pool_coin,
                }
                .abi_encode(),
                |_| Ok(false),
            )?;
            self.tx_step(
                "seed:pool.approve-asset",
                asset,
                IMockErc20::approveCall {
                    spender: pool,
                    value: pool_assets,
                }
                .abi_encode(),
                |_| Ok(false),
            )?;
            let (amount0, amount1) = if al < asset {
                (pool_coin, pool_assets)
            } else {
                (pool_assets, pool_coin)
            };
            self.tx_step(
                "seed:pool.add-liquidity",
                pool,
                IV2Pool::addLiquidityCall {
                    amount0,
                    amount1,
                    to: deployer,
                }
                .abi_encode(),
                |_| Ok(false),
            )?;
        }
        let pool = self.addr("pool")?;

        // ---- the oracle
        let o = &config.oracle;
        let recipient = o.expansion_recipient.unwrap_or(treasury);
        let args = (
            deployer,
            pool,
            al,
            recipient,
            U256::from(o.sample_interval_seconds),
            U256::from(o.min_samples),
        )
            .abi_encode_params();
        self.deploy_step("deploy:twap-oracle", "twapOracle", "twap_oracle", args)?;
        let oracle = self.addr("twapOracle")?;
        self.minter(
            "minter:twap-oracle",
            al,
            oracle,
            coin(&config.minters.oracle_ceiling),
        )?;

        // ---- peers, wired once
        self.tx_step(
            "wire:vault.rate-controller",
            vault,
            IVault::setPeerCall { which: 2, peer: rc }.abi_encode(),
            |b| Ok(b.view(vault, &IVault::peersCall {})?.rateController == rc),
        )?;
        self.tx_step(
            "wire:vault.transmuter",
            vault,
            IVault::setPeerCall {
                which: 3,
                peer: transmuter,
            }
            .abi_encode(),
            |b| Ok(b.view(vault, &IVault::peersCall {})?.transmuter == transmuter),
        )?;
        self.tx_step(
            "wire:rate-controller.vault",
            rc,
            IRateController::setVaultCall { vault }.abi_encode(),
            |b| Ok(b.view(rc, &IRateController::vaultCall {})? == vault),
        )?;
        self.tx_step(
            "wire:rate-controller.psm",
            rc,
            IRateController::setPsmCall { psm }.abi_encode(),
            |b| Ok(b.view(rc, &IRateController::psmCall {})? == psm),
        )?;
        self.tx_step(
            "wire:rate-controller.oracle",
            rc,
            IRateController::setOracleCall { oracle }.abi_encode(),
            |b| Ok(b.view(rc, &IRateController::oracleCall {})? == oracle),
        )?;
        self.tx_step(
            "wire:twap-oracle.peers",
            oracle,
            ITwapOracle::wirePeersCall {
                vault,
                psm,
                transmuter,
            }
            .abi_encode(),
            |b| {
                let peers = b.view(oracle, &ITwapOracle::peersCall {})?;
                Ok(peers.vault == vault && peers.psm == psm && peers.transmuter == transmuter)
            },
        )?;

        // ---- parameters (only those that differ from the contracts' defaults)
        self.vault_parameters(vault)?;
        let r = config.rate_controller.clone();
        let (min_rate, max_rate) = (
            RateControllerConfig::per_second_wad(r.min_apr_bps),
            RateControllerConfig::per_second_wad(r.max_apr_bps),
        );
        self.tx_step(
            "param:rate-controller.bounds",
            rc,
            IRateController::setRateBoundsCall {
                minRate: min_rate,
                maxRate: max_rate,
            }
            .abi_encode(),
            |b| {
                Ok(b.view(rc, &IRateController::minRateCall {})? == min_rate
                    && b.view(rc, &IRateController::maxRateCall {})? == max_rate)
            },
        )?;
        let half_life = U256::from(r.half_life_seconds);
        self.tx_step(
            "param:rate-controller.half-life",
            rc,
            IRateController::setHalfLifeCall {
                halfLife: half_life,
            }
            .abi_encode(),
            |b| Ok(b.view(rc, &IRateController::halfLifeCall {})? == half_life),
        )?;
        let (low, high) = (U256::from(r.band_low_bps), U256::from(r.band_high_bps));
        self.tx_step(
            "param:rate-controller.band",
            rc,
            IRateController::setTargetBandCall {
                lowBps: low,
                highBps: high,
            }
            .abi_encode(),
            |b| {
                let band = b.view(rc, &IRateController::targetBandCall {})?;
                Ok(band.lowBps == low && band.highBps == high)
            },
        )?;
        let (upper, lower) = (U256::from(o.upper_band_bps), U256::from(o.lower_band_bps));
        let (factor, max_rate) = (
            U256::from(o.expansion_factor_bps),
            U256::from(o.max_expansion_rate_bps),
        );
        self.tx_step(
            "param:twap-oracle.bands",
            oracle,
            ITwapOracle::setBandsCall {
                upperBandBps: upper,
                lowerBandBps: lower,
            }
            .abi_encode(),
            |b| {
                let p = b.view(oracle, &ITwapOracle::paramsCall {})?;
                Ok(p.upperBandBps == upper && p.lowerBandBps == lower)
            },
        )?;
        self.tx_step(
            "param:twap-oracle.expansion",
            oracle,
            ITwapOracle::setExpansionCall {
                expansionFactorBps: factor,
                maxExpansionRateBps: max_rate,
            }
            .abi_encode(),
            |b| {
                let p = b.view(oracle, &ITwapOracle::paramsCall {})?;
                Ok(p.expansionFactorBps == factor && p.maxExpansionRateBps == max_rate)
            },
        )?;

        // ---- roles: guardian, then ownership (two-step: the owner accepts)
        let suite = [
            ("alasset", al),
            ("vault", vault),
            ("rate-controller", rc),
            ("psm", psm),
            ("transmuter", transmuter),
            ("twap-oracle", oracle),
        ];
        // Every contract exposes the same IOwnable ABI: one call type serves all.
        for (name, address) in suite {
            self.tx_step(
                &format!("role:{name}.guardian"),
                address,
                IAlAsset::setGuardianCall { guardian }.abi_encode(),
                |b| Ok(b.view(address, &IAlAsset::guardianCall {})? == guardian),
            )?;
        }
        if owner != deployer {
            for (name, address) in suite {
                self.tx_step(
                    &format!("role:{name}.transfer-ownership"),
                    address,
                    IAlAsset::transferOwnershipCall { newOwner: owner }.abi_encode(),
                    |b| {
                        Ok(b.view(address, &IAlAsset::ownerCall {})? == owner
                            || b.view(address, &IAlAsset::pendingOwnerCall {})? == owner)
                    },
                )?;
            }
            if self.progress {
                eprintln!("note: {owner} must call acceptOwnership() on each of the six contracts to become their owner");
            }
        }

        // ---- the manifest's ABIs
        let is_mock = mocks.is_some();
        self.manifest.contracts = self
            .manifest
            .addresses
            .iter()
            .filter_map(|(key, &address)| {
                abi_of(key, is_mock).map(|(interface, abi)| {
                    let solidity = abi.to_sol(interface, None);
                    (
                        key.clone(),
                        ContractEntry {
                            address,
                            interface: interface.to_owned(),
                            abi,
                            solidity,
                        },
                    )
                })
            })
            .collect();
        self.manifest.complete = self.only.is_none();
        self.manifest.block = self.backend.block_number()?;
        if let Some(path) = &self.path {
            self.manifest.save(path)?;
        }
        Ok(())
    }

    fn minter(&mut self, name: &str, al: Address, minter: Address, ceiling: U256) -> Result<()> {
        self.tx_step(
            name,
            al,
            IAlAsset::addMinterCall { minter, ceiling }.abi_encode(),
            |b| Ok(b.view(al, &IAlAsset::minterInfoCall { minter })?.active),
        )
    }

    /// The Vault's parameters in an order the bounds accept: the threshold
    /// first when it rises, the LTV first when it falls.
    fn vault_parameters(&mut self, vault: Address) -> Result<()> {
        let v = self.config().vault.clone();
        if vault.is_zero() {
            return Ok(()); // a partial deployment without the Vault
        }
        let current = self.backend.view(vault, &IVault::parametersCall {})?;
        let mut order: Vec<(u8, &str, u64)> = vec![
            (0, "max-ltv", v.max_ltv_bps),
            (1, "liquidation-ltv", v.liquidation_ltv_bps),
        ];
        if U256::from(v.liquidation_ltv_bps) >= current.liquidationLtvBps {
            order.reverse();
        }
        order.extend([
            (2, "close-factor", v.close_factor_bps),
            (3, "max-bonus", v.max_bonus_bps),
            (6, "redemption-fee", v.redemption_fee_bps),
        ]);
        for (id, name, value) in order {
            let value = U256::from(value);
            self.tx_step(
                &format!("param:vault.{name}"),
                vault,
                IVault::setParameterCall {
                    parameter: id,
                    value,
                }
                .abi_encode(),
                |b| {
                    let p = b.view(vault, &IVault::parametersCall {})?;
                    let now = match id {
                        0 => p.maxLtvBps,
                        1 => p.liquidationLtvBps,
                        2 => p.closeFactorBps,
                        3 => p.maxBonusBps,
                        _ => p.redemptionFeeBps,
                    };
                    Ok(now == value)
                },
            )?;
        }
        Ok(())
    }
}
