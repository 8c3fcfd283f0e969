//! MockErc20 + MockErc4626 on the devnet (real WASM): deposit, mint,
//! redeem, withdraw, simulated yield and loss, the inflation attack, and
//! decoded errors. The WASM is read from `target/stylus/` and built with
//! `cargo run -p scripts -- build ...` when missing or older than its sources.

use std::{path::Path, sync::OnceLock};

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use devnet::{artifacts::Artifacts, Clock, Devnet, DevnetConfig, TxRequest, DEV_ACCOUNT};
use mock_erc4626::{
    to_assets, to_shares, Deposit, ERC4626ExceededMaxRedeem, ERC4626ExceededMaxWithdraw,
    LossAboveTotal, Withdraw,
};
use suite_common::{erc20::ERC20InsufficientAllowance, math::Rounding};

mod abi {
    suite_common::mock_erc20_abi!(alloy_sol_types::sol);
    suite_common::mock_erc4626_abi!(alloy_sol_types::sol);
}
use abi::{IMockErc20, IMockErc4626};

const ALICE: Address = Address::repeat_byte(0xa1);
const BOB: Address = Address::repeat_byte(0xb0);
const ATTACKER: Address = Address::repeat_byte(0xa7);
const OFFSET: u8 = 6;

// ---------------------------------------------------------------- WASM

/// The WASM of `lib`; stale or missing WASM of these contracts is rebuilt once per test binary.
fn wasm(lib: &str) -> Vec<u8> {
    static ARTIFACTS: OnceLock<Artifacts> = OnceLock::new();
    ARTIFACTS
        .get_or_init(|| {
            Artifacts::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.."))
                .contract(
                    "mock_erc20",
                    "mock-erc20",
                    &["contracts/mocks/erc20/src", "contracts/common/src"],
                )
                .contract(
                    "mock_erc4626",
                    "mock-erc4626",
                    &["contracts/mocks/erc4626/src", "contracts/common/src"],
                )
        })
        .wasm(lib)
        .unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------- world

fn usdc(v: u64) -> U256 {
    U256::from(v) * U256::from(1_000_000u64)
}

struct World {
    chain: Devnet,
    token: Address,
    vault: Address,
}

impl World {
    fn new() -> Self {
        let mut chain = Devnet::with_config(DevnetConfig {
            clock: Clock::Manual(1_700_000_000),
            ..DevnetConfig::default()
        });
        for who in [ALICE, BOB, ATTACKER] {
            chain.fund(who, U256::from(10u64).pow(U256::from(21)));
        }
        let dev = DEV_ACCOUNT;
        let token = chain
            .deploy_wasm(
                dev,
                &wasm("mock_erc20"),
                Some(&("Mock USDC", "mUSDC", U256::from(6), dev).abi_encode_params()),
            )
            .unwrap()
            .address;
        let vault = chain
            .deploy_wasm(
                dev,
                &wasm("mock_erc4626"),
                Some(&(token, "Mock Vault", "mvUSDC", U256::from(OFFSET), dev).abi_encode_params()),
            )
            .unwrap()
            .address;
        let mut world = World {
            chain,
            token,
            vault,
        };
        for who in [ALICE, BOB, ATTACKER] {
            world.token(
                who,
                IMockErc20::mintCall {
                    to: who,
                    amount: usdc(1_000_000),
                },
            );
            world.token(
                who,
                IMockErc20::approveCall {
                    spender: vault,
                    value: U256::MAX,
                },
            );
        }
        world
    }

    fn token<C: SolCall>(&mut self, from: Address, call: C) -> C::Return {
        let token = self.token;
        self.chain.send_call(from, token, &call).unwrap()
    }

    fn vault<C: SolCall>(&mut self, from: Address, call: C) -> C::Return {
        let vault = self.vault;
        self.chain.send_call(from, vault, &call).unwrap()
    }

    fn view<C: SolCall>(&mut self, to: Address, call: C) -> C::Return {
        self.chain.view(DEV_ACCOUNT, to, &call).unwrap()
    }

    fn total_assets(&mut self) -> U256 {
        let vault = self.vault;
        self.view(vault, IMockErc4626::totalAssetsCall {})
    }

    fn supply(&mut self) -> U256 {
        let vault = self.vault;
        self.view(vault, IMockErc4626::totalSupplyCall {})
    }

    fn asset_balance(&mut self, who: Address) -> U256 {
        let token = self.token;
        self.view(token, IMockErc20::balanceOfCall { account: who })
    }

    fn shares_of(&mut self, who: Address) -> U256 {
        let vault = self.vault;
        self.view(vault, IMockErc4626::balanceOfCall { account: who })
    }
}

#[test]
fn metadata() {
    let mut w = World::new();
    let (vault, token) = (w.vault, w.token);
    assert_eq!(w.view(vault, IMockErc4626::decimalsCall {}), 12);
    assert_eq!(w.view(vault, IMockErc4626::decimalsOffsetCall {}), OFFSET);
    assert_eq!(w.view(vault, IMockErc4626::assetCall {}), token);
    assert_eq!(w.view(vault, IMockErc4626::nameCall {}), "Mock Vault");
    assert_eq!(w.view(token, IMockErc20::decimalsCall {}), 6);
    assert_eq!(
        w.view(vault, IMockErc4626::maxDepositCall { receiver: ALICE }),
        U256::MAX
    );
}

#[test]
fn deposit_yield_redeem_loss_withdraw() {
    let mut w = World::new();
    let vault = w.vault;
    // Deposit: 1,000 USDC → 1e15 shares (offset 6).
    let shares = w.vault(
        ALICE,
        IMockErc4626::depositCall {
            assets: usdc(1_000),
            receiver: ALICE,
        },
    );
    assert_eq!(shares, usdc(1_000) * U256::from(1_000_000u64));
    assert_eq!(w.total_assets(), usdc(1_000));
    // Events through a raw transaction: Bob mints 1e12 shares.
    let receipt = w
        .chain
        .transact(TxRequest::call(
            BOB,
            vault,
            IMockErc4626::mintCall {
                shares: U256::from(10u64).pow(U256::from(12)),
                receiver: BOB,
            }
            .abi_encode(),
        ))
        .unwrap();
    assert!(receipt.status);
    let deposit = &receipt.events::<Deposit>()[0];
    assert_eq!((deposit.sender, deposit.owner), (BOB, BOB));
    assert_eq!(deposit.assets, usdc(1)); // exact price: 1 USDC
                                         // 10% yield: the share price rises, previews follow the maths.
    let added = w.vault(
        BOB,
        IMockErc4626::simulateYieldCall {
            bps: U256::from(1_000),
        },
    );
    assert_eq!(added, usdc(100) + U256::from(100_000)); // 10% of 1,001 USDC
    let (total, supply) = (w.total_assets(), w.supply());
    let alice_shares = w.shares_of(ALICE);
    let value = w.view(
        vault,
        IMockErc4626::convertToAssetsCall {
            shares: alice_shares,
        },
    );
    assert_eq!(
        value,
        to_assets(alice_shares, total, supply, OFFSET, Rounding::Down).unwrap()
    );
    assert!(value > usdc(1_099) && value <= usdc(1_100));
    // Redeem half: gets the preview, in assets.
    let half = alice_shares / U256::from(2);
    let preview = w.view(vault, IMockErc4626::previewRedeemCall { shares: half });
    let before = w.asset_balance(ALICE);
    let got = w.vault(
        ALICE,
        IMockErc4626::redeemCall {
            shares: half,
            receiver: ALICE,
            owner: ALICE,
        },
    );
    assert_eq!(got, preview);
    assert_eq!(w.asset_balance(ALICE) - before, got);
    // 50% loss: the remaining shares are worth half.
    let removed = w.vault(
        BOB,
        IMockErc4626::simulateLossCall {
            bps: U256::from(5_000),
        },
    );
    assert_eq!(w.total_assets(), total - got - removed);
    let max = w.view(vault, IMockErc4626::maxWithdrawCall { owner: ALICE });
    let preview_burn = w.view(vault, IMockErc4626::previewWithdrawCall { assets: max });
    let burned = w.vault(
        ALICE,
        IMockErc4626::withdrawCall {
            assets: max,
            receiver: BOB,
            owner: ALICE,
        },
    );
    assert_eq!(burned, preview_burn);
    assert!(w.shares_of(ALICE) < U256::from(1_000_000u64)); // at most one asset unit of dust
                                                            // Withdraw by an approved spender, with its Withdraw event.
    let bob_shares = w.shares_of(BOB);
    w.vault(
        BOB,
        IMockErc4626::approveCall {
            spender: ALICE,
            value: bob_shares,
        },
    );
    let receipt = w
        .chain
        .transact(TxRequest::call(
            ALICE,
            vault,
            IMockErc4626::redeemCall {
                shares: bob_shares,
                receiver: ALICE,
                owner: BOB,
            }
            .abi_encode(),
        ))
        .unwrap();
    let withdraw = &receipt.events::<Withdraw>()[0];
    assert_eq!(
        (withdraw.sender, withdraw.receiver, withdraw.owner),
        (ALICE, ALICE, BOB)
    );
    assert_eq!(withdraw.shares, bob_shares);
}

#[test]
fn errors_are_decoded() {
    let mut w = World::new();
    let vault = w.vault;
    w.vault(
        ALICE,
        IMockErc4626::depositCall {
            assets: usdc(10),
            receiver: ALICE,
        },
    );
    let shares = w.shares_of(ALICE);
    let err = w
        .chain
        .send_call(
            ALICE,
            vault,
            &IMockErc4626::redeemCall {
                shares: shares + U256::from(1),
                receiver: ALICE,
                owner: ALICE,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.as_error::<ERC4626ExceededMaxRedeem>(),
        Some(ERC4626ExceededMaxRedeem {
            owner: ALICE,
            shares: shares + U256::from(1),
            max: shares
        })
    );
    let err = w
        .chain
        .send_call(
            ALICE,
            vault,
            &IMockErc4626::withdrawCall {
                assets: usdc(11),
                receiver: ALICE,
                owner: ALICE,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.as_error::<ERC4626ExceededMaxWithdraw>(),
        Some(ERC4626ExceededMaxWithdraw {
            owner: ALICE,
            assets: usdc(11),
            max: usdc(10)
        })
    );
    let err = w
        .chain
        .send_call(
            ALICE,
            vault,
            &IMockErc4626::simulateLossCall {
                bps: U256::from(10_001),
            },
        )
        .unwrap_err();
    assert_eq!(
        err.as_error::<LossAboveTotal>(),
        Some(LossAboveTotal {
            bps: U256::from(10_001)
        })
    );
    // No allowance: the MockErc20's error bubbles up through the vault.
    let carol = Address::repeat_byte(0xc0);
    w.chain.fund(carol, U256::from(10u64).pow(U256::from(20)));
    w.token(
        carol,
        IMockErc20::mintCall {
            to: carol,
            amount: usdc(5),
        },
    );
    let err = w
        .chain
        .send_call(
            carol,
            vault,
            &IMockErc4626::depositCall {
                assets: usdc(5),
                receiver: carol,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.as_error::<ERC20InsufficientAllowance>(),
        Some(ERC20InsufficientAllowance {
            spender: vault,
            allowance: U256::ZERO,
            needed: usdc(5)
        })
    );
}

#[test]
fn inflation_attack_fails_on_chain() {
    let mut w = World::new();
    let vault = w.vault;
    // The attacker deposits 1 wei of asset, then donates 100,000 USDC.
    let attacker_shares = w.vault(
        ATTACKER,
        IMockErc4626::depositCall {
            assets: U256::from(1),
            receiver: ATTACKER,
        },
    );
    assert_eq!(attacker_shares, U256::from(1_000_000u64));
    w.token(
        ATTACKER,
        IMockErc20::transferCall {
            to: vault,
            value: usdc(100_000),
        },
    );
    // The victim deposits 1,000 USDC: far from rounding to zero.
    let (total, supply) = (w.total_assets(), w.supply());
    let expected = to_shares(usdc(1_000), total, supply, OFFSET, Rounding::Down).unwrap();
    let victim = w.vault(
        ALICE,
        IMockErc4626::depositCall {
            assets: usdc(1_000),
            receiver: ALICE,
        },
    );
    assert_eq!(victim, expected);
    assert!(!victim.is_zero());
    // The victim can take back all but a rounding sliver; the attacker lost
    // half of its donation to the virtual shares (it holds 10^6 of the
    // 2 * 10^6 shares that price the donation).
    let victim_value = w.view(vault, IMockErc4626::previewRedeemCall { shares: victim });
    assert!(victim_value <= usdc(1_000));
    assert!(
        usdc(1_000) - victim_value <= usdc(1) / U256::from(10),
        "victim lost {}",
        usdc(1_000) - victim_value
    );
    let attacker_value = w.view(
        vault,
        IMockErc4626::previewRedeemCall {
            shares: attacker_shares,
        },
    );
    assert!(
        attacker_value <= usdc(50_001),
        "attacker keeps {attacker_value}"
    );
}
