//! The Vault on the devnet: the real WASM of the Vault, the AlAsset, the
//! RateController, a 6-decimal MockErc20 ("USDC") and a MockErc4626 over it
//! (the collateral, with `simulateYield` / `simulateLoss`).
//!
//! * several borrowers in both modes over simulated months: interest accrues
//!   to the treasury, the alAsset supply equals the Vault's debt to the wei,
//!   free debt pays nothing;
//! * yield raises collateral value; a loss makes an account liquidatable and
//!   the liquidator earns the specified bonus; a loss larger than the
//!   collateral leaves recorded bad debt, which the treasury covers;
//! * withdraw / borrow past the LTV fail with the specified errors; the pause
//!   blocks borrowing but not repaying or withdrawing healthy collateral.
//!
//! The WASM comes from the test kit (`testkit::wasm`: `target/stylus/` or
//! `$STYLUS_WASM_DIR`, rebuilt once when stale).

use alloy_primitives::{Address, U256};
use suite_common::errors::EntryPaused;
use testkit::{
    actors::{ALICE, BOB, CAROL, LIQUIDATOR, TREASURY, USERS},
    coin, ether,
    interfaces::{IAlAsset, IMockErc4626, IRateController, IVault},
    parts, usdc, CallError, Config, Local,
};
use vault::{AccountHealthy, LtvExceeded, RepayExceedsCloseFactor};

const T0: u64 = 1_700_000_000;
const MONTH: u64 = 30 * 86_400;

fn u(v: u64) -> U256 {
    U256::from(v)
}

/// What the fixture deploys.
#[derive(Clone, Copy, Debug)]
struct Parts {
    coin: Address,
    yv: Address,
    rc: Address,
    vault: Address,
}

type World = testkit::World<Local, Parts>;

/// The deploy plan's Vault (`testkit::parts::vault`, devnet defaults): the
/// AlAsset, USDC, a yield vault over it, the RateController and the Vault
/// (debt ceiling 10M, min debt 100 coin, minter ceiling 100M, treasury
/// `TREASURY`); every user holds 100k USDC of yield-vault shares and
/// approved the Vault for shares and alUSD.
fn new_world() -> World {
    let mut w = testkit::World::local_at(T0);
    let mut config = Config::devnet_default();
    config.roles.treasury = Some(TREASURY);
    let m = w.deploy_plan(&config, parts::vault);
    let address = |key: &str| m.address(key).expect("deployed");
    let usdc_token = address("asset");
    let (coin, yv, vault) = (address("alAsset"), address("collateral"), address("vault"));
    let mut world = w.with(Parts {
        coin,
        yv,
        rc: address("rateController"),
        vault,
    });
    world.fund(TREASURY, ether(100));
    for user in USERS {
        world.fund(user, ether(100));
        world.mint_mock(usdc_token, user, usdc(100_000));
        world.approve_max(user, usdc_token, yv);
        world.send_from(
            user,
            yv,
            IMockErc4626::depositCall {
                assets: usdc(100_000),
                receiver: user,
            },
        );
        world.approve_max(user, yv, vault);
        world.approve_max(user, coin, vault);
    }
    world
}

/// The scenarios' helpers.
trait Scenario {
    fn shares_of(&mut self, who: Address) -> U256;
    fn coin_of(&mut self, who: Address) -> U256;
    fn value_of(&mut self, shares: U256) -> U256;
    fn account(&mut self, who: Address) -> IVault::accountOfReturn;
    fn totals(&mut self) -> IVault::totalsReturn;
    fn deposit(&mut self, who: Address, shares: U256);
    fn borrow(&mut self, who: Address, amount: U256) -> Result<(), CallError>;
    fn check_books(&mut self);
}

impl Scenario for World {
    fn shares_of(&mut self, who: Address) -> U256 {
        self.view(self.at.yv, IMockErc4626::balanceOfCall { account: who })
    }

    fn coin_of(&mut self, who: Address) -> U256 {
        self.view(self.at.coin, IAlAsset::balanceOfCall { account: who })
    }

    /// Collateral value of `shares` `[coin]`, as the Vault computes it.
    fn value_of(&mut self, shares: U256) -> U256 {
        self.view(self.at.yv, IMockErc4626::convertToAssetsCall { shares }) * u(1_000_000_000_000)
    }

    fn account(&mut self, who: Address) -> IVault::accountOfReturn {
        self.view(self.at.vault, IVault::accountOfCall { account: who })
    }

    fn totals(&mut self) -> IVault::totalsReturn {
        self.view(self.at.vault, IVault::totalsCall {})
    }

    fn deposit(&mut self, who: Address, shares: U256) {
        self.send_from(
            who,
            self.at.vault,
            IVault::depositCall {
                shares,
                recipient: who,
            },
        );
    }

    fn borrow(&mut self, who: Address, amount: U256) -> Result<(), CallError> {
        self.try_send(
            who,
            self.at.vault,
            IVault::borrowCall {
                amount,
                recipient: who,
            },
        )
        .map(|_| ())
    }

    /// Invariants 1 and 2 of SUITE.md §9 (the Vault is the only minter here):
    /// supply == free + paid + bad debt (+ pending interest, none here) to the
    /// wei, and Σ account debts ≥ the totals, by at most a few wei.
    fn check_books(&mut self) {
        let totals = self.totals();
        let supply = self.view(self.at.coin, IAlAsset::totalSupplyCall {});
        let state = self.view(self.at.vault, IVault::stateCall {});
        assert_eq!(state.pendingInterest, U256::ZERO);
        assert_eq!(
            supply,
            totals.freeDebt + totals.paidDebt + totals.badDebt,
            "supply == debt"
        );
        let (mut free, mut paid) = (U256::ZERO, U256::ZERO);
        for user in USERS {
            let account = self.account(user);
            if account.redeemable {
                free += account.debt;
            } else {
                paid += account.debt;
            }
        }
        assert!(free >= totals.freeDebt && free - totals.freeDebt <= u(USERS.len() as u64));
        assert!(paid >= totals.paidDebt && paid - totals.paidDebt <= u(3 * USERS.len() as u64));
    }
}

// ---------------------------------------------------------------- scenarios

#[test]
fn borrowers_over_months_yield_liquidation_and_bad_debt() {
    let mut w = new_world();
    // Shares: 6 decimals, 1:1 with USDC at first.
    let ten_k = usdc(10_000);
    w.deposit(ALICE, ten_k);
    w.borrow(ALICE, coin(8_500)).unwrap(); // paid, 85% LTV
    w.deposit(BOB, ten_k);
    w.borrow(BOB, coin(4_000)).unwrap();
    w.send_from(
        BOB,
        w.at.vault,
        IVault::setRedeemableCall { redeemable: true },
    ); // free
    w.deposit(CAROL, usdc(20_000));
    w.borrow(CAROL, coin(8_000)).unwrap(); // paid
    w.check_books();
    assert_eq!(w.coin_of(ALICE), coin(8_500));

    // Three months: paid debt accrues the controller's rate (the free-debt
    // ratio 4,000 / 20,500 is below the band, so the rate rises), minted to
    // the treasury; free debt pays nothing.
    let mut last_paid = w.totals().paidDebt;
    for _ in 0..3 {
        w.warp(MONTH);
        w.send(w.at.vault, IVault::accrueCall {});
        let totals = w.totals();
        assert!(totals.paidDebt > last_paid, "paid debt grows");
        last_paid = totals.paidDebt;
        assert_eq!(totals.freeDebt, coin(4_000));
        assert_eq!(
            w.coin_of(TREASURY),
            totals.paidDebt - coin(16_500),
            "interest minted to the treasury"
        );
        w.check_books();
    }
    let rate = w.view(w.at.rc, IRateController::rateCall {});
    assert!(rate > U256::ZERO);
    assert_eq!(w.account(BOB).debt, coin(4_000));
    let alice_debt = w.account(ALICE).debt;
    assert!(alice_debt > coin(8_500));

    // Yield raises collateral value and borrowing capacity.
    let before = w.account(ALICE);
    w.send(w.at.yv, IMockErc4626::simulateYieldCall { bps: u(1_000) });
    let after = w.account(ALICE);
    assert_eq!(after.shares, before.shares);
    assert!(after.collateralValue > before.collateralValue * u(109) / u(100));
    assert!(after.maxBorrowable > before.maxBorrowable);
    assert!(after.ltvBps < before.ltvBps);

    // A healthy account cannot be liquidated.
    let healthy = w.account(ALICE);
    let err = w
        .try_send(
            LIQUIDATOR,
            w.at.vault,
            IVault::liquidateCall {
                account: ALICE,
                repayAmount: coin(1),
            },
        )
        .err()
        .expect("reverts");
    assert_eq!(
        err.as_error::<AccountHealthy>(),
        Some(AccountHealthy {
            account: ALICE,
            ltvBps: healthy.ltvBps,
            liquidationLtvBps: u(9_500)
        })
    );

    // The liquidator gets alUSD by borrowing against its own collateral.
    w.deposit(LIQUIDATOR, usdc(50_000));
    w.borrow(LIQUIDATOR, coin(20_000)).unwrap();

    // A loss puts Alice just above the 95% threshold (at ~96%).
    let alice = w.account(ALICE);
    let keep = (alice.debt * u(100_000_000)).div_ceil(u(9_600) * alice.collateralValue);
    w.send(
        w.at.yv,
        IMockErc4626::simulateLossCall {
            bps: u(10_000) - keep,
        },
    );
    let alice = w.account(ALICE);
    assert!(
        alice.ltvBps > u(9_500) && alice.ltvBps < u(10_000),
        "ltv {}",
        alice.ltvBps
    );
    let bonus = u(500) * (alice.ltvBps - u(9_500)).min(u(500)) / u(500);
    // Close factor: at most half the debt.
    let max_repay = (alice.debt * u(5_000)).div_ceil(u(10_000));
    let err = w
        .try_send(
            LIQUIDATOR,
            w.at.vault,
            IVault::liquidateCall {
                account: ALICE,
                repayAmount: max_repay + u(1),
            },
        )
        .err()
        .expect("reverts");
    assert_eq!(
        err.as_error::<RepayExceedsCloseFactor>(),
        Some(RepayExceedsCloseFactor {
            repayAmount: max_repay + u(1),
            maxRepay: max_repay
        })
    );
    let repay = coin(4_000);
    let (coin_before, shares_before) = (w.coin_of(LIQUIDATOR), w.shares_of(LIQUIDATOR));
    w.send_from(
        LIQUIDATOR,
        w.at.vault,
        IVault::liquidateCall {
            account: ALICE,
            repayAmount: repay,
        },
    );
    assert_eq!(coin_before - w.coin_of(LIQUIDATOR), repay);
    let seized = w.shares_of(LIQUIDATOR) - shares_before;
    let seized_value = w.value_of(seized);
    // The liquidator receives collateral worth repay * (1 + bonus), less
    // rounding (shares down, and convertToAssets down: under one share's worth).
    let expected = repay * (u(10_000) + bonus) / u(10_000);
    let tolerance = u(10_000_000_000_000); // 1e-5 coin: a few asset units
    assert!(bonus > U256::ZERO);
    assert!(
        seized_value <= expected && expected - seized_value < tolerance,
        "{seized_value} vs {expected}"
    );
    assert!(
        seized_value - repay + tolerance >= repay * bonus / u(10_000),
        "profit = bonus"
    );
    // Paid debt is re-normalised at the index, rounded up: a wei or two more.
    let left = w.account(ALICE).debt;
    assert!(left >= alice.debt - repay && left - (alice.debt - repay) <= u(2));
    w.check_books();

    // A loss larger than the collateral: Alice is underwater; the liquidator
    // takes everything and the rest of her debt becomes bad debt.
    w.send(w.at.yv, IMockErc4626::simulateLossCall { bps: u(5_000) });
    let alice = w.account(ALICE);
    assert!(alice.collateralValue < alice.debt);
    w.send_from(
        LIQUIDATOR,
        w.at.vault,
        IVault::liquidateCall {
            account: ALICE,
            repayAmount: alice.debt,
        },
    );
    let cleared = w.account(ALICE);
    assert_eq!((cleared.shares, cleared.debt), (U256::ZERO, U256::ZERO));
    let bad = w.totals().badDebt;
    // Repaid = collateral / 1.05 (max bonus: LTV far above threshold + 500).
    let repaid = (alice.collateralValue * u(10_000)).div_ceil(u(10_500));
    assert_eq!(bad, alice.debt - repaid);
    w.check_books();

    // The treasury covers the bad debt with its interest income (partly).
    let income = w.coin_of(TREASURY);
    w.approve_max(TREASURY, w.at.coin, w.at.vault);
    w.send_from(
        TREASURY,
        w.at.vault,
        IVault::coverBadDebtCall { amount: income },
    );
    assert_eq!(w.totals().badDebt, bad - income.min(bad));
    w.check_books();
}

#[test]
fn ltv_limits_and_pause() {
    let mut w = new_world();
    w.deposit(ALICE, usdc(10_000));
    // Borrowing past 90% fails with the specified error.
    let err = w.borrow(ALICE, coin(9_001)).unwrap_err();
    assert_eq!(
        err.as_error::<LtvExceeded>(),
        Some(LtvExceeded {
            account: ALICE,
            ltvBps: u(9_001),
            maxLtvBps: u(9_000)
        })
    );
    w.borrow(ALICE, coin(9_000)).unwrap();
    // Withdrawing any collateral now fails.
    let err = w
        .try_send(
            ALICE,
            w.at.vault,
            IVault::withdrawCall {
                shares: usdc(1),
                recipient: ALICE,
            },
        )
        .err()
        .expect("reverts");
    assert_eq!(
        err.as_error::<LtvExceeded>(),
        Some(LtvExceeded {
            account: ALICE,
            ltvBps: u(9_001),
            maxLtvBps: u(9_000)
        })
    );
    // The guardian pauses: borrowing and depositing stop...
    w.send(w.at.vault, IVault::setGuardianCall { guardian: CAROL });
    w.send_from(CAROL, w.at.vault, IVault::setPausedCall { paused: true });
    let err = w.borrow(ALICE, coin(1)).unwrap_err();
    assert!(err.is::<EntryPaused>());
    let err = w
        .try_send(
            BOB,
            w.at.vault,
            IVault::depositCall {
                shares: usdc(1),
                recipient: BOB,
            },
        )
        .err()
        .expect("reverts");
    assert!(err.is::<EntryPaused>());
    // ... but repaying and withdrawing healthy collateral still work.
    w.send_from(
        ALICE,
        w.at.vault,
        IVault::repayCall {
            amount: coin(4_500),
            account: ALICE,
        },
    );
    let shares_before = w.shares_of(ALICE);
    w.send_from(
        ALICE,
        w.at.vault,
        IVault::withdrawCall {
            shares: usdc(5_000),
            recipient: ALICE,
        },
    );
    assert_eq!(w.shares_of(ALICE) - shares_before, usdc(5_000));
    assert_eq!(w.account(ALICE).ltvBps, u(9_000));
    // Switching to paid debt works while paused; to free debt does not.
    let err = w
        .try_send(
            ALICE,
            w.at.vault,
            IVault::setRedeemableCall { redeemable: true },
        )
        .err()
        .expect("reverts");
    assert!(err.is::<EntryPaused>());
    w.send(w.at.vault, IVault::setPausedCall { paused: false });
    w.borrow(ALICE, coin(1)).unwrap_err(); // at 90% already
    w.send_from(
        ALICE,
        w.at.vault,
        IVault::setRedeemableCall { redeemable: true },
    );
    w.check_books();
}
