//! Stylus chain parameters (ArbOS `StylusParams`), ink prices and the memory model.
//!
//! Values are those of a fresh chain such as nitro-devnode, at the ArbOS version the chain runs
//! ([`ArbosVersion`]); every figure cites the nitro source it comes from.

/// Stylus version reported by `ArbWasm.stylusVersion()` and stamped on activated programs.
pub const STYLUS_VERSION: u16 = 2;
/// Price of ink in basis points of gas: `1 gas = 10_000 ink`.
pub const INK_PRICE: u32 = 10_000;
/// Ink per unit of gas at [`INK_PRICE`].
pub const INK_PER_GAS: u64 = 10_000;
/// Maximum WASM stack depth before ArbOS 50 (`ArbWasm.maxStackDepth()`; nitro
/// `arbos/programs/params.go` `initialStackDepth = 4 * 65536`).
pub const MAX_STACK_DEPTH: u32 = 4 * 65_536;
/// Maximum WASM stack depth from ArbOS 50 on (nitro `arbos/programs/params.go`
/// `arbOS50MaxWasmSize = 22000`, applied by `UpgradeToArbosVersion(ArbosVersion_50)`).
pub const MAX_STACK_DEPTH_ARBOS_50: u32 = 22_000;

/// An ArbOS version, as reported by `ArbSys.arbOSVersion() - 55`.
pub type ArbosVersion = u64;
/// The ArbOS version the devnet runs unless configured otherwise: the one Arbitrum One runs
/// (ArbOS 61 "Elara", active on Arbitrum One since 2026-08-20 per docs.arbitrum.io's
/// `arbos-releases/arbos61` page; see the README).
pub const DEFAULT_ARBOS_VERSION: ArbosVersion = 61;
/// The oldest ArbOS version the devnet models (Stylus v2, `MaxWasmSize` stored).
pub const MIN_ARBOS_VERSION: ArbosVersion = 40;
/// From this version on a per-block LRU of [`BLOCK_CACHE_SIZE`] recent programs makes a
/// re-entered program pay the cached init cost (nitro `arbos/programs/programs.go`
/// `CallProgram`: `if p.ArbosVersion >= params.ArbosVersion_60 { recentWasmsCacheHit = ... }`).
pub const ARBOS_VERSION_RECENT_WASMS: ArbosVersion = 60;
/// From this version on the stack depth is [`MAX_STACK_DEPTH_ARBOS_50`] (nitro
/// `arbos/programs/params.go` `UpgradeToArbosVersion`, `case params.ArbosVersion_50`).
pub const ARBOS_VERSION_STACK_22000: ArbosVersion = 50;

/// `ArbWasm.maxStackDepth()` at ArbOS `version`.
pub fn max_stack_depth(version: ArbosVersion) -> u32 {
    if version >= ARBOS_VERSION_STACK_22000 {
        MAX_STACK_DEPTH_ARBOS_50
    } else {
        MAX_STACK_DEPTH
    }
}

/// Whether ArbOS `version` has the per-block recent-programs cache.
pub fn has_recent_wasms(version: ArbosVersion) -> bool {
    version >= ARBOS_VERSION_RECENT_WASMS
}
/// Pages a transaction may open for free (`ArbWasm.freePages()`).
pub const FREE_PAGES: u16 = 2;
/// Linear gas per page beyond the free ones (`ArbWasm.pageGas()`).
pub const PAGE_GAS: u16 = 1_000;
/// Exponential page-price ramp (`ArbWasm.pageRamp()`).
pub const PAGE_RAMP: u64 = 620_674_314;
/// Maximum pages a transaction may have open (`ArbWasm.pageLimit()`).
pub const PAGE_LIMIT: u16 = 128;
/// Minimum init gas, in units of [`MIN_INIT_GAS_UNITS`] (v2 value).
pub const MIN_INIT_GAS: u8 = 69;
/// Minimum cached init gas, in units of [`MIN_CACHED_GAS_UNITS`].
pub const MIN_CACHED_INIT_GAS: u8 = 11;
/// Scalar applied to a program's init cost, in units of [`COST_SCALAR_PERCENT`].
pub const INIT_COST_SCALAR: u8 = 50;
/// Scalar applied to a program's cached init cost, in units of [`COST_SCALAR_PERCENT`].
pub const CACHED_COST_SCALAR: u8 = 50;
/// Days until an activated program expires (`ArbWasm.expiryDays()`).
pub const EXPIRY_DAYS: u16 = 365;
/// Days before a program may be kept alive again (`ArbWasm.keepaliveDays()`).
pub const KEEPALIVE_DAYS: u16 = 31;
/// Programs remembered per block for cheaper re-entry (`ArbWasm.blockCacheSize()`).
pub const BLOCK_CACHE_SIZE: u16 = 32;
/// Multiplier of [`MIN_INIT_GAS`].
pub const MIN_INIT_GAS_UNITS: u64 = 128;
/// Multiplier of [`MIN_CACHED_INIT_GAS`].
pub const MIN_CACHED_GAS_UNITS: u64 = 32;
/// Multiplier of the cost scalars (percent).
pub const COST_SCALAR_PERCENT: u64 = 2;
/// Unix time at which nitro counts "hours since Arbitrum began" for `activatedAt`.
pub const ARBITRUM_START_TIME: u64 = 1_421_388_000;

/// Ink of any hostio (`arbutil::pricing::HOSTIO_INK`).
pub const HOSTIO_INK: u64 = 8_400;
/// Extra ink per pointer argument (`PTR_INK`).
pub const PTR_INK: u64 = 13_440 - HOSTIO_INK;
/// Extra ink of hostios that reach into the EVM (`EVM_API_INK`).
pub const EVM_API_INK: u64 = 59_673;
/// Extra ink of `math_div` / `math_mod`.
pub const DIV_INK: u64 = 20_000;
/// Extra ink of `math_mul_mod`.
pub const MUL_MOD_INK: u64 = 24_100;
/// Extra ink of `math_add_mod`.
pub const ADD_MOD_INK: u64 = 21_000;

/// EIP-2929 cold `SLOAD` gas.
pub const COLD_SLOAD_GAS: u64 = 2_100;
/// EIP-2929 cold account access gas.
pub const COLD_ACCOUNT_GAS: u64 = 2_600;
/// EIP-2929 warm access gas.
pub const WARM_ACCESS_GAS: u64 = 100;
/// EIP-2200 `SSTORE` sentry: stores need more than this much gas left.
pub const SSTORE_SENTRY_GAS: u64 = 2_300;
/// EIP-1153 `TLOAD` / `TSTORE` gas.
pub const TRANSIENT_GAS: u64 = 100;
/// Gas of a `LOG` per topic and base.
pub const LOG_TOPIC_GAS: u64 = 375;
/// Gas of a `LOG` per data byte.
pub const LOG_DATA_GAS: u64 = 8;
/// Keccak gas per word.
pub const KECCAK_WORD_GAS: u64 = 6;
/// `CALL` value-transfer gas.
pub const CALL_VALUE_GAS: u64 = 9_000;
/// Extra gas of `account_code` / `account_code_size` (geth's `WasmAccountTouchCost` with
/// code: `MaxCodeSize / 24576 * params.ExtcodeSizeGasEIP150`, 700 at the default code size).
pub const EXTCODE_GAS: u64 = 700;
/// `CALL` new-account gas.
pub const NEW_ACCOUNT_GAS: u64 = 25_000;
/// Stipend given to value-bearing calls. Nitro charges it to the calling program (the cost
/// is `baseCost + gas - returnGas` with `gas` including the stipend: nitro
/// `arbos/programs/api.go` `doCall`).
pub const CALL_STIPEND: u64 = 2_300;
/// `CREATE` base gas.
pub const CREATE_GAS: u64 = 32_000;
/// EIP-3860 gas per init-code word. Not charged to programs: nitro's `create` closure
/// (`arbos/programs/api.go`) charges `CreateGas` plus, for `CREATE2`, keccak words only.
pub const INITCODE_WORD_GAS: u64 = 2;
/// EIP-3860 maximum init-code size.
pub const MAX_INITCODE_SIZE: usize = 2 * 24_576;
/// EVM memory gas per word (used to price returned data as nitro does).
pub const MEMORY_GAS: u64 = 3;

/// Number of 32-byte words needed for `bytes`.
pub fn words(bytes: u64) -> u64 {
    bytes.div_ceil(32)
}

/// Gas for `size` bytes of EVM memory (linear plus quadratic term), as nitro charges for
/// data a program returns.
pub fn evm_memory_cost(size: u64) -> u64 {
    let words = words(size);
    words
        .saturating_mul(MEMORY_GAS)
        .saturating_add(words.saturating_mul(words) / 512)
}

/// Gas to start a program: nitro's `Program.initGas` / `cachedGas`.
pub fn program_call_gas(init_cost: u16, cached_cost: u16, cached: bool) -> u64 {
    let cached_gas = u64::from(MIN_CACHED_INIT_GAS) * MIN_CACHED_GAS_UNITS
        + (u64::from(cached_cost) * u64::from(CACHED_COST_SCALAR) * COST_SCALAR_PERCENT)
            .div_ceil(100);
    if cached {
        return cached_gas;
    }
    let init_gas = u64::from(MIN_INIT_GAS) * MIN_INIT_GAS_UNITS
        + (u64::from(init_cost) * u64::from(INIT_COST_SCALAR) * COST_SCALAR_PERCENT).div_ceil(100);
    // From Stylus v2 on, the cached cost is always paid on top of the init cost.
    init_gas + cached_gas
}

/// Nitro's memory model: the first [`FREE_PAGES`] of a transaction are free, then each page
/// costs [`PAGE_GAS`] plus an exponential term on the transaction's high-water mark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageCounters {
    /// Pages currently open across the program frames of this transaction.
    pub open: u16,
    /// Most pages ever open at once in this transaction.
    pub ever: u16,
}

impl PageCounters {
    /// Gas to open `new` more pages; also records them as open.
    pub fn open_pages(&mut self, new: u16) -> u64 {
        let cost = memory_gas_cost(new, self.open, self.ever);
        self.open = self.open.saturating_add(new);
        self.ever = self.ever.max(self.open);
        cost
    }
}

/// Gas of allocating `new` pages when `open` are active and `ever` have been (nitro's
/// `MemoryModel.GasCost`).
pub fn memory_gas_cost(new: u16, open: u16, ever: u16) -> u64 {
    let new_open = open.saturating_add(new);
    let new_ever = ever.max(new_open);
    if new_ever <= FREE_PAGES {
        return 0;
    }
    let sub_free = |pages: u16| pages.saturating_sub(FREE_PAGES);
    let adding = sub_free(new_open).saturating_sub(sub_free(open));
    let linear = u64::from(adding) * u64::from(PAGE_GAS);
    let expand = memory_exp(new_ever).saturating_sub(memory_exp(ever));
    linear.saturating_add(expand)
}

fn memory_exp(pages: u16) -> u64 {
    MEMORY_EXPONENTS
        .get(usize::from(pages))
        .map_or(u64::MAX, |&x| u64::from(x))
}

/// nitro's `memoryExponents` table (gas of the exponential term at each page count).
const MEMORY_EXPONENTS: [u32; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1117, 1279, 1463, 1675, 1917, 2194, 2511, 2874, 3290, 3765, 4309, 4932,
    5645, 6461, 7395, 8464, 9687, 11087, 12689, 14523, 16621, 19024, 21773, 24919, 28521, 32642,
    37359, 42758, 48938, 56010, 64104, 73368, 83971, 96106, 109994, 125890, 144082, 164904, 188735,
    216010, 247226, 282953, 323844, 370643, 424206, 485509, 555672, 635973, 727880, 833067, 953456,
    1091243, 1248941, 1429429, 1636000, 1872423, 2143012, 2452704, 2807151, 3212820, 3677113,
    4208502, 4816684, 5512756, 6309419, 7221210, 8264766, 9459129, 10826093, 12390601, 14181199,
    16230562, 18576084, 21260563, 24332984, 27849408, 31873999,
];

/// Hours since Arbitrum began, as stored in a program's `activatedAt` (24 bits).
///
/// At least 1: nitro reads 0 as "never activated", and a devnet clock may start before 2015.
pub fn hours_since_arbitrum(time: u64) -> u32 {
    let hours = time.saturating_sub(ARBITRUM_START_TIME) / 3600;
    u32::try_from(hours)
        .unwrap_or(u32::MAX)
        .clamp(1, 0x00FF_FFFF)
}

/// Seconds since a program stamped with `activated_at` hours was activated.
pub fn program_age(time: u64, activated_at: u32) -> u64 {
    time.saturating_sub(u64::from(activated_at) * 3600 + ARBITRUM_START_TIME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_model_matches_nitro() {
        // Free pages cost nothing.
        assert_eq!(memory_gas_cost(2, 0, 0), 0);
        // One page beyond the free ones: linear plus the exponential step from 0 to 3 pages.
        assert_eq!(memory_gas_cost(3, 0, 0), 1000);
        // Re-opening pages below the high-water mark only pays the linear part.
        assert_eq!(memory_gas_cost(1, 2, 10), 1000);
        let mut pages = PageCounters::default();
        assert_eq!(pages.open_pages(1), 0);
        assert_eq!(pages.open_pages(3), 2000 + memory_exp(4) - memory_exp(1));
        assert_eq!(pages, PageCounters { open: 4, ever: 4 });
    }

    #[test]
    fn init_gas() {
        let cached = program_call_gas(0, 0, true);
        assert_eq!(cached, 11 * 32);
        assert_eq!(program_call_gas(0, 0, false), 69 * 128 + 11 * 32);
        assert_eq!(
            program_call_gas(100, 100, false),
            69 * 128 + 100 + 11 * 32 + 100
        );
    }

    #[test]
    fn activation_hours() {
        assert_eq!(
            hours_since_arbitrum(0),
            1,
            "early clocks still count as activated"
        );
        assert_eq!(hours_since_arbitrum(ARBITRUM_START_TIME + 7_200), 2);
        assert_eq!(program_age(ARBITRUM_START_TIME + 7_300, 2), 100);
        assert_eq!(program_age(5, 1), 0);
    }

    #[test]
    fn evm_memory() {
        assert_eq!(evm_memory_cost(0), 0);
        assert_eq!(evm_memory_cost(32), 3);
        assert_eq!(evm_memory_cost(33), 6);
    }
}
