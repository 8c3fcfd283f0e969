//! Stateful property test on the in-process devnet: random sequences of
//! actions by several actors across every contract, every invariant of
//! SUITE.md section 9 checked after every step, failures shrunk to a
//! minimal sequence.
//!
//! The suite is deployed once (`deploy::deploy_suite`, devnet profile);
//! each case starts from a snapshot. `SUITE_PROPTEST_CASES` (default 12)
//! and `SUITE_PROPTEST_STEPS` (default 24) raise the depth.

use std::cell::RefCell;

use alloy_primitives::Address;
use deploy::{Config, InProcess};
use devnet::{Clock, Devnet, DevnetConfig};
use proptest::{
    prelude::*,
    test_runner::{Config as RunnerConfig, TestCaseError, TestRunner},
};
use suite_tests::{invariants::Checker, Action, World};

/// Start of the manual clock: just after an oracle epoch boundary.
const T0: u64 = 1_700_006_400;

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn actors() -> Vec<Address> {
    (1..=5u8).map(|i| Address::repeat_byte(0xa0 + i)).collect()
}

fn action() -> impl Strategy<Value = Action> {
    let who = 0usize..5;
    let pct = 1u8..=100;
    prop_oneof![
        3 => (who.clone(), pct.clone()).prop_map(|(who, pct)| Action::Deposit { who, pct }),
        2 => (who.clone(), pct.clone()).prop_map(|(who, pct)| Action::Withdraw { who, pct }),
        4 => (who.clone(), pct.clone()).prop_map(|(who, pct)| Action::Borrow { who, pct }),
        2 => (who.clone(), pct.clone()).prop_map(|(who, pct)| Action::Repay { who, pct }),
        2 => (who.clone(), any::<bool>()).prop_map(|(who, redeemable)| Action::SetRedeemable { who, redeemable }),
        2 => (who.clone(), who.clone(), pct.clone()).prop_map(|(who, target, pct)| Action::Liquidate { who, target, pct }),
        2 => (who.clone(), 1u32..200_000).prop_map(|(who, units)| Action::PsmBuy { who, units }),
        2 => (who.clone(), pct.clone()).prop_map(|(who, pct)| Action::PsmSell { who, pct }),
        2 => (who.clone(), pct.clone()).prop_map(|(who, pct)| Action::TransmuterCreate { who, pct }),
        2 => who.clone().prop_map(|who| Action::TransmuterClaim { who }),
        3 => (who.clone(), any::<bool>(), 1u32..300_000).prop_map(|(who, buy_al, units)| Action::Swap { who, buy_al, units }),
        2 => Just(Action::Sample),
        1 => Just(Action::AdvanceEpoch),
        3 => prop::sample::select(vec![60u64, 1_800, 21_600, 86_400, 30 * 86_400, 91 * 86_400])
            .prop_map(|seconds| Action::Warp { seconds }),
        1 => (1u16..2_000).prop_map(|bps| Action::Yield { bps }),
        1 => (1u16..6_000).prop_map(|bps| Action::Loss { bps }),
        1 => (1u8..=100).prop_map(|pct| Action::CoverBadDebt { pct }),
        1 => Just(Action::Harvest),
        1 => any::<bool>().prop_map(|paused| Action::Pause { paused }),
    ]
}

#[test]
fn random_action_sequences_keep_every_invariant() {
    let mut chain = Devnet::with_config(DevnetConfig {
        clock: Clock::Manual(T0),
        ..DevnetConfig::default()
    });
    let actors = actors();
    let world = {
        let mut b = InProcess::new(&mut chain).with_accounts(&actors);
        // A one-day Transmuter term so that sequences reach maturity claims.
        let mut config = Config::devnet_default();
        config.transmuter.term_seconds = 86_400;
        let manifest = deploy::deploy_suite(&mut b, &config).expect("deployment");
        let world =
            World::setup(&mut b, manifest.suite().unwrap(), &actors, 1_000_000).expect("setup");
        // Start from a live system: every actor has a loan (half of its
        // collateral deposited, 50% of the limit), three of them redeemable.
        world.open_loans(&mut b, 50, 3).expect("loans");
        Checker::new()
            .check(&world, &mut b)
            .expect("invariants hold after deployment");
        world
    };
    let snapshot = chain.snapshot();
    let state = RefCell::new((chain, snapshot));
    // Per action kind: (succeeded, reverted), printed at the end so a run
    // shows that the sequences exercise real paths, not only reverts.
    let stats = RefCell::new(std::collections::BTreeMap::<String, (u32, u32)>::new());

    let cases = env("SUITE_PROPTEST_CASES", 12);
    let steps = env("SUITE_PROPTEST_STEPS", 24) as usize;
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    let result = runner.run(&prop::collection::vec(action(), 1..=steps), |actions| {
        let mut guard = state.borrow_mut();
        let (chain, snapshot) = &mut *guard;
        assert!(chain.revert_to(*snapshot));
        *snapshot = chain.snapshot();
        let mut b = InProcess::new(chain).with_accounts(&actors);
        let mut checker = Checker::new();
        for (i, action) in actions.iter().enumerate() {
            let outcome = action.run(&world, &mut b).map_err(|e| {
                TestCaseError::fail(format!("step {i} {action:?}: backend error {e}"))
            })?;
            if let Err(deploy::CallError::Reverted { data, reason }) = &outcome {
                if data.is_empty() && !reason.contains("skipped") {
                    return Err(TestCaseError::fail(format!(
                        "step {i} {action:?}: reverted without error data ({reason})"
                    )));
                }
            }
            let kind = format!("{action:?}");
            let kind = kind.split([' ', '{']).next().unwrap_or_default().to_owned();
            let mut stats = stats.borrow_mut();
            let entry = stats.entry(kind).or_default();
            match &outcome {
                Ok(()) => entry.0 += 1,
                Err(deploy::CallError::Reverted { data, .. })
                    if data.as_ref() == suite_tests::SKIPPED => {}
                Err(e) => {
                    entry.1 += 1;
                    if std::env::var_os("SUITE_DEBUG").is_some() {
                        eprintln!("step {i} {action:?}: {e}");
                    }
                }
            }
            drop(stats);
            if outcome.is_ok() {
                if let Action::Loss { .. } = action {
                    checker.collateral_loss_seen = true;
                }
            }
            checker
                .check(&world, &mut b)
                .map_err(|v| TestCaseError::fail(format!("after step {i} {action:?}: {v}")))?;
        }
        Ok(())
    });
    eprintln!("action: succeeded / reverted");
    for (kind, (ok, reverted)) in stats.borrow().iter() {
        eprintln!("  {kind:<18} {ok:>5} / {reverted}");
    }
    if let Err(error) = result {
        panic!("{error}");
    }
}
