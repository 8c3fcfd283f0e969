//! Solidity interfaces of the suite, written once and expanded twice.
//!
//! Each `*_abi!` macro holds one Solidity `interface` block and hands it to
//! the macro named by its argument:
//! * inside contracts, `sol_interface` generates the typed callers used for
//!   cross-contract calls (the `I*` types re-exported below);
//! * in host-side tests and tools, `alloy_sol_types::sol` generates the call
//!   and return types for the same ABI, e.g. `suite_common::al_asset_abi!(alloy_sol_types::sol);`.
//!
//! So a contract and its tests can never disagree on an ABI.
#![allow(missing_docs, non_snake_case, clippy::too_many_arguments)]

mod al_asset;
mod mocks;
mod psm;
mod rate_controller;
mod tokens;
mod transmuter;
mod twap_oracle;
mod v2_pool;
mod vault;

use crate::{
    al_asset_abi, erc20_abi, erc4626_abi, psm_abi, rate_controller_abi, transmuter_abi,
    twap_oracle_abi, uniswap_v2_pair_abi, vault_abi,
};
use crate::{mock_erc20_abi, mock_erc4626_abi};
use stylus_sdk::prelude::sol_interface;

al_asset_abi!(sol_interface);
erc20_abi!(sol_interface);
erc4626_abi!(sol_interface);
uniswap_v2_pair_abi!(sol_interface);
vault_abi!(sol_interface);
transmuter_abi!(sol_interface);
psm_abi!(sol_interface);
twap_oracle_abi!(sol_interface);
rate_controller_abi!(sol_interface);
mock_erc20_abi!(sol_interface);
mock_erc4626_abi!(sol_interface);
