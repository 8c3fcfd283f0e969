//! The receipt's per-frame gas trace (`Receipt::frames`): one entry per Stylus frame in call
//! order, children's gas accounted in their parent, storage / call / log counters.

mod common;

use alloy_primitives::U256;
use alloy_sol_types::{sol, SolCall, SolValue};
use common::{devnet_with_account, wasm};
use devnet::TxRequest;

sol! {
    interface ICallee {
        function set(uint256 value) external;
    }
    interface ICaller {
        function callSet(address target, uint256 value) external;
    }
}

#[test]
fn frames_split_the_gas_of_a_call_between_caller_and_callee() {
    let (mut chain, user) = devnet_with_account(0x51);
    let callee = chain
        .deploy_wasm(
            user,
            &wasm("devnet_test_callee"),
            Some(&(U256::from(7),).abi_encode_params()),
        )
        .expect("deploy callee")
        .address;
    let caller = chain
        .deploy_wasm(user, &wasm("devnet_test_caller"), None)
        .expect("deploy caller")
        .address;
    let call = ICaller::callSetCall {
        target: callee,
        value: U256::from(9),
    };
    let receipt = chain
        .transact(TxRequest::call(user, caller, call.abi_encode()))
        .expect("valid transaction");
    assert!(receipt.status, "{:?}", receipt.revert());

    let frames = &receipt.frames;
    assert_eq!(frames.len(), 2, "{frames:#?}");
    let (outer, inner) = (frames[0], frames[1]);
    assert_eq!((outer.address, outer.depth), (caller, 0));
    assert_eq!((inner.address, inner.depth), (callee, 1));
    assert_eq!(outer.selector, ICaller::callSetCall::SELECTOR);
    assert_eq!(inner.selector, ICallee::setCall::SELECTOR);
    assert!(outer.success && inner.success);
    // The caller paid the callee's whole frame, entry included.
    assert_eq!(outer.children_gas, inner.gas_used);
    assert_eq!(inner.children_gas, 0);
    assert!(inner.entry_gas > 0 && inner.entry_gas < inner.gas_used);
    assert!(outer.gas_used > inner.gas_used);
    // The transaction's gas covers the top frame (plus the intrinsic cost).
    assert!(receipt.gas_used > outer.gas_used);
    // One cold account access for the callee.
    assert_eq!(outer.stats.calls, 1);
    assert_eq!(outer.stats.call_access_gas, 2_600);
    // The callee stored a nonzero value over 7 (a reset: 2,900) and logged `ValueSet`.
    assert!(inner.stats.sstores >= 1);
    assert!(inner.stats.sstore_gas >= 2_900);
    assert!(inner.stats.log_gas > 0);
}
