//! Unit tests of the MockErc20.

use super::*;
use alloy_primitives::{address, B256};
use alloy_sol_types::SolEvent;
use stylus_sdk::testing::TestVM;
use suite_common::{
    access::OwnableInvalidOwner,
    erc20::{
        ERC20InsufficientBalance, ERC20InvalidReceiver, ERC20InvalidSender, InvalidShortString,
        Transfer,
    },
    math::ArithmeticOverflow,
};

const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const ALICE: Address = address!("00000000000000000000000000000000000000a2");
const BOB: Address = address!("00000000000000000000000000000000000000a3");

fn deploy(vm: &TestVM, decimals: u8) -> MockErc20 {
    let mut token = MockErc20::from(vm);
    token
        .constructor("Mock USDC".into(), "mUSDC".into(), decimals, OWNER)
        .unwrap();
    token
}

fn u(x: u64) -> U256 {
    U256::from(x)
}

#[test]
fn constructor_sets_metadata_and_any_decimals() {
    for decimals in [6u8, 8, 18, 0, 24] {
        let vm = TestVM::default();
        let token = deploy(&vm, decimals);
        assert_eq!(token.decimals(), decimals);
        assert_eq!(token.name(), "Mock USDC");
        assert_eq!(token.symbol(), "mUSDC");
        assert_eq!(token.total_supply(), U256::ZERO);
        assert_eq!(token.owner(), OWNER);
    }
}

#[test]
fn constructor_errors() {
    let vm = TestVM::default();
    let mut token = MockErc20::from(&vm);
    assert_eq!(
        token.constructor("Mock".into(), "M".into(), 6, Address::ZERO),
        Err(MockErc20Error::Access(AccessError::InvalidOwner(
            OwnableInvalidOwner {
                owner: Address::ZERO
            }
        )))
    );
    assert_eq!(
        token.constructor(String::new(), "M".into(), 6, OWNER),
        Err(MockErc20Error::Erc20(Erc20Error::InvalidShortString(
            InvalidShortString { length: U256::ZERO }
        )))
    );
}

#[test]
fn mint_is_open_and_emits_transfer() {
    let vm = TestVM::default();
    let mut token = deploy(&vm, 6);
    vm.set_sender(BOB); // not the owner
    token.mint(ALICE, u(1_000_000)).unwrap();
    assert_eq!(token.balance_of(ALICE), u(1_000_000));
    assert_eq!(token.total_supply(), u(1_000_000));
    let logs = vm.get_emitted_logs();
    let (topics, data) = logs.last().unwrap();
    assert_eq!(
        topics,
        &vec![Transfer::SIGNATURE_HASH, B256::ZERO, ALICE.into_word()]
    );
    assert_eq!(data, &B256::from(u(1_000_000)).to_vec());
}

#[test]
fn mint_errors() {
    let vm = TestVM::default();
    let mut token = deploy(&vm, 18);
    assert_eq!(
        token.mint(Address::ZERO, u(1)),
        Err(MockErc20Error::Erc20(Erc20Error::InvalidReceiver(
            ERC20InvalidReceiver {
                receiver: Address::ZERO
            }
        )))
    );
    token.mint(ALICE, U256::MAX).unwrap();
    assert_eq!(
        token.mint(BOB, u(1)),
        Err(MockErc20Error::Erc20(Erc20Error::Overflow(
            ArithmeticOverflow {
                a: U256::MAX,
                b: u(1)
            }
        )))
    );
}

#[test]
fn burn_is_open_without_allowance() {
    let vm = TestVM::default();
    let mut token = deploy(&vm, 8);
    token.mint(ALICE, u(500)).unwrap();
    vm.set_sender(BOB);
    token.burn(ALICE, u(200)).unwrap();
    assert_eq!(token.balance_of(ALICE), u(300));
    assert_eq!(token.total_supply(), u(300));
    let logs = vm.get_emitted_logs();
    let (topics, _) = logs.last().unwrap();
    assert_eq!(
        topics,
        &vec![Transfer::SIGNATURE_HASH, ALICE.into_word(), B256::ZERO]
    );
}

#[test]
fn burn_errors() {
    let vm = TestVM::default();
    let mut token = deploy(&vm, 8);
    token.mint(ALICE, u(5)).unwrap();
    assert_eq!(
        token.burn(ALICE, u(6)),
        Err(MockErc20Error::Erc20(Erc20Error::InsufficientBalance(
            ERC20InsufficientBalance {
                sender: ALICE,
                balance: u(5),
                needed: u(6)
            }
        )))
    );
    assert_eq!(
        token.burn(Address::ZERO, u(1)),
        Err(MockErc20Error::Erc20(Erc20Error::InvalidSender(
            ERC20InvalidSender {
                sender: Address::ZERO
            }
        )))
    );
}

#[test]
fn erc20_functions_work() {
    let vm = TestVM::default();
    let mut token = deploy(&vm, 6);
    token.mint(ALICE, u(100)).unwrap();
    vm.set_sender(ALICE);
    assert_eq!(token.transfer(BOB, u(10)), Ok(true));
    assert_eq!(token.approve(BOB, u(50)), Ok(true));
    vm.set_sender(BOB);
    assert_eq!(token.transfer_from(ALICE, BOB, u(20)), Ok(true));
    assert_eq!(token.balance_of(ALICE), u(70));
    assert_eq!(token.balance_of(BOB), u(30));
    assert_eq!(token.allowance(ALICE, BOB), u(30));
}
