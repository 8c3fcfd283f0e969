//! Deploys and wires the alAsset suite — AlAsset, Vault, RateController,
//! Transmuter, Psm, TwapOracle and, on a devnet, the mocks and a seeded V2
//! pool — on any chain reachable through a [`Backend`]: the in-process
//! devnet ([`InProcess`]) or any JSON-RPC node ([`Rpc`], key from
//! `$DEPLOYER_PRIVATE_KEY`). Parameters come from a TOML [`Config`]; the
//! result is a resumable [`Manifest`] with every contract's ABI.
//!
//! ```no_run
//! let mut chain = devnet::Devnet::new();
//! let mut backend = deploy::InProcess::new(&mut chain);
//! let manifest = deploy::deploy_suite(&mut backend, &deploy::Config::devnet_default())?;
//! let suite = manifest.suite()?; // typed addresses
//! # Ok::<(), anyhow::Error>(())
//! ```

pub mod abi;
pub mod backend;
pub mod config;
pub mod lifetime;
pub mod manifest;
pub mod plan;
pub mod registry;

pub use abi::interfaces;
pub use backend::{Backend, BackendExt, CallError, InProcess, Rpc};
pub use config::{Config, Profile};
pub use manifest::{Manifest, Suite};
pub use plan::{artifacts, deploy, deploy_suite, Options};
