//! Unit tests on `test_host::TestHost` (the SDK's `TestVM` with per-call
//! return data): every peer call is mocked by its exact calldata, so each
//! test also pins the calls the PSM makes. Flows whose correctness depends on
//! the peers' state (balances before/after, real ERC-4626 maths) are covered
//! again end to end on the devnet (`tests/devnet.rs`).

use alloy_primitives::{address, Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use suite_common::{
    access::{GuardianUnauthorizedAccount, OwnableInvalidOwner, OwnableUnauthorizedAccount},
    math::UnsupportedDecimals,
};
use test_host::{word, TestHost};

use super::*;

mod abi {
    #![allow(missing_docs)]
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::erc20_abi!(alloy_sol_types::sol);
    suite_common::erc4626_abi!(alloy_sol_types::sol);
    alloy_sol_types::sol! {
        /// OpenZeppelin's (and the MockErc4626's) refusal of a withdrawal.
        error ERC4626ExceededMaxWithdraw(address owner, uint256 assets, uint256 max);
    }
}
use abi::{IAlAsset as Coin, IErc20 as Token, IErc4626 as Vault};

const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const GUARDIAN: Address = address!("00000000000000000000000000000000000000a2");
const COIN: Address = address!("00000000000000000000000000000000000000c0");
const ASSET: Address = address!("00000000000000000000000000000000000000c1");
const VAULT: Address = address!("00000000000000000000000000000000000000c2");
const TREASURY: Address = address!("00000000000000000000000000000000000000d1");
const PSM: Address = address!("00000000000000000000000000000000000000e1");
const ALICE: Address = address!("00000000000000000000000000000000000000f1");
const BOB: Address = address!("00000000000000000000000000000000000000f2");

const START: u64 = 1_700_000_000;
const WINDOW: u64 = 1_000;
const HALF: u64 = START + WINDOW / 2;
const DEADLINE: u64 = START + WINDOW;

fn u(value: u128) -> U256 {
    U256::from(value)
}

fn e(decimals: u8) -> U256 {
    U256::from(10).pow(U256::from(decimals))
}

fn bool_ret(value: bool) -> Vec<u8> {
    word(U256::from(value as u8))
}

fn addr_ret(value: Address) -> Vec<u8> {
    value.into_word().to_vec()
}

fn err<T: core::fmt::Debug>(result: Result<T, PsmError>) -> Vec<u8> {
    result.unwrap_err().into()
}

fn encoded<E: SolError>(error: E) -> Vec<u8> {
    error.abi_encode()
}

fn host() -> TestHost {
    let host = TestHost::default();
    host.set_contract_address(PSM);
    host.set_block_timestamp(START);
    host.set_sender(OWNER);
    host
}

/// Mocks the constructor's calls for an asset with `decimals` (and the vault's).
fn mock_config(host: &TestHost, decimals: u8, vault: Address) {
    host.mock(
        ASSET,
        Token::decimalsCall {}.abi_encode(),
        Ok(word(U256::from(decimals))),
    );
    if !vault.is_zero() {
        host.mock(vault, Vault::assetCall {}.abi_encode(), Ok(addr_ret(ASSET)));
        let approve = Token::approveCall {
            spender: vault,
            value: U256::MAX,
        };
        host.mock(ASSET, approve.abi_encode(), Ok(bool_ret(true)));
    }
}

/// A PSM over an asset with `decimals`, with or without the vault; the PSM
/// is an active minter with an unlimited ceiling and nothing outstanding.
fn deploy(host: &TestHost, decimals: u8, vault: Address) -> Psm {
    mock_config(host, decimals, vault);
    let mut psm = Psm::from(host);
    psm.constructor(OWNER, COIN, ASSET, vault, TREASURY, WINDOW, u(1_000))
        .unwrap();
    mock_minter(host, true, false, U256::MAX, U256::ZERO);
    host.set_sender(ALICE);
    psm
}

fn mock_minter(host: &TestHost, active: bool, paused: bool, ceiling: U256, outstanding: U256) {
    let mut ret = bool_ret(active);
    ret.extend(bool_ret(paused));
    ret.extend(word(ceiling));
    ret.extend(word(outstanding));
    host.mock(
        COIN,
        Coin::minterInfoCall { minter: PSM }.abi_encode(),
        Ok(ret),
    );
}

/// Mocks a vault with `supply` shares where `assets` deposit as `shares`
/// worth `value` (both at preview and after the deposit).
fn mock_vault_deposit(host: &TestHost, supply: U256, assets: U256, shares: U256, value: U256) {
    host.mock(
        VAULT,
        Vault::totalSupplyCall {}.abi_encode(),
        Ok(word(supply)),
    );
    host.mock(
        VAULT,
        Vault::previewDepositCall { assets }.abi_encode(),
        Ok(word(shares)),
    );
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares }.abi_encode(),
        Ok(word(value)),
    );
    let pull = Token::transferFromCall {
        from: ALICE,
        to: PSM,
        value: assets,
    };
    host.mock(ASSET, pull.abi_encode(), Ok(bool_ret(true)));
    let deposit = Vault::depositCall {
        assets,
        receiver: PSM,
    };
    host.mock(VAULT, deposit.abi_encode(), Ok(word(shares)));
}

fn mock_mint(host: &TestHost, to: Address, amount: U256) {
    host.mock(COIN, Coin::mintCall { to, amount }.abi_encode(), Ok(vec![]));
}

/// Mocks the PSM's real holdings without a vault (its asset balance).
fn mock_balance(host: &TestHost, balance: U256) {
    let call = Token::balanceOfCall { account: PSM };
    host.mock(ASSET, call.abi_encode(), Ok(word(balance)));
}

fn mock_preview_withdraw(host: &TestHost, assets: U256, shares: U256) {
    host.mock(
        VAULT,
        Vault::previewWithdrawCall { assets }.abi_encode(),
        Ok(word(shares)),
    );
}

fn mock_preview_redeem(host: &TestHost, shares: U256, assets: U256) {
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares }.abi_encode(),
        Ok(word(assets)),
    );
}

/// Mocks the PSM's holdings in the vault: `shares` worth `value`.
fn mock_vault_holdings(host: &TestHost, shares: U256, value: U256) {
    host.mock(
        VAULT,
        Vault::balanceOfCall { account: PSM }.abi_encode(),
        Ok(word(shares)),
    );
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares }.abi_encode(),
        Ok(word(value)),
    );
}

fn mock_burn(host: &TestHost, from: Address, amount: U256) {
    host.mock(
        COIN,
        Coin::burnFromCall { from, amount }.abi_encode(),
        Ok(vec![]),
    );
}

fn last_log(host: &TestHost) -> (Vec<B256>, Vec<u8>) {
    host.get_emitted_logs().pop().unwrap()
}

fn words(values: &[U256]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes::<32>()).collect()
}

// ---------------------------------------------------------------- constructor

#[test]
fn constructor_stores_configuration() {
    let host = host();
    let psm = deploy(&host, 6, VAULT);
    assert_eq!(psm.coin(), COIN);
    assert_eq!(psm.psm_asset(), ASSET);
    assert_eq!(psm.psm_vault(), VAULT);
    assert_eq!(psm.treasury(), TREASURY);
    assert_eq!(psm.asset_decimals(), 6);
    assert_eq!(U256::from(psm.scale()), e(12));
    assert_eq!(psm.window_start(), START);
    assert_eq!(psm.immutability_deadline(), DEADLINE);
    assert_eq!(psm.min_vault_supply(), u(1_000));
    assert!(!psm.buy_paused());
    assert_eq!(psm.owner(), OWNER);
    assert_eq!(psm.free_psm_assets(), U256::ZERO);
    // The vault is approved once, for good.
    let approve = Token::approveCall {
        spender: VAULT,
        value: U256::MAX,
    }
    .abi_encode();
    assert!(host
        .calls()
        .iter()
        .any(|c| c.to == ASSET && c.data == approve));
}

#[test]
fn constructor_reads_each_supported_decimals() {
    for (decimals, scale) in [(6u8, e(12)), (8, e(10)), (18, u(1))] {
        let host = host();
        let psm = deploy(&host, decimals, Address::ZERO);
        assert_eq!(U256::from(psm.scale()), scale);
        assert_eq!(psm.asset_decimals(), decimals);
    }
}

#[test]
fn constructor_accepts_the_longest_window() {
    let host = host();
    mock_config(&host, 6, Address::ZERO);
    let mut psm = Psm::from(&host);
    psm.constructor(
        OWNER,
        COIN,
        ASSET,
        Address::ZERO,
        TREASURY,
        MAX_WINDOW_SECONDS,
        U256::ZERO,
    )
    .unwrap();
    assert_eq!(psm.immutability_deadline(), START + 4 * 36_525 * 864);
}

#[test]
fn constructor_errors() {
    let host = host();
    mock_config(&host, 6, VAULT);
    let z = Address::ZERO;
    /// (owner, coin, asset, vault, treasury, window, expected error)
    type Case = (Address, Address, Address, Address, Address, u64, Vec<u8>);
    let cases: Vec<Case> = vec![
        (
            z,
            COIN,
            ASSET,
            VAULT,
            TREASURY,
            WINDOW,
            encoded(OwnableInvalidOwner { owner: z }),
        ),
        (
            OWNER,
            z,
            ASSET,
            VAULT,
            TREASURY,
            WINDOW,
            encoded(ZeroAddress {}),
        ),
        (
            OWNER,
            COIN,
            z,
            VAULT,
            TREASURY,
            WINDOW,
            encoded(ZeroAddress {}),
        ),
        (
            OWNER,
            COIN,
            ASSET,
            VAULT,
            z,
            WINDOW,
            encoded(ZeroAddress {}),
        ),
        (
            OWNER,
            COIN,
            ASSET,
            VAULT,
            TREASURY,
            0,
            encoded(ZeroAmount {}),
        ),
        (
            OWNER,
            COIN,
            ASSET,
            VAULT,
            TREASURY,
            MAX_WINDOW_SECONDS + 1,
            encoded(WindowTooLong {
                window: U256::from(MAX_WINDOW_SECONDS + 1),
                maximum: U256::from(MAX_WINDOW_SECONDS),
            }),
        ),
    ];
    for (owner, coin, asset, vault, treasury, window, expected) in cases {
        let mut psm = Psm::from(&host);
        let result = psm.constructor(owner, coin, asset, vault, treasury, window, U256::ZERO);
        assert_eq!(err(result), expected);
    }
}

#[test]
fn constructor_rejects_a_vault_over_another_asset() {
    let host = host();
    mock_config(&host, 6, VAULT);
    host.mock(VAULT, Vault::assetCall {}.abi_encode(), Ok(addr_ret(COIN)));
    let mut psm = Psm::from(&host);
    let result = psm.constructor(OWNER, COIN, ASSET, VAULT, TREASURY, WINDOW, U256::ZERO);
    assert_eq!(
        err(result),
        encoded(VaultAssetMismatch {
            vaultAsset: COIN,
            psmAsset: ASSET
        })
    );
}

#[test]
fn constructor_rejects_more_than_18_decimals_and_failed_approval() {
    let host = host();
    mock_config(&host, 19, Address::ZERO);
    let mut psm = Psm::from(&host);
    let result = psm.constructor(
        OWNER,
        COIN,
        ASSET,
        Address::ZERO,
        TREASURY,
        WINDOW,
        U256::ZERO,
    );
    assert_eq!(err(result), encoded(UnsupportedDecimals { decimals: 19 }));

    let host = self::host();
    mock_config(&host, 6, VAULT);
    let approve = Token::approveCall {
        spender: VAULT,
        value: U256::MAX,
    };
    host.mock(ASSET, approve.abi_encode(), Ok(bool_ret(false)));
    let mut psm = Psm::from(&host);
    let result = psm.constructor(OWNER, COIN, ASSET, VAULT, TREASURY, WINDOW, U256::ZERO);
    assert_eq!(err(result), encoded(BadPeerResponse { peer: ASSET }));
}

// ------------------------------------------------------------------- fee ramp

/// The fee `quoteBuy` charges on `asset_in` (18 decimals, no vault) at `t`.
fn fee_at(host: &TestHost, psm: &Psm, t: u64, asset_in: U256) -> (U256, U256) {
    host.set_block_timestamp(t);
    psm.quote_buy(asset_in).unwrap()
}

#[test]
fn fee_ramp_at_the_exact_boundaries() {
    let host = host();
    let psm = deploy(&host, 18, Address::ZERO);
    let amount = e(18) * u(1_000_000); // 1M coin gross
                                       // Start and the exact half: no fee.
    assert_eq!(fee_at(&host, &psm, START, amount), (amount, U256::ZERO));
    assert_eq!(psm.buy_fee_bps().unwrap(), U256::ZERO);
    assert_eq!(fee_at(&host, &psm, HALF, amount), (amount, U256::ZERO));
    assert_eq!(psm.buy_fee_bps().unwrap(), U256::ZERO);
    // One second past half: 100 bps * 1/500 = 0.2 bps = 20 coin per 1M.
    let fee = e(18) * u(20);
    assert_eq!(fee_at(&host, &psm, HALF + 1, amount), (amount - fee, fee));
    assert_eq!(psm.buy_fee_bps().unwrap(), u(1)); // 0.2 rounded up
                                                  // Three quarters: 50 bps.
    let fee = e(18) * u(5_000);
    assert_eq!(fee_at(&host, &psm, HALF + 250, amount), (amount - fee, fee));
    assert_eq!(psm.buy_fee_bps().unwrap(), u(50));
    // deadline − 1: 100 * 499/500 = 99.8 bps.
    let fee = e(18) * u(9_980);
    assert_eq!(
        fee_at(&host, &psm, DEADLINE - 1, amount),
        (amount - fee, fee)
    );
    assert_eq!(psm.buy_fee_bps().unwrap(), u(100)); // 99.8 rounded up
                                                    // The deadline: buying is over.
    host.set_block_timestamp(DEADLINE);
    assert_eq!(
        err(psm.quote_buy(amount)),
        encoded(BuyDisabledAfterDeadline {
            deadline: U256::from(DEADLINE),
            now: U256::from(DEADLINE)
        })
    );
    assert_eq!(psm.buy_fee_bps().unwrap(), u(100));
}

#[test]
fn fee_rounds_up_in_the_protocols_favour() {
    let host = host();
    let psm = deploy(&host, 18, Address::ZERO);
    // 1 wei at half + 1: the exact fee is 1 * 100 / 5_000_000, rounded up to 1:
    // nothing would be left for the buyer.
    host.set_block_timestamp(HALF + 1);
    assert_eq!(err(psm.quote_buy(u(1))), encoded(ZeroAmount {}));
    // 5_000_001 wei: exact fee 100.00002 → 101.
    assert_eq!(
        psm.quote_buy(u(5_000_001)).unwrap(),
        (u(5_000_001 - 101), u(101))
    );
    // An exact multiple is not rounded: 5_000_000 → 100.
    assert_eq!(psm.quote_buy(u(5_000_000)).unwrap(), (u(4_999_900), u(100)));
}

#[test]
fn fee_ramp_with_an_odd_window() {
    let host = host();
    mock_config(&host, 18, Address::ZERO);
    let mut psm = Psm::from(&host);
    psm.constructor(
        OWNER,
        COIN,
        ASSET,
        Address::ZERO,
        TREASURY,
        1_001,
        U256::ZERO,
    )
    .unwrap();
    mock_minter(&host, true, false, U256::MAX, U256::ZERO);
    // half = start + 500 (rounded down); the ramp spans 501 seconds.
    let amount = u(501) * e(18);
    assert_eq!(fee_at(&host, &psm, START + 500, amount).1, U256::ZERO);
    // 100 bps * 1/501 of 501 coin = 0.01 coin.
    assert_eq!(fee_at(&host, &psm, START + 501, amount).1, e(16));
    assert_eq!(fee_at(&host, &psm, START + 1_000, amount).1, u(500) * e(16));
}

#[test]
fn quote_buy_converts_decimals_exactly() {
    for decimals in [6u8, 8, 18] {
        let host = host();
        let psm = deploy(&host, decimals, Address::ZERO);
        let asset_in = u(123_456_789);
        let coin = asset_in * e(18 - decimals);
        assert_eq!(psm.quote_buy(asset_in).unwrap(), (coin, U256::ZERO));
    }
}

// ----------------------------------------------------------------------- buy

#[test]
fn buy_with_vault_credits_the_shares_real_value() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    host.set_block_timestamp(HALF + 250); // 50 bps
                                          // 1,000 USDC deposit as 990 shares worth 999.5 USDC: 999.5 is credited,
                                          // not the nominal 1,000.
    let (assets, shares, value) = (u(1_000_000_000), u(990), u(999_500_000));
    mock_vault_deposit(&host, u(1_000_000), assets, shares, value);
    let gross = value * e(12);
    let fee = gross * u(50) / u(10_000);
    mock_mint(&host, BOB, gross - fee);
    mock_mint(&host, TREASURY, fee);
    assert_eq!(psm.quote_buy(assets).unwrap(), (gross - fee, fee));
    assert_eq!(psm.buy(assets, gross - fee, BOB).unwrap(), gross - fee);
    assert_eq!(psm.free_psm_assets(), value);
    let (topics, data) = last_log(&host);
    assert_eq!(
        topics,
        vec![Buy::SIGNATURE_HASH, ALICE.into_word(), BOB.into_word()]
    );
    assert_eq!(data, words(&[assets, value, gross - fee, fee]));
    // Both mints happened, to the buyer and the treasury.
    let mints: Vec<_> = host
        .calls()
        .into_iter()
        .filter(|c| c.to == COIN)
        .map(|c| c.data)
        .collect();
    assert!(mints.contains(
        &Coin::mintCall {
            to: BOB,
            amount: gross - fee
        }
        .abi_encode()
    ));
    assert!(mints.contains(
        &Coin::mintCall {
            to: TREASURY,
            amount: fee
        }
        .abi_encode()
    ));
}

#[test]
fn buy_credits_less_when_the_vault_mints_fewer_shares_than_previewed() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    let assets = u(1_000_000);
    mock_vault_deposit(&host, u(1_000_000), assets, u(1_000), assets);
    // The deposit mints 900 shares (a non-compliant vault), worth 900_000.
    let deposit = Vault::depositCall {
        assets,
        receiver: PSM,
    };
    host.mock(VAULT, deposit.abi_encode(), Ok(word(u(900))));
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares: u(900) }.abi_encode(),
        Ok(word(u(900_000))),
    );
    mock_mint(&host, ALICE, u(900_000) * e(12));
    assert_eq!(
        psm.buy(assets, U256::ZERO, ALICE).unwrap(),
        u(900_000) * e(12)
    );
    assert_eq!(psm.free_psm_assets(), u(900_000));
}

#[test]
fn buy_without_fee_mints_nothing_to_the_treasury() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    let assets = u(5_000_000);
    mock_vault_deposit(&host, u(1_000), assets, u(5_000), assets);
    mock_mint(&host, ALICE, assets * e(12));
    psm.buy(assets, assets * e(12), ALICE).unwrap();
    let mints = host.calls().into_iter().filter(|c| c.to == COIN).count();
    assert_eq!(mints, 1);
}

#[test]
fn buy_errors() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    let assets = u(1_000_000);
    mock_vault_deposit(&host, u(999), assets, u(1_000), assets);
    // Zero recipient, zero amount.
    assert_eq!(
        err(psm.buy(assets, U256::ZERO, Address::ZERO)),
        encoded(ZeroAddress {})
    );
    assert_eq!(
        err(psm.buy(U256::ZERO, U256::ZERO, ALICE)),
        encoded(ZeroAmount {})
    );
    // Inflation guard: 999 shares < 1,000.
    let low = encoded(VaultSupplyTooLow {
        supply: u(999),
        minimum: u(1_000),
    });
    assert_eq!(err(psm.buy(assets, U256::ZERO, ALICE)), low);
    assert_eq!(err(psm.quote_buy(assets)), low);
    host.mock(
        VAULT,
        Vault::totalSupplyCall {}.abi_encode(),
        Ok(word(u(1_000))),
    );
    // Slippage (with its values).
    mock_mint(&host, ALICE, assets * e(12));
    let min = assets * e(12) + u(1);
    assert_eq!(
        err(psm.buy(assets, min, ALICE)),
        encoded(SlippageExceeded {
            actual: assets * e(12),
            minimum: min
        })
    );
    assert_eq!(psm.free_psm_assets(), U256::ZERO);
    // (TestHost does not roll storage back on a revert; a chain does. Nothing
    // below is checked against storage.)
    // The coin's revert bubbles up unchanged.
    let ceiling = MinterCeilingExceeded {
        minter: PSM,
        ceiling: u(5),
        outstanding: U256::ZERO,
        amount: assets * e(12),
    };
    host.mock(
        COIN,
        Coin::mintCall {
            to: ALICE,
            amount: assets * e(12),
        }
        .abi_encode(),
        Err(encoded(ceiling.clone())),
    );
    assert_eq!(err(psm.buy(assets, U256::ZERO, ALICE)), encoded(ceiling));
    // The asset returning false.
    let pull = Token::transferFromCall {
        from: ALICE,
        to: PSM,
        value: assets,
    };
    host.mock(ASSET, pull.abi_encode(), Ok(bool_ret(false)));
    assert_eq!(
        err(psm.buy(assets, U256::ZERO, ALICE)),
        encoded(BadPeerResponse { peer: ASSET })
    );
    // Nothing credited (shares worth 0).
    host.mock(ASSET, pull.abi_encode(), Ok(bool_ret(true)));
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares: u(1_000) }.abi_encode(),
        Ok(word(U256::ZERO)),
    );
    assert_eq!(err(psm.quote_buy(assets)), encoded(ZeroAmount {}));
    assert_eq!(
        err(psm.buy(assets, U256::ZERO, ALICE)),
        encoded(ZeroAmount {})
    );
}

#[test]
fn buy_is_paused_by_the_guardian_and_disabled_after_the_deadline() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    host.set_sender(OWNER);
    psm.set_guardian(GUARDIAN).unwrap();
    host.set_sender(GUARDIAN);
    psm.set_buy_paused(true).unwrap();
    assert_eq!(
        last_log(&host),
        (vec![BuyPaused::SIGNATURE_HASH], words(&[u(1)]))
    );
    assert!(psm.buy_paused());
    assert_eq!(
        err(psm.buy(u(1), U256::ZERO, ALICE)),
        encoded(EntryPaused {})
    );
    assert_eq!(err(psm.quote_buy(u(1))), encoded(EntryPaused {}));
    // The guardian cannot unpause; the owner can.
    assert_eq!(
        err(psm.set_buy_paused(false)),
        encoded(OwnableUnauthorizedAccount { account: GUARDIAN })
    );
    host.set_sender(ALICE);
    assert_eq!(
        err(psm.set_buy_paused(true)),
        encoded(GuardianUnauthorizedAccount { account: ALICE })
    );
    host.set_sender(OWNER);
    psm.set_buy_paused(false).unwrap();
    assert!(!psm.buy_paused());
    // After the deadline.
    host.set_block_timestamp(DEADLINE + 5);
    assert_eq!(
        err(psm.buy(u(1), U256::ZERO, ALICE)),
        encoded(BuyDisabledAfterDeadline {
            deadline: U256::from(DEADLINE),
            now: U256::from(DEADLINE + 5)
        })
    );
}

#[test]
fn buy_without_vault_credits_the_balance_increase() {
    // With a constant mocked balance nothing "arrives": the PSM refuses to
    // mint against the nominal amount (the real transfer is tested on the devnet).
    let host = host();
    let mut psm = deploy(&host, 6, Address::ZERO);
    mock_balance(&host, u(777));
    let pull = Token::transferFromCall {
        from: ALICE,
        to: PSM,
        value: u(10),
    };
    host.mock(ASSET, pull.abi_encode(), Ok(bool_ret(true)));
    assert_eq!(psm.quote_buy(u(10)).unwrap(), (u(10) * e(12), U256::ZERO));
    assert_eq!(
        err(psm.buy(u(10), U256::ZERO, ALICE)),
        encoded(ZeroAmount {})
    );
}

// ---------------------------------------------------------- quoteBuy / minter

#[test]
fn quote_buy_reports_the_coins_mint_errors() {
    let host = host();
    let psm = deploy(&host, 18, Address::ZERO);
    host.set_block_timestamp(HALF + 250); // 50 bps: 100 → 99.5 + 0.5
    let amount = u(200);
    mock_minter(&host, false, false, U256::MAX, U256::ZERO);
    assert_eq!(
        err(psm.quote_buy(amount)),
        encoded(NotMinter { account: PSM })
    );
    mock_minter(&host, true, true, U256::MAX, U256::ZERO);
    assert_eq!(
        err(psm.quote_buy(amount)),
        encoded(MinterIsPaused { minter: PSM })
    );
    // The first mint (199) does not fit.
    mock_minter(&host, true, false, u(1_000), u(802));
    assert_eq!(
        err(psm.quote_buy(amount)),
        encoded(MinterCeilingExceeded {
            minter: PSM,
            ceiling: u(1_000),
            outstanding: u(802),
            amount: u(199)
        })
    );
    // The first fits, the fee (1) does not.
    mock_minter(&host, true, false, u(1_000), u(801));
    assert_eq!(
        err(psm.quote_buy(amount)),
        encoded(MinterCeilingExceeded {
            minter: PSM,
            ceiling: u(1_000),
            outstanding: u(1_000),
            amount: u(1)
        })
    );
    mock_minter(&host, true, false, u(1_000), u(800));
    assert_eq!(psm.quote_buy(amount).unwrap(), (u(199), u(1)));
}

// ---------------------------------------------------------------------- sell

#[test]
fn sell_converts_decimals_and_leaves_the_dust() {
    for decimals in [6u8, 8, 18] {
        let host = host();
        let mut psm = deploy(&host, decimals, Address::ZERO);
        psm.free_psm_assets.set(u(1_000) * e(decimals));
        mock_balance(&host, u(1_000) * e(decimals));
        let scale = e(18 - decimals);
        // 12.5 asset units and a bit of dust (below one asset unit).
        let asset_out = u(12_500) * e(decimals) / u(1_000);
        let dust = scale - u(1);
        let coin_in = asset_out * scale + dust;
        let taken = asset_out * scale;
        assert_eq!(psm.quote_sell(coin_in).unwrap(), asset_out);
        mock_burn(&host, ALICE, taken);
        let pay = Token::transferCall {
            to: BOB,
            value: asset_out,
        };
        host.mock(ASSET, pay.abi_encode(), Ok(bool_ret(true)));
        assert_eq!(psm.sell(coin_in, asset_out, BOB).unwrap(), asset_out);
        assert_eq!(psm.free_psm_assets(), u(1_000) * e(decimals) - asset_out);
        // Only the dust-free amount was burned.
        let burn = Coin::burnFromCall {
            from: ALICE,
            amount: taken,
        }
        .abi_encode();
        assert!(host.calls().iter().any(|c| c.to == COIN && c.data == burn));
        let (topics, data) = last_log(&host);
        assert_eq!(
            topics,
            vec![Sell::SIGNATURE_HASH, ALICE.into_word(), BOB.into_word()]
        );
        assert_eq!(data, words(&[taken, asset_out]));
    }
}

#[test]
fn sell_withdraws_from_the_vault() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    psm.free_psm_assets.set(u(500));
    mock_vault_holdings(&host, u(480), u(510));
    mock_burn(&host, ALICE, u(200) * e(12));
    let withdraw = Vault::withdrawCall {
        assets: u(200),
        receiver: BOB,
        owner: PSM,
    };
    host.mock(VAULT, withdraw.abi_encode(), Ok(word(u(190))));
    // 190 shares burned; the 290 left are worth 310 >= 500 - 200.
    mock_preview_withdraw(&host, u(200), u(190));
    mock_preview_redeem(&host, u(290), u(310));
    assert_eq!(psm.sell(u(200) * e(12), u(200), BOB).unwrap(), u(200));
    assert_eq!(psm.free_psm_assets(), u(300));
    assert!(host
        .calls()
        .iter()
        .any(|c| c.to == VAULT && c.data == withdraw.abi_encode()));
}

#[test]
fn sell_errors() {
    let host = host();
    let mut psm = deploy(&host, 6, Address::ZERO);
    psm.free_psm_assets.set(u(100));
    mock_balance(&host, u(100));
    assert_eq!(
        err(psm.sell(U256::ZERO, U256::ZERO, BOB)),
        encoded(ZeroAmount {})
    );
    // Less than one asset unit of coin.
    assert_eq!(
        err(psm.sell(e(12) - u(1), U256::ZERO, BOB)),
        encoded(ZeroAmount {})
    );
    assert_eq!(err(psm.quote_sell(e(12) - u(1))), encoded(ZeroAmount {}));
    assert_eq!(
        err(psm.sell(e(12), U256::ZERO, Address::ZERO)),
        encoded(ZeroAddress {})
    );
    // Past freePsmAssets.
    let over = encoded(InsufficientPsmLiquidity {
        requested: u(101),
        available: u(100),
    });
    assert_eq!(err(psm.sell(u(101) * e(12), U256::ZERO, BOB)), over);
    assert_eq!(err(psm.quote_sell(u(101) * e(12))), over);
    // Slippage.
    assert_eq!(
        err(psm.sell(u(50) * e(12), u(51), BOB)),
        encoded(SlippageExceeded {
            actual: u(50),
            minimum: u(51)
        })
    );
    // The coin's burnFrom revert (no allowance) bubbles up (after the
    // payout, which the revert undoes).
    host.mock(
        ASSET,
        Token::transferCall {
            to: BOB,
            value: u(50),
        }
        .abi_encode(),
        Ok(bool_ret(true)),
    );
    let allowance = suite_common::erc20::ERC20InsufficientAllowance {
        spender: PSM,
        allowance: U256::ZERO,
        needed: u(50) * e(12),
    };
    host.mock(
        COIN,
        Coin::burnFromCall {
            from: ALICE,
            amount: u(50) * e(12),
        }
        .abi_encode(),
        Err(encoded(allowance.clone())),
    );
    assert_eq!(
        err(psm.sell(u(50) * e(12), U256::ZERO, BOB)),
        encoded(allowance)
    );
    // The asset returning false.
    mock_burn(&host, ALICE, u(50) * e(12));
    let pay = Token::transferCall {
        to: BOB,
        value: u(50),
    };
    host.mock(ASSET, pay.abi_encode(), Ok(bool_ret(false)));
    assert_eq!(
        err(psm.sell(u(50) * e(12), U256::ZERO, BOB)),
        encoded(BadPeerResponse { peer: ASSET })
    );
}

#[test]
fn sell_is_capped_by_real_holdings_after_a_loss() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    psm.free_psm_assets.set(u(1_000));
    // The vault lost 10%: the shares are worth 900.
    mock_vault_holdings(&host, u(1_000), u(900));
    assert_eq!(psm.holdings().unwrap(), u(900));
    assert_eq!(psm.shortfall().unwrap(), u(100));
    assert_eq!(psm.free_psm_assets_in_coin().unwrap(), u(900) * e(12));
    let over = encoded(InsufficientPsmLiquidity {
        requested: u(901),
        available: u(900),
    });
    // The vault refuses the withdrawal: the PSM reads its holdings and
    // reports the liquidity limit, as the quote does, even though the seller
    // also lacks the coin (the burn comes after the payout and is not reached).
    host.mock(
        COIN,
        Coin::burnFromCall {
            from: ALICE,
            amount: u(901) * e(12),
        }
        .abi_encode(),
        Err(encoded(suite_common::erc20::ERC20InsufficientBalance {
            sender: ALICE,
            balance: U256::ZERO,
            needed: u(901) * e(12),
        })),
    );
    let withdraw = |assets| Vault::withdrawCall {
        assets,
        receiver: BOB,
        owner: PSM,
    };
    let refused = abi::ERC4626ExceededMaxWithdraw {
        owner: PSM,
        assets: u(901),
        max: u(900),
    };
    host.mock(VAULT, withdraw(u(901)).abi_encode(), Err(encoded(refused)));
    // 901 needs more shares than held; 900 takes them all (after the loss,
    // sells stay 1:1: the withdraw path).
    mock_preview_withdraw(&host, u(901), u(1_002));
    mock_preview_withdraw(&host, u(900), u(1_000));
    mock_preview_redeem(&host, U256::ZERO, U256::ZERO);
    assert_eq!(err(psm.quote_sell(u(901) * e(12))), over);
    assert_eq!(psm.quote_sell(u(900) * e(12)).unwrap(), u(900));
    assert_eq!(err(psm.sell(u(901) * e(12), U256::ZERO, BOB)), over);
    // (TestHost does not roll storage back on a revert; a chain does.)
    psm.free_psm_assets.set(u(1_000));
    // Within the holdings, another failure of the vault bubbles up unchanged.
    mock_burn(&host, ALICE, u(900) * e(12));
    host.mock(
        VAULT,
        withdraw(u(900)).abi_encode(),
        Err(encoded(EntryPaused {})),
    );
    assert_eq!(
        err(psm.sell(u(900) * e(12), U256::ZERO, BOB)),
        encoded(EntryPaused {})
    );
}

#[test]
fn sell_without_vault_reports_the_liquidity_limit_when_the_transfer_fails() {
    let host = host();
    let mut psm = deploy(&host, 6, Address::ZERO);
    psm.free_psm_assets.set(u(1_000));
    // The asset balance fell to 700 (a rebasing loss).
    mock_balance(&host, u(700));
    mock_burn(&host, ALICE, u(800) * e(12));
    let pay = Token::transferCall {
        to: BOB,
        value: u(800),
    };
    let balance = suite_common::erc20::ERC20InsufficientBalance {
        sender: PSM,
        balance: u(700),
        needed: u(800),
    };
    host.mock(ASSET, pay.abi_encode(), Err(encoded(balance)));
    let over = encoded(InsufficientPsmLiquidity {
        requested: u(800),
        available: u(700),
    });
    assert_eq!(err(psm.quote_sell(u(800) * e(12))), over);
    assert_eq!(err(psm.sell(u(800) * e(12), U256::ZERO, BOB)), over);
}

#[test]
fn sell_stays_open_while_paused_and_after_the_deadline() {
    let host = host();
    let mut psm = deploy(&host, 6, Address::ZERO);
    host.set_sender(OWNER);
    psm.set_buy_paused(true).unwrap();
    psm.enable_immutability_now().unwrap();
    host.set_block_timestamp(DEADLINE + 10 * 365 * 86_400);
    psm.free_psm_assets.set(u(10));
    mock_balance(&host, u(10));
    mock_burn(&host, ALICE, u(10) * e(12));
    let pay = Token::transferCall {
        to: ALICE,
        value: u(10),
    };
    host.mock(ASSET, pay.abi_encode(), Ok(bool_ret(true)));
    host.set_sender(ALICE);
    assert_eq!(psm.sell(u(10) * e(12), u(10), ALICE).unwrap(), u(10));
    assert_eq!(psm.free_psm_assets(), U256::ZERO);
}

// ----------------------------------------------------------- harvest / views

#[test]
fn harvest_without_vault_sends_the_surplus() {
    let host = host();
    let mut psm = deploy(&host, 6, Address::ZERO);
    psm.free_psm_assets.set(u(1_000));
    mock_balance(&host, u(1_250));
    let pay = Token::transferCall {
        to: TREASURY,
        value: u(250),
    };
    host.mock(ASSET, pay.abi_encode(), Ok(bool_ret(true)));
    assert_eq!(psm.harvest().unwrap(), u(250));
    assert_eq!(
        last_log(&host),
        (
            vec![Harvest::SIGNATURE_HASH, TREASURY.into_word()],
            words(&[u(250)])
        )
    );
    // Nothing to harvest: no transfer, no event.
    let logs = host.get_emitted_logs().len();
    mock_balance(&host, u(1_000));
    host.clear_calls();
    assert_eq!(psm.harvest().unwrap(), U256::ZERO);
    assert_eq!(host.get_emitted_logs().len(), logs);
    assert!(host
        .calls()
        .iter()
        .all(|c| c.data[..4] != Token::transferCall::SELECTOR));
}

#[test]
fn harvest_with_vault_redeems_only_the_excess_shares() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    psm.free_psm_assets.set(u(1_000));
    host.mock(
        VAULT,
        Vault::balanceOfCall { account: PSM }.abi_encode(),
        Ok(word(u(1_100))),
    );
    // Covering 1,000 assets takes 1,001 shares (rounded up): 99 are excess.
    host.mock(
        VAULT,
        Vault::previewWithdrawCall { assets: u(1_000) }.abi_encode(),
        Ok(word(u(1_001))),
    );
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares: u(99) }.abi_encode(),
        Ok(word(u(98))),
    );
    let redeem = Vault::redeemCall {
        shares: u(99),
        receiver: TREASURY,
        owner: PSM,
    };
    host.mock(VAULT, redeem.abi_encode(), Ok(word(u(98))));
    assert_eq!(psm.harvest().unwrap(), u(98));
    assert_eq!(psm.free_psm_assets(), u(1_000));
    // Excess shares worth nothing: nothing is redeemed.
    host.mock(
        VAULT,
        Vault::previewRedeemCall { shares: u(99) }.abi_encode(),
        Ok(word(U256::ZERO)),
    );
    assert_eq!(psm.harvest().unwrap(), U256::ZERO);
    // A shortfall: nothing to harvest.
    host.mock(
        VAULT,
        Vault::previewWithdrawCall { assets: u(1_000) }.abi_encode(),
        Ok(word(u(1_200))),
    );
    assert_eq!(psm.harvest().unwrap(), U256::ZERO);
}

#[test]
fn views_without_a_loss() {
    let host = host();
    let psm = {
        let mut psm = deploy(&host, 8, Address::ZERO);
        psm.free_psm_assets.set(u(3));
        psm
    };
    mock_balance(&host, u(5));
    assert_eq!(psm.holdings().unwrap(), u(5));
    assert_eq!(psm.shortfall().unwrap(), U256::ZERO);
    assert_eq!(psm.free_psm_assets_in_coin().unwrap(), u(3) * e(10));
}

// --------------------------------------------------------------------- admin

#[test]
fn enable_immutability_now_ends_the_window() {
    let host = host();
    let mut psm = deploy(&host, 6, Address::ZERO);
    assert_eq!(
        err(psm.enable_immutability_now()),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    host.set_sender(OWNER);
    host.set_block_timestamp(START + 10);
    psm.enable_immutability_now().unwrap();
    assert_eq!(psm.immutability_deadline(), START + 10);
    assert_eq!(
        last_log(&host),
        (
            vec![ImmutabilityEnabled::SIGNATURE_HASH],
            words(&[U256::from(START + 10)])
        )
    );
    assert_eq!(
        err(psm.quote_buy(u(1))),
        encoded(BuyDisabledAfterDeadline {
            deadline: U256::from(START + 10),
            now: U256::from(START + 10)
        })
    );
    assert_eq!(
        err(psm.enable_immutability_now()),
        encoded(AlreadyImmutable {
            deadline: U256::from(START + 10)
        })
    );
}

#[test]
fn parameter_setters() {
    let host = host();
    let mut psm = deploy(&host, 6, VAULT);
    assert_eq!(
        err(psm.set_min_vault_supply(u(1))),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    assert_eq!(
        err(psm.set_treasury(BOB)),
        encoded(OwnableUnauthorizedAccount { account: ALICE })
    );
    host.set_sender(OWNER);
    psm.set_min_vault_supply(u(7)).unwrap();
    assert_eq!(psm.min_vault_supply(), u(7));
    assert_eq!(
        last_log(&host),
        (vec![MinVaultSupplySet::SIGNATURE_HASH], words(&[u(7)]))
    );
    // The minimum is stored in 96 bits: the largest fits, one more is refused.
    psm.set_min_vault_supply(MAX_MIN_VAULT_SUPPLY).unwrap();
    assert_eq!(psm.min_vault_supply(), (U256::from(1) << 96) - u(1));
    let over = MAX_MIN_VAULT_SUPPLY + u(1);
    assert_eq!(
        err(psm.set_min_vault_supply(over)),
        encoded(MinVaultSupplyTooLarge {
            minimum: over,
            maximum: MAX_MIN_VAULT_SUPPLY
        })
    );
    assert_eq!(psm.min_vault_supply(), MAX_MIN_VAULT_SUPPLY);
    let other = super::tests::host();
    mock_config(&other, 6, Address::ZERO);
    let mut fresh = Psm::from(&other);
    assert_eq!(
        err(fresh.constructor(OWNER, COIN, ASSET, Address::ZERO, TREASURY, WINDOW, over)),
        encoded(MinVaultSupplyTooLarge {
            minimum: over,
            maximum: MAX_MIN_VAULT_SUPPLY
        })
    );
    assert_eq!(
        err(psm.set_treasury(Address::ZERO)),
        encoded(ZeroAddress {})
    );
    psm.set_treasury(BOB).unwrap();
    assert_eq!(psm.treasury(), BOB);
    assert_eq!(
        last_log(&host),
        (vec![TreasurySet::SIGNATURE_HASH, BOB.into_word()], vec![])
    );
}

// ------------------------------------------------------- fixed-point helpers

mod fixed_point {
    use super::*;
    use proptest::prelude::*;

    fn any_u256() -> impl Strategy<Value = U256> {
        prop_oneof![
            Just(U256::ZERO),
            Just(U256::MAX),
            any::<u64>().prop_map(U256::from),
            any::<u128>().prop_map(U256::from),
            any::<[u64; 4]>().prop_map(U256::from_limbs),
        ]
    }

    fn reference(a: U256, d: U256, rounding: Rounding) -> U256 {
        let (q, r) = a.div_rem(d);
        if rounding == Rounding::Up && !r.is_zero() {
            q + U256::from(1)
        } else {
            q
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn div_u32_matches_ruint(a in any_u256(), d in 1..=u32::MAX) {
            for rounding in [Rounding::Down, Rounding::Up] {
                prop_assert_eq!(fixed::div_u32(a, d, rounding), reference(a, U256::from(d), rounding));
            }
        }

        #[test]
        fn div_pow10_matches_ruint(a in any_u256(), exponent in 0u8..=18) {
            let d = U256::from(10).pow(U256::from(exponent));
            for rounding in [Rounding::Down, Rounding::Up] {
                prop_assert_eq!(fixed::div_pow10(a, exponent, rounding), reference(a, d, rounding));
            }
        }

        #[test]
        fn mul_u64_matches_checked_mul(a in any_u256(), m in any::<u64>()) {
            let expected = a.checked_mul(U256::from(m));
            prop_assert_eq!(fixed::mul_u64(a, m).ok(), expected);
        }

        /// Along the whole ramp: coin out + fee is the gross exactly, the fee
        /// is the exact fraction rounded up, and at most 1% (rounded up).
        #[test]
        fn fee_split_is_exact_and_bounded(gross in 1u128..u128::MAX / 2, t in START..DEADLINE) {
            let host = host();
            let psm = deploy(&host, 18, Address::ZERO);
            host.set_block_timestamp(t);
            let gross = U256::from(gross);
            match psm.split_fee(gross) {
                Ok(BuyAmounts { coin_out, fee }) => {
                    prop_assert_eq!(coin_out + fee, gross);
                    let elapsed = U256::from(t.saturating_sub(HALF));
                    let exact = reference(gross * u(100) * elapsed, u(10_000) * U256::from(DEADLINE - HALF), Rounding::Up);
                    prop_assert_eq!(fee, exact);
                    prop_assert!(fee <= reference(gross, u(100), Rounding::Up));
                }
                Err(e) => {
                    // Only when the fee would take everything (dust amounts).
                    prop_assert_eq!(Vec::<u8>::from(e), encoded(ZeroAmount {}));
                    prop_assert!(gross < u(100));
                }
            }
        }
    }
}
