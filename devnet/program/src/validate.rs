//! Nitro's activation-time checks on a user WASM.

use std::fmt;

use wasmparser::{
    ExternalKind, FuncType, Operator, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

use crate::{
    hostio_signature, HostioSignature, WasmType, DEFAULT_PAGE_LIMIT, ENTRYPOINT, MAX_CODE_SIZE,
    MAX_WASM_SIZE, MEMORY_EXPORT,
};

// Anti-DoS limits, as in nitro's `WasmBinary::parse_user`.
const MAX_MEMORIES: usize = 1;
const MAX_DATAS: usize = 128;
const MAX_ELEMENTS: usize = 128;
const MAX_EXPORTS: usize = 1024;
const MAX_FUNCTIONS: usize = 4096;
const MAX_GLOBALS: usize = 32_768;
const MAX_LOCALS: u64 = 348;
const MAX_FUNC_OPCODES: usize = 65_536;
const MAX_TABLE_ENTRIES: u64 = 4096;
const MAX_ELEMENT_ENTRIES: u64 = 4096;
const MAX_NAME_LEN: usize = 512;

/// Why a program cannot be activated. The `Display` text is the revert reason the devnet
/// reports, so each message names the rule that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidationError {
    /// Deployed code is larger than [`MAX_CODE_SIZE`].
    CodeTooLarge {
        /// Size of the code in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Code does not start with the Stylus discriminant `0xEFF000`.
    NotStylus,
    /// The code's dictionary byte names a brotli dictionary this implementation lacks.
    UnsupportedDictionary(u8),
    /// The compressed payload is not valid brotli.
    Brotli(String),
    /// The WASM is larger than [`MAX_WASM_SIZE`].
    WasmTooLarge {
        /// Size of the WASM in bytes (at least `limit + 1` when decompression was cut short).
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The bytes are not a valid WASM module.
    Malformed(String),
    /// The module uses floating-point types or instructions.
    FloatingPoint(String),
    /// The module uses a WASM feature Stylus disables (SIMD, threads, reference types, ...).
    UnsupportedFeature(String),
    /// The module uses an instruction Stylus does not support (`memory.init`, `data.drop`,
    /// table bulk operations).
    UnsupportedInstruction {
        /// Index of the function (in the function index space).
        func: u32,
        /// The instruction.
        op: String,
    },
    /// The module has a start function.
    StartFunction,
    /// Nothing is exported as `user_entrypoint`.
    MissingEntrypoint,
    /// `user_entrypoint` is not a function of type `(i32) -> i32`.
    BadEntrypoint(String),
    /// The module defines no memory, or does not export it as `memory`.
    MissingMemory,
    /// The initial memory exceeds the page limit.
    MemoryTooLarge {
        /// Initial pages.
        pages: u64,
        /// The limit in pages.
        limit: u16,
    },
    /// An import from a module other than `vm_hooks` / `console`, or not a function.
    ForbiddenImport {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A `vm_hooks` / `console` import that is not a known host function.
    UnknownHostio {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A known host function imported with the wrong signature.
    HostioSignature {
        /// Import name.
        name: String,
        /// The signature the module declared.
        found: String,
    },
    /// An export or import whose name starts with the reserved `stylus` prefix.
    ReservedSymbol(String),
    /// An export or import that re-uses the name of an import.
    ReexportedImport(String),
    /// One of nitro's anti-DoS limits is exceeded.
    LimitExceeded {
        /// What is counted.
        what: &'static str,
        /// The count found.
        count: u64,
        /// The limit.
        limit: u64,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValidationError as E;
        match self {
            E::CodeTooLarge { size, limit } => {
                write!(f, "code too large: {size} bytes > {limit} bytes")
            }
            E::NotStylus => write!(f, "not a Stylus program: code lacks the 0xEFF000 prefix"),
            E::UnsupportedDictionary(d) => write!(f, "unsupported brotli dictionary {d}"),
            E::Brotli(e) => write!(f, "failed to decompress program: {e}"),
            E::WasmTooLarge { size, limit } => {
                write!(f, "wasm too large: {size} bytes > {limit} bytes")
            }
            E::Malformed(e) => write!(f, "invalid wasm: {e}"),
            E::FloatingPoint(e) => write!(f, "floating point is not allowed: {e}"),
            E::UnsupportedFeature(e) => write!(f, "unsupported wasm feature: {e}"),
            E::UnsupportedInstruction { func, op } => {
                write!(f, "unsupported instruction {op} in function {func}")
            }
            E::StartFunction => write!(f, "wasm start functions not allowed"),
            E::MissingEntrypoint => write!(f, "missing export with name {ENTRYPOINT}"),
            E::BadEntrypoint(e) => write!(f, "{ENTRYPOINT} must be (i32) -> i32: {e}"),
            E::MissingMemory => write!(f, "missing memory with export name \"memory\""),
            E::MemoryTooLarge { pages, limit } => {
                write!(f, "memory exceeds limit: {pages} pages > {limit}")
            }
            E::ForbiddenImport { module, name } => {
                write!(
                    f,
                    "forbidden import {module}::{name}: only vm_hooks and console functions"
                )
            }
            E::UnknownHostio { module, name } => {
                write!(f, "unknown host function {module}::{name}")
            }
            E::HostioSignature { name, found } => {
                write!(f, "wrong signature for host function {name}: {found}")
            }
            E::ReservedSymbol(name) => write!(f, "reserved symbol {name}"),
            E::ReexportedImport(name) => {
                write!(f, "binary exports an import with the same name {name}")
            }
            E::LimitExceeded { what, count, limit } => {
                write!(f, "too many wasm {what}: {count} > {limit}")
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// What activation learns about a valid program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramInfo {
    /// Initial memory in pages (nitro's `footprint`).
    pub footprint: u16,
    /// Declared maximum memory in pages, if any.
    pub max_pages: Option<u64>,
    /// Size of the WASM in bytes.
    pub wasm_len: usize,
    /// Number of functions defined by the module (imports excluded).
    pub functions: u32,
    /// Host functions the module imports, as `(module, name)`.
    pub imports: Vec<(String, String)>,
    /// Nitro's estimate of the init cost of an uncached program (gas, before scaling). From
    /// Stylus v2 it excludes the cached cost, which is paid on top.
    pub init_cost: u16,
    /// Nitro's estimate of the init cost of a cached program (gas, before scaling).
    pub cached_init_cost: u16,
    /// Nitro's estimate of the native code size in bytes.
    pub asm_estimate: u32,
}

/// Validates a WASM with nitro's rules and the default page limit ([`DEFAULT_PAGE_LIMIT`]).
///
/// # Errors
///
/// The first rule the module breaks, as a [`ValidationError`].
pub fn validate(wasm: &[u8]) -> Result<ProgramInfo, ValidationError> {
    validate_with(wasm, DEFAULT_PAGE_LIMIT)
}

/// Checks deployed code the way activation does: size of the code, the Stylus prefix,
/// decompression, then [`validate_with`].
///
/// # Errors
///
/// The first rule the code breaks, as a [`ValidationError`].
pub fn validate_code(
    code: &[u8],
    page_limit: u16,
) -> Result<(Vec<u8>, ProgramInfo), ValidationError> {
    if code.len() > MAX_CODE_SIZE {
        return Err(ValidationError::CodeTooLarge {
            size: code.len(),
            limit: MAX_CODE_SIZE,
        });
    }
    let wasm = crate::decompress(code)?;
    let info = validate_with(&wasm, page_limit)?;
    Ok((wasm, info))
}

/// Nitro's feature set for user programs: WASM 1.0 plus sign extension, saturating float
/// conversion, multi-value and bulk memory. No SIMD, threads, reference types, tail calls,
/// exceptions, multi-memory, memory64 or GC.
fn nitro_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
}

fn check_limit(what: &'static str, count: u64, limit: u64) -> Result<(), ValidationError> {
    if count > limit {
        return Err(ValidationError::LimitExceeded { what, count, limit });
    }
    Ok(())
}

fn describe(ty: &FuncType) -> String {
    format!("{ty}")
}

fn wasm_type(ty: ValType) -> Option<WasmType> {
    match ty {
        ValType::I32 => Some(WasmType::I32),
        ValType::I64 => Some(WasmType::I64),
        _ => None,
    }
}

fn matches_signature(ty: &FuncType, sig: &HostioSignature) -> bool {
    let same = |types: &[ValType], want: &[WasmType]| {
        types.len() == want.len()
            && types
                .iter()
                .zip(want)
                .all(|(&t, &w)| wasm_type(t) == Some(w))
    };
    same(ty.params(), sig.params) && same(ty.results(), sig.results)
}

/// Validates a WASM with nitro's activation rules and the given page limit.
///
/// # Errors
///
/// The first rule the module breaks, as a [`ValidationError`]: size, well-formedness,
/// disabled features (floats, SIMD, threads, reference types), imports, exports, start
/// function, memory limit, and nitro's anti-DoS limits.
pub fn validate_with(wasm: &[u8], page_limit: u16) -> Result<ProgramInfo, ValidationError> {
    if wasm.len() > MAX_WASM_SIZE {
        return Err(ValidationError::WasmTooLarge {
            size: wasm.len(),
            limit: MAX_WASM_SIZE,
        });
    }
    // Three passes of the validator classify failures: malformed under every feature,
    // using a disabled feature, or using floats.
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(wasm)
        .map_err(|e| ValidationError::Malformed(e.to_string()))?;
    Validator::new_with_features(nitro_features())
        .validate_all(wasm)
        .map_err(|e| ValidationError::UnsupportedFeature(e.to_string()))?;
    Validator::new_with_features(nitro_features() - WasmFeatures::FLOATS)
        .validate_all(wasm)
        .map_err(|e| ValidationError::FloatingPoint(e.to_string()))?;

    let mut module = ModuleSummary::default();
    for payload in Parser::new(0).parse_all(wasm) {
        module.visit(payload.map_err(|e| ValidationError::Malformed(e.to_string()))?)?;
    }
    module.finish(wasm.len(), page_limit)
}

#[derive(Default)]
struct ModuleSummary {
    types: Vec<FuncType>,
    /// Type index of every function, imports first.
    func_types: Vec<u32>,
    imported_funcs: u32,
    imports: Vec<(String, String)>,
    exports: Vec<(String, ExternalKind, u32)>,
    memories: Vec<wasmparser::MemoryType>,
    globals: u64,
    table_entries: u64,
    datas: u64,
    data_len: u64,
    elements: u64,
    elem_len: u64,
    elem_entries: u64,
    codes: u32,
    start: bool,
}

impl ModuleSummary {
    fn malformed(e: wasmparser::BinaryReaderError) -> ValidationError {
        ValidationError::Malformed(e.to_string())
    }

    fn visit(&mut self, payload: Payload<'_>) -> Result<(), ValidationError> {
        match payload {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    self.types.push(ty.map_err(Self::malformed)?);
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import.map_err(Self::malformed)?;
                    self.visit_import(import)?;
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    self.func_types.push(ty.map_err(Self::malformed)?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table.map_err(Self::malformed)?;
                    self.table_entries = self.table_entries.saturating_add(table.ty.initial);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    self.memories.push(memory.map_err(Self::malformed)?);
                }
            }
            Payload::GlobalSection(reader) => self.globals = u64::from(reader.count()),
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(Self::malformed)?;
                    self.exports
                        .push((export.name.to_owned(), export.kind, export.index));
                }
            }
            Payload::StartSection { .. } => self.start = true,
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element.map_err(Self::malformed)?;
                    self.elements += 1;
                    self.elem_len += element.range.len() as u64;
                    let entries = match &element.items {
                        wasmparser::ElementItems::Functions(r) => r.count(),
                        wasmparser::ElementItems::Expressions(_, r) => r.count(),
                    };
                    self.elem_entries += u64::from(entries);
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.map_err(Self::malformed)?;
                    self.datas += 1;
                    self.data_len += data.range.len() as u64;
                }
            }
            Payload::CodeSectionEntry(body) => {
                let func = self.imported_funcs + self.codes;
                self.codes += 1;
                let mut locals: u64 = 0;
                for local in body.get_locals_reader().map_err(Self::malformed)? {
                    let (count, _) = local.map_err(Self::malformed)?;
                    locals = locals.saturating_add(u64::from(count));
                }
                check_limit("locals", locals, MAX_LOCALS)?;
                let mut ops = body.get_operators_reader().map_err(Self::malformed)?;
                let mut count = 0usize;
                while !ops.eof() {
                    let op = ops.read().map_err(Self::malformed)?;
                    count += 1;
                    if matches!(
                        op,
                        Operator::MemoryInit { .. }
                            | Operator::DataDrop { .. }
                            | Operator::TableInit { .. }
                            | Operator::TableCopy { .. }
                            | Operator::ElemDrop { .. }
                    ) {
                        return Err(ValidationError::UnsupportedInstruction {
                            func,
                            op: format!("{op:?}"),
                        });
                    }
                }
                check_limit(
                    "opcodes in func body",
                    count as u64,
                    MAX_FUNC_OPCODES as u64,
                )?;
            }
            Payload::CustomSection(_) => {}
            Payload::UnknownSection { id, .. } => {
                return Err(ValidationError::Malformed(format!(
                    "unsupported unknown section type {id}"
                )))
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_import(&mut self, import: wasmparser::Import<'_>) -> Result<(), ValidationError> {
        let module = import.module;
        let name = import.name;
        let forbidden = || ValidationError::ForbiddenImport {
            module: module.to_owned(),
            name: name.to_owned(),
        };
        if module != "vm_hooks" && module != "console" {
            return Err(forbidden());
        }
        let TypeRef::Func(type_index) = import.ty else {
            return Err(forbidden());
        };
        if name.starts_with("stylus") {
            return Err(ValidationError::ReservedSymbol(name.to_owned()));
        }
        let ty = self
            .types
            .get(type_index as usize)
            .ok_or_else(|| ValidationError::Malformed(format!("bad type index {type_index}")))?;
        let Some(sig) = hostio_signature(module, name) else {
            return Err(ValidationError::UnknownHostio {
                module: module.to_owned(),
                name: name.to_owned(),
            });
        };
        if !matches_signature(ty, sig) {
            return Err(ValidationError::HostioSignature {
                name: name.to_owned(),
                found: describe(ty),
            });
        }
        self.func_types.push(type_index);
        self.imported_funcs += 1;
        self.imports.push((module.to_owned(), name.to_owned()));
        Ok(())
    }

    fn func_type(&self, func: u32) -> Option<&FuncType> {
        let ty = *self.func_types.get(func as usize)?;
        self.types.get(ty as usize)
    }

    fn finish(self, wasm_len: usize, page_limit: u16) -> Result<ProgramInfo, ValidationError> {
        check_limit("memories", self.memories.len() as u64, MAX_MEMORIES as u64)?;
        check_limit("datas", self.datas, MAX_DATAS as u64)?;
        check_limit("elements", self.elements, MAX_ELEMENTS as u64)?;
        check_limit("exports", self.exports.len() as u64, MAX_EXPORTS as u64)?;
        check_limit("functions", u64::from(self.codes), MAX_FUNCTIONS as u64)?;
        check_limit("globals", self.globals, MAX_GLOBALS as u64)?;
        check_limit("table entries", self.table_entries, MAX_TABLE_ENTRIES)?;
        check_limit("element entries", self.elem_entries, MAX_ELEMENT_ENTRIES)?;

        for (name, _, _) in &self.exports {
            check_limit("name length", name.len() as u64, MAX_NAME_LEN as u64)?;
            // Nitro compares the part after the last `__` (its internal naming scheme).
            let short = name.rsplit("__").next().unwrap_or(name);
            if short.starts_with("stylus") {
                return Err(ValidationError::ReservedSymbol(name.clone()));
            }
            if self.imports.iter().any(|(_, import)| import == short) {
                return Err(ValidationError::ReexportedImport(name.clone()));
            }
        }
        if self.start {
            return Err(ValidationError::StartFunction);
        }

        let entry = self
            .exports
            .iter()
            .find(|(name, _, _)| name == ENTRYPOINT)
            .ok_or(ValidationError::MissingEntrypoint)?;
        if entry.1 != ExternalKind::Func {
            return Err(ValidationError::BadEntrypoint(format!(
                "exported as a {:?}",
                entry.1
            )));
        }
        let entry_ty = self
            .func_type(entry.2)
            .ok_or_else(|| ValidationError::Malformed("bad entrypoint index".into()))?;
        if entry_ty.params() != [ValType::I32] || entry_ty.results() != [ValType::I32] {
            return Err(ValidationError::BadEntrypoint(describe(entry_ty)));
        }

        let memory = self
            .memories
            .first()
            .ok_or(ValidationError::MissingMemory)?;
        let memory_exported = self.exports.iter().any(|(name, kind, index)| {
            name == MEMORY_EXPORT && *kind == ExternalKind::Memory && *index == 0
        });
        if !memory_exported {
            return Err(ValidationError::MissingMemory);
        }
        if memory.initial > u64::from(page_limit) {
            return Err(ValidationError::MemoryTooLarge {
                pages: memory.initial,
                limit: page_limit,
            });
        }
        // Bounded by `page_limit` above.
        let footprint = memory.initial as u16;

        let mut type_len: u64 = 0;
        for func in self.imported_funcs..self.imported_funcs + self.codes {
            if let Some(ty) = self.func_type(func) {
                type_len += (ty.params().len() + ty.results().len()) as u64;
            }
        }
        let costs = InitCosts::estimate(&CostInputs {
            funcs: u64::from(self.codes),
            type_len,
            wasm_len: wasm_len as u64,
            // Counted after instrumentation (nitro `crates/prover/src/binary.rs`
            // `instrument`: `let globals = self.globals.len()` after the middlewares ran).
            globals: self.globals + INSTRUMENTATION_GLOBALS,
            data_len: self.data_len + self.elem_len,
            footprint,
        });

        Ok(ProgramInfo {
            footprint,
            max_pages: memory.maximum,
            wasm_len,
            functions: self.codes,
            imports: self.imports,
            init_cost: costs.init,
            cached_init_cost: costs.cached_init,
            asm_estimate: costs.asm_estimate,
        })
    }
}

/// Globals nitro's instrumentation adds to every program: `stylus_ink_left` and
/// `stylus_ink_status` (meter), the scratch global (dynamic meter) and `stylus_stack_left`
/// (depth checker) (nitro `crates/prover/src/programs/{meter,dynamic,depth}.rs`
/// `update_module`).
pub const INSTRUMENTATION_GLOBALS: u64 = 4;

struct CostInputs {
    funcs: u64,
    type_len: u64,
    wasm_len: u64,
    globals: u64,
    data_len: u64,
    footprint: u16,
}

struct InitCosts {
    init: u16,
    cached_init: u16,
    asm_estimate: u32,
}

impl InitCosts {
    /// Nitro's Stylus v2 cost model (`crates/prover/src/binary.rs` `WasmBinary::instrument`,
    /// "predict costs"): the init cost no longer includes the cached cost (`if
    /// compile.version == 1 { init = cached_init }`), saturating into the stored widths.
    fn estimate(m: &CostInputs) -> Self {
        let asm_estimate = 512_000u64
            .saturating_add(m.funcs.saturating_mul(996_829) / 1000)
            .saturating_add(m.type_len.saturating_mul(11_416) / 1000)
            .saturating_add(m.wasm_len.saturating_mul(62_628) / 10_000);
        let cached = 0u64
            .saturating_add(m.funcs.saturating_mul(13_420) / 100_000)
            .saturating_add(m.type_len.saturating_mul(89) / 100_000)
            .saturating_add(m.wasm_len.saturating_mul(122) / 100_000)
            .saturating_add(m.globals.saturating_mul(1628) / 1000)
            .saturating_add(m.data_len.saturating_mul(75_244) / 100_000)
            .saturating_add(u64::from(m.footprint) * 5);
        let init = 0u64
            .saturating_add(m.funcs.saturating_mul(8252) / 1000)
            .saturating_add(m.type_len.saturating_mul(1059) / 1000)
            .saturating_add(m.wasm_len.saturating_mul(1286) / 10_000);
        Self {
            init: u16::try_from(init).unwrap_or(u16::MAX),
            cached_init: u16::try_from(cached).unwrap_or(u16::MAX),
            asm_estimate: u32::try_from(asm_estimate).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = r#"(func (export "user_entrypoint") (param i32) (result i32) i32.const 0)"#;

    fn module(body: &str) -> Vec<u8> {
        wat::parse_str(format!("(module {body})")).expect("valid wat")
    }

    fn minimal(extra: &str) -> Vec<u8> {
        module(&format!(r#"(memory (export "memory") 1) {ENTRY} {extra}"#))
    }

    #[test]
    fn accepts_minimal_program() {
        let info = validate(&minimal("")).expect("valid");
        assert_eq!(info.footprint, 1);
        assert_eq!(info.functions, 1);
        assert!(info.imports.is_empty());
        assert!(info.init_cost > 0);
        assert!(info.asm_estimate >= 512_000);
    }

    #[test]
    fn accepts_hostio_imports() {
        let wasm = module(&format!(
            r#"(import "vm_hooks" "read_args" (func (param i32)))
               (import "vm_hooks" "call_contract" (func (param i32 i32 i32 i32 i64 i32) (result i32)))
               (import "console" "log_txt" (func (param i32 i32)))
               (memory (export "memory") 2 4) {ENTRY}"#
        ));
        let info = validate(&wasm).expect("valid");
        assert_eq!(info.imports.len(), 3);
        assert_eq!(info.max_pages, Some(4));
        assert_eq!(info.footprint, 2);
    }

    #[test]
    fn rejects_floats() {
        let wasm = minimal(r#"(func (result f64) f64.const 1.5)"#);
        assert!(matches!(
            validate(&wasm),
            Err(ValidationError::FloatingPoint(_))
        ));
        let wasm = minimal(
            r#"(func (param i32) (result i32) local.get 0 f32.convert_i32_s i32.trunc_f32_s)"#,
        );
        assert!(matches!(
            validate(&wasm),
            Err(ValidationError::FloatingPoint(_))
        ));
        let wasm = minimal(r#"(global f32 (f32.const 0))"#);
        assert!(matches!(
            validate(&wasm),
            Err(ValidationError::FloatingPoint(_))
        ));
    }

    #[test]
    fn rejects_disabled_features() {
        let simd = minimal(r#"(func (result i32) v128.const i64x2 0 0 i32x4.extract_lane 0)"#);
        assert!(matches!(
            validate(&simd),
            Err(ValidationError::UnsupportedFeature(_))
        ));
        let threads = module(&format!(
            r#"(memory (export "memory") 1 1 shared) {ENTRY}
               (func (param i32) (result i32) local.get 0 i32.atomic.load)"#
        ));
        assert!(matches!(
            validate(&threads),
            Err(ValidationError::UnsupportedFeature(_))
        ));
        let refs = minimal(r#"(func (result funcref) ref.null func)"#);
        assert!(matches!(
            validate(&refs),
            Err(ValidationError::UnsupportedFeature(_))
        ));
    }

    #[test]
    fn rejects_bulk_ops_nitro_lacks() {
        let wasm =
            minimal(r#"(data "x") (func i32.const 0 i32.const 0 i32.const 1 memory.init 0)"#);
        assert!(matches!(
            validate(&wasm),
            Err(ValidationError::UnsupportedInstruction { .. })
        ));
        // memory.copy and memory.fill are fine.
        let wasm = minimal(r#"(func i32.const 0 i32.const 0 i32.const 1 memory.copy)"#);
        validate(&wasm).expect("memory.copy allowed");
    }

    #[test]
    fn rejects_bad_exports() {
        let no_entry = module(r#"(memory (export "memory") 1)"#);
        assert_eq!(validate(&no_entry), Err(ValidationError::MissingEntrypoint));
        let wrong = module(
            r#"(memory (export "memory") 1) (func (export "user_entrypoint") (param i64) (result i32) i32.const 0)"#,
        );
        assert!(matches!(
            validate(&wrong),
            Err(ValidationError::BadEntrypoint(_))
        ));
        let no_memory = module(ENTRY);
        assert_eq!(validate(&no_memory), Err(ValidationError::MissingMemory));
        let unexported = module(&format!("(memory 1) {ENTRY}"));
        assert_eq!(validate(&unexported), Err(ValidationError::MissingMemory));
        let reserved = minimal(r#"(func (export "stylus_thing"))"#);
        assert!(matches!(
            validate(&reserved),
            Err(ValidationError::ReservedSymbol(_))
        ));
    }

    #[test]
    fn rejects_start_function() {
        let wasm = minimal("(func $s) (start $s)");
        assert_eq!(validate(&wasm), Err(ValidationError::StartFunction));
    }

    #[test]
    fn rejects_bad_imports() {
        let env = module(&format!(
            r#"(import "env" "foo" (func)) (memory (export "memory") 1) {ENTRY}"#
        ));
        assert!(matches!(
            validate(&env),
            Err(ValidationError::ForbiddenImport { .. })
        ));
        let unknown = module(&format!(
            r#"(import "vm_hooks" "foo" (func)) (memory (export "memory") 1) {ENTRY}"#
        ));
        assert!(matches!(
            validate(&unknown),
            Err(ValidationError::UnknownHostio { .. })
        ));
        let sig = module(&format!(
            r#"(import "vm_hooks" "read_args" (func (param i64))) (memory (export "memory") 1) {ENTRY}"#
        ));
        assert!(matches!(
            validate(&sig),
            Err(ValidationError::HostioSignature { .. })
        ));
        let imported_memory = module(&format!(
            r#"(import "vm_hooks" "memory" (memory 1)) (export "memory" (memory 0)) {ENTRY}"#
        ));
        assert!(matches!(
            validate(&imported_memory),
            Err(ValidationError::ForbiddenImport { .. })
        ));
        let float_console = module(&format!(
            r#"(import "console" "log_f32" (func (param f32))) (memory (export "memory") 1) {ENTRY}"#
        ));
        assert!(matches!(
            validate(&float_console),
            Err(ValidationError::FloatingPoint(_))
        ));
    }

    #[test]
    fn rejects_memory_over_limit() {
        let wasm = module(&format!(r#"(memory (export "memory") 129) {ENTRY}"#));
        assert_eq!(
            validate(&wasm),
            Err(ValidationError::MemoryTooLarge {
                pages: 129,
                limit: DEFAULT_PAGE_LIMIT
            })
        );
        validate_with(&wasm, 200).expect("fits a larger limit");
    }

    #[test]
    fn rejects_oversized_and_malformed() {
        let big = vec![0u8; MAX_WASM_SIZE + 1];
        assert!(matches!(
            validate(&big),
            Err(ValidationError::WasmTooLarge { .. })
        ));
        assert!(matches!(
            validate(b"\0asm\x01\0\0\0\x01"),
            Err(ValidationError::Malformed(_))
        ));
        let too_many_locals = minimal("(func (local i32 i32) (local i64) (local i32))");
        validate(&too_many_locals).expect("few locals are fine");
        let locals = "(local ".to_string() + &"i32 ".repeat(349) + ")";
        let wasm = minimal(&format!("(func {locals})"));
        assert!(matches!(
            validate(&wasm),
            Err(ValidationError::LimitExceeded { what: "locals", .. })
        ));
    }

    #[test]
    fn validate_code_checks_prefix_and_size() {
        let wasm = minimal("");
        let code = crate::compress(&wasm);
        let (decoded, info) = validate_code(&code, DEFAULT_PAGE_LIMIT).expect("valid code");
        assert_eq!(decoded, wasm);
        assert_eq!(info.footprint, 1);
        assert_eq!(
            validate_code(&wasm, DEFAULT_PAGE_LIMIT),
            Err(ValidationError::NotStylus)
        );
        let huge = vec![0xEF; MAX_CODE_SIZE + 1];
        assert!(matches!(
            validate_code(&huge, DEFAULT_PAGE_LIMIT),
            Err(ValidationError::CodeTooLarge { .. })
        ));
    }

    #[test]
    fn messages_name_the_rule() {
        assert_eq!(
            ValidationError::MissingEntrypoint.to_string(),
            "missing export with name user_entrypoint"
        );
        assert!(ValidationError::StartFunction.to_string().contains("start"));
    }
}
