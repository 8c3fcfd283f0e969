//! The deployment plan on the in-process devnet: everything deployed, wired
//! and seeded as configured; the manifest loads back; a re-run resumes.

use alloy_primitives::{Address, U256};
use deploy::{
    interfaces::{IAlAsset, IPsm, IRateController, ITwapOracle, IV2Pool, IVault},
    BackendExt, Config, InProcess, Manifest,
};
use devnet::{Devnet, DEV_ACCOUNT};

fn e18(v: u64) -> U256 {
    U256::from(v) * U256::from(10u64).pow(U256::from(18))
}

#[test]
fn devnet_deployment_is_wired_seeded_and_resumable() {
    let mut chain = Devnet::new();
    let config = Config::devnet_default();
    let dir = std::env::temp_dir().join(format!("deploy-test-{}", std::process::id()));
    let path = dir.join("manifest.json");
    let manifest = {
        let mut backend = InProcess::new(&mut chain);
        deploy::deploy(
            &mut backend,
            &config,
            None,
            deploy::Options {
                manifest_path: Some(path.clone()),
                ..Default::default()
            },
        )
        .unwrap()
    };
    assert!(manifest.complete);
    assert_eq!(manifest.chain_id, 412_346);
    let s = manifest.suite().unwrap();
    let mut b = InProcess::new(&mut chain);

    // Minters and ceilings.
    for (minter, ceiling) in [
        (s.vault, e18(100_000_000)),
        (s.psm, e18(10_000_000)),
        (s.twap_oracle, e18(1_000_000)),
    ] {
        let info = b
            .view(s.al_asset, &IAlAsset::minterInfoCall { minter })
            .unwrap();
        assert!(info.active && !info.paused);
        assert_eq!(info.ceiling, ceiling);
    }
    // Peers.
    let peers = b.view(s.vault, &IVault::peersCall {}).unwrap();
    assert_eq!(
        (peers.rateController, peers.transmuter),
        (s.rate_controller, s.transmuter)
    );
    assert_eq!(
        b.view(s.rate_controller, &IRateController::vaultCall {})
            .unwrap(),
        s.vault
    );
    assert_eq!(
        b.view(s.rate_controller, &IRateController::psmCall {})
            .unwrap(),
        s.psm
    );
    assert_eq!(
        b.view(s.rate_controller, &IRateController::oracleCall {})
            .unwrap(),
        s.twap_oracle
    );
    let oracle_peers = b.view(s.twap_oracle, &ITwapOracle::peersCall {}).unwrap();
    assert_eq!(
        (
            oracle_peers.pool,
            oracle_peers.vault,
            oracle_peers.psm,
            oracle_peers.transmuter
        ),
        (s.pool, s.vault, s.psm, s.transmuter)
    );
    // A second wiring is refused by the contracts (set once).
    assert!(b
        .send(
            s.vault,
            &IVault::setPeerCall {
                which: 3,
                peer: Address::repeat_byte(9)
            }
        )
        .is_err());
    // The pool holds 1,000,000 / 1,000,000 at 1.00; the alUSD came through the PSM.
    let reserves = b.view(s.pool, &IV2Pool::getReservesCall {}).unwrap();
    let (r_al, r_usd) = if s.al_asset < s.asset {
        (U256::from(reserves.reserve0), U256::from(reserves.reserve1))
    } else {
        (U256::from(reserves.reserve1), U256::from(reserves.reserve0))
    };
    assert_eq!(
        (r_al, r_usd),
        (e18(1_000_000), U256::from(1_000_000_000_000u64))
    );
    assert_eq!(
        b.view(s.psm, &IPsm::freePsmAssetsCall {}).unwrap(),
        U256::from(1_000_000_000_000u64)
    );
    assert_eq!(
        b.view(s.al_asset, &IAlAsset::totalSupplyCall {}).unwrap(),
        e18(1_000_000)
    );
    assert!(b.view(s.psm, &IPsm::minVaultSupplyCall {}).unwrap() > U256::ZERO);
    // Roles: the deployer owns and guards everything (devnet defaults).
    for address in [
        s.al_asset,
        s.vault,
        s.rate_controller,
        s.psm,
        s.transmuter,
        s.twap_oracle,
    ] {
        assert_eq!(
            b.view(address, &IAlAsset::ownerCall {}).unwrap(),
            DEV_ACCOUNT
        );
        assert_eq!(
            b.view(address, &IAlAsset::guardianCall {}).unwrap(),
            DEV_ACCOUNT
        );
    }

    // The manifest on disk is what was returned and carries every ABI.
    let loaded = Manifest::load(&path).unwrap();
    assert_eq!(loaded, manifest);
    for key in [
        "alAsset",
        "vault",
        "rateController",
        "psm",
        "transmuter",
        "twapOracle",
        "pool",
    ] {
        let entry = &loaded.contracts[key];
        assert_eq!(entry.address, loaded.addresses[key]);
        assert!(!entry.abi.functions.is_empty(), "{key}");
        assert!(entry
            .solidity
            .contains(&format!("interface {}", entry.interface)));
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(json["chainId"], 412_346);
    assert!(json["contracts"]["vault"]["abi"].is_array());

    // A re-run with the complete manifest sends nothing.
    let block = b.chain.block_number();
    let again = deploy::deploy(&mut b, &config, Some(loaded.clone()), Default::default()).unwrap();
    assert_eq!(b.chain.block_number(), block);
    assert_eq!(again.addresses, loaded.addresses);

    // Interrupted after the oracle's deployment, with the last wiring
    // transaction sent but not recorded: the re-run deploys nothing again
    // and records the on-chain wiring as `already`.
    let mut partial = loaded.clone();
    let cut = partial
        .steps
        .iter()
        .position(|s| s.name == "wire:vault.rate-controller")
        .unwrap();
    partial.steps.truncate(cut + 1);
    partial.complete = false;
    partial.contracts.clear();
    let resumed = deploy::deploy(&mut b, &config, Some(partial), Default::default()).unwrap();
    assert_eq!(resumed.addresses, loaded.addresses);
    let step = |name: &str| {
        resumed
            .steps
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .status
            .clone()
    };
    assert_eq!(step("wire:vault.transmuter"), "already");
    assert_eq!(step("deploy:twap-oracle"), "done");
    assert!(resumed.complete);

    // A manifest from another configuration or chain is refused.
    let mut other = config.clone();
    other.vault.min_debt = "1".into();
    let error =
        deploy::deploy(&mut b, &other, Some(loaded.clone()), Default::default()).unwrap_err();
    assert!(
        error.to_string().contains("different configuration"),
        "{error}"
    );
    let mut wrong_chain = loaded;
    wrong_chain.chain_id = 1;
    let error = deploy::deploy(&mut b, &config, Some(wrong_chain), Default::default()).unwrap_err();
    assert!(error.to_string().contains("chain"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}
