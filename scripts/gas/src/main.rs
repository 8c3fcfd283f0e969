//! The suite's gas report.
//!
//! ```sh
//! cargo run -q -p gas-report --profile tool            # print the table, write the snapshot
//! cargo run -q -p gas-report --profile tool -- --check # fail if a figure rose > 2 %
//! cargo run -q -p gas-report --profile tool -- --trace # also print each operation's frames
//! ```
//!
//! Deploys the suite with `deploy::deploy_suite` on the in-process devnet (nitro's exact ink
//! metering), runs one scripted user session and records each operation's receipt `gasUsed`
//! (L2 execution gas including the 21,000 base, no L1 data fee): with every program uncached
//! at the devnet's default ArbOS version (what Arbitrum One runs: a program entered again in
//! the same block pays the cached cost), uncached at ArbOS 40 (a chain that has not upgraded:
//! every entry pays the full init cost), and after `ArbWasmCache.cacheProgram` on every
//! contract (default version). PSM buy / sell are
//! also measured on a deployment without a psmVault. The figures go to
//! `scripts/gas-snapshot.json`; `--check` compares against it instead of writing it.
//! `--trace` prints, for every measured operation, the gas of each program frame (the
//! devnet's `Receipt::frames`): entry, storage loads / writes, call access, logs, children.

use std::collections::BTreeMap;
use std::path::PathBuf;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use anyhow::{bail, Context, Result};
use deploy::interfaces::{
    IAlAsset, IMockErc20, IMockErc4626, IPsm, ITransmuter, ITwapOracle, IVault,
};
use deploy::{Config, InProcess, Suite};
use devnet::{params, Clock, Devnet, DevnetConfig, TxRequest, DEV_ACCOUNT};

/// The ArbOS version of the second uncached column: a chain that has not upgraded past 40.
const OLD_ARBOS: u64 = 40;

/// Allowed rise over the snapshot before `--check` fails, in percent.
const TOLERANCE_PERCENT: u64 = 2;
/// Start of the manual clock (an epoch boundary of the oracle's 6-hour grid).
const START: u64 = 1_767_225_600;

/// Solidity figures measured on an EVM for the same kind of operation (issue #9), with the
/// 21,000 base.
const REFERENCES: [(&str, u64); 5] = [
    ("psm buy (psmVault)", 114_400),
    ("psm sell (psmVault)", 92_900),
    ("vault open position (deposit + borrow, one base)", 148_700),
    ("vault repay (partial)", 101_500),
    ("vault liquidate", 141_100),
];

fn coin(v: u64) -> U256 {
    U256::from(v) * U256::from(10u64).pow(U256::from(18u64))
}

fn usdc(v: u64) -> U256 {
    U256::from(v) * U256::from(1_000_000u64)
}

/// A private key and its address.
fn account(label: &str) -> (k256::ecdsa::SigningKey, Address) {
    let key = k256::ecdsa::SigningKey::from_slice(keccak256(label.as_bytes()).as_slice())
        .expect("a keccak digest is a valid key");
    let point = key.verifying_key().to_encoded_point(false);
    let address = Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]);
    (key, address)
}

/// One measured session.
struct Session {
    chain: Devnet,
    suite: Suite,
    gas: Vec<(String, u64)>,
    /// Print each measured operation's frames.
    trace: bool,
    cached: bool,
}

impl Session {
    fn new(psm_vault: bool, cached: bool, arbos_version: u64, trace: bool) -> Result<Self> {
        let mut chain = Devnet::with_config(DevnetConfig {
            clock: Clock::Manual(START),
            arbos_version,
            ..DevnetConfig::default()
        });
        let mut config = Config::devnet_default();
        if let Some(mocks) = config.mocks.as_mut() {
            mocks.psm_vault = psm_vault;
        }
        let manifest = deploy::deploy_suite(&mut InProcess::new(&mut chain), &config)?;
        let suite = manifest.suite()?;
        if cached {
            let programs = [
                suite.al_asset,
                suite.vault,
                suite.rate_controller,
                suite.psm,
                suite.transmuter,
                suite.twap_oracle,
                suite.asset,
                suite.collateral,
                suite.pool,
            ];
            for program in programs.into_iter().chain(suite.psm_vault) {
                chain
                    .cache_program(program)
                    .map_err(|e| anyhow::anyhow!("caching {program}: {e}"))?;
            }
        }
        Ok(Self {
            chain,
            suite,
            gas: Vec::new(),
            trace,
            cached,
        })
    }

    /// Sends `call` and returns its receipt's output; fails on a revert.
    fn send<C: SolCall>(&mut self, from: Address, to: Address, call: C) -> Result<Vec<u8>> {
        let receipt = self
            .chain
            .transact(TxRequest::call(from, to, call.abi_encode()))
            .map_err(|e| anyhow::anyhow!("{}: {e}", C::SIGNATURE))?;
        if let Some(revert) = receipt.revert() {
            bail!("{} reverted: {revert}", C::SIGNATURE);
        }
        Ok(receipt.output.to_vec())
    }

    /// Sends `call` and records its gas under `name`.
    fn measure<C: SolCall>(
        &mut self,
        name: &str,
        from: Address,
        to: Address,
        call: C,
    ) -> Result<Vec<u8>> {
        let receipt = self
            .chain
            .transact(TxRequest::call(from, to, call.abi_encode()))
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        if let Some(revert) = receipt.revert() {
            bail!("{name} reverted: {revert}");
        }
        self.gas.push((name.to_string(), receipt.gas_used));
        if self.trace {
            self.print_frames(name, &receipt);
        }
        Ok(receipt.output.to_vec())
    }

    /// Prints `receipt`'s program frames, indented by depth.
    fn print_frames(&self, name: &str, receipt: &devnet::Receipt) {
        let s = self.suite;
        let names = [
            (s.al_asset, "AlAsset"),
            (s.vault, "Vault"),
            (s.rate_controller, "RateController"),
            (s.psm, "Psm"),
            (s.transmuter, "Transmuter"),
            (s.twap_oracle, "TwapOracle"),
            (s.asset, "asset"),
            (s.collateral, "collateral"),
            (s.pool, "pool"),
        ];
        let label = |address: Address| {
            names
                .iter()
                .find(|(a, _)| *a == address)
                .map(|(_, n)| (*n).to_string())
                .or_else(|| (Some(address) == s.psm_vault).then(|| "psmVault".to_string()))
                .unwrap_or_else(|| address.to_string())
        };
        let cached = if self.cached { "cached" } else { "uncached" };
        println!("\n{name} ({cached}): {} gas", receipt.gas_used);
        println!(
            "  {:<44} {:>8} {:>7} {:>7} {:>6} {:>7} {:>5} {:>7} {:>6} {:>7} {:>7}",
            "frame",
            "used",
            "self",
            "entry",
            "sloads",
            "sl gas",
            "sst",
            "sst gas",
            "calls",
            "access",
            "logs"
        );
        for frame in &receipt.frames {
            let function = selector_name(frame.selector);
            let who = format!(
                "{}{}.{function}",
                "  ".repeat(frame.depth),
                label(frame.address)
            );
            let st = frame.stats;
            println!(
                "  {who:<44} {:>8} {:>7} {:>7} {:>3}/{:<2} {:>7} {:>5} {:>7} {:>6} {:>7} {:>7}",
                frame.gas_used,
                frame.gas_used.saturating_sub(frame.children_gas),
                frame.entry_gas,
                st.cold_sloads,
                st.sloads,
                st.sload_gas,
                st.sstores,
                st.sstore_gas,
                st.calls,
                st.call_access_gas,
                st.log_gas,
            );
        }
    }

    fn gas_of(&self, name: &str) -> u64 {
        self.gas
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0, |(_, gas)| *gas)
    }

    fn fund(&mut self, who: Address, assets: U256) -> Result<()> {
        self.chain.fund(who, coin(10));
        let asset = self.suite.asset;
        self.send(
            DEV_ACCOUNT,
            asset,
            IMockErc20::mintCall {
                to: who,
                amount: assets,
            },
        )?;
        Ok(())
    }

    /// The PSM round trip only (for the deployment without a psmVault).
    fn psm_only(&mut self, suffix: &str) -> Result<()> {
        let (_, user) = account("gas-report user");
        let s = self.suite;
        self.fund(user, usdc(100_000))?;
        self.send(
            user,
            s.asset,
            IMockErc20::approveCall {
                spender: s.psm,
                value: U256::MAX,
            },
        )?;
        let buy = IPsm::buyCall {
            assetIn: usdc(1_000),
            minCoinOut: U256::ZERO,
            recipient: user,
        };
        self.measure(&format!("psm buy ({suffix})"), user, s.psm, buy)?;
        self.send(
            user,
            s.al_asset,
            IAlAsset::approveCall {
                spender: s.psm,
                value: U256::MAX,
            },
        )?;
        let sell = IPsm::sellCall {
            coinIn: coin(500),
            minAssetOut: U256::ZERO,
            recipient: user,
        };
        self.measure(&format!("psm sell ({suffix})"), user, s.psm, sell)?;
        Ok(())
    }

    /// Every user operation, in an order where each one has what it needs.
    fn full(&mut self) -> Result<()> {
        let s = self.suite;
        let (user_key, user) = account("gas-report user");
        let (_, bob) = account("gas-report bob");
        let (_, borrower) = account("gas-report borrower");
        let (_, liquidator) = account("gas-report liquidator");
        self.psm_only("psmVault")?;
        self.chain.fund(bob, coin(10));

        // alAsset.
        self.measure(
            "alAsset transfer",
            user,
            s.al_asset,
            IAlAsset::transferCall {
                to: bob,
                value: coin(10),
            },
        )?;
        self.measure(
            "alAsset approve",
            user,
            s.al_asset,
            IAlAsset::approveCall {
                spender: bob,
                value: coin(100),
            },
        )?;
        let permit = self.permit_call(&user_key, user, bob, coin(50))?;
        self.measure("alAsset permit", bob, s.al_asset, permit)?;

        // Vault: collateral shares of the mock ERC-4626, deposit, borrow, repay, withdraw.
        self.send(
            user,
            s.asset,
            IMockErc20::approveCall {
                spender: s.collateral,
                value: U256::MAX,
            },
        )?;
        self.send(
            user,
            s.collateral,
            IMockErc4626::depositCall {
                assets: usdc(20_000),
                receiver: user,
            },
        )?;
        self.send(
            user,
            s.collateral,
            IMockErc4626::approveCall {
                spender: s.vault,
                value: U256::MAX,
            },
        )?;
        self.send(
            user,
            s.al_asset,
            IAlAsset::approveCall {
                spender: s.vault,
                value: U256::MAX,
            },
        )?;
        self.measure(
            "vault deposit",
            user,
            s.vault,
            IVault::depositCall {
                shares: usdc(10_000),
                recipient: user,
            },
        )?;
        self.measure(
            "vault borrow",
            user,
            s.vault,
            IVault::borrowCall {
                amount: coin(5_000),
                recipient: user,
            },
        )?;
        self.measure(
            "vault repay (partial)",
            user,
            s.vault,
            IVault::repayCall {
                amount: coin(1_000),
                account: user,
            },
        )?;
        self.measure(
            "vault withdraw",
            user,
            s.vault,
            IVault::withdrawCall {
                shares: usdc(1_000),
                recipient: user,
            },
        )?;
        self.measure(
            "vault mode switch",
            user,
            s.vault,
            IVault::setRedeemableCall { redeemable: true },
        )?;
        let open = self.gas_of("vault deposit") + self.gas_of("vault borrow") - 21_000;
        self.gas.push((
            "vault open position (deposit + borrow, one base)".into(),
            open,
        ));

        // Transmuter: redeem against the free debt.
        self.send(
            user,
            s.al_asset,
            IAlAsset::approveCall {
                spender: s.transmuter,
                value: U256::MAX,
            },
        )?;
        let out = self.measure(
            "transmuter create",
            user,
            s.transmuter,
            ITransmuter::createRedemptionCall { amount: coin(100) },
        )?;
        let id = ITransmuter::createRedemptionCall::abi_decode_returns(&out)?;
        let term = 7_776_000;
        self.chain.warp(term + 1);
        self.measure(
            "transmuter claim",
            user,
            s.transmuter,
            ITransmuter::claimRedemptionCall { id },
        )?;

        // RateController: the Vault's accrue calls update.
        self.chain.warp(86_400);
        self.measure(
            "controller update (Vault.accrue)",
            user,
            s.vault,
            IVault::accrueCall {},
        )?;

        // TwapOracle: samples through an epoch, then advance it.
        let now = self.chain.next_timestamp();
        let epoch = 21_600;
        self.chain
            .set_next_timestamp(now.div_ceil(epoch) * epoch + 1);
        // Catch up on the epochs missed during the redemption term first.
        self.send(user, s.twap_oracle, ITwapOracle::advanceEpochCall {})?;
        for i in 0..7 {
            self.chain.warp(1_800);
            if i == 0 {
                self.measure(
                    "oracle sample",
                    user,
                    s.twap_oracle,
                    ITwapOracle::sampleCall {},
                )?;
            } else {
                self.send(user, s.twap_oracle, ITwapOracle::sampleCall {})?;
            }
        }
        let now = self.chain.next_timestamp();
        self.chain
            .set_next_timestamp(now.div_ceil(epoch) * epoch + 1);
        self.measure(
            "oracle advanceEpoch",
            user,
            s.twap_oracle,
            ITwapOracle::advanceEpochCall {},
        )?;

        // Liquidation: an 85 % LTV borrower, a 12 % collateral loss (LTV ≈ 96.6 %).
        for who in [borrower, liquidator] {
            self.fund(who, usdc(100_000))?;
            self.send(
                who,
                s.asset,
                IMockErc20::approveCall {
                    spender: s.collateral,
                    value: U256::MAX,
                },
            )?;
            self.send(
                who,
                s.collateral,
                IMockErc4626::depositCall {
                    assets: usdc(20_000),
                    receiver: who,
                },
            )?;
            self.send(
                who,
                s.collateral,
                IMockErc4626::approveCall {
                    spender: s.vault,
                    value: U256::MAX,
                },
            )?;
            self.send(
                who,
                s.al_asset,
                IAlAsset::approveCall {
                    spender: s.vault,
                    value: U256::MAX,
                },
            )?;
        }
        self.send(
            borrower,
            s.vault,
            IVault::depositCall {
                shares: usdc(10_000),
                recipient: borrower,
            },
        )?;
        self.send(
            borrower,
            s.vault,
            IVault::borrowCall {
                amount: coin(8_500),
                recipient: borrower,
            },
        )?;
        self.send(
            liquidator,
            s.vault,
            IVault::depositCall {
                shares: usdc(20_000),
                recipient: liquidator,
            },
        )?;
        self.send(
            liquidator,
            s.vault,
            IVault::borrowCall {
                amount: coin(5_000),
                recipient: liquidator,
            },
        )?;
        self.send(
            DEV_ACCOUNT,
            s.collateral,
            IMockErc4626::simulateLossCall {
                bps: U256::from(1_200),
            },
        )?;
        self.measure(
            "vault liquidate",
            liquidator,
            s.vault,
            IVault::liquidateCall {
                account: borrower,
                repayAmount: coin(1_000),
            },
        )?;
        Ok(())
    }

    /// A signed EIP-2612 permit from `owner` (key `key`) to `spender`.
    fn permit_call(
        &mut self,
        key: &k256::ecdsa::SigningKey,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Result<IAlAsset::permitCall> {
        let token = self.suite.al_asset;
        let domain = self
            .chain
            .view(owner, token, &IAlAsset::DOMAIN_SEPARATORCall {})?;
        let nonce = self
            .chain
            .view(owner, token, &IAlAsset::noncesCall { owner })?;
        let deadline = U256::from(u64::MAX);
        let typehash = keccak256(
            "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
        );
        let inner = keccak256((typehash, owner, spender, value, nonce, deadline).abi_encode());
        let digest = keccak256([&[0x19, 0x01][..], domain.as_slice(), inner.as_slice()].concat());
        let (signature, recovery) = key.sign_prehash_recoverable(digest.as_slice())?;
        let bytes = signature.to_bytes();
        Ok(IAlAsset::permitCall {
            owner,
            spender,
            value,
            deadline,
            v: 27 + recovery.to_byte(),
            r: B256::from_slice(&bytes[..32]),
            s: B256::from_slice(&bytes[32..]),
        })
    }
}

/// The name of a suite function with `selector`, or the selector in hex.
fn selector_name(selector: [u8; 4]) -> String {
    use deploy::interfaces as i;
    [
        i::IAlAsset::IAlAssetCalls::name_by_selector(selector),
        i::IVault::IVaultCalls::name_by_selector(selector),
        i::IRateController::IRateControllerCalls::name_by_selector(selector),
        i::IPsm::IPsmCalls::name_by_selector(selector),
        i::ITransmuter::ITransmuterCalls::name_by_selector(selector),
        i::ITwapOracle::ITwapOracleCalls::name_by_selector(selector),
        i::IMockErc4626::IMockErc4626Calls::name_by_selector(selector),
        i::IV2Pool::IV2PoolCalls::name_by_selector(selector),
    ]
    .into_iter()
    .flatten()
    .next()
    .map_or_else(|| alloy_primitives::hex::encode(selector), str::to_string)
}

/// The gas of one operation in each measured setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Gas {
    /// Uncached, default ArbOS version.
    uncached: u64,
    /// Uncached, ArbOS [`OLD_ARBOS`] (`None` in a snapshot written before it was measured).
    uncached_old: Option<u64>,
    /// Cached, default ArbOS version.
    cached: u64,
}

/// Gas by operation name.
type Figures = BTreeMap<String, Gas>;

fn measure_all(trace: bool) -> Result<Figures> {
    let mut figures = Figures::new();
    let settings = [
        (false, params::DEFAULT_ARBOS_VERSION),
        (false, OLD_ARBOS),
        (true, params::DEFAULT_ARBOS_VERSION),
    ];
    for (cached, arbos) in settings {
        let mut with_vault = Session::new(true, cached, arbos, trace)?;
        with_vault.full()?;
        let mut without = Session::new(false, cached, arbos, trace)?;
        without.psm_only("no psmVault")?;
        for (name, gas) in with_vault.gas.into_iter().chain(without.gas) {
            let entry = figures.entry(name).or_default();
            match (cached, arbos == OLD_ARBOS) {
                (true, _) => entry.cached = gas,
                (false, true) => entry.uncached_old = Some(gas),
                (false, false) => entry.uncached = gas,
            }
        }
    }
    Ok(figures)
}

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../gas-snapshot.json")
}

fn to_json(figures: &Figures) -> serde_json::Value {
    let ops: serde_json::Map<String, serde_json::Value> = figures
        .iter()
        .map(|(name, gas)| {
            (
                name.clone(),
                serde_json::json!({
                    "uncached": gas.uncached,
                    "uncached_arbos40": gas.uncached_old,
                    "cached": gas.cached,
                }),
            )
        })
        .collect();
    serde_json::json!({
        "note": format!(
            "L2 execution gas per operation (receipt gasUsed, 21,000 base included, no L1 data fee) on the devnet with nitro's ink metering: `uncached` and `cached` at ArbOS {} (the default, Arbitrum One's), `uncached_arbos40` at ArbOS 40. Regenerate: cargo run -q -p gas-report --profile tool",
            params::DEFAULT_ARBOS_VERSION
        ),
        "arbos_version": params::DEFAULT_ARBOS_VERSION,
        "operations": ops,
    })
}

fn from_json(value: &serde_json::Value) -> Result<Figures> {
    let ops = value["operations"]
        .as_object()
        .context("no `operations` object")?;
    let mut figures = Figures::new();
    for (name, entry) in ops {
        let get = |key: &str| {
            entry[key]
                .as_u64()
                .with_context(|| format!("{name}: no {key}"))
        };
        figures.insert(
            name.clone(),
            Gas {
                uncached: get("uncached")?,
                uncached_old: entry["uncached_arbos40"].as_u64(),
                cached: get("cached")?,
            },
        );
    }
    Ok(figures)
}

fn table(figures: &Figures) -> String {
    let mut out = String::from(
        "| operation | uncached | uncached (ArbOS 40) | cached | Solidity reference | cached vs reference |\n|---|---:|---:|---:|---:|---:|\n",
    );
    let group = |name: &str| {
        [
            "psm",
            "alAsset",
            "vault",
            "transmuter",
            "controller",
            "oracle",
        ]
        .iter()
        .position(|p| name.starts_with(p))
        .unwrap_or(usize::MAX)
    };
    let mut names: Vec<&String> = figures.keys().collect();
    names.sort_by_key(|name| (group(name), name.to_string()));
    for name in names {
        let Gas {
            uncached,
            uncached_old,
            cached,
        } = figures[name];
        let old = uncached_old.map_or_else(|| "—".to_string(), |g| g.to_string());
        let (reference, delta) = match REFERENCES.iter().find(|(n, _)| n == name) {
            Some((_, r)) => {
                let pct = (cached as f64 - *r as f64) / *r as f64 * 100.0;
                (format!("{r}"), format!("{pct:+.1}%"))
            }
            None => ("—".into(), "—".into()),
        };
        out.push_str(&format!(
            "| {name} | {uncached} | {old} | {cached} | {reference} | {delta} |\n"
        ));
    }
    out
}

fn main() -> Result<()> {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let trace = std::env::args().skip(1).any(|a| a == "--trace");
    let figures = measure_all(trace)?;
    print!("{}", table(&figures));
    let path = snapshot_path();
    if !check {
        let text = serde_json::to_string_pretty(&to_json(&figures))? + "\n";
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let snapshot = from_json(&serde_json::from_str(&text)?)?;
    let mut failures = Vec::new();
    for (name, gas) in &figures {
        let Some(old) = snapshot.get(name) else {
            eprintln!("new operation (not in the snapshot): {name}");
            continue;
        };
        let pairs = [
            ("uncached", Some(gas.uncached), Some(old.uncached)),
            ("uncached ArbOS 40", gas.uncached_old, old.uncached_old),
            ("cached", Some(gas.cached), Some(old.cached)),
        ];
        for (kind, new, old) in pairs {
            match (new, old) {
                (Some(new), Some(old)) if new * 100 > old * (100 + TOLERANCE_PERCENT) => {
                    failures.push(format!("{name} ({kind}): {old} -> {new}"));
                }
                (Some(_), None) => eprintln!("{name} ({kind}): not in the snapshot"),
                _ => {}
            }
        }
    }
    for name in snapshot.keys().filter(|n| !figures.contains_key(*n)) {
        failures.push(format!("{name}: in the snapshot but no longer measured"));
    }
    if !failures.is_empty() {
        bail!(
            "gas rose more than {TOLERANCE_PERCENT}% over {} (regenerate it in the same change if intended):\n  {}",
            path.display(),
            failures.join("\n  ")
        );
    }
    eprintln!("gas within {TOLERANCE_PERCENT}% of {}", path.display());
    Ok(())
}
