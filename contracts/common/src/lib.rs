//! Shared building blocks of the stablecoin suite's Stylus contracts.
//!
//! * [`math`]: full-precision fixed-point arithmetic (`mul_div` with an explicit
//!   rounding direction, WAD and basis-point helpers, decimals conversion) and
//!   checked arithmetic that fails with a custom error instead of wrapping.
//! * [`access`]: two-step ownership, a guardian, and the `IOwnable` ABI that
//!   every contract of the suite exposes.
//! * [`interfaces`]: the `sol_interface!` definitions the contracts use to call
//!   each other (and the ERC-20 / ERC-4626 / Uniswap-V2 interfaces they call).
//!
//! The crate is `no_std` so that it adds nothing but the code each contract uses.
#![cfg_attr(not(test), no_std)]
#[macro_use]
extern crate alloc;

pub mod abi;
pub mod access;
pub mod erc20;
pub mod errors;
pub mod events;
pub mod fixed_exp;
pub mod interfaces;
pub mod math;
pub mod uq112;

/// Implements the SDK's `MethodError` for an error enum derived with
/// `#[derive(SolidityError)]`, so that it can itself be a variant of another
/// contract's error enum (the revert data is the inner error's ABI encoding).
#[macro_export]
macro_rules! nested_error {
    ($ty:ty) => {
        impl stylus_sdk::stylus_core::errors::MethodError for $ty {
            fn encode(self) -> alloc::vec::Vec<u8> {
                self.into()
            }
        }
    };
}
