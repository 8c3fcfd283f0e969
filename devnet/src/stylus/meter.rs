//! Ink metering of WASM execution.
//!
//! Nitro charges each WASM instruction ink by its `pricing_v1` table, summed per basic block
//! by an instrumentation pass. Two meters implement [`InkMeter`]:
//!
//! - [`NitroMeter`] (the default) applies nitro's instrumentation itself
//!   ([`super::instrument`]): per-basic-block headers charging the exact `pricing_v1` ink plus
//!   nitro's header cost against an `i64` ink global, per-byte ink for `memory.fill` /
//!   `memory.copy`, and `pay_for_memory_grow` before `memory.grow`. Ink is exact.
//! - [`ApproximateMeter`] uses wasmi's fuel as the ink counter: one unit of fuel is
//!   [`INK_PER_FUEL`] ink, with nitro's prices divided by [`INK_PER_FUEL`] (rounded, capped at
//!   255 by wasmi's table width) and no header cost. Kept for comparison.
//!
//! Host functions charge their nitro ink and gas through the same counter ([`InkCounter`]).

use wasmi::{CompilationMode, Config, OperatorCost};

use crate::params::INK_PER_GAS;

/// Ink per unit of wasmi fuel.
pub const INK_PER_FUEL: u64 = 100;
/// Fuel per unit of gas.
pub const FUEL_PER_GAS: u64 = INK_PER_GAS / INK_PER_FUEL;

/// Converts ink to fuel, rounding up.
pub fn ink_to_fuel(ink: u64) -> u64 {
    ink.div_ceil(INK_PER_FUEL)
}

/// Where a program's ink counter lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InkCounter {
    /// wasmi's fuel, [`INK_PER_FUEL`] ink per unit.
    Fuel,
    /// The `stylus_ink_left` / `stylus_ink_status` globals the instrumentation exports.
    Globals,
}

/// How WASM execution is charged. See the module documentation.
pub trait InkMeter: Send + Sync {
    /// Configures the engine (fuel metering, operator costs).
    fn configure(&self, config: &mut Config);

    /// Where the ink counter of instrumented programs lives. The default is wasmi's fuel.
    fn counter(&self) -> InkCounter {
        InkCounter::Fuel
    }

    /// Rewrites a validated program before compilation. The default keeps it unchanged.
    ///
    /// # Errors
    ///
    /// A reason the program cannot be instrumented.
    fn instrument(&self, wasm: &[u8]) -> Result<Vec<u8>, String> {
        Ok(wasm.to_vec())
    }
}

/// Nitro's exact metering: the module is instrumented as nitro instruments it (see
/// [`super::instrument`]) and the ink lives in its `stylus_ink_left` global.
#[derive(Clone, Copy, Debug, Default)]
pub struct NitroMeter;

impl InkMeter for NitroMeter {
    fn configure(&self, config: &mut Config) {
        // No fuel: the instrumentation meters. Functions are translated on first use, which
        // costs no ink here.
        config
            .consume_fuel(false)
            .compilation_mode(CompilationMode::LazyTranslation);
    }

    fn counter(&self) -> InkCounter {
        InkCounter::Globals
    }

    fn instrument(&self, wasm: &[u8]) -> Result<Vec<u8>, String> {
        super::instrument::instrument(wasm)
    }
}

/// Per-operator fuel from nitro's `pricing_v1` ink table (see the module documentation).
#[derive(Clone, Copy, Debug, Default)]
pub struct ApproximateMeter;

impl InkMeter for ApproximateMeter {
    fn configure(&self, config: &mut Config) {
        config
            .consume_fuel(true)
            .operator_cost(pricing_v1())
            // Eager compilation: lazy compilation would charge fuel for translating a function
            // on first use, making gas depend on what ran before.
            .compilation_mode(CompilationMode::Eager);
    }
}

/// Fuel of an operator whose nitro price is `ink`.
const fn fuel(ink: u64) -> u8 {
    let fuel = (ink + INK_PER_FUEL / 2) / INK_PER_FUEL;
    if fuel > 255 {
        255
    } else {
        fuel as u8
    }
}

/// Nitro's `pricing_v1`, in fuel. Operators nitro rejects (floats, SIMD, tables, ...) never
/// reach execution because activation rejects them.
// Assignments read like nitro's table, grouped by price.
#[allow(clippy::field_reassign_with_default)]
fn pricing_v1() -> OperatorCost {
    let mut c = OperatorCost::default();
    c.unreachable = fuel(1);
    c.nop = fuel(1);
    c.block = fuel(1);
    c.loop_ = fuel(1);
    c.else_ = fuel(1);
    c.end = fuel(1);
    c.return_ = fuel(1);
    c.i32_const = fuel(1);
    c.i64_const = fuel(1);
    c.drop = fuel(9);
    c.br = fuel(765);
    c.br_if = fuel(765);
    c.if_ = fuel(765);
    c.select = fuel(1250);
    c.typed_select = fuel(1250);
    c.call = fuel(3800);
    c.call_indirect = fuel(13_610);
    c.br_table = fuel(2400);
    c.local_get = fuel(75);
    c.local_tee = fuel(75);
    c.local_set = fuel(210);
    c.global_get = fuel(225);
    c.global_set = fuel(575);
    for load in [
        &mut c.i32_load,
        &mut c.i32_load8_s,
        &mut c.i32_load8_u,
        &mut c.i32_load16_s,
        &mut c.i32_load16_u,
    ] {
        *load = fuel(670);
    }
    for load in [
        &mut c.i64_load,
        &mut c.i64_load8_s,
        &mut c.i64_load8_u,
        &mut c.i64_load16_s,
        &mut c.i64_load16_u,
        &mut c.i64_load32_s,
        &mut c.i64_load32_u,
    ] {
        *load = fuel(680);
    }
    for store in [&mut c.i32_store, &mut c.i32_store8, &mut c.i32_store16] {
        *store = fuel(825);
    }
    for store in [
        &mut c.i64_store,
        &mut c.i64_store8,
        &mut c.i64_store16,
        &mut c.i64_store32,
    ] {
        *store = fuel(950);
    }
    c.memory_size = fuel(3000);
    c.memory_grow = fuel(1);
    for cmp in [
        &mut c.i32_eqz,
        &mut c.i32_eq,
        &mut c.i32_ne,
        &mut c.i32_lt_s,
        &mut c.i32_lt_u,
        &mut c.i32_gt_s,
        &mut c.i32_gt_u,
        &mut c.i32_le_s,
        &mut c.i32_le_u,
        &mut c.i32_ge_s,
        &mut c.i32_ge_u,
    ] {
        *cmp = fuel(170);
    }
    for cmp in [
        &mut c.i64_eqz,
        &mut c.i64_eq,
        &mut c.i64_ne,
        &mut c.i64_lt_s,
        &mut c.i64_lt_u,
        &mut c.i64_gt_s,
        &mut c.i64_gt_u,
        &mut c.i64_le_s,
        &mut c.i64_le_u,
        &mut c.i64_ge_s,
        &mut c.i64_ge_u,
    ] {
        *cmp = fuel(225);
    }
    c.i32_clz = fuel(210);
    c.i32_ctz = fuel(210);
    c.i32_add = fuel(70);
    c.i32_sub = fuel(70);
    c.i32_mul = fuel(160);
    for div in [
        &mut c.i32_div_s,
        &mut c.i32_div_u,
        &mut c.i32_rem_s,
        &mut c.i32_rem_u,
    ] {
        *div = fuel(1120);
    }
    for bit in [
        &mut c.i32_and,
        &mut c.i32_or,
        &mut c.i32_xor,
        &mut c.i32_shl,
        &mut c.i32_shr_s,
        &mut c.i32_shr_u,
        &mut c.i32_rotl,
        &mut c.i32_rotr,
    ] {
        *bit = fuel(70);
    }
    c.i64_clz = fuel(210);
    c.i64_ctz = fuel(210);
    c.i64_add = fuel(100);
    c.i64_sub = fuel(100);
    c.i64_mul = fuel(160);
    for div in [
        &mut c.i64_div_s,
        &mut c.i64_div_u,
        &mut c.i64_rem_s,
        &mut c.i64_rem_u,
    ] {
        *div = fuel(1270);
    }
    for bit in [
        &mut c.i64_and,
        &mut c.i64_or,
        &mut c.i64_xor,
        &mut c.i64_shl,
        &mut c.i64_shr_s,
        &mut c.i64_shr_u,
        &mut c.i64_rotl,
        &mut c.i64_rotr,
    ] {
        *bit = fuel(100);
    }
    c.i32_popcnt = fuel(2650);
    c.i64_popcnt = fuel(6000);
    for ext in [
        &mut c.i32_wrap_i64,
        &mut c.i64_extend_i32_s,
        &mut c.i64_extend_i32_u,
        &mut c.i32_extend8_s,
        &mut c.i32_extend16_s,
        &mut c.i64_extend8_s,
        &mut c.i64_extend16_s,
        &mut c.i64_extend32_s,
    ] {
        *ext = fuel(100);
    }
    c.memory_copy = fuel(950);
    c.memory_fill = fuel(950);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(FUEL_PER_GAS, 100);
        assert_eq!(ink_to_fuel(0), 0);
        assert_eq!(ink_to_fuel(1), 1);
        assert_eq!(ink_to_fuel(8400), 84);
        assert_eq!(fuel(70), 1);
        assert_eq!(fuel(3800), 38);
        assert_eq!(fuel(13_610), 136);
        assert_eq!(fuel(100_000), 255);
    }
}
