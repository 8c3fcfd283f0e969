//! RateController on the devnet (real WASM), with EVM stand-ins for the PSM
//! and the TwapOracle (each returns a settable word from any view) and an
//! EOA as the Vault: the rate path and the accrued factors match the model,
//! Contraction forces the rate up, a reverting PSM is tolerated, errors are
//! decoded. The WASM comes from the test kit (`testkit::wasm`).

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolCall, SolValue};
use devnet::{deploy_init_code, TxRequest};
use rate_controller::{
    model::{self, Direction, Params},
    InvalidHalfLife, OnlyVault, RateUpdated,
};
use suite_common::{access::PeerAlreadySet, math::WAD};
use testkit::{actors::ALICE, ether, interfaces::IRateController, Local};

const VAULT: Address = Address::repeat_byte(0x7a);
const T0: u64 = 1_700_000_000;
const DAY: u64 = 86_400;

/// EVM stand-in: a 32-byte call stores a word; any other call returns it.
fn word_stub() -> Vec<u8> {
    // CALLDATASIZE PUSH1 32 EQ PUSH1 0x12 JUMPI
    // PUSH1 0 SLOAD PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    // 0x12: JUMPDEST PUSH1 0 CALLDATALOAD PUSH1 0 SSTORE STOP
    deploy_init_code(&[
        0x36, 0x60, 0x20, 0x14, 0x60, 0x12, 0x57, 0x60, 0x00, 0x54, 0x60, 0x00, 0x52, 0x60, 0x20,
        0x60, 0x00, 0xf3, 0x5b, 0x60, 0x00, 0x35, 0x60, 0x00, 0x55, 0x00,
    ])
}

/// What the fixture deploys.
#[derive(Clone, Copy, Debug)]
struct Parts {
    rc: Address,
    psm: Address,
    oracle: Address,
}

type World = testkit::World<Local, Parts>;

/// Deployed and wired at T0; `psm_init` is the PSM stand-in's init code.
fn new_world(psm_init: Vec<u8>) -> World {
    let mut w = testkit::World::local_at(T0);
    for who in [VAULT, ALICE] {
        w.fund(who, ether(100));
    }
    let dev = w.sender();
    let rc = w.deploy("rate_controller", (dev,).abi_encode_params());
    let psm = w.chain().deploy_evm(dev, &psm_init).unwrap();
    let oracle = w.chain().deploy_evm(dev, &word_stub()).unwrap();
    let mut w = w.with(Parts { rc, psm, oracle });
    w.send(rc, IRateController::setVaultCall { vault: VAULT });
    w.send(rc, IRateController::setPsmCall { psm });
    w.send(rc, IRateController::setOracleCall { oracle });
    w
}

/// The scenarios' helpers.
trait Scenario {
    fn set_word(&mut self, stub: Address, value: U256);
    fn update(&mut self, free: u64, paid: u64) -> (U256, U256);
}

impl Scenario for World {
    fn set_word(&mut self, stub: Address, value: U256) {
        let input = value.to_be_bytes::<32>().to_vec();
        let dev = self.sender();
        let receipt = self
            .chain()
            .transact(TxRequest::call(dev, stub, input))
            .unwrap();
        assert!(receipt.status);
    }

    fn update(&mut self, free: u64, paid: u64) -> (U256, U256) {
        let call = IRateController::updateCall {
            freeDebt: U256::from(free),
            paidDebt: U256::from(paid),
        };
        let rc = self.at.rc;
        let preview = self
            .chain()
            .view(
                VAULT,
                rc,
                &IRateController::previewRateCall {
                    freeDebt: call.freeDebt,
                    paidDebt: call.paidDebt,
                },
            )
            .unwrap();
        let ret = self.send_from(VAULT, rc, call);
        assert_eq!(
            (preview.ratePerSecondWad, preview.accruedFactorWad),
            (ret.ratePerSecondWad, ret.accruedFactorWad)
        );
        (ret.ratePerSecondWad, ret.accruedFactorWad)
    }
}

fn params() -> Params {
    Params {
        min_rate: model::DEFAULT_MIN_RATE,
        max_rate: model::DEFAULT_MAX_RATE,
        half_life: U256::from(model::DEFAULT_HALF_LIFE),
        band_low: U256::from(4_000),
        band_high: U256::from(8_000),
    }
}

#[test]
fn rate_path_matches_the_model() {
    let mut w = new_world(word_stub());
    let p = params();
    let mut rate = model::DEFAULT_MIN_RATE;
    // (seconds, free, paid, psm, oracle state, expected direction)
    let script: &[(u64, u64, u64, u64, u64, Direction)] = &[
        (DAY, 600, 400, 0, 0, Direction::Flat),       // 60%: inside
        (7 * DAY, 100, 900, 0, 0, Direction::Up),     // 10%: below
        (3 * DAY, 100, 900, 500, 0, Direction::Flat), // PSM lifts it to 40%
        (2 * DAY, 900, 100, 0, 1, Direction::Down),   // 90%: above (Expansion is no override)
        // Contraction would force up, but this stub oracle has no
        // `epochStatus`: its state counts as stale (Maintain), 90% decays.
        (DAY, 900, 100, 0, 2, Direction::Down),
        (60 * DAY, 0, 1_000, 0, 0, Direction::Up), // capped (programs expire after 365 days)
        (60 * DAY, 1_000, 0, 0, 0, Direction::Down), // floored
        (60 * DAY, 1_000, 0, 0, 0, Direction::Down),
    ];
    // Each interval moves along the direction decided at the previous
    // update (issue 15, defect 3); the first one is flat.
    let mut previous = Direction::Flat;
    for &(dt, free, paid, psm, state, direction) in script {
        w.set_word(w.at.psm, U256::from(psm));
        w.set_word(w.at.oracle, U256::from(state));
        w.chain().warp(dt);
        let (want_rate, accrued) = model::step(rate, dt, previous, &p).unwrap();
        previous = direction;
        let rc = w.at.rc;
        let receipt = w
            .chain()
            .transact(TxRequest::call(
                VAULT,
                rc,
                IRateController::updateCall {
                    freeDebt: U256::from(free),
                    paidDebt: U256::from(paid),
                }
                .abi_encode(),
            ))
            .unwrap();
        assert!(receipt.status, "{:?}", receipt.revert());
        let event = &receipt.events::<RateUpdated>()[0];
        assert_eq!(event.oldRate, rate);
        assert_eq!(event.newRate, want_rate, "step {dt} {direction:?}");
        assert_eq!(event.accruedFactorWad, WAD + accrued);
        let ratio = model::ratio_bps(U256::from(free), U256::from(paid), U256::from(psm)).unwrap();
        assert_eq!(event.ratioBps, ratio);
        println!(
            "{direction:?} dt={dt}: rate {} -> {} ({:.3}% APR), factor {}, gas {}",
            rate,
            want_rate,
            f64::from(want_rate) * 31_536_000.0 / 1e16,
            event.accruedFactorWad,
            receipt.gas_used
        );
        rate = want_rate;
        let stored = w.send_from(ALICE, w.at.rc, IRateController::rateCall {});
        assert_eq!(stored, rate);
    }
    assert_eq!(rate, model::DEFAULT_MIN_RATE);
    // Previews agree with updates.
    w.chain().warp(DAY);
    w.update(100, 900);
}

#[test]
fn reverting_psm_is_tolerated() {
    // PUSH0 PUSH0 REVERT: every call reverts.
    let mut w = new_world(deploy_init_code(&[0x5f, 0x5f, 0xfd]));
    w.set_word(w.at.oracle, U256::ZERO);
    // The first update decides the direction (10%: up), the second accrues it.
    w.update(100, 900);
    w.chain().warp(DAY);
    let (rate, factor) = w.update(100, 900);
    assert!(rate > model::DEFAULT_MIN_RATE); // 10%: below the band
    assert!(factor > WAD);
}

#[test]
fn errors_are_decoded() {
    let mut w = new_world(word_stub());
    let (rc, dev) = (w.at.rc, w.sender());
    let err = w
        .try_send(
            ALICE,
            rc,
            IRateController::updateCall {
                freeDebt: U256::from(1),
                paidDebt: U256::from(1),
            },
        )
        .err()
        .expect("reverts");
    assert_eq!(
        err.as_error::<OnlyVault>(),
        Some(OnlyVault {
            caller: ALICE,
            vault: VAULT
        })
    );
    let err = w
        .try_send(
            dev,
            rc,
            IRateController::setHalfLifeCall {
                halfLife: U256::from(60),
            },
        )
        .err()
        .expect("reverts");
    assert_eq!(
        err.as_error::<InvalidHalfLife>(),
        Some(InvalidHalfLife {
            halfLife: U256::from(60),
            minHalfLife: U256::from(model::MIN_HALF_LIFE),
            maxHalfLife: U256::from(model::MAX_HALF_LIFE),
        })
    );
    let err = w
        .try_send(dev, rc, IRateController::setVaultCall { vault: ALICE })
        .err()
        .expect("reverts");
    assert_eq!(
        err.as_error::<PeerAlreadySet>(),
        Some(PeerAlreadySet { current: VAULT })
    );
    // Views.
    let band = w.send_from(ALICE, w.at.rc, IRateController::targetBandCall {});
    assert_eq!(
        (band.lowBps, band.highBps),
        (U256::from(4_000), U256::from(8_000))
    );
    assert_eq!(
        w.send_from(ALICE, w.at.rc, IRateController::halfLifeCall {}),
        U256::from(7 * DAY)
    );
    assert_eq!(
        w.send_from(ALICE, w.at.rc, IRateController::psmCall {}),
        w.at.psm
    );
    assert_eq!(
        w.send_from(ALICE, w.at.rc, IRateController::oracleCall {}),
        w.at.oracle
    );
    assert_eq!(
        w.send_from(ALICE, w.at.rc, IRateController::lastUpdateCall {}),
        T0
    );
}
