//! MockErc20 + MockErc4626 on the devnet (real WASM): deposit, mint,
//! redeem, withdraw, simulated yield and loss, the inflation attack, and
//! decoded errors. The WASM comes from the test kit (`testkit::wasm`).

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use devnet::TxRequest;
use mock_erc4626::{
    to_assets, to_shares, Deposit, ERC4626ExceededMaxRedeem, ERC4626ExceededMaxWithdraw,
    LossAboveTotal, Withdraw,
};
use suite_common::{erc20::ERC20InsufficientAllowance, math::Rounding};

use testkit::{
    actors::ALICE,
    ether,
    interfaces::{IMockErc20, IMockErc4626},
    usdc, Local,
};

const BOB: Address = Address::repeat_byte(0xb0);
const ATTACKER: Address = Address::repeat_byte(0xa7);
const OFFSET: u8 = 6;

// ---------------------------------------------------------------- world

/// What the fixture deploys.
#[derive(Clone, Copy, Debug)]
struct Parts {
    token: Address,
    vault: Address,
}

type World = testkit::World<Local, Parts>;

fn new_world() -> World {
    let mut w = testkit::World::local_at(1_700_000_000);
    for who in [ALICE, BOB, ATTACKER] {
        w.fund(who, ether(1_000));
    }
    let dev = w.sender();
    let token = w.deploy(
        "mock_erc20",
        ("Mock USDC", "mUSDC", U256::from(6), dev).abi_encode_params(),
    );
    let vault = w.deploy(
        "mock_erc4626",
        (token, "Mock Vault", "mvUSDC", U256::from(OFFSET), dev).abi_encode_params(),
    );
    let mut world = w.with(Parts { token, vault });
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

/// The scenarios' helpers.
trait Scenario {
    fn token<C: SolCall>(&mut self, from: Address, call: C) -> C::Return;
    fn vault<C: SolCall>(&mut self, from: Address, call: C) -> C::Return;
    fn total_assets(&mut self) -> U256;
    fn supply(&mut self) -> U256;
    fn asset_balance(&mut self, who: Address) -> U256;
    fn shares_of(&mut self, who: Address) -> U256;
}

impl Scenario for World {
    fn token<C: SolCall>(&mut self, from: Address, call: C) -> C::Return {
        let token = self.at.token;
        self.send_from(from, token, call)
    }

    fn vault<C: SolCall>(&mut self, from: Address, call: C) -> C::Return {
        let vault = self.at.vault;
        self.send_from(from, vault, call)
    }

    fn total_assets(&mut self) -> U256 {
        let vault = self.at.vault;
        self.view(vault, IMockErc4626::totalAssetsCall {})
    }

    fn supply(&mut self) -> U256 {
        let vault = self.at.vault;
        self.view(vault, IMockErc4626::totalSupplyCall {})
    }

    fn asset_balance(&mut self, who: Address) -> U256 {
        let token = self.at.token;
        self.view(token, IMockErc20::balanceOfCall { account: who })
    }

    fn shares_of(&mut self, who: Address) -> U256 {
        let vault = self.at.vault;
        self.view(vault, IMockErc4626::balanceOfCall { account: who })
    }
}

#[test]
fn metadata() {
    let mut w = new_world();
    let (vault, token) = (w.at.vault, w.at.token);
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
    let mut w = new_world();
    let vault = w.at.vault;
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
        .chain()
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
        .chain()
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
    let mut w = new_world();
    let vault = w.at.vault;
    w.vault(
        ALICE,
        IMockErc4626::depositCall {
            assets: usdc(10),
            receiver: ALICE,
        },
    );
    let shares = w.shares_of(ALICE);
    let err = w
        .try_send(
            ALICE,
            vault,
            IMockErc4626::redeemCall {
                shares: shares + U256::from(1),
                receiver: ALICE,
                owner: ALICE,
            },
        )
        .expect_err("reverts");
    assert_eq!(
        err.as_error::<ERC4626ExceededMaxRedeem>(),
        Some(ERC4626ExceededMaxRedeem {
            owner: ALICE,
            shares: shares + U256::from(1),
            max: shares
        })
    );
    let err = w
        .try_send(
            ALICE,
            vault,
            IMockErc4626::withdrawCall {
                assets: usdc(11),
                receiver: ALICE,
                owner: ALICE,
            },
        )
        .expect_err("reverts");
    assert_eq!(
        err.as_error::<ERC4626ExceededMaxWithdraw>(),
        Some(ERC4626ExceededMaxWithdraw {
            owner: ALICE,
            assets: usdc(11),
            max: usdc(10)
        })
    );
    let err = w
        .try_send(
            ALICE,
            vault,
            IMockErc4626::simulateLossCall {
                bps: U256::from(10_001),
            },
        )
        .expect_err("reverts");
    assert_eq!(
        err.as_error::<LossAboveTotal>(),
        Some(LossAboveTotal {
            bps: U256::from(10_001)
        })
    );
    // No allowance: the MockErc20's error bubbles up through the vault.
    let carol = Address::repeat_byte(0xc0);
    w.fund(carol, ether(100));
    w.token(
        carol,
        IMockErc20::mintCall {
            to: carol,
            amount: usdc(5),
        },
    );
    let err = w
        .try_send(
            carol,
            vault,
            IMockErc4626::depositCall {
                assets: usdc(5),
                receiver: carol,
            },
        )
        .expect_err("reverts");
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
    let mut w = new_world();
    let vault = w.at.vault;
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
