//! The contract registry, written once: every Stylus contract of the
//! workspace with its WASM library name, Cargo package, source folders and
//! constructor. The deploy plan ([`crate::plan::artifacts`]), the build tool
//! (`scripts/src/main.rs`, which includes this file with `#[path]` so that it
//! does not compile the deploy tool's dependencies) and the test kit
//! (`testkit`) all read it.
//!
//! Plain data with no dependencies, so that any crate can include it.

/// What a contract is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Deployed to production by the deploy plan.
    Suite,
    /// A test fixture the devnet profile deploys (never in production).
    Mock,
    /// A contract that exists only for the devnet's own tests.
    DevnetTest,
}

/// One Stylus contract crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contract {
    /// Library name: the WASM file stem in `target/stylus/` (`al_asset`).
    pub lib: &'static str,
    /// Cargo package (`cargo run -p scripts -- build PACKAGE`).
    pub package: &'static str,
    /// Folders (relative to the workspace root) whose changes make the WASM stale.
    pub sources: &'static [&'static str],
    /// The SDK `#[constructor]`'s parameters, Solidity-style (empty: none);
    /// encode the arguments with `abi_encode_params` of a tuple in this order.
    pub constructor: &'static str,
    /// What it is for.
    pub kind: Kind,
}

const COMMON: &str = "contracts/common/src";

/// Every Stylus contract of the workspace, sorted by package.
pub const CONTRACTS: &[Contract] = &[
    Contract {
        lib: "al_asset",
        package: "al-asset",
        sources: &["contracts/al-asset/src", COMMON],
        constructor: "string name, string symbol, address owner",
        kind: Kind::Suite,
    },
    Contract {
        lib: "devnet_test_callee",
        package: "devnet-test-callee",
        sources: &["devnet/tests/contracts/callee"],
        constructor: "uint256 initial",
        kind: Kind::DevnetTest,
    },
    Contract {
        lib: "devnet_test_caller",
        package: "devnet-test-caller",
        sources: &["devnet/tests/contracts/caller"],
        constructor: "",
        kind: Kind::DevnetTest,
    },
    Contract {
        lib: "mock_erc20",
        package: "mock-erc20",
        sources: &["contracts/mocks/erc20/src", COMMON],
        constructor: "string name, string symbol, uint8 decimals, address owner",
        kind: Kind::Mock,
    },
    Contract {
        lib: "mock_erc4626",
        package: "mock-erc4626",
        sources: &["contracts/mocks/erc4626/src", COMMON],
        constructor:
            "address asset, string name, string symbol, uint8 decimalsOffset, address owner",
        kind: Kind::Mock,
    },
    Contract {
        lib: "rate_controller",
        package: "rate-controller",
        sources: &["contracts/rate-controller/src", COMMON],
        constructor: "address owner",
        kind: Kind::Suite,
    },
    Contract {
        lib: "psm",
        package: "suite-psm",
        sources: &["contracts/psm/src", COMMON],
        constructor: "address owner, address alAsset, address psmAsset, address psmVault, \
                      address treasury, uint64 windowSeconds, uint256 minVaultSupply",
        kind: Kind::Suite,
    },
    Contract {
        lib: "transmuter",
        package: "transmuter",
        sources: &["contracts/transmuter/src", COMMON],
        constructor: "address owner, address alAsset, address vault, address collateral, \
                      address treasury, uint64 term, uint256 depositCap",
        kind: Kind::Suite,
    },
    Contract {
        lib: "twap_oracle",
        package: "twap-oracle",
        sources: &["contracts/twap-oracle/src", COMMON],
        constructor: "address owner, address pool, address alAsset, address expansionRecipient, \
                      uint256 sampleInterval, uint256 minSamples",
        kind: Kind::Suite,
    },
    Contract {
        lib: "v2_pool",
        package: "v2-pool",
        sources: &["contracts/mocks/v2-pool/src", COMMON],
        constructor: "address tokenA, address tokenB",
        kind: Kind::Mock,
    },
    Contract {
        lib: "vault",
        package: "vault",
        sources: &["contracts/vault/src", COMMON],
        constructor: "address owner, address alAsset, address collateral, address treasury, \
                      uint256 debtCeiling, uint256 minDebt",
        kind: Kind::Suite,
    },
];

/// The contract whose WASM library is `lib`.
pub fn by_lib(lib: &str) -> Option<&'static Contract> {
    CONTRACTS.iter().find(|c| c.lib == lib)
}

/// The contract of Cargo package `package`.
pub fn by_package(package: &str) -> Option<&'static Contract> {
    CONTRACTS.iter().find(|c| c.package == package)
}
