// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.28;

// The devnet's predeploy at 0xcEcba2F1DC234f70Dd89F2041029807F8D03A990: ABI- and
// behaviour-compatible with Arbitrum's StylusDeployer (what `cargo stylus deploy` calls):
// create (or create2 with a salt bound to the init data), activate through ArbWasm when the
// code hash is not active yet, call the constructor / init data, refund what is left.
//
// Compiled runtime bytecode: `predeploys.rs` (DEPLOYER_RUNTIME); regenerate with
// `node devnet/src/node/compile-deployer.js` (solc 0.8.28, optimizer on, 200 runs).

interface IArbWasm {
    function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
    function codehashVersion(bytes32 codehash) external view returns (uint16 version);
    function stylusVersion() external view returns (uint16 version);
}

contract StylusDeployer {
    IArbWasm private constant ARB_WASM = IArbWasm(address(0x71));

    event ContractDeployed(address deployedContract);

    error ContractDeploymentError(bytes bytecode);
    error ContractInitializationError(address newContract, bytes data);
    error RefundExcessValueError(uint256 excessValue);
    error EmptyBytecode();
    error InitValueButNotInitData();

    /// Deploys `bytecode` (CREATE, or CREATE2 with `initSalt(salt, initData)` when `salt` is
    /// non-zero), activates it if needed with `msg.value - initValue`, calls it with
    /// `initData` and `initValue` when `initData` is not empty, refunds the rest to the caller.
    function deploy(bytes calldata bytecode, bytes calldata initData, uint256 initValue, bytes32 salt)
        external
        payable
        returns (address program)
    {
        if (bytecode.length == 0) revert EmptyBytecode();
        bytes memory code = bytecode;
        if (salt != 0) {
            bytes32 bound = initSalt(salt, initData);
            assembly {
                program := create2(0, add(code, 0x20), mload(code), bound)
            }
        } else {
            assembly {
                program := create(0, add(code, 0x20), mload(code))
            }
        }
        if (program == address(0)) {
            assembly {
                if returndatasize() {
                    let p := mload(0x40)
                    returndatacopy(p, 0, returndatasize())
                    revert(p, returndatasize())
                }
            }
            revert ContractDeploymentError(bytecode);
        }

        uint256 dataFee;
        if (requiresActivation(program)) {
            (, dataFee) = ARB_WASM.activateProgram{value: msg.value - initValue}(program);
        }

        if (initData.length != 0) {
            (bool ok, bytes memory data) = program.call{value: initValue}(initData);
            if (!ok) revert ContractInitializationError(program, data);
        } else if (initValue != 0) {
            revert InitValueButNotInitData();
        }

        uint256 rest = msg.value - dataFee - initValue;
        if (rest != 0) {
            (bool sent,) = payable(msg.sender).call{value: rest}("");
            if (!sent) revert RefundExcessValueError(rest);
        }
        emit ContractDeployed(program);
    }

    /// The CREATE2 salt used for `salt` and `initData`.
    function initSalt(bytes32 salt, bytes calldata initData) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(salt, initData));
    }

    /// Whether the code at `program` still needs activation.
    function requiresActivation(address program) public view returns (bool) {
        uint16 version;
        try ARB_WASM.codehashVersion(program.codehash) returns (uint16 v) {
            version = v;
        } catch {
            version = 0;
        }
        return version != ARB_WASM.stylusVersion();
    }
}
