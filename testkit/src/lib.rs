//! The test kit: what every devnet test of the workspace builds on, written once.
//!
//! * [`registry`]: every Stylus contract (library, package, sources,
//!   constructor), shared with the deploy plan and the build tool;
//!   [`wasm`] reads a contract's built WASM through `devnet::artifacts`
//!   (`target/stylus/`, or `$STYLUS_WASM_DIR`), rebuilding stale contracts
//!   once per test binary.
//! * [`World`]: a chain behind a [`deploy::Backend`] with `send` /
//!   `send_from` / `try_send` / `view` / `warp`, plus `deploy` by registry
//!   name; on the in-process devnet ([`Local`]) also `snapshot` / `restore`,
//!   funding and the raw [`devnet::Devnet`] (receipts, events, gas).
//! * [`actors`] and units ([`coin`], [`usdc`], [`pow10`], [`ether`]).
//! * [`interfaces`]: the call types of `deploy::interfaces` (never re-expand
//!   the interface macros in a test).
//!
//! ```no_run
//! use testkit::{actors::ALICE, coin, interfaces::IAlAsset, World};
//! use alloy_sol_types::SolValue;
//!
//! let mut w = World::local();
//! let owner = w.sender();
//! let token = w.deploy("al_asset", ("Alchemix USD", "alUSD", owner).abi_encode_params());
//! w.send(token, IAlAsset::addMinterCall { minter: owner, ceiling: coin(10) });
//! w.send(token, IAlAsset::mintCall { to: ALICE, amount: coin(1) });
//! assert_eq!(w.view(token, IAlAsset::balanceOfCall { account: ALICE }), coin(1));
//! ```

use std::sync::OnceLock;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolInterface};
use deploy::backend::{Deployed, Sent};
use devnet::{artifacts::Artifacts, Devnet, DevnetConfig, SnapshotId, DEV_ACCOUNT};

pub use deploy::{
    interfaces, registry, Backend, BackendExt, CallError, Config, InProcess, Manifest,
};

/// 10^n.
pub fn pow10(n: u8) -> U256 {
    U256::from(10u64).pow(U256::from(n))
}

/// `v` whole alAsset (18 decimals).
pub fn coin(v: u64) -> U256 {
    U256::from(v) * pow10(18)
}

/// `v` whole USDC (6 decimals, the devnet's reference asset).
pub fn usdc(v: u64) -> U256 {
    U256::from(v) * pow10(6)
}

/// `v` ether in wei.
pub fn ether(v: u64) -> U256 {
    U256::from(v) * pow10(18)
}

/// The actors of the scenarios (plain addresses; [`World::local`] funds
/// them with gas on first use).
pub mod actors {
    use alloy_primitives::Address;

    /// Receives interest, fees and surpluses.
    pub const TREASURY: Address = Address::repeat_byte(0xd1);
    /// A user.
    pub const ALICE: Address = Address::repeat_byte(0xa1);
    /// A user.
    pub const BOB: Address = Address::repeat_byte(0xa2);
    /// A user.
    pub const CAROL: Address = Address::repeat_byte(0xa3);
    /// Liquidates accounts.
    pub const LIQUIDATOR: Address = Address::repeat_byte(0xa4);
    /// The four users above, in order.
    pub const USERS: [Address; 4] = [ALICE, BOB, CAROL, LIQUIDATOR];
}

/// Partial deployments: predicates over the deploy plan's step names, for
/// [`World::deploy_plan`]. The plan runs only the accepted steps, in its
/// own order, with its own arguments and wiring (nothing is re-wired by
/// hand); the addresses of what it skips read as zero.
pub mod parts {
    /// The whole plan (the same as `deploy::deploy_suite`).
    pub fn suite(_step: &str) -> bool {
        true
    }

    /// The mocks: the reference asset and the ERC-4626 vaults (no pool).
    pub fn mocks(step: &str) -> bool {
        step.starts_with("mock:") && step != "mock:pool"
    }

    /// The alAsset alone.
    pub fn token(step: &str) -> bool {
        step == "deploy:al-asset"
    }

    /// The Vault: the asset and its collateral vault, the alAsset (the
    /// Vault as its minter), the RateController (wired with the Vault
    /// only, so its rate uses no PSM or oracle reading) and the Vault's
    /// parameters.
    pub fn vault(step: &str) -> bool {
        matches!(
            step,
            "mock:asset"
                | "mock:collateral"
                | "deploy:al-asset"
                | "deploy:rate-controller"
                | "deploy:vault"
                | "minter:vault"
                | "wire:vault.rate-controller"
                | "wire:rate-controller.vault"
        ) || step.starts_with("param:vault.")
    }

    /// The Vault and the Transmuter: [`vault`] plus the Transmuter, wired
    /// to the Vault, and the guardian of both.
    pub fn transmuter(step: &str) -> bool {
        vault(step)
            || matches!(
                step,
                "deploy:transmuter"
                    | "wire:vault.transmuter"
                    | "role:vault.guardian"
                    | "role:transmuter.guardian"
            )
    }

    /// The PSM: the asset, the PSM's ERC-4626 vault with its dead shares
    /// and the inflation guard set to them (when the configuration's
    /// `mocks.psm_vault`), the alAsset (the PSM as its minter) and the PSM.
    /// The deployer also holds the asset the plan mints for the pool.
    pub fn psm(step: &str) -> bool {
        matches!(
            step,
            "mock:asset"
                | "mock:psm-vault"
                | "deploy:al-asset"
                | "deploy:psm"
                | "minter:psm"
                | "seed:mint-asset"
                | "seed:psm-vault.approve"
                | "seed:psm-vault.dead-shares"
                | "param:psm.min-vault-supply"
        )
    }
}

/// The suite's and the mocks' built WASM (see `deploy::artifacts`), one per
/// test binary.
pub fn artifacts() -> &'static Artifacts {
    static ARTIFACTS: OnceLock<Artifacts> = OnceLock::new();
    ARTIFACTS.get_or_init(|| deploy::artifacts(deploy::plan::workspace_root()))
}

/// The built WASM of registry library `lib` (`vault`, `al_asset`, ...).
///
/// # Panics
/// If the build fails or the file is missing.
pub fn wasm(lib: &str) -> Vec<u8> {
    artifacts()
        .wasm(lib)
        .unwrap_or_else(|e| panic!("WASM of {lib}: {e}"))
}

/// Decoding a [`CallError`]'s revert as one error of an error enum.
pub trait Reverted {
    /// The revert decoded as one of the errors of `E` (a contract's error
    /// enum or an interface's `...Errors`).
    fn decode<E: SolInterface>(&self) -> Option<E>;

    /// The raw revert data (empty for backend failures).
    fn data(&self) -> &[u8];
}

impl Reverted for CallError {
    fn decode<E: SolInterface>(&self) -> Option<E> {
        match self {
            CallError::Reverted { data, .. } => E::abi_decode(data).ok(),
            CallError::Backend(_) => None,
        }
    }

    fn data(&self) -> &[u8] {
        match self {
            CallError::Reverted { data, .. } => data,
            CallError::Backend(_) => &[],
        }
    }
}

/// An in-process devnet owned by the test, as a [`Backend`] (through
/// [`InProcess`]). Any address can send; [`World::local`] funds senders.
#[derive(Debug)]
pub struct Local {
    /// The chain.
    pub chain: Devnet,
    sender: Address,
}

impl Local {
    /// `chain`, sending from [`DEV_ACCOUNT`] by default.
    pub fn new(chain: Devnet) -> Self {
        Self {
            chain,
            sender: DEV_ACCOUNT,
        }
    }

    fn backend(&mut self) -> InProcess<'_> {
        InProcess::with_sender(&mut self.chain, self.sender)
    }
}

impl Backend for Local {
    fn sender(&self) -> Address {
        self.sender
    }

    fn accounts(&self) -> Vec<Address> {
        vec![self.sender]
    }

    fn chain_id(&mut self) -> Result<u64, CallError> {
        self.backend().chain_id()
    }

    fn block_number(&mut self) -> Result<u64, CallError> {
        self.backend().block_number()
    }

    fn timestamp(&mut self) -> Result<u64, CallError> {
        self.backend().timestamp()
    }

    fn code(&mut self, address: Address) -> Result<Bytes, CallError> {
        self.backend().code(address)
    }

    fn deploy(&mut self, wasm: &[u8], constructor_args: &[u8]) -> Result<Deployed, CallError> {
        self.backend().deploy(wasm, constructor_args)
    }

    fn send_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
        value: U256,
    ) -> Result<Sent, CallError> {
        if self.chain.balance(from) < ether(1) {
            self.chain.fund(from, ether(1_000));
        }
        self.backend().send_as(from, to, calldata, value)
    }

    fn call_as(
        &mut self,
        from: Address,
        to: Address,
        calldata: Vec<u8>,
    ) -> Result<Bytes, CallError> {
        self.backend().call_as(from, to, calldata)
    }

    fn increase_time(&mut self, seconds: u64) -> Result<(), CallError> {
        self.backend().increase_time(seconds)
    }
}

/// A chain the tests drive, with what a test deployed on it (`at`: the
/// addresses, any `Copy`-friendly struct the test defines). Typed calls
/// panic with the call's signature on an unexpected failure
/// ([`World::try_send`] returns it). `w.send(w.at.vault, call)` borrows
/// correctly; a test adds its own helpers with a local trait implemented
/// for its `World<Local, Parts>`.
#[derive(Debug)]
pub struct World<B: Backend = Local, P = ()> {
    /// The backend (for [`BackendExt`] calls and the deploy plan).
    pub backend: B,
    /// What the test deployed.
    pub at: P,
}

impl World<Local> {
    /// A fresh in-process devnet (wall clock), sending from [`DEV_ACCOUNT`].
    pub fn local() -> Self {
        Self::new(Local::new(Devnet::new()))
    }

    /// A fresh in-process devnet whose clock starts at `timestamp` and
    /// moves only by [`World::warp`].
    pub fn local_at(timestamp: u64) -> Self {
        Self::new(Local::new(Devnet::with_config(DevnetConfig {
            clock: devnet::Clock::Manual(timestamp),
            ..DevnetConfig::default()
        })))
    }
}

impl<P> World<Local, P> {
    /// The in-process chain (receipts, events, balances, gas).
    pub fn chain(&mut self) -> &mut Devnet {
        &mut self.backend.chain
    }

    /// Saves the chain's state.
    pub fn snapshot(&mut self) -> SnapshotId {
        self.backend.chain.snapshot()
    }

    /// Restores the state saved as `id` (consumed with every later one).
    ///
    /// # Panics
    /// If `id` is unknown.
    pub fn restore(&mut self, id: SnapshotId) {
        assert!(self.backend.chain.revert_to(id), "unknown snapshot {id:?}");
    }

    /// Gives `who` `amount` wei of gas money.
    pub fn fund(&mut self, who: Address, amount: U256) {
        self.backend.chain.fund(who, amount);
    }
}

impl<B: Backend> World<B> {
    /// Drives `backend`.
    pub fn new(backend: B) -> Self {
        Self { backend, at: () }
    }
}

impl<B: Backend, P> World<B, P> {
    /// The same chain with `at` recorded as what was deployed.
    pub fn with<Q>(self, at: Q) -> World<B, Q> {
        World {
            backend: self.backend,
            at,
        }
    }

    /// The default sender (the deployer).
    pub fn sender(&self) -> Address {
        self.backend.sender()
    }

    /// Timestamp of the latest block.
    ///
    /// # Panics
    /// On a backend failure.
    pub fn now(&mut self) -> u64 {
        self.backend
            .timestamp()
            .unwrap_or_else(|e| panic!("timestamp: {e}"))
    }

    /// Deploys registry contract `lib` from the sender with
    /// `constructor_args` (`abi_encode_params` of the tuple in the order of
    /// its [`registry::Contract::constructor`]).
    ///
    /// # Panics
    /// An unknown library, missing WASM or a failing deployment.
    pub fn deploy(&mut self, lib: &str, constructor_args: Vec<u8>) -> Address {
        let contract =
            registry::by_lib(lib).unwrap_or_else(|| panic!("{lib}: not in the registry"));
        self.backend
            .deploy(&wasm(lib), &constructor_args)
            .unwrap_or_else(|e| {
                panic!(
                    "deploying {} ({}): {e}",
                    contract.package, contract.constructor
                )
            })
            .address
    }

    /// Runs the deploy plan with `config` (its steps accepted by `only`,
    /// see [`parts`]) from the sender; the manifest holds the addresses.
    ///
    /// # Panics
    /// A failing step.
    pub fn deploy_plan(&mut self, config: &Config, only: fn(&str) -> bool) -> Manifest {
        // Build stale WASM once per test binary (the plan's own artifacts
        // then find it fresh), not once per deployment.
        let _ = wasm("al_asset");
        let options = deploy::Options {
            only: Some(only),
            ..deploy::Options::default()
        };
        deploy::deploy(&mut self.backend, config, None, options)
            .unwrap_or_else(|e| panic!("deploy plan: {e:#}"))
    }

    /// Sends `call` from `from`; its failure, if any.
    ///
    /// # Errors
    /// The revert (decode it with [`CallError::as_error`] or [`Reverted::decode`]).
    pub fn try_send<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: C,
    ) -> Result<C::Return, CallError> {
        self.backend.send_from(from, to, &call)
    }

    /// Sends `call` from `from`, which must succeed.
    ///
    /// # Panics
    /// If it fails (with the call's signature and the revert).
    pub fn send_from<C: SolCall>(&mut self, from: Address, to: Address, call: C) -> C::Return {
        self.try_send(from, to, call)
            .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
    }

    /// Sends `call` from the default sender, which must succeed.
    ///
    /// # Panics
    /// If it fails.
    pub fn send<C: SolCall>(&mut self, to: Address, call: C) -> C::Return {
        let from = self.sender();
        self.send_from(from, to, call)
    }

    /// Reads `call` (`eth_call` from the default sender); its failure, if any.
    ///
    /// # Errors
    /// The revert.
    pub fn try_view<C: SolCall>(&mut self, to: Address, call: C) -> Result<C::Return, CallError> {
        self.backend.view(to, &call)
    }

    /// Reads `call`, which must succeed.
    ///
    /// # Panics
    /// If it fails.
    pub fn view<C: SolCall>(&mut self, to: Address, call: C) -> C::Return {
        self.try_view(to, call)
            .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
    }

    /// `owner` approves `spender` for all of its `token` (any ERC-20: a
    /// mock, an ERC-4626's shares, the alAsset).
    ///
    /// # Panics
    /// If the approval fails.
    pub fn approve_max(&mut self, owner: Address, token: Address, spender: Address) {
        let call = interfaces::IErc20::approveCall {
            spender,
            value: U256::MAX,
        };
        self.send_from(owner, token, call);
    }

    /// Mints `amount` of the mock ERC-20 `token` to `to` (from the sender).
    ///
    /// # Panics
    /// If the mint fails.
    pub fn mint_mock(&mut self, token: Address, to: Address, amount: U256) {
        self.send(token, interfaces::IMockErc20::mintCall { to, amount });
    }

    /// Moves the clock forward by `seconds` (and mines a block).
    ///
    /// # Panics
    /// On a backend that cannot warp.
    pub fn warp(&mut self, seconds: u64) {
        self.backend
            .increase_time(seconds)
            .unwrap_or_else(|e| panic!("warp: {e}"));
    }
}
