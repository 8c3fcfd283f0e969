//! Unit tests of the RateController: the model (properties against a
//! floating-point reference — tests only — and monotonicity / bounds) and
//! every function and error path of the contract, with the PSM and the
//! oracle mocked per call (`test-host`).

use super::*;
use alloy_primitives::{address, B256};
use alloy_sol_types::SolCall;
use model::*;
use proptest::prelude::*;
use suite_common::{
    access::{OwnableInvalidOwner, OwnableUnauthorizedAccount, PeerAlreadySet},
    errors::ZeroAddress,
    fixed_exp::ExpOverflow,
    math::BPS,
};
use test_host::{word, TestHost};

mod abi {
    suite_common::psm_abi!(alloy_sol_types::sol);
    suite_common::twap_oracle_abi!(alloy_sol_types::sol);
}

const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const VAULT: Address = address!("000000000000000000000000000000000000a017");
const PSM: Address = address!("000000000000000000000000000000000000a05a");
const ORACLE: Address = address!("000000000000000000000000000000000000a0c1");
const ALICE: Address = address!("00000000000000000000000000000000000000a2");
const T0: u64 = 1_700_000_000;
const DAY: u64 = 86_400;

fn u(x: u64) -> U256 {
    U256::from(x)
}

fn default_params() -> Params {
    Params {
        min_rate: DEFAULT_MIN_RATE,
        max_rate: DEFAULT_MAX_RATE,
        half_life: u(DEFAULT_HALF_LIFE),
        band_low: u(DEFAULT_BAND.0),
        band_high: u(DEFAULT_BAND.1),
    }
}

// ---------------------------------------------------------------- the model

fn f(x: U256) -> f64 {
    x.to::<u128>() as f64
}

/// `(r1, ∫ r dt)` in floating point (tests only).
fn reference(r0: f64, dt: f64, direction: Direction, p: &Params) -> (f64, f64) {
    let (min, max, h) = (f(p.min_rate), f(p.max_rate), f(p.half_life));
    let r0 = r0.clamp(min, max);
    let k = std::f64::consts::LN_2 / h;
    match direction {
        Direction::Flat => (r0, r0 * dt),
        Direction::Up => {
            let hit = (max / r0).ln() / k;
            if dt < hit {
                let r1 = r0 * (k * dt).exp();
                (r1, (r1 - r0) / k)
            } else {
                (max, (max - r0) / k + max * (dt - hit))
            }
        }
        Direction::Down => {
            let hit = (r0 / min).ln() / k;
            if dt < hit {
                let r1 = r0 * (-k * dt).exp();
                (r1, (r0 - r1) / k)
            } else {
                (min, (r0 - min) / k + min * (dt - hit))
            }
        }
    }
}

fn params() -> impl Strategy<Value = Params> {
    (
        1u64..=31_709_791_983,
        1u64..=31_709_791_983,
        MIN_HALF_LIFE..=MAX_HALF_LIFE,
        500u64..=9_500,
        500u64..=9_500,
    )
        .prop_map(|(a, b, h, l, g)| Params {
            min_rate: u(a.min(b)),
            max_rate: u(a.max(b)),
            half_life: u(h),
            band_low: u(l.min(g)),
            band_high: u(l.max(g)),
        })
}

fn realistic_params() -> impl Strategy<Value = Params> {
    // Floors from 0.01% APR, so that a rate has at least 7 significant digits.
    (
        3_170_979u64..=31_709_791_983,
        3_170_979u64..=31_709_791_983,
        MIN_HALF_LIFE..=MAX_HALF_LIFE,
    )
        .prop_map(|(a, b, h)| Params {
            min_rate: u(a.min(b)),
            max_rate: u(a.max(b)),
            half_life: u(h),
            band_low: u(4_000),
            band_high: u(8_000),
        })
}

fn dir() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::Up),
        Just(Direction::Flat),
        Just(Direction::Down)
    ]
}

fn elapsed() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..120, 0u64..=10 * DAY, 0u64..=5 * 365 * DAY]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The new rate and the exact integral agree with the closed forms
    /// (relative 1e-9: the float reference is the limit).
    #[test]
    fn step_matches_closed_form(
        p in realistic_params(), r0 in 0u64..=40_000_000_000, dt in elapsed(), d in dir(),
    ) {
        let (r1, accrued) = step(u(r0), dt, d, &p).unwrap();
        let (want_r1, want_acc) = reference(r0 as f64, dt as f64, d, &p);
        let close = |got: f64, want: f64| (got - want).abs() <= 1e-9 * want.abs() + 2.0;
        prop_assert!(close(f(r1), want_r1), "r1 {} want {}", r1, want_r1);
        // accrued is [wad]: rate [wad/s] * seconds.
        prop_assert!(close(f(accrued), want_acc), "accrued {} want {}", accrued, want_acc);
    }

    /// Invariant 6: the rate always stays in [minRate, maxRate], whatever
    /// the stored rate, the time and the direction.
    #[test]
    fn rate_stays_within_bounds(p in params(), r0 in any::<u64>(), dt in elapsed(), d in dir()) {
        let (r1, _) = step(u(r0), dt, d, &p).unwrap();
        prop_assert!(p.min_rate <= r1 && r1 <= p.max_rate);
    }

    /// Longer intervals: the rate moves further (up or down) and accrues more.
    #[test]
    fn monotone_in_time(p in params(), r0 in any::<u64>(), a in elapsed(), b in elapsed(), d in dir()) {
        let (short, long) = (a.min(b), a.max(b));
        let (r_short, acc_short) = step(u(r0), short, d, &p).unwrap();
        let (r_long, acc_long) = step(u(r0), long, d, &p).unwrap();
        prop_assert!(acc_short <= acc_long);
        match d {
            Direction::Up => prop_assert!(r_short <= r_long),
            Direction::Down => prop_assert!(r_short >= r_long),
            Direction::Flat => prop_assert_eq!(r_short, r_long),
        }
    }

    /// A lower free-debt ratio never gives a lower rate or less interest.
    #[test]
    fn monotone_in_ratio(
        p in params(), r0 in any::<u64>(), dt in elapsed(), a in 0u64..=10_000, b in 0u64..=10_000,
    ) {
        let (low, high) = (u(a.min(b)), u(a.max(b)));
        let (r_low, acc_low) = step(u(r0), dt, direction(low, false, &p), &p).unwrap();
        let (r_high, acc_high) = step(u(r0), dt, direction(high, false, &p), &p).unwrap();
        prop_assert!(r_low >= r_high);
        prop_assert!(acc_low >= acc_high);
        // Contraction never lowers the rate either.
        let (r_c, acc_c) = step(u(r0), dt, direction(high, true, &p), &p).unwrap();
        prop_assert!(r_c >= r_high && acc_c >= acc_high);
    }

    /// Two updates give (about) the rate of one; compounding the two factors
    /// never gives less interest than the single simple factor.
    #[test]
    fn splitting_an_interval_is_consistent(
        p in realistic_params(), r0 in 0u64..=40_000_000_000, a in 0u64..=30 * DAY, b in 0u64..=30 * DAY, d in dir(),
    ) {
        let (r_mid, acc1) = step(u(r0), a, d, &p).unwrap();
        let (r_split, acc2) = step(r_mid, b, d, &p).unwrap();
        let (r_single, acc) = step(u(r0), a + b, d, &p).unwrap();
        let tolerance = r_single / u(1_000_000_000) + u(3);
        prop_assert!(r_split.abs_diff(r_single) <= tolerance, "split {} single {}", r_split, r_single);
        let compounded = (WAD + acc1) * (WAD + acc2) / WAD;
        let slack = acc / u(1_000_000_000) + u(3);
        prop_assert!(compounded + slack >= WAD + acc, "compounded {} single {}", compounded, WAD + acc);
    }

    /// The ratio is `(free + psm) / (free + paid + psm)` in bps, rounded down,
    /// increasing in free debt and PSM assets, decreasing in paid debt.
    #[test]
    fn ratio_formula(free in any::<u128>(), paid in any::<u128>(), psm in any::<u128>(), extra in any::<u64>()) {
        let (fr, pa, ps) = (U256::from(free), U256::from(paid), U256::from(psm));
        let ratio = ratio_bps(fr, pa, ps).unwrap();
        let total = fr + pa + ps;
        if total.is_zero() {
            prop_assert_eq!(ratio, BPS);
        } else {
            prop_assert_eq!(ratio, (fr + ps) * BPS / total);
        }
        prop_assert!(ratio <= BPS);
        let e = u(extra);
        prop_assert!(ratio_bps(fr + e, pa, ps).unwrap() >= ratio);
        prop_assert!(ratio_bps(fr, pa, ps + e).unwrap() >= ratio);
        prop_assert!(ratio_bps(fr, pa + e, ps).unwrap() <= ratio);
    }
}

#[test]
fn direction_band_edges_are_flat() {
    let p = default_params();
    assert_eq!(direction(u(3_999), false, &p), Direction::Up);
    assert_eq!(direction(u(4_000), false, &p), Direction::Flat);
    assert_eq!(direction(u(8_000), false, &p), Direction::Flat);
    assert_eq!(direction(u(8_001), false, &p), Direction::Down);
    assert_eq!(direction(u(10_000), true, &p), Direction::Up);
}

#[test]
fn half_life_doubles_and_halves() {
    let p = default_params();
    let week = DEFAULT_HALF_LIFE;
    let r0 = u(1_000_000_000);
    let (up, _) = step(r0, week, Direction::Up, &p).unwrap();
    assert!(up.abs_diff(u(2_000_000_000)) <= u(1), "{up}");
    let (down, _) = step(r0, week, Direction::Down, &p).unwrap();
    assert!(down.abs_diff(u(500_000_000)) <= u(1), "{down}");
    // ∫ over one half-life of growth = r0 / k = r0 * H / ln2.
    let (_, acc) = step(r0, week, Direction::Up, &p).unwrap();
    let want = 1e9 * week as f64 / std::f64::consts::LN_2;
    assert!((f(acc) - want).abs() < 1e-9 * want);
}

#[test]
fn clamped_interval_integrates_exponential_then_flat() {
    let p = default_params();
    // From the floor, growth reaches the cap after H * log2(max / min) ≈ 39.6 days.
    let (r1, acc) = step(p.min_rate, 100 * DAY, Direction::Up, &p).unwrap();
    assert_eq!(r1, p.max_rate);
    let (_, want) = reference(f(p.min_rate), (100 * DAY) as f64, Direction::Up, &p);
    assert!((f(acc) - want).abs() < 1e-9 * want);
    // At the bound: flat, exactly rate * dt.
    assert_eq!(
        step(p.max_rate, DAY, Direction::Up, &p),
        Ok((p.max_rate, p.max_rate * u(DAY)))
    );
    assert_eq!(
        step(p.min_rate, DAY, Direction::Down, &p),
        Ok((p.min_rate, p.min_rate * u(DAY)))
    );
    // A stored rate outside new bounds is clamped first.
    assert_eq!(
        step(u(1), DAY, Direction::Flat, &p),
        Ok((p.min_rate, p.min_rate * u(DAY)))
    );
    // Zero time: nothing moves.
    assert_eq!(
        step(u(1_000_000_000), 0, Direction::Up, &p),
        Ok((u(1_000_000_000), U256::ZERO))
    );
    assert_eq!(
        step(u(1_000_000_000), 0, Direction::Down, &p),
        Ok((u(1_000_000_000), U256::ZERO))
    );
}

#[test]
fn frequent_updates_cannot_freeze_the_rate() {
    // One-second updates still move the rate (rounding away from r0).
    let p = default_params();
    let mut r = p.min_rate;
    for _ in 0..100 {
        r = step(r, 1, Direction::Up, &p).unwrap().0;
    }
    assert!(r > p.min_rate);
    let mut r = p.max_rate;
    for _ in 0..100 {
        r = step(r, 1, Direction::Down, &p).unwrap().0;
    }
    assert!(r < p.max_rate);
}

#[test]
fn defaults_are_the_documented_aprs() {
    let year = u(SECONDS_PER_YEAR);
    // 0.5%, 25%, 100% APR, each within one wei/s of the exact per-second rate.
    assert!(WAD / u(200) - DEFAULT_MIN_RATE * year < year);
    assert!(WAD / u(4) - DEFAULT_MAX_RATE * year < year);
    assert!(WAD - RATE_CAP * year < year);
}

#[test]
fn absurd_time_is_an_error_not_a_wrap() {
    // Nothing real gets here; the errors are custom errors, never a wrap.
    let p = default_params();
    assert!(step(p.min_rate, u64::MAX, Direction::Up, &p).is_ok());
    let weird = Params {
        half_life: u(1),
        ..p
    };
    assert!(step(p.min_rate, u64::MAX, Direction::Up, &weird).is_ok());
    assert_eq!(
        suite_common::fixed_exp::exp_wad(U256::MAX),
        Err(FixedExpError::ExpOverflow(ExpOverflow { x: U256::MAX }))
    );
}

// ------------------------------------------------------------- the contract

struct Fixture {
    host: TestHost,
    rc: RateController,
}

impl Fixture {
    fn new() -> Self {
        let host = TestHost::default();
        host.set_block_timestamp(T0);
        let mut rc = RateController::from(&host);
        rc.constructor(OWNER).unwrap();
        Self { host, rc }
    }

    /// Deployed and wired to the Vault (no PSM, no oracle).
    fn wired() -> Self {
        let mut f = Self::new();
        f.host.set_sender(OWNER);
        f.rc.set_vault(VAULT).unwrap();
        f.host.set_sender(VAULT);
        f
    }

    fn warp(&self, seconds: u64) {
        self.host
            .set_block_timestamp(self.host.block_timestamp() + seconds);
    }

    fn mock_psm(&self, result: Result<U256, Vec<u8>>) {
        let data = abi::IPsm::freePsmAssetsInCoinCall {}.abi_encode();
        self.host.mock(PSM, data, result.map(word));
    }

    fn mock_state(&self, result: Result<u8, Vec<u8>>) {
        let data = abi::ITwapOracle::stateCall {}.abi_encode();
        self.host
            .mock(ORACLE, data, result.map(|s| word(U256::from(s))));
        // The oracle's epoch started now: its state is fresh.
        self.mock_epoch_start(Ok(self.host.block_timestamp()));
    }

    /// The oracle's current epoch started at `starts_at` (6-hour epochs).
    fn mock_epoch_start(&self, starts_at: Result<u64, Vec<u8>>) {
        let data = abi::ITwapOracle::epochStatusCall {}.abi_encode();
        let answer =
            starts_at.map(|t| words(&[u(t), u(t + 6 * 3_600), U256::ZERO, U256::ZERO, U256::ZERO]));
        self.host.mock(ORACLE, data, answer);
    }

    /// Sets the direction of the next interval: an update with `(free, paid)`
    /// in this block (nothing elapsed, nothing accrued).
    fn steer(&mut self, free: u64, paid: u64) {
        let before = self.rc.rate();
        let now = self.rc.last_update();
        assert_eq!(self.rc.update(u(free), u(paid)).map(|r| r.1), Ok(WAD));
        assert_eq!(self.rc.rate(), before);
        assert_eq!(self.rc.last_update(), now.max(self.host.block_timestamp()));
    }

    fn last_log(&self) -> (Vec<B256>, Vec<u8>) {
        self.host.get_emitted_logs().last().unwrap().clone()
    }
}

fn words(values: &[U256]) -> Vec<u8> {
    values.iter().flat_map(|v| B256::from(*v).0).collect()
}

fn unauthorized(account: Address) -> RateControllerError {
    RateControllerError::Access(AccessError::Unauthorized(OwnableUnauthorizedAccount {
        account,
    }))
}

#[test]
fn constructor_sets_defaults_and_emits() {
    let f = Fixture::new();
    assert_eq!(f.rc.owner(), OWNER);
    assert_eq!(f.rc.rate(), DEFAULT_MIN_RATE);
    assert_eq!(f.rc.min_rate(), DEFAULT_MIN_RATE);
    assert_eq!(f.rc.max_rate(), DEFAULT_MAX_RATE);
    assert_eq!(f.rc.half_life(), u(7 * DAY));
    assert_eq!(f.rc.target_band(), (u(4_000), u(8_000)));
    assert_eq!(f.rc.last_update(), T0);
    assert_eq!(f.rc.last_ratio_bps(), U256::ZERO);
    assert_eq!(
        (f.rc.vault(), f.rc.psm(), f.rc.oracle()),
        (Address::ZERO, Address::ZERO, Address::ZERO)
    );
    let logs = f.host.get_emitted_logs();
    let topics: Vec<B256> = logs.iter().map(|(t, _)| t[0]).collect();
    assert_eq!(
        topics[1..],
        [
            RateBoundsSet::SIGNATURE_HASH,
            HalfLifeSet::SIGNATURE_HASH,
            TargetBandSet::SIGNATURE_HASH,
            MaxOracleAgeSet::SIGNATURE_HASH,
        ]
    );
    assert_eq!(f.rc.max_oracle_age(), u(DEFAULT_MAX_ORACLE_AGE));
    assert_eq!(f.rc.direction(), Direction::Flat as u8);
    assert_eq!(logs[1].1, words(&[DEFAULT_MIN_RATE, DEFAULT_MAX_RATE]));
}

#[test]
fn constructor_rejects_zero_owner() {
    let host = TestHost::default();
    let mut rc = RateController::from(&host);
    assert_eq!(
        rc.constructor(Address::ZERO),
        Err(RateControllerError::Access(AccessError::InvalidOwner(
            OwnableInvalidOwner {
                owner: Address::ZERO
            }
        )))
    );
}

#[test]
fn update_is_vault_only() {
    let mut f = Fixture::new();
    f.host.set_sender(VAULT);
    // Not wired yet: nobody may update.
    assert_eq!(
        f.rc.update(u(1), u(1)),
        Err(OnlyVault {
            caller: VAULT,
            vault: Address::ZERO
        }
        .into())
    );
    f.host.set_sender(OWNER);
    f.rc.set_vault(VAULT).unwrap();
    assert_eq!(
        f.rc.update(u(1), u(1)),
        Err(OnlyVault {
            caller: OWNER,
            vault: VAULT
        }
        .into())
    );
    f.host.set_sender(Address::ZERO);
    assert_eq!(
        f.rc.update(u(1), u(1)),
        Err(OnlyVault {
            caller: Address::ZERO,
            vault: VAULT
        }
        .into())
    );
}

#[test]
fn update_inside_band_is_flat_and_accrues_simple_interest() {
    let mut f = Fixture::wired();
    f.warp(DAY);
    // ratio = 60% free: inside 40–80%.
    let expected = (DEFAULT_MIN_RATE, WAD + DEFAULT_MIN_RATE * u(DAY));
    assert_eq!(f.rc.preview_rate(u(600), u(400)), Ok(expected));
    assert_eq!(f.rc.update(u(600), u(400)), Ok(expected));
    assert_eq!(f.rc.rate(), DEFAULT_MIN_RATE);
    assert_eq!(f.rc.last_update(), T0 + DAY);
    assert_eq!(f.rc.last_ratio_bps(), u(6_000));
    let logs = f.host.get_emitted_logs();
    assert_eq!(
        logs[logs.len() - 2],
        (
            vec![RateUpdated::SIGNATURE_HASH],
            words(&[DEFAULT_MIN_RATE, DEFAULT_MIN_RATE, u(6_000), expected.1])
        )
    );
    assert_eq!(
        f.last_log(),
        (
            vec![DirectionSet::SIGNATURE_HASH],
            words(&[U256::ZERO, u(6_000), U256::ZERO, U256::ZERO])
        )
    );
    // Same block again: nothing accrues.
    assert_eq!(f.rc.update(u(600), u(400)), Ok((DEFAULT_MIN_RATE, WAD)));
}

#[test]
fn update_below_band_grows_and_above_band_decays() {
    let mut f = Fixture::wired();
    let p = default_params();
    // 10% free: below the band; the next interval grows.
    f.steer(100, 900);
    assert_eq!(f.rc.direction(), Direction::Up as u8);
    f.warp(7 * DAY);
    // The interval accrues along the stored direction: the rate doubles in
    // one half-life, whatever the ratio passed now (90% free).
    let (rate, factor) = f.rc.update(u(900), u(100)).unwrap();
    let (want_rate, acc) = step(DEFAULT_MIN_RATE, 7 * DAY, Direction::Up, &p).unwrap();
    assert_eq!((rate, factor), (want_rate, WAD + acc));
    assert!(rate.abs_diff(DEFAULT_MIN_RATE * u(2)) <= u(1));
    assert_eq!(f.rc.rate(), rate);
    assert_eq!(f.rc.direction(), Direction::Down as u8);
    // The 90% measured then: it halves back.
    f.warp(7 * DAY);
    let (down, factor2) = f.rc.update(U256::ZERO, u(1)).unwrap();
    assert!(down.abs_diff(DEFAULT_MIN_RATE) <= u(2), "{down}");
    assert!(factor2 > WAD);
    assert_eq!(f.rc.last_ratio_bps(), U256::ZERO);
    // Long enough below the band: capped at maxRate.
    f.warp(365 * DAY);
    assert_eq!(f.rc.update(u(1), U256::ZERO).unwrap().0, DEFAULT_MAX_RATE);
    // And above it: back to the floor.
    f.warp(365 * DAY);
    assert_eq!(f.rc.update(u(1), U256::ZERO).unwrap().0, DEFAULT_MIN_RATE);
}

#[test]
fn what_is_measured_now_changes_neither_the_interest_nor_the_rate_returned() {
    // The interval accrues along the direction stored at the previous
    // update: a ratio pushed to either side for the update (a PSM round
    // trip in the same transaction) changes nothing returned now.
    let p = default_params();
    let mut results = Vec::new();
    for (free, paid, psm) in [
        (100, 900, 0),
        (100, 900, 1_000_000),
        (900, 100, 0),
        (0, 1, 0),
    ] {
        let mut f = Fixture::wired();
        f.host.set_sender(OWNER);
        f.rc.set_psm(PSM).unwrap();
        f.host.set_sender(VAULT);
        f.mock_psm(Ok(U256::ZERO));
        f.steer(100, 900); // 10%: up
        f.warp(7 * DAY);
        f.mock_psm(Ok(u(psm)));
        let got = f.rc.update(u(free), u(paid)).unwrap();
        let (rate, acc) = step(DEFAULT_MIN_RATE, 7 * DAY, Direction::Up, &p).unwrap();
        assert_eq!(got, (rate, WAD + acc));
        results.push(got);
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn no_debt_at_all_counts_as_fully_free() {
    let mut f = Fixture::wired();
    f.warp(DAY);
    f.rc.update(U256::ZERO, U256::ZERO).unwrap();
    assert_eq!(f.rc.last_ratio_bps(), BPS);
}

#[test]
fn psm_assets_count_as_exit_liquidity() {
    let mut f = Fixture::wired();
    f.host.set_sender(OWNER);
    f.rc.set_psm(PSM).unwrap();
    f.host.set_sender(VAULT);
    // free 100, paid 900, psm 500 → 600 / 1500 = 40%: inside the band.
    f.mock_psm(Ok(u(500)));
    f.warp(DAY);
    let (rate, _) = f.rc.update(u(100), u(900)).unwrap();
    assert_eq!(rate, DEFAULT_MIN_RATE);
    assert_eq!(f.rc.last_ratio_bps(), u(4_000));
    assert_eq!(f.rc.direction(), Direction::Flat as u8);
    // The PSM drained: 10%, the rate rises over the next interval.
    f.mock_psm(Ok(U256::ZERO));
    f.steer(100, 900);
    assert_eq!(f.rc.last_ratio_bps(), u(1_000));
    f.warp(DAY);
    assert!(f.rc.update(u(100), u(900)).unwrap().0 > DEFAULT_MIN_RATE);
}

#[test]
fn reverting_psm_contributes_nothing() {
    let mut f = Fixture::wired();
    f.host.set_sender(OWNER);
    f.rc.set_psm(PSM).unwrap();
    f.host.set_sender(VAULT);
    f.mock_psm(Err(b"broken".to_vec()));
    f.warp(DAY);
    assert!(f.rc.update(u(100), u(900)).is_ok());
    assert_eq!(f.rc.last_ratio_bps(), u(1_000));
}

#[test]
fn contraction_forces_the_rate_up() {
    let mut f = Fixture::wired();
    f.host.set_sender(OWNER);
    f.rc.set_oracle(ORACLE).unwrap();
    f.host.set_sender(VAULT);
    // 90% free would decay, but the oracle says Contraction.
    f.mock_state(Ok(CONTRACTION));
    f.steer(900, 100);
    assert_eq!(f.rc.direction(), Direction::Up as u8);
    assert_eq!(f.rc.last_ratio_bps(), u(9_000)); // reported as measured
    assert_eq!(
        f.last_log(),
        (
            vec![DirectionSet::SIGNATURE_HASH],
            words(&[u(1), u(9_000), u(1), U256::ZERO])
        )
    );
    f.warp(7 * DAY);
    let (up, _) = f.rc.update(u(900), u(100)).unwrap();
    assert!(up > DEFAULT_MIN_RATE);
    // Maintain (0) and Expansion (1) do not force anything: decays.
    for state in [0u8, 1] {
        f.mock_state(Ok(state));
        f.steer(900, 100);
        f.warp(3_600);
        let before = f.rc.rate();
        assert!(f.rc.update(u(900), u(100)).unwrap().0 < before);
    }
    // A reverting oracle is not Contraction.
    f.mock_state(Err(vec![]));
    f.steer(900, 100);
    assert_eq!(f.rc.direction(), Direction::Down as u8);
}

#[test]
fn a_stale_oracle_state_counts_as_maintain() {
    let mut f = Fixture::wired();
    f.host.set_sender(OWNER);
    f.rc.set_oracle(ORACLE).unwrap();
    f.host.set_sender(VAULT);
    f.mock_state(Ok(CONTRACTION));
    let now = f.host.block_timestamp();
    // Fresh and up to the limit (4 epochs after the epoch's start): Contraction.
    for age in [0, 1, 4] {
        f.mock_epoch_start(Ok(now - age * 6 * 3_600));
        assert_eq!(f.rc.oracle_state(), (CONTRACTION, u(age), false));
        f.steer(900, 100);
        assert_eq!(f.rc.direction(), Direction::Up as u8);
    }
    // One epoch more: stale, counts as Maintain (the 90% ratio decays).
    f.mock_epoch_start(Ok(now - 5 * 6 * 3_600));
    assert_eq!(f.rc.oracle_state(), (CONTRACTION, u(5), true));
    f.steer(900, 100);
    assert_eq!(f.rc.direction(), Direction::Down as u8);
    assert_eq!(
        f.last_log(),
        (
            vec![DirectionSet::SIGNATURE_HASH],
            words(&[u(2), u(9_000), U256::ZERO, u(1)])
        )
    );
    // An unreadable epoch status is stale too.
    f.mock_epoch_start(Err(vec![]));
    assert_eq!(f.rc.oracle_state(), (CONTRACTION, U256::MAX, true));
    // A longer limit makes it fresh again.
    f.host.set_sender(OWNER);
    f.rc.set_max_oracle_age(u(5)).unwrap();
    f.mock_epoch_start(Ok(now - 5 * 6 * 3_600));
    assert_eq!(f.rc.oracle_state(), (CONTRACTION, u(5), false));
}

#[test]
fn set_max_oracle_age_validates() {
    let mut f = Fixture::new();
    f.host.set_sender(ALICE);
    assert_eq!(f.rc.set_max_oracle_age(u(8)), Err(unauthorized(ALICE)));
    f.host.set_sender(OWNER);
    for epochs in [0, MAX_ORACLE_AGE + 1] {
        assert_eq!(
            f.rc.set_max_oracle_age(u(epochs)),
            Err(RateControllerError::InvalidMaxOracleAge(
                InvalidMaxOracleAge {
                    epochs: u(epochs),
                    minEpochs: u(MIN_ORACLE_AGE),
                    maxEpochs: u(MAX_ORACLE_AGE),
                }
            ))
        );
    }
    for epochs in [MIN_ORACLE_AGE, MAX_ORACLE_AGE, 8] {
        f.rc.set_max_oracle_age(u(epochs)).unwrap();
        assert_eq!(f.rc.max_oracle_age(), u(epochs));
        assert_eq!(
            f.last_log(),
            (vec![MaxOracleAgeSet::SIGNATURE_HASH], words(&[u(epochs)]))
        );
    }
    // No oracle: never stale, never Contraction.
    assert_eq!(f.rc.oracle_state(), (0, U256::ZERO, false));
}

#[test]
fn psm_and_oracle_together() {
    let mut f = Fixture::wired();
    f.host.set_sender(OWNER);
    f.rc.set_psm(PSM).unwrap();
    f.rc.set_oracle(ORACLE).unwrap();
    f.host.set_sender(VAULT);
    f.mock_psm(Ok(u(8_000)));
    f.mock_state(Ok(0));
    f.warp(DAY);
    // (1000 + 8000) / 10000 = 90%: decays even with 10% free vault debt.
    assert_eq!(f.rc.update(u(1_000), u(1_000)).unwrap().0, DEFAULT_MIN_RATE);
    assert_eq!(f.rc.last_ratio_bps(), u(9_000));
    assert_eq!(f.rc.direction(), Direction::Down as u8);
    f.mock_state(Ok(CONTRACTION));
    f.steer(1_000, 1_000);
    f.warp(DAY);
    assert!(f.rc.update(u(1_000), u(1_000)).unwrap().0 > DEFAULT_MIN_RATE);
}

#[test]
fn set_rate_bounds_validates_and_clamps_at_next_update() {
    let mut f = Fixture::wired();
    f.host.set_sender(ALICE);
    assert_eq!(f.rc.set_rate_bounds(u(1), u(2)), Err(unauthorized(ALICE)));
    f.host.set_sender(OWNER);
    let bad = |min: U256, max: U256| {
        Err(RateControllerError::InvalidRateBounds(InvalidRateBounds {
            minRate: min,
            maxRate: max,
            cap: RATE_CAP,
        }))
    };
    assert_eq!(
        f.rc.set_rate_bounds(U256::ZERO, u(5)),
        bad(U256::ZERO, u(5))
    );
    assert_eq!(f.rc.set_rate_bounds(u(6), u(5)), bad(u(6), u(5)));
    assert_eq!(
        f.rc.set_rate_bounds(u(5), RATE_CAP + u(1)),
        bad(u(5), RATE_CAP + u(1))
    );
    let (min, max) = (u(1_000_000_000), u(2_000_000_000));
    f.rc.set_rate_bounds(min, max).unwrap();
    assert_eq!((f.rc.min_rate(), f.rc.max_rate()), (min, max));
    assert_eq!(
        f.last_log(),
        (vec![RateBoundsSet::SIGNATURE_HASH], words(&[min, max]))
    );
    f.rc.set_rate_bounds(RATE_CAP, RATE_CAP).unwrap();
    f.rc.set_rate_bounds(min, max).unwrap();
    // The stored rate (0.5% APR) is below the new floor: clamped at the next update.
    f.host.set_sender(VAULT);
    f.warp(DAY);
    assert_eq!(f.rc.update(u(600), u(400)), Ok((min, WAD + min * u(DAY))));
}

#[test]
fn set_half_life_validates() {
    let mut f = Fixture::new();
    f.host.set_sender(ALICE);
    assert_eq!(f.rc.set_half_life(u(DAY)), Err(unauthorized(ALICE)));
    f.host.set_sender(OWNER);
    for h in [MIN_HALF_LIFE - 1, MAX_HALF_LIFE + 1, 0] {
        assert_eq!(
            f.rc.set_half_life(u(h)),
            Err(RateControllerError::InvalidHalfLife(InvalidHalfLife {
                halfLife: u(h),
                minHalfLife: u(MIN_HALF_LIFE),
                maxHalfLife: u(MAX_HALF_LIFE),
            }))
        );
    }
    for h in [MIN_HALF_LIFE, MAX_HALF_LIFE, DAY] {
        f.rc.set_half_life(u(h)).unwrap();
        assert_eq!(f.rc.half_life(), u(h));
        assert_eq!(
            f.last_log(),
            (vec![HalfLifeSet::SIGNATURE_HASH], words(&[u(h)]))
        );
    }
}

#[test]
fn set_target_band_validates() {
    let mut f = Fixture::new();
    f.host.set_sender(ALICE);
    assert_eq!(
        f.rc.set_target_band(u(1_000), u(2_000)),
        Err(unauthorized(ALICE))
    );
    f.host.set_sender(OWNER);
    for (low, high) in [(499, 2_000), (3_000, 2_999), (1_000, 9_501), (9_600, 9_700)] {
        assert_eq!(
            f.rc.set_target_band(u(low), u(high)),
            Err(RateControllerError::InvalidTargetBand(InvalidTargetBand {
                lowBps: u(low),
                highBps: u(high),
            }))
        );
    }
    for (low, high) in [(500, 9_500), (5_000, 5_000), (3_000, 7_000)] {
        f.rc.set_target_band(u(low), u(high)).unwrap();
        assert_eq!(f.rc.target_band(), (u(low), u(high)));
        assert_eq!(
            f.last_log(),
            (
                vec![TargetBandSet::SIGNATURE_HASH],
                words(&[u(low), u(high)])
            )
        );
    }
}

#[test]
fn peers_are_wired_once() {
    let mut f = Fixture::new();
    f.host.set_sender(ALICE);
    assert_eq!(f.rc.set_vault(VAULT), Err(unauthorized(ALICE)));
    assert_eq!(f.rc.set_psm(PSM), Err(unauthorized(ALICE)));
    assert_eq!(f.rc.set_oracle(ORACLE), Err(unauthorized(ALICE)));
    f.host.set_sender(OWNER);
    let zero = Err(RateControllerError::Access(AccessError::ZeroAddress(
        ZeroAddress {},
    )));
    assert_eq!(f.rc.set_vault(Address::ZERO), zero);
    assert_eq!(f.rc.set_psm(Address::ZERO), zero);
    assert_eq!(f.rc.set_oracle(Address::ZERO), zero);
    f.warp(DAY);
    f.rc.set_vault(VAULT).unwrap();
    assert_eq!(f.rc.last_update(), T0 + DAY); // the clock starts at wiring
    assert_eq!(
        f.last_log(),
        (vec![VaultSet::SIGNATURE_HASH, VAULT.into_word()], vec![])
    );
    f.rc.set_psm(PSM).unwrap();
    assert_eq!(
        f.last_log(),
        (vec![PsmSet::SIGNATURE_HASH, PSM.into_word()], vec![])
    );
    f.rc.set_oracle(ORACLE).unwrap();
    assert_eq!(
        f.last_log(),
        (vec![OracleSet::SIGNATURE_HASH, ORACLE.into_word()], vec![])
    );
    assert_eq!(
        (f.rc.vault(), f.rc.psm(), f.rc.oracle()),
        (VAULT, PSM, ORACLE)
    );
    let again = |current| {
        Err(RateControllerError::Access(AccessError::PeerAlreadySet(
            PeerAlreadySet { current },
        )))
    };
    assert_eq!(f.rc.set_vault(ALICE), again(VAULT));
    assert_eq!(f.rc.set_psm(ALICE), again(PSM));
    assert_eq!(f.rc.set_oracle(ALICE), again(ORACLE));
}

#[test]
fn ownership_is_two_step() {
    let mut f = Fixture::new();
    f.host.set_sender(OWNER);
    f.rc.transfer_ownership(ALICE).unwrap();
    assert_eq!(f.rc.pending_owner(), ALICE);
    f.host.set_sender(ALICE);
    f.rc.accept_ownership().unwrap();
    assert_eq!(f.rc.owner(), ALICE);
    f.rc.set_guardian(OWNER).unwrap();
    assert_eq!(f.rc.guardian(), OWNER);
}

#[test]
fn errors_encode_as_custom_errors() {
    use alloy_sol_types::SolError;
    let data: Vec<u8> = RateControllerError::from(OnlyVault {
        caller: ALICE,
        vault: VAULT,
    })
    .into();
    assert_eq!(&data[..4], &OnlyVault::SELECTOR);
    let data: Vec<u8> =
        RateControllerError::Math(FixedExpError::ExpOverflow(ExpOverflow { x: u(1) })).into();
    assert_eq!(&data[..4], &ExpOverflow::SELECTOR);
}
