//! ABI of the test fixtures (contracts/mocks; test only, never deployed to
//! production). Their crates' owner keeps these blocks complete: host-side
//! tests expand the same text with `alloy_sol_types::sol`.

/// MockErc20 (contracts/mocks/erc20): ERC-20 with configurable decimals and
/// open `mint`/`burn`.
#[macro_export]
macro_rules! mock_erc20_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IMockErc20 {
                function name() external view returns (string);
                function symbol() external view returns (string);
                function decimals() external view returns (uint8);
                function totalSupply() external view returns (uint256);
                function balanceOf(address account) external view returns (uint256);
                function allowance(address owner, address spender) external view returns (uint256);
                function transfer(address to, uint256 value) external returns (bool);
                function approve(address spender, uint256 value) external returns (bool);
                function transferFrom(address from, address to, uint256 value) external returns (bool);

                function mint(address to, uint256 amount) external;
                function burn(address from, uint256 amount) external;

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

/// MockErc4626 (contracts/mocks/erc4626): ERC-4626 vault with a virtual
/// offset over a MockErc20, plus the `simulateYield` / `simulateLoss` hooks.
#[macro_export]
macro_rules! mock_erc4626_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IMockErc4626 {
                function name() external view returns (string);
                function symbol() external view returns (string);
                function decimals() external view returns (uint8);
                function totalSupply() external view returns (uint256);
                function balanceOf(address account) external view returns (uint256);
                function allowance(address owner, address spender) external view returns (uint256);
                function transfer(address to, uint256 value) external returns (bool);
                function approve(address spender, uint256 value) external returns (bool);
                function transferFrom(address from, address to, uint256 value) external returns (bool);

                function asset() external view returns (address);
                function totalAssets() external view returns (uint256);
                function convertToShares(uint256 assets) external view returns (uint256);
                function convertToAssets(uint256 shares) external view returns (uint256);
                function maxDeposit(address receiver) external view returns (uint256);
                function maxMint(address receiver) external view returns (uint256);
                function maxWithdraw(address owner) external view returns (uint256);
                function maxRedeem(address owner) external view returns (uint256);
                function previewDeposit(uint256 assets) external view returns (uint256);
                function previewMint(uint256 shares) external view returns (uint256);
                function previewWithdraw(uint256 assets) external view returns (uint256);
                function previewRedeem(uint256 shares) external view returns (uint256);
                function deposit(uint256 assets, address receiver) external returns (uint256);
                function mint(uint256 shares, address receiver) external returns (uint256);
                function withdraw(uint256 assets, address receiver, address owner) external returns (uint256);
                function redeem(uint256 shares, address receiver, address owner) external returns (uint256);

                function decimalsOffset() external view returns (uint8);
                function simulateYield(uint256 bps) external returns (uint256 assetsAdded);
                function simulateLoss(uint256 bps) external returns (uint256 assetsRemoved);

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
