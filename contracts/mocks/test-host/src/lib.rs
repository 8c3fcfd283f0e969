//! A unit-test host for Stylus contracts that make more than one external
//! call per function.
//!
//! The SDK's [`TestVM`] keeps a single "last return data" buffer that every
//! `mock_call` / `mock_static_call` overwrites, so a contract that calls two
//! peers in one function reads the *last registered* mock's data from both
//! calls. [`TestHost`] wraps a `TestVM` (everything else — storage, sender,
//! timestamp, logs — is delegated to it, and reachable through `Deref`) and
//! replaces the call path:
//!
//! * [`TestHost::mock`] registers the result of a call `(to, calldata)`
//!   (mutating or static); a call returns *its own* mocked data;
//! * an unmocked call reverts with `b"unmocked call"`, so a test cannot pass
//!   by accident on empty return data;
//! * every call made is recorded ([`TestHost::calls`]), so a test can assert
//!   that a transfer really was requested, with which arguments.
//!
//! ```text
//! let host = TestHost::default();
//! let mut contract = MyContract::from(&host);
//! host.set_sender(alice);
//! host.mock(token, IErc20::balanceOfCall { account }.abi_encode(), Ok(word(100)));
//! ```
#![allow(unsafe_code)]

use std::{cell::RefCell, collections::HashMap, ops::Deref, rc::Rc, slice};

use alloy_primitives::{Address, B256, U256};
use stylus_sdk::stylus_core::{
    AccountAccess, BlockAccess, CalldataAccess, ChainAccess, CryptographyAccess, Host,
    MemoryAccess, MessageAccess, MeteringAccess, RawLogAccess, StorageAccess, UnsafeCallAccess,
    UnsafeDeploymentAccess,
};
pub use stylus_sdk::testing::TestVM;

/// The kind of an external call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `CALL` (mutating, possibly with value).
    Call,
    /// `STATICCALL` (view).
    Static,
    /// `DELEGATECALL`.
    Delegate,
}

/// One external call made by the contract under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedCall {
    /// Call kind.
    pub kind: CallKind,
    /// Callee.
    pub to: Address,
    /// Calldata.
    pub data: Vec<u8>,
    /// Value sent (zero for static and delegate calls).
    pub value: U256,
}

/// A mocked call's result: `Ok(return data)` or `Err(revert data)`.
pub type CallResult = Result<Vec<u8>, Vec<u8>>;

#[derive(Default)]
struct Calls {
    mocks: HashMap<(Address, Vec<u8>), CallResult>,
    return_data: Vec<u8>,
    log: Vec<RecordedCall>,
}

/// [`TestVM`] with per-call return data and a call log (see the crate docs).
#[derive(Clone, Default)]
pub struct TestHost {
    vm: TestVM,
    calls: Rc<RefCell<Calls>>,
}

impl Deref for TestHost {
    type Target = TestVM;
    fn deref(&self) -> &TestVM {
        &self.vm
    }
}

impl TestHost {
    /// Sets the result of any call (mutating or static) to `to` with
    /// exactly `data` as calldata: `Ok(return data)` or `Err(revert data)`.
    /// A later registration for the same call replaces it.
    pub fn mock(&self, to: Address, data: Vec<u8>, result: CallResult) {
        self.calls.borrow_mut().mocks.insert((to, data), result);
    }

    /// Every external call made so far, in order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.calls.borrow().log.clone()
    }

    /// Forgets the recorded calls (the mocks stay).
    pub fn clear_calls(&self) {
        self.calls.borrow_mut().log.clear();
    }

    /// # Safety
    /// `to` points to 20 bytes and `data` to `len` bytes (the SDK's call path).
    unsafe fn perform(
        &self,
        kind: CallKind,
        to: *const u8,
        data: *const u8,
        len: usize,
        value: U256,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: guaranteed by the caller.
        let (to, data) = unsafe {
            (
                Address::from_slice(slice::from_raw_parts(to, 20)),
                slice::from_raw_parts(data, len).to_vec(),
            )
        };
        let mut calls = self.calls.borrow_mut();
        let result = calls
            .mocks
            .get(&(to, data.clone()))
            .cloned()
            .unwrap_or_else(|| Err(b"unmocked call".to_vec()));
        calls.log.push(RecordedCall {
            kind,
            to,
            data,
            value,
        });
        let (status, out) = match result {
            Ok(out) => (0, out),
            Err(out) => (1, out),
        };
        *outs_len = out.len();
        calls.return_data = out;
        status
    }
}

/// A `U256` as a 32-byte ABI word (a convenient mock return value).
pub fn word(value: U256) -> Vec<u8> {
    B256::from(value).to_vec()
}

impl Host for TestHost {}

impl CryptographyAccess for TestHost {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.vm.native_keccak256(input)
    }
}

impl CalldataAccess for TestHost {
    fn read_args(&self, len: usize) -> Vec<u8> {
        self.vm.read_args(len)
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        let calls = self.calls.borrow();
        let data = &calls.return_data;
        let start = offset.min(data.len());
        let end = size.map_or(data.len(), |s| (start + s).min(data.len()));
        data[start..end].to_vec()
    }
    fn return_data_size(&self) -> usize {
        self.calls.borrow().return_data.len()
    }
    fn write_result(&self, data: &[u8]) {
        self.vm.write_result(data)
    }
}

unsafe impl UnsafeDeploymentAccess for TestHost {
    unsafe fn create1(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        // SAFETY: forwarded unchanged from the SDK.
        unsafe {
            self.vm
                .create1(code, code_len, endowment, contract, revert_data_len)
        }
    }
    unsafe fn create2(
        &self,
        code: *const u8,
        code_len: usize,
        endowment: *const u8,
        salt: *const u8,
        contract: *mut u8,
        revert_data_len: *mut usize,
    ) {
        // SAFETY: forwarded unchanged from the SDK.
        unsafe {
            self.vm
                .create2(code, code_len, endowment, salt, contract, revert_data_len)
        }
    }
}

impl StorageAccess for TestHost {
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.vm.storage_load_bytes32(key)
    }
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        // SAFETY: forwarded unchanged from the SDK.
        unsafe { self.vm.storage_cache_bytes32(key, value) }
    }
    fn flush_cache(&self, clear: bool) {
        self.vm.flush_cache(clear)
    }
}

unsafe impl UnsafeCallAccess for TestHost {
    unsafe fn call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        value: *const u8,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the SDK passes a 32-byte value and valid `to`/`data`.
        unsafe {
            let value = U256::from_be_slice(slice::from_raw_parts(value, 32));
            self.perform(CallKind::Call, to, data, data_len, value, outs_len)
        }
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the SDK passes valid `to`/`data`.
        unsafe { self.perform(CallKind::Static, to, data, data_len, U256::ZERO, outs_len) }
    }
    unsafe fn delegate_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: the SDK passes valid `to`/`data`.
        unsafe { self.perform(CallKind::Delegate, to, data, data_len, U256::ZERO, outs_len) }
    }
}

impl BlockAccess for TestHost {
    fn block_basefee(&self) -> U256 {
        self.vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.vm.block_coinbase()
    }
    fn block_number(&self) -> u64 {
        self.vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.vm.block_timestamp()
    }
    fn block_gas_limit(&self) -> u64 {
        self.vm.block_gas_limit()
    }
}

impl ChainAccess for TestHost {
    fn chain_id(&self) -> u64 {
        self.vm.chain_id()
    }
}

impl AccountAccess for TestHost {
    fn balance(&self, account: Address) -> U256 {
        self.vm.balance(account)
    }
    fn contract_address(&self) -> Address {
        self.vm.contract_address()
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.vm.code(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.vm.code_size(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.vm.code_hash(account)
    }
}

impl MemoryAccess for TestHost {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.vm.pay_for_memory_grow(pages)
    }
}

impl MessageAccess for TestHost {
    fn msg_sender(&self) -> Address {
        self.vm.msg_sender()
    }
    fn msg_reentrant(&self) -> bool {
        self.vm.msg_reentrant()
    }
    fn msg_value(&self) -> U256 {
        self.vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.vm.tx_origin()
    }
}

impl MeteringAccess for TestHost {
    fn evm_gas_left(&self) -> u64 {
        self.vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.vm.tx_ink_price()
    }
}

impl RawLogAccess for TestHost {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.vm.emit_log(input, num_topics)
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.vm.raw_log(topics, data)
    }
}
