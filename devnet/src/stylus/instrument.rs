//! Nitro's ink instrumentation, applied to a program before it is compiled.
//!
//! This is the WASM rewrite nitro's `CompileConfig::version(2)` performs with its middlewares
//! (`arbitrator/prover/src/programs/{meter,dynamic,heap}.rs`), in the same order:
//!
//! 1. **Ink meter.** Two globals are added, `stylus_ink_left: i64` and
//!    `stylus_ink_status: i32` (exported under those names). Each function body is cut into
//!    basic blocks; a block ends *after* `end`, `else`, `return`, `loop`, `br`, `br_if`,
//!    `br_table`, `if`, `call` or `call_indirect` (arbutil's `ends_basic_block`). In front of
//!    every block goes a header charging the block's whole cost at once: the sum of its
//!    operators' [`pricing_v1`] ink plus [`INK_HEADER_COST`]. If `ink_left` is below the cost
//!    the header sets `ink_status = 1` and traps (`unreachable`): out of ink.
//! 2. **Dynamic meter.** Before `memory.fill` / `memory.copy` the byte count is charged at
//!    [`MEMORY_FILL_INK`] / [`MEMORY_COPY_INK`] per byte (with the same overflow trap); a
//!    scratch global `i32` is added for it.
//! 3. **Depth checker** (nitro `crates/prover/src/programs/depth.rs`). A global
//!    `stylus_stack_left: i32` (exported) holds the stack words left, set to the chain's
//!    `MaxStackDepth` at each program entry. Each function's frame costs its worst-case value
//!    stack over the code the first two passes produced, plus its declared locals, plus 4
//!    words; on entry it is checked (`left <= size` zeroes the global and traps: out of
//!    stack) and deducted, and given back before every `return` (one is added before the
//!    final `end`, as nitro does).
//! 4. **Heap bound.** Before `memory.grow` the page count is passed to the
//!    `vm_hooks.pay_for_memory_grow` import, which charges nitro's memory model. A module whose
//!    memory may grow must import it: nitro refuses to compile it otherwise, while the devnet
//!    leaves such a module's `memory.grow` alone and charges the growth at the next hostio.
//!
//! The code a later middleware inserts is not metered or measured by the earlier ones, exactly
//! as in nitro (`crates/prover/src/binary.rs` `instrument`: `apply!(meter); apply!(dygas);
//! apply!(depth); apply!(bound);`).

use std::ops::Range;

use wasm_encoder::{
    BlockType, ConstExpr, Encode, ExportKind, ExportSection, GlobalSection, GlobalType,
    Instruction, RawSection, ValType,
};
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef};

/// Name of the exported global holding the ink left.
pub const INK_LEFT_EXPORT: &str = "stylus_ink_left";
/// Name of the exported global that is 1 once the program ran out of ink.
pub const INK_STATUS_EXPORT: &str = "stylus_ink_status";
/// Name of the exported global holding the stack words left (nitro `STYLUS_STACK_LEFT`).
pub const STACK_LEFT_EXPORT: &str = "stylus_stack_left";
/// Globals the instrumentation adds: ink, ink status, the scratch and the stack (nitro's
/// meter, dynamic meter and depth checker each `add_global`; the v2 init-cost estimate
/// counts them, `crates/prover/src/binary.rs` `instrument`).
pub const ADDED_GLOBALS: u64 = 4;
/// Ink of the header that checks and charges each basic block (`ink_header_cost`, v1/v2).
pub const INK_HEADER_COST: u64 = 2_450;
/// Ink per byte of `memory.fill` (`memory_fill_ink`: 800 / 8).
pub const MEMORY_FILL_INK: u64 = 100;
/// Ink per byte of `memory.copy` (`memory_copy_ink`: 800 / 8).
pub const MEMORY_COPY_INK: u64 = 100;

/// Whether `op` ends a basic block (arbutil's `OperatorInfo::ends_basic_block`).
pub fn ends_basic_block(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::End
            | Operator::Else
            | Operator::Return
            | Operator::Loop { .. }
            | Operator::Br { .. }
            | Operator::BrTable { .. }
            | Operator::BrIf { .. }
            | Operator::If { .. }
            | Operator::Call { .. }
            | Operator::CallIndirect { .. }
    )
}

/// Nitro's `pricing_v1`: the ink of one operator. `params_of_type` gives the parameter count
/// of a type index (for `call_indirect`). Operators nitro does not support cost `u64::MAX`
/// (activation rejects them anyway).
pub fn pricing_v1(op: &Operator<'_>, params_of_type: impl Fn(u32) -> u64) -> u64 {
    use Operator::*;
    match op {
        Unreachable | Return | Nop | I32Const { .. } | I64Const { .. } => 1,
        Drop => 9,
        Block { .. } | Loop { .. } | Else | End => 1,
        Br { .. } | BrIf { .. } | If { .. } => 765,
        Select => 1_250,
        Call { .. } => 3_800,
        LocalGet { .. } | LocalTee { .. } => 75,
        LocalSet { .. } => 210,
        GlobalGet { .. } => 225,
        GlobalSet { .. } => 575,
        I32Load { .. }
        | I32Load8S { .. }
        | I32Load8U { .. }
        | I32Load16S { .. }
        | I32Load16U { .. } => 670,
        I64Load { .. }
        | I64Load8S { .. }
        | I64Load8U { .. }
        | I64Load16S { .. }
        | I64Load16U { .. }
        | I64Load32S { .. }
        | I64Load32U { .. } => 680,
        I32Store { .. } | I32Store8 { .. } | I32Store16 { .. } => 825,
        I64Store { .. } | I64Store8 { .. } | I64Store16 { .. } | I64Store32 { .. } => 950,
        MemorySize { .. } => 3_000,
        // "rest of cost handled by memory pricer" (nitro `crates/prover/src/programs/meter.rs`
        // `pricing_v1`: `dot!(MemoryGrow) => 8050`).
        MemoryGrow { .. } => 8_050,
        I32Eqz | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS | I32LeU | I32GeS
        | I32GeU => 170,
        I64Eqz | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU | I64GeS
        | I64GeU => 225,
        I32Clz | I32Ctz => 210,
        I32Add | I32Sub => 70,
        I32Mul => 160,
        I32DivS | I32DivU | I32RemS | I32RemU => 1_120,
        I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl | I32Rotr => 70,
        I64Clz | I64Ctz => 210,
        I64Add | I64Sub => 100,
        I64Mul => 160,
        I64DivS | I64DivU | I64RemS | I64RemU => 1_270,
        I64And | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU | I64Rotl | I64Rotr => 100,
        I32Popcnt => 2_650,
        I64Popcnt => 6_000,
        I32WrapI64 | I64ExtendI32S | I64ExtendI32U => 100,
        I32Extend8S | I32Extend16S | I64Extend8S | I64Extend16S | I64Extend32S => 100,
        MemoryCopy { .. } | MemoryFill { .. } => 950,
        BrTable { targets } => 2_400 + 325 * u64::from(targets.len()),
        CallIndirect { type_index, .. } => 13_610 + 650 * params_of_type(*type_index),
        _ => u64::MAX,
    }
}

/// Facts about the module gathered before rewriting it.
#[derive(Default)]
struct ModuleFacts {
    /// Parameter count of each type index.
    type_params: Vec<u64>,
    /// Result count of each type index.
    type_results: Vec<u32>,
    /// Type index of every function, imports first.
    func_types: Vec<u32>,
    /// Function index of `vm_hooks.pay_for_memory_grow`, if imported.
    pay_for_memory_grow: Option<u32>,
    /// Number of globals (imported and defined) before instrumentation.
    globals: u32,
    /// Whether the memory can grow (no maximum, or a maximum above the minimum).
    memory_can_grow: bool,
}

fn facts(wasm: &[u8]) -> Result<ModuleFacts, String> {
    let mut facts = ModuleFacts::default();
    let mut imported_funcs = 0u32;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(|e| e.to_string())?;
                    for ty in group.types() {
                        let (params, results) = match &ty.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(func) => {
                                (func.params().len(), func.results().len())
                            }
                            _ => (0, 0),
                        };
                        facts.type_params.push(params as u64);
                        facts.type_results.push(results as u32);
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(|e| e.to_string())?;
                    match import.ty {
                        TypeRef::Func(ty) => {
                            if import.module == "vm_hooks" && import.name == "pay_for_memory_grow" {
                                facts.pay_for_memory_grow = Some(imported_funcs);
                            }
                            facts.func_types.push(ty);
                            imported_funcs += 1;
                        }
                        TypeRef::Global(_) => facts.globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::GlobalSection(reader) => facts.globals += reader.count(),
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    facts.func_types.push(ty.map_err(|e| e.to_string())?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(|e| e.to_string())?;
                    facts.memory_can_grow = memory.maximum != Some(memory.initial);
                }
            }
            _ => {}
        }
    }
    Ok(facts)
}

/// Indices of the globals the instrumentation adds.
#[derive(Clone, Copy)]
struct Globals {
    ink: u32,
    status: u32,
    scratch: u32,
    stack: u32,
}

/// Rewrites a validated Stylus program with nitro's ink instrumentation (see the module
/// documentation).
///
/// # Errors
///
/// If the module does not parse.
pub fn instrument(wasm: &[u8]) -> Result<Vec<u8>, String> {
    let facts = facts(wasm)?;
    let globals = Globals {
        ink: facts.globals,
        status: facts.globals + 1,
        scratch: facts.globals + 2,
        stack: facts.globals + 3,
    };
    // Nitro refuses to compile a module whose memory can grow without the import; the devnet
    // runs it and charges the growth at the next hostio instead (see the README).
    let grow_hook = if facts.memory_can_grow {
        facts.pay_for_memory_grow
    } else {
        None
    };
    let type_params = |index: u32| {
        facts
            .type_params
            .get(index as usize)
            .copied()
            .unwrap_or(u64::MAX / 1024)
    };

    let mut module = wasm_encoder::Module::new();
    let mut globals_done = false;
    let mut exports_done = false;
    let mut code: Option<wasm_encoder::CodeSection> = None;
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| e.to_string())?;
        if let Payload::CodeSectionEntry(body) = &payload {
            let metered = instrument_body(wasm, body, globals, &type_params)?;
            let instrumented = depth_and_heap(&metered, &facts, globals, grow_hook)?;
            code.get_or_insert_with(wasm_encoder::CodeSection::new)
                .raw(&instrumented);
            continue;
        }
        // The code section is complete once another payload follows its bodies.
        if let Some(section) = code.take() {
            module.section(&section);
        }
        let Some((id, range)) = payload.as_section() else {
            continue;
        };
        // Sections come in a fixed order: globals before exports before the rest.
        let order = section_order(id);
        if !globals_done && order > section_order(GLOBAL_SECTION) {
            module.section(&added_globals(GlobalSection::new()));
            globals_done = true;
        }
        if !exports_done && order > section_order(EXPORT_SECTION) {
            module.section(&added_exports(ExportSection::new(), globals));
            exports_done = true;
        }
        match payload {
            Payload::GlobalSection(reader) => {
                let mut section = GlobalSection::new();
                for item in items(wasm, reader.range(), reader.into_iter_with_offsets())? {
                    section.raw(item);
                }
                module.section(&added_globals(section));
                globals_done = true;
            }
            Payload::ExportSection(reader) => {
                let mut section = ExportSection::new();
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    let kind = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
                        ExternalKind::Table => ExportKind::Table,
                        ExternalKind::Memory => ExportKind::Memory,
                        ExternalKind::Global => ExportKind::Global,
                        ExternalKind::Tag => ExportKind::Tag,
                    };
                    section.export(export.name, kind, export.index);
                }
                module.section(&added_exports(section, globals));
                exports_done = true;
            }
            // The bodies follow as `CodeSectionEntry` payloads.
            Payload::CodeSectionStart { .. } => {}
            _ => {
                module.section(&RawSection {
                    id,
                    data: &wasm[range],
                });
            }
        }
    }
    if let Some(section) = code.take() {
        module.section(&section);
    }
    Ok(module.finish())
}

const GLOBAL_SECTION: u8 = 6;
const EXPORT_SECTION: u8 = 7;

/// Position of a section id in the module order (ids 1..=11 in order, the tag section
/// between memory and global, data count between element and code). Custom sections (0)
/// never trigger the insertion of a missing section.
fn section_order(id: u8) -> u8 {
    match id {
        0 => 0,
        1..=5 => id * 2,
        13 => 11,
        6..=9 => id * 2,
        12 => 19,
        10 => 20,
        11 => 22,
        _ => u8::MAX,
    }
}

fn added_globals(mut section: GlobalSection) -> GlobalSection {
    let mutable = |val_type| GlobalType {
        val_type,
        mutable: true,
        shared: false,
    };
    section.global(mutable(ValType::I64), &ConstExpr::i64_const(0));
    section.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
    section.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
    section.global(mutable(ValType::I32), &ConstExpr::i32_const(0));
    section
}

fn added_exports(mut section: ExportSection, globals: Globals) -> ExportSection {
    section.export(INK_LEFT_EXPORT, ExportKind::Global, globals.ink);
    section.export(INK_STATUS_EXPORT, ExportKind::Global, globals.status);
    section.export(STACK_LEFT_EXPORT, ExportKind::Global, globals.stack);
    section
}

/// The raw bytes of each item of a section, from the items' offsets.
fn items<T>(
    wasm: &[u8],
    section: Range<usize>,
    iter: impl Iterator<Item = wasmparser::Result<(usize, T)>>,
) -> Result<Vec<&[u8]>, String> {
    let mut starts = Vec::new();
    for item in iter {
        starts.push(item.map_err(|e| e.to_string())?.0);
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(section.end);
        out.push(&wasm[start..end]);
    }
    Ok(out)
}

fn encode(sink: &mut Vec<u8>, instructions: &[Instruction<'_>]) {
    for instruction in instructions {
        instruction.encode(sink);
    }
}

/// The header charging `cost` ink (nitro's `FuncMeter::feed`).
fn header(sink: &mut Vec<u8>, globals: Globals, cost: u64) {
    let cost = cost as i64;
    encode(
        sink,
        &[
            Instruction::GlobalGet(globals.ink),
            Instruction::I64Const(cost),
            Instruction::I64LtU,
            Instruction::If(BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(globals.status),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(globals.ink),
            Instruction::I64Const(cost),
            Instruction::I64Sub,
            Instruction::GlobalSet(globals.ink),
        ],
    );
}

/// Charges `coefficient` ink per byte for the size on top of the stack (nitro's
/// `FuncDynamicMeter`).
fn dynamic(sink: &mut Vec<u8>, globals: Globals, coefficient: u64) {
    encode(
        sink,
        &[
            Instruction::GlobalSet(globals.scratch),
            Instruction::GlobalGet(globals.ink),
            Instruction::GlobalGet(globals.ink),
            Instruction::GlobalGet(globals.scratch),
            Instruction::I64ExtendI32U,
            Instruction::I64Const(coefficient as i64),
            Instruction::I64Mul,
            Instruction::I64Sub,
            Instruction::GlobalSet(globals.ink),
            Instruction::GlobalGet(globals.ink),
            Instruction::I64LtU,
            Instruction::If(BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(globals.status),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(globals.scratch),
        ],
    );
}

/// Passes the page count on top of the stack to `pay_for_memory_grow` (nitro's
/// `FuncHeapBound`).
fn heap_bound(sink: &mut Vec<u8>, globals: Globals, hook: u32) {
    encode(
        sink,
        &[
            Instruction::GlobalSet(globals.scratch),
            Instruction::GlobalGet(globals.scratch),
            Instruction::GlobalGet(globals.scratch),
            Instruction::Call(hook),
        ],
    );
}

/// The ink meter and dynamic meter passes over one function body (locals included).
fn instrument_body(
    wasm: &[u8],
    body: &wasmparser::FunctionBody<'_>,
    globals: Globals,
    type_params: &impl Fn(u32) -> u64,
) -> Result<Vec<u8>, String> {
    let range = body.range();
    let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
    let ops_start = ops.original_position();
    let mut out = Vec::with_capacity(range.len() * 2);
    // Locals are copied as they are.
    out.extend_from_slice(&wasm[range.start..ops_start]);

    // The current basic block: its operators' byte ranges, what to insert before each, and
    // its cost so far.
    let mut block: Vec<(Range<usize>, Insert)> = Vec::new();
    let mut cost: u64 = 0;
    while !ops.eof() {
        let start = ops.original_position();
        let op = ops.read().map_err(|e| e.to_string())?;
        let end = ops.original_position();
        cost = cost.saturating_add(pricing_v1(&op, type_params));
        let insert = match op {
            Operator::MemoryFill { .. } => Insert::Dynamic(MEMORY_FILL_INK),
            Operator::MemoryCopy { .. } => Insert::Dynamic(MEMORY_COPY_INK),
            _ => Insert::Nothing,
        };
        block.push((start..end, insert));
        if ends_basic_block(&op) {
            header(&mut out, globals, cost.saturating_add(INK_HEADER_COST));
            for (bytes, insert) in block.drain(..) {
                match insert {
                    Insert::Nothing => {}
                    Insert::Dynamic(coefficient) => dynamic(&mut out, globals, coefficient),
                }
                out.extend_from_slice(&wasm[bytes]);
            }
            cost = 0;
        }
    }
    if !block.is_empty() {
        return Err("function body does not end with `end`".into());
    }
    Ok(out)
}

#[derive(Clone, Copy)]
enum Insert {
    Nothing,
    Dynamic(u64),
}

/// Maximum frame size in words (nitro `crates/prover/src/programs/config.rs`
/// `CompileConfig::version`, `max_frame_size = 10 * 1024`).
pub const MAX_FRAME_SIZE: u32 = 10 * 1024;
/// Maximum values live at once in a frame (`max_frame_contention = 4096`, same place).
pub const MAX_FRAME_CONTENTION: u32 = 4096;

/// The depth checker and heap bound passes over a metered function body (`body` holds the
/// locals and the operators), as nitro's `FuncDepthChecker` and `FuncHeapBound` do.
fn depth_and_heap(
    body: &[u8],
    facts: &ModuleFacts,
    globals: Globals,
    grow_hook: Option<u32>,
) -> Result<Vec<u8>, String> {
    let function = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(body, 0));
    let mut locals: u64 = 0;
    for local in function.get_locals_reader().map_err(|e| e.to_string())? {
        locals += u64::from(local.map_err(|e| e.to_string())?.0);
    }
    let mut reader = function.get_operators_reader().map_err(|e| e.to_string())?;
    let ops_start = reader.original_position();
    let mut ops = Vec::new();
    while !reader.eof() {
        let start = reader.original_position();
        let op = reader.read().map_err(|e| e.to_string())?;
        ops.push((op, start..reader.original_position()));
    }
    let worst = worst_case_depth(ops.iter().map(|(op, _)| op), facts)?;
    if worst > MAX_FRAME_CONTENTION {
        return Err(format!(
            "too many values on the stack at once: {worst} > {MAX_FRAME_CONTENTION}"
        ));
    }
    let size = worst
        .saturating_add(u32::try_from(locals).unwrap_or(u32::MAX))
        .saturating_add(4);
    if size > MAX_FRAME_SIZE {
        return Err(format!(
            "frame too large: {size} > {MAX_FRAME_SIZE}-word limit"
        ));
    }
    let size = size as i32;
    let mut out = Vec::with_capacity(body.len() + 64);
    out.extend_from_slice(&body[..ops_start]);
    encode(
        &mut out,
        &[
            Instruction::GlobalGet(globals.stack),
            Instruction::I32Const(size),
            Instruction::I32LeU,
            Instruction::If(BlockType::Empty),
            Instruction::I32Const(0),
            Instruction::GlobalSet(globals.stack),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(globals.stack),
            Instruction::I32Const(size),
            Instruction::I32Sub,
            Instruction::GlobalSet(globals.stack),
        ],
    );
    let reclaim = |out: &mut Vec<u8>| {
        encode(
            out,
            &[
                Instruction::GlobalGet(globals.stack),
                Instruction::I32Const(size),
                Instruction::I32Add,
                Instruction::GlobalSet(globals.stack),
            ],
        );
    };
    let last = ops.len().saturating_sub(1);
    for (index, (op, range)) in ops.iter().enumerate() {
        if index == last {
            // "add an extraneous return instruction to the end to match Arbitrator"
            reclaim(&mut out);
            encode(&mut out, &[Instruction::Return]);
        }
        match op {
            Operator::Return => reclaim(&mut out),
            Operator::MemoryGrow { .. } => {
                if let Some(hook) = grow_hook {
                    heap_bound(&mut out, globals, hook);
                }
            }
            _ => {}
        }
        out.extend_from_slice(&body[range.clone()]);
    }
    Ok(out)
}

/// Nitro's `FuncDepthChecker::worst_case_depth` stack accounting (without the locals and
/// the 4 extra words).
fn worst_case_depth<'a>(
    ops: impl Iterator<Item = &'a Operator<'a>>,
    facts: &ModuleFacts,
) -> Result<u32, String> {
    let mut worst: u32 = 0;
    let mut stack: u32 = 0;
    let mut scopes = vec![stack];
    let type_of = |index: u32| -> Result<(u32, u32), String> {
        let params = facts
            .type_params
            .get(index as usize)
            .ok_or_else(|| format!("missing type {index}"))?;
        let results = facts.type_results[index as usize];
        Ok((*params as u32, results))
    };
    macro_rules! push {
        ($n:expr) => {{
            stack = stack.saturating_add($n);
            worst = worst.max(stack);
        }};
    }
    macro_rules! pop {
        ($n:expr) => {{
            stack = stack.saturating_sub($n);
        }};
    }
    let block_type =
        |ty: &wasmparser::BlockType, stack: &mut u32, worst: &mut u32| -> Result<(), String> {
            match ty {
                wasmparser::BlockType::Empty => {}
                wasmparser::BlockType::Type(_) => {
                    *stack += 1;
                    *worst = (*worst).max(*stack);
                }
                wasmparser::BlockType::FuncType(id) => {
                    let (ins, outs) = type_of(*id)?;
                    *stack += outs;
                    *worst = (*worst).max(*stack);
                    *stack = stack.saturating_sub(ins);
                }
            }
            Ok(())
        };
    use Operator::*;
    for op in ops {
        match op {
            Block { blockty } | Loop { blockty } => {
                block_type(blockty, &mut stack, &mut worst)?;
                scopes.push(stack);
            }
            If { blockty } => {
                pop!(1);
                block_type(blockty, &mut stack, &mut worst)?;
                scopes.push(stack);
            }
            Else => {
                stack = *scopes.last().ok_or("malformed if-else scope")?;
            }
            End => {
                stack = scopes.pop().ok_or("malformed scoping")?;
            }
            Call { function_index } => {
                let ty = facts
                    .func_types
                    .get(*function_index as usize)
                    .ok_or_else(|| format!("missing func {function_index}"))?;
                let (ins, outs) = type_of(*ty)?;
                push!(outs);
                pop!(ins);
            }
            CallIndirect { type_index, .. } => {
                let (ins, outs) = type_of(*type_index)?;
                push!(outs);
                pop!(ins);
                pop!(1);
            }
            // `InternalFunc::MemoryFill` / `MemoryCopy`: three i32 in, nothing out.
            MemoryFill { .. } | MemoryCopy { .. } => pop!(3),
            Nop
            | Unreachable
            | I32Eqz
            | I64Eqz
            | I32Clz
            | I32Ctz
            | I32Popcnt
            | I64Clz
            | I64Ctz
            | I64Popcnt
            | Br { .. }
            | Return
            | LocalTee { .. }
            | MemoryGrow { .. }
            | I32Load { .. }
            | I64Load { .. }
            | I32Load8S { .. }
            | I32Load8U { .. }
            | I32Load16S { .. }
            | I32Load16U { .. }
            | I64Load8S { .. }
            | I64Load8U { .. }
            | I64Load16S { .. }
            | I64Load16U { .. }
            | I64Load32S { .. }
            | I64Load32U { .. }
            | I32WrapI64
            | I64ExtendI32S
            | I64ExtendI32U
            | I32Extend8S
            | I32Extend16S
            | I64Extend8S
            | I64Extend16S
            | I64Extend32S => {}
            LocalGet { .. }
            | GlobalGet { .. }
            | MemorySize { .. }
            | I32Const { .. }
            | I64Const { .. } => push!(1),
            Drop
            | I32Eq
            | I32Ne
            | I32LtS
            | I32LtU
            | I32GtS
            | I32GtU
            | I32LeS
            | I32LeU
            | I32GeS
            | I32GeU
            | I64Eq
            | I64Ne
            | I64LtS
            | I64LtU
            | I64GtS
            | I64GtU
            | I64LeS
            | I64LeU
            | I64GeS
            | I64GeU
            | I32Add
            | I32Sub
            | I32Mul
            | I32DivS
            | I32DivU
            | I32RemS
            | I32RemU
            | I64Add
            | I64Sub
            | I64Mul
            | I64DivS
            | I64DivU
            | I64RemS
            | I64RemU
            | I32And
            | I32Or
            | I32Xor
            | I32Shl
            | I32ShrS
            | I32ShrU
            | I32Rotl
            | I32Rotr
            | I64And
            | I64Or
            | I64Xor
            | I64Shl
            | I64ShrS
            | I64ShrU
            | I64Rotl
            | I64Rotr
            | BrIf { .. }
            | BrTable { .. }
            | LocalSet { .. }
            | GlobalSet { .. } => {
                pop!(1)
            }
            Select
            | I32Store { .. }
            | I64Store { .. }
            | I32Store8 { .. }
            | I32Store16 { .. }
            | I64Store8 { .. }
            | I64Store16 { .. }
            | I64Store32 { .. } => pop!(2),
            other => return Err(format!("unsupported operator {other:?}")),
        }
    }
    Ok(worst)
}
