//! The deployment's parameters, read from TOML (`deploy/devnet.toml`,
//! `deploy/production.example.toml`). Every field has a documented unit;
//! token amounts are decimal strings of **whole tokens** (`"10000000"`,
//! `"0.5"`), converted with the token's decimals (alAsset: 18).

use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};

/// Seconds in the 365-day year the RateController uses for APRs.
pub const YEAR_SECONDS: u64 = 31_536_000;

/// Which kind of chain the deployment targets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// A local devnet: the mocks (reference asset, ERC-4626 vaults, V2 pool)
    /// are deployed and the pool is seeded.
    #[default]
    Devnet,
    /// A real chain: mocks are refused, external addresses required, risky
    /// parameters warned about.
    Production,
}

/// The whole deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `devnet` or `production`.
    #[serde(default)]
    pub profile: Profile,
    /// Roles (owner, guardian, treasury).
    #[serde(default)]
    pub roles: Roles,
    /// The alAsset token.
    #[serde(default)]
    pub al_asset: AlAssetConfig,
    /// Minter ceilings on the alAsset.
    #[serde(default)]
    pub minters: Minters,
    /// The Vault (CDP).
    #[serde(default)]
    pub vault: VaultConfig,
    /// The RateController.
    #[serde(default)]
    pub rate_controller: RateControllerConfig,
    /// The PSM.
    #[serde(default)]
    pub psm: PsmConfig,
    /// The Transmuter.
    #[serde(default)]
    pub transmuter: TransmuterConfig,
    /// The TwapOracle.
    #[serde(default)]
    pub oracle: OracleConfig,
    /// Existing contracts the suite plugs into (production).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external: Option<External>,
    /// Test fixtures to deploy (devnet only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mocks: Option<Mocks>,
}

/// Roles. Unset addresses default to the deployer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    /// Final owner of every contract. If it is not the deployer, the tool
    /// starts the two-step transfer (`transferOwnership`); the owner must
    /// call `acceptOwnership` on each contract.
    pub owner: Option<Address>,
    /// Guardian of every contract (pauses entries only).
    pub guardian: Option<Address>,
    /// Treasury: receives fees, interest, surplus and harvests.
    pub treasury: Option<Address>,
}

/// The alAsset token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlAssetConfig {
    /// Name, 1–31 printable ASCII characters.
    pub name: String,
    /// Symbol, 1–31 printable ASCII characters.
    pub symbol: String,
}

impl Default for AlAssetConfig {
    fn default() -> Self {
        Self {
            name: "Alchemix USD".into(),
            symbol: "alUSD".into(),
        }
    }
}

/// Minter ceilings on the alAsset `[whole alAsset]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minters {
    /// The Vault: must cover debt, interest and debt redeemed through the
    /// Transmuter (the Vault's bucket keeps counting it). Default 100,000,000.
    pub vault_ceiling: String,
    /// The PSM: its maximum exposure. Default 10,000,000.
    pub psm_ceiling: String,
    /// The TwapOracle's expansion mints. Default 1,000,000.
    pub oracle_ceiling: String,
}

impl Default for Minters {
    fn default() -> Self {
        Self {
            vault_ceiling: "100000000".into(),
            psm_ceiling: "10000000".into(),
            oracle_ceiling: "1000000".into(),
        }
    }
}

/// Vault parameters (ids of `setParameter` in brackets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultConfig {
    /// [5] Maximum free + paid debt `[whole alAsset]`. Default 10,000,000.
    pub debt_ceiling: String,
    /// [4] Smallest non-zero account debt `[whole alAsset]`. Default 100.
    pub min_debt: String,
    /// [0] Borrow / withdraw limit `[bps]`. Default 9,000.
    pub max_ltv_bps: u64,
    /// [1] Liquidation threshold `[bps]`. Default 9,500.
    pub liquidation_ltv_bps: u64,
    /// [2] Share of the debt one liquidation may repay `[bps]`. Default 5,000.
    pub close_factor_bps: u64,
    /// [3] Liquidation bonus at threshold + 500 bps `[bps]`. Default 500.
    pub max_bonus_bps: u64,
    /// [6] Extra collateral an earmark takes, to the treasury `[bps]`. Default 100.
    pub redemption_fee_bps: u64,
}

impl Default for VaultConfig {
    fn default() -> Self {
        Self {
            debt_ceiling: "10000000".into(),
            min_debt: "100".into(),
            max_ltv_bps: 9_000,
            liquidation_ltv_bps: 9_500,
            close_factor_bps: 5_000,
            max_bonus_bps: 500,
            redemption_fee_bps: 100,
        }
    }
}

/// RateController parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateControllerConfig {
    /// Floor of the paid-debt rate `[bps APR]`. Default 50 (0.5%).
    pub min_apr_bps: u64,
    /// Cap of the paid-debt rate `[bps APR]`, at most 10,000. Default 2,500 (25%).
    pub max_apr_bps: u64,
    /// Half-life of the rate's growth / decay `[seconds]`, 12 h … 30 days. Default 604,800 (7 days).
    pub half_life_seconds: u64,
    /// Lower edge of the target free-debt ratio band `[bps]`. Default 4,000.
    pub band_low_bps: u64,
    /// Upper edge `[bps]`. Default 8,000.
    pub band_high_bps: u64,
}

impl Default for RateControllerConfig {
    fn default() -> Self {
        Self {
            min_apr_bps: 50,
            max_apr_bps: 2_500,
            half_life_seconds: 604_800,
            band_low_bps: 4_000,
            band_high_bps: 8_000,
        }
    }
}

impl RateControllerConfig {
    /// An APR in bps as the controller's per-second WAD rate (rounded down,
    /// as the controller's README defines it).
    pub fn per_second_wad(apr_bps: u64) -> U256 {
        U256::from(apr_bps) * U256::from(100_000_000_000_000u64) / U256::from(YEAR_SECONDS)
    }
}

/// PSM parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PsmConfig {
    /// Buy window `[seconds]` from deployment to the immutability deadline,
    /// at most 4 years (126,230,400). Default 63,115,200 (2 years).
    pub window_seconds: u64,
    /// Inflation guard: minimum psmVault share supply for buys `[shares, base
    /// units]`. On the devnet the tool seeds dead shares and sets it to the
    /// resulting supply when this is 0. Default 0.
    pub min_vault_supply: String,
}

impl Default for PsmConfig {
    fn default() -> Self {
        Self {
            window_seconds: 63_115_200,
            min_vault_supply: "0".into(),
        }
    }
}

/// Transmuter parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransmuterConfig {
    /// Redemption term `[seconds]`, 1 h … 2 years. Default 7,776,000 (90 days).
    pub term_seconds: u64,
    /// Maximum pending alAsset `[whole alAsset]`. Default 5,000,000.
    pub deposit_cap: String,
}

impl Default for TransmuterConfig {
    fn default() -> Self {
        Self {
            term_seconds: 7_776_000,
            deposit_cap: "5000000".into(),
        }
    }
}

/// TwapOracle parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleConfig {
    /// Minimum spacing of samples `[seconds]`, 300 … 10,800. Default 1,800.
    pub sample_interval_seconds: u64,
    /// Samples needed for a sampled epoch TWAP `[count]`. Default 6.
    pub min_samples: u64,
    /// Expansion above 1 + this `[bps]`. Default 100.
    pub upper_band_bps: u64,
    /// Contraction below 1 − this `[bps]`. Default 100.
    pub lower_band_bps: u64,
    /// Expansion mint per unit of TWAP excess `[bps]`. Default 200.
    pub expansion_factor_bps: u64,
    /// Cap of one epoch's expansion `[bps of supply]`. Default 10.
    pub max_expansion_rate_bps: u64,
    /// Receives expansion mints; defaults to the treasury.
    pub expansion_recipient: Option<Address>,
}

impl Default for OracleConfig {
    fn default() -> Self {
        Self {
            sample_interval_seconds: 1_800,
            min_samples: 6,
            upper_band_bps: 100,
            lower_band_bps: 100,
            expansion_factor_bps: 200,
            max_expansion_rate_bps: 10,
            expansion_recipient: None,
        }
    }
}

/// Existing contracts (production).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct External {
    /// The Vault's collateral: an ERC-4626 over the reference asset.
    pub collateral: Address,
    /// The PSM's reference asset (e.g. USDC).
    pub psm_asset: Address,
    /// The PSM's ERC-4626 over `psm_asset`, or none to hold the asset.
    pub psm_vault: Option<Address>,
    /// The V2-style alAsset / reference-asset pair the oracle reads; it must
    /// exist and hold liquidity before the oracle is deployed.
    pub pool: Address,
}

/// Test fixtures (devnet only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mocks {
    /// Reference asset name. Default "USD Coin".
    pub asset_name: String,
    /// Reference asset symbol. Default "USDC".
    pub asset_symbol: String,
    /// Reference asset decimals (6, 8 or 18). Default 6.
    pub asset_decimals: u8,
    /// Virtual-share offset of the mock ERC-4626 vaults `[decimals]`. Default 0.
    pub vault_decimals_offset: u8,
    /// Give the PSM an ERC-4626 vault (else it holds the asset). Default true.
    pub psm_vault: bool,
    /// alAsset and asset each put in the V2 pool at 1.00 `[whole tokens]`;
    /// the alAsset is bought through the PSM. Default 1,000,000.
    pub pool_liquidity: String,
}

impl Default for Mocks {
    fn default() -> Self {
        Self {
            asset_name: "USD Coin".into(),
            asset_symbol: "USDC".into(),
            asset_decimals: 6,
            vault_decimals_offset: 0,
            psm_vault: true,
            pool_liquidity: "1000000".into(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::devnet_default()
    }
}

/// A configuration that cannot be deployed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

fn bad(message: impl Into<String>) -> ConfigError {
    ConfigError(message.into())
}

/// `amount` whole tokens (a decimal string, e.g. `"1000.5"`) in base units
/// of a `decimals`-decimal token.
///
/// # Errors
/// Not a non-negative decimal number, more fraction digits than `decimals`,
/// or out of range.
pub fn parse_units(amount: &str, decimals: u8) -> Result<U256, ConfigError> {
    let amount = amount.trim().replace('_', "");
    let (whole, fraction) = amount.split_once('.').unwrap_or((&amount, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(bad(format!("{amount:?} is not a decimal amount")));
    }
    if fraction.len() > usize::from(decimals) {
        return Err(bad(format!(
            "{amount:?} has more than {decimals} decimal places"
        )));
    }
    let padded = format!("{whole}{fraction:0<width$}", width = usize::from(decimals));
    let padded = padded.trim_start_matches('0');
    if padded.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(padded, 10).map_err(|_| bad(format!("{amount:?} is out of range")))
}

impl Config {
    /// The devnet configuration (`deploy/devnet.toml`): every default, the
    /// mocks with a 1,000,000 / 1,000,000 pool.
    pub fn devnet_default() -> Self {
        Self {
            profile: Profile::Devnet,
            roles: Roles::default(),
            al_asset: AlAssetConfig::default(),
            minters: Minters::default(),
            vault: VaultConfig::default(),
            rate_controller: RateControllerConfig::default(),
            psm: PsmConfig::default(),
            transmuter: TransmuterConfig::default(),
            oracle: OracleConfig::default(),
            external: None,
            mocks: Some(Mocks::default()),
        }
    }

    /// Parses a TOML configuration and validates it ([`Config::check`]).
    ///
    /// # Errors
    /// Bad TOML, unknown keys, or an invalid configuration.
    pub fn from_toml(text: &str) -> Result<(Self, Vec<String>), ConfigError> {
        let config: Self = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let warnings = config.check()?;
        Ok((config, warnings))
    }

    /// The configuration as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks the configuration: errors for what cannot be deployed (and for
    /// mocks in production), warnings for risky production parameters.
    ///
    /// # Errors
    /// The first problem found.
    pub fn check(&self) -> Result<Vec<String>, ConfigError> {
        for (what, amount) in [
            ("minters.vault_ceiling", &self.minters.vault_ceiling),
            ("minters.psm_ceiling", &self.minters.psm_ceiling),
            ("minters.oracle_ceiling", &self.minters.oracle_ceiling),
            ("vault.debt_ceiling", &self.vault.debt_ceiling),
            ("vault.min_debt", &self.vault.min_debt),
            ("transmuter.deposit_cap", &self.transmuter.deposit_cap),
        ] {
            parse_units(amount, 18).map_err(|e| bad(format!("{what}: {}", e.0)))?;
        }
        parse_units(&self.psm.min_vault_supply, 0)
            .map_err(|e| bad(format!("psm.min_vault_supply: {}", e.0)))?;
        for (what, text) in [
            ("al_asset.name", &self.al_asset.name),
            ("al_asset.symbol", &self.al_asset.symbol),
        ] {
            if text.is_empty()
                || text.len() > 31
                || !text.bytes().all(|b| (0x20..0x7f).contains(&b))
            {
                return Err(bad(format!(
                    "{what} must be 1-31 printable ASCII characters"
                )));
            }
        }
        let v = &self.vault;
        if !(1..v.liquidation_ltv_bps).contains(&v.max_ltv_bps) || v.liquidation_ltv_bps >= 10_000 {
            return Err(bad(
                "vault: need 1 <= max_ltv_bps < liquidation_ltv_bps < 10000",
            ));
        }
        if !(1..=10_000).contains(&v.close_factor_bps)
            || v.max_bonus_bps > 2_000
            || v.redemption_fee_bps > 1_000
        {
            return Err(bad("vault: close_factor_bps 1..=10000, max_bonus_bps <= 2000, redemption_fee_bps <= 1000"));
        }
        let r = &self.rate_controller;
        if r.min_apr_bps == 0 || r.min_apr_bps > r.max_apr_bps || r.max_apr_bps > 10_000 {
            return Err(bad(
                "rate_controller: need 0 < min_apr_bps <= max_apr_bps <= 10000",
            ));
        }
        if !(43_200..=2_592_000).contains(&r.half_life_seconds) {
            return Err(bad(
                "rate_controller.half_life_seconds must be 43200..=2592000",
            ));
        }
        if !(500 <= r.band_low_bps && r.band_low_bps <= r.band_high_bps && r.band_high_bps <= 9_500)
        {
            return Err(bad(
                "rate_controller: need 500 <= band_low_bps <= band_high_bps <= 9500",
            ));
        }
        if self.psm.window_seconds == 0 || self.psm.window_seconds > 126_230_400 {
            return Err(bad("psm.window_seconds must be 1..=126230400 (4 years)"));
        }
        if !(3_600..=2 * YEAR_SECONDS).contains(&self.transmuter.term_seconds) {
            return Err(bad("transmuter.term_seconds must be 3600..=63072000"));
        }
        let o = &self.oracle;
        if !(300..=10_800).contains(&o.sample_interval_seconds)
            || o.min_samples == 0
            || o.min_samples > 21_600 / o.sample_interval_seconds
        {
            return Err(bad(
                "oracle: sample_interval_seconds 300..=10800, min_samples 1..=21600/interval",
            ));
        }
        if !(1..=1_000).contains(&o.upper_band_bps)
            || !(1..=1_000).contains(&o.lower_band_bps)
            || o.expansion_factor_bps > 10_000
            || o.max_expansion_rate_bps > 100
        {
            return Err(bad("oracle: bands 1..=1000 bps, expansion_factor_bps <= 10000, max_expansion_rate_bps <= 100"));
        }
        match (self.profile, &self.mocks, &self.external) {
            (Profile::Production, Some(_), _) => {
                return Err(bad(
                    "the production profile refuses mocks: remove the [mocks] section and give [external] addresses",
                ))
            }
            (Profile::Production, None, None) => {
                return Err(bad("the production profile needs an [external] section"))
            }
            (_, Some(_), Some(_)) => {
                return Err(bad("give either [mocks] or [external], not both"))
            }
            (Profile::Devnet, None, None) => {
                return Err(bad("the devnet profile needs [mocks] (or [external] addresses)"))
            }
            _ => {}
        }
        if let Some(mocks) = &self.mocks {
            if ![6, 8, 18].contains(&mocks.asset_decimals) || mocks.vault_decimals_offset > 18 {
                return Err(bad(
                    "mocks: asset_decimals 6, 8 or 18; vault_decimals_offset <= 18",
                ));
            }
            parse_units(&mocks.pool_liquidity, 0)
                .map_err(|e| bad(format!("mocks.pool_liquidity (whole tokens): {}", e.0)))?;
        }
        if let Some(external) = &self.external {
            if [external.collateral, external.psm_asset, external.pool].contains(&Address::ZERO) {
                return Err(bad(
                    "external: collateral, psm_asset and pool must be non-zero",
                ));
            }
        }
        Ok(if self.profile == Profile::Production {
            self.risks()
        } else {
            Vec::new()
        })
    }

    /// Warnings about parameters that are deployable but risky on a real chain.
    fn risks(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let mut warn = |condition: bool, message: &str| {
            if condition {
                warnings.push(message.to_owned());
            }
        };
        let amount = |s: &str| parse_units(s, 18).unwrap_or_default();
        warn(self.roles.owner.is_none(), "roles.owner unset: the deployer key keeps ownership of every contract (use a multisig)");
        warn(
            self.roles.guardian.is_none(),
            "roles.guardian unset: the deployer is the only one who can pause entries",
        );
        warn(
            self.roles.treasury.is_none(),
            "roles.treasury unset: fees and interest go to the deployer",
        );
        warn(
            amount(&self.minters.vault_ceiling) < amount(&self.vault.debt_ceiling) * U256::from(2u8),
            "minters.vault_ceiling below twice vault.debt_ceiling: interest and Transmuter-redeemed debt also count against it, borrowing may stop early",
        );
        warn(
            self.vault.max_ltv_bps > 9_000,
            "vault.max_ltv_bps above 90%: little room before liquidation",
        );
        warn(
            self.vault.liquidation_ltv_bps - self.vault.max_ltv_bps < 300,
            "vault: under 3% between max_ltv_bps and liquidation_ltv_bps",
        );
        warn(self.vault.liquidation_ltv_bps + self.vault.max_bonus_bps >= 10_000, "vault: liquidation threshold + bonus reach 100%: liquidations may create bad debt immediately");
        warn(self.vault.redemption_fee_bps == 0, "vault.redemption_fee_bps is 0: redemptions cost borrowers nothing extra but protect nobody");
        warn(
            self.rate_controller.max_apr_bps > 5_000,
            "rate_controller.max_apr_bps above 50% APR",
        );
        warn(
            self.psm.window_seconds < 30 * 86_400,
            "psm.window_seconds under 30 days: buys end (and the fee ramps) quickly",
        );
        warn(
            self.psm.min_vault_supply.trim() == "0"
                && self.external.as_ref().is_some_and(|e| e.psm_vault.is_some()),
            "psm.min_vault_supply is 0 with a psm vault: the inflation guard is off (seed dead shares and set it)",
        );
        warn(
            self.transmuter.term_seconds < 7 * 86_400,
            "transmuter.term_seconds under 7 days",
        );
        warn(
            self.oracle.min_samples < 3,
            "oracle.min_samples under 3: epoch TWAPs rest on few samples",
        );
        warn(
            self.oracle.max_expansion_rate_bps > 10,
            "oracle.max_expansion_rate_bps above 0.10% of supply per epoch",
        );
        warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_parse_exactly() {
        assert_eq!(parse_units("1", 6).unwrap(), U256::from(1_000_000u64));
        assert_eq!(parse_units("1.5", 6).unwrap(), U256::from(1_500_000u64));
        assert_eq!(parse_units("10_000", 0).unwrap(), U256::from(10_000u64));
        assert_eq!(parse_units("0.000001", 6).unwrap(), U256::from(1u64));
        assert_eq!(parse_units("0", 18).unwrap(), U256::ZERO);
        assert!(parse_units("0.0000001", 6).is_err());
        assert!(parse_units("-1", 6).is_err());
        assert!(parse_units("1e6", 6).is_err());
        assert!(parse_units("", 6).is_err());
        assert!(parse_units("1".repeat(90).as_str(), 18).is_err());
    }

    #[test]
    fn apr_to_per_second_matches_the_controller_defaults() {
        assert_eq!(
            RateControllerConfig::per_second_wad(50),
            U256::from(158_548_959u64)
        );
        assert_eq!(
            RateControllerConfig::per_second_wad(2_500),
            U256::from(7_927_447_995u64)
        );
    }

    #[test]
    fn the_shipped_files_parse() {
        let (devnet, warnings) = Config::from_toml(include_str!("../devnet.toml")).unwrap();
        assert_eq!(devnet, Config::devnet_default());
        assert!(warnings.is_empty());
        let (production, warnings) =
            Config::from_toml(include_str!("../production.example.toml")).unwrap();
        assert_eq!(production.profile, Profile::Production);
        assert!(production.mocks.is_none());
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn production_refuses_mocks_and_warns() {
        let mut config = Config::devnet_default();
        config.profile = Profile::Production;
        let error = config.check().unwrap_err();
        assert!(error.0.contains("refuses mocks"), "{error}");
        config.mocks = None;
        config.external = Some(External {
            collateral: Address::repeat_byte(1),
            psm_asset: Address::repeat_byte(2),
            psm_vault: None,
            pool: Address::repeat_byte(3),
        });
        config.vault.max_ltv_bps = 9_400;
        let warnings = config.check().unwrap();
        assert!(
            warnings.iter().any(|w| w.contains("roles.owner")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("max_ltv_bps above 90%")),
            "{warnings:?}"
        );
        let (_, devnet_warnings) = Config::from_toml(&Config::devnet_default().to_toml()).unwrap();
        assert!(devnet_warnings.is_empty());
    }

    #[test]
    fn invalid_parameters_are_rejected_with_the_field_named() {
        let mut config = Config::devnet_default();
        config.vault.max_ltv_bps = 9_600;
        assert!(config.check().unwrap_err().0.contains("max_ltv_bps"));
        let mut config = Config::devnet_default();
        config.vault.debt_ceiling = "ten".into();
        assert!(config.check().unwrap_err().0.contains("vault.debt_ceiling"));
        assert!(Config::from_toml("profile = \"devnet\"\nunknown_key = 1").is_err());
    }
}
