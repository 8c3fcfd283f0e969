//! Stylus program execution: compiled-module cache, program frames and host functions.

pub mod cache;
pub mod host;
pub mod instrument;
pub mod meter;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use alloy_primitives::{Address, Bytes, B256};
use revm::context::journaled_state::JournalCheckpoint;
use revm::handler::FrameResult;
use revm::interpreter::SharedMemory;
use wasmi::{Engine, Func, Linker, Module, ResumableCall, ResumableCallHostTrap, Store, Val};

use host::{HostState, Request, Trap};
use meter::{InkCounter, InkMeter, NitroMeter};

/// Compiles programs and caches them by code hash; owns the engine and host linker.
pub struct StylusRuntime {
    engine: Engine,
    linker: Linker<HostState>,
    meter: Arc<dyn InkMeter>,
    modules: HashMap<B256, Module>,
}

impl std::fmt::Debug for StylusRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StylusRuntime")
            .field("cached_modules", &self.modules.len())
            .finish_non_exhaustive()
    }
}

impl Default for StylusRuntime {
    fn default() -> Self {
        Self::new(Arc::new(NitroMeter))
    }
}

impl StylusRuntime {
    /// A runtime metering ink with `meter`.
    pub fn new(meter: Arc<dyn InkMeter>) -> Self {
        let mut config = wasmi::Config::default();
        config
            .floats(false)
            .wasm_reference_types(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .wasm_multi_memory(false)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(false)
            // Stack overflow is nitro's depth checker's call (`MaxStackDepth` words, at
            // least 6 per frame: 262,144 / 6 < 2^16 frames); wasmi's own limits must not
            // be reached first.
            .set_max_recursion_depth(1 << 16)
            .set_max_stack_height(64 << 20);
        meter.configure(&mut config);
        let engine = Engine::new(&config);
        let linker = match host::linker(&engine) {
            Ok(linker) => linker,
            // Duplicate definitions are a programming error caught by the unit tests.
            Err(e) => unreachable!("host linker: {e}"),
        };
        Self {
            engine,
            linker,
            meter,
            modules: HashMap::new(),
        }
    }

    /// The compiled module of Stylus `code` with hash `codehash`, compiling it on first use.
    ///
    /// # Errors
    ///
    /// If the code does not decompress or compile.
    pub fn module(&mut self, codehash: B256, code: &[u8]) -> Result<Module, String> {
        if let Some(module) = self.modules.get(&codehash) {
            return Ok(module.clone());
        }
        let wasm = stylus_program::decompress(code).map_err(|e| e.to_string())?;
        let wasm = self.meter.instrument(&wasm)?;
        let module = Module::new(&self.engine, &wasm).map_err(|e| e.to_string())?;
        self.modules.insert(codehash, module.clone());
        Ok(module)
    }

    /// Number of compiled modules in the cache.
    pub fn cached_modules(&self) -> usize {
        self.modules.len()
    }

    /// Instantiates `module` in a fresh store holding `state` with `ink` and `stack` words of
    /// stack (nitro's `MaxStackDepth`, consumed by the depth checker's frames).
    ///
    /// # Errors
    ///
    /// If instantiation fails or the program lacks its exports.
    pub fn instantiate(
        &self,
        module: &Module,
        state: HostState,
        ink: u64,
        stack: u32,
    ) -> Result<(Store<HostState>, Func), String> {
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        let instance = self
            .linker
            .instantiate_and_start(&mut store, module)
            .map_err(|e| e.to_string())?;
        if self.meter.counter() == InkCounter::Globals {
            let global = |name| {
                instance
                    .get_global(&store, name)
                    .ok_or_else(|| format!("instrumented program exports no {name}"))
            };
            let ink = global(instrument::INK_LEFT_EXPORT)?;
            let status = global(instrument::INK_STATUS_EXPORT)?;
            let stack_left = global(instrument::STACK_LEFT_EXPORT)?;
            stack_left
                .set(&mut store, Val::I32(stack as i32))
                .map_err(|e| e.to_string())?;
            store.data_mut().ink_globals = Some((ink, status));
            store.data_mut().stack_global = Some(stack_left);
        }
        host::set_ink(&mut store, ink)?;
        let memory = instance
            .get_memory(&store, stylus_program::MEMORY_EXPORT)
            .ok_or("program exports no memory")?;
        let entry = instance
            .get_func(&store, stylus_program::ENTRYPOINT)
            .ok_or("program exports no user_entrypoint")?;
        let pages = memory.size(&store);
        store.data_mut().memory = Some(memory);
        store.data_mut().pages_paid = pages;
        Ok((store, entry))
    }
}

/// How one run of a program frame ended.
pub enum Step {
    /// The program asks for a call or create.
    Request(Request),
    /// The program returned (or exited early) with this status: 0 success, else revert.
    Exit(u32),
    /// Out of ink.
    OutOfInk,
    /// Out of stack (nitro's depth checker).
    OutOfStack,
    /// A state change in a static call.
    WriteProtection(String),
    /// The program failed (trap, bad pointer, ...).
    Failed(String),
}

/// A running Stylus program: its store, the paused invocation and the frame bookkeeping.
pub struct StylusFrame {
    /// The program's store (memory, globals, host state, fuel).
    pub store: Store<HostState>,
    entry: Func,
    invocation: Option<ResumableCallHostTrap>,
    /// The finished child frame, to feed back on the next run.
    pub child: Option<FrameResult>,
    /// Whether the frame has produced its result.
    pub finished: bool,
    /// Journal checkpoint to commit or revert.
    pub checkpoint: JournalCheckpoint,
    /// Gas the frame was given.
    pub gas_limit: u64,
    /// Where the caller wants the output (EVM callers).
    pub return_memory: Range<usize>,
    /// Call depth.
    pub depth: usize,
    /// EVM shared-memory context, used to give EVM children their memory.
    pub memory: SharedMemory,
    /// Pages open before this frame started (restored when it ends).
    pub pages_open_before: u16,
    /// The code hash, for diagnostics.
    pub codehash: B256,
    /// Whether this frame runs by delegate call (or callcode).
    pub is_delegate: bool,
    /// Guest pointers of the pending request: (return-data length, created address).
    pub pending_ptrs: (u32, u32),
    /// Stipend included in the pending call's gas (charged to this frame on return).
    pub pending_stipend: u64,
    /// Index of this frame's entry in the transaction's gas trace.
    pub trace_index: usize,
    /// Gas spent by the frame's finished children (debug trace).
    pub children_gas: u64,
    args_len: u32,
}

impl StylusFrame {
    /// A frame ready to start.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Store<HostState>,
        entry: Func,
        checkpoint: JournalCheckpoint,
        gas_limit: u64,
        return_memory: Range<usize>,
        depth: usize,
        memory: SharedMemory,
        pages_open_before: u16,
        codehash: B256,
        is_delegate: bool,
    ) -> Self {
        let args_len = store.data().args.len() as u32;
        Self {
            store,
            entry,
            invocation: None,
            child: None,
            finished: false,
            checkpoint,
            gas_limit,
            return_memory,
            depth,
            memory,
            pages_open_before,
            codehash,
            is_delegate,
            pending_ptrs: (0, 0),
            pending_stipend: 0,
            trace_index: 0,
            children_gas: 0,
            args_len,
        }
    }

    /// The acting address.
    pub fn contract(&self) -> Address {
        self.store.data().env.contract
    }

    /// Ink left.
    pub fn ink_left(&self) -> u64 {
        host::ink_left(&self.store)
    }

    /// Adds `ink` to the ink left (unused gas returned by a child call).
    ///
    /// # Errors
    ///
    /// If the counter cannot be written (a devnet bug).
    pub fn add_ink(&mut self, ink: u64) -> Result<(), String> {
        let left = self.ink_left();
        host::set_ink(&mut self.store, left.saturating_add(ink))
    }

    /// Sets the ink left.
    ///
    /// # Errors
    ///
    /// If the counter cannot be written (a devnet bug).
    pub fn set_ink(&mut self, ink: u64) -> Result<(), String> {
        host::set_ink(&mut self.store, ink)
    }

    /// Marks the program as out of ink.
    pub fn exhaust(&mut self) {
        host::exhaust(&mut self.store);
    }

    /// Whether the depth checker stopped the program (it zeroes the stack global before
    /// trapping; the global never reaches zero otherwise).
    fn out_of_stack(&self) -> bool {
        self.store
            .data()
            .stack_global
            .is_some_and(|global| global.get(&self.store).i32() == Some(0))
    }

    /// Whether the instrumentation found the program out of ink.
    fn exhausted(&self) -> bool {
        self.store
            .data()
            .ink_globals
            .is_some_and(|(_, status)| status.get(&self.store).i32() != Some(0))
    }

    /// Runs the program until it finishes or requests a call. If a child frame has finished,
    /// its outcome is delivered first (`resume` gives the host function's results).
    pub fn run(&mut self, resume: Option<Vec<Val>>) -> Step {
        let mut out = [Val::I32(0)];
        let result = match (resume, self.invocation.take()) {
            (Some(inputs), Some(invocation)) => {
                invocation.resume(&mut self.store, &inputs, &mut out)
            }
            (None, None) => self.entry.call_resumable(
                &mut self.store,
                &[Val::I32(self.args_len as i32)],
                &mut out,
            ),
            _ => return Step::Failed("devnet internal error: bad resume".into()),
        };
        match result {
            Ok(ResumableCall::Finished) => match out[0] {
                Val::I32(status) => Step::Exit(status as u32),
                _ => Step::Failed("user_entrypoint returned a non-i32".into()),
            },
            Ok(ResumableCall::HostTrap(invocation)) => {
                match invocation.host_error().downcast_ref::<Trap>() {
                    Some(Trap::Request) => match self.store.data_mut().request.take() {
                        Some(request) => {
                            self.invocation = Some(invocation);
                            Step::Request(request)
                        }
                        None => Step::Failed("devnet internal error: no request".into()),
                    },
                    Some(Trap::Exit(status)) => Step::Exit(*status),
                    Some(Trap::OutOfInk) => Step::OutOfInk,
                    Some(Trap::WriteProtection(what)) => {
                        Step::WriteProtection(Trap::WriteProtection(what).to_string())
                    }
                    Some(Trap::Failure(msg)) => Step::Failed(msg.clone()),
                    None => Step::Failed(invocation.host_error().to_string()),
                }
            }
            Ok(ResumableCall::OutOfFuel(_)) => Step::OutOfInk,
            Err(e) => {
                if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) || self.exhausted() {
                    Step::OutOfInk
                } else if self.out_of_stack() {
                    Step::OutOfStack
                } else if let Some(trap) = e.downcast_ref::<Trap>() {
                    match trap {
                        Trap::OutOfInk => Step::OutOfInk,
                        Trap::Exit(status) => Step::Exit(*status),
                        other => Step::Failed(other.to_string()),
                    }
                } else {
                    Step::Failed(format!("wasm trap: {e}"))
                }
            }
        }
    }

    /// Output the program has written.
    pub fn output(&self) -> Bytes {
        Bytes::copy_from_slice(&self.store.data().outs)
    }
}
