//! End-to-end scenarios through JSON-RPC: the devnet node is spawned inside
//! the test, the suite is deployed by the deploy tool's plan through the
//! RPC backend (alloy provider, local keys), and wallets, arbitrageurs,
//! keepers and the guardian act through signed transactions. After every
//! step the invariants of SUITE.md section 9 are checked against on-chain
//! views ([`Checker`]).
//!
//! One node per scenario (each test starts its own, on an ephemeral port).

use alloy_primitives::{Address, U256};
use deploy::{
    interfaces::{IAlAsset, IMockErc4626, IPsm, IRateController, ITransmuter, ITwapOracle, IVault},
    BackendExt, CallError, Config, Rpc,
};
use devnet::node::{spawn, NodeConfig, NodeHandle};
use suite_common::errors::EntryPaused;
use suite_tests::{coin, invariants::Checker, World};

const EPOCH: u64 = 21_600;
const INTERVAL: u64 = 1_800;
const WAD: u64 = 1_000_000_000_000_000_000;

struct Env {
    _node: NodeHandle,
    b: Rpc,
    w: World,
    checker: Checker,
}

impl Env {
    /// A node, the suite deployed with `config`, five funded actors (dev
    /// accounts 1–5) with loans at `loan_pct`% of their limit, the first
    /// three redeemable.
    fn new(config: &Config, loan_pct: u8) -> Self {
        let node = spawn(NodeConfig::default()).expect("node");
        let keys: Vec<_> = node.dev_accounts().iter().map(|(_, k)| *k).collect();
        let mut b = Rpc::connect(&node.url(), &keys[..6]).expect("rpc");
        let manifest = deploy::deploy_suite(&mut b, config).expect("deployment over RPC");
        let actors = b.accounts()[1..6].to_vec();
        let w = World::setup(&mut b, manifest.suite().unwrap(), &actors, 1_000_000).expect("setup");
        w.open_loans(&mut b, loan_pct, 3).expect("loans");
        let mut env = Self {
            _node: node,
            b,
            w,
            checker: Checker::new(),
        };
        env.check("after deployment and loans");
        env
    }

    fn check(&mut self, step: &str) {
        if let Err(v) = self.checker.check(&self.w, &mut self.b) {
            panic!("after {step}: {v}");
        }
    }

    fn actor(&self, i: usize) -> Address {
        self.w.actors[i]
    }

    fn price(&mut self) -> f64 {
        let p = self.w.spot_price(&mut self.b).unwrap();
        f64::from(p) / 1e18
    }

    fn oracle_state(&mut self) -> u8 {
        self.b
            .view(self.w.suite.twap_oracle, &ITwapOracle::stateCall {})
            .unwrap()
    }

    /// Samples through the rest of the epoch and one more, advancing as
    /// soon as allowed, so a whole epoch at the current price is measured.
    fn run_epochs(&mut self, epochs: u64) {
        self.w
            .keep_oracle(&mut self.b, epochs * EPOCH + INTERVAL, INTERVAL)
            .unwrap();
        let _ = self
            .b
            .send(self.w.suite.twap_oracle, &ITwapOracle::advanceEpochCall {});
    }
}

use deploy::Backend;

#[test]
fn expansion_and_contraction_cycle() {
    let mut e = Env::new(&Config::devnet_default(), 60);
    let s = e.w.suite;

    // Borrowers mint and sell into the pool: the price falls below the peg.
    for i in 0..4 {
        let who = e.actor(i);
        e.w.swap(&mut e.b, who, s.al_asset, coin(15_000)).unwrap();
        e.check("a borrower's sale");
    }
    let low = e.price();
    assert!(low < 0.95, "price after the sales: {low}");

    // The oracle measures a whole epoch below 0.99: Contraction.
    e.run_epochs(1);
    e.check("the contraction epoch");
    assert_eq!(e.oracle_state(), 2, "Contraction expected at price {low}");
    let twap =
        e.b.view(s.twap_oracle, &ITwapOracle::lastTwapCall {})
            .unwrap();
    assert!(twap < U256::from(WAD / 100 * 99), "lastTwap {twap}");

    // The paid rate rises while the oracle says Contraction.
    let rate0 =
        e.b.view(s.rate_controller, &IRateController::rateCall {})
            .unwrap();
    e.b.increase_time(86_400).unwrap();
    e.b.send(s.vault, &IVault::accrueCall {}).unwrap();
    e.check("a day of accrual in Contraction");
    let rate1 =
        e.b.view(s.rate_controller, &IRateController::rateCall {})
            .unwrap();
    assert!(rate1 > rate0, "rate {rate0} -> {rate1} in Contraction");

    // An arbitrageur buys cheap alAsset, sells part to the PSM at 1:1 and
    // deposits the rest in the Transmuter (earmarking free debt).
    let arb = e.actor(4);
    let before = e.w.al_balance(&mut e.b, arb).unwrap();
    e.w.swap(&mut e.b, arb, s.asset, e.w.asset(57_500)).unwrap();
    e.check("the arbitrageur's purchase");
    let bought = e.w.al_balance(&mut e.b, arb).unwrap() - before;
    assert!(
        bought > coin(57_500),
        "bought {bought} alAsset for 57,500 USDC below peg"
    );
    let asset_before =
        e.b.view(s.asset, &IAlAsset::balanceOfCall { account: arb })
            .unwrap();
    let sold = bought / U256::from(2u8);
    e.b.send_from(
        arb,
        s.psm,
        &IPsm::sellCall {
            coinIn: sold,
            minAssetOut: U256::ZERO,
            recipient: arb,
        },
    )
    .unwrap();
    e.check("the PSM sale");
    let asset_after =
        e.b.view(s.asset, &IAlAsset::balanceOfCall { account: arb })
            .unwrap();
    assert_eq!(
        asset_after - asset_before,
        sold / e.w.scale(),
        "PSM pays 1:1"
    );

    let free_before = e.b.view(s.vault, &IVault::totalsCall {}).unwrap().freeDebt;
    let deposit = coin(20_000);
    e.b.send_from(
        arb,
        s.transmuter,
        &ITransmuter::createRedemptionCall { amount: deposit },
    )
    .unwrap();
    e.check("the Transmuter deposit");
    let free_after = e.b.view(s.vault, &IVault::totalsCall {}).unwrap().freeDebt;
    assert_eq!(
        free_before - free_after,
        deposit,
        "earmarking takes the free debt"
    );
    let ids =
        e.b.view(s.transmuter, &ITransmuter::positionsOfCall { owner: arb })
            .unwrap();
    let id = *ids.last().unwrap();
    let early =
        e.b.send_from(arb, s.transmuter, &ITransmuter::claimRedemptionCall { id });
    assert!(
        early
            .as_ref()
            .is_err_and(|e| e.is::<transmuter::NotMatured>()),
        "{:?}",
        early.map(drop)
    );

    // The price is back near the peg: a sampled epoch there returns the oracle to Maintain.
    let p = e.price();
    assert!(p > 0.99 && p < 1.01, "price after arbitrage: {p}");
    e.run_epochs(1);
    e.check("the recovery epoch");
    assert_eq!(e.oracle_state(), 0, "Maintain expected at price {p}");

    // Maturity: the claim pays underlying 1:1 and burns the alAsset.
    e.b.increase_time(90 * 86_400).unwrap();
    let burned_before =
        e.b.view(s.al_asset, &IAlAsset::burnedByHoldersCall {})
            .unwrap();
    let asset_before =
        e.b.view(s.asset, &IAlAsset::balanceOfCall { account: arb })
            .unwrap();
    e.b.send_from(arb, s.transmuter, &ITransmuter::claimRedemptionCall { id })
        .unwrap();
    e.check("the maturity claim");
    let burned_after =
        e.b.view(s.al_asset, &IAlAsset::burnedByHoldersCall {})
            .unwrap();
    let asset_after =
        e.b.view(s.asset, &IAlAsset::balanceOfCall { account: arb })
            .unwrap();
    assert_eq!(
        asset_after - asset_before,
        deposit / e.w.scale(),
        "claim pays 1:1"
    );
    // (The supply also grows by the interest accrued in the same transaction.)
    assert_eq!(
        burned_after - burned_before,
        deposit,
        "the claim burns the alAsset"
    );
    assert_eq!(
        e.b.view(s.transmuter, &ITransmuter::totalPendingCall {})
            .unwrap(),
        U256::ZERO
    );
}

#[test]
fn psm_bank_run_and_guardian_pause_leave_every_exit_open() {
    let mut e = Env::new(&Config::devnet_default(), 40);
    let s = e.w.suite;
    // Holders buy alAsset from the PSM.
    for i in 0..5 {
        let who = e.actor(i);
        e.b.send_from(
            who,
            s.psm,
            &IPsm::buyCall {
                assetIn: e.w.asset(50_000),
                minCoinOut: U256::ZERO,
                recipient: who,
            },
        )
        .unwrap();
    }
    e.check("the PSM buys");
    // An arbitrageur matures a Transmuter position for later.
    let arb = e.actor(4);
    e.b.send_from(
        arb,
        s.transmuter,
        &ITransmuter::createRedemptionCall {
            amount: coin(1_000),
        },
    )
    .unwrap();
    e.check("a Transmuter deposit");

    // The guardian (the deployer) pauses every entry.
    e.b.send(s.vault, &IVault::setPausedCall { paused: true })
        .unwrap();
    e.b.send(s.psm, &IPsm::setBuyPausedCall { paused: true })
        .unwrap();
    e.b.send(
        s.transmuter,
        &ITransmuter::setEntryPausedCall { paused: true },
    )
    .unwrap();
    e.check("the pause");
    let who = e.actor(0);
    let paused = |r: Result<(), CallError>| {
        r.is_err_and(|e| e.is::<EntryPaused>() || e.to_string().contains("Paused"))
    };
    assert!(paused(
        e.b.send_from(
            who,
            s.vault,
            &IVault::borrowCall {
                amount: coin(1_000),
                recipient: who
            }
        )
        .map(drop)
    ));
    assert!(paused(
        e.b.send_from(
            who,
            s.psm,
            &IPsm::buyCall {
                assetIn: e.w.asset(1),
                minCoinOut: U256::ZERO,
                recipient: who
            }
        )
        .map(drop)
    ));
    assert!(paused(
        e.b.send_from(
            who,
            s.transmuter,
            &ITransmuter::createRedemptionCall { amount: coin(1) }
        )
        .map(drop)
    ));

    // Bank run: everybody sells everything to the PSM, first come first
    // served, until its liquidity is gone; then sells fail clearly.
    loop {
        let free = e.b.view(s.psm, &IPsm::freePsmAssetsCall {}).unwrap();
        let mut sold_any = false;
        for i in 0..5 {
            let who = e.actor(i);
            let balance = e.w.al_balance(&mut e.b, who).unwrap();
            let amount = balance.min(free * e.w.scale());
            if amount < e.w.scale() {
                continue;
            }
            e.b.send_from(
                who,
                s.psm,
                &IPsm::sellCall {
                    coinIn: amount,
                    minAssetOut: U256::ZERO,
                    recipient: who,
                },
            )
            .unwrap();
            sold_any = true;
            e.check("a bank-run sale");
            break;
        }
        if !sold_any {
            break;
        }
    }
    let free = e.b.view(s.psm, &IPsm::freePsmAssetsCall {}).unwrap();
    let actors = e.w.actors.clone();
    let holder = actors
        .into_iter()
        .find(|&a| e.w.al_balance(&mut e.b, a).unwrap() > coin(1));
    if free < e.w.asset(1) {
        if let Some(holder) = holder {
            let r = e.b.send_from(
                holder,
                s.psm,
                &IPsm::sellCall {
                    coinIn: coin(1),
                    minAssetOut: U256::ZERO,
                    recipient: holder,
                },
            );
            assert!(
                r.as_ref()
                    .is_err_and(|e| e.as_error::<psm::InsufficientPsmLiquidity>().is_some()),
                "a sale past the PSM's liquidity: {:?}",
                r.map(drop)
            );
        }
    }

    // Every exit still works while paused: repay, withdraw healthy collateral, claim at maturity.
    let borrower = e.actor(1);
    let account =
        e.b.view(s.vault, &IVault::accountOfCall { account: borrower })
            .unwrap();
    let part = account.debt / U256::from(4u8);
    let balance = e.w.al_balance(&mut e.b, borrower).unwrap();
    if balance >= part {
        e.b.send_from(
            borrower,
            s.vault,
            &IVault::repayCall {
                amount: part,
                account: borrower,
            },
        )
        .unwrap();
        e.check("a repayment while paused");
    }
    e.b.send_from(
        borrower,
        s.vault,
        &IVault::withdrawCall {
            shares: account.shares / U256::from(10u8),
            recipient: borrower,
        },
    )
    .unwrap();
    e.check("a withdrawal while paused");
    e.b.increase_time(91 * 86_400).unwrap();
    let id =
        *e.b.view(s.transmuter, &ITransmuter::positionsOfCall { owner: arb })
            .unwrap()
            .last()
            .unwrap();
    e.b.send_from(arb, s.transmuter, &ITransmuter::claimRedemptionCall { id })
        .unwrap();
    e.check("a claim while paused");
}

#[test]
fn yield_loss_liquidations_and_bad_debt() {
    let mut e = Env::new(&Config::devnet_default(), 97);
    let s = e.w.suite;
    // Yield raises every account's collateral value.
    let before =
        e.b.view(
            s.vault,
            &IVault::accountOfCall {
                account: e.actor(0),
            },
        )
        .unwrap();
    e.b.send(
        s.collateral,
        &IMockErc4626::simulateYieldCall {
            bps: U256::from(200u16),
        },
    )
    .unwrap();
    e.check("2% yield");
    let after =
        e.b.view(
            s.vault,
            &IVault::accountOfCall {
                account: e.actor(0),
            },
        )
        .unwrap();
    assert!(after.collateralValue > before.collateralValue);

    // A 10% loss pushes the accounts past the liquidation LTV.
    e.b.send(
        s.collateral,
        &IMockErc4626::simulateLossCall {
            bps: U256::from(1_000u16),
        },
    )
    .unwrap();
    e.checker.collateral_loss_seen = true;
    e.check("a 10% loss");
    let victim = e.actor(0);
    let liquidator = e.actor(4);
    let a =
        e.b.view(s.vault, &IVault::accountOfCall { account: victim })
            .unwrap();
    assert!(
        a.ltvBps > U256::from(9_500u64),
        "LTV after the loss: {}",
        a.ltvBps
    );
    let shares_before =
        e.b.view(
            s.collateral,
            &IMockErc4626::balanceOfCall {
                account: liquidator,
            },
        )
        .unwrap();
    let repay = a.debt / U256::from(4u8);
    e.b.send_from(
        liquidator,
        s.vault,
        &IVault::liquidateCall {
            account: victim,
            repayAmount: repay,
        },
    )
    .unwrap();
    e.check("a liquidation");
    let seized =
        e.b.view(
            s.collateral,
            &IMockErc4626::balanceOfCall {
                account: liquidator,
            },
        )
        .unwrap()
            - shares_before;
    let seized_value =
        e.b.view(
            s.collateral,
            &IMockErc4626::convertToAssetsCall { shares: seized },
        )
        .unwrap()
            * e.w.scale();
    assert!(
        seized_value > repay,
        "the liquidator earns a bonus: {seized_value} for {repay}"
    );

    // A 60% loss: the collateral no longer covers the debt; liquidation takes
    // everything and records bad debt, which the treasury covers.
    e.b.send(
        s.collateral,
        &IMockErc4626::simulateLossCall {
            bps: U256::from(6_000u16),
        },
    )
    .unwrap();
    e.check("a 60% loss");
    let victim = e.actor(1);
    let a =
        e.b.view(s.vault, &IVault::accountOfCall { account: victim })
            .unwrap();
    e.b.send_from(
        liquidator,
        s.vault,
        &IVault::liquidateCall {
            account: victim,
            repayAmount: a.debt,
        },
    )
    .unwrap();
    e.check("a liquidation with bad debt");
    let bad = e.b.view(s.vault, &IVault::totalsCall {}).unwrap().badDebt;
    assert!(bad > U256::ZERO, "bad debt recorded");
    let cleared =
        e.b.view(s.vault, &IVault::accountOfCall { account: victim })
            .unwrap();
    assert_eq!((cleared.debt, cleared.shares), (U256::ZERO, U256::ZERO));
    // The treasury (deployer) buys alAsset at the PSM and covers it.
    let treasury = e.w.deployer;
    e.b.send(
        s.asset,
        &IAlAsset::approveCall {
            spender: s.psm,
            value: U256::MAX,
        },
    )
    .unwrap();
    let need = bad / e.w.scale() + U256::from(1u8);
    e.b.send(
        s.asset,
        &deploy::interfaces::IMockErc20::mintCall {
            to: treasury,
            amount: need,
        },
    )
    .unwrap();
    e.b.send(
        s.psm,
        &IPsm::buyCall {
            assetIn: need,
            minCoinOut: U256::ZERO,
            recipient: treasury,
        },
    )
    .unwrap();
    e.b.send(s.vault, &IVault::coverBadDebtCall { amount: bad })
        .unwrap();
    e.check("covering the bad debt");
    assert_eq!(
        e.b.view(s.vault, &IVault::totalsCall {}).unwrap().badDebt,
        U256::ZERO
    );
}
