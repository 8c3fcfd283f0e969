//! The suite's own contracts as seen by their peers (and by tests).
//!
//! Each block lists the contract's ABI; the owner of a contract crate keeps
//! its block complete, since host-side tests expand the same text with
//! `alloy_sol_types::sol`.

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

/// Transmuter (fixed-term redemption), contracts/transmuter.
#[macro_export]
macro_rules! transmuter_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface ITransmuter {
                function createRedemption(uint256 amount) external returns (uint256 id);
                function claimRedemption(uint256 id) external;
                function totalPending() external view returns (uint256);
            }
        }
    };
}

/// Peg Stability Module, contracts/psm.
#[macro_export]
macro_rules! psm_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IPsm {
                function sell(uint256 coinIn, uint256 minAssetOut, address recipient) external returns (uint256 assetOut);
                function buy(uint256 assetIn, uint256 minCoinOut, address recipient) external returns (uint256 coinOut);
                function quoteSell(uint256 coinIn) external view returns (uint256 assetOut);
                function quoteBuy(uint256 assetIn) external view returns (uint256 coinOut, uint256 fee);
                function freePsmAssets() external view returns (uint256);
                function freePsmAssetsInCoin() external view returns (uint256);
                function harvest() external returns (uint256);
            }
        }
    };
}

/// TwapOracle, contracts/twap-oracle. `state()`: 0 Maintain, 1 Expansion, 2 Contraction.
#[macro_export]
macro_rules! twap_oracle_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface ITwapOracle {
                function sample() external;
                function advanceEpoch() external;
                function state() external view returns (uint8);
                function lastTwap() external view returns (uint256);
                function currentEpoch() external view returns (uint256);
            }
        }
    };
}

/// RateController, contracts/rate-controller.
#[macro_export]
macro_rules! rate_controller_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IRateController {
                function update(uint256 freeDebt, uint256 paidDebt) external returns (uint256 ratePerSecondWad, uint256 accruedFactorWad);
                function rate() external view returns (uint256 ratePerSecondWad);
                function previewRate(uint256 freeDebt, uint256 paidDebt) external view returns (uint256 ratePerSecondWad, uint256 accruedFactorWad);
            }
        }
    };
}
