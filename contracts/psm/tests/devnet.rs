//! The PSM on the devnet: the real WASM of the Psm, the AlAsset, a 6-decimal
//! MockErc20 ("USDC") and a MockErc4626 over it (virtual-share offset,
//! `simulateYield` / `simulateLoss`).
//!
//! Scenarios (round trips, a bank run, yield, a vault loss, the deadline and
//! the pause, quotes against executions, the minter ceiling, the inflation
//! guard) and a property test over random sequences of buys, sells, yield,
//! losses, harvests and time.
//!
//! The world is the deploy plan's PSM (`testkit::parts::psm`).

use std::cell::RefCell;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolError;
use devnet::SnapshotId;
use proptest::{
    prelude::*,
    test_runner::{Config as ProptestConfig, TestRunner},
};
use psm::{
    BuyDisabledAfterDeadline, InsufficientPsmLiquidity, MinterCeilingExceeded, VaultSupplyTooLow,
};
use suite_common::errors::EntryPaused;
use testkit::{
    actors::TREASURY,
    ether,
    interfaces::{IAlAsset, IMockErc20, IMockErc4626, IPsm},
    parts, usdc, CallError, Local, Reverted,
};

const T0: u64 = 1_700_000_000;
/// Immutability window: 30 days.
const WINDOW: u64 = 30 * 86_400;
const USERS: [Address; 3] = [
    Address::repeat_byte(0xa1),
    Address::repeat_byte(0xa2),
    Address::repeat_byte(0xa3),
];
/// Shares' decimals offset of the vault (OpenZeppelin's inflation defence).
const OFFSET: u8 = 3;

// ---------------------------------------------------------------- world

fn u(v: u64) -> U256 {
    U256::from(v)
}

/// USDC units to coin (18 decimals).
fn coin_of(asset: U256) -> U256 {
    asset * u(1_000_000_000_000)
}

/// What the fixture deploys.
#[derive(Clone, Copy, Debug)]
struct Parts {
    coin: Address,
    usdc: Address,
    /// Zero when the PSM holds USDC directly.
    vault: Address,
    psm: Address,
}

type World = testkit::World<Local, Parts>;

/// The deploy plan's PSM (devnet defaults, a 30-day window, treasury
/// `TREASURY`, minter ceiling 10M alUSD): AlAsset, USDC (6 decimals),
/// optionally a vault (offset 3) seeded with 1 USDC of dead shares and the
/// inflation guard set to them; each user holds 1M USDC and approved the
/// PSM for USDC and alUSD.
fn new_world(with_vault: bool) -> World {
    let mut w = testkit::World::local_at(T0);
    let mut config = testkit::Config::devnet_default();
    config.roles.treasury = Some(TREASURY);
    config.psm.window_seconds = WINDOW;
    let mocks = config.mocks.as_mut().expect("the devnet profile has mocks");
    mocks.psm_vault = with_vault;
    mocks.vault_decimals_offset = OFFSET;
    let m = w.deploy_plan(&config, parts::psm);
    let address = |key: &str| m.address(key).unwrap_or(Address::ZERO);
    let (coin, token, psm) = (address("alAsset"), address("asset"), address("psm"));
    let mut world = w.with(Parts {
        coin,
        usdc: token,
        vault: address("psmVault"),
        psm,
    });
    for user in USERS {
        world.fund(user, ether(100));
        world.mint_mock(token, user, usdc(1_000_000));
        world.approve_max(user, token, psm);
        world.approve_max(user, coin, psm);
    }
    world
}

/// The scenarios' helpers.
trait Scenario {
    fn usdc_of(&mut self, who: Address) -> U256;
    fn coin_balance(&mut self, who: Address) -> U256;
    fn free(&mut self) -> U256;
    fn holdings(&mut self) -> U256;
    fn shortfall(&mut self) -> U256;
    fn outstanding(&mut self) -> U256;
    fn buy(&mut self, user: Address, asset_in: U256) -> Result<U256, CallError>;
    fn sell(&mut self, user: Address, coin_in: U256) -> Result<U256, CallError>;
}

impl Scenario for World {
    fn usdc_of(&mut self, who: Address) -> U256 {
        self.view(self.at.usdc, IMockErc20::balanceOfCall { account: who })
    }

    fn coin_balance(&mut self, who: Address) -> U256 {
        self.view(self.at.coin, IAlAsset::balanceOfCall { account: who })
    }

    fn free(&mut self) -> U256 {
        self.view(self.at.psm, IPsm::freePsmAssetsCall {})
    }

    fn holdings(&mut self) -> U256 {
        self.view(self.at.psm, IPsm::holdingsCall {})
    }

    fn shortfall(&mut self) -> U256 {
        self.view(self.at.psm, IPsm::shortfallCall {})
    }

    /// The PSM's outstanding mints on the coin (minted − burned) `[coin]`.
    fn outstanding(&mut self) -> U256 {
        self.view(
            self.at.coin,
            IAlAsset::minterInfoCall {
                minter: self.at.psm,
            },
        )
        .outstanding
    }

    /// Buys with the quote checked against the execution (coin to the buyer
    /// and fee to the treasury).
    fn buy(&mut self, user: Address, asset_in: U256) -> Result<U256, CallError> {
        let quote = self.try_view(self.at.psm, IPsm::quoteBuyCall { assetIn: asset_in });
        let (coin_before, fee_before) = (self.coin_balance(user), self.coin_balance(TREASURY));
        let result = self.try_send(
            user,
            self.at.psm,
            IPsm::buyCall {
                assetIn: asset_in,
                minCoinOut: U256::ZERO,
                recipient: user,
            },
        );
        match (&quote, &result) {
            (Ok(q), Ok(out)) => {
                assert_eq!(q.coinOut, *out, "quoteBuy coinOut");
                assert_eq!(self.coin_balance(user) - coin_before, *out);
                assert_eq!(
                    self.coin_balance(TREASURY) - fee_before,
                    q.fee,
                    "quoteBuy fee"
                );
            }
            // The quote fails exactly when the buy fails, with the same error.
            (Err(q), Err(r)) => assert_eq!(q.data(), r.data(), "quoteBuy error"),
            _ => panic!(
                "quoteBuy {:?} but buy {result:?}",
                quote.map(|q| (q.coinOut, q.fee))
            ),
        }
        result
    }

    /// Sells with the quote checked against the execution.
    fn sell(&mut self, user: Address, coin_in: U256) -> Result<U256, CallError> {
        let quote = self.try_view(self.at.psm, IPsm::quoteSellCall { coinIn: coin_in });
        let before = self.usdc_of(user);
        let result = self.try_send(
            user,
            self.at.psm,
            IPsm::sellCall {
                coinIn: coin_in,
                minAssetOut: U256::ZERO,
                recipient: user,
            },
        );
        match (&quote, &result) {
            (Ok(q), Ok(out)) => {
                assert_eq!(q, out, "quoteSell");
                assert_eq!(self.usdc_of(user) - before, *out);
            }
            (Err(q), Err(r)) => assert_eq!(q.data(), r.data(), "quoteSell error"),
            // A quote cannot see the seller's balance or allowance.
            (Ok(_), Err(_)) => {}
            _ => panic!("quoteSell {quote:?} but sell {result:?}"),
        }
        result
    }
}

fn revert_is<E: SolError + PartialEq + std::fmt::Debug>(
    result: Result<U256, CallError>,
    expected: E,
) {
    let revert = result.expect_err("expected a revert");
    assert_eq!(revert.as_error::<E>(), Some(expected), "{revert}");
}

// ------------------------------------------------------------- scenarios

#[test]
fn round_trip_with_and_without_vault() {
    for with_vault in [false, true] {
        let mut w = new_world(with_vault);
        let alice = USERS[0];
        let out = w.buy(alice, usdc(1_000)).unwrap();
        // The vault's rounding may credit a few units less than 1,000 USDC,
        // never more; the coin minted matches the credit exactly.
        let free = w.free();
        assert!(
            free <= usdc(1_000) && free + u(2) >= usdc(1_000),
            "credited {free}"
        );
        assert_eq!(out, coin_of(free));
        assert_eq!(w.outstanding(), coin_of(free));
        assert!(w.holdings() >= free);
        // Sell it all back, with some dust below one USDC unit left over.
        let dust = u(999_999_999_999);
        let back = w.sell(alice, out - dust).unwrap();
        assert_eq!(back, free - u(1));
        // Only `(free − 1) · 10^12` coin was taken: 10^12 − dust + dust = one unit's worth stays.
        assert_eq!(w.coin_balance(alice), coin_of(u(1)));
        assert_eq!(w.free(), u(1));
        assert_eq!(w.outstanding(), coin_of(u(1)));
        assert_eq!(
            w.usdc_of(alice),
            usdc(1_000_000) - usdc(1_000) + free - u(1)
        );
    }
}

#[test]
fn bank_run_drains_the_psm_to_zero_and_loses_nothing() {
    let mut w = new_world(true);
    let dev = w.sender();
    let mut minted = Vec::new();
    for (i, user) in USERS.into_iter().enumerate() {
        minted.push(w.buy(user, usdc(100_000 * (i as u64 + 1))).unwrap());
    }
    for (user, coin) in USERS.into_iter().zip(minted.clone()) {
        w.sell(user, coin).unwrap();
        assert!(w.holdings() >= w.free());
    }
    assert_eq!(w.free(), U256::ZERO);
    assert_eq!(w.outstanding(), U256::ZERO);
    assert_eq!(w.shortfall(), U256::ZERO);
    // Each user got back exactly what the vault credited them (no fee in the
    // first half), at most the rounding of the vault below what they paid.
    for (i, user) in USERS.into_iter().enumerate() {
        let paid = usdc(100_000 * (i as u64 + 1));
        let got = w.usdc_of(user) - (usdc(1_000_000) - paid);
        assert_eq!(coin_of(got), minted[i]);
        assert!(got <= paid && got + u(2) >= paid);
    }
    // The next sell fails clearly: nothing is left.
    w.send(
        w.at.coin,
        IAlAsset::addMinterCall {
            minter: dev,
            ceiling: coin_of(usdc(1)),
        },
    );
    w.send(
        w.at.coin,
        IAlAsset::mintCall {
            to: USERS[0],
            amount: coin_of(usdc(1)),
        },
    );
    revert_is(
        w.sell(USERS[0], coin_of(usdc(1))),
        InsufficientPsmLiquidity {
            requested: usdc(1),
            available: U256::ZERO,
        },
    );
    // The vault's rounding stays in the PSM (harvestable), never a shortfall.
    assert!(w.holdings() < u(10));
}

#[test]
fn vault_yield_is_harvested_to_the_reserves() {
    let mut w = new_world(true);
    w.buy(USERS[0], usdc(500_000)).unwrap();
    let free = w.free();
    w.send(w.at.vault, IMockErc4626::simulateYieldCall { bps: u(200) }); // +2%
    let holdings = w.holdings();
    assert!(holdings > free + usdc(9_000), "holdings {holdings}");
    let before = w.usdc_of(TREASURY);
    let harvested = w.send(w.at.psm, IPsm::harvestCall {});
    assert_eq!(w.usdc_of(TREASURY) - before, harvested);
    // All the yield but the vault's rounding went out; the backing is intact.
    assert!(
        harvested + u(3) >= holdings - free,
        "harvested {harvested} of {}",
        holdings - free
    );
    assert_eq!(w.free(), free);
    assert!(w.holdings() >= free);
    // A second harvest finds nothing.
    assert_eq!(w.send(w.at.psm, IPsm::harvestCall {}), U256::ZERO);
    // Everyone can still sell out in full.
    let coin = w.coin_balance(USERS[0]);
    assert_eq!(w.sell(USERS[0], coin).unwrap(), free);
    assert_eq!(w.free(), U256::ZERO);
}

#[test]
fn direct_holdings_yield_is_harvested_too() {
    let mut w = new_world(false);
    w.buy(USERS[0], usdc(1_000)).unwrap();
    // A rebase / donation to the PSM.
    w.mint_mock(w.at.usdc, w.at.psm, usdc(7));
    assert_eq!(w.send(w.at.psm, IPsm::harvestCall {}), usdc(7));
    assert_eq!(w.usdc_of(TREASURY), usdc(7));
    assert_eq!(w.holdings(), w.free());
}

#[test]
fn vault_loss_is_reported_and_sells_never_pay_more_than_held() {
    let mut w = new_world(true);
    let coin = w.buy(USERS[0], usdc(100_000)).unwrap();
    w.buy(USERS[1], usdc(100_000)).unwrap();
    let free = w.free();
    w.send(w.at.vault, IMockErc4626::simulateLossCall { bps: u(1_000) }); // −10%
    let holdings = w.holdings();
    assert!(holdings < free);
    assert_eq!(w.shortfall(), free - holdings);
    assert_eq!(
        w.view(w.at.psm, IPsm::freePsmAssetsInCoinCall {}),
        coin_of(holdings)
    );
    // Nothing to harvest.
    assert_eq!(w.send(w.at.psm, IPsm::harvestCall {}), U256::ZERO);
    // The first seller exits 1:1; the second is capped at what is held.
    w.sell(USERS[0], coin).unwrap();
    let held = w.holdings();
    let coin1 = w.coin_balance(USERS[1]);
    let requested = coin1 / u(1_000_000_000_000);
    revert_is(
        w.sell(USERS[1], coin1),
        InsufficientPsmLiquidity {
            requested,
            available: held,
        },
    );
    let out = w.sell(USERS[1], coin_of(held)).unwrap();
    assert_eq!(out, held);
    assert!(w.holdings() < u(10));
    // The shortfall is still reported: the coin outstanding is unbacked.
    let free = w.free();
    assert_eq!(w.shortfall(), free - w.holdings());
    assert_eq!(w.outstanding(), coin_of(free));
}

#[test]
fn sells_work_after_the_deadline_and_while_paused() {
    let mut w = new_world(true);
    let coin = w.buy(USERS[0], usdc(10_000)).unwrap();
    w.send(w.at.psm, IPsm::setBuyPausedCall { paused: true });
    revert_is(w.buy(USERS[1], usdc(1)), EntryPaused {});
    w.sell(USERS[0], coin / u(2)).unwrap();
    w.send(w.at.psm, IPsm::setBuyPausedCall { paused: false });
    w.chain().warp(WINDOW);
    let now = w.chain().next_timestamp();
    revert_is(
        w.buy(USERS[1], usdc(1)),
        BuyDisabledAfterDeadline {
            deadline: u(T0 + WINDOW),
            now: u(now),
        },
    );
    let rest = w.coin_balance(USERS[0]);
    w.sell(USERS[0], rest).unwrap();
    assert_eq!(w.free(), U256::ZERO);
}

#[test]
fn enable_immutability_now_ends_buys_early() {
    let mut w = new_world(false);
    w.chain().warp(3_600);
    w.send(w.at.psm, IPsm::enableImmutabilityNowCall {});
    let deadline = w.view(w.at.psm, IPsm::immutabilityDeadlineCall {});
    assert!(deadline < T0 + WINDOW);
    assert!(w
        .buy(USERS[0], usdc(1))
        .unwrap_err()
        .is::<BuyDisabledAfterDeadline>());
}

#[test]
fn quotes_equal_executions_along_the_fee_ramp() {
    let mut w = new_world(true);
    let half = T0 + WINDOW / 2;
    for (t, amount) in [
        (T0 + 10, 1_234),
        (half, 50_000),
        (half + 1, 77_777),
        (half + WINDOW / 4, 1_000_001),
        (T0 + WINDOW - 1, 333_333),
    ] {
        w.chain().set_next_timestamp(t);
        let user = USERS[(t % 3) as usize];
        let before = w.coin_balance(TREASURY);
        let asset_in = u(amount) * u(1_000) + u(7);
        w.buy(user, asset_in).unwrap();
        let fee = w.coin_balance(TREASURY) - before;
        let bps = w.view(w.at.psm, IPsm::buyFeeBpsCall {});
        if t <= half {
            assert_eq!(fee, U256::ZERO);
            assert_eq!(bps, U256::ZERO);
        } else {
            assert!(fee > U256::ZERO && bps > U256::ZERO && bps <= u(100));
        }
    }
    // Sells of odd amounts (dust stays with the seller).
    for user in USERS {
        let balance = w.coin_balance(user);
        if !balance.is_zero() {
            w.sell(user, balance / u(3) + u(123)).unwrap();
        }
    }
    // Backing: what was minted (coin out + fees) minus burned equals the credit.
    let free = w.free();
    assert_eq!(w.outstanding(), coin_of(free));
    assert!(w.holdings() >= free);
}

#[test]
fn the_coins_minter_ceiling_bubbles_up() {
    let mut w = new_world(false);
    w.send(
        w.at.coin,
        IAlAsset::setMinterCeilingCall {
            minter: w.at.psm,
            ceiling: coin_of(usdc(100)),
        },
    );
    w.buy(USERS[0], usdc(60)).unwrap();
    // The quote reverts with the same AlAsset error as the buy (checked in `buy`).
    revert_is(
        w.buy(USERS[0], usdc(50)),
        MinterCeilingExceeded {
            minter: w.at.psm,
            ceiling: coin_of(usdc(100)),
            outstanding: coin_of(usdc(60)),
            amount: coin_of(usdc(50)),
        },
    );
    assert_eq!(w.free(), usdc(60));
}

#[test]
fn the_inflation_guard_needs_a_seeded_vault() {
    let mut w = new_world(true);
    let supply = w.view(w.at.vault, IMockErc4626::totalSupplyCall {});
    w.send(
        w.at.psm,
        IPsm::setMinVaultSupplyCall {
            minimum: supply + u(1),
        },
    );
    revert_is(
        w.buy(USERS[0], usdc(1)),
        VaultSupplyTooLow {
            supply,
            minimum: supply + u(1),
        },
    );
}

// ------------------------------------------------------- property test

#[derive(Clone, Debug)]
enum Op {
    Buy {
        user: usize,
        usdc_units: u64,
    },
    Sell {
        user: usize,
        permille: u64,
        dust: u64,
    },
    Yield {
        bps: u64,
    },
    Loss {
        bps: u64,
    },
    Harvest,
    Warp {
        seconds: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..3usize, 1..5_000_000_000u64).prop_map(|(user, usdc_units)| Op::Buy { user, usdc_units }),
        4 => (0..3usize, 1..1_200u64, 0..1_000_000_000_000u64).prop_map(|(user, permille, dust)| Op::Sell { user, permille, dust }),
        1 => (1..500u64).prop_map(|bps| Op::Yield { bps }),
        1 => (1..2_000u64).prop_map(|bps| Op::Loss { bps }),
        1 => Just(Op::Harvest),
        1 => (1..(WINDOW / 3)).prop_map(|seconds| Op::Warp { seconds }),
    ]
}

/// After every step: the shortfall is exactly what is missing; with no loss
/// so far the holdings cover `freePsmAssets` and the PSM's outstanding coin
/// equals `freePsmAssets` normalised; a sell past `min(free, holdings)` fails
/// with `InsufficientPsmLiquidity`, and quotes equal executions (`World::buy`/`sell`).
#[test]
fn random_sequences_keep_the_backing() {
    for with_vault in [true, false] {
        let world = RefCell::new(new_world(with_vault));
        let snapshot = RefCell::new(world.borrow_mut().snapshot());
        let mut runner = TestRunner::new(ProptestConfig {
            cases: 12,
            ..ProptestConfig::default()
        });
        runner
            .run(&proptest::collection::vec(op(), 1..25), |ops| {
                let mut w = world.borrow_mut();
                // Every case starts from the freshly deployed world.
                let id: SnapshotId = *snapshot.borrow();
                assert!(w.chain().revert_to(id));
                *snapshot.borrow_mut() = w.chain().snapshot();
                run_case(&mut w, with_vault, &ops);
                Ok(())
            })
            .unwrap();
    }
}

fn run_case(w: &mut World, with_vault: bool, ops: &[Op]) {
    let mut lost = false;
    for op in ops {
        match *op {
            Op::Buy { user, usdc_units } => {
                let _ = w.buy(USERS[user], u(usdc_units));
            }
            Op::Sell {
                user,
                permille,
                dust,
            } => {
                let user = USERS[user];
                let balance = w.coin_balance(user);
                let coin_in = balance * u(permille) / u(1_000) + u(dust);
                let available = w.free().min(w.holdings());
                let requested = coin_in / u(1_000_000_000_000);
                let result = w.sell(user, coin_in);
                if requested > available {
                    revert_is(
                        result,
                        InsufficientPsmLiquidity {
                            requested,
                            available,
                        },
                    );
                } else if coin_in <= balance && !requested.is_zero() {
                    assert_eq!(result.unwrap(), requested);
                }
            }
            Op::Yield { bps } if with_vault => {
                w.send(w.at.vault, IMockErc4626::simulateYieldCall { bps: u(bps) });
            }
            Op::Loss { bps } if with_vault => {
                w.send(w.at.vault, IMockErc4626::simulateLossCall { bps: u(bps) });
                lost = true;
            }
            Op::Yield { .. } | Op::Loss { .. } => {}
            Op::Harvest => {
                let before = w.usdc_of(TREASURY);
                let harvested = w.send(w.at.psm, IPsm::harvestCall {});
                assert_eq!(w.usdc_of(TREASURY) - before, harvested);
            }
            Op::Warp { seconds } => w.chain().warp(seconds),
        }
        let (free, holdings) = (w.free(), w.holdings());
        assert_eq!(w.shortfall(), free.saturating_sub(holdings));
        assert_eq!(
            w.view(w.at.psm, IPsm::freePsmAssetsInCoinCall {}),
            coin_of(free.min(holdings))
        );
        // Minted − burned by the PSM is the free assets, to the unit, as long
        // as no sell had to stop short (burns are never more than minted).
        assert_eq!(w.outstanding(), coin_of(free), "after {op:?}");
        if !lost {
            assert!(
                holdings >= free,
                "holdings {holdings} < free {free} after {op:?}"
            );
        }
    }
}
