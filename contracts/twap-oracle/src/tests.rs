//! Unit tests on [`TestHost`] (the SDK's `TestVM` with per-call mocks): the
//! pool is a small V2 model in the test that re-mocks the pair's views after
//! every change, so cumulative prices are real V2 arithmetic.

use alloy_primitives::{address, Address, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use suite_common::{
    access::{OwnableInvalidOwner, OwnableUnauthorizedAccount, PeerAlreadySet},
    math::{MulDivOverflow, UnsupportedDecimals},
};
use test_host::{word as w, RecordedCall, TestHost};

use super::*;

mod abi {
    suite_common::uniswap_v2_pair_abi!(alloy_sol_types::sol);
    suite_common::erc20_abi!(alloy_sol_types::sol);
    suite_common::al_asset_abi!(alloy_sol_types::sol);
    suite_common::vault_abi!(alloy_sol_types::sol);
    suite_common::psm_abi!(alloy_sol_types::sol);
    suite_common::transmuter_abi!(alloy_sol_types::sol);
}
use abi::{
    IAlAsset as AL, IErc20 as ERC, IPsm as PSMI, ITransmuter as TRI, IUniswapV2Pair as PAIR,
    IVault as VAULTI,
};

const OWNER: Address = address!("00000000000000000000000000000000000000a1");
const ALICE: Address = address!("00000000000000000000000000000000000000c1");
const ORACLE: Address = address!("00000000000000000000000000000000000000f0");
const POOL: Address = address!("00000000000000000000000000000000000000b0");
const LOW: Address = address!("0000000000000000000000000000000000000101");
const HIGH: Address = address!("0000000000000000000000000000000000000202");
const RECIPIENT: Address = address!("00000000000000000000000000000000000000d1");
const VAULT: Address = address!("00000000000000000000000000000000000000e1");
const PSM: Address = address!("00000000000000000000000000000000000000e2");
const TRANSMUTER: Address = address!("00000000000000000000000000000000000000e3");
const COLLATERAL: Address = address!("00000000000000000000000000000000000000e4");
/// Collateral shares the Vault holds in the mocks (now and at the epoch's opening).
const SHARES: u64 = 1_000;

const E: u64 = EPOCH_LENGTH;
/// An epoch boundary, plus 100 s: deployment time.
const T0: u64 = 1_700_006_400 - 1_700_006_400 % E + 100;
const INTERVAL: u64 = 1800;

fn u(v: u64) -> U256 {
    U256::from(v)
}
fn e18(v: u64) -> U256 {
    U256::from(v) * WAD
}
/// `num / den` as a WAD.
fn wad(num: u64, den: u64) -> U256 {
    U256::from(num) * WAD / U256::from(den)
}

fn encoded<E: SolError>(e: E) -> Vec<u8> {
    e.abi_encode()
}
fn err<T: core::fmt::Debug>(r: Result<T, TwapOracleError>) -> Vec<u8> {
    r.unwrap_err().into()
}

/// A V2 pair model: alAsset (18 dec) against an asset with `asset_decimals`.
struct Pool {
    host: TestHost,
    al_is_token0: bool,
    asset_decimals: u8,
    reserve0: U256,
    reserve1: U256,
    last: u32,
    cum0: U256,
    cum1: U256,
}

impl Pool {
    fn al(&self) -> Address {
        if self.al_is_token0 {
            LOW
        } else {
            HIGH
        }
    }
    fn asset(&self) -> Address {
        if self.al_is_token0 {
            HIGH
        } else {
            LOW
        }
    }
    /// Sets the reserves at the host's current time, V2 `_update` style,
    /// so the price is `price` (WAD, asset per alAsset) with 1,000,000 alAsset.
    fn set_price(&mut self, price: U256) {
        let coin = e18(1_000_000);
        let asset = price
            * U256::from(1_000_000u64)
            * U256::from(10u64).pow(U256::from(self.asset_decimals))
            / WAD;
        let (r0, r1) = if self.al_is_token0 {
            (coin, asset)
        } else {
            (asset, coin)
        };
        self.set_reserves(r0, r1);
    }
    fn set_reserves(&mut self, r0: U256, r1: U256) {
        let now = self.host.block_timestamp() as u32;
        let elapsed = now.wrapping_sub(self.last);
        if elapsed > 0 {
            self.cum0 =
                self.cum0
                    .wrapping_add(cumulative_increment(self.reserve1, self.reserve0, elapsed));
            self.cum1 =
                self.cum1
                    .wrapping_add(cumulative_increment(self.reserve0, self.reserve1, elapsed));
        }
        self.reserve0 = r0;
        self.reserve1 = r1;
        self.last = now;
        self.remock();
    }
    fn remock(&self) {
        let h = &self.host;
        h.mock(POOL, PAIR::token0Call {}.abi_encode(), Ok(LOW.abi_encode()));
        h.mock(
            POOL,
            PAIR::token1Call {}.abi_encode(),
            Ok(HIGH.abi_encode()),
        );
        h.mock(
            POOL,
            PAIR::price0CumulativeLastCall {}.abi_encode(),
            Ok(w(self.cum0)),
        );
        h.mock(
            POOL,
            PAIR::price1CumulativeLastCall {}.abi_encode(),
            Ok(w(self.cum1)),
        );
        h.mock(
            POOL,
            PAIR::getReservesCall {}.abi_encode(),
            Ok((self.reserve0, self.reserve1, U256::from(self.last)).abi_encode()),
        );
        h.mock(self.al(), ERC::decimalsCall {}.abi_encode(), Ok(w(u(18))));
        h.mock(
            self.asset(),
            ERC::decimalsCall {}.abi_encode(),
            Ok(w(u(u64::from(self.asset_decimals)))),
        );
    }
}

struct Setup {
    host: TestHost,
    pool: Pool,
    oracle: TwapOracle,
}

impl Setup {
    fn warp_to(&self, t: u64) {
        self.host.set_block_timestamp(t);
    }
    fn set_price(&mut self, price: U256) {
        self.pool.set_price(price);
    }
    /// Samples every interval until the epoch ends, then advances.
    fn run_epoch_sampled(&mut self) {
        let (_, ends, _, mut next, _) = self.oracle.epoch_status().unwrap();
        while next < ends {
            self.warp_to(next.to());
            self.oracle.sample().unwrap();
            next += u(INTERVAL);
        }
        self.warp_to(ends.to());
        if let Err(e) = self.oracle.advance_epoch() {
            panic!("{e:?} {:?}", self.host.calls().last());
        }
    }
    fn logs_of(&self, sig: alloy_primitives::B256) -> Vec<Vec<u8>> {
        self.host
            .get_emitted_logs()
            .into_iter()
            .filter(|(t, _)| t[0] == sig)
            .map(|(_, d)| d)
            .collect()
    }
    fn mint_calls(&self) -> Vec<RecordedCall> {
        let selector = AL::mintCall::SELECTOR;
        self.host
            .calls()
            .into_iter()
            .filter(|c| c.data.len() >= 4 && c.data[..4] == selector)
            .collect()
    }
    /// Mocks the alAsset supply, backing peers and the oracle's minter record.
    fn mock_backing(
        &self,
        supply: U256,
        collateral: U256,
        psm: U256,
        ceiling: U256,
        outstanding: U256,
        paused: bool,
    ) {
        let h = &self.host;
        let al = self.pool.al();
        h.mock(al, AL::totalSupplyCall {}.abi_encode(), Ok(w(supply)));
        h.mock(
            VAULT,
            VAULTI::totalsCall {}.abi_encode(),
            Ok((collateral, U256::ZERO, U256::ZERO, U256::ZERO, U256::ZERO).abi_encode()),
        );
        h.mock(
            VAULT,
            VAULTI::peersCall {}.abi_encode(),
            Ok((al, COLLATERAL, Address::ZERO, Address::ZERO, Address::ZERO).abi_encode()),
        );
        h.mock(
            COLLATERAL,
            ERC::balanceOfCall { account: VAULT }.abi_encode(),
            Ok(w(u(SHARES))),
        );
        h.mock(
            PSM,
            PSMI::freePsmAssetsInCoinCall {}.abi_encode(),
            Ok(w(psm)),
        );
        h.mock(
            TRANSMUTER,
            TRI::totalPendingCall {}.abi_encode(),
            Ok(w(e18(5))),
        );
        h.mock(
            al,
            AL::minterInfoCall { minter: ORACLE }.abi_encode(),
            Ok((true, paused, ceiling, outstanding).abi_encode()),
        );
    }
    /// The snapshot the epoch opened with: `SHARES` and `supply`.
    fn open_snapshot(&mut self, supply: U256) {
        open_snapshot(&mut self.oracle, supply);
    }
    fn mock_mint(&self, amount: U256) {
        self.host.mock(
            self.pool.al(),
            AL::mintCall {
                to: RECIPIENT,
                amount,
            }
            .abi_encode(),
            Ok(Vec::new()),
        );
    }
}

fn setup_with(al_is_token0: bool, asset_decimals: u8, min_samples: u64) -> Setup {
    let host = TestHost::default();
    host.set_contract_address(ORACLE);
    host.set_block_timestamp(T0);
    host.set_sender(OWNER);
    let mut pool = Pool {
        host: host.clone(),
        al_is_token0,
        asset_decimals,
        reserve0: U256::ZERO,
        reserve1: U256::ZERO,
        last: 0,
        cum0: U256::ZERO,
        cum1: U256::ZERO,
    };
    host.set_block_timestamp(T0 - 1000);
    pool.set_price(WAD);
    host.set_block_timestamp(T0);
    let mut oracle = TwapOracle::from(&host);
    oracle
        .constructor(
            OWNER,
            POOL,
            pool.al(),
            RECIPIENT,
            u(INTERVAL),
            u(min_samples),
        )
        .unwrap();
    Setup { host, pool, oracle }
}

fn setup() -> Setup {
    setup_with(true, 6, 6)
}

/// Sets the epoch's opening snapshot: `SHARES` collateral shares and `supply`.
fn open_snapshot(oracle: &mut TwapOracle, supply: U256) {
    oracle.open_shares.set(sat128(u(SHARES)));
    oracle.open_supply.set(sat128(supply));
}

/// `expand` on the backing read now (what `advanceEpoch` does in Expansion).
fn expand_now(oracle: &mut TwapOracle, twap: U256) -> Result<U256, TwapOracleError> {
    let reading = oracle
        .read_backing()
        .map_err(|peer| TwapOracleError::from(BadPeerResponse { peer }))?;
    oracle.expand(U256::ZERO, twap, &reading)
}

// ---------------------------------------------------------------- pure functions

#[test]
fn seed_expansion_vector() {
    // TWAP 1.04, supply 1,000,000, factor 2%, cap 0.10% -> 0.08% -> 800.
    assert_eq!(
        expansion_amount(e18(1_000_000), wad(104, 100), u(200), u(10)),
        Ok(e18(800))
    );
    // Above the cap: TWAP 1.10 -> 0.2% capped at 0.10% -> 1,000.
    assert_eq!(
        expansion_amount(e18(1_000_000), wad(110, 100), u(200), u(10)),
        Ok(e18(1_000))
    );
    // At or below peg: nothing.
    assert_eq!(
        expansion_amount(e18(1_000_000), WAD, u(200), u(10)),
        Ok(U256::ZERO)
    );
    assert_eq!(
        expansion_amount(e18(1_000_000), wad(98, 100), u(200), u(10)),
        Ok(U256::ZERO)
    );
    // Rounds down.
    assert_eq!(
        expansion_amount(u(999), wad(104, 100), u(200), u(10)),
        Ok(U256::ZERO)
    );
    // Even an absurd supply gets the exact floor, never a wrapped amount
    // (the product has a 512-bit intermediate): 0.08% of 2^256 - 1.
    assert_eq!(
        expansion_amount(U256::MAX, wad(104, 100), u(200), u(10)),
        Ok(U256::MAX / u(1250))
    );
}

#[test]
fn state_bands_at_the_edges() {
    let one = U256::from(1);
    let (up, down) = (wad(101, 100), wad(99, 100));
    assert_eq!(classify(up, u(100), u(100)), STATE_MAINTAIN);
    assert_eq!(classify(up + one, u(100), u(100)), STATE_EXPANSION);
    assert_eq!(classify(down, u(100), u(100)), STATE_MAINTAIN);
    assert_eq!(classify(down - one, u(100), u(100)), STATE_CONTRACTION);
    assert_eq!(classify(WAD, u(1), u(1)), STATE_MAINTAIN);
    assert_eq!(classify(U256::ZERO, u(1000), u(1000)), STATE_CONTRACTION);
    assert_eq!(classify(wad(111, 100), u(1000), u(1000)), STATE_EXPANSION);
}

#[test]
fn peg_health_bands_at_the_edges() {
    let one = U256::from(1);
    let p = |x: u64| wad(x, 100);
    assert_eq!(peg_health_of(WAD), HEALTH_HEALTHY);
    assert_eq!(peg_health_of(p(99)), HEALTH_HEALTHY);
    assert_eq!(peg_health_of(p(101)), HEALTH_HEALTHY);
    assert_eq!(peg_health_of(p(101) + one), HEALTH_ELEVATED);
    assert_eq!(peg_health_of(p(105)), HEALTH_ELEVATED);
    assert_eq!(peg_health_of(p(105) + one), HEALTH_HIGH);
    assert_eq!(peg_health_of(p(99) - one), HEALTH_WEAK);
    assert_eq!(peg_health_of(p(95)), HEALTH_WEAK);
    assert_eq!(peg_health_of(p(95) - one), HEALTH_BROKEN);
    assert_eq!(peg_health_of(p(85)), HEALTH_BROKEN);
    assert_eq!(peg_health_of(p(85) - one), HEALTH_CRITICAL);
    assert_eq!(peg_health_of(U256::ZERO), HEALTH_CRITICAL);
    assert_eq!(peg_health_of(U256::MAX), HEALTH_HIGH);
}

// ---------------------------------------------------------------- constructor

#[test]
fn constructor_reads_the_pool() {
    for (al0, dec) in [(true, 6u8), (false, 6), (true, 18), (false, 8)] {
        let s = setup_with(al0, dec, 6);
        let (pool, al, is0, recipient, vault, psm, tr) = s.oracle.peers();
        assert_eq!(
            (pool, al, is0, recipient),
            (POOL, s.pool.al(), al0, RECIPIENT)
        );
        assert_eq!(
            (vault, psm, tr),
            (Address::ZERO, Address::ZERO, Address::ZERO)
        );
        assert_eq!(
            s.oracle.params(),
            (u(INTERVAL), u(6), u(100), u(100), u(200), u(10))
        );
        assert_eq!(s.oracle.current_epoch(), U256::ZERO);
        assert_eq!(s.oracle.last_twap(), WAD);
        assert_eq!(s.oracle.state(), STATE_MAINTAIN);
        assert_eq!(s.oracle.peg_health(), HEALTH_HEALTHY);
        assert_eq!(s.oracle.spot_price().unwrap(), WAD);
        assert_eq!(s.oracle.owner(), OWNER);
        let start = T0 - 100;
        assert_eq!(
            s.oracle.epoch_status().unwrap(),
            (
                u(start),
                u(start + E),
                U256::ZERO,
                u(T0 + INTERVAL),
                U256::ZERO
            )
        );
    }
}

#[test]
fn constructor_errors() {
    let s = setup();
    let al = s.pool.al();
    let fresh = || TwapOracle::from(&s.host);
    assert_eq!(
        err(fresh().constructor(Address::ZERO, POOL, al, RECIPIENT, u(INTERVAL), u(6))),
        encoded(OwnableInvalidOwner {
            owner: Address::ZERO
        })
    );
    assert_eq!(
        err(fresh().constructor(OWNER, Address::ZERO, al, RECIPIENT, u(INTERVAL), u(6))),
        encoded(ZeroAddress {})
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, Address::ZERO, RECIPIENT, u(INTERVAL), u(6))),
        encoded(ZeroAddress {})
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, ALICE, RECIPIENT, u(INTERVAL), u(6))),
        encoded(AlAssetNotInPool {
            pool: POOL,
            alAsset: ALICE
        })
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, Address::ZERO, u(INTERVAL), u(6))),
        encoded(ZeroAddress {})
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, RECIPIENT, u(299), u(6))),
        encoded(ParameterOutOfBounds {
            value: u(299),
            min: u(300),
            max: u(10_800)
        })
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, RECIPIENT, u(INTERVAL), u(13))),
        encoded(ParameterOutOfBounds {
            value: u(13),
            min: u(1),
            max: u(12)
        })
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, RECIPIENT, u(INTERVAL), U256::ZERO)),
        encoded(ParameterOutOfBounds {
            value: U256::ZERO,
            min: u(1),
            max: u(12)
        })
    );
    // Decimals above 18.
    s.host.mock(
        s.pool.asset(),
        ERC::decimalsCall {}.abi_encode(),
        Ok(w(u(19))),
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, RECIPIENT, u(INTERVAL), u(6))),
        encoded(UnsupportedDecimals { decimals: 19 })
    );
    s.pool.remock();
    // A pool without liquidity.
    s.host.mock(
        POOL,
        PAIR::getReservesCall {}.abi_encode(),
        Ok((U256::ZERO, U256::ZERO, U256::ZERO).abi_encode()),
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, RECIPIENT, u(INTERVAL), u(6))),
        encoded(PoolHasNoLiquidity { pool: POOL })
    );
    // A reverting pool: its revert data bubbles up.
    s.host.mock(
        POOL,
        PAIR::token0Call {}.abi_encode(),
        Err(b"nope".to_vec()),
    );
    assert_eq!(
        err(fresh().constructor(OWNER, POOL, al, RECIPIENT, u(INTERVAL), u(6))),
        b"nope".to_vec()
    );
}

// ---------------------------------------------------------------- sample

#[test]
fn sample_is_the_exact_twap_since_the_previous_one() {
    let mut s = setup();
    // 1.00 for 600 s, then 1.03 for the remaining 1,200 s of the window.
    s.warp_to(T0 + 600);
    s.set_price(wad(103, 100));
    s.warp_to(T0 + INTERVAL);
    // The pool was not touched at this block: the counterfactual cumulative counts it.
    s.oracle.sample().unwrap();
    let expected = wad(102, 100); // (1.00 * 600 + 1.03 * 1200) / 1800
    let (_, _, samples, next, sampled) = s.oracle.epoch_status().unwrap();
    assert_eq!(samples, u(1));
    assert_eq!(next, u(T0 + 2 * INTERVAL));
    assert!(expected - sampled <= u(1), "{sampled}");
    let logs = s.logs_of(Sampled::SIGNATURE_HASH);
    assert_eq!(logs.len(), 1);
    assert_eq!(
        <(U256, U256, U256)>::abi_decode(&logs[0]).unwrap(),
        (sampled, u(INTERVAL), u(1))
    );
}

#[test]
fn sample_errors() {
    let mut s = setup();
    s.warp_to(T0 + INTERVAL - 1);
    assert_eq!(
        err(s.oracle.sample()),
        encoded(SampleTooSoon {
            nextAllowedAt: u(T0 + INTERVAL)
        })
    );
    s.warp_to(T0 + INTERVAL);
    s.oracle.sample().unwrap();
    assert_eq!(
        err(s.oracle.sample()),
        encoded(SampleTooSoon {
            nextAllowedAt: u(T0 + 2 * INTERVAL)
        })
    );
    let end = T0 - 100 + E;
    s.warp_to(end);
    assert_eq!(
        err(s.oracle.sample()),
        encoded(EpochOver { endedAt: u(end) })
    );
    s.warp_to(end - 1);
    s.host.mock(
        POOL,
        PAIR::price0CumulativeLastCall {}.abi_encode(),
        Err(b"pool".to_vec()),
    );
    assert_eq!(err(s.oracle.sample()), b"pool".to_vec());
    s.pool.remock();
    s.host.mock(
        POOL,
        PAIR::getReservesCall {}.abi_encode(),
        Ok((U256::ZERO, u(5), u(1)).abi_encode()),
    );
    assert_eq!(
        err(s.oracle.sample()),
        encoded(PoolHasNoLiquidity { pool: POOL })
    );
}

#[test]
fn a_trade_reversed_in_the_same_block_does_not_move_a_sample() {
    let mut s = setup();
    s.warp_to(T0 + INTERVAL);
    s.set_price(wad(150, 100));
    s.oracle.sample().unwrap();
    s.set_price(WAD);
    // The 1.50 price held for zero seconds: the sample is 1.00 (less 1 wei
    // of UQ112x112 truncation), while a spot read moved by 50%.
    let (_, _, _, _, sampled) = s.oracle.epoch_status().unwrap();
    assert!(WAD - sampled <= u(1), "{sampled}");
    assert_eq!(s.oracle.spot_price().unwrap(), WAD);
}

#[test]
fn works_with_both_token_orders_and_decimals() {
    for (al0, dec) in [(true, 6u8), (false, 6), (true, 18), (false, 18), (false, 8)] {
        let mut s = setup_with(al0, dec, 1);
        s.set_price(wad(97, 100));
        assert_eq!(s.oracle.spot_price().unwrap(), wad(97, 100));
        s.warp_to(T0 + INTERVAL);
        s.oracle.sample().unwrap();
        let (_, _, _, _, sampled) = s.oracle.epoch_status().unwrap();
        assert!(wad(97, 100) - sampled <= u(1), "{al0} {dec} {sampled}");
    }
}

#[test]
fn cumulative_and_timestamp_wrap_around() {
    // The pool's cumulative sits just below 2^256 and its 32-bit timestamp
    // just below 2^32: differences modulo 2^256 / 2^32 stay exact.
    let mut s = setup();
    s.pool.cum0 = U256::MAX - (U256::from(1) << 120);
    s.pool.cum1 = U256::MAX;
    s.pool.last = (T0 + 10) as u32;
    s.warp_to(T0 + 10);
    s.pool.remock();
    // Re-open the oracle at this state.
    let mut oracle = TwapOracle::from(&s.host);
    oracle
        .constructor(OWNER, POOL, s.pool.al(), RECIPIENT, u(INTERVAL), u(1))
        .unwrap();
    s.warp_to(T0 + 10 + INTERVAL);
    oracle.sample().unwrap();
    let (_, _, _, _, sampled) = oracle.epoch_status().unwrap();
    assert!(WAD - sampled <= u(1), "{sampled}");

    // 32-bit wrap of the block timestamp between the pool's update and now.
    let host = TestHost::default();
    host.set_contract_address(ORACLE);
    let start = (1u64 << 32) - 1000;
    host.set_block_timestamp(start);
    let mut pool = Pool {
        host: host.clone(),
        al_is_token0: true,
        asset_decimals: 6,
        reserve0: U256::ZERO,
        reserve1: U256::ZERO,
        last: 0,
        cum0: U256::ZERO,
        cum1: U256::ZERO,
    };
    pool.set_price(wad(102, 100));
    let mut oracle = TwapOracle::from(&host);
    oracle
        .constructor(OWNER, POOL, LOW, RECIPIENT, u(INTERVAL), u(1))
        .unwrap();
    host.set_block_timestamp(start + INTERVAL); // past 2^32
    oracle.sample().unwrap();
    let (_, _, _, _, sampled) = oracle.epoch_status().unwrap();
    assert!(wad(102, 100) - sampled <= u(1), "{sampled}");
}

// ---------------------------------------------------------------- advanceEpoch

#[test]
fn advance_errors_before_the_end() {
    let s = setup();
    let mut oracle = s.oracle;
    let end = T0 - 100 + E;
    s.host.set_block_timestamp(end - 1);
    assert_eq!(
        err(oracle.advance_epoch()),
        encoded(EpochNotOver { endsAt: u(end) })
    );
}

#[test]
fn epoch_twap_is_the_span_weighted_mean_of_samples() {
    let mut s = setup();
    // 1.00 for the first 2 h, 0.97 for the rest: samples see exactly that.
    for k in 1..=4 {
        s.warp_to(T0 + k * INTERVAL);
        s.oracle.sample().unwrap();
    }
    s.set_price(wad(97, 100));
    s.run_epoch_sampled();
    let (epochs, twaps, states, minted) = s.oracle.epoch_history(u(10));
    assert_eq!(epochs, vec![U256::ZERO]);
    assert_eq!(states, vec![STATE_CONTRACTION]);
    assert_eq!(minted, vec![U256::ZERO]);
    // Samples cover [T0, end - 100] (last sample at T0 + 11 * 1800).
    let last_sample = T0 + 11 * INTERVAL;
    let covered = last_sample - T0;
    let expected = (wad(100, 100) * u(7200) + wad(97, 100) * u(covered - 7200)) / u(covered);
    assert!(expected - twaps[0] <= u(2), "{} vs {expected}", twaps[0]);
    assert_eq!(s.oracle.last_twap(), twaps[0]);
    assert_eq!(s.oracle.state(), STATE_CONTRACTION);
    assert_eq!(s.oracle.peg_health(), HEALTH_WEAK);
    assert_eq!(s.oracle.current_epoch(), u(1));
    let logs = s.logs_of(EpochAdvanced::SIGNATURE_HASH);
    assert_eq!(
        <(U256, U256, U256, bool)>::abi_decode(&logs[0]).unwrap(),
        (twaps[0], u(2), u(11), false)
    );
    // The next epoch opened at the advance.
    let start = T0 - 100 + E;
    assert_eq!(
        s.oracle.epoch_status().unwrap(),
        (
            u(start),
            u(start + E),
            U256::ZERO,
            u(start + INTERVAL),
            U256::ZERO
        )
    );
}

#[test]
fn too_few_samples_fall_back_to_the_cumulative_average() {
    let mut s = setup();
    s.warp_to(T0 + INTERVAL);
    s.set_price(wad(90, 100));
    s.oracle.sample().unwrap(); // one sample at 1.00: alone it would say Maintain
    let end = T0 - 100 + E;
    s.warp_to(end);
    s.oracle.advance_epoch().unwrap();
    // Whole epoch since opening: 1.00 for 1,800 s then 0.90 for the rest.
    let span = end - T0;
    let expected = (WAD * u(INTERVAL) + wad(90, 100) * u(span - INTERVAL)) / u(span);
    let twap = s.oracle.last_twap();
    assert!(expected - twap <= u(1), "{twap}");
    assert_eq!(s.oracle.state(), STATE_CONTRACTION);
    assert_eq!(s.oracle.peg_health(), HEALTH_BROKEN);
    let logs = s.logs_of(EpochAdvanced::SIGNATURE_HASH);
    assert_eq!(
        <(U256, U256, U256, bool)>::abi_decode(&logs[0]).unwrap(),
        (twap, u(2), u(1), true)
    );
}

#[test]
fn state_transitions_across_the_bands() {
    let mut s = setup();
    s.mock_backing(
        e18(1_000_000),
        e18(900_000),
        U256::ZERO,
        e18(1_000),
        U256::ZERO,
        false,
    );
    let cases = [
        (wad(1005, 1000), STATE_MAINTAIN),
        (wad(98, 100), STATE_CONTRACTION),
        (wad(102, 100), STATE_EXPANSION), // backing 90%: nothing minted
        (WAD, STATE_MAINTAIN),
    ];
    for (price, state) in cases {
        s.set_price(price);
        s.run_epoch_sampled();
        assert_eq!(s.oracle.state(), state, "{price}");
    }
    let (epochs, _, states, minted) = s.oracle.epoch_history(u(100));
    assert_eq!(epochs, vec![u(3), u(2), u(1), u(0)]);
    assert_eq!(
        states,
        vec![
            STATE_MAINTAIN,
            STATE_EXPANSION,
            STATE_CONTRACTION,
            STATE_MAINTAIN
        ]
    );
    assert_eq!(minted, vec![U256::ZERO; 4]);
    assert!(s.mint_calls().is_empty());
    let (e, _, _, _) = s.oracle.epoch_history(u(2));
    assert_eq!(e, vec![u(3), u(2)]);
    let (e, _, _, _) = s.oracle.epoch_history(U256::ZERO);
    assert!(e.is_empty());
}

#[test]
fn missed_epochs_collapse_into_one() {
    let mut s = setup();
    s.oracle.wire_peers(VAULT, PSM, TRANSMUTER).unwrap();
    s.open_snapshot(e18(1_000_000));
    s.mock_backing(
        e18(1_000_000),
        e18(1_100_000),
        U256::ZERO,
        e18(1_000_000),
        U256::ZERO,
        false,
    );
    s.set_price(wad(104, 100));
    // Samples for the whole first epoch ...
    let (_, ends, _, mut next, _) = s.oracle.epoch_status().unwrap();
    while next < ends {
        s.warp_to(next.to());
        s.oracle.sample().unwrap();
        next += u(INTERVAL);
    }
    // ... then nobody advances for a day and a bit; the price fell back to 1.00 after 6 h.
    s.warp_to(ends.to::<u64>() + E);
    s.set_price(WAD);
    let now = ends.to::<u64>() + 4 * E + 60;
    s.warp_to(now);
    // The formula on the whole gap's cumulative average.
    let cum = s.oracle.observe().unwrap();
    let gap_twap = s
        .oracle
        .window_twap(cum.wrapping_sub(s.oracle.open_cum.get()), u(now - T0))
        .unwrap();
    s.mock_mint(expansion_amount(e18(1_000_000), gap_twap, u(200), u(10)).unwrap());
    s.oracle.advance_epoch().unwrap();
    // One record: the cumulative average over [T0, now], one mint at most.
    let span = now - T0;
    let high = ends.to::<u64>() + E - T0;
    let expected = (wad(104, 100) * u(high) + WAD * u(span - high)) / u(span);
    let (epochs, twaps, states, minted) = s.oracle.epoch_history(u(10));
    assert_eq!(epochs, vec![U256::ZERO]);
    assert!(expected - twaps[0] <= u(1));
    assert_eq!(states, vec![STATE_EXPANSION]);
    let expected_mint = expansion_amount(e18(1_000_000), twaps[0], u(200), u(10)).unwrap();
    assert_eq!(minted, vec![expected_mint]);
    assert_eq!(s.oracle.current_epoch(), u(5));
    let logs = s.logs_of(EpochsSkipped::SIGNATURE_HASH);
    assert_eq!(<(U256, U256)>::abi_decode(&logs[0]).unwrap(), (u(1), u(4)));
    let logs = s.logs_of(EpochAdvanced::SIGNATURE_HASH);
    assert_eq!(
        <(U256, U256, U256, bool)>::abi_decode(&logs[0]).unwrap(),
        (twaps[0], u(1), u(11), true)
    );
    // Epoch 5 opened mid-way: it ends at its boundary.
    let start = T0 - 100 + 5 * E;
    assert_eq!(s.oracle.epoch_status().unwrap().0, u(start));
    assert_eq!(s.oracle.epoch_status().unwrap().3, u(now + INTERVAL));
}

// ---------------------------------------------------------------- expansion

fn expansion_setup(twap: U256) -> Setup {
    let mut s = setup();
    s.oracle.wire_peers(VAULT, PSM, TRANSMUTER).unwrap();
    s.open_snapshot(e18(1_000_000));
    s.set_price(twap);
    s
}

#[test]
fn seed_example_mints_800() {
    let mut s = expansion_setup(wad(104, 100));
    // Backing 102%: 700,000 collateral + 320,000 PSM over 1,000,000 supply.
    s.mock_backing(
        e18(1_000_000),
        e18(700_000),
        e18(320_000),
        e18(10_000),
        U256::ZERO,
        false,
    );
    // Every sample (constant price) and so the epoch TWAP is the per-second price.
    let per_second = cumulative_increment(s.pool.reserve1, s.pool.reserve0, 1);
    let twap = s.oracle.window_twap(per_second, u(1)).unwrap();
    s.mock_mint(expansion_amount(e18(1_000_000), twap, u(200), u(10)).unwrap());
    s.run_epoch_sampled();
    assert_eq!(s.oracle.last_twap(), twap);
    assert!(wad(104, 100) - twap <= u(1));
    let amount = expansion_amount(e18(1_000_000), twap, u(200), u(10)).unwrap();
    assert!(e18(800) - amount <= u(1_000_000), "{amount}");
    // The mint call went out with the formula amount.
    let calls = s.mint_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].to, s.pool.al());
    assert_eq!(
        calls[0].data,
        AL::mintCall {
            to: RECIPIENT,
            amount
        }
        .abi_encode()
    );
    let (_, _, _, minted) = s.oracle.epoch_history(u(1));
    assert_eq!(minted, vec![amount]);
    let logs = s.logs_of(BackingComputed::SIGNATURE_HASH);
    assert_eq!(
        <(U256, U256, U256, U256, U256, U256)>::abi_decode(&logs[0]).unwrap(),
        (
            e18(700_000),
            e18(320_000),
            e18(5),
            e18(1_000_000),
            wad(102, 100),
            U256::ZERO
        )
    );
    let logs = s.logs_of(ExpansionMinted::SIGNATURE_HASH);
    assert_eq!(
        <(U256, U256)>::abi_decode(&logs[0]).unwrap(),
        (amount, amount)
    );
}

#[test]
fn seed_example_exact_through_the_mint_path() {
    // The exact seed numbers through `expand`: TWAP 1.04 exactly.
    let s = expansion_setup(WAD);
    let mut oracle = s.oracle;
    s.pool.host.mock(
        s.pool.al(),
        AL::totalSupplyCall {}.abi_encode(),
        Ok(w(e18(1_000_000))),
    );
    let setup = Setup {
        host: s.host.clone(),
        pool: s.pool,
        oracle: TwapOracle::from(&s.host),
    };
    setup.mock_backing(
        e18(1_000_000),
        e18(1_020_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    for amount in [800, 500, 300, 1_000] {
        setup.mock_mint(e18(amount));
    }
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(800));
    assert_eq!(
        setup.mint_calls()[0].data,
        AL::mintCall {
            to: RECIPIENT,
            amount: e18(800)
        }
        .abi_encode()
    );
    // Backing after the mint: 1,020,000 / 1,000,800 > 100%.
    // Surplus limit: backing 100.05% -> only 500 minted.
    setup.mock_backing(
        e18(1_000_000),
        e18(1_000_500),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(500));
    // Backing exactly 100% or below: nothing, no mint call.
    setup.host.clear_calls();
    setup.mock_backing(
        e18(1_000_000),
        e18(1_000_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), U256::ZERO);
    assert!(setup.mint_calls().is_empty());
    // Minter ceiling headroom: 10,000 - 9,700 = 300.
    setup.mock_backing(
        e18(1_000_000),
        e18(1_020_000),
        U256::ZERO,
        e18(10_000),
        e18(9_700),
        false,
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(300));
    // Paused minter: nothing.
    setup.host.clear_calls();
    setup.mock_backing(
        e18(1_000_000),
        e18(1_020_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        true,
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), U256::ZERO);
    assert!(setup.mint_calls().is_empty());
    // Cap: TWAP 1.10 -> 0.10% = 1,000.
    setup.mock_backing(
        e18(1_000_000),
        e18(1_020_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    assert_eq!(expand_now(&mut oracle, wad(110, 100)).unwrap(), e18(1_000));
    // A reverting mint skips the expansion (reason 1, the alAsset): no revert.
    setup.host.mock(
        setup.pool.al(),
        AL::mintCall {
            to: RECIPIENT,
            amount: e18(1_000),
        }
        .abi_encode(),
        Err(b"ceiling".to_vec()),
    );
    assert_eq!(expand_now(&mut oracle, wad(110, 100)).unwrap(), U256::ZERO);
    let logs = setup.logs_of(ExpansionSkipped::SIGNATURE_HASH);
    assert_eq!(
        <(U256, Address)>::abi_decode(logs.last().unwrap()).unwrap(),
        (u(u64::from(SKIP_PEER_FAILED)), setup.pool.al())
    );
}

#[test]
fn unwired_peers_contribute_zero_and_are_reported() {
    let s = setup();
    let mut oracle = s.oracle;
    open_snapshot(&mut oracle, e18(1_000_000));
    let setup = Setup {
        host: s.host.clone(),
        pool: s.pool,
        oracle: TwapOracle::from(&s.host),
    };
    setup.mock_backing(
        e18(1_000_000),
        e18(2_000_000),
        e18(2_000_000),
        e18(10_000),
        U256::ZERO,
        false,
    );
    // No peer wired: backing 0, nothing minted.
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), U256::ZERO);
    let logs = setup.logs_of(BackingComputed::SIGNATURE_HASH);
    assert_eq!(
        <(U256, U256, U256, U256, U256, U256)>::abi_decode(&logs[0]).unwrap(),
        (
            U256::ZERO,
            U256::ZERO,
            U256::ZERO,
            e18(1_000_000),
            U256::ZERO,
            u(7)
        )
    );
    // PSM only: counted.
    oracle
        .wire_peers(Address::ZERO, PSM, Address::ZERO)
        .unwrap();
    setup.mock_mint(e18(800));
    assert_eq!(
        oracle.backing().unwrap(),
        (
            U256::ZERO,
            e18(2_000_000),
            U256::ZERO,
            e18(1_000_000),
            e18(2),
            5
        )
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(800));
    // A zero supply: infinite backing in the view, nothing to mint.
    setup.host.mock(
        setup.pool.al(),
        AL::totalSupplyCall {}.abi_encode(),
        Ok(w(U256::ZERO)),
    );
    assert_eq!(oracle.backing().unwrap().4, U256::MAX);
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), U256::ZERO);
}

#[test]
fn only_shares_held_since_the_opening_count() {
    let s = expansion_setup(WAD);
    let mut oracle = TwapOracle::from(&s.host);
    // 1,020,000 of collateral in SHARES shares: backing 102%, 800 minted.
    s.mock_backing(
        e18(1_000_000),
        e18(1_020_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    s.mock_mint(e18(800));
    assert_eq!(oracle.backing().unwrap().0, e18(1_020_000));
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(800));
    // Twice the shares now (a deposit after the opening), twice the value:
    // only the opening's shares count, at today's price.
    s.mock_backing(
        e18(1_000_000),
        e18(2_040_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    s.host.mock(
        COLLATERAL,
        ERC::balanceOfCall { account: VAULT }.abi_encode(),
        Ok(w(u(2 * SHARES))),
    );
    assert_eq!(oracle.backing().unwrap().0, e18(1_020_000));
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(800));
    // Value lost during the epoch (same shares): the loss counts.
    s.mock_backing(
        e18(1_000_000),
        e18(990_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), U256::ZERO);
    let logs = s.logs_of(ExpansionSkipped::SIGNATURE_HASH);
    assert_eq!(
        <(U256, Address)>::abi_decode(logs.last().unwrap()).unwrap(),
        (u(u64::from(SKIP_NO_SURPLUS)), Address::ZERO)
    );
    // More supply than at the opening: the formula uses the opening's.
    s.mock_backing(
        e18(2_000_000),
        e18(4_000_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    assert_eq!(expand_now(&mut oracle, wad(104, 100)).unwrap(), e18(800));
}

#[test]
fn a_failing_backing_peer_skips_the_expansion_and_the_next_one() {
    let mut s = expansion_setup(wad(104, 100));
    s.mock_backing(
        e18(1_000_000),
        e18(1_100_000),
        U256::ZERO,
        e18(10_000),
        U256::ZERO,
        false,
    );
    s.host.mock(
        PSM,
        PSMI::freePsmAssetsInCoinCall {}.abi_encode(),
        Err(b"broken".to_vec()),
    );
    s.run_epoch_sampled();
    assert_eq!(s.oracle.state(), STATE_EXPANSION);
    assert_eq!(s.oracle.epoch_history(u(1)).3, vec![U256::ZERO]);
    let logs = s.logs_of(ExpansionSkipped::SIGNATURE_HASH);
    assert_eq!(
        <(U256, Address)>::abi_decode(&logs[0]).unwrap(),
        (u(u64::from(SKIP_PEER_FAILED)), PSM)
    );
    assert_eq!(
        err(s.oracle.backing()),
        encoded(BadPeerResponse { peer: PSM })
    );
    // The failed reading left no snapshot: the next epoch mints nothing
    // (nothing due on a zero opening supply), even with the PSM back.
    s.host.mock(
        PSM,
        PSMI::freePsmAssetsInCoinCall {}.abi_encode(),
        Ok(w(U256::ZERO)),
    );
    s.run_epoch_sampled();
    let logs = s.logs_of(ExpansionSkipped::SIGNATURE_HASH);
    assert_eq!(
        <(U256, Address)>::abi_decode(&logs[1]).unwrap(),
        (u(u64::from(SKIP_NOTHING_DUE)), Address::ZERO)
    );
    assert!(s.mint_calls().is_empty());
}

// ---------------------------------------------------------------- owner functions

#[test]
fn setters_check_owner_bounds_and_emit() {
    let mut s = setup();
    s.host.set_sender(ALICE);
    let unauthorized = encoded(OwnableUnauthorizedAccount { account: ALICE });
    assert_eq!(err(s.oracle.set_sampling(u(600), u(6))), unauthorized);
    assert_eq!(err(s.oracle.set_bands(u(50), u(50))), unauthorized);
    assert_eq!(err(s.oracle.set_expansion(u(100), u(5))), unauthorized);
    assert_eq!(err(s.oracle.set_expansion_recipient(ALICE)), unauthorized);
    assert_eq!(
        err(s.oracle.wire_peers(VAULT, PSM, TRANSMUTER)),
        unauthorized
    );

    s.host.set_sender(OWNER);
    let oob = |v: u64, min: u64, max: u64| {
        encoded(ParameterOutOfBounds {
            value: u(v),
            min: u(min),
            max: u(max),
        })
    };
    assert_eq!(
        err(s.oracle.set_sampling(u(10_801), u(1))),
        oob(10_801, 300, 10_800)
    );
    assert_eq!(err(s.oracle.set_sampling(u(300), u(73))), oob(73, 1, 72));
    assert_eq!(err(s.oracle.set_bands(U256::ZERO, u(100))), oob(0, 1, 1000));
    assert_eq!(err(s.oracle.set_bands(u(100), u(1001))), oob(1001, 1, 1000));
    assert_eq!(
        err(s.oracle.set_expansion(u(10_001), u(10))),
        oob(10_001, 0, 10_000)
    );
    assert_eq!(
        err(s.oracle.set_expansion(u(200), u(101))),
        oob(101, 0, 100)
    );
    assert_eq!(
        err(s.oracle.set_expansion_recipient(Address::ZERO)),
        encoded(ZeroAddress {})
    );

    s.oracle.set_sampling(u(300), u(72)).unwrap();
    s.oracle.set_bands(u(50), u(200)).unwrap();
    s.oracle.set_expansion(u(10_000), u(100)).unwrap();
    s.oracle.set_expansion_recipient(ALICE).unwrap();
    assert_eq!(
        s.oracle.params(),
        (u(300), u(72), u(50), u(200), u(10_000), u(100))
    );
    assert_eq!(s.oracle.peers().3, ALICE);
    let decode2 = |sig| <(U256, U256)>::abi_decode(s.logs_of(sig).last().unwrap()).unwrap();
    assert_eq!(decode2(SamplingSet::SIGNATURE_HASH), (u(300), u(72)));
    assert_eq!(decode2(BandsSet::SIGNATURE_HASH), (u(50), u(200)));
    assert_eq!(
        decode2(ExpansionParamsSet::SIGNATURE_HASH),
        (u(10_000), u(100))
    );
    let recipient_log = s
        .host
        .get_emitted_logs()
        .into_iter()
        .rfind(|(t, _)| t[0] == ExpansionRecipientSet::SIGNATURE_HASH)
        .unwrap();
    assert_eq!(recipient_log.0[1], ALICE.into_word());

    // The new bands apply: 1.006 is now Expansion (band 0.5%).
    assert_eq!(classify(wad(1006, 1000), u(50), u(200)), STATE_EXPANSION);
}

#[test]
fn peers_are_wired_once() {
    let mut s = setup();
    s.oracle
        .wire_peers(VAULT, Address::ZERO, Address::ZERO)
        .unwrap();
    s.oracle.wire_peers(Address::ZERO, PSM, TRANSMUTER).unwrap();
    let (_, _, _, _, vault, psm, tr) = s.oracle.peers();
    assert_eq!((vault, psm, tr), (VAULT, PSM, TRANSMUTER));
    assert_eq!(
        err(s.oracle.wire_peers(ALICE, Address::ZERO, Address::ZERO)),
        encoded(PeerAlreadySet { current: VAULT })
    );
    assert_eq!(
        err(s.oracle.wire_peers(Address::ZERO, Address::ZERO, ALICE)),
        encoded(PeerAlreadySet {
            current: TRANSMUTER
        })
    );
    let logs = s.logs_of(PeersWired::SIGNATURE_HASH);
    assert_eq!(
        <(Address, Address, Address)>::abi_decode(&logs[0]).unwrap(),
        (VAULT, Address::ZERO, Address::ZERO)
    );
}

#[test]
fn window_twap_overflow_is_a_custom_error() {
    // 18-decimal alAsset, 0-decimal asset: the scale is 10^36, so the
    // largest delta's price does not fit in 256 bits.
    let s = setup_with(true, 0, 6);
    let expected = MathError::MulDivOverflow(MulDivOverflow {
        a: U256::MAX >> 112,
        b: U256::from(10).pow(U256::from(36)),
        denominator: U256::from(1),
    });
    assert!(matches!(
        s.oracle.window_twap(U256::MAX, U256::from(1)),
        Err(TwapOracleError::Math(e)) if e == expected
    ));
    // With a 6-decimal asset the same delta is a (huge) finite price.
    assert!(setup().oracle.window_twap(U256::MAX, U256::from(1)).is_ok());
}
