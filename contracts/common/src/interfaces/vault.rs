//! ABI of the vault (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// Vault (CDP), contracts/vault.
#[macro_export]
macro_rules! vault_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IVault {
                function deposit(uint256 shares, address recipient) external;
                function withdraw(uint256 shares, address recipient) external;
                function borrow(uint256 amount, address recipient) external;
                function repay(uint256 amount, address account) external;
                function setRedeemable(bool redeemable) external;
                function liquidate(address account, uint256 repayAmount) external;
                function coverBadDebt(uint256 amount) external;
                function accrue() external;

                function earmark(uint256 amount) external returns (uint256 earmarkedShares);
                function releaseEarmarked(uint256 shares, address to, uint256 burnAmount) external;

                function totals() external view returns (uint256 collateralValue, uint256 freeDebt, uint256 paidDebt, uint256 earmarkedShares, uint256 badDebt);
                function accountOf(address account) external view returns (uint256 shares, uint256 collateralValue, uint256 debt, bool redeemable, uint256 ltvBps, uint256 maxBorrowable);
                function healthFactor(address account) external view returns (uint256);
            }
        }
    };
}
