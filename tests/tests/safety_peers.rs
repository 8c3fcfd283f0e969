//! Regression tests of the peer-side safety fixes (issue 15, defects 3, 4,
//! 5, 8 and 9), on the in-process devnet with the real WASM, the suite
//! deployed by `deploy::deploy_suite` (devnet profile).
//!
//! Each test failed on the code before its fix (see the commit messages).

use alloy_primitives::{Address, U256};
use deploy::{
    interfaces::{IAlAsset, IMockErc20, IMockErc4626, IPsm, IRateController, ITwapOracle, IVault},
    lifetime::{self, KeepaliveOutcome, ProgramState},
    plan::{artifacts, workspace_root},
    Backend, BackendExt, Config, InProcess, Manifest,
};
use devnet::{Clock, Devnet, DevnetConfig};
use suite_tests::{coin, World};

/// Start of the manual clock: an oracle epoch boundary.
const T0: u64 = 1_700_006_400;
const DAY: u64 = 86_400;
const EPOCH: u64 = 6 * 3_600;
const SAMPLE: u64 = 1_800;
const WAD: u64 = 1_000_000_000_000_000_000;

fn actors() -> Vec<Address> {
    (1..=5u8).map(|i| Address::repeat_byte(0xa0 + i)).collect()
}

/// A depositor with no loan (not one of the World's actors).
const ATTACKER: Address = Address::repeat_byte(0xee);

/// A fresh chain with the suite deployed and five funded actors (1,000,000
/// asset units each, half of it in collateral shares).
fn setup() -> (Devnet, World, Manifest) {
    let mut chain = Devnet::with_config(DevnetConfig {
        clock: Clock::Manual(T0),
        ..DevnetConfig::default()
    });
    let actors = actors();
    let (world, manifest) = {
        let mut b = InProcess::new(&mut chain).with_accounts(&actors);
        let manifest = deploy::deploy_suite(&mut b, &Config::devnet_default()).expect("deploy");
        let world =
            World::setup(&mut b, manifest.suite().unwrap(), &actors, 1_000_000).expect("setup");
        (world, manifest)
    };
    (chain, world, manifest)
}

fn backend<'a>(chain: &'a mut Devnet) -> InProcess<'a> {
    let mut accounts = actors();
    accounts.push(ATTACKER);
    InProcess::new(chain).with_accounts(&accounts)
}

/// Samples every `SAMPLE` seconds until the oracle's epoch is over (the
/// epoch is left for the caller to advance).
fn sample_to_epoch_end(w: &World, b: &mut impl Backend) {
    let (_, ends_at, ..) = b
        .view(w.suite.twap_oracle, &ITwapOracle::epochStatusCall {})
        .map(|r| (r.startsAt, r.endsAt))
        .unwrap();
    let ends_at = ends_at.to::<u64>();
    loop {
        let now = b.timestamp().unwrap();
        if now >= ends_at {
            break;
        }
        b.increase_time(SAMPLE.min(ends_at - now)).unwrap();
        if b.timestamp().unwrap() < ends_at {
            b.send(w.suite.twap_oracle, &ITwapOracle::sampleCall {})
                .unwrap();
        }
    }
}

/// `(epoch, twap, state, minted)` of the last closed epoch.
fn last_epoch(w: &World, b: &mut impl Backend) -> (U256, U256, u8, U256) {
    let h = b
        .view(
            w.suite.twap_oracle,
            &ITwapOracle::epochHistoryCall { n: U256::from(1) },
        )
        .unwrap();
    (h.epochs[0], h.twaps[0], h.states[0], h.minted[0])
}

/// Swaps `units` of the asset into the pool for the alAsset (price up).
fn push_price_up(w: &World, b: &mut impl Backend, who: Address, units: u64) {
    w.swap(b, who, w.suite.asset, w.asset(units)).unwrap();
}

// ------------------------------------------------------------- defect 3

/// A PSM round trip around an accrual (buy, accrue, sell back in one
/// block, as one transaction would) changes neither the interest owed for
/// the elapsed interval nor the rate the RateController returns.
#[test]
fn a_psm_round_trip_around_an_accrual_changes_no_interest() {
    let (mut chain, w, _) = setup();
    let s = w.suite;
    let attacker = w.actors[4];
    {
        let mut b = backend(&mut chain);
        // Paid debt only: free-debt ratio ~31% (below the band), the rate grows.
        w.open_loans(&mut b, 100, 0).unwrap();
        for _ in 0..4 {
            b.increase_time(7 * DAY).unwrap();
            b.send(s.vault, &IVault::accrueCall {}).unwrap();
        }
        let rate = b
            .view(s.rate_controller, &IRateController::rateCall {})
            .unwrap();
        let min = b
            .view(s.rate_controller, &IRateController::minRateCall {})
            .unwrap();
        assert!(rate > min * U256::from(4), "the rate grew: {rate}");
        // Asset for the round trip: the PSM's whole remaining ceiling.
        let amount = w.asset(8_900_000);
        b.send(
            s.asset,
            &IMockErc20::mintCall {
                to: attacker,
                amount,
            },
        )
        .unwrap();
        b.increase_time(7 * DAY).unwrap();
    }
    let snapshot = chain.snapshot();

    let observe = |b: &mut InProcess| {
        let index = b.view(s.vault, &IVault::stateCall {}).unwrap().paidIndexRay;
        let rate = b
            .view(s.rate_controller, &IRateController::rateCall {})
            .unwrap();
        (index, rate)
    };
    let honest = {
        let mut b = backend(&mut chain);
        b.send(s.vault, &IVault::accrueCall {}).unwrap();
        observe(&mut b)
    };
    assert!(chain.revert_to(snapshot));
    let steered = {
        let mut b = backend(&mut chain);
        let bought = b
            .send_from(
                attacker,
                s.psm,
                &IPsm::buyCall {
                    assetIn: w.asset(8_900_000),
                    minCoinOut: U256::ZERO,
                    recipient: attacker,
                },
            )
            .unwrap();
        let ratio_now = {
            let t = b.view(s.vault, &IVault::totalsCall {}).unwrap();
            let psm = b.view(s.psm, &IPsm::freePsmAssetsInCoinCall {}).unwrap();
            (t.freeDebt + psm) * U256::from(10_000) / (t.freeDebt + t.paidDebt + psm)
        };
        assert!(
            ratio_now > U256::from(8_000),
            "ratio pushed above the band: {ratio_now}"
        );
        b.send(s.vault, &IVault::accrueCall {}).unwrap();
        b.send_from(
            attacker,
            s.psm,
            &IPsm::sellCall {
                coinIn: bought,
                minAssetOut: U256::ZERO,
                recipient: attacker,
            },
        )
        .unwrap();
        observe(&mut b)
    };
    assert_eq!(
        steered, honest,
        "(paid index, rate) after a PSM round trip around the accrual"
    );
}

// ------------------------------------------------------------- defect 4

/// Runs an Expansion epoch with the collateral losing `loss_bps` of its
/// value (`loss_during`: after the epoch opened, else before) and returns
/// `(minted honestly, minted with a deposit around advanceEpoch, state)`.
fn expansion_with_and_without_a_deposit(loss_bps: u64, loss_during: bool) -> (U256, U256, u8) {
    let (mut chain, w, _) = setup();
    let s = w.suite;
    let attacker = ATTACKER;
    {
        let mut b = backend(&mut chain);
        w.open_loans(&mut b, 50, 3).unwrap();
        b.send_from(
            attacker,
            s.asset,
            &IMockErc20::approveCall {
                spender: s.collateral,
                value: U256::MAX,
            },
        )
        .unwrap();
        b.send_from(
            attacker,
            s.collateral,
            &IMockErc4626::approveCall {
                spender: s.vault,
                value: U256::MAX,
            },
        )
        .unwrap();
        let loss = |b: &mut InProcess| {
            if loss_bps > 0 {
                b.send(
                    s.collateral,
                    &IMockErc4626::simulateLossCall {
                        bps: U256::from(loss_bps),
                    },
                )
                .unwrap();
            }
        };
        if !loss_during {
            loss(&mut b);
        }
        // Epoch 0 at peg: it opens the epoch under test with a snapshot.
        sample_to_epoch_end(&w, &mut b);
        b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
            .unwrap();
        if loss_during {
            loss(&mut b);
        }
        // The epoch under test trades ~1.03.
        push_price_up(&w, &mut b, w.actors[0], 15_000);
        sample_to_epoch_end(&w, &mut b);
    }
    let snapshot = chain.snapshot();
    let honest = {
        let mut b = backend(&mut chain);
        b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
            .unwrap();
        last_epoch(&w, &mut b)
    };
    assert!(chain.revert_to(snapshot));
    let around = {
        let mut b = backend(&mut chain);
        // Fresh collateral: asset -> collateral shares -> Vault, and back out.
        let amount = w.asset(3_000_000);
        b.send(
            s.asset,
            &IMockErc20::mintCall {
                to: attacker,
                amount,
            },
        )
        .unwrap();
        let shares = b
            .send_from(
                attacker,
                s.collateral,
                &IMockErc4626::depositCall {
                    assets: amount,
                    receiver: attacker,
                },
            )
            .unwrap();
        b.send_from(
            attacker,
            s.vault,
            &IVault::depositCall {
                shares,
                recipient: attacker,
            },
        )
        .unwrap();
        b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
            .unwrap();
        b.send_from(
            attacker,
            s.vault,
            &IVault::withdrawCall {
                shares,
                recipient: attacker,
            },
        )
        .unwrap();
        last_epoch(&w, &mut b)
    };
    assert_eq!(honest.2, around.2, "same state");
    (honest.3, around.3, honest.2)
}

/// Collateral lost value before the epoch opened: backing below 100%; a
/// deposit held only around `advanceEpoch` must not unlock an expansion.
#[test]
fn a_deposit_around_advance_epoch_does_not_unlock_expansion() {
    let (honest, around, state) = expansion_with_and_without_a_deposit(6_000, false);
    assert_eq!(state, 1, "Expansion");
    assert_eq!(honest, U256::ZERO, "backing below 100%: nothing minted");
    assert_eq!(around, honest, "minted with a deposit around advanceEpoch");
}

/// The collateral lost value during the epoch: the deposit must not mask
/// the loss either.
#[test]
fn a_deposit_around_advance_epoch_does_not_mask_a_loss_during_the_epoch() {
    let (honest, around, _) = expansion_with_and_without_a_deposit(6_000, true);
    assert_eq!(honest, U256::ZERO, "backing below 100%: nothing minted");
    assert_eq!(around, honest, "minted with a deposit around advanceEpoch");
}

/// Backed by collateral held since the epoch opened, the expansion mints
/// the formula on the supply, and the deposit changes nothing.
#[test]
fn a_backed_expansion_mints_the_formula_whatever_the_deposit() {
    let (honest, around, _) = expansion_with_and_without_a_deposit(0, false);
    assert!(honest > U256::ZERO, "a backed expansion mints");
    assert_eq!(around, honest);
}

#[test]
fn a_backed_expansion_mints_supply_times_the_rate() {
    let (mut chain, w, _) = setup();
    let s = w.suite;
    let mut b = backend(&mut chain);
    w.open_loans(&mut b, 50, 3).unwrap();
    sample_to_epoch_end(&w, &mut b);
    b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
        .unwrap();
    push_price_up(&w, &mut b, w.actors[0], 15_000);
    sample_to_epoch_end(&w, &mut b);
    let supply = b.view(s.al_asset, &IAlAsset::totalSupplyCall {}).unwrap();
    b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
        .unwrap();
    let (_, twap, state, minted) = last_epoch(&w, &mut b);
    assert_eq!(state, 1);
    let wad = U256::from(WAD);
    // rate = min((twap - 1) * 2%, 0.10%), supply unchanged since the opening.
    let rate = ((twap - wad) * U256::from(200) / U256::from(10_000)).min(wad / U256::from(1_000));
    assert_eq!(minted, supply * rate / wad);
}

// ------------------------------------------------------------- defect 5

/// After a harvest, any sequence of sells keeps the PSM's holdings at or
/// above `freePsmAssets` (invariant 4), with another holder in the psmVault
/// taking its share of every rounding.
#[test]
fn psm_holdings_cover_free_assets_after_harvest_and_sells() {
    let (mut chain, w, _) = setup();
    let s = w.suite;
    let psm_vault = s.psm_vault.expect("the devnet PSM has a vault");
    let (seller, other) = (w.actors[0], w.actors[1]);
    let mut b = backend(&mut chain);
    // Another holder of the psmVault, as large as the PSM.
    b.send_from(
        other,
        s.asset,
        &IMockErc20::approveCall {
            spender: psm_vault,
            value: U256::MAX,
        },
    )
    .unwrap();
    b.send_from(
        other,
        psm_vault,
        &IMockErc4626::depositCall {
            assets: w.asset(400_000),
            receiver: other,
        },
    )
    .unwrap();
    b.send_from(
        seller,
        s.psm,
        &IPsm::buyCall {
            assetIn: w.asset(400_000),
            minCoinOut: U256::ZERO,
            recipient: seller,
        },
    )
    .unwrap();
    // Yield that leaves a non-integer share price, then a harvest.
    b.send(
        psm_vault,
        &IMockErc4626::simulateYieldCall {
            bps: U256::from(1_237),
        },
    )
    .unwrap();
    b.send(s.psm, &IPsm::harvestCall {}).unwrap();
    let check = |b: &mut InProcess, step: &str| {
        let free = b.view(s.psm, &IPsm::freePsmAssetsCall {}).unwrap();
        let holdings = b.view(s.psm, &IPsm::holdingsCall {}).unwrap();
        let shortfall = b.view(s.psm, &IPsm::shortfallCall {}).unwrap();
        assert!(
            holdings >= free && shortfall.is_zero(),
            "{step}: holdings {holdings} < freePsmAssets {free} (shortfall {shortfall})"
        );
    };
    check(&mut b, "after harvest");
    for i in 0..40u64 {
        // Odd amounts: 1 to ~3,000 asset units plus odd wei.
        let asset_wei = 1 + i * 7_919 + (i * i * 104_729) % 3_000_000_000;
        let coin_in = U256::from(asset_wei) * w.scale();
        let quote = b
            .view(s.psm, &IPsm::quoteSellCall { coinIn: coin_in })
            .unwrap();
        let paid = b
            .send_from(
                seller,
                s.psm,
                &IPsm::sellCall {
                    coinIn: coin_in,
                    minAssetOut: U256::ZERO,
                    recipient: seller,
                },
            )
            .unwrap();
        assert_eq!(paid, quote, "sell {i} pays its quote");
        assert!(
            paid <= U256::from(asset_wei),
            "sell {i} never pays more than 1:1"
        );
        check(&mut b, &format!("after sell {i}"));
        if i % 10 == 9 {
            b.send(s.psm, &IPsm::harvestCall {}).unwrap();
            check(&mut b, &format!("after harvest {i}"));
        }
    }
    // The last sellers can still get out: the whole free liquidity is sellable.
    let free = b.view(s.psm, &IPsm::freePsmAssetsCall {}).unwrap();
    b.view(
        s.psm,
        &IPsm::quoteSellCall {
            coinIn: free * w.scale(),
        },
    )
    .unwrap();
}

// ------------------------------------------------------------- defect 8

/// A TwapOracle whose backing peer reverts still closes an Expansion
/// epoch: the expansion is skipped, the state machine keeps running.
#[test]
fn advance_epoch_survives_a_reverting_backing_peer() {
    let (mut chain, w, _) = setup();
    let s = w.suite;
    let mut b = backend(&mut chain);
    let wasm = artifacts(workspace_root()).wasm("twap_oracle").unwrap();
    let args = alloy_sol_types::SolValue::abi_encode_params(&(
        w.deployer,
        s.pool,
        s.al_asset,
        w.deployer,
        U256::from(SAMPLE),
        U256::from(6),
    ));
    let oracle = b.deploy(&wasm, &args).unwrap().address;
    // The alAsset stands in for a Vault whose `totals()` reverts.
    b.send(
        oracle,
        &ITwapOracle::wirePeersCall {
            vault: s.al_asset,
            psm: s.psm,
            transmuter: s.transmuter,
        },
    )
    .unwrap();
    let view = World {
        suite: deploy::Suite {
            twap_oracle: oracle,
            ..s
        },
        ..w.clone()
    };
    push_price_up(&w, &mut b, w.actors[0], 15_000);
    sample_to_epoch_end(&view, &mut b);
    b.send(oracle, &ITwapOracle::advanceEpochCall {})
        .expect("advanceEpoch does not revert because of a peer");
    let (epoch, _, state, minted) = last_epoch(&view, &mut b);
    assert_eq!((epoch, state, minted), (U256::ZERO, 1, U256::ZERO));
    // The next epoch runs.
    sample_to_epoch_end(&view, &mut b);
    b.send(oracle, &ITwapOracle::advanceEpochCall {}).unwrap();
    assert_eq!(last_epoch(&view, &mut b).0, U256::from(1));
}

/// Once keepers stop, a Contraction older than `maxOracleAge` epochs no
/// longer pushes the paid rate up: it counts as Maintain, and the
/// controller says so.
#[test]
fn a_stale_contraction_counts_as_maintain() {
    let (mut chain, w, _) = setup();
    let s = w.suite;
    let mut b = backend(&mut chain);
    // Ratio ~79%: inside the band, the rate is flat unless Contraction.
    w.open_loans(&mut b, 50, 3).unwrap();
    sample_to_epoch_end(&w, &mut b);
    b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
        .unwrap();
    // Sell alAsset into the pool: the epoch trades ~0.97.
    let al = w.al_balance(&mut b, w.actors[0]).unwrap();
    w.swap(&mut b, w.actors[0], s.al_asset, al / U256::from(15))
        .unwrap();
    sample_to_epoch_end(&w, &mut b);
    b.send(s.twap_oracle, &ITwapOracle::advanceEpochCall {})
        .unwrap();
    assert_eq!(
        b.view(s.twap_oracle, &ITwapOracle::stateCall {}).unwrap(),
        2,
        "Contraction"
    );
    // Fresh Contraction: the next interval grows the rate.
    b.send(s.vault, &IVault::accrueCall {}).unwrap();
    let r0 = b
        .view(s.rate_controller, &IRateController::rateCall {})
        .unwrap();
    b.increase_time(DAY).unwrap();
    b.send(s.vault, &IVault::accrueCall {}).unwrap();
    let r1 = b
        .view(s.rate_controller, &IRateController::rateCall {})
        .unwrap();
    assert!(r1 > r0, "a fresh Contraction pushes the rate up");
    // Keepers stop: 2 days later the state is 8 epochs old (limit 4).
    b.increase_time(DAY).unwrap();
    b.send(s.vault, &IVault::accrueCall {}).unwrap();
    let r2 = b
        .view(s.rate_controller, &IRateController::rateCall {})
        .unwrap();
    b.increase_time(7 * DAY).unwrap();
    b.send(s.vault, &IVault::accrueCall {}).unwrap();
    let r3 = b
        .view(s.rate_controller, &IRateController::rateCall {})
        .unwrap();
    assert_eq!(r3, r2, "a stale Contraction no longer moves the rate");
    let seen = b
        .view(s.rate_controller, &IRateController::oracleStateCall {})
        .unwrap();
    assert_eq!(seen.state, 2);
    assert!(
        seen.stale,
        "the controller reports the oracle state as stale"
    );
    assert!(seen.ageEpochs > U256::from(4));
    assert_eq!(
        b.view(s.rate_controller, &IRateController::maxOracleAgeCall {})
            .unwrap(),
        U256::from(4)
    );
    let _ = EPOCH;
}

// ------------------------------------------------------------- defect 9

/// `deploy status` / `deploy keepalive` on the devnet: programs near
/// expiry are kept alive once (idempotent), and then outlive the year
/// their activation gave them; a program not kept alive expires.
#[test]
fn keepalive_refreshes_programs_near_expiry_once() {
    let (mut chain, w, manifest) = setup();
    let s = w.suite;
    let mut b = backend(&mut chain);
    let threshold = lifetime::DEFAULT_THRESHOLD_SECONDS;
    let statuses = lifetime::status(&mut b, &manifest).unwrap();
    assert_eq!(statuses.len(), manifest.addresses.len());
    for st in &statuses {
        match st.state {
            ProgramState::Active {
                version, time_left, ..
            } => {
                assert!(version > 0, "{}", st.key);
                assert!(time_left > 364 * DAY, "{}: {time_left}", st.key);
                assert!(!st.needs_keepalive(threshold, 31), "{}", st.key);
            }
            ProgramState::Inactive(ref why) => panic!("{} inactive: {why}", st.key),
        }
    }
    // Nothing to do yet.
    let outcomes = lifetime::keepalive(&mut b, &manifest, threshold, U256::ZERO, false).unwrap();
    assert!(outcomes
        .iter()
        .all(|(_, o)| matches!(o, KeepaliveOutcome::Skipped(_))));

    b.increase_time(200 * DAY).unwrap();
    let snapshot_after_200_days = {
        drop(b);
        let id = chain.snapshot();
        b = backend(&mut chain);
        id
    };
    let outcomes = lifetime::keepalive(&mut b, &manifest, threshold, U256::ZERO, false).unwrap();
    let refreshed = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, KeepaliveOutcome::Refreshed { .. }))
        .count();
    // Every distinct program once (the two mock ERC-4626s share one code).
    assert!(refreshed >= 7, "{outcomes:?}");
    for st in lifetime::status(&mut b, &manifest).unwrap() {
        if let ProgramState::Active { time_left, .. } = st.state {
            assert!(time_left > 364 * DAY, "{} refreshed: {time_left}", st.key);
        }
    }
    // Idempotent: a second run finds nothing to do.
    let again = lifetime::keepalive(&mut b, &manifest, threshold, U256::ZERO, false).unwrap();
    assert!(again
        .iter()
        .all(|(_, o)| matches!(o, KeepaliveOutcome::Skipped(_))));
    // 400 days after deployment the suite still runs.
    b.increase_time(200 * DAY).unwrap();
    b.send(s.vault, &IVault::accrueCall {}).unwrap();
    assert!(b.view(s.al_asset, &IAlAsset::totalSupplyCall {}).unwrap() > coin(0));

    // Without the keepalive, the programs expire after 365 days.
    drop(b);
    assert!(chain.revert_to(snapshot_after_200_days));
    let mut b = backend(&mut chain);
    b.increase_time(200 * DAY).unwrap();
    let Err(expired) = b.send(s.vault, &IVault::accrueCall {}) else {
        panic!("an expired program still runs");
    };
    assert!(expired.is::<devnet::ProgramExpired>(), "{expired}");
    let statuses = lifetime::status(&mut b, &manifest).unwrap();
    for st in &statuses {
        assert!(
            matches!(&st.state, ProgramState::Inactive(why) if why.starts_with("ProgramExpired")),
            "{}: {:?}",
            st.key,
            st.state
        );
    }
    let text = lifetime::render_status(&statuses, threshold, 31);
    assert!(text.contains("vault"));
}
