//! ABI of the vault (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// Vault (CDP), contracts/vault. Parameter ids (`setParameter`,
/// `ParameterSet`): 0 maxLtvBps, 1 liquidationLtvBps, 2 closeFactorBps,
/// 3 maxBonusBps, 4 minDebt, 5 debtCeiling, 6 redemptionFeeBps. Peer ids
/// (`setPeer`, `peers()` order): 0 alAsset, 1 collateral, 2 rateController,
/// 3 transmuter, 4 treasury. Errors and events: see contracts/vault/src/lib.rs.
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
                function releaseEarmarked(uint256 shares, address to, uint256 burnAmount) external returns (uint256);

                function setPeer(uint8 which, address peer) external;
                function setParameter(uint8 parameter, uint256 value) external;
                function setPaused(bool paused) external;

                function totals() external view returns (uint256 collateralValue, uint256 freeDebt, uint256 paidDebt, uint256 earmarkedShares, uint256 badDebt);
                function accountOf(address account) external view returns (uint256 shares, uint256 collateralValue, uint256 debt, bool redeemable, uint256 ltvBps, uint256 maxBorrowable);
                function healthFactor(address account) external view returns (uint256);
                function parameters() external view returns (uint256 maxLtvBps, uint256 liquidationLtvBps, uint256 closeFactorBps, uint256 maxBonusBps, uint256 minDebt, uint256 debtCeiling, uint256 redemptionFeeBps);
                function peers() external view returns (address alAsset, address collateral, address rateController, address transmuter, address treasury);
                function paused() external view returns (bool);
                function state() external view returns (uint256 paidIndexRay, uint256 paidPrincipal, uint256 lastAccrual, uint256 pendingInterest, uint256 earmarkedDebt, uint256 earmarkShortfall, uint256 earmarkProduct, uint256 earmarkEpoch, uint256 earmarkScale);

                function owner() external view returns (address);
                function pendingOwner() external view returns (address);
                function guardian() external view returns (address);
                function transferOwnership(address newOwner) external;
                function acceptOwnership() external;
                function setGuardian(address guardian) external;
            }
        }
    };
}
