//! Errors that every contract of the suite can raise for bad input.

use alloy_sol_types::sol;

sol! {
    /// An amount of zero was given where a positive amount is required.
    #[derive(Debug, PartialEq, Eq)]
    error ZeroAmount();
    /// The zero address was given where a contract or account is required.
    #[derive(Debug, PartialEq, Eq)]
    error ZeroAddress();
    /// The operation would give `actual`, less than the caller's `minimum`.
    #[derive(Debug, PartialEq, Eq)]
    error SlippageExceeded(uint256 actual, uint256 minimum);
    /// The entry path is paused by the guardian (exits never are).
    #[derive(Debug, PartialEq, Eq)]
    error EntryPaused();
}
