//! Unit tests of the MockErc4626: the share maths (against a big-integer
//! reference, rounding directions, inflation-attack bounds) and every
//! function and error path (asset calls mocked per call with `TestHost`).

use super::*;
use alloy_primitives::{address, B256};
use alloy_sol_types::{SolCall, SolError};
use num_bigint::BigUint;
use proptest::prelude::*;
use suite_common::{
    erc20::{ERC20InsufficientAllowance, ERC20InvalidReceiver, InvalidShortString, Transfer},
    math::MulDivOverflow,
};
use test_host::{word, CallKind, RecordedCall, TestHost};

mod abi {
    suite_common::erc20_abi!(alloy_sol_types::sol);
    suite_common::mock_erc20_abi!(alloy_sol_types::sol);
}
use abi::{IErc20 as Token, IMockErc20};

const ASSET: Address = address!("000000000000000000000000000000000000a55e");
const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const ALICE: Address = address!("00000000000000000000000000000000000000a2");
const BOB: Address = address!("00000000000000000000000000000000000000a3");

fn u(x: u64) -> U256 {
    U256::from(x)
}

// ---------------------------------------------------------------- pure maths

fn big(x: U256) -> BigUint {
    BigUint::from_bytes_be(&x.to_be_bytes::<32>())
}

fn from_big(x: &BigUint) -> Option<U256> {
    let bytes = x.to_bytes_be();
    (bytes.len() <= 32).then(|| U256::from_be_slice(&bytes))
}

/// `a * b / d` rounded, in arbitrary precision.
fn reference(a: &BigUint, b: &BigUint, d: &BigUint, rounding: Rounding) -> BigUint {
    let p = a * b;
    let q = &p / d;
    if rounding == Rounding::Up && &q * d != p {
        q + 1u32
    } else {
        q
    }
}

fn ten_pow(offset: u8) -> BigUint {
    BigUint::from(10u32).pow(u32::from(offset))
}

fn amount() -> impl Strategy<Value = U256> {
    prop_oneof![
        Just(U256::ZERO),
        Just(u(1)),
        any::<u64>().prop_map(U256::from),
        any::<u128>().prop_map(U256::from),
        (any::<u128>(), 0u32..60).prop_map(|(x, s)| U256::from(x) << s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn conversions_match_reference(
        x in amount(), total in amount(), supply in amount(), offset in 0u8..=18,
    ) {
        for rounding in [Rounding::Down, Rounding::Up] {
            let shares = reference(&big(x), &(big(supply) + ten_pow(offset)), &(big(total) + 1u32), rounding);
            prop_assert_eq!(to_shares(x, total, supply, offset, rounding).ok(), from_big(&shares));
            let assets = reference(&big(x), &(big(total) + 1u32), &(big(supply) + ten_pow(offset)), rounding);
            prop_assert_eq!(to_assets(x, total, supply, offset, rounding).ok(), from_big(&assets));
        }
    }

    /// Deposit then redeem never returns more than was deposited; mint then
    /// withdraw never costs less than it pays; up is down or down + 1.
    #[test]
    fn round_trips_favour_the_vault(
        x in amount(), total in amount(), supply in amount(), offset in 0u8..=18,
    ) {
        if let Ok(shares) = to_shares(x, total, supply, offset, Rounding::Down) {
            // The vault after the deposit.
            if let (Some(t), Some(s)) = (total.checked_add(x), supply.checked_add(shares)) {
                if let Ok(back) = to_assets(shares, t, s, offset, Rounding::Down) {
                    prop_assert!(back <= x, "deposit {} redeem {}", x, back);
                }
            }
            let up = to_shares(x, total, supply, offset, Rounding::Up).unwrap();
            prop_assert!(up == shares || up == shares + u(1));
        }
        // mint(x shares) costs `cost`; a deposit of `cost` would give >= x shares.
        if let Ok(cost) = to_assets(x, total, supply, offset, Rounding::Up) {
            if let Ok(shares) = to_shares(cost, total, supply, offset, Rounding::Down) {
                prop_assert!(shares >= x);
            }
            let down = to_assets(x, total, supply, offset, Rounding::Down).unwrap();
            prop_assert!(cost == down || cost == down + u(1));
        }
        // withdraw(x assets) burns at least what deposit(x assets) mints.
        if let (Ok(burn), Ok(mint)) = (
            to_shares(x, total, supply, offset, Rounding::Up),
            to_shares(x, total, supply, offset, Rounding::Down),
        ) {
            prop_assert!(burn >= mint);
        }
    }

    /// First-depositor inflation attack: the attacker deposits `a`, donates
    /// `d`, then the victim deposits `x`. The victim's shares round to zero
    /// only if the donation reaches `x * 10^offset * (a + 1) - a`, i.e. the
    /// attacker must donate 10^offset times what it wants to steal; the
    /// victim never loses more than one share's worth (+1 wei) of its deposit; and
    /// the attacker never profits.
    #[test]
    fn inflation_attack_is_bounded_by_the_offset(
        a in 1u64..1_000_000, d in 0u128..1_000_000_000_000_000_000_000_000u128,
        x in 1u64..1_000_000_000_000, offset in 0u8..=12,
    ) {
        let (a, d, x) = (u(a), U256::from(d), u(x));
        let v = big(virtual_shares(offset));
        let attacker_shares = to_shares(a, U256::ZERO, U256::ZERO, offset, Rounding::Down).unwrap();
        prop_assert_eq!(big(attacker_shares), big(a) * &v);
        let total = a + d;
        let victim = to_shares(x, total, attacker_shares, offset, Rounding::Down).unwrap();
        let threshold = big(x) * &v * (big(a) + 1u32);
        prop_assert_eq!(victim.is_zero(), big(total) + 1u32 > threshold);
        if big(d) < threshold.clone() - big(a) - 1u32 {
            prop_assert!(!victim.is_zero());
        }
        // After the victim's deposit.
        let (total2, supply2) = (total + x, attacker_shares + victim);
        let victim_value = to_assets(victim, total2, supply2, offset, Rounding::Down).unwrap();
        let share_value = to_assets(u(1), total, attacker_shares, offset, Rounding::Up).unwrap();
        prop_assert!(victim_value <= x);
        prop_assert!(x - victim_value <= share_value + u(1), "loss {} share {}", x - victim_value, share_value);
        let attacker_value = to_assets(attacker_shares, total2, supply2, offset, Rounding::Down).unwrap();
        prop_assert!(attacker_value <= a + d, "attacker {} spent {}", attacker_value, a + d);
    }
}

#[test]
fn empty_vault_is_one_to_one_in_offset_units() {
    // 1 asset unit = 10^offset shares; the first deposit sets that price.
    assert_eq!(
        to_shares(u(5), U256::ZERO, U256::ZERO, 0, Rounding::Down),
        Ok(u(5))
    );
    assert_eq!(
        to_shares(u(5), U256::ZERO, U256::ZERO, 6, Rounding::Down),
        Ok(u(5_000_000))
    );
    assert_eq!(
        to_assets(u(5_000_000), U256::ZERO, U256::ZERO, 6, Rounding::Down),
        Ok(u(5))
    );
    // Rounding directions on a price of 3 assets per 2 shares (T+1 = 3, S+v = 2).
    assert_eq!(to_shares(u(2), u(2), u(1), 0, Rounding::Down), Ok(u(1)));
    assert_eq!(to_shares(u(2), u(2), u(1), 0, Rounding::Up), Ok(u(2)));
    assert_eq!(to_assets(u(1), u(2), u(1), 0, Rounding::Down), Ok(u(1)));
    assert_eq!(to_assets(u(1), u(2), u(1), 0, Rounding::Up), Ok(u(2)));
    // Overflow is a custom error, never a wrap.
    assert_eq!(
        to_shares(U256::MAX, U256::ZERO, U256::ZERO, 1, Rounding::Down),
        Err(MathError::MulDivOverflow(MulDivOverflow {
            a: U256::MAX,
            b: u(10),
            denominator: u(1)
        }))
    );
    assert!(to_assets(u(1), U256::MAX, U256::ZERO, 0, Rounding::Down).is_err());
}

// ------------------------------------------------------------- the contract

struct Fixture {
    host: TestHost,
    vault: MockErc4626,
    this: Address,
}

fn balance_call(account: Address) -> Vec<u8> {
    Token::balanceOfCall { account }.abi_encode()
}

impl Fixture {
    /// A vault over a 6-decimal asset with offset 6 (12-decimal shares).
    fn new() -> Self {
        Self::with(6, 6)
    }

    fn with(asset_decimals: u8, offset: u8) -> Self {
        let host = TestHost::default();
        host.mock(
            ASSET,
            Token::decimalsCall {}.abi_encode(),
            Ok(word(U256::from(asset_decimals))),
        );
        let mut vault = MockErc4626::from(&host);
        vault
            .constructor(ASSET, "Mock Vault".into(), "mvUSDC".into(), offset, OWNER)
            .unwrap();
        let this = host.contract_address();
        let fixture = Self { host, vault, this };
        fixture.set_total_assets(U256::ZERO);
        fixture
    }

    fn set_total_assets(&self, total: U256) {
        self.host
            .mock(ASSET, balance_call(self.this), Ok(word(total)));
    }

    fn mock_transfer_from(&self, from: Address, value: U256, ok: bool) {
        let data = Token::transferFromCall {
            from,
            to: self.this,
            value,
        }
        .abi_encode();
        self.host.mock(ASSET, data, Ok(word(u(ok as u64))));
    }

    fn mock_transfer(&self, to: Address, value: U256, ok: bool) {
        let data = Token::transferCall { to, value }.abi_encode();
        self.host.mock(ASSET, data, Ok(word(u(ok as u64))));
    }

    /// `sender` deposits `assets` into a vault holding `total` assets.
    fn deposit(&mut self, sender: Address, assets: U256, total: U256) -> U256 {
        self.host.set_sender(sender);
        self.set_total_assets(total);
        self.mock_transfer_from(sender, assets, true);
        let shares = self.vault.deposit(assets, sender).unwrap();
        self.set_total_assets(total + assets);
        shares
    }

    fn last_log(&self) -> (Vec<B256>, Vec<u8>) {
        self.host.get_emitted_logs().last().unwrap().clone()
    }
}

fn words(values: &[U256]) -> Vec<u8> {
    values.iter().flat_map(|v| B256::from(*v).0).collect()
}

#[test]
fn constructor_reads_asset_decimals() {
    let f = Fixture::with(6, 6);
    assert_eq!(f.vault.decimals(), 12);
    assert_eq!(f.vault.decimals_offset(), 6);
    assert_eq!(f.vault.asset(), ASSET);
    assert_eq!(f.vault.name(), "Mock Vault");
    assert_eq!(f.vault.symbol(), "mvUSDC");
    assert_eq!(f.vault.owner(), OWNER);
    let f = Fixture::with(18, 0);
    assert_eq!(f.vault.decimals(), 18);
}

#[test]
fn constructor_errors() {
    let host = TestHost::default();
    let mut vault = MockErc4626::from(&host);
    assert_eq!(
        vault.constructor(Address::ZERO, "V".into(), "V".into(), 0, OWNER),
        Err(MockErc4626Error::ZeroAddress(ZeroAddress {}))
    );
    // The asset's decimals() reverts (unmocked): the revert data bubbles up.
    assert_eq!(
        vault.constructor(ASSET, "V".into(), "V".into(), 0, OWNER),
        Err(MockErc4626Error::Call(
            stylus_sdk::stylus_core::calls::errors::Error::Revert(b"unmocked call".to_vec())
        ))
    );
    host.mock(ASSET, Token::decimalsCall {}.abi_encode(), Ok(word(u(6))));
    assert_eq!(
        vault.constructor(ASSET, "V".into(), "V".into(), 19, OWNER),
        Err(MockErc4626Error::InvalidDecimalsOffset(
            InvalidDecimalsOffset {
                assetDecimals: 6,
                offset: 19
            }
        ))
    );
    host.mock(ASSET, Token::decimalsCall {}.abi_encode(), Ok(word(u(250))));
    assert_eq!(
        vault.constructor(ASSET, "V".into(), "V".into(), 10, OWNER),
        Err(MockErc4626Error::InvalidDecimalsOffset(
            InvalidDecimalsOffset {
                assetDecimals: 250,
                offset: 10
            }
        ))
    );
    host.mock(ASSET, Token::decimalsCall {}.abi_encode(), Ok(word(u(6))));
    assert_eq!(
        vault.constructor(ASSET, "".into(), "V".into(), 0, OWNER),
        Err(MockErc4626Error::Erc20(Erc20Error::InvalidShortString(
            InvalidShortString { length: U256::ZERO }
        )))
    );
    assert!(matches!(
        vault.constructor(ASSET, "V".into(), "V".into(), 0, Address::ZERO),
        Err(MockErc4626Error::Access(AccessError::InvalidOwner(_)))
    ));
}

#[test]
fn deposit_pulls_assets_mints_shares_and_emits() {
    let mut f = Fixture::new();
    f.host.clear_calls();
    let shares = f.deposit(ALICE, u(1_000_000), U256::ZERO);
    assert_eq!(shares, u(1_000_000_000_000)); // 10^6 shares per asset unit
    assert_eq!(f.vault.balance_of(ALICE), shares);
    assert_eq!(f.vault.total_supply(), shares);
    let calls = f.host.calls();
    assert_eq!(
        calls.last().unwrap(),
        &RecordedCall {
            kind: CallKind::Call,
            to: ASSET,
            data: Token::transferFromCall {
                from: ALICE,
                to: f.this,
                value: u(1_000_000)
            }
            .abi_encode(),
            value: U256::ZERO,
        }
    );
    assert_eq!(
        f.last_log(),
        (
            vec![
                Deposit::SIGNATURE_HASH,
                ALICE.into_word(),
                ALICE.into_word()
            ],
            words(&[u(1_000_000), shares])
        )
    );
    let logs = f.host.get_emitted_logs();
    assert_eq!(logs[logs.len() - 2].0[0], Transfer::SIGNATURE_HASH);
}

#[test]
fn deposit_and_mint_round_in_favour_of_the_vault() {
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(2), U256::ZERO); // supply 2, assets 2
    f.set_total_assets(u(4)); // yield: assets 4, price (4+1)/(2+1)
                              // deposit 2 -> 2 * 3 / 5 = 1.2 -> 1 share (down)
    assert_eq!(f.vault.preview_deposit(u(2)), Ok(u(1)));
    assert_eq!(f.vault.convert_to_shares(u(2)), Ok(u(1)));
    // mint 1 share -> 1 * 5 / 3 = 1.67 -> 2 assets (up)
    assert_eq!(f.vault.preview_mint(u(1)), Ok(u(2)));
    f.host.set_sender(BOB);
    f.mock_transfer_from(BOB, u(2), true);
    assert_eq!(f.vault.mint(u(1), BOB), Ok(u(2)));
    assert_eq!(f.vault.balance_of(BOB), u(1));
    assert_eq!(
        f.last_log(),
        (
            vec![Deposit::SIGNATURE_HASH, BOB.into_word(), BOB.into_word()],
            words(&[u(2), u(1)])
        )
    );
    // withdraw 1 asset with assets 6, supply 3: 1 * 4 / 7 = 0.57 -> 1 share (up)
    f.set_total_assets(u(6));
    assert_eq!(f.vault.preview_withdraw(u(1)), Ok(u(1)));
    // redeem 1 share: 1 * 7 / 4 = 1.75 -> 1 asset (down)
    assert_eq!(f.vault.preview_redeem(u(1)), Ok(u(1)));
    assert_eq!(f.vault.convert_to_assets(u(1)), Ok(u(1)));
    assert_eq!(f.vault.max_withdraw(ALICE), Ok(u(3))); // 2 * 7 / 4 = 3.5
    assert_eq!(f.vault.max_redeem(ALICE), u(2));
}

#[test]
fn deposit_errors() {
    let mut f = Fixture::new();
    f.host.set_sender(ALICE);
    // The asset reverts (no allowance): its revert data bubbles up.
    let revert = ERC20InsufficientAllowance {
        spender: f.this,
        allowance: U256::ZERO,
        needed: u(5),
    }
    .abi_encode();
    let data = Token::transferFromCall {
        from: ALICE,
        to: f.this,
        value: u(5),
    }
    .abi_encode();
    f.host.mock(ASSET, data, Err(revert.clone()));
    assert_eq!(
        f.vault.deposit(u(5), ALICE),
        Err(MockErc4626Error::Call(
            stylus_sdk::stylus_core::calls::errors::Error::Revert(revert)
        ))
    );
    // The asset returns false.
    f.mock_transfer_from(ALICE, u(5), false);
    assert_eq!(
        f.vault.deposit(u(5), ALICE),
        Err(MockErc4626Error::TransferFailed(SafeERC20FailedOperation {
            token: ASSET
        }))
    );
    assert_eq!(
        f.vault.mint(u(5_000_000), ALICE),
        Err(MockErc4626Error::TransferFailed(SafeERC20FailedOperation {
            token: ASSET
        }))
    );
    // Zero receiver.
    f.mock_transfer_from(ALICE, u(5), true);
    assert_eq!(
        f.vault.deposit(u(5), Address::ZERO),
        Err(MockErc4626Error::Erc20(Erc20Error::InvalidReceiver(
            ERC20InvalidReceiver {
                receiver: Address::ZERO
            }
        )))
    );
    // totalAssets reverts.
    f.host.mock(ASSET, balance_call(f.this), Err(vec![1, 2, 3]));
    assert_eq!(
        f.vault.deposit(u(5), ALICE),
        Err(MockErc4626Error::Call(
            stylus_sdk::stylus_core::calls::errors::Error::Revert(vec![1, 2, 3])
        ))
    );
    assert!(f.vault.total_assets().is_err());
    // Overflow in the maths.
    f.set_total_assets(U256::ZERO);
    assert_eq!(
        f.vault.deposit(U256::MAX, ALICE),
        Err(MockErc4626Error::Math(MathError::MulDivOverflow(
            MulDivOverflow {
                a: U256::MAX,
                b: u(1_000_000),
                denominator: u(1)
            }
        )))
    );
}

#[test]
fn withdraw_and_redeem_by_owner() {
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(100), U256::ZERO);
    f.set_total_assets(u(200)); // 100% yield: (200+1)/(100+1)
    f.host.set_sender(ALICE);
    // withdraw 50: shares = ceil(50 * 101 / 201) = 26
    f.mock_transfer(BOB, u(50), true);
    assert_eq!(f.vault.withdraw(u(50), BOB, ALICE), Ok(u(26)));
    assert_eq!(f.vault.balance_of(ALICE), u(74));
    assert_eq!(
        f.last_log(),
        (
            vec![
                Withdraw::SIGNATURE_HASH,
                ALICE.into_word(),
                BOB.into_word(),
                ALICE.into_word()
            ],
            words(&[u(50), u(26)])
        )
    );
    assert_eq!(
        f.host.calls().last().unwrap().data,
        Token::transferCall {
            to: BOB,
            value: u(50)
        }
        .abi_encode()
    );
    // redeem 10: assets = floor(10 * 151 / 75) = 20
    f.set_total_assets(u(150));
    f.mock_transfer(ALICE, u(20), true);
    assert_eq!(f.vault.redeem(u(10), ALICE, ALICE), Ok(u(20)));
    assert_eq!(f.vault.balance_of(ALICE), u(64));
    assert_eq!(f.vault.total_supply(), u(64));
}

#[test]
fn withdraw_for_another_owner_spends_share_allowance() {
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(100), U256::ZERO);
    f.host.set_sender(ALICE);
    f.vault.approve(BOB, u(30)).unwrap();
    f.host.set_sender(BOB);
    f.mock_transfer(BOB, u(20), true);
    assert_eq!(f.vault.redeem(u(20), BOB, ALICE), Ok(u(20)));
    assert_eq!(f.vault.allowance(ALICE, BOB), u(10));
    f.set_total_assets(u(80));
    assert_eq!(
        f.vault.withdraw(u(20), BOB, ALICE),
        Err(MockErc4626Error::Erc20(Erc20Error::InsufficientAllowance(
            ERC20InsufficientAllowance {
                spender: BOB,
                allowance: u(10),
                needed: u(20)
            }
        )))
    );
}

#[test]
fn withdraw_and_redeem_errors() {
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(100), U256::ZERO);
    f.host.set_sender(ALICE);
    assert_eq!(
        f.vault.withdraw(u(101), ALICE, ALICE),
        Err(MockErc4626Error::ExceededMaxWithdraw(
            ERC4626ExceededMaxWithdraw {
                owner: ALICE,
                assets: u(101),
                max: u(100)
            }
        ))
    );
    assert_eq!(
        f.vault.redeem(u(101), ALICE, ALICE),
        Err(MockErc4626Error::ExceededMaxRedeem(
            ERC4626ExceededMaxRedeem {
                owner: ALICE,
                shares: u(101),
                max: u(100)
            }
        ))
    );
    // A failed call leaves the TestVM state as it was at the failure (no
    // rollback), so each failing case below starts from a fresh vault.
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(100), U256::ZERO);
    f.host.set_sender(ALICE);
    f.mock_transfer(ALICE, u(10), false);
    assert_eq!(
        f.vault.redeem(u(10), ALICE, ALICE),
        Err(MockErc4626Error::TransferFailed(SafeERC20FailedOperation {
            token: ASSET
        }))
    );
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(100), U256::ZERO);
    f.host.set_sender(ALICE);
    f.mock_transfer(ALICE, u(10), false);
    assert_eq!(
        f.vault.withdraw(u(10), ALICE, ALICE),
        Err(MockErc4626Error::TransferFailed(SafeERC20FailedOperation {
            token: ASSET
        }))
    );
    let mut f = Fixture::with(6, 0);
    f.deposit(ALICE, u(100), U256::ZERO);
    f.host.set_sender(ALICE);
    // The asset's transfer reverts: bubbles up.
    f.host.mock(
        ASSET,
        Token::transferCall {
            to: ALICE,
            value: u(10),
        }
        .abi_encode(),
        Err(vec![9]),
    );
    assert_eq!(
        f.vault.redeem(u(10), ALICE, ALICE),
        Err(MockErc4626Error::Call(
            stylus_sdk::stylus_core::calls::errors::Error::Revert(vec![9])
        ))
    );
}

#[test]
fn limits_and_views() {
    let mut f = Fixture::new();
    assert_eq!(f.vault.max_deposit(ALICE), U256::MAX);
    assert_eq!(f.vault.max_mint(ALICE), U256::MAX);
    assert_eq!(f.vault.max_withdraw(ALICE), Ok(U256::ZERO));
    assert_eq!(f.vault.max_redeem(ALICE), U256::ZERO);
    f.deposit(ALICE, u(7), U256::ZERO);
    assert_eq!(f.vault.total_assets(), Ok(u(7)));
    assert_eq!(f.vault.max_withdraw(ALICE), Ok(u(7)));
    assert_eq!(f.vault.max_redeem(ALICE), u(7_000_000));
}

#[test]
fn simulate_yield_mints_into_the_vault() {
    let mut f = Fixture::new();
    f.deposit(ALICE, u(1_000_000), U256::ZERO);
    // 1,000,000 * 123 / 10,000 = 12,300.
    let mint = IMockErc20::mintCall {
        to: f.this,
        amount: u(12_300),
    }
    .abi_encode();
    f.host.mock(ASSET, mint.clone(), Ok(vec![]));
    f.host.set_sender(BOB); // open hook
    assert_eq!(f.vault.simulate_yield(u(123)), Ok(u(12_300)));
    assert_eq!(f.host.calls().last().unwrap().data, mint);
    assert_eq!(
        f.last_log(),
        (
            vec![YieldSimulated::SIGNATURE_HASH],
            words(&[u(123), u(12_300)])
        )
    );
}

#[test]
fn simulate_loss_burns_from_the_vault() {
    let mut f = Fixture::new();
    f.deposit(ALICE, u(1_000_000), U256::ZERO);
    let burn = IMockErc20::burnCall {
        from: f.this,
        amount: u(250_000),
    }
    .abi_encode();
    f.host.mock(ASSET, burn.clone(), Ok(vec![]));
    assert_eq!(f.vault.simulate_loss(u(2_500)), Ok(u(250_000)));
    assert_eq!(f.host.calls().last().unwrap().data, burn);
    assert_eq!(
        f.last_log(),
        (
            vec![LossSimulated::SIGNATURE_HASH],
            words(&[u(2_500), u(250_000)])
        )
    );
    // The whole vault can be lost.
    let burn = IMockErc20::burnCall {
        from: f.this,
        amount: u(1_000_000),
    }
    .abi_encode();
    f.host.mock(ASSET, burn, Ok(vec![]));
    assert_eq!(f.vault.simulate_loss(u(10_000)), Ok(u(1_000_000)));
}

#[test]
fn simulate_errors() {
    let mut f = Fixture::new();
    assert_eq!(
        f.vault.simulate_loss(u(10_001)),
        Err(MockErc4626Error::LossAboveTotal(LossAboveTotal {
            bps: u(10_001)
        }))
    );
    f.set_total_assets(u(100));
    // The asset is not a MockErc20 (mint/burn unmocked: revert bubbles up).
    assert!(matches!(
        f.vault.simulate_yield(u(100)),
        Err(MockErc4626Error::Call(_))
    ));
    assert!(matches!(
        f.vault.simulate_loss(u(100)),
        Err(MockErc4626Error::Call(_))
    ));
    f.set_total_assets(U256::MAX);
    assert!(matches!(
        f.vault.simulate_yield(U256::MAX),
        Err(MockErc4626Error::Math(_))
    ));
}

#[test]
fn errors_encode_as_solidity_custom_errors() {
    let data: Vec<u8> = MockErc4626Error::LossAboveTotal(LossAboveTotal { bps: u(1) }).into();
    assert_eq!(&data[..4], &LossAboveTotal::SELECTOR);
    let data: Vec<u8> =
        MockErc4626Error::Call(stylus_sdk::stylus_core::calls::errors::Error::Revert(vec![
            1, 2,
        ]))
        .into();
    assert_eq!(data, vec![1, 2]);
}
