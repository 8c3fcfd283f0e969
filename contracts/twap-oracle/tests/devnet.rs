//! TwapOracle on the devnet: the real WASM of the oracle, the V2 pool, the
//! AlAsset and a MockErc20, with a tiny EVM stand-in for the Vault's
//! `totals()` (the collateral value is settable, so backing can be steered).
//!
//! The WASM comes from the test kit (`testkit::wasm`).

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use devnet::{deploy_init_code, Receipt, TxRequest, DEV_ACCOUNT};
use twap_oracle::{
    expansion_amount, BackingComputed, EpochAdvanced, EpochNotOver, ExpansionMinted, SampleTooSoon,
    EPOCH_LENGTH, HEALTH_HEALTHY, HEALTH_WEAK, STATE_CONTRACTION, STATE_EXPANSION, STATE_MAINTAIN,
};

use testkit::{
    interfaces::{IAlAsset, IMockErc20, ITwapOracle, IV2Pool},
    Local, Reverted,
};

/// A 6-hour boundary, plus 1,000 s.
const T0: u64 = 1_700_000_000 - 1_700_000_000 % EPOCH_LENGTH + 1_000;
const RECIPIENT: Address = Address::repeat_byte(0xd1);
const ATTACKER: Address = Address::repeat_byte(0xa7);
const INTERVAL: u64 = 1_800;

// ---------------------------------------------------------------- world

fn e18(v: u64) -> U256 {
    U256::from(v) * U256::from(10u64).pow(U256::from(18))
}
fn wad_f(x: U256) -> f64 {
    f64::from(x) / 1e18
}

/// EVM stand-in for the Vault: a 32-byte call stores a value; a 36-byte
/// call (`balanceOf(vault)`: the stub is its own collateral token) returns
/// one share; any other call returns five words, the first being that value
/// (`totals()`) and the second the stub's address (`peers().collateral`).
fn vault_stub_code() -> Vec<u8> {
    // CALLDATASIZE PUSH1 32 EQ PUSH1 set JUMPI
    // CALLDATASIZE PUSH1 36 EQ PUSH1 bal JUMPI
    // PUSH1 0 SLOAD PUSH1 0 MSTORE ADDRESS PUSH1 32 MSTORE PUSH1 0xa0 PUSH1 0 RETURN
    // set: JUMPDEST PUSH1 0 CALLDATALOAD PUSH1 0 SSTORE STOP
    // bal: JUMPDEST PUSH1 1 PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    vec![
        0x36, 0x60, 0x20, 0x14, 0x60, 0x1d, 0x57, 0x36, 0x60, 0x24, 0x14, 0x60, 0x25, 0x57, 0x60,
        0x00, 0x54, 0x60, 0x00, 0x52, 0x30, 0x60, 0x20, 0x52, 0x60, 0xa0, 0x60, 0x00, 0xf3, 0x5b,
        0x60, 0x00, 0x35, 0x60, 0x00, 0x55, 0x00, 0x5b, 0x60, 0x01, 0x60, 0x00, 0x52, 0x60, 0x20,
        0x60, 0x00, 0xf3,
    ]
}

/// What the fixture deploys.
#[derive(Clone, Copy, Debug)]
struct Parts {
    al: Address,
    usd: Address,
    usd_decimals: u8,
    pool: Address,
    oracle: Address,
    vault: Address,
    al_is_token0: bool,
}

type World = testkit::World<Local, Parts>;

/// alUSD / tUSD pool at 1.00 with 1,000,000 of each, alUSD as `token0`
/// or `token1` as asked, the oracle (30 min samples, 6 needed) wired to
/// the vault stand-in, and an expansion ceiling of 100,000 alUSD (supply
/// 20,000,000: 10,000,000 each to the LP and the attacker).
fn new_world(al_is_token0: bool, usd_decimals: u8) -> World {
    let mut w = testkit::World::local_at(T0);
    w.fund(ATTACKER, e18(1_000));
    let dev = w.sender();
    let al = w.deploy(
        "al_asset",
        ("Alchemix USD", "alUSD", dev).abi_encode_params(),
    );
    let usd = (0..40)
        .map(|_| {
            w.deploy(
                "mock_erc20",
                ("Test USD", "tUSD", U256::from(usd_decimals), dev).abi_encode_params(),
            )
        })
        .find(|usd| (al < *usd) == al_is_token0)
        .expect("a token on the wanted side");
    let pool = w.deploy("v2_pool", (al, usd).abi_encode_params());
    let mut world = w.with(Parts {
        al,
        usd,
        usd_decimals,
        pool,
        oracle: Address::ZERO,
        vault: Address::ZERO,
        al_is_token0,
    });
    world.send(
        al,
        IAlAsset::addMinterCall {
            minter: dev,
            ceiling: e18(1_000_000_000),
        },
    );
    for who in [dev, ATTACKER] {
        world.send(
            al,
            IAlAsset::mintCall {
                to: who,
                amount: e18(10_000_000),
            },
        );
        let amount = world.usd_amount(10_000_000);
        world.send(usd, IMockErc20::mintCall { to: who, amount });
        for token in [al, usd] {
            world.approve_max(who, token, pool);
        }
    }
    // Liquidity 1,000,000 / 1,000,000.
    let (coin, asset) = (e18(1_000_000), world.usd_amount(1_000_000));
    let (a0, a1) = if al_is_token0 {
        (coin, asset)
    } else {
        (asset, coin)
    };
    world.send(
        pool,
        IV2Pool::addLiquidityCall {
            amount0: a0,
            amount1: a1,
            to: dev,
        },
    );

    world.at.vault = world
        .chain()
        .deploy_evm(dev, &deploy_init_code(&vault_stub_code()))
        .unwrap();
    world.at.oracle = world.deploy(
        "twap_oracle",
        (
            dev,
            pool,
            al,
            RECIPIENT,
            U256::from(INTERVAL),
            U256::from(6),
        )
            .abi_encode_params(),
    );
    world.send(
        al,
        IAlAsset::addMinterCall {
            minter: world.at.oracle,
            ceiling: e18(100_000),
        },
    );
    world.send(
        world.at.oracle,
        ITwapOracle::wirePeersCall {
            vault: world.at.vault,
            psm: Address::ZERO,
            transmuter: Address::ZERO,
        },
    );
    world
}

/// The scenarios' helpers.
trait Scenario {
    fn usd_amount(&self, units: u64) -> U256;
    fn receipt<C: SolCall>(&mut self, to: Address, call: C) -> Receipt;
    fn set_collateral(&mut self, value: U256);
    fn supply(&mut self) -> U256;
    fn spot(&mut self) -> U256;
    fn reserves(&mut self) -> (f64, f64);
    fn trade_to(&mut self, from: Address, target: f64) -> U256;
    fn run_epoch(&mut self) -> Receipt;
    fn last(&mut self) -> (U256, u8);
}

impl Scenario for World {
    fn usd_amount(&self, units: u64) -> U256 {
        U256::from(units) * U256::from(10u64).pow(U256::from(self.at.usd_decimals))
    }

    fn receipt<C: SolCall>(&mut self, to: Address, call: C) -> Receipt {
        let dev = self.sender();
        self.chain()
            .transact(TxRequest::call(dev, to, call.abi_encode()))
            .unwrap()
    }

    fn set_collateral(&mut self, value: U256) {
        let (dev, vault) = (self.sender(), self.at.vault);
        let receipt = self
            .chain()
            .transact(TxRequest::call(
                dev,
                vault,
                value.to_be_bytes::<32>().to_vec(),
            ))
            .unwrap();
        assert!(receipt.status);
    }

    fn supply(&mut self) -> U256 {
        self.view(self.at.al, IAlAsset::totalSupplyCall {})
    }

    fn spot(&mut self) -> U256 {
        self.view(self.at.oracle, ITwapOracle::spotPriceCall {})
    }

    /// `(alUSD reserve, tUSD reserve)` in tokens (floats, for trade sizing only).
    fn reserves(&mut self) -> (f64, f64) {
        let r = self.view(self.at.pool, IV2Pool::getReservesCall {});
        let (r0, r1) = (
            f64::from(U256::from(r.reserve0)),
            f64::from(U256::from(r.reserve1)),
        );
        let (coin, asset) = if self.at.al_is_token0 {
            (r0, r1)
        } else {
            (r1, r0)
        };
        (
            coin / 1e18,
            asset / 10f64.powi(i32::from(self.at.usd_decimals)),
        )
    }

    /// Swaps `from` so that the pool's spot price becomes about `target`
    /// (tUSD per alUSD); returns the swap's output.
    fn trade_to(&mut self, from: Address, target: f64) -> U256 {
        let (coin, asset) = self.reserves();
        let k = coin * asset;
        let (coin_after, asset_after) = ((k / target).sqrt(), (k * target).sqrt());
        let (token_in, amount_in) = if asset_after > asset {
            let units = (asset_after - asset) / 0.997 * 10f64.powi(i32::from(self.at.usd_decimals));
            (self.at.usd, U256::from(units as u128))
        } else {
            (
                self.at.al,
                U256::from(((coin_after - coin) / 0.997 * 1e18) as u128),
            )
        };
        self.send_from(
            from,
            self.at.pool,
            IV2Pool::swapExactInCall {
                tokenIn: token_in,
                amountIn: amount_in,
                minOut: U256::ZERO,
                to: from,
            },
        )
    }

    /// Samples every interval to the end of the epoch, then advances it;
    /// returns the `advanceEpoch` receipt.
    fn run_epoch(&mut self) -> Receipt {
        let status = self.view(self.at.oracle, ITwapOracle::epochStatusCall {});
        let mut next = status.nextSampleAt;
        while next < status.endsAt {
            self.chain().set_next_timestamp(next.to());
            self.send(self.at.oracle, ITwapOracle::sampleCall {});
            next += U256::from(INTERVAL);
        }
        self.chain().set_next_timestamp(status.endsAt.to());
        let receipt = self.receipt(self.at.oracle, ITwapOracle::advanceEpochCall {});
        assert!(receipt.status, "{:?}", receipt.revert());
        receipt
    }

    fn last(&mut self) -> (U256, u8) {
        let twap = self.view(self.at.oracle, ITwapOracle::lastTwapCall {});
        let state = self.view(self.at.oracle, ITwapOracle::stateCall {});
        (twap, state)
    }
}

fn close(actual: U256, expected: f64, tolerance: f64) -> bool {
    (wad_f(actual) - expected).abs() <= tolerance
}

// ---------------------------------------------------------------- tests

#[test]
fn twap_follows_trades_across_the_bands() {
    let mut w = new_world(true, 6);
    assert_eq!(w.spot(), e18(1));
    // Epoch 0: nothing traded.
    w.run_epoch();
    let (twap, state) = w.last();
    assert!(close(twap, 1.0, 1e-15) && state == STATE_MAINTAIN, "{twap}");
    let cases = [
        (1.03, STATE_EXPANSION),
        (0.97, STATE_CONTRACTION),
        (1.005, STATE_MAINTAIN),
        (0.985, STATE_CONTRACTION),
    ];
    for (price, state) in cases {
        w.trade_to(DEV_ACCOUNT, price);
        let spot = w.spot();
        assert!(close(spot, price, 0.001), "spot {spot} for {price}");
        let receipt = w.run_epoch();
        let (twap, got) = w.last();
        // The TWAP is the spot that held for the whole epoch.
        assert!(close(twap, wad_f(spot), 1e-9), "twap {twap} vs spot {spot}");
        assert_eq!(got, state, "{price}");
        let advanced = receipt.events::<EpochAdvanced>();
        assert_eq!(advanced.len(), 1);
        assert_eq!(
            (
                advanced[0].twap,
                advanced[0].state,
                advanced[0].usedFallback
            ),
            (twap, state, false)
        );
        assert_eq!(advanced[0].samples, U256::from(11));
    }
    assert_eq!(
        w.view(w.at.oracle, ITwapOracle::pegHealthCall {}),
        HEALTH_WEAK
    );
    let history = w.view(
        w.at.oracle,
        ITwapOracle::epochHistoryCall { n: U256::from(10) },
    );
    assert_eq!(
        history.states,
        vec![
            STATE_CONTRACTION,
            STATE_MAINTAIN,
            STATE_CONTRACTION,
            STATE_EXPANSION,
            STATE_MAINTAIN
        ]
    );
    assert_eq!(
        history.epochs,
        (0..5u64).rev().map(U256::from).collect::<Vec<_>>()
    );
    // Collateral 0: the expansion epoch minted nothing.
    assert_eq!(history.minted, vec![U256::ZERO; 5]);
    // Back to peg.
    w.trade_to(DEV_ACCOUNT, 1.0);
    w.run_epoch();
    assert_eq!(
        w.view(w.at.oracle, ITwapOracle::pegHealthCall {}),
        HEALTH_HEALTHY
    );
}

#[test]
fn the_twap_follows_a_mid_epoch_move_in_proportion_to_time() {
    let mut w = new_world(true, 6);
    w.run_epoch();
    // 1.00 for the first 3 hours (6 samples), then 1.06 for the rest.
    for _ in 0..6 {
        let next = w
            .view(w.at.oracle, ITwapOracle::epochStatusCall {})
            .nextSampleAt;
        w.chain().set_next_timestamp(next.to());
        w.send(w.at.oracle, ITwapOracle::sampleCall {});
    }
    w.trade_to(DEV_ACCOUNT, 1.06);
    let spot = wad_f(w.spot());
    w.run_epoch();
    let (twap, state) = w.last();
    // Samples cover 11 × 30 min: 6 at ~1.00, 5 at the new spot.
    let expected = (6.0 + 5.0 * spot) / 11.0;
    assert!(close(twap, expected, 1e-6), "{twap} vs {expected}");
    assert_eq!(state, STATE_EXPANSION);
}

#[test]
fn a_manipulation_around_a_sample_barely_moves_the_epoch_twap() {
    let mut w = new_world(true, 6);
    w.run_epoch();
    let snapshot = w.chain().snapshot();
    // Control: an untouched epoch.
    w.run_epoch();
    let (control, _) = w.last();
    w.chain().revert_to(snapshot);

    // Attack: at the 6th sample, buy alUSD to 1.50, sample, sell it back.
    for hold in [0u64, 12] {
        let snapshot = w.chain().snapshot();
        for _ in 0..5 {
            let next = w
                .view(w.at.oracle, ITwapOracle::epochStatusCall {})
                .nextSampleAt;
            w.chain().set_next_timestamp(next.to());
            w.send(w.at.oracle, ITwapOracle::sampleCall {});
        }
        let next: u64 = w
            .view(w.at.oracle, ITwapOracle::epochStatusCall {})
            .nextSampleAt
            .to();
        w.chain().set_next_timestamp(next);
        let before = wad_f(w.spot());
        let bought = w.trade_to(ATTACKER, 1.5);
        let manipulated = wad_f(w.spot());
        // A spot oracle would read the full move.
        assert!(manipulated - before > 0.49, "{manipulated}");
        w.send(w.at.oracle, ITwapOracle::sampleCall {});
        w.chain().set_next_timestamp(next + hold);
        w.send_from(
            ATTACKER,
            w.at.pool,
            IV2Pool::swapExactInCall {
                tokenIn: w.at.al,
                amountIn: bought,
                minOut: U256::ZERO,
                to: ATTACKER,
            },
        );
        let after = wad_f(w.spot());
        w.run_epoch();
        let (twap, state) = w.last();
        // Bound: the manipulated price weighs (its duration / covered span);
        // the round trip's fee residue (after - before) holds for the rest.
        let covered = 11.0 * INTERVAL as f64;
        let bound = (manipulated - before) * hold as f64 / covered + (after - before).abs() + 1e-9;
        let moved = (wad_f(twap) - wad_f(control)).abs();
        assert!(moved <= bound, "hold {hold}: moved {moved} > bound {bound}");
        assert!(moved < 0.01, "hold {hold}: moved {moved}");
        assert_eq!(state, STATE_MAINTAIN, "hold {hold}");
        println!(
            "hold {hold}s: spot moved {:.4}, epoch TWAP moved {moved:.8} (bound {bound:.8})",
            manipulated - before
        );
        w.chain().revert_to(snapshot);
    }
}

#[test]
fn expansion_mints_the_formula_and_never_breaks_backing() {
    let mut w = new_world(true, 6);
    w.run_epoch();
    // Backing 102%.
    let supply = w.supply();
    w.set_collateral(supply * U256::from(102) / U256::from(100));
    w.trade_to(DEV_ACCOUNT, 1.04);
    let receipt = w.run_epoch();
    let (twap, state) = w.last();
    assert_eq!(state, STATE_EXPANSION);
    let formula = expansion_amount(supply, twap, U256::from(200), U256::from(10)).unwrap();
    // TWAP ~1.04: ~0.08% of supply.
    assert!((f64::from(formula) / f64::from(supply) - 0.0008).abs() < 0.00002);
    let minted = receipt.events::<ExpansionMinted>();
    assert_eq!(minted.len(), 1);
    assert_eq!(
        (minted[0].amount, minted[0].formulaAmount),
        (formula, formula)
    );
    assert_eq!(
        w.view(w.at.al, IAlAsset::balanceOfCall { account: RECIPIENT }),
        formula
    );
    assert_eq!(w.supply(), supply + formula);
    let backing = receipt.events::<BackingComputed>();
    assert_eq!(backing[0].backingWad, e18(102) / U256::from(100));
    assert_eq!(backing[0].peersMissingMask, 6); // no PSM, no Transmuter
    let collateral = supply * U256::from(102) / U256::from(100);
    assert!(collateral >= w.supply());

    // A thin surplus: only the surplus is minted; backing lands on exactly 100%.
    let supply = w.supply();
    w.set_collateral(supply + e18(100));
    let receipt = w.run_epoch();
    let minted = receipt.events::<ExpansionMinted>();
    assert_eq!(minted[0].amount, e18(100));
    assert!(minted[0].formulaAmount > e18(100));
    assert_eq!(w.supply(), supply + e18(100));

    // At or below 100%: nothing.
    w.run_epoch();
    let (_, state) = w.last();
    assert_eq!(state, STATE_EXPANSION);
    let history = w.view(
        w.at.oracle,
        ITwapOracle::epochHistoryCall { n: U256::from(3) },
    );
    assert_eq!(history.minted, vec![U256::ZERO, e18(100), formula]);

    // The oracle's outstanding on the alAsset is what it minted.
    let info = w.view(
        w.at.al,
        IAlAsset::minterInfoCall {
            minter: w.at.oracle,
        },
    );
    assert_eq!(info.outstanding, formula + e18(100));
}

#[test]
fn works_with_the_token_order_reversed() {
    for (al_is_token0, decimals) in [(false, 6u8), (false, 18), (true, 8)] {
        let mut w = new_world(al_is_token0, decimals);
        let peers = w.view(w.at.oracle, ITwapOracle::peersCall {});
        assert_eq!(peers.alAssetIsToken0, al_is_token0);
        w.run_epoch();
        w.trade_to(DEV_ACCOUNT, 0.97);
        let spot = w.spot();
        assert!(close(spot, 0.97, 0.001), "{spot}");
        w.run_epoch();
        let (twap, state) = w.last();
        assert!(
            close(twap, wad_f(spot), 1e-9),
            "{al_is_token0} {decimals}: {twap} vs {spot}"
        );
        assert_eq!(state, STATE_CONTRACTION);
    }
}

#[test]
fn errors_are_decoded_on_chain() {
    let mut w = new_world(true, 6);
    let next = w.view(w.at.oracle, ITwapOracle::epochStatusCall {});
    let revert = w
        .try_send(DEV_ACCOUNT, w.at.oracle, ITwapOracle::sampleCall {})
        .err()
        .unwrap();
    assert_eq!(
        Bytes::copy_from_slice(revert.data()),
        Bytes::from(
            SampleTooSoon {
                nextAllowedAt: next.nextSampleAt
            }
            .abi_encode()
        )
    );
    let revert = w
        .try_send(DEV_ACCOUNT, w.at.oracle, ITwapOracle::advanceEpochCall {})
        .err()
        .unwrap();
    assert_eq!(
        Bytes::copy_from_slice(revert.data()),
        Bytes::from(
            EpochNotOver {
                endsAt: next.endsAt
            }
            .abi_encode()
        )
    );
    // The rest of the ABI answers with the interface file's signatures.
    let params = w.view(w.at.oracle, ITwapOracle::paramsCall {});
    assert_eq!(
        (params.sampleInterval, params.minSamples),
        (U256::from(INTERVAL), U256::from(6))
    );
    assert_eq!(
        (
            params.upperBandBps,
            params.expansionFactorBps,
            params.maxExpansionRateBps
        ),
        (U256::from(100), U256::from(200), U256::from(10))
    );
    let backing = w.view(w.at.oracle, ITwapOracle::backingCall {});
    assert_eq!(
        (backing.collateral, backing.supply, backing.peersMissingMask),
        (U256::ZERO, e18(20_000_000), 6)
    );
    assert_eq!(w.view(w.at.oracle, ITwapOracle::ownerCall {}), DEV_ACCOUNT);
    assert_eq!(
        w.view(w.at.oracle, ITwapOracle::currentEpochCall {}),
        U256::ZERO
    );
    w.send(
        w.at.oracle,
        ITwapOracle::setBandsCall {
            upperBandBps: U256::from(50),
            lowerBandBps: U256::from(50),
        },
    );
    w.send(
        w.at.oracle,
        ITwapOracle::setExpansionCall {
            expansionFactorBps: U256::from(100),
            maxExpansionRateBps: U256::from(5),
        },
    );
    w.send(
        w.at.oracle,
        ITwapOracle::setSamplingCall {
            sampleInterval: U256::from(600),
            minSamples: U256::from(3),
        },
    );
    w.send(
        w.at.oracle,
        ITwapOracle::setExpansionRecipientCall {
            recipient: ATTACKER,
        },
    );
    w.send(
        w.at.oracle,
        ITwapOracle::setGuardianCall { guardian: ATTACKER },
    );
    assert_eq!(w.view(w.at.oracle, ITwapOracle::guardianCall {}), ATTACKER);
    assert_eq!(
        w.view(w.at.pool, IV2Pool::MINIMUM_LIQUIDITYCall {}),
        U256::from(1_000)
    );
    let quote = w.view(
        w.at.pool,
        IV2Pool::quoteExactInCall {
            tokenIn: w.at.usd,
            amountIn: U256::from(1_000_000),
        },
    );
    assert!(quote > e18(0) && quote < e18(1));
    // Flash swaps are refused by the pool.
    let revert = w
        .try_send(
            DEV_ACCOUNT,
            w.at.pool,
            IV2Pool::swapCall {
                amount0Out: U256::from(1),
                amount1Out: U256::ZERO,
                to: DEV_ACCOUNT,
                data: Bytes::from(vec![1u8]),
            },
        )
        .err()
        .unwrap();
    assert_eq!(
        Bytes::copy_from_slice(revert.data()),
        Bytes::from(
            v2_pool_errors::FlashSwapUnsupported {
                length: U256::from(1)
            }
            .abi_encode()
        )
    );
}

mod v2_pool_errors {
    alloy_sol_types::sol! {
        error FlashSwapUnsupported(uint256 length);
    }
}
