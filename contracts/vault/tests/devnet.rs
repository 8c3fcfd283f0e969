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
//! The WASM is read from `target/stylus/` and built with
//! `cargo run -p scripts -- build ...` when missing or older than its sources.

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::OnceLock,
    time::SystemTime,
};

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use devnet::{Clock, Devnet, DevnetConfig, Revert, DEV_ACCOUNT};
use suite_common::errors::EntryPaused;
use vault::{AccountHealthy, LtvExceeded, RepayExceedsCloseFactor};

mod abi {
    suite_common::vault_abi!(alloy_sol_types::sol);
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::rate_controller_abi!(alloy_sol_types::sol);
    suite_common::mock_erc20_abi!(alloy_sol_types::sol);
    suite_common::mock_erc4626_abi!(alloy_sol_types::sol);
}
use abi::{IAlAsset, IMockErc20, IMockErc4626, IRateController, IVault};

const T0: u64 = 1_700_000_000;
const MONTH: u64 = 30 * 86_400;
const TREASURY: Address = Address::repeat_byte(0xd1);
const ALICE: Address = Address::repeat_byte(0xa1);
const BOB: Address = Address::repeat_byte(0xa2);
const CAROL: Address = Address::repeat_byte(0xa3);
const LIQUIDATOR: Address = Address::repeat_byte(0xa4);
const USERS: [Address; 4] = [ALICE, BOB, CAROL, LIQUIDATOR];

// ---------------------------------------------------------------- WASM

const CONTRACTS: &[(&str, &str, &[&str])] = &[
    (
        "vault",
        "vault",
        &["contracts/vault/src", "contracts/common/src"],
    ),
    (
        "al_asset",
        "al-asset",
        &["contracts/al-asset/src", "contracts/common/src"],
    ),
    (
        "rate_controller",
        "rate-controller",
        &["contracts/rate-controller/src", "contracts/common/src"],
    ),
    (
        "mock_erc20",
        "mock-erc20",
        &["contracts/mocks/erc20/src", "contracts/common/src"],
    ),
    (
        "mock_erc4626",
        "mock-erc4626",
        &["contracts/mocks/erc4626/src", "contracts/common/src"],
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| newest(&e.path()))
        .max()
}

fn wasm(lib: &str) -> Vec<u8> {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = root().join("target/stylus");
        let stale: Vec<&str> = CONTRACTS
            .iter()
            .filter(|(lib, _, sources)| {
                let built = newest(&dir.join(format!("{lib}.wasm")));
                built.is_none() || sources.iter().any(|s| newest(&root().join(s)) > built)
            })
            .map(|(_, package, _)| *package)
            .collect();
        if !stale.is_empty() {
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["run", "-q", "-p", "scripts", "--", "build"])
                .args(&stale)
                .current_dir(root())
                .status()
                .expect("running the build tool");
            assert!(status.success(), "building {stale:?} failed");
        }
    });
    let path = root().join(format!("target/stylus/{lib}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------- world

fn u(v: u64) -> U256 {
    U256::from(v)
}

/// `v` whole coins (18 decimals).
fn coin(v: u64) -> U256 {
    u(v) * u(10u64.pow(18))
}

/// `v` whole USDC (6 decimals).
fn usdc(v: u64) -> U256 {
    u(v) * u(1_000_000)
}

struct World {
    chain: Devnet,
    coin: Address,
    yv: Address,
    rc: Address,
    vault: Address,
}

impl World {
    /// AlAsset, USDC, a yield vault over it, the RateController and the
    /// Vault (debt ceiling 10M, min debt 100 coin, minter ceiling 100M);
    /// every user holds 100k USDC of yield-vault shares and approved the
    /// Vault for shares and alUSD.
    fn new() -> Self {
        let mut chain = Devnet::with_config(DevnetConfig {
            clock: Clock::Manual(T0),
            ..DevnetConfig::default()
        });
        let dev = DEV_ACCOUNT;
        let deploy = |chain: &mut Devnet, lib: &str, args: Vec<u8>| {
            chain
                .deploy_wasm(dev, &wasm(lib), Some(&args))
                .unwrap()
                .address
        };
        let coin = deploy(
            &mut chain,
            "al_asset",
            ("Alchemix USD", "alUSD", dev).abi_encode_params(),
        );
        let usdc = deploy(
            &mut chain,
            "mock_erc20",
            ("USD Coin", "USDC", U256::from(6u8), dev).abi_encode_params(),
        );
        let yv = deploy(
            &mut chain,
            "mock_erc4626",
            (usdc, "Yield USDC", "yvUSDC", U256::ZERO, dev).abi_encode_params(),
        );
        let rc = deploy(&mut chain, "rate_controller", (dev,).abi_encode_params());
        let vault = deploy(
            &mut chain,
            "vault",
            (
                dev,
                coin,
                yv,
                TREASURY,
                coin_amount(10_000_000),
                coin_amount(100),
            )
                .abi_encode_params(),
        );
        let mut world = World {
            chain,
            coin,
            yv,
            rc,
            vault,
        };
        world.send(
            coin,
            IAlAsset::addMinterCall {
                minter: vault,
                ceiling: coin_amount(100_000_000),
            },
        );
        world.send(rc, IRateController::setVaultCall { vault });
        world.send(vault, IVault::setPeerCall { which: 2, peer: rc });
        world
            .chain
            .fund(TREASURY, U256::from(10u64).pow(U256::from(20u64)));
        for user in USERS {
            world
                .chain
                .fund(user, U256::from(10u64).pow(U256::from(20u64)));
            world.send(
                usdc,
                IMockErc20::mintCall {
                    to: user,
                    amount: usdc_amount(100_000),
                },
            );
            world.send_from(
                user,
                usdc,
                IMockErc20::approveCall {
                    spender: yv,
                    value: U256::MAX,
                },
            );
            world.send_from(
                user,
                yv,
                IMockErc4626::depositCall {
                    assets: usdc_amount(100_000),
                    receiver: user,
                },
            );
            world.send_from(
                user,
                yv,
                IMockErc4626::approveCall {
                    spender: vault,
                    value: U256::MAX,
                },
            );
            world.send_from(
                user,
                coin,
                IAlAsset::approveCall {
                    spender: vault,
                    value: U256::MAX,
                },
            );
        }
        world
    }

    fn send_from<C: SolCall>(&mut self, from: Address, to: Address, call: C) -> C::Return {
        self.chain
            .send_call(from, to, &call)
            .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
    }

    fn send<C: SolCall>(&mut self, to: Address, call: C) -> C::Return {
        self.send_from(DEV_ACCOUNT, to, call)
    }

    fn try_send<C: SolCall>(&mut self, from: Address, to: Address, call: C) -> Result<(), Revert> {
        self.chain.send_call(from, to, &call).map(|_| ())
    }

    fn view<C: SolCall>(&mut self, to: Address, call: C) -> C::Return {
        self.chain
            .view(DEV_ACCOUNT, to, &call)
            .unwrap_or_else(|e| panic!("{}: {e}", C::SIGNATURE))
    }

    fn shares_of(&mut self, who: Address) -> U256 {
        self.view(self.yv, IMockErc4626::balanceOfCall { account: who })
    }

    fn coin_of(&mut self, who: Address) -> U256 {
        self.view(self.coin, IAlAsset::balanceOfCall { account: who })
    }

    /// Collateral value of `shares` `[coin]`, as the Vault computes it.
    fn value_of(&mut self, shares: U256) -> U256 {
        self.view(self.yv, IMockErc4626::convertToAssetsCall { shares }) * u(1_000_000_000_000)
    }

    fn account(&mut self, who: Address) -> IVault::accountOfReturn {
        self.view(self.vault, IVault::accountOfCall { account: who })
    }

    fn totals(&mut self) -> IVault::totalsReturn {
        self.view(self.vault, IVault::totalsCall {})
    }

    fn deposit(&mut self, who: Address, shares: U256) {
        self.send_from(
            who,
            self.vault,
            IVault::depositCall {
                shares,
                recipient: who,
            },
        );
    }

    fn borrow(&mut self, who: Address, amount: U256) -> Result<(), Revert> {
        self.try_send(
            who,
            self.vault,
            IVault::borrowCall {
                amount,
                recipient: who,
            },
        )
        .map(|_| ())
    }

    fn warp(&mut self, seconds: u64) {
        self.chain.warp(seconds);
    }

    /// Invariants 1 and 2 of SUITE.md §9 (the Vault is the only minter here):
    /// supply == free + paid + bad debt (+ pending interest, none here) to the
    /// wei, and Σ account debts ≥ the totals, by at most a few wei.
    fn check_books(&mut self) {
        let totals = self.totals();
        let supply = self.view(self.coin, IAlAsset::totalSupplyCall {});
        let state = self.view(self.vault, IVault::stateCall {});
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

fn coin_amount(v: u64) -> U256 {
    coin(v)
}

fn usdc_amount(v: u64) -> U256 {
    usdc(v)
}

// ---------------------------------------------------------------- scenarios

#[test]
fn borrowers_over_months_yield_liquidation_and_bad_debt() {
    let mut w = World::new();
    // Shares: 6 decimals, 1:1 with USDC at first.
    let ten_k = usdc(10_000);
    w.deposit(ALICE, ten_k);
    w.borrow(ALICE, coin(8_500)).unwrap(); // paid, 85% LTV
    w.deposit(BOB, ten_k);
    w.borrow(BOB, coin(4_000)).unwrap();
    w.send_from(BOB, w.vault, IVault::setRedeemableCall { redeemable: true }); // free
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
        w.send(w.vault, IVault::accrueCall {});
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
    let rate = w.view(w.rc, IRateController::rateCall {});
    assert!(rate > U256::ZERO);
    assert_eq!(w.account(BOB).debt, coin(4_000));
    let alice_debt = w.account(ALICE).debt;
    assert!(alice_debt > coin(8_500));

    // Yield raises collateral value and borrowing capacity.
    let before = w.account(ALICE);
    w.send(w.yv, IMockErc4626::simulateYieldCall { bps: u(1_000) });
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
            w.vault,
            IVault::liquidateCall {
                account: ALICE,
                repayAmount: coin(1),
            },
        )
        .unwrap_err();
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
        w.yv,
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
            w.vault,
            IVault::liquidateCall {
                account: ALICE,
                repayAmount: max_repay + u(1),
            },
        )
        .unwrap_err();
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
        w.vault,
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
    w.send(w.yv, IMockErc4626::simulateLossCall { bps: u(5_000) });
    let alice = w.account(ALICE);
    assert!(alice.collateralValue < alice.debt);
    w.send_from(
        LIQUIDATOR,
        w.vault,
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
    w.send_from(
        TREASURY,
        w.coin,
        IAlAsset::approveCall {
            spender: w.vault,
            value: U256::MAX,
        },
    );
    w.send_from(
        TREASURY,
        w.vault,
        IVault::coverBadDebtCall { amount: income },
    );
    assert_eq!(w.totals().badDebt, bad - income.min(bad));
    w.check_books();
}

#[test]
fn ltv_limits_and_pause() {
    let mut w = World::new();
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
            w.vault,
            IVault::withdrawCall {
                shares: usdc(1),
                recipient: ALICE,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.as_error::<LtvExceeded>(),
        Some(LtvExceeded {
            account: ALICE,
            ltvBps: u(9_001),
            maxLtvBps: u(9_000)
        })
    );
    // The guardian pauses: borrowing and depositing stop...
    w.send(w.vault, IVault::setGuardianCall { guardian: CAROL });
    w.send_from(CAROL, w.vault, IVault::setPausedCall { paused: true });
    let err = w.borrow(ALICE, coin(1)).unwrap_err();
    assert!(err.is::<EntryPaused>());
    let err = w
        .try_send(
            BOB,
            w.vault,
            IVault::depositCall {
                shares: usdc(1),
                recipient: BOB,
            },
        )
        .unwrap_err();
    assert!(err.is::<EntryPaused>());
    // ... but repaying and withdrawing healthy collateral still work.
    w.send_from(
        ALICE,
        w.vault,
        IVault::repayCall {
            amount: coin(4_500),
            account: ALICE,
        },
    );
    let shares_before = w.shares_of(ALICE);
    w.send_from(
        ALICE,
        w.vault,
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
            w.vault,
            IVault::setRedeemableCall { redeemable: true },
        )
        .unwrap_err();
    assert!(err.is::<EntryPaused>());
    w.send(w.vault, IVault::setPausedCall { paused: false });
    w.borrow(ALICE, coin(1)).unwrap_err(); // at 90% already
    w.send_from(
        ALICE,
        w.vault,
        IVault::setRedeemableCall { redeemable: true },
    );
    w.check_books();
}
