//! The Transmuter and the Vault's earmarking end to end on the devnet (real
//! WASM of the whole suite, see `fixture`): after every step each borrower's
//! debt and collateral are compared with a reference model computed in the
//! test (plain loops, exact rationals, `fixture::model`), and invariants 1–3
//! of SUITE.md §9 are checked (`World::check`).
//!
//! * twelve borrowers in both modes, overlapping redemptions over months,
//!   interest and yield, mode switches, repayments and claims;
//! * a redemption of the whole free pool (a new earmark epoch), then new
//!   borrowers and re-entering ones, and a second redemption;
//! * a redemption of all but one wei of the pool (the product's rescaling);
//! * the last borrower out owes its full share (regression: the Vault used
//!   to cap an account's debt at the pool);
//! * a yield-token loss between earmark and maturity: the haircut is in
//!   the event, nothing is lost elsewhere;
//! * early claims, claims by others, unknown and repeated claims, position
//!   transfers, the guardian's pause (never blocks claims), the Vault's
//!   Transmuter-only hooks;
//! * a property test over random borrow / repay / mode switch / redemption /
//!   claim / time sequences (`PROPTEST_CASES`, default 16).

mod fixture;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolError;
use devnet::Revert;
use fixture::{
    abi::{IMockErc4626, ITransmuter, IVault},
    coin, u, usdc, world, World, BORROWERS, CAP_COINS, DAY, GUARDIAN, MIN_DEBT_COINS, REDEEMERS,
    T0, TERM,
};
use proptest::{
    prelude::*,
    test_runner::{Config, TestRunner},
};
use suite_common::errors::EntryPaused;
use transmuter::{
    AlreadyClaimed, DepositCapExceeded, NotMatured, NotPositionOwner, UnknownPosition,
};
use vault::{DebtBelowMinimum, InsufficientFreeDebt, NotTransmuter};

fn expect_error<T: std::fmt::Debug, E: SolError + PartialEq + std::fmt::Debug>(
    result: Result<T, Revert>,
    expected: E,
) {
    let revert = result.expect_err("expected a revert");
    assert_eq!(revert.as_error::<E>(), Some(expected), "{revert}");
}

/// Borrower `i` deposits `collateral` USDC of shares, optionally switches to
/// free debt, and borrows `debt` (wei).
fn open(w: &mut World, i: usize, collateral: u64, free: bool, debt: U256) {
    w.deposit(i, usdc(collateral));
    if free {
        w.set_redeemable(i, true).unwrap();
    }
    w.borrow(i, debt).unwrap();
}

/// `who` buys `amount` alUSD on the market and redeems it.
fn redeem(w: &mut World, who: Address, amount: U256) -> Result<U256, Revert> {
    assert!(w.buy_coin(who, amount), "not enough alUSD on the market");
    w.redeem(who, amount)
}

// ---------------------------------------------------------------- scenarios

#[test]
fn mixed_borrowers_and_overlapping_redemptions_match_the_model() {
    let mut guard = world();
    let w: &mut World = &mut guard;
    // Eight borrowers on free debt (some switch before borrowing, some
    // after), four on paid debt; odd amounts so that every division rounds.
    for i in 0..12 {
        let collateral = 10_000 + 7_919 * i as u64;
        let debt = coin(collateral * (40 + 4 * i as u64) / 100) + u(1 + 37 * i as u64);
        let free_first = i < 5;
        open(w, i, collateral, free_first, debt);
        if (5..8).contains(&i) {
            w.set_redeemable(i, true).unwrap();
        }
    }
    let free = w.totals().freeDebt;
    assert_eq!(free, w.model.free_pool);
    // The paid borrowers sell alUSD to the redeemers.

    w.warp(10 * DAY);
    let first = redeem(w, REDEEMERS[0], free / u(10) + u(12_345)).unwrap();
    // Borrowers act between redemptions.
    w.repay(3, coin(1_000) + u(3)).unwrap();
    w.set_redeemable(9, true).unwrap(); // paid -> free, with interest
    w.borrow(2, coin(2_500) + u(11)).unwrap();
    w.warp(20 * DAY);
    let second = {
        let amount = w.model.free_pool / u(4) + u(7);
        redeem(w, REDEEMERS[1], amount)
    }
    .unwrap();
    w.set_redeemable(5, false).unwrap(); // free -> paid, after two earmarks
    w.deposit(10, usdc(5_000));
    w.withdraw(4, usdc(1_000)).unwrap();
    w.deposit(1, usdc(3_000)); // settles B1's earmarks
    w.warp(30 * DAY);
    let third = redeem(w, REDEEMERS[2], coin(3_333) + u(1)).unwrap();
    // Yield between earmark and maturity becomes the treasury's surplus.
    w.kit
        .send(w.yv, IMockErc4626::simulateYieldCall { bps: u(150) });
    w.check();
    let ids: Vec<U256> = w.kit.view(
        w.tm,
        ITransmuter::positionsOfCall {
            owner: REDEEMERS[0],
        },
    );
    assert_eq!(ids, vec![first]);
    let queue = w.kit.view(w.tm, ITransmuter::queueCall { numDays: 120 });
    assert_eq!(
        queue.pending,
        w.kit.view(w.tm, ITransmuter::totalPendingCall {})
    );
    assert_eq!(
        queue.maturing.iter().fold(U256::ZERO, |s, v| s + v),
        queue.pending,
        "every pending position matures within 120 days"
    );

    // The first position matures (created 10 days in, it is now day 60).
    w.warp(TERM - 50 * DAY);
    let claimed = w.claim(REDEEMERS[0], first).unwrap();
    assert!(claimed.surplus > U256::ZERO, "yield goes to the reserves");
    assert_eq!(claimed.haircut, U256::ZERO);
    // B0 repays all its debt (its rounded-up figure), then a new redemption
    // overlaps the two pending ones.
    let debt = w.account(0).debt;
    w.repay(0, debt + coin(1)).unwrap();
    assert_eq!(w.account(0).debt, U256::ZERO);
    let fourth = redeem(w, REDEEMERS[0], coin(4_999) + u(999)).unwrap();
    w.warp(20 * DAY);
    w.claim(REDEEMERS[1], second).unwrap();
    w.warp(30 * DAY);
    w.claim(REDEEMERS[2], third).unwrap();
    w.warp(TERM);
    w.claim(REDEEMERS[0], fourth).unwrap();
    assert_eq!(
        w.kit.view(w.tm, ITransmuter::totalPendingCall {}),
        U256::ZERO
    );
    assert_eq!(w.totals().earmarkedShares, U256::ZERO);
    // Paid accounts were never touched by the earmarks (their collateral is
    // exactly what they deposited).
    for i in [8, 11] {
        assert_eq!(w.account(i).shares, usdc(10_000 + 7_919 * i as u64));
    }
    // Everyone can still leave: the free borrowers repay and withdraw.
    for i in [1, 2, 6] {
        let debt = w.account(i).debt;
        w.repay(i, debt).unwrap();
        let shares = w.account(i).shares;
        w.withdraw(i, shares).unwrap();
    }
    println!("{}", w.worst());
}

#[test]
fn a_redemption_of_the_whole_free_pool_then_new_borrowers() {
    let mut guard = world();
    let w: &mut World = &mut guard;
    for i in 0..6 {
        open(
            w,
            i,
            20_000 + 3_001 * i as u64,
            true,
            coin(9_000 + 1_234 * i as u64) + u(i as u64),
        );
    }
    for i in 6..9 {
        open(w, i, 100_000, false, coin(60_000));
    }
    let free = w.model.free_pool;
    let before: Vec<_> = (0..6).map(|i| w.account(i)).collect();
    let all = redeem(w, REDEEMERS[0], free).unwrap();
    // A new epoch: every free account is cleared of debt and gave at least
    // 1.01x its debt's worth of collateral (shares are worth 1e12 coin wei
    // each here; rounding takes at most a few shares more).
    let state = w.state();
    assert_eq!((state.earmarkEpoch, state.earmarkScale), (u(1), U256::ZERO));
    assert_eq!(w.totals().freeDebt, U256::ZERO);
    for (i, before) in before.iter().enumerate() {
        let account = w.account(i);
        assert_eq!(account.debt, U256::ZERO);
        assert!(account.redeemable);
        let given = (before.shares - account.shares) * u(fixture::ASSET_SCALE);
        let owed = before.debt * u(10_100) / u(10_000);
        assert!(
            given >= owed && given - owed <= u(3 * fixture::ASSET_SCALE),
            "borrower {i} gave {given} for {owed}"
        );
    }
    // Nothing is left to redeem.
    expect_error(
        redeem(w, REDEEMERS[1], u(1)),
        InsufficientFreeDebt {
            requested: u(1),
            available: U256::ZERO,
        },
    );
    // New borrowers arrive, old ones borrow again or re-enter free mode.
    open(w, 9, 30_000, true, coin(12_000) + u(5));
    open(w, 10, 15_000, false, coin(5_000));
    w.set_redeemable(10, true).unwrap();
    w.borrow(0, coin(4_000) + u(77)).unwrap(); // still redeemable
    w.set_redeemable(1, false).unwrap(); // leaves with no debt...
    w.borrow(1, coin(2_000)).unwrap();
    w.warp(5 * DAY);
    w.set_redeemable(1, true).unwrap(); // ...and comes back with paid debt + interest
    w.set_redeemable(2, false).unwrap(); // one stays away
    w.borrow(2, coin(3_000)).unwrap();
    let pool = w.model.free_pool;
    let paid: Vec<_> = [2, 6, 7, 8].map(|i| w.account(i).shares).to_vec();
    let second = redeem(w, REDEEMERS[1], pool * u(3) / u(10)).unwrap();
    // Borrower 2 (paid now) and the paid whales were not touched.
    assert_eq!([2, 6, 7, 8].map(|i| w.account(i).shares).to_vec(), paid);
    w.warp(TERM);
    w.claim(REDEEMERS[0], all).unwrap();
    w.claim(REDEEMERS[1], second).unwrap();
}

#[test]
fn a_redemption_of_all_but_one_wei_rescales_the_product() {
    let mut guard = world();
    let w: &mut World = &mut guard;
    for i in 0..10 {
        open(
            w,
            i,
            50_000,
            true,
            coin(20_000 + 999 * i as u64) + u(3 * i as u64),
        );
    }
    open(w, 10, 900_000, false, coin(600_000));
    let free = w.model.free_pool;
    let id = redeem(w, REDEEMERS[0], free - u(1)).unwrap();
    let state = w.state();
    assert_eq!(state.earmarkEpoch, U256::ZERO);
    assert!(state.earmarkScale > U256::ZERO, "P was rescaled");
    // The one wei left is owed by someone: Σ debts ≥ 1 (checked in `check`).
    // Borrowers come back on the same (rescaled) pool; a second redemption
    // follows them exactly.
    for i in [0, 3, 7] {
        w.borrow(i, coin(5_000) + u(i as u64)).unwrap();
    }
    w.warp(DAY);
    let pool = w.model.free_pool;
    let second = redeem(w, REDEEMERS[0], pool / u(2)).unwrap();
    for i in [3, 7] {
        let debt = w.account(i).debt;
        w.repay(i, debt).unwrap();
    }
    w.warp(TERM);
    w.claim(REDEEMERS[0], id).unwrap();
    w.claim(REDEEMERS[0], second).unwrap();
}

/// Regression: the Vault used to cap a free account's debt at the pool's
/// total. After an earmark, the first borrower out repays its rounded-up
/// debt (a fraction of a wei above its exact share), so the pool is then a
/// fraction of a wei short of the last borrower's exact share: the cap let
/// it owe less than its share. Now it owes its full share and the dust above
/// the pool goes to the reserves.
#[test]
fn the_last_borrower_out_owes_its_full_share() {
    let mut guard = world();
    let w: &mut World = &mut guard;
    open(w, 0, 30_000, true, coin(10_000) + u(1));
    open(w, 1, 30_000, true, coin(7_000) + u(2));
    open(w, 2, 100_000, false, coin(50_000));
    let id = redeem(w, REDEEMERS[0], coin(5_000) + u(3)).unwrap();
    let debt = w.account(0).debt;
    w.repay(0, debt).unwrap();
    // Borrower 1 still owes at least its exact share (checked by `repay`),
    // which is more than what is left in the pool.
    let last = w.account(1).debt;
    assert!(last > w.totals().freeDebt, "{last} vs the pool");
    let treasury = w.coin_of(fixture::TREASURY);
    w.repay(1, last).unwrap();
    assert_eq!(w.totals().freeDebt, U256::ZERO);
    // The dust is minted to the reserves by the Vault's next call.
    let dust = w.state().pendingInterest;
    assert!(dust > U256::ZERO && dust < u(3), "dust {dust}");
    w.kit.send(w.vault, IVault::accrueCall {});
    assert_eq!(w.state().pendingInterest, U256::ZERO);
    assert!(w.coin_of(fixture::TREASURY) - treasury >= dust);
    w.check();
    w.warp(TERM);
    w.claim(REDEEMERS[0], id).unwrap();
}

#[test]
fn a_yield_token_loss_between_earmark_and_maturity_is_a_haircut() {
    let mut guard = world();
    let w: &mut World = &mut guard;
    for i in 0..5 {
        open(w, i, 40_000, true, coin(16_000 + 2_000 * i as u64));
    }
    open(w, 5, 400_000, false, coin(200_000));
    let first = redeem(w, REDEEMERS[0], coin(30_000)).unwrap();
    w.warp(DAY);
    let second = redeem(w, REDEEMERS[1], coin(20_000)).unwrap();
    let fee_shares = w.shares_of(fixture::TREASURY);

    // The yield token loses 20% of its assets.
    w.kit
        .send(w.yv, IMockErc4626::simulateLossCall { bps: u(2_000) });
    w.model.lost = true;
    w.check();
    let accounts: Vec<_> = (0..6).map(|i| w.account(i)).collect();
    let (shares_first, shares_second) = (w.position(first).shares, w.position(second).shares);
    // Invariant 3 fails by exactly the loss: the earmarked shares are worth
    // less than the positions owe, and the claims report it.
    let owed_first = coin(30_000) / u(fixture::ASSET_SCALE);
    let worth_first = w.assets_of_shares(shares_first);
    assert!(worth_first < owed_first);

    w.warp(TERM);
    let claimed = w.claim(REDEEMERS[0], first).unwrap();
    assert_eq!(claimed.paid, worth_first);
    assert_eq!(claimed.surplus, U256::ZERO);
    assert_eq!(claimed.haircut, owed_first - worth_first);
    // About 20% of the owed amount (the earmark rounded its shares up).
    assert!(claimed.haircut > owed_first * u(1_990) / u(10_000));
    assert!(claimed.haircut <= owed_first * u(2_000) / u(10_000));
    // Nothing is lost elsewhere: the other position keeps its shares, the
    // borrowers their collateral and debt, the treasury its fee shares.
    assert_eq!(w.totals().earmarkedShares, shares_second);
    assert_eq!(w.position(second).shares, shares_second);
    for (i, before) in accounts.iter().enumerate() {
        let after = w.account(i);
        assert_eq!(
            (after.shares, after.debt, after.collateralValue),
            (before.shares, before.debt, before.collateralValue)
        );
    }
    assert_eq!(w.shares_of(fixture::TREASURY), fee_shares);
    let claimed = w.claim(REDEEMERS[1], second).unwrap();
    assert!(claimed.haircut > U256::ZERO && claimed.surplus == U256::ZERO);
    // Borrowers still repay and withdraw after the loss.
    let debt = w.account(2).debt;
    w.repay(2, debt).unwrap();
    let shares = w.account(2).shares;
    w.withdraw(2, shares).unwrap();
}

#[test]
fn early_foreign_and_repeated_claims_fail_and_the_pause_never_blocks_claims() {
    let mut guard = world();
    let w: &mut World = &mut guard;
    for i in 0..3 {
        open(w, i, 30_000, true, coin(10_000));
    }
    open(w, 3, 100_000, false, coin(50_000));
    let id = redeem(w, REDEEMERS[0], coin(6_000)).unwrap();
    let maturity = w.position(id).maturity;
    assert_eq!(maturity, w.kit.chain().timestamp() + TERM);

    // Early exit is not allowed: NotMatured with the values, up to the last second.
    let now = w.now();
    expect_error(
        w.claim(REDEEMERS[0], id),
        NotMatured {
            id,
            maturity: u(maturity),
            now: u(now),
        },
    );
    w.warp(maturity - 1 - w.now());
    expect_error(
        w.claim(REDEEMERS[0], id),
        NotMatured {
            id,
            maturity: u(maturity),
            now: u(maturity - 1),
        },
    );
    // Only the owner claims.
    expect_error(
        w.claim(REDEEMERS[1], id),
        NotPositionOwner {
            id,
            caller: REDEEMERS[1],
            owner: REDEEMERS[0],
        },
    );
    expect_error(w.claim(REDEEMERS[0], u(99)), UnknownPosition { id: u(99) });
    // The Vault's hooks are the Transmuter's only.
    let err = w
        .transact(
            REDEEMERS[0],
            w.vault,
            IVault::earmarkCall { amount: coin(1) },
        )
        .unwrap_err();
    assert_eq!(
        err.as_error::<NotTransmuter>(),
        Some(NotTransmuter {
            caller: REDEEMERS[0]
        })
    );
    let err = w
        .transact(
            REDEEMERS[0],
            w.vault,
            IVault::releaseEarmarkedCall {
                shares: u(1),
                to: REDEEMERS[0],
                burnAmount: U256::ZERO,
            },
        )
        .unwrap_err();
    assert!(err.is::<NotTransmuter>());
    // The deposit cap bounds the queue.
    w.kit
        .send(w.tm, ITransmuter::setDepositCapCall { cap: coin(7_000) });
    expect_error(
        redeem(w, REDEEMERS[1], coin(1_001)),
        DepositCapExceeded {
            pending: coin(6_000),
            amount: coin(1_001),
            cap: coin(7_000),
        },
    );
    w.kit.send(
        w.tm,
        ITransmuter::setDepositCapCall {
            cap: coin(CAP_COINS),
        },
    );

    // The guardian pauses everything it can.
    w.kit.send_from(
        GUARDIAN,
        w.tm,
        ITransmuter::setEntryPausedCall { paused: true },
    );
    w.kit
        .send_from(GUARDIAN, w.vault, IVault::setPausedCall { paused: true });
    expect_error(w.redeem(REDEEMERS[1], coin(1_000)), EntryPaused {});
    let err = w
        .transact(
            BORROWERS[4],
            w.vault,
            IVault::depositCall {
                shares: usdc(1),
                recipient: BORROWERS[4],
            },
        )
        .unwrap_err();
    assert!(err.is::<EntryPaused>());
    // The owner sells the position; the new owner claims at maturity, paused.
    w.kit.send_from(
        REDEEMERS[0],
        w.tm,
        ITransmuter::transferPositionCall {
            id,
            to: REDEEMERS[2],
        },
    );
    w.model.positions[0].owner = REDEEMERS[2];
    w.warp(1);
    assert_eq!(w.now(), maturity);
    expect_error(
        w.claim(REDEEMERS[0], id),
        NotPositionOwner {
            id,
            caller: REDEEMERS[0],
            owner: REDEEMERS[2],
        },
    );
    let claimed = w.claim(REDEEMERS[2], id).unwrap();
    assert_eq!(claimed.paid, coin(6_000) / u(fixture::ASSET_SCALE));
    expect_error(w.claim(REDEEMERS[2], id), AlreadyClaimed { id });
    // Exits of the borrowers work while paused too.
    w.repay(0, coin(1_000)).unwrap();
    w.set_redeemable(1, false).unwrap();
}

// ---------------------------------------------------------------- property

#[derive(Clone, Debug)]
enum Op {
    /// Borrow `permille` of what the account may still borrow.
    Borrow { user: usize, permille: u64 },
    /// Repay `permille` of the debt (from the borrower's own alUSD).
    Repay { user: usize, permille: u64 },
    /// Switch free <-> paid.
    Switch { user: usize },
    /// Redeem `permille` of the free pool (1,000: all of it).
    Redeem { redeemer: usize, permille: u64 },
    /// Claim the `pick`-th pending position (modulo their number).
    Claim { pick: usize },
    /// Move time.
    Warp { seconds: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0..BORROWERS.len();
    prop_oneof![
        3 => (user.clone(), 1..=1_000u64).prop_map(|(user, permille)| Op::Borrow { user, permille }),
        3 => (user.clone(), prop_oneof![3 => 1..=999u64, 1 => Just(1_000u64)])
            .prop_map(|(user, permille)| Op::Repay { user, permille }),
        2 => user.prop_map(|user| Op::Switch { user }),
        4 => (0..REDEEMERS.len(), prop_oneof![4 => 1..=999u64, 1 => Just(1_000u64)])
            .prop_map(|(redeemer, permille)| Op::Redeem { redeemer, permille }),
        3 => (0..8usize).prop_map(|pick| Op::Claim { pick }),
        3 => (1..=TERM).prop_map(|seconds| Op::Warp { seconds }),
    ]
}

/// Cases: `PROPTEST_CASES` (default 16).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

/// Random sequences never break invariants 1–3 (nor the model: every step
/// goes through `World`, which checks both after each action). Every
/// borrower starts with 100k USDC of collateral and some debt, half of them
/// on free debt.
#[test]
fn random_sequences_keep_the_invariants() {
    let mut guard = world();
    for i in 0..BORROWERS.len() {
        guard.deposit(i, usdc(100_000));
        if i % 2 == 0 {
            guard.set_redeemable(i, true).unwrap();
        }
        guard
            .borrow(i, coin(20_000 + 3_000 * i as u64) + u(7 * i as u64 + 1))
            .unwrap();
    }
    let w = std::cell::RefCell::new(guard);
    let start = std::cell::RefCell::new(Some(w.borrow_mut().save()));
    let outcomes = std::cell::RefCell::new(std::collections::BTreeMap::<&str, u32>::new());
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(op(), 1..40), |ops| {
            let mut w = w.borrow_mut();
            let saved = start.borrow_mut().take().expect("saved state");
            w.restore(saved);
            *start.borrow_mut() = Some(w.save());
            for op in &ops {
                *outcomes.borrow_mut().entry(step(&mut w, op)).or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    let worst = w.borrow().worst();
    println!("{} cases; steps: {:?}; {worst}", cases(), outcomes.borrow());
}

/// Runs `op`; returns what happened, for the run's summary.
fn step(w: &mut World, op: &Op) -> &'static str {
    let min_debt = coin(MIN_DEBT_COINS);
    if matches!(op, Op::Borrow { .. } | Op::Repay { .. }) {
        // The views report the state as of the last accrual; the expected
        // outcome is computed from them.
        w.accrue();
    }
    match *op {
        Op::Borrow { user, permille } => {
            let account = w.account(user);
            let amount = account.maxBorrowable * u(permille) / u(1_000);
            if amount.is_zero() {
                return "skipped";
            }
            let result = w.borrow(user, amount);
            if account.debt + amount < min_debt {
                expect_error(
                    result,
                    DebtBelowMinimum {
                        debt: account.debt + amount,
                        minDebt: min_debt,
                    },
                );
                "borrow below minDebt"
            } else {
                result.expect("a borrow within maxBorrowable");
                "borrow"
            }
        }
        Op::Repay { user, permille } => {
            let debt = w.account(user).debt;
            let balance = w.coin_of(BORROWERS[user]);
            let amount = (debt * u(permille) / u(1_000)).min(balance);
            if debt.is_zero() || amount.is_zero() {
                return "skipped";
            }
            let result = w.repay(user, amount);
            let left = debt - amount.min(debt);
            if !left.is_zero() && left < min_debt {
                expect_error(
                    result,
                    DebtBelowMinimum {
                        debt: left,
                        minDebt: min_debt,
                    },
                );
                "repay below minDebt"
            } else {
                assert_eq!(result.expect("a valid repayment"), amount.min(debt));
                if left.is_zero() {
                    "repay in full"
                } else {
                    "repay"
                }
            }
        }
        Op::Switch { user } => {
            let free = w.model.accounts[user].free;
            w.set_redeemable(user, !free).expect("a mode switch");
            "switch"
        }
        Op::Redeem { redeemer, permille } => {
            let pool = w.model.free_pool;
            let amount = pool * u(permille) / u(1_000);
            if amount.is_zero() {
                return "skipped";
            }
            let who = REDEEMERS[redeemer];
            if !w.buy_coin(who, amount) {
                return "skipped";
            }
            let pending = w.kit.view(w.tm, ITransmuter::totalPendingCall {});
            let result = redeem(w, who, amount);
            if pending + amount > coin(CAP_COINS) {
                expect_error(
                    result,
                    DepositCapExceeded {
                        pending,
                        amount,
                        cap: coin(CAP_COINS),
                    },
                );
                "redeem past the cap"
            } else {
                result.expect("a redemption within the free pool and the cap");
                if amount == pool {
                    "redeem the whole pool"
                } else {
                    "redeem"
                }
            }
        }
        Op::Claim { pick } => {
            let pending: Vec<_> = w.model.pending().cloned().collect();
            if pending.is_empty() {
                return "skipped";
            }
            let position = &pending[pick % pending.len()];
            let now = w.now();
            let result = w.claim(position.owner, position.id);
            if now < position.maturity {
                expect_error(
                    result,
                    NotMatured {
                        id: position.id,
                        maturity: u(position.maturity),
                        now: u(now),
                    },
                );
                "early claim"
            } else {
                let claimed = result.expect("a matured claim");
                assert_eq!(claimed.haircut, U256::ZERO, "no loss, no haircut");
                "claim"
            }
        }
        Op::Warp { seconds } => {
            // Stylus programs expire a year after activation (nitro's
            // `expiryDays`; the devnet enforces it): a case stays within
            // 330 days of the deployment.
            let seconds = seconds.min((T0 + 330 * DAY).saturating_sub(w.now()));
            if seconds == 0 {
                return "skipped";
            }
            w.warp(seconds);
            "warp"
        }
    }
}
