//! The execution engine: revm's handler driving a frame loop in which a frame is either an
//! EVM interpreter or a Stylus program.
//!
//! revm's mainnet handler does validation, fee payment, the journal and refunds; this module
//! implements its [`EvmTr`] frame hooks. A call whose code starts with `0xEFF000` becomes a
//! [`StylusFrame`]; everything else is revm's own [`EthFrame`]. A program asking for a call
//! or create pauses (wasmi resumable call) and hands the child frame to the loop; the child's
//! outcome is fed back when the loop returns to the program.

use std::convert::Infallible;
use std::mem;

use alloy_primitives::{Address, Bytes, B256};
use revm::context::{
    BlockEnv, CfgEnv, Context, ContextError, FrameStack, Journal, JournalTr, TxEnv,
};
use revm::context_interface::local::OutFrame;
use revm::context_interface::{Block, ContextTr};
use revm::database::{CacheDB, EmptyDB};
use revm::handler::evm::{ContextDbError, FrameInitResult, FrameTr};
use revm::handler::instructions::EthInstructions;
use revm::handler::{
    EthFrame, EvmTr, FrameData, FrameResult, Handler, ItemOrResult, MainnetHandler,
    PrecompileProvider,
};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::{
    CallOutcome, CallScheme, CallValue, CreateOutcome, FrameInput, Gas, InstructionResult,
    InterpreterAction, InterpreterResult,
};
use revm::primitives::constants::CALL_STACK_LIMIT;
use revm::primitives::hardfork::SpecId;
use wasmi::Val;

use crate::params::{self, PageCounters, INK_PER_GAS};
use crate::precompiles::ArbPrecompiles;
use crate::programs;
use crate::stylus::host::{FrameEnv, HostState, Request};
use crate::stylus::{Step, StylusFrame, StylusRuntime};

/// The in-memory state database.
pub type Db = CacheDB<EmptyDB>;

/// The chain context revm runs on.
pub type Ctx = Context<BlockEnv, TxEnv, CfgEnv, Db, Journal<Db>, ArbChain>;

/// The hard fork the devnet runs (ArbOS 40 follows Prague).
pub const SPEC: SpecId = SpecId::PRAGUE;

/// Transaction-level Stylus state, carried in the context.
#[derive(Clone, Debug, Default)]
pub struct ArbChain {
    /// WASM pages open in this transaction.
    pub pages: PageCounters,
    /// The ArbOS version whose rules apply.
    pub arbos_version: params::ArbosVersion,
    /// The block's recent-programs cache (used from ArbOS 60 on).
    pub recent_wasms: RecentWasms,
    /// Whether `activateProgram` requires and keeps its data fee.
    pub charge_data_fee: bool,
}

/// Nitro's per-block LRU of recently started programs (geth's `state.RecentWasms`, used by
/// nitro `arbos/programs/programs.go` `CallProgram` from ArbOS 60 with
/// `params.BlockCacheSize` entries): a program found in it pays the cached init cost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecentWasms {
    /// Code hashes, most recently used last.
    entries: Vec<B256>,
}

impl RecentWasms {
    /// Records `codehash` as used, keeping at most `retain` entries; returns whether it was
    /// already present (a cache hit).
    pub fn insert(&mut self, codehash: B256, retain: u16) -> bool {
        if let Some(index) = self.entries.iter().position(|h| *h == codehash) {
            let hit = self.entries.remove(index);
            self.entries.push(hit);
            return true;
        }
        self.entries.push(codehash);
        let excess = self.entries.len().saturating_sub(usize::from(retain));
        self.entries.drain(..excess);
        false
    }
}

/// A frame of the loop.
pub enum DevFrame {
    /// An EVM interpreter frame.
    Evm(Box<EthFrame<EthInterpreter>>),
    /// A Stylus program frame.
    Stylus(Box<StylusFrame>),
}

impl DevFrame {
    /// The acting address of a non-delegate frame (nitro's per-address frame count ignores
    /// delegate calls).
    fn acting_address(&self) -> Option<Address> {
        match self {
            Self::Evm(frame) => match &frame.input {
                FrameInput::Call(inputs) => (!matches!(
                    inputs.scheme,
                    CallScheme::DelegateCall | CallScheme::CallCode
                ))
                .then_some(inputs.target_address),
                FrameInput::Create(_) => match &frame.data {
                    FrameData::Create(create) => Some(create.created_address),
                    FrameData::Call(_) => None,
                },
                FrameInput::Empty => None,
            },
            Self::Stylus(frame) => (!frame.is_delegate).then(|| frame.contract()),
        }
    }

    fn is_finished(&self) -> bool {
        match self {
            Self::Evm(frame) => frame.is_finished(),
            Self::Stylus(frame) => frame.finished,
        }
    }
}

impl FrameTr for DevFrame {
    type FrameResult = FrameResult;
    type FrameInit = FrameInit;
}

/// Side output of a transaction: program console output and failure details.
#[derive(Clone, Debug, Default)]
pub struct TxTrace {
    /// `console` output of programs, in order.
    pub console: Vec<String>,
    /// Why programs failed (traps, out of ink, write protection), innermost first.
    pub failures: Vec<String>,
    /// Gas of every program frame, in call order.
    pub frames: Vec<crate::receipt::FrameGas>,
}

/// The EVM: context, instructions, precompiles and the frame stack.
pub struct DevEvm<'r> {
    /// The chain context.
    pub ctx: Ctx,
    instructions: EthInstructions<EthInterpreter, Ctx>,
    precompiles: ArbPrecompiles,
    /// Unused by this loop (the handler only clears it); frames live in `frames`.
    frame_stack: FrameStack<DevFrame>,
    frames: Vec<DevFrame>,
    /// Spent EVM frames for reuse (boxed: they move in and out of [`DevFrame::Evm`]).
    #[allow(clippy::vec_box)]
    eth_pool: Vec<Box<EthFrame<EthInterpreter>>>,
    runtime: &'r mut StylusRuntime,
    /// Placeholder context, swapped with `ctx` while a program runs (the program's host
    /// functions then own the real context).
    spare: Option<Ctx>,
    /// Console output and failure details.
    pub trace: TxTrace,
}

type LoopResult<T> = Result<T, ContextDbError<Ctx>>;

fn internal(msg: &str) -> ContextError<Infallible> {
    ContextError::Custom(format!("devnet internal error: {msg}"))
}

impl<'r> DevEvm<'r> {
    /// An EVM over `ctx` running programs with `runtime`.
    pub fn new(ctx: Ctx, runtime: &'r mut StylusRuntime) -> Self {
        let spec = ctx.cfg.spec;
        let mut precompiles = ArbPrecompiles::new(spec);
        <ArbPrecompiles as PrecompileProvider<Ctx>>::set_spec(&mut precompiles, spec);
        Self {
            ctx,
            instructions: EthInstructions::new_mainnet_with_spec(spec),
            precompiles,
            frame_stack: FrameStack::new(),
            frames: Vec::with_capacity(8),
            eth_pool: Vec::new(),
            runtime,
            spare: Some(Context::new(Db::default(), spec)),
            trace: TxTrace::default(),
        }
    }

    fn init_stylus(
        &mut self,
        depth: usize,
        memory: revm::interpreter::SharedMemory,
        inputs: Box<revm::interpreter::CallInputs>,
    ) -> LoopResult<FrameInitResult<'_, DevFrame>> {
        let gas_limit = inputs.gas_limit;
        let return_memory = inputs.return_memory_offset.clone();
        let done = |result: InstructionResult, output: Bytes, gas: Gas| {
            Ok(ItemOrResult::Result(FrameResult::Call(CallOutcome::new(
                InterpreterResult::new(result, output, gas),
                return_memory.clone(),
            ))))
        };
        let halt = |result| {
            let mut gas = Gas::new(gas_limit);
            gas.spend_all();
            done(result, Bytes::new(), gas)
        };
        if depth > CALL_STACK_LIMIT as usize {
            return done(
                InstructionResult::CallTooDeep,
                Bytes::new(),
                Gas::new(gas_limit),
            );
        }
        let checkpoint = self.ctx.journal_mut().checkpoint();
        if let CallValue::Transfer(value) = inputs.value {
            if let Some(e) =
                self.ctx
                    .journal_mut()
                    .transfer_loaded(inputs.caller, inputs.target_address, value)
            {
                self.ctx.journal_mut().checkpoint_revert(checkpoint);
                return done(e.into(), Bytes::new(), Gas::new(gas_limit));
            }
        }

        let now: u64 = self.ctx.block.timestamp().saturating_to();
        let codehash = inputs.known_bytecode.0;
        let program = match programs::active_program(&mut self.ctx, codehash, now) {
            Ok(program) => program,
            Err(e) => {
                self.ctx.journal_mut().checkpoint_revert(checkpoint);
                return done(
                    InstructionResult::Revert,
                    e.abi_encode(),
                    Gas::new(gas_limit),
                );
            }
        };

        // Pay for the program's memory footprint and init, as nitro's `CallProgram` does
        // (`arbos/programs/programs.go`): the recent-programs cache is consulted (and updated)
        // from ArbOS 60 on, before the cost is burnt.
        let pages_before = self.ctx.chain.pages;
        let arbos_version = self.ctx.chain.arbos_version;
        let cached = params::has_recent_wasms(arbos_version)
            && self
                .ctx
                .chain
                .recent_wasms
                .insert(codehash, params::BLOCK_CACHE_SIZE);
        let cost = self
            .ctx
            .chain
            .pages
            .open_pages(program.footprint)
            .saturating_add(program.call_gas(cached));
        if cost > gas_limit {
            self.ctx.chain.pages = pages_before;
            self.ctx.journal_mut().checkpoint_revert(checkpoint);
            self.trace
                .failures
                .push(format!("out of gas starting program {codehash}"));
            return halt(InstructionResult::OutOfGas);
        }

        let code = inputs.known_bytecode.1.original_bytes();
        let module = match self.runtime.module(codehash, &code) {
            Ok(module) => module,
            Err(e) => {
                self.ctx.chain.pages.open = pages_before.open;
                self.ctx.journal_mut().checkpoint_revert(checkpoint);
                self.trace.failures.push(format!("program {codehash}: {e}"));
                return halt(InstructionResult::InvalidFEOpcode);
            }
        };
        let args = inputs.input.bytes(&self.ctx);
        // Nitro counts the open non-delegate frames of each acting address (EVM frames too);
        // a program is re-entrant when its acting address has more than one.
        let is_delegate = matches!(
            inputs.scheme,
            CallScheme::DelegateCall | CallScheme::CallCode
        );
        let open = self
            .frames
            .iter()
            .filter(|frame| frame.acting_address() == Some(inputs.target_address))
            .count()
            + usize::from(!is_delegate);
        let reentrant = open > 1;
        let env = FrameEnv {
            contract: inputs.target_address,
            caller: inputs.caller,
            value: inputs.call_value(),
            is_static: inputs.is_static,
            reentrant,
        };
        let page_limit = params::PAGE_LIMIT.saturating_sub(pages_before.open);
        let mut state = HostState::new(env, args, page_limit);
        state.arbos_version = arbos_version;
        let ink = (gas_limit - cost).saturating_mul(INK_PER_GAS);
        let stack = params::max_stack_depth(arbos_version);
        let (store, entry) = match self.runtime.instantiate(&module, state, ink, stack) {
            Ok(instance) => instance,
            Err(e) => {
                self.ctx.chain.pages.open = pages_before.open;
                self.ctx.journal_mut().checkpoint_revert(checkpoint);
                self.trace.failures.push(format!("program {codehash}: {e}"));
                return halt(InstructionResult::InvalidFEOpcode);
            }
        };
        let mut frame = StylusFrame::new(
            store,
            entry,
            checkpoint,
            gas_limit,
            return_memory.clone(),
            depth,
            memory,
            pages_before.open,
            codehash,
            is_delegate,
        );
        frame.trace_index = self.trace.frames.len();
        let selector = frame
            .store
            .data()
            .args
            .get(..4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .unwrap_or_default();
        self.trace.frames.push(crate::receipt::FrameGas {
            address: inputs.target_address,
            depth,
            selector,
            entry_gas: cost,
            ..Default::default()
        });
        self.frames.push(DevFrame::Stylus(Box::new(frame)));
        match self.frames.last_mut() {
            Some(frame) => Ok(ItemOrResult::Item(frame)),
            None => Err(internal("frame vanished")),
        }
    }

    fn run_evm(&mut self) -> LoopResult<ItemOrResult<FrameInit, FrameResult>> {
        let Some(DevFrame::Evm(frame)) = self.frames.last_mut() else {
            return Err(internal("not an EVM frame"));
        };
        let mut action = frame.interpreter.run_plain(
            self.instructions.instruction_table(),
            self.instructions.gas_table(),
            &mut self.ctx,
        );
        // Arbitrum relaxes EIP-3541: new code may start with 0xEF only if it is a Stylus
        // program (0xEFF000...). revm's own check is disabled in the config.
        if let (FrameData::Create(_), InterpreterAction::Return(result)) =
            (&frame.data, &mut action)
        {
            if result.result.is_ok()
                && result.output.first() == Some(&0xEF)
                && !stylus_program::is_stylus_code(&result.output)
            {
                result.result = InstructionResult::CreateContractStartingWithEF;
            }
        }
        let next = frame.process_next_action::<Ctx, ContextDbError<Ctx>>(&mut self.ctx, action)?;
        if next.is_result() {
            frame.set_finished(true);
        }
        Ok(next)
    }

    fn run_stylus(&mut self) -> LoopResult<ItemOrResult<FrameInit, FrameResult>> {
        let Some(DevFrame::Stylus(frame)) = self.frames.last_mut() else {
            return Err(internal("not a Stylus frame"));
        };
        let spare = self
            .spare
            .take()
            .ok_or_else(|| internal("no spare context"))?;
        let ctx = mem::replace(&mut self.ctx, spare);
        frame.store.data_mut().ctx = Some(ctx);

        let step = match frame.child.take() {
            Some(child) => match deliver_child(frame, child) {
                Ok(inputs) => frame.run(Some(inputs)),
                Err(step) => step,
            },
            None => frame.run(None),
        };

        let ctx = frame
            .store
            .data_mut()
            .ctx
            .take()
            .ok_or_else(|| internal("program kept the context"))?;
        self.spare = Some(mem::replace(&mut self.ctx, ctx));

        match step {
            Step::Request(request) => {
                let memory = frame.memory.new_child_context();
                let depth = frame.depth + 1;
                let frame_input = match request {
                    Request::Call {
                        inputs,
                        ret_len_ptr,
                        stipend,
                    } => {
                        frame.pending_ptrs = (ret_len_ptr, 0);
                        frame.pending_stipend = stipend;
                        FrameInput::Call(inputs)
                    }
                    Request::Create {
                        inputs,
                        contract_ptr,
                        ret_len_ptr,
                    } => {
                        frame.pending_ptrs = (ret_len_ptr, contract_ptr);
                        FrameInput::Create(inputs)
                    }
                };
                Ok(ItemOrResult::Item(FrameInit {
                    depth,
                    memory,
                    frame_input,
                }))
            }
            step => self.finish_stylus(step),
        }
    }

    fn finish_stylus(&mut self, step: Step) -> LoopResult<ItemOrResult<FrameInit, FrameResult>> {
        let Some(DevFrame::Stylus(frame)) = self.frames.last_mut() else {
            return Err(internal("not a Stylus frame"));
        };
        let data = frame.store.data_mut();
        self.trace.console.append(&mut data.console);
        let refund = data.refund;

        // Growth not yet paid for is paid now.
        let size = data.memory.map(|m| m.size(&frame.store)).unwrap_or(0);
        let data = frame.store.data_mut();
        let unpaid = size.saturating_sub(data.pages_paid);
        data.pages_paid = size;
        let growth_gas = self
            .ctx
            .chain
            .pages
            .open_pages(u16::try_from(unpaid).unwrap_or(u16::MAX));
        let mut remaining = frame.ink_left() / INK_PER_GAS;
        let step = if growth_gas > remaining && !matches!(step, Step::OutOfInk) {
            Step::OutOfInk
        } else {
            remaining = remaining.saturating_sub(growth_gas);
            step
        };

        let (mut result, mut output) = match step {
            Step::Exit(0) => (InstructionResult::Return, frame.output()),
            Step::Exit(_) => (InstructionResult::Revert, frame.output()),
            Step::OutOfInk => {
                self.trace
                    .failures
                    .push(format!("program {}: out of ink", frame.codehash));
                (InstructionResult::OutOfGas, Bytes::new())
            }
            // Nitro's `userOutOfStack` becomes `vm.ErrDepth`, which burns all the call's gas
            // (nitro `arbos/programs/programs.go` `toResult`).
            Step::OutOfStack => {
                self.trace
                    .failures
                    .push(format!("program {}: out of stack", frame.codehash));
                (InstructionResult::StackOverflow, Bytes::new())
            }
            // Traps, bad pointers and writes in a static call are nitro's `userFailure`:
            // `vm.ErrExecutionReverted` without data, so the unused gas goes back to the
            // caller (nitro `arbos/programs/programs.go` `toResult`; write protection reaches
            // it as an `outcome Revert` error, `crates/arbutil/src/evm/req.rs`).
            Step::WriteProtection(msg) | Step::Failed(msg) => {
                self.trace
                    .failures
                    .push(format!("program {}: {msg}", frame.codehash));
                (InstructionResult::Revert, Bytes::new())
            }
            Step::Request(_) => return Err(internal("request at finish")),
        };

        // Returned data costs at least what it would in the EVM (nitro's StylusFixes).
        if !output.is_empty() {
            let evm_cost = params::evm_memory_cost(output.len() as u64);
            if frame.gas_limit < evm_cost {
                result = InstructionResult::OutOfGas;
                output = Bytes::new();
            } else {
                remaining = remaining.min(frame.gas_limit - evm_cost);
            }
        }

        let mut gas = Gas::new(frame.gas_limit);
        let _ = gas.record_regular_cost(frame.gas_limit.saturating_sub(remaining));
        if result.is_ok() {
            gas.record_refund(refund);
            self.ctx.journal_mut().checkpoint_commit();
        } else {
            self.ctx.journal_mut().checkpoint_revert(frame.checkpoint);
        }
        if result.is_halt() {
            gas.spend_all();
        }
        self.ctx.chain.pages.open = frame.pages_open_before;
        frame.finished = true;
        if let Some(entry) = self.trace.frames.get_mut(frame.trace_index) {
            entry.gas_used = gas.total_gas_spent();
            entry.children_gas = frame.children_gas;
            entry.success = result.is_ok();
            entry.stats = frame.store.data().stats;
        }
        Ok(ItemOrResult::Result(FrameResult::Call(CallOutcome::new(
            InterpreterResult::new(result, output, gas),
            frame.return_memory.clone(),
        ))))
    }
}

/// Feeds a finished child's outcome to the paused program: return data, gas, refunds, and the
/// host function's outputs. Returns the host function's results for resumption.
fn deliver_child(frame: &mut StylusFrame, child: FrameResult) -> Result<Vec<Val>, Step> {
    frame.memory.free_child_context();
    let (ret_len_ptr, contract_ptr) = frame.pending_ptrs;
    let memory = frame
        .store
        .data()
        .memory
        .ok_or_else(|| Step::Failed("program memory missing".into()))?;
    let (gas, result, output, address, is_create) = match child {
        FrameResult::Call(CallOutcome { result, .. }) => {
            (result.gas, result.result, result.output, None, false)
        }
        FrameResult::Create(CreateOutcome {
            result, address, ..
        }) => (result.gas, result.result, result.output, address, true),
    };
    frame.children_gas += gas.total_gas_spent();
    // Unused child gas flows back; a child's refunds count only if it succeeded. The stipend
    // of a value call is the caller's: nitro charges `baseCost + gas - returnGas` with `gas`
    // including it (`arbos/programs/api.go` `doCall`), and the program runs out of ink if
    // it cannot pay that (`buy_gas(gas_cost)` in `user-host-trait`).
    let stipend = std::mem::take(&mut frame.pending_stipend);
    let returned = gas.remaining();
    if returned >= stipend {
        if let Err(e) = frame.add_ink((returned - stipend).saturating_mul(INK_PER_GAS)) {
            return Err(Step::Failed(format!("devnet internal error: {e}")));
        }
    } else {
        let owed = (stipend - returned).saturating_mul(INK_PER_GAS);
        let left = frame.ink_left();
        if left < owed {
            frame.exhaust();
            return Err(Step::OutOfInk);
        }
        if let Err(e) = frame.set_ink(left - owed) {
            return Err(Step::Failed(format!("devnet internal error: {e}")));
        }
    }
    if result.is_ok() {
        frame.store.data_mut().refund += gas.refunded();
    }
    let write = |store: &mut wasmi::Store<HostState>, ptr: u32, bytes: &[u8]| {
        crate::stylus::host::write_guest(memory, store, ptr, bytes)
            .map_err(|e| Step::Failed(e.to_string()))
    };
    if is_create {
        let return_data = if result == InstructionResult::Revert {
            output
        } else {
            Bytes::new()
        };
        let address = if result.is_ok() {
            address.unwrap_or_default()
        } else {
            Address::ZERO
        };
        let len = return_data.len() as u32;
        frame.store.data_mut().return_data = return_data;
        write(&mut frame.store, ret_len_ptr, &len.to_le_bytes())?;
        write(&mut frame.store, contract_ptr, address.as_slice())?;
        Ok(Vec::new())
    } else {
        let len = output.len() as u32;
        frame.store.data_mut().return_data = output;
        write(&mut frame.store, ret_len_ptr, &len.to_le_bytes())?;
        // Nitro reports 0 for success and 2 for any failure, revert included.
        let status = if result.is_ok() { 0 } else { 2 };
        Ok(vec![Val::I32(status)])
    }
}

impl EvmTr for DevEvm<'_> {
    type Context = Ctx;
    type Instructions = EthInstructions<EthInterpreter, Ctx>;
    type Precompiles = ArbPrecompiles;
    type Frame = DevFrame;

    fn all(
        &self,
    ) -> (
        &Self::Context,
        &Self::Instructions,
        &Self::Precompiles,
        &FrameStack<Self::Frame>,
    ) {
        (
            &self.ctx,
            &self.instructions,
            &self.precompiles,
            &self.frame_stack,
        )
    }

    fn all_mut(
        &mut self,
    ) -> (
        &mut Self::Context,
        &mut Self::Instructions,
        &mut Self::Precompiles,
        &mut FrameStack<Self::Frame>,
    ) {
        (
            &mut self.ctx,
            &mut self.instructions,
            &mut self.precompiles,
            &mut self.frame_stack,
        )
    }

    fn frame_init(&mut self, init: FrameInit) -> LoopResult<FrameInitResult<'_, DevFrame>> {
        if let FrameInput::Call(inputs) = &init.frame_input {
            let is_program =
                stylus_program::is_stylus_code(inputs.known_bytecode.1.original_byte_slice())
                    && !self.precompiles.contains(&inputs.bytecode_address);
            if is_program {
                let FrameInit {
                    depth,
                    memory,
                    frame_input,
                } = init;
                let FrameInput::Call(inputs) = frame_input else {
                    return Err(internal("frame input changed"));
                };
                return self.init_stylus(depth, memory, inputs);
            }
        }
        let mut frame = self
            .eth_pool
            .pop()
            .unwrap_or_else(|| Box::new(EthFrame::invalid()));
        let result = EthFrame::init_with_context(
            OutFrame::new_init(&mut *frame),
            &mut self.ctx,
            &mut self.precompiles,
            init,
        )?;
        match result {
            ItemOrResult::Item(_token) => {
                self.frames.push(DevFrame::Evm(frame));
                match self.frames.last_mut() {
                    Some(frame) => Ok(ItemOrResult::Item(frame)),
                    None => Err(internal("frame vanished")),
                }
            }
            ItemOrResult::Result(result) => {
                self.eth_pool.push(frame);
                Ok(ItemOrResult::Result(result))
            }
        }
    }

    fn frame_run(&mut self) -> LoopResult<ItemOrResult<FrameInit, FrameResult>> {
        match self.frames.last() {
            Some(DevFrame::Evm(_)) => self.run_evm(),
            Some(DevFrame::Stylus(_)) => self.run_stylus(),
            None => Err(internal("no frame to run")),
        }
    }

    fn frame_return_result(&mut self, result: FrameResult) -> LoopResult<Option<FrameResult>> {
        if self.frames.last().is_some_and(DevFrame::is_finished) {
            if let Some(DevFrame::Evm(frame)) = self.frames.pop() {
                self.eth_pool.push(frame);
            }
        }
        match self.frames.last_mut() {
            None => Ok(Some(result)),
            Some(DevFrame::Evm(frame)) => {
                frame.return_result::<Ctx, ContextDbError<Ctx>>(&mut self.ctx, result)?;
                Ok(None)
            }
            Some(DevFrame::Stylus(frame)) => {
                frame.child = Some(result);
                Ok(None)
            }
        }
    }
}

/// What [`execute`] produced.
pub struct Executed {
    /// The result, or why the transaction is invalid.
    pub result: Result<revm::context::result::ExecutionResult, String>,
    /// Console output and failure details.
    pub trace: TxTrace,
}

/// Runs `tx` on `db` in `block` under the ArbOS rules and recent-programs cache of `chain`;
/// commits the state changes into `db` when `commit` is set. `chain` comes back with the
/// cache as the transaction left it.
pub fn execute(
    db: &mut Db,
    block: BlockEnv,
    cfg: CfgEnv,
    tx: TxEnv,
    runtime: &mut StylusRuntime,
    chain: &mut ArbChain,
    commit: bool,
) -> Executed {
    let mut ctx: Ctx = Context::new(mem::take(db), SPEC);
    ctx.block = block;
    ctx.cfg = cfg;
    ctx.tx = tx;
    ctx.chain = ArbChain {
        pages: PageCounters::default(),
        arbos_version: chain.arbos_version,
        recent_wasms: mem::take(&mut chain.recent_wasms),
        charge_data_fee: chain.charge_data_fee,
    };
    let mut evm = DevEvm::new(ctx, runtime);
    let mut handler = MainnetHandler::<
        DevEvm<'_>,
        revm::context::result::EVMError<Infallible>,
        DevFrame,
    >::default();
    let result = handler.run(&mut evm).map_err(|e| e.to_string());
    let trace = mem::take(&mut evm.trace);
    chain.recent_wasms = mem::take(&mut evm.ctx.chain.recent_wasms);
    let state = evm.ctx.journal_mut().finalize();
    *db = mem::take(&mut evm.ctx.journaled_state.database);
    if commit && result.is_ok() {
        use revm::database::DatabaseCommit;
        db.commit(state);
    }
    Executed { result, trace }
}
