//! Unit tests on the SDK's `TestVM`. `permit` signatures are checked end to
//! end (real secp256k1 keys, real ecrecover) in the devnet tests; here the
//! ecrecover precompile is mocked.

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::SolEvent;
use stylus_sdk::testing::TestVM;
use suite_common::{
    access::{
        GuardianUnauthorizedAccount, OwnableInvalidOwner, OwnableUnauthorizedAccount,
        OwnershipTransferred,
    },
    erc20::{
        Approval, ERC20InsufficientAllowance, ERC20InsufficientBalance, ERC20InvalidReceiver,
        ERC20InvalidSpender, InvalidShortString, Transfer,
    },
};

use super::*;

const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const GUARDIAN: Address = address!("00000000000000000000000000000000000000a2");
const MINTER: Address = address!("00000000000000000000000000000000000000b1");
const ALICE: Address = address!("00000000000000000000000000000000000000c1");
const BOB: Address = address!("00000000000000000000000000000000000000c2");

fn u(value: u64) -> U256 {
    U256::from(value)
}

fn deploy(vm: &TestVM) -> AlAsset {
    let mut token = AlAsset::from(vm);
    vm.set_sender(OWNER);
    token
        .constructor("Alchemix USD".into(), "alUSD".into(), OWNER)
        .unwrap();
    token
}

/// A token with `MINTER` (ceiling 1,000) that minted 100 to ALICE.
fn funded(vm: &TestVM) -> AlAsset {
    let mut token = deploy(vm);
    token.add_minter(MINTER, u(1_000)).unwrap();
    vm.set_sender(MINTER);
    token.mint(ALICE, u(100)).unwrap();
    token
}

/// The revert data of a failed call.
fn err<T: core::fmt::Debug, E: Into<Vec<u8>> + core::fmt::Debug>(result: Result<T, E>) -> Vec<u8> {
    result.unwrap_err().into()
}

fn encoded<E: alloy_sol_types::SolError>(error: E) -> Vec<u8> {
    error.abi_encode()
}

#[test]
fn constructor_sets_metadata_and_owner() {
    let vm = TestVM::default();
    let token = deploy(&vm);
    assert_eq!(token.name(), "Alchemix USD");
    assert_eq!(token.symbol(), "alUSD");
    assert_eq!(token.decimals(), 18);
    assert_eq!(token.total_supply(), U256::ZERO);
    assert_eq!(token.owner(), OWNER);
    let logs = vm.get_emitted_logs();
    assert_eq!(logs[0].0[0], OwnershipTransferred::SIGNATURE_HASH);
}

#[test]
fn constructor_rejects_bad_input() {
    let vm = TestVM::default();
    let mut token = AlAsset::from(&vm);
    assert_eq!(
        err(token.constructor("A".into(), "A".into(), Address::ZERO)),
        encoded(OwnableInvalidOwner {
            owner: Address::ZERO
        })
    );
    let long = "x".repeat(32);
    assert_eq!(
        err(token.constructor(long, "A".into(), OWNER)),
        encoded(InvalidShortString { length: u(32) })
    );
    assert_eq!(
        err(token.constructor("A".into(), "é".into(), OWNER)),
        encoded(InvalidShortString { length: u(2) })
    );
    assert_eq!(
        err(token.constructor("".into(), "A".into(), OWNER)),
        encoded(InvalidShortString { length: u(0) })
    );
}

#[test]
fn transfer_moves_balance_and_logs() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(ALICE);
    assert!(token.transfer(BOB, u(40)).unwrap());
    assert_eq!(token.balance_of(ALICE), u(60));
    assert_eq!(token.balance_of(BOB), u(40));
    assert_eq!(token.total_supply(), u(100));
    let (topics, data) = vm.get_emitted_logs().pop().unwrap();
    assert_eq!(
        topics,
        vec![Transfer::SIGNATURE_HASH, ALICE.into_word(), BOB.into_word()]
    );
    assert_eq!(data, u(40).to_be_bytes::<32>().to_vec());
}

#[test]
fn transfer_errors() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(ALICE);
    assert_eq!(
        err(token.transfer(BOB, u(101))),
        encoded(ERC20InsufficientBalance {
            sender: ALICE,
            balance: u(100),
            needed: u(101)
        })
    );
    assert_eq!(
        err(token.transfer(Address::ZERO, u(1))),
        encoded(ERC20InvalidReceiver {
            receiver: Address::ZERO
        })
    );
    assert_eq!(token.balance_of(ALICE), u(100));
}

#[test]
fn approve_and_transfer_from() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(ALICE);
    token.approve(BOB, u(50)).unwrap();
    let (topics, _) = vm.get_emitted_logs().pop().unwrap();
    assert_eq!(topics[0], Approval::SIGNATURE_HASH);
    assert_eq!(token.allowance(ALICE, BOB), u(50));

    vm.set_sender(BOB);
    assert_eq!(
        err(token.transfer_from(ALICE, BOB, u(51))),
        encoded(ERC20InsufficientAllowance {
            spender: BOB,
            allowance: u(50),
            needed: u(51)
        })
    );
    token.transfer_from(ALICE, BOB, u(30)).unwrap();
    assert_eq!(token.allowance(ALICE, BOB), u(20));
    assert_eq!(token.balance_of(BOB), u(30));

    // An infinite allowance is never lowered.
    vm.set_sender(ALICE);
    token.approve(BOB, U256::MAX).unwrap();
    vm.set_sender(BOB);
    token.transfer_from(ALICE, BOB, u(10)).unwrap();
    assert_eq!(token.allowance(ALICE, BOB), U256::MAX);

    vm.set_sender(ALICE);
    assert_eq!(
        err(token.approve(Address::ZERO, u(1))),
        encoded(ERC20InvalidSpender {
            spender: Address::ZERO
        })
    );
}

#[test]
fn minter_ceiling_and_outstanding() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    assert_eq!(token.minter_info(MINTER), (true, false, u(1_000), u(100)));
    vm.set_sender(MINTER);
    assert_eq!(
        err(token.mint(ALICE, u(901))),
        encoded(MinterCeilingExceeded {
            minter: MINTER,
            ceiling: u(1_000),
            outstanding: u(100),
            amount: u(901)
        })
    );
    token.mint(ALICE, u(900)).unwrap();
    assert_eq!(token.minter_info(MINTER).3, u(1_000));
    assert_eq!(
        err(token.mint(ALICE, U256::MAX)),
        encoded(MinterCeilingExceeded {
            minter: MINTER,
            ceiling: u(1_000),
            outstanding: u(1_000),
            amount: U256::MAX
        })
    );
    assert_eq!(err(token.mint(ALICE, U256::ZERO)), encoded(ZeroAmount {}));

    // The owner lowers the ceiling: only further mints stop.
    vm.set_sender(OWNER);
    token.set_minter_ceiling(MINTER, u(10)).unwrap();
    assert_eq!(token.minter_info(MINTER), (true, false, u(10), u(1_000)));
}

#[test]
fn outstanding_is_bounded_by_128_bits_even_under_an_unlimited_ceiling() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(OWNER);
    token.set_minter_ceiling(MINTER, U256::MAX).unwrap();
    vm.set_sender(MINTER);
    let max = U256::from(u128::MAX);
    // Up to 2^128 − 1 outstanding (100 already minted).
    token.mint(BOB, max - u(100)).unwrap();
    assert_eq!(token.minter_info(MINTER), (true, false, U256::MAX, max));
    assert_eq!(
        err(token.mint(BOB, u(1))),
        encoded(MinterCeilingExceeded {
            minter: MINTER,
            ceiling: U256::MAX,
            outstanding: max,
            amount: u(1)
        })
    );
    // Burning lowers it again; the packed flags are untouched.
    vm.set_sender(BOB);
    token.approve(MINTER, U256::MAX).unwrap();
    vm.set_sender(MINTER);
    token.burn_from(BOB, u(5)).unwrap();
    assert_eq!(
        token.minter_info(MINTER),
        (true, false, U256::MAX, max - u(5))
    );
}

#[test]
fn non_minters_cannot_mint_or_burn_from() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(ALICE);
    assert_eq!(
        err(token.mint(ALICE, u(1))),
        encoded(NotMinter { account: ALICE })
    );
    assert_eq!(
        err(token.burn_from(ALICE, u(1))),
        encoded(NotMinter { account: ALICE })
    );
}

#[test]
fn burn_from_spends_allowance_and_lowers_outstanding() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(MINTER);
    assert_eq!(
        err(token.burn_from(ALICE, u(10))),
        encoded(ERC20InsufficientAllowance {
            spender: MINTER,
            allowance: U256::ZERO,
            needed: u(10)
        })
    );
    vm.set_sender(ALICE);
    token.approve(MINTER, u(10)).unwrap();
    vm.set_sender(MINTER);
    token.burn_from(ALICE, u(10)).unwrap();
    assert_eq!(token.balance_of(ALICE), u(90));
    assert_eq!(token.total_supply(), u(90));
    assert_eq!(token.minter_info(MINTER).3, u(90));
    assert_eq!(token.allowance(ALICE, MINTER), U256::ZERO);
    let (topics, data) = vm.get_emitted_logs().pop().unwrap();
    assert_eq!(topics[0], MinterBurned::SIGNATURE_HASH);
    assert_eq!(&data[32..], &u(90).to_be_bytes::<32>());

    // A minter burning its own tokens needs no allowance.
    token.mint(MINTER, u(5)).unwrap();
    token.burn_from(MINTER, u(5)).unwrap();
    assert_eq!(token.balance_of(MINTER), U256::ZERO);
    assert_eq!(
        err(token.burn_from(ALICE, U256::ZERO)),
        encoded(ZeroAmount {})
    );
}

#[test]
fn holders_burn_their_own_tokens() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(ALICE);
    token.burn(u(30)).unwrap();
    assert_eq!(token.balance_of(ALICE), u(70));
    assert_eq!(token.total_supply(), u(70));
    assert_eq!(token.burned_by_holders(), u(30));
    // Supply identity: outstanding minted − burned by holders.
    assert_eq!(
        token.minter_info(MINTER).3 - token.burned_by_holders(),
        token.total_supply()
    );
    assert_eq!(
        err(token.burn(u(71))),
        encoded(ERC20InsufficientBalance {
            sender: ALICE,
            balance: u(70),
            needed: u(71)
        })
    );
    assert_eq!(err(token.burn(U256::ZERO)), encoded(ZeroAmount {}));
}

#[test]
fn pausing_a_minter_stops_mints_only() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(OWNER);
    token.set_guardian(GUARDIAN).unwrap();
    vm.set_sender(ALICE);
    assert_eq!(
        err(token.set_minter_paused(MINTER, true)),
        encoded(GuardianUnauthorizedAccount { account: ALICE })
    );
    vm.set_sender(GUARDIAN);
    token.set_minter_paused(MINTER, true).unwrap();
    assert!(token.minter_info(MINTER).1);

    vm.set_sender(MINTER);
    assert_eq!(
        err(token.mint(ALICE, u(1))),
        encoded(MinterIsPaused { minter: MINTER })
    );
    // Burns and transfers go on.
    vm.set_sender(ALICE);
    token.approve(MINTER, u(10)).unwrap();
    token.transfer(BOB, u(5)).unwrap();
    vm.set_sender(MINTER);
    token.burn_from(ALICE, u(10)).unwrap();

    // Only the owner unpauses.
    vm.set_sender(GUARDIAN);
    assert_eq!(
        err(token.set_minter_paused(MINTER, false)),
        encoded(OwnableUnauthorizedAccount { account: GUARDIAN })
    );
    vm.set_sender(OWNER);
    token.set_minter_paused(MINTER, false).unwrap();
    vm.set_sender(MINTER);
    token.mint(ALICE, u(1)).unwrap();
}

#[test]
fn minter_administration_errors() {
    let vm = TestVM::default();
    let mut token = funded(&vm);
    vm.set_sender(ALICE);
    assert_eq!(
        err(token.add_minter(ALICE, u(1))),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    assert_eq!(
        err(token.set_minter_ceiling(MINTER, u(1))),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    vm.set_sender(OWNER);
    assert_eq!(
        err(token.add_minter(MINTER, u(1))),
        encoded(MinterAlreadyAdded { minter: MINTER })
    );
    assert_eq!(
        err(token.add_minter(Address::ZERO, u(1))),
        encoded(suite_common::errors::ZeroAddress {})
    );
    assert_eq!(
        err(token.set_minter_ceiling(BOB, u(1))),
        encoded(NotMinter { account: BOB })
    );
    assert_eq!(
        err(token.set_minter_paused(BOB, true)),
        encoded(NotMinter { account: BOB })
    );
    assert_eq!(
        token.minter_info(BOB),
        (false, false, U256::ZERO, U256::ZERO)
    );
}

#[test]
fn two_step_ownership() {
    let vm = TestVM::default();
    let mut token = deploy(&vm);
    vm.set_sender(ALICE);
    assert_eq!(
        err(token.transfer_ownership(ALICE)),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    vm.set_sender(OWNER);
    token.transfer_ownership(BOB).unwrap();
    assert_eq!(token.pending_owner(), BOB);
    assert_eq!(token.owner(), OWNER);
    vm.set_sender(ALICE);
    assert_eq!(
        err(token.accept_ownership()),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    vm.set_sender(BOB);
    token.accept_ownership().unwrap();
    assert_eq!(token.owner(), BOB);
    assert_eq!(token.pending_owner(), Address::ZERO);
    // The old owner lost its rights.
    vm.set_sender(OWNER);
    assert_eq!(
        err(token.add_minter(MINTER, u(1))),
        encoded(OwnableUnauthorizedAccount { account: OWNER })
    );
}

#[test]
fn permit_rejects_expired_and_malleable_signatures() {
    let vm = TestVM::default();
    let mut token = deploy(&vm);
    vm.set_block_timestamp(1_000);
    assert_eq!(
        err(token.permit(ALICE, BOB, u(1), u(999), 27, B256::ZERO, B256::ZERO)),
        encoded(ERC2612ExpiredSignature { deadline: u(999) })
    );
    // v outside {27, 28} and high-s signatures recover to zero without a call.
    for (v, s) in [(29u8, B256::ZERO), (27, B256::repeat_byte(0xff))] {
        assert_eq!(
            err(token.permit(ALICE, BOB, u(1), u(1_000), v, B256::ZERO, s)),
            encoded(ERC2612InvalidSigner {
                signer: Address::ZERO,
                owner: ALICE
            })
        );
    }
    assert_eq!(token.nonces(ALICE), U256::ZERO);
}

#[test]
fn permit_with_mocked_ecrecover() {
    let vm = TestVM::default();
    let mut token = deploy(&vm);
    vm.set_block_timestamp(1_000);
    let (r, s) = (B256::repeat_byte(1), B256::repeat_byte(2));
    let (value, deadline) = (u(77), u(2_000));
    // The digest the contract must sign over (EIP-712), recomputed here.
    let struct_hash = keccak(concat(&[
        PERMIT_TYPEHASH,
        ALICE.into_word(),
        BOB.into_word(),
        value.into(),
        U256::ZERO.into(),
        deadline.into(),
    ]));
    let mut message = b"\x19\x01".to_vec();
    message.extend_from_slice(token.domain_separator().as_slice());
    message.extend_from_slice(struct_hash.as_slice());
    let input = concat(&[keccak(&message), U256::from(27).into(), r, s]);

    // Recovering someone else fails.
    vm.mock_static_call(ECRECOVER, input.clone(), Ok(BOB.into_word().to_vec()));
    assert_eq!(
        err(token.permit(ALICE, BOB, value, deadline, 27, r, s)),
        encoded(ERC2612InvalidSigner {
            signer: BOB,
            owner: ALICE
        })
    );
    // Recovering the owner approves and consumes the nonce.
    vm.mock_static_call(ECRECOVER, input, Ok(ALICE.into_word().to_vec()));
    token.permit(ALICE, BOB, value, deadline, 27, r, s).unwrap();
    assert_eq!(token.allowance(ALICE, BOB), value);
    assert_eq!(token.nonces(ALICE), u(1));
    // Replays are checked with real signatures on the devnet (the mock
    // answers any input).
}

#[test]
fn domain_separator_binds_chain_and_contract() {
    let vm = TestVM::default();
    let token = deploy(&vm);
    let first = token.domain_separator();
    vm.set_chain_id(1);
    assert_ne!(token.domain_separator(), first);
}
