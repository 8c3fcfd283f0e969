//! Unit tests on `test_host::TestHost` (the SDK's `TestVM` with per-call mocks), with the AlAsset, Vault and ERC-4626
//! mocked at the ABI level. The earmarking itself (in the Vault) and the
//! whole flow on real WASM are tested on the devnet.

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{SolCall, SolEvent, SolValue};
use suite_common::access::{GuardianUnauthorizedAccount, OwnableUnauthorizedAccount};
use test_host::TestHost as TestVM;

use super::*;

mod abi {
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::vault_abi!(alloy_sol_types::sol);
    suite_common::erc20_abi!(alloy_sol_types::sol);
    suite_common::erc4626_abi!(alloy_sol_types::sol);
}

const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const GUARDIAN: Address = address!("00000000000000000000000000000000000000a2");
const AL_ASSET: Address = address!("00000000000000000000000000000000000000d1");
const VAULT: Address = address!("00000000000000000000000000000000000000d2");
const COLLATERAL: Address = address!("00000000000000000000000000000000000000d3");
const UNDERLYING: Address = address!("00000000000000000000000000000000000000d4");
const TREASURY: Address = address!("00000000000000000000000000000000000000d5");
const THIS: Address = address!("00000000000000000000000000000000000000ee");
const ALICE: Address = address!("00000000000000000000000000000000000000c1");
const BOB: Address = address!("00000000000000000000000000000000000000c2");
const TERM: u64 = 90 * DAY;
const START: u64 = 1_700_000_000;

fn coin(units: u64) -> U256 {
    U256::from(units) * WAD
}

fn err<T: core::fmt::Debug>(result: Result<T, TransmuterError>) -> Vec<u8> {
    result.unwrap_err().into()
}

fn encoded<E: alloy_sol_types::SolError>(error: E) -> Vec<u8> {
    error.abi_encode()
}

/// A Transmuter over a 6-decimal underlying, deposit cap 1,000 alAsset.
fn deploy(vm: &TestVM) -> Transmuter {
    vm.set_contract_address(THIS);
    vm.set_block_timestamp(START);
    vm.mock(
        COLLATERAL,
        abi::IErc4626::assetCall {}.abi_encode(),
        Ok(UNDERLYING.abi_encode()),
    );
    vm.mock(
        UNDERLYING,
        abi::IErc20::decimalsCall {}.abi_encode(),
        Ok(U256::from(6).abi_encode()),
    );
    let mut transmuter = Transmuter::from(vm);
    vm.set_sender(OWNER);
    transmuter
        .constructor(
            OWNER,
            AL_ASSET,
            VAULT,
            COLLATERAL,
            TREASURY,
            TERM,
            coin(1_000),
        )
        .unwrap();
    transmuter
}

/// Mocks the calls of `createRedemption(amount)` by `owner`; the Vault
/// earmarks `shares`.
fn mock_create(vm: &TestVM, owner: Address, amount: U256, shares: U256) {
    vm.mock(
        AL_ASSET,
        abi::IAlAsset::transferFromCall {
            from: owner,
            to: THIS,
            value: amount,
        }
        .abi_encode(),
        Ok(true.abi_encode()),
    );
    vm.mock(
        VAULT,
        abi::IVault::earmarkCall { amount }.abi_encode(),
        Ok(shares.abi_encode()),
    );
}

/// Mocks the calls of a claim of `amount` backed by `shares`, of which the
/// Vault releases `released` that redeem for `assets` underlying (no redeem
/// when nothing is released), paying `paid` to `owner` and `surplus` to the
/// treasury.
fn mock_claim(
    vm: &TestVM,
    owner: Address,
    amount: U256,
    (shares, released): (U256, U256),
    assets: U256,
) {
    vm.mock(
        AL_ASSET,
        abi::IAlAsset::burnCall { amount }.abi_encode(),
        Ok(Vec::new()),
    );
    vm.mock(
        VAULT,
        abi::IVault::releaseEarmarkedCall {
            shares,
            to: THIS,
            burnAmount: amount,
        }
        .abi_encode(),
        Ok(released.abi_encode()),
    );
    if !released.is_zero() {
        vm.mock(
            COLLATERAL,
            abi::IErc4626::redeemCall {
                shares: released,
                receiver: THIS,
                owner: THIS,
            }
            .abi_encode(),
            Ok(assets.abi_encode()),
        );
    }
    let owed = amount / U256::from(1_000_000_000_000u64);
    let paid = assets.min(owed);
    for (to, value) in [(owner, paid), (TREASURY, assets - paid)] {
        vm.mock(
            UNDERLYING,
            abi::IErc20::transferCall { to, value }.abi_encode(),
            Ok(true.abi_encode()),
        );
    }
}

fn last_log_data(vm: &TestVM, signature: alloy_primitives::B256) -> Vec<U256> {
    let (_, data) = vm
        .get_emitted_logs()
        .into_iter()
        .rev()
        .find(|(topics, _)| topics[0] == signature)
        .expect("event emitted");
    data.chunks(32).map(U256::from_be_slice).collect()
}

#[test]
fn constructor_wires_and_validates() {
    let vm = TestVM::default();
    let transmuter = deploy(&vm);
    assert_eq!(
        transmuter.peers(),
        (AL_ASSET, VAULT, COLLATERAL, UNDERLYING, TREASURY)
    );
    assert_eq!(transmuter.term(), TERM);
    assert_eq!(transmuter.deposit_cap(), coin(1_000));
    assert_eq!(transmuter.owner(), OWNER);

    let mut fresh = Transmuter::from(&vm);
    assert_eq!(
        err(fresh.constructor(
            OWNER,
            Address::ZERO,
            VAULT,
            COLLATERAL,
            TREASURY,
            TERM,
            coin(1)
        )),
        encoded(ZeroAddress {})
    );
    assert_eq!(
        err(fresh.constructor(OWNER, AL_ASSET, VAULT, COLLATERAL, TREASURY, 59, coin(1))),
        encoded(InvalidTerm {
            term: U256::from(59),
            min: U256::from(MIN_TERM),
            max: U256::from(MAX_TERM)
        })
    );
}

#[test]
fn create_records_position_and_queue() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    mock_create(&vm, ALICE, coin(100), U256::from(95_000_000u64));
    let id = transmuter.create_redemption(coin(100)).unwrap();
    assert_eq!(id, U256::from(1));
    assert_eq!(
        transmuter.position(id),
        (
            ALICE,
            coin(100),
            START,
            START + TERM,
            U256::from(95_000_000u64),
            false
        )
    );
    assert_eq!(transmuter.positions_of(ALICE), vec![id]);
    assert_eq!(transmuter.total_pending(), coin(100));
    assert_eq!(
        last_log_data(&vm, RedemptionCreated::SIGNATURE_HASH),
        vec![
            coin(100),
            U256::from(START + TERM),
            U256::from(95_000_000u64)
        ]
    );

    // The queue shows it on its maturity day, 90 days out.
    let (total, days) = transmuter.queue(91).unwrap();
    assert_eq!(total, coin(100));
    let maturity_day = ((START + TERM) / DAY - START / DAY) as usize;
    assert_eq!(days[maturity_day], coin(100));
    assert_eq!(days.iter().fold(U256::ZERO, |a, b| a + b), coin(100));
}

#[test]
fn create_errors() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    assert_eq!(
        err(transmuter.create_redemption(U256::ZERO)),
        encoded(ZeroAmount {})
    );
    assert_eq!(
        err(transmuter.create_redemption(coin(1_001))),
        encoded(DepositCapExceeded {
            pending: U256::ZERO,
            amount: coin(1_001),
            cap: coin(1_000)
        })
    );
    // The Vault earmarked nothing.
    mock_create(&vm, ALICE, coin(5), U256::ZERO);
    assert_eq!(
        err(transmuter.create_redemption(coin(5))),
        encoded(NothingEarmarked { amount: coin(5) })
    );
    // A Vault revert (e.g. not enough free debt) bubbles up unchanged.
    vm.mock(
        AL_ASSET,
        abi::IAlAsset::transferFromCall {
            from: ALICE,
            to: THIS,
            value: coin(6),
        }
        .abi_encode(),
        Ok(true.abi_encode()),
    );
    vm.mock(
        VAULT,
        abi::IVault::earmarkCall { amount: coin(6) }.abi_encode(),
        Err(vec![0xde, 0xad]),
    );
    assert_eq!(err(transmuter.create_redemption(coin(6))), vec![0xde, 0xad]);
    assert_eq!(transmuter.total_pending(), U256::ZERO);
}

#[test]
fn pause_blocks_deposits_only() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(OWNER);
    transmuter.set_guardian(GUARDIAN).unwrap();
    vm.set_sender(ALICE);
    assert_eq!(
        err(transmuter.set_entry_paused(true)),
        encoded(GuardianUnauthorizedAccount { account: ALICE })
    );
    mock_create(&vm, ALICE, coin(10), U256::from(10_000_000u64));
    let id = transmuter.create_redemption(coin(10)).unwrap();

    vm.set_sender(GUARDIAN);
    transmuter.set_entry_paused(true).unwrap();
    assert!(transmuter.entry_paused());
    vm.set_sender(ALICE);
    assert_eq!(
        err(transmuter.create_redemption(coin(10))),
        encoded(EntryPaused {})
    );

    // Claims go on while paused.
    vm.set_block_timestamp(START + TERM);
    mock_claim(
        &vm,
        ALICE,
        coin(10),
        (U256::from(10_000_000u64), U256::from(10_000_000u64)),
        U256::from(10_000_000u64),
    );
    transmuter.claim_redemption(id).unwrap();

    vm.set_sender(GUARDIAN);
    assert_eq!(
        err(transmuter.set_entry_paused(false)),
        encoded(OwnableUnauthorizedAccount { account: GUARDIAN })
    );
    vm.set_sender(OWNER);
    transmuter.set_entry_paused(false).unwrap();
    assert!(!transmuter.entry_paused());
}

#[test]
fn claim_pays_owed_and_sends_surplus_to_treasury() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    let shares = U256::from(100_000_000u64);
    mock_create(&vm, ALICE, coin(100), shares);
    let id = transmuter.create_redemption(coin(100)).unwrap();

    vm.set_block_timestamp(START + TERM);
    // The shares grew to 103 underlying: 100 to Alice, 3 to the treasury.
    mock_claim(
        &vm,
        ALICE,
        coin(100),
        (shares, shares),
        U256::from(103_000_000u64),
    );
    transmuter.claim_redemption(id).unwrap();
    assert_eq!(
        last_log_data(&vm, RedemptionClaimed::SIGNATURE_HASH),
        vec![
            coin(100),
            U256::from(100_000_000u64),
            U256::from(3_000_000u64),
            U256::ZERO
        ]
    );
    assert!(transmuter.position(id).5);
    assert_eq!(transmuter.total_pending(), U256::ZERO);
    assert_eq!(
        transmuter
            .queue(91)
            .unwrap()
            .1
            .iter()
            .fold(U256::ZERO, |a, b| a + b),
        U256::ZERO
    );
    assert_eq!(
        err(transmuter.claim_redemption(id)),
        encoded(AlreadyClaimed { id })
    );
}

#[test]
fn claim_after_a_loss_is_a_haircut() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    let shares = U256::from(100_000_000u64);
    mock_create(&vm, ALICE, coin(100), shares);
    let id = transmuter.create_redemption(coin(100)).unwrap();
    vm.set_block_timestamp(START + TERM + 5);
    mock_claim(
        &vm,
        ALICE,
        coin(100),
        (shares, shares),
        U256::from(80_000_000u64),
    );
    transmuter.claim_redemption(id).unwrap();
    assert_eq!(
        last_log_data(&vm, RedemptionClaimed::SIGNATURE_HASH),
        vec![
            coin(100),
            U256::from(80_000_000u64),
            U256::ZERO,
            U256::from(20_000_000u64)
        ]
    );
}

#[test]
fn claim_after_an_earmark_shortfall_is_a_haircut() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    let shares = U256::from(100_000_000u64);
    mock_create(&vm, ALICE, coin(100), shares);
    let first = transmuter.create_redemption(coin(100)).unwrap();
    mock_create(&vm, ALICE, coin(100), shares);
    let second = transmuter.create_redemption(coin(100)).unwrap();
    vm.set_block_timestamp(START + TERM);
    // The Vault can release only 60 of the 100 recorded shares.
    let released = U256::from(60_000_000u64);
    mock_claim(&vm, ALICE, coin(100), (shares, released), released);
    transmuter.claim_redemption(first).unwrap();
    assert_eq!(
        last_log_data(&vm, RedemptionClaimed::SIGNATURE_HASH),
        vec![coin(100), released, U256::ZERO, U256::from(40_000_000u64)]
    );
    // Nothing left: the claim still closes the position (no redeem call:
    // an unmocked call would revert), paying nothing.
    mock_claim(&vm, ALICE, coin(100), (shares, U256::ZERO), U256::ZERO);
    transmuter.claim_redemption(second).unwrap();
    assert_eq!(
        last_log_data(&vm, RedemptionClaimed::SIGNATURE_HASH),
        vec![
            coin(100),
            U256::ZERO,
            U256::ZERO,
            U256::from(100_000_000u64)
        ]
    );
    assert!(transmuter.position(second).5);
    assert_eq!(transmuter.total_pending(), U256::ZERO);
}

#[test]
fn claim_errors() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    mock_create(&vm, ALICE, coin(1), U256::from(1_000_000u64));
    let id = transmuter.create_redemption(coin(1)).unwrap();
    let unknown = U256::from(7);
    assert_eq!(
        err(transmuter.claim_redemption(unknown)),
        encoded(UnknownPosition { id: unknown })
    );
    vm.set_sender(BOB);
    assert_eq!(
        err(transmuter.claim_redemption(id)),
        encoded(NotPositionOwner {
            id,
            caller: BOB,
            owner: ALICE
        })
    );
    vm.set_sender(ALICE);
    vm.set_block_timestamp(START + TERM - 1);
    assert_eq!(
        err(transmuter.claim_redemption(id)),
        encoded(NotMatured {
            id,
            maturity: U256::from(START + TERM),
            now: U256::from(START + TERM - 1)
        })
    );
    assert!(!transmuter.position(id).5);
}

#[test]
fn positions_can_be_transferred_before_claim() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    mock_create(&vm, ALICE, coin(2), U256::from(2_000_000u64));
    let id = transmuter.create_redemption(coin(2)).unwrap();
    assert_eq!(
        err(transmuter.transfer_position(id, Address::ZERO)),
        encoded(ZeroAddress {})
    );
    vm.set_sender(BOB);
    assert_eq!(
        err(transmuter.transfer_position(id, BOB)),
        encoded(NotPositionOwner {
            id,
            caller: BOB,
            owner: ALICE
        })
    );
    vm.set_sender(ALICE);
    transmuter.transfer_position(id, BOB).unwrap();
    assert_eq!(transmuter.position(id).0, BOB);
    assert_eq!(transmuter.positions_of(BOB), vec![id]);
    assert_eq!(
        err(transmuter.transfer_position(U256::from(9), BOB)),
        encoded(UnknownPosition { id: U256::from(9) })
    );
}

#[test]
fn implied_apr_is_the_bond_yield() {
    let vm = TestVM::default();
    let transmuter = deploy(&vm);
    // Buying at 0.98 and redeeming 1.00 after 90 days:
    // (1/0.98 − 1) × 365/90 = 0.0827...
    let apr = transmuter
        .implied_apr(U256::from(980_000_000_000_000_000u64))
        .unwrap();
    let expected = (WAD * WAD / U256::from(980_000_000_000_000_000u64) - WAD) * U256::from(365)
        / U256::from(90);
    assert_eq!(apr, expected);
    assert!(
        apr > U256::from(82_000_000_000_000_000u64) && apr < U256::from(83_000_000_000_000_000u64)
    );
    assert_eq!(transmuter.implied_apr(WAD).unwrap(), U256::ZERO);
    assert_eq!(
        transmuter.implied_apr(WAD * U256::from(2)).unwrap(),
        U256::ZERO
    );
    assert_eq!(
        err(transmuter.implied_apr(U256::ZERO)),
        encoded(ZeroAmount {})
    );
}

#[test]
fn owner_settings() {
    let vm = TestVM::default();
    let mut transmuter = deploy(&vm);
    vm.set_sender(ALICE);
    assert_eq!(
        err(transmuter.set_term(DAY)),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    assert_eq!(
        err(transmuter.set_deposit_cap(coin(1))),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    vm.set_sender(OWNER);
    transmuter.set_term(30 * DAY).unwrap();
    assert_eq!(transmuter.term(), 30 * DAY);
    assert_eq!(
        err(transmuter.set_term(MAX_TERM + 1)),
        encoded(InvalidTerm {
            term: U256::from(MAX_TERM + 1),
            min: U256::from(MIN_TERM),
            max: U256::from(MAX_TERM)
        })
    );
    transmuter.set_deposit_cap(coin(5)).unwrap();
    assert_eq!(transmuter.deposit_cap(), coin(5));
    assert_eq!(
        err(transmuter.queue(MAX_QUEUE_DAYS + 1)),
        encoded(QueueWindowTooLong {
            days: U256::from(MAX_QUEUE_DAYS + 1),
            max: U256::from(MAX_QUEUE_DAYS)
        })
    );
}
