//! The alAsset debt token (contracts/al-asset).

/// ABI of the alAsset: ERC-20 + EIP-2612 permit + minters with ceilings.
#[macro_export]
macro_rules! al_asset_abi {
    ($($m:ident)::+) => {
        $($m)::+! {
            interface IAlAsset {
                function name() external view returns (string);
                function symbol() external view returns (string);
                function decimals() external view returns (uint8);
                function totalSupply() external view returns (uint256);
                function balanceOf(address account) external view returns (uint256);
                function allowance(address owner, address spender) external view returns (uint256);
                function transfer(address to, uint256 value) external returns (bool);
                function approve(address spender, uint256 value) external returns (bool);
                function transferFrom(address from, address to, uint256 value) external returns (bool);

                function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external;
                function nonces(address owner) external view returns (uint256);
                function DOMAIN_SEPARATOR() external view returns (bytes32);

                function mint(address to, uint256 amount) external;
                function burn(uint256 amount) external;
                function burnFrom(address from, uint256 amount) external;
                function burnedByHolders() external view returns (uint256);

                function addMinter(address minter, uint256 ceiling) external;
                function setMinterCeiling(address minter, uint256 ceiling) external;
                function setMinterPaused(address minter, bool paused) external;
                function minterInfo(address minter) external view returns (bool active, bool paused, uint256 ceiling, uint256 outstanding);

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
