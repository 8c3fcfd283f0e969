//! ABI of the transmuter (its crate's owner keeps this block complete:
//! host-side tests expand the same text with `alloy_sol_types::sol`).

/// Transmuter (fixed-term redemption), contracts/transmuter. Errors and
/// events: see contracts/transmuter/src/lib.rs.
#[macro_export]
macro_rules! transmuter_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface ITransmuter {
                function createRedemption(uint256 amount) external returns (uint256 id);
                function claimRedemption(uint256 id) external;
                function transferPosition(uint256 id, address to) external;

                function positionsOf(address owner) external view returns (uint256[] ids);
                function position(uint256 id) external view returns (address owner, uint256 amount, uint64 start, uint64 maturity, uint256 shares, bool claimed);
                function queue(uint64 numDays) external view returns (uint256 pending, uint256[] maturing);
                function totalPending() external view returns (uint256);
                function impliedApr(uint256 price) external view returns (uint256);
                function term() external view returns (uint64);
                function depositCap() external view returns (uint256);
                function entryPaused() external view returns (bool);
                function peers() external view returns (address alAsset, address vault, address collateral, address underlying, address treasury);

                function setTerm(uint64 term) external;
                function setDepositCap(uint256 cap) external;
                function setEntryPaused(bool paused) external;

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
