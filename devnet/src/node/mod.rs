//! The devnet as a JSON-RPC node: what wallets, `cast`, alloy providers and `cargo stylus`
//! talk to.
//!
//! [`spawn`] binds a loopback port and serves Ethereum JSON-RPC over HTTP on a dedicated
//! thread that runs its own tokio runtime, so it can be started from synchronous code and
//! from inside another runtime alike. The chain is a [`Devnet`] behind a mutex; tests and
//! tools reach it directly with [`NodeHandle::with_devnet`].
//!
//! ```no_run
//! let node = devnet::node::spawn(devnet::node::NodeConfig::default()).unwrap();
//! println!("serving on {}", node.url());
//! let (dev, _key) = node.dev_accounts()[0];
//! assert_eq!(dev, devnet::DEV_ACCOUNT);
//! node.shutdown();
//! ```
//!
//! Methods, options and limits: `devnet/README.md`, section "JSON-RPC node".

mod chain;
mod convert;
mod persist;
pub mod predeploys;
mod rpc;
mod server;
mod tx;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use alloy_primitives::{b256, Address, B256, U256};

use crate::{Clock, Devnet, DevnetConfig, DEFAULT_CHAIN_ID, DEV_ACCOUNT, DEV_PRIVATE_KEY};

pub use chain::MAX_LOG_BLOCK_RANGE;
pub use server::MAX_BODY_BYTES;

/// Configuration of a node.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Interface to listen on (loopback by default: the node has no authentication).
    pub host: IpAddr,
    /// Port; 0 picks a free one (see [`NodeHandle::local_addr`]).
    pub port: u16,
    /// Chain id.
    pub chain_id: u64,
    /// Dev accounts funded and unlocked besides nitro-devnode's dev account (anvil's first
    /// keys, then derived ones).
    pub accounts: usize,
    /// Balance of every dev account, in wei.
    pub balance: U256,
    /// `None`: one block per transaction as soon as it arrives (automine); `Some(t)`: a block
    /// every `t` with the transactions received meanwhile.
    pub block_time: Option<Duration>,
    /// Load the chain from this file at start (if it exists) and save it there on shutdown.
    pub state_file: Option<PathBuf>,
    /// 0: quiet; 1: one line per transaction (hash, gas, status) and contracts' `console`
    /// output; 2: also every RPC method called.
    pub verbosity: u8,
    /// Base fee in wei (nitro-devnode: 0.1 gwei).
    pub base_fee: u64,
    /// Timestamps of new blocks (wall clock by default).
    pub clock: Clock,
    /// ArbOS version whose Stylus rules apply ([`DevnetConfig::arbos_version`]).
    pub arbos_version: u64,
    /// Whether activation requires and keeps nitro's data fee
    /// ([`DevnetConfig::charge_data_fee`]).
    pub charge_data_fee: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            chain_id: DEFAULT_CHAIN_ID,
            accounts: 9,
            balance: U256::from(10u64).pow(U256::from(24u64)),
            block_time: None,
            state_file: None,
            verbosity: 0,
            base_fee: DevnetConfig::default().base_fee,
            clock: Clock::Wall,
            arbos_version: DevnetConfig::default().arbos_version,
            charge_data_fee: false,
        }
    }
}

/// Private keys of anvil's default dev accounts (mnemonic "test test ... junk"), so that
/// wallets set up for anvil work here too. Public knowledge: never use them on a real chain.
const ANVIL_KEYS: [B256; 10] = [
    b256!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
    b256!("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
    b256!("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"),
    b256!("7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"),
    b256!("47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"),
    b256!("8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"),
    b256!("92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"),
    b256!("4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"),
    b256!("dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97"),
    b256!("2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"),
];

/// The dev accounts of a node with `extra` accounts: nitro-devnode's first, then anvil's
/// keys, then keys derived as `keccak256("devnet dev account" || i)`.
pub fn dev_accounts(extra: usize) -> Vec<(Address, B256)> {
    let mut keys = vec![DEV_PRIVATE_KEY];
    for i in 0..extra {
        keys.push(ANVIL_KEYS.get(i).copied().unwrap_or_else(|| {
            alloy_primitives::keccak256(
                [b"devnet dev account".as_slice(), &(i as u64).to_be_bytes()].concat(),
            )
        }));
    }
    keys.into_iter()
        .filter_map(|key| tx::address_of_key(&key).map(|address| (address, key)))
        .collect()
}

/// A running node. Dropping it shuts it down (saving the state file if configured).
#[derive(Debug)]
pub struct NodeHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

/// What the server threads and the handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) chain: Mutex<chain::NodeChain>,
    pub(crate) config: NodeConfig,
    pub(crate) accounts: Vec<(Address, B256)>,
}

impl Shared {
    /// Locks the chain (a panic elsewhere never makes the node unusable).
    pub(crate) fn lock(&self) -> MutexGuard<'_, chain::NodeChain> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl NodeHandle {
    /// `http://HOST:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the node listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The unlocked, funded dev accounts and their private keys; the first is
    /// [`DEV_ACCOUNT`] (nitro-devnode's).
    pub fn dev_accounts(&self) -> Vec<(Address, B256)> {
        self.shared.accounts.clone()
    }

    /// Runs `f` on the chain (between RPC requests). Blocks and transactions made here show
    /// up over RPC too (with synthetic transaction hashes; see the README).
    pub fn with_devnet<R>(&self, f: impl FnOnce(&mut Devnet) -> R) -> R {
        let mut chain = self.shared.lock();
        let out = f(chain.devnet_mut());
        chain.sync();
        out
    }

    /// Stops serving, waits for the server thread and saves the state file if configured.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        // Runs once: from `shutdown` or from `drop`, whichever comes first.
        let Some(stop) = self.stop.take() else {
            return;
        };
        let _ = stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Some(path) = &self.shared.config.state_file {
            let chain = self.shared.lock();
            match persist::save(chain.devnet(), path) {
                Ok(()) => {
                    if self.shared.config.verbosity > 0 {
                        eprintln!("state saved to {}", path.display());
                    }
                }
                Err(e) => eprintln!("could not save state to {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Builds the chain of `config`: a saved state if `state_file` exists, else a fresh chain
/// with the dev accounts funded; predeploys in both cases.
fn build_chain(config: &NodeConfig, accounts: &[(Address, B256)]) -> std::io::Result<Devnet> {
    let mut devnet = Devnet::with_config(DevnetConfig {
        chain_id: config.chain_id,
        base_fee: config.base_fee,
        clock: config.clock,
        dev_balance: config.balance,
        arbos_version: config.arbos_version,
        charge_data_fee: config.charge_data_fee,
        ..DevnetConfig::default()
    });
    let loaded = match &config.state_file {
        Some(path) if path.exists() => {
            persist::load(&mut devnet, path)?;
            true
        }
        _ => false,
    };
    if !loaded {
        for (address, _) in accounts {
            devnet.set_balance(*address, config.balance);
        }
        debug_assert_eq!(accounts.first().map(|a| a.0), Some(DEV_ACCOUNT));
    }
    predeploys::install(&mut devnet);
    Ok(devnet)
}

/// Starts a node serving JSON-RPC on `config.host:config.port` and returns once it accepts
/// connections.
///
/// # Errors
///
/// The port cannot be bound, the runtime cannot start, or the state file cannot be read.
pub fn spawn(config: NodeConfig) -> std::io::Result<NodeHandle> {
    let accounts = dev_accounts(config.accounts);
    let devnet = build_chain(&config, &accounts)?;
    let listener = TcpListener::bind(SocketAddr::new(config.host, config.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("devnet-rpc")
        .enable_all()
        .build()?;
    let shared = Arc::new(Shared {
        chain: Mutex::new(chain::NodeChain::new(
            devnet,
            accounts.clone(),
            config.verbosity,
        )),
        config,
        accounts,
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server_shared = shared.clone();
    let thread = std::thread::Builder::new()
        .name("devnet-node".into())
        .spawn(move || {
            runtime.block_on(server::serve(listener, server_shared, stop_rx));
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
    Ok(NodeHandle {
        addr,
        shared,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::address;

    #[test]
    fn dev_accounts_are_nitro_then_anvil() {
        let accounts = dev_accounts(12);
        assert_eq!(accounts.len(), 13);
        assert_eq!(accounts[0], (DEV_ACCOUNT, DEV_PRIVATE_KEY));
        assert_eq!(
            accounts[1].0,
            address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        );
        assert_eq!(
            accounts[2].0,
            address!("70997970C51812dc3A010C7d01b50e0d17dc79C8")
        );
        let mut unique: Vec<Address> = accounts.iter().map(|a| a.0).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 13);
    }
}
