//! Each contract's ABI for the manifest, from the Solidity interfaces in
//! `suite-common` (`contracts/common/src/interfaces`): the same text every
//! contract compiles its cross-contract calls against and every host-side
//! test expands with `sol!`, here expanded with `#[sol(abi)]` to a JSON ABI.
//!
//! (The SDK's `export-abi` cannot be used today: `suite-common` does not
//! compile with `stylus-sdk/export-abi` enabled, because its nested error
//! enums are not `SolError`s, and the contract crates have no `export-abi`
//! binary. The interface files carry the functions only; errors and events
//! are in each contract's source.)

use alloy_json_abi::JsonAbi;

/// Expands an interface block with its JSON ABI (`IName::abi::contract()`).
macro_rules! sol_with_abi {
    ($($tokens:tt)*) => {
        alloy_sol_types::sol! {
            #[sol(abi)]
            $($tokens)*
        }
    };
}

/// Host-side call types of every interface (`IVault::borrowCall`, ...),
/// with their JSON ABI (`IVault::abi::contract()`).
#[allow(missing_docs, clippy::too_many_arguments, non_snake_case)]
pub mod interfaces {
    suite_common::al_asset_abi!(sol_with_abi);
    suite_common::vault_abi!(sol_with_abi);
    suite_common::rate_controller_abi!(sol_with_abi);
    suite_common::psm_abi!(sol_with_abi);
    suite_common::transmuter_abi!(sol_with_abi);
    suite_common::twap_oracle_abi!(sol_with_abi);
    suite_common::mock_erc20_abi!(sol_with_abi);
    suite_common::mock_erc4626_abi!(sol_with_abi);
    suite_common::v2_pool_abi!(sol_with_abi);
    suite_common::erc20_abi!(sol_with_abi);
    suite_common::erc4626_abi!(sol_with_abi);
    suite_common::uniswap_v2_pair_abi!(sol_with_abi);
}

/// The JSON ABI and Solidity interface name of a suite contract, by its
/// manifest key (`alAsset`, `vault`, `rateController`, `psm`, `transmuter`,
/// `twapOracle`, `asset`, `collateral`, `psmVault`, `pool`). `mock` says
/// whether `asset` … `pool` are the test fixtures (else the standard
/// ERC-20 / ERC-4626 / V2-pair interfaces are given).
pub fn abi_of(key: &str, mock: bool) -> Option<(&'static str, JsonAbi)> {
    use interfaces::*;
    Some(match key {
        "asset" if !mock => ("IErc20", IErc20::abi::contract()),
        "collateral" | "psmVault" if !mock => ("IErc4626", IErc4626::abi::contract()),
        "pool" if !mock => ("IUniswapV2Pair", IUniswapV2Pair::abi::contract()),
        "alAsset" => ("IAlAsset", IAlAsset::abi::contract()),
        "vault" => ("IVault", IVault::abi::contract()),
        "rateController" => ("IRateController", IRateController::abi::contract()),
        "psm" => ("IPsm", IPsm::abi::contract()),
        "transmuter" => ("ITransmuter", ITransmuter::abi::contract()),
        "twapOracle" => ("ITwapOracle", ITwapOracle::abi::contract()),
        "asset" => ("IMockErc20", IMockErc20::abi::contract()),
        "collateral" | "psmVault" => ("IMockErc4626", IMockErc4626::abi::contract()),
        "pool" => ("IV2Pool", IV2Pool::abi::contract()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::abi_of;

    #[test]
    fn every_suite_contract_has_an_abi_with_its_functions() {
        for (key, function) in [
            ("alAsset", "mint"),
            ("vault", "borrow"),
            ("rateController", "update"),
            ("psm", "sell"),
            ("transmuter", "createRedemption"),
            ("twapOracle", "advanceEpoch"),
            ("pool", "swapExactIn"),
        ] {
            let (name, abi) = abi_of(key, true).unwrap();
            assert!(
                abi.functions.contains_key(function),
                "{name} lacks {function}"
            );
            let solidity = abi.to_sol(name, None);
            assert!(
                solidity.contains(&format!("function {function}(")),
                "{solidity}"
            );
        }
        assert!(abi_of("nothing", true).is_none());
        let (name, abi) = abi_of("pool", false).unwrap();
        assert_eq!(name, "IUniswapV2Pair");
        assert!(!abi.functions.contains_key("swapExactIn"));
    }
}
